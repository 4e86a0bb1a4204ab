//! Secrets at rest: values such as webhook signing secrets are stored sealed with
//! AES-256-GCM under a key from the environment (`SECRETS_KEY`), so a copy of the
//! database (a backup, a replica, a stolen dump) does not give them away.
//!
//! A sealed value is text: `v1:` and the standard base64 of a random 96-bit nonce followed
//! by the ciphertext and its 128-bit tag. The caller passes a *context* (for example the
//! id of the row the secret belongs to) that is authenticated with it, so a sealed value
//! copied onto another row does not open there.
//!
//! Changing the key: start every process with the new key in `SECRETS_KEY` and the old
//! one in `SECRETS_KEY_PREVIOUS`; values open under either, and new ones are sealed
//! under the new key. Once every value has been sealed again (rotating a webhook secret
//! does that), drop `SECRETS_KEY_PREVIOUS`.
//!
//! Behind the `secrets` feature: server side only.

use std::fmt;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};

/// Every sealed value starts with this.
pub const SEALED_PREFIX: &str = "v1:";

/// Key length in bytes (AES-256).
pub const KEY_LEN: usize = 32;

/// What went wrong with a key or a sealed value. Never carries the secret itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretError {
    /// The key is not standard base64 of exactly [`KEY_LEN`] bytes.
    BadKey(String),
    /// The dev key file could not be read or written.
    KeyFile(String),
    /// The value is not `v1:` and base64 long enough to hold a nonce and a tag.
    Malformed,
    /// No configured key opens the value under this context: a wrong or missing key, a
    /// value moved to another row, or a value that was tampered with.
    Unopenable,
    /// The plaintext is too long to seal (gigabytes; never for a real secret).
    TooLong,
}

impl fmt::Display for SecretError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadKey(why) => write!(
                f,
                "{why}; generate a key with `openssl rand -base64 32`"
            ),
            Self::KeyFile(why) => f.write_str(why),
            Self::Malformed => f.write_str("the sealed secret is malformed"),
            Self::Unopenable => f.write_str(
                "no configured key opens the sealed secret (is SECRETS_KEY the one it was sealed with?)",
            ),
            Self::TooLong => f.write_str("the secret is too long to seal"),
        }
    }
}

impl std::error::Error for SecretError {}

/// Where the key came from, so the caller can warn about a development key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOrigin {
    /// `SECRETS_KEY`.
    Environment,
    /// The development key file, which already existed.
    DevFile,
    /// The development key file, generated just now.
    GeneratedDevFile,
}

/// Seals and opens secrets: one key to seal with, and older keys that may still open.
pub struct SecretBox {
    keys: Vec<LessSafeKey>,
}

impl fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretBox")
            .field("keys", &self.keys.len())
            .finish_non_exhaustive()
    }
}

impl SecretBox {
    /// A box sealing with `current` and opening with it or any of `previous`.
    #[must_use]
    pub fn new(current: &[u8; KEY_LEN], previous: &[[u8; KEY_LEN]]) -> Self {
        let keys = std::iter::once(current)
            .chain(previous)
            .filter_map(|key| UnboundKey::new(&AES_256_GCM, key).ok())
            .map(LessSafeKey::new)
            .collect();
        Self { keys }
    }

    /// The box from configuration: `key` (standard base64 of 32 bytes) when set,
    /// otherwise the key kept in `dev_file`, generated there the first time (for
    /// development without configuration). `previous` may open values only.
    ///
    /// # Errors
    /// [`SecretError::BadKey`] for a key that is not base64 of 32 bytes,
    /// [`SecretError::KeyFile`] when the development key file cannot be used.
    pub fn from_config(
        key: Option<&str>,
        previous: Option<&str>,
        dev_file: &Path,
    ) -> Result<(Self, KeyOrigin), SecretError> {
        let previous = previous
            .map(|text| {
                parse_key(text).map_err(|e| match e {
                    SecretError::BadKey(why) => {
                        SecretError::BadKey(format!("SECRETS_KEY_PREVIOUS: {why}"))
                    }
                    other => other,
                })
            })
            .transpose()?;
        let previous: Vec<[u8; KEY_LEN]> = previous.into_iter().collect();
        if let Some(text) = key {
            let current = parse_key(text)?;
            return Ok((Self::new(&current, &previous), KeyOrigin::Environment));
        }
        let (kept, created) = read_or_create(dev_file, generate_key).map_err(|e| {
            SecretError::KeyFile(format!(
                "SECRETS_KEY is unset, and {} cannot be written: {e}",
                dev_file.display()
            ))
        })?;
        let current = parse_key(&kept)
            .map_err(|e| SecretError::KeyFile(format!("{}: {e}", dev_file.display())))?;
        let origin = if created {
            KeyOrigin::GeneratedDevFile
        } else {
            KeyOrigin::DevFile
        };
        Ok((Self::new(&current, &previous), origin))
    }

