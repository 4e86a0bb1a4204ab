#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The schema crate's integration tests: one binary, one module per area.

mod schedule;
