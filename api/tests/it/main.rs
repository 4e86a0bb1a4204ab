#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The api's integration tests: one binary, each test with its own database.

mod account;
mod audit;
mod auth;
mod browser;
mod deployment;
// Parts of the fake (faults, revocation, other workspaces) serve the delivery tests.
#[allow(dead_code)]
mod fake_slack;
mod hardening;
mod health;
mod helpers;
mod input_bounds;
mod invitations;
mod isolation;
mod members;
mod migrations;
mod pipeline;
mod schema_contract;
mod slack;
mod slack_delivery;
mod slack_interactivity;
mod standup_configs;
mod standup_loop;
mod standups;
mod teams;
mod throttles;
mod ws;