    /// [`SecretBox::from_config`] for a process's settings (`SECRETS_KEY`,
    /// `SECRETS_KEY_PREVIOUS`, `SECRETS_KEY_FILE`), warning in the log when it falls back
    /// to the development key file. The api and the worker start through here.
    ///
    /// # Errors
    /// As [`SecretBox::from_config`].
    pub fn load(
        key: Option<&secrecy::SecretString>,
        previous: Option<&secrecy::SecretString>,
        dev_file: &Path,
    ) -> Result<Self, SecretError> {
        use secrecy::ExposeSecret;
        let (secrets, origin) = Self::from_config(
            key.map(ExposeSecret::expose_secret),
            previous.map(ExposeSecret::expose_secret),
            dev_file,
        )?;
        if origin != KeyOrigin::Environment {
            tracing::warn!(
                path = %dev_file.display(),
                "SECRETS_KEY is unset; using the development key file (set SECRETS_KEY in production, the same for every api and worker)"
            );
        }
        Ok(secrets)
    }

    /// Seals `plaintext`, binding it to `context`.
    ///
    /// # Errors
    /// [`SecretError::TooLong`] only for plaintexts of gigabytes.
    pub fn seal(&self, plaintext: &str, context: &[u8]) -> Result<String, SecretError> {
        let key = self.keys.first().ok_or(SecretError::Unopenable)?;
        let nonce_bytes: [u8; NONCE_LEN] = rand::random();
        let mut sealed = plaintext.as_bytes().to_vec();
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce_bytes),
            Aad::from(context),
            &mut sealed,
        )
        .map_err(|_| SecretError::TooLong)?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&sealed);
        Ok(format!("{SEALED_PREFIX}{}", STANDARD.encode(out)))
    }

    /// Opens a value sealed under `context` by any configured key.
    ///
    /// # Errors
    /// [`SecretError::Malformed`] when it is not a sealed value,
    /// [`SecretError::Unopenable`] when no key opens it under this context.
    pub fn open(&self, sealed: &str, context: &[u8]) -> Result<String, SecretError> {
        let encoded = sealed
            .strip_prefix(SEALED_PREFIX)
            .ok_or(SecretError::Malformed)?;
        let bytes = STANDARD
            .decode(encoded)
            .map_err(|_| SecretError::Malformed)?;
        if bytes.len() < NONCE_LEN + AES_256_GCM.tag_len() {
            return Err(SecretError::Malformed);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        for key in &self.keys {
            let nonce =
                Nonce::try_assume_unique_for_key(nonce).map_err(|_| SecretError::Malformed)?;
            let mut buffer = ciphertext.to_vec();
            if let Ok(plain) = key.open_in_place(nonce, Aad::from(context), &mut buffer) {
                return String::from_utf8(plain.to_vec()).map_err(|_| SecretError::Malformed);
            }
        }
        Err(SecretError::Unopenable)
    }
}

/// Whether `value` is a sealed value (rather than a secret stored in the clear by an
/// older version).
#[must_use]
pub fn is_sealed(value: &str) -> bool {
    value.starts_with(SEALED_PREFIX)
}

/// A new random key as standard base64 (what `SECRETS_KEY` takes).
#[must_use]
pub fn generate_key() -> String {
    STANDARD.encode(rand::random::<[u8; KEY_LEN]>())
}

/// Parses a key: standard base64 of exactly [`KEY_LEN`] bytes, surrounding whitespace
/// ignored.
///
/// # Errors
/// [`SecretError::BadKey`] saying what is wrong (never the key).
pub fn parse_key(text: &str) -> Result<[u8; KEY_LEN], SecretError> {
    let bytes = STANDARD
        .decode(text.trim())
        .map_err(|_| SecretError::BadKey("SECRETS_KEY must be standard base64".into()))?;
    <[u8; KEY_LEN]>::try_from(bytes.as_slice()).map_err(|_| {
        SecretError::BadKey(format!(
            "SECRETS_KEY must decode to {KEY_LEN} bytes, not {}",
            bytes.len()
        ))
    })
}

