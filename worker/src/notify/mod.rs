//! Notifiers: how the worker reaches people. E-mail today (SMTP with lettre, or a file
//! mailer for development and tests); Slack and signed webhooks later.

pub mod mail;

pub use mail::{Email, Mailer};
