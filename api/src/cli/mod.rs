//! The `asyncstand` command line (binary `api/src/bin/asyncstand.rs`): a client of the
//! GraphQL API built on the typed operations of `schema::ops`, authenticated with a
//! personal API token stored in the user's config directory.

pub mod answers_file;
pub mod client;
pub mod config;

/// What went wrong, as one line for the terminal, and the process exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The server could not be reached (exit 3).
    #[error("cannot reach {url}: {reason}")]
    Network { url: String, reason: String },
    /// The token is missing, unknown, revoked or expired (exit 4).
    #[error("{0}")]
    Auth(String),
    /// The API refused the request (exit 1).
    #[error("{0}")]
    Api(String),
    /// Bad local input: a file, an argument, the config (exit 2).
    #[error("{0}")]
    Input(String),
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Api(_) => 1,
            CliError::Input(_) => 2,
            CliError::Network { .. } => 3,
            CliError::Auth(_) => 4,
        }
    }
}
