//! AsyncStand's shared contract.
//!
//! The default build is wasm-safe and used by the web UI: ids, enums, input validation,
//! the schedule math (DST-correct standup runs), the typed GraphQL operations, the job
//! messages, the standup config rules and templates. The `db` feature adds the diesel
//! tables, row models, migrations and the pool; `amqp` adds the RabbitMQ topology.

pub mod enums;
pub mod ids;
pub mod jobs;
pub mod ops;
pub mod schedule;
pub mod standup;
pub mod templates;
pub mod validation;

#[cfg(feature = "amqp")]
pub mod amqp;
#[cfg(feature = "db")]
pub mod db;
