//! E-mail: [`Mailer`] sends an [`Email`] over SMTP (lettre's tokio transport, TLS through
//! rustls) or writes it as an `.eml` file (the default for development and tests).
//!
//! Every message carries a `Message-ID` derived from the job that sent it
//! (`<job-uuid@asyncstand>`), so a job that runs again after a crash sends the same
//! message again, not a new one: the file mailer overwrites its file (`{job-uuid}.eml`,
//! written to a temporary file and renamed, so a reader never sees half a message), and
//! mail clients collapse SMTP duplicates by their `Message-ID`.

use crate::error::Error;
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Mailbox, MultiPart,
        header::{HeaderName, HeaderValue},
    },
};
use secrecy::{ExposeSecret, SecretString};
use std::{
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};
use uuid::Uuid;

/// The domain part of every `Message-ID`.
const MESSAGE_ID_DOMAIN: &str = "asyncstand";
/// Temporary files older than this are leftovers of a killed process.
const STALE_TEMP_FILE: Duration = Duration::from_secs(600);

/// Where `MAIL_URL` says e-mail goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailUrl {
    /// `smtp://…` or `smtps://…`, handed to lettre as it is.
    Smtp,
    /// `file://DIR`: a directory, relative to the working directory unless absolute.
    File(PathBuf),
}

impl MailUrl {
    /// Checks a `MAIL_URL`.
    ///
    /// # Errors
    /// An unknown scheme or an unparsable SMTP URL; the message never repeats the URL,
    /// which may contain a password.
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        if let Some(path) = url.strip_prefix("file://") {
            if path.is_empty() {
                return Err("file:// needs a directory, e.g. file://var/mail".into());
            }
            return Ok(Self::File(PathBuf::from(path)));
        }
        if url.starts_with("smtp://") || url.starts_with("smtps://") {
            return match AsyncSmtpTransport::<Tokio1Executor>::from_url(url) {
                Ok(_) => Ok(Self::Smtp),
                Err(_) => Err(
                    "not a valid SMTP URL; expected smtp[s]://[user:password@]host[:port][?tls=required]"
                        .into(),
                ),
            };
        }
        Err("expected smtp://…, smtps://… or file://DIR".into())
    }
}

/// One e-mail to one person, sent on behalf of one job.
#[derive(Debug, Clone)]
pub struct Email {
    /// The job sending it: the source of the `Message-ID` and of the file name.
    pub job_id: Uuid,
    pub to: Mailbox,
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body (from a template, which escapes every value).
    pub html: String,
    /// The recipient's one-click unsubscribe URL: sent as RFC 8058 `List-Unsubscribe`
    /// with `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.
    pub unsubscribe: Option<String>,
}

impl Email {
    /// `<job-uuid@asyncstand>`.
    #[must_use]
    pub fn message_id(&self) -> String {
        message_id(self.job_id)
    }
}

/// The `Message-ID` of the e-mail sent by job `job_id`.
#[must_use]
pub fn message_id(job_id: Uuid) -> String {
    format!("<{job_id}@{MESSAGE_ID_DOMAIN}>")
}

/// Sends e-mail; cheap to clone (the SMTP transport pools its connections).
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(PathBuf),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the SMTP credentials.
        let transport = match &self.transport {
            Transport::Smtp(_) => "smtp".to_owned(),
            Transport::File(dir) => format!("file://{}", dir.display()),
        };
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("transport", &transport)
            .finish()
    }
}

