//! AsyncStand's server side, shared by the api and the worker; never compiled for the
//! browser. `schema` holds what crosses the wire and the domain rules; this crate holds
//! what touches infrastructure:
//!
//! - [`db`]: the diesel tables, row models, embedded migrations (`schema/server/migrations`),
//!   the pool and every query, one module per table or aggregate (`testing` feature: a
//!   migrated database per test);
//! - [`outbox`]: enqueueing a job in the caller's transaction and relaying committed rows
//!   to RabbitMQ;
//! - [`amqp`]: the RabbitMQ topology (exchanges, queues, retry ladders, publishing);
//! - [`secrets`]: secrets sealed at rest (AES-256-GCM) with a key from the environment;
//! - [`webhook`]: signing and verifying digest webhooks (HMAC-SHA256).

pub mod amqp;
pub mod db;
pub mod outbox;
pub mod secrets;
pub mod settings;
pub mod slack;
pub mod webhook;
