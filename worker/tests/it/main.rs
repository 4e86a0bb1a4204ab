//! Integration tests against the RabbitMQ at 127.0.0.1:5672 (guest/guest). Every test
//! uses its own `AMQP_PREFIX`, so tests run in parallel on the shared broker, and
//! deletes its exchanges and queues at the end. `TEST_LOG=1` shows the worker's logs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod binary;
mod consume;
mod helpers;
mod proxy;
mod topology;
