//! AsyncStand's shared contract.
//!
//! The default build is wasm-safe and used by the web UI: ids, enums, input validation,
//! the schedule math (DST-correct standup runs), the standup config rules and templates,
//! digest rendering (the text and HTML a closed standup's digest shows), the typed GraphQL
//! operations and the job messages. The `sql` feature adds the diesel mapping of ids and
//! enums; everything that talks to PostgreSQL, RabbitMQ or a webhook receiver lives in
//! `schema-server` (schema/server).

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
