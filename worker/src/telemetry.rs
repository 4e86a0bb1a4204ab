//! Log set-up: an `EnvFilter` from `RUST_LOG`, JSON lines when `LOG_FORMAT=json`.
//!
//! lapin logs every I/O failure at error level, once per reconnect attempt, repeating
//! what the consumer already reports once; so its logs are off unless `RUST_LOG`
//! names it (`RUST_LOG=info,lapin=debug`).

use crate::{
    config::{LogFormat, Settings},
    error::Error,
};
use tracing_subscriber::{EnvFilter, filter::ParseError};

const LAPIN_OFF: &str = "lapin=off";

/// Installs the global log subscriber described by the settings.
///
/// # Errors
/// An invalid filter, or a subscriber already installed.
pub fn init(settings: &Settings) -> Result<(), Error> {
    let mut filter = EnvFilter::try_new(&settings.log_filter)
        .map_err(|e| Error::config("RUST_LOG", e.to_string()))?;
    if !settings.log_filter.contains("lapin") {
        filter = filter.add_directive(
            LAPIN_OFF
                .parse()
                .map_err(|e: ParseError| Error::config("RUST_LOG", e.to_string()))?,
        );
    }
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let installed = match settings.log_format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
        LogFormat::Text => builder.try_init(),
    };
    installed.map_err(|e| Error::Telemetry(e.to_string()))
}