impl Mailer {
    /// A mailer for `MAIL_URL` sending as `from`. The file mailer creates its directory
    /// (and removes temporary files a killed process left behind); the SMTP mailer does
    /// not connect until the first message.
    ///
    /// # Errors
    /// An invalid URL or sender, or a mail directory that cannot be created.
    pub fn new(url: &SecretString, from: &str) -> Result<Self, Error> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| Error::config("MAIL_FROM", format!("'{from}' is not a mailbox: {e}")))?;
        let url = url.expose_secret().trim();
        let transport = match MailUrl::parse(url).map_err(|r| Error::config("MAIL_URL", r))? {
            MailUrl::Smtp => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|_| Error::config("MAIL_URL", "not a valid SMTP URL"))?
                    .build(),
            ),
            MailUrl::File(dir) => {
                std::fs::create_dir_all(&dir).map_err(|source| Error::MailDir {
                    dir: dir.clone(),
                    source,
                })?;
                remove_stale_temp_files(&dir);
                Transport::File(dir)
            }
        };
        Ok(Self { from, transport })
    }

    /// The directory of the file mailer (`None` for SMTP).
    #[must_use]
    pub fn directory(&self) -> Option<&Path> {
        match &self.transport {
            Transport::File(dir) => Some(dir),
            Transport::Smtp(_) => None,
        }
    }

    /// Sends `email` as a multipart/alternative (plain text and HTML) message.
    ///
    /// # Errors
    /// The message cannot be built (a bad address), or the SMTP server or the file
    /// system refuses it.
    pub async fn send(&self, email: &Email) -> Result<(), Error> {
        let message = self.build(email)?;
        match &self.transport {
            Transport::Smtp(transport) => {
                transport
                    .send(message)
                    .await
                    .map_err(|e| Error::Mail(format!("SMTP: {e}")))?;
            }
            Transport::File(dir) => {
                let dir = dir.clone();
                let job_id = email.job_id;
                let bytes = message.formatted();
                tokio::task::spawn_blocking(move || write_atomically(&dir, job_id, &bytes))
                    .await
                    .map_err(|e| Error::Mail(format!("file mailer task failed: {e}")))?
                    .map_err(|e| Error::Mail(format!("cannot write the .eml file: {e}")))?;
            }
        }
        Ok(())
    }

    /// Sends every e-mail of `emails` (a batch of jobs): the file mailer writes them all
    /// in one blocking task, SMTP sends them concurrently over its connection pool.
    ///
    /// # Errors
    /// The first failure; the others may or may not have been sent (each is the same
    /// message again when its job runs again, see the module documentation).
    pub async fn send_all(&self, emails: &[Email]) -> Result<(), Error> {
        match &self.transport {
            Transport::Smtp(_) => {
                futures_util::future::try_join_all(emails.iter().map(|email| self.send(email)))
                    .await?;
            }
            Transport::File(dir) => {
                let files = emails
                    .iter()
                    .map(|email| Ok((email.job_id, self.build(email)?.formatted())))
                    .collect::<Result<Vec<_>, Error>>()?;
                let dir = dir.clone();
                tokio::task::spawn_blocking(move || {
                    files
                        .iter()
                        .try_for_each(|(job_id, bytes)| write_atomically(&dir, *job_id, bytes))
                })
                .await
                .map_err(|e| Error::Mail(format!("file mailer task failed: {e}")))?
                .map_err(|e| Error::Mail(format!("cannot write the .eml file: {e}")))?;
            }
        }
        Ok(())
    }

    /// The multipart/alternative (plain text and HTML) message for `email`.
    fn build(&self, email: &Email) -> Result<Message, Error> {
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(email.to.clone())
            .subject(email.subject.as_str())
            .message_id(Some(email.message_id()));
        if let Some(url) = &email.unsubscribe {
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        builder
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))
            .map_err(|e| Error::Mail(format!("cannot build the message: {e}")))
    }
}

/// Writes `{dir}/{job_id}.eml` through a temporary file in the same directory and a
/// rename, so the file is always complete and a second write replaces the first.
fn write_atomically(dir: &Path, job_id: Uuid, bytes: &[u8]) -> std::io::Result<()> {
    let temp = dir.join(format!(".{job_id}.{}.tmp", Uuid::new_v4().simple()));
    let result = std::fs::write(&temp, bytes)
        .and_then(|()| std::fs::rename(&temp, dir.join(format!("{job_id}.eml"))));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Removes `.*.tmp` files older than [`STALE_TEMP_FILE`] (a process killed mid-write
/// leaves one behind); younger ones may belong to another worker writing right now.
fn remove_stale_temp_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with('.') && name.ends_with(".tmp")) {
            continue;
        }
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
            .is_some_and(|age| age > STALE_TEMP_FILE);
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn mail_urls() {
        assert_eq!(
            MailUrl::parse("file://var/mail").unwrap(),
            MailUrl::File("var/mail".into())
        );
        assert_eq!(
            MailUrl::parse("file:///tmp/mail").unwrap(),
            MailUrl::File("/tmp/mail".into())
        );
        assert_eq!(
            MailUrl::parse("smtp://u:p@localhost:2525").unwrap(),
            MailUrl::Smtp
        );
        assert_eq!(
            MailUrl::parse("smtps://mail.example.com").unwrap(),
            MailUrl::Smtp
        );
        assert_eq!(
            MailUrl::parse("smtp://mail.example.com:587?tls=required").unwrap(),
            MailUrl::Smtp
        );
        for bad in [
            "",
            "file://",
            "http://x",
            "smtp://",
            "smtp://u:secret@h:port",
        ] {
            let err = MailUrl::parse(bad).unwrap_err();
            assert!(!err.contains("secret"), "{err}");
        }
    }

    #[tokio::test]
    async fn the_file_mailer_writes_one_file_per_job_and_replaces_it() {
        let dir = std::env::temp_dir().join(format!("asyncstand-mail-{}", Uuid::new_v4()));
        let url = SecretString::from(format!("file://{}", dir.display()));
        let mailer = Mailer::new(&url, "AsyncStand <no-reply@localhost>").unwrap();
        let mut email = Email {
            job_id: Uuid::new_v4(),
            to: "Ada <ada@example.com>".parse().unwrap(),
            subject: "Hello".into(),
            text: "first".into(),
            html: "<p>first</p>".into(),
            unsubscribe: Some("https://s.example/unsubscribe/abc".into()),
        };
        mailer.send(&email).await.unwrap();
        email.text = "second".into();
        email.html = "<p>second</p>".into();
        mailer.send(&email).await.unwrap();

        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, [format!("{}.eml", email.job_id)]);
        let eml = std::fs::read_to_string(dir.join(&names[0])).unwrap();
        assert!(eml.contains(&format!("Message-ID: <{}@asyncstand>", email.job_id)));
        assert!(eml.contains("To: Ada <ada@example.com>"));
        assert!(eml.contains("multipart/alternative"));
        assert!(eml.contains("List-Unsubscribe: <https://s.example/unsubscribe/abc>"));
        assert!(eml.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(eml.contains("text/plain") && eml.contains("text/html"));
        assert!(eml.contains("second") && !eml.contains("first"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