/// What the file at `path` holds and `false`; when there is no such file, writes
/// `generate()` there (readable by the owner only, its folder created) and returns it and
/// `true`. For development secrets kept in files.
///
/// Written aside, then linked into place: the link fails when another process (an api and
/// a worker started together) got there first, and then both use that one's text. Nobody
/// reads a half-written file.
///
/// # Errors
/// The file exists and cannot be read, or cannot be written.
pub fn read_or_create(
    path: &Path,
    generate: impl FnOnce() -> String,
) -> std::io::Result<(String, bool)> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        return Ok((existing, false));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let text = generate();
    let aside = path.with_extension(format!(
        "tmp.{}.{:016x}",
        std::process::id(),
        rand::random::<u64>()
    ));
    write_private(&aside, &text)?;
    let linked = std::fs::hard_link(&aside, path);
    let _ = std::fs::remove_file(&aside);
    match linked {
        Ok(()) => Ok((text, true)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Ok((std::fs::read_to_string(path)?, false))
        }
        Err(e) => Err(e),
    }
}

/// Writes `text` readable by the owner only (on Unix).
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxed(key: u8) -> SecretBox {
        SecretBox::new(&[key; KEY_LEN], &[])
    }

    #[test]
    fn a_sealed_secret_opens_under_its_context_only() {
        let b = boxed(1);
        let sealed = b.seal("whsec_abc", b"config-1").unwrap();
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains("whsec_abc"));
        assert_eq!(b.open(&sealed, b"config-1").unwrap(), "whsec_abc");
        assert_eq!(b.open(&sealed, b"config-2"), Err(SecretError::Unopenable));
    }

    #[test]
    fn sealing_twice_gives_different_text() {
        let b = boxed(1);
        assert_ne!(b.seal("s", b"c").unwrap(), b.seal("s", b"c").unwrap());
    }

    #[test]
    fn another_key_cannot_open_and_tampering_is_detected() {
        let sealed = boxed(1).seal("secret", b"c").unwrap();
        assert_eq!(boxed(2).open(&sealed, b"c"), Err(SecretError::Unopenable));
        let mut bytes = STANDARD.decode(&sealed[SEALED_PREFIX.len()..]).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let tampered = format!("{SEALED_PREFIX}{}", STANDARD.encode(bytes));
        assert_eq!(boxed(1).open(&tampered, b"c"), Err(SecretError::Unopenable));
        assert_eq!(
            boxed(1).open("whsec_plain", b"c"),
            Err(SecretError::Malformed)
        );
        assert_eq!(boxed(1).open("v1:AAAA", b"c"), Err(SecretError::Malformed));
    }

    #[test]
    fn the_previous_key_still_opens_while_new_values_use_the_current_one() {
        let old = boxed(1).seal("old", b"c").unwrap();
        let rotated = SecretBox::new(&[2; KEY_LEN], &[[1; KEY_LEN]]);
        assert_eq!(rotated.open(&old, b"c").unwrap(), "old");
        let new = rotated.seal("new", b"c").unwrap();
        assert_eq!(boxed(2).open(&new, b"c").unwrap(), "new");
        assert_eq!(boxed(1).open(&new, b"c"), Err(SecretError::Unopenable));
    }

    #[test]
    fn keys_must_be_base64_of_32_bytes() {
        assert!(parse_key(&generate_key()).is_ok());
        assert!(matches!(
            parse_key("not base64!"),
            Err(SecretError::BadKey(_))
        ));
        let short = STANDARD.encode([0u8; 16]);
        let err = parse_key(&short).unwrap_err();
        assert!(err.to_string().contains("32 bytes, not 16"), "{err}");
    }

    #[test]
    fn processes_starting_together_agree_on_one_development_key() {
        let dir =
            std::env::temp_dir().join(format!("asyncstand-secrets-{}", rand::random::<u64>()));
        let file = dir.join("secrets_key");
        let boxes: Vec<SecretBox> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| SecretBox::from_config(None, None, &file).unwrap().0))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let sealed = boxes[0].seal("s", b"c").unwrap();
        for b in &boxes {
            assert_eq!(b.open(&sealed, b"c").unwrap(), "s");
        }
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            1,
            "temporary files left"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn without_a_key_a_development_key_is_generated_once_and_reused() {
        let dir =
            std::env::temp_dir().join(format!("asyncstand-secrets-{}", rand::random::<u64>()));
        let file = dir.join("secrets_key");
        let (first, origin) = SecretBox::from_config(None, None, &file).unwrap();
        assert_eq!(origin, KeyOrigin::GeneratedDevFile);
        let sealed = first.seal("s", b"c").unwrap();
        let (second, origin) = SecretBox::from_config(None, None, &file).unwrap();
        assert_eq!(origin, KeyOrigin::DevFile);
        assert_eq!(second.open(&sealed, b"c").unwrap(), "s");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "the key file is readable by others");
        }
        let (env, origin) = SecretBox::from_config(Some(&generate_key()), None, &file).unwrap();
        assert_eq!(origin, KeyOrigin::Environment);
        assert_eq!(env.open(&sealed, b"c"), Err(SecretError::Unopenable));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
