//! Log set-up: an `EnvFilter` from `RUST_LOG`, JSON lines when `LOG_FORMAT=json`.

use crate::{
    config::{LogFormat, Settings},
    error::Error,
};
use tracing_subscriber::EnvFilter;

/// Installs the global log subscriber described by the settings.
///
/// # Errors
/// An invalid filter, or a subscriber already installed.
pub fn init(settings: &Settings) -> Result<(), Error> {
    let filter = EnvFilter::try_new(&settings.log_filter)
        .map_err(|e| Error::config("RUST_LOG", e.to_string()))?;
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
