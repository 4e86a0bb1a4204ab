//! AsyncStand's shared contract.
//!
//! The default build is wasm-safe and used by the web UI: ids, enums, input validation,
//! the schedule math (DST-correct standup runs), the standup config rules and templates,
//! digest rendering (the text and HTML a closed standup's digest shows), the typed GraphQL
//! operations and the job messages. The `db` feature adds the diesel tables, row models,
//! migrations and the pool; `amqp` adds the RabbitMQ topology; `webhook` adds signing and
//! verifying digest webhooks (HMAC-SHA256, Stripe's scheme) and webhook secrets.

// `#[derive(FromJson)]` names `::schema::json`, here as in the crates that use it.
extern crate self as schema;

pub mod digest;
pub mod enums;
pub mod events;
pub mod ids;
pub mod jobs;
pub mod json;
pub mod ops;
pub mod schedule;
pub mod standup;
pub mod templates;
pub mod validation;

#[cfg(feature = "amqp")]
pub mod amqp;
#[cfg(feature = "db")]
pub mod db;
#[cfg(feature = "secrets")]
pub mod secrets;
#[cfg(feature = "webhook")]
pub mod webhook;
