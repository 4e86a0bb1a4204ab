//! Integration tests against the RabbitMQ at 127.0.0.1:5672 (guest/guest) and the
//! PostgreSQL at 127.0.0.1:5432 (or `DATABASE_URL`). Every test uses its own
//! `AMQP_PREFIX`, its own database (cloned from a migrated template) and its own mail
//! directory, so tests run in parallel, and removes them at the end. `TEST_LOG=1` shows
//! the worker's logs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod batch;
mod binary;
mod consume;
mod crash;
mod helpers;
mod local_day_bench;
mod local_time;
mod mail;
mod proxy;
mod retry;
mod scheduler;
mod shared_broker;
mod smtp;
mod topology;
