//! Notifiers: how the worker reaches people. E-mail (SMTP with lettre, or a file mailer
//! for development and tests) and signed digest webhooks; Slack later.

pub mod mail;
pub mod webhook;

pub use mail::{Email, Mailer};
