//! Notifiers: how the worker reaches people. E-mail (SMTP with lettre, or a file mailer
//! for development and tests) with bodies from templates, and signed digest webhooks.

pub mod mail;
pub mod templates;
pub mod webhook;

pub use mail::{Email, Mailer};
