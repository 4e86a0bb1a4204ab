//! Notifiers: how the worker reaches people. E-mail (SMTP with lettre, or a file mailer
//! for development and tests) with bodies from templates, Slack messages (Block Kit),
//! and signed digest webhooks.

pub mod mail;
pub mod slack;
pub mod templates;
pub mod webhook;

pub use mail::{Email, Mailer};
