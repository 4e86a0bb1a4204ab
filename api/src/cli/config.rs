//! Where the CLI keeps the server URL and the API token:
//! `$XDG_CONFIG_HOME/asyncstand/config.toml`, else `~/.config/asyncstand/config.toml`,
//! readable by its owner only (mode 0600).

use super::CliError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// The server's base URL, e.g. `https://standups.example.com`.
    pub url: String,
    /// The personal API token (`ast_…`).
    pub token: String,
}

/// The config file's path from the environment.
pub fn path() -> Result<PathBuf, CliError> {
    let base = match std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
            Some(home) => PathBuf::from(home).join(".config"),
            None => {
                return Err(CliError::Input(
                    "no config directory: set XDG_CONFIG_HOME or HOME".into(),
                ));
            }
        },
    };
    Ok(base.join("asyncstand").join("config.toml"))
}

pub fn load(path: &Path) -> Result<Config, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            CliError::Auth("not signed in: run `asyncstand auth <token>` first".into())
        } else {
            CliError::Input(format!("cannot read {}: {e}", path.display()))
        }
    })?;
    toml::from_str(&text).map_err(|e| CliError::Input(format!("{}: {e}", path.display())))
}

/// Writes `config` to `path` (creating its directory), mode 0600 from the start.
pub fn save(path: &Path, config: &Config) -> Result<(), CliError> {
    let io = |e: std::io::Error| CliError::Input(format!("cannot write {}: {e}", path.display()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let text = toml::to_string(config).map_err(|e| CliError::Input(e.to_string()))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options.open(path).map_err(io)?;
        // An existing file keeps its mode on open: tighten it too.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(io)?;
        write_all(file, &text).map_err(io)
    }
    #[cfg(not(unix))]
    {
        write_all(options.open(path).map_err(io)?, &text).map_err(io)
    }
}

fn write_all(mut file: std::fs::File, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}
