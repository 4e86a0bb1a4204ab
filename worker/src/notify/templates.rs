//! The e-mails' bodies, from the templates in `worker/templates/mail/`: one template for
//! the text part and one for the HTML part of each e-mail. HTML templates escape every
//! value by default (askama, with [`Html`]: the digest's own escaping, configured in
//! `worker/askama.toml`); the text ones write values as they are. The only value let
//! through unescaped is the digest's HTML, which `schema::digest` renders and escapes.

use crate::error::Error;
use askama::Template;
use std::fmt;

/// The escaper of the HTML templates: [`schema::digest::escape_html`], so e-mails and
/// digests escape alike (`&`, `<`, `>`, `"`, `'`).
#[derive(Debug, Clone, Copy)]
pub struct Html;

impl askama::filters::Escaper for Html {
    fn write_escaped_str<W: fmt::Write>(&self, mut dest: W, string: &str) -> fmt::Result {
        dest.write_str(&schema::digest::escape_html(string))
    }
}

/// Both parts of an e-mail's body.
pub trait Mail {
    /// `(text, html)`.
    ///
    /// # Errors
    /// A template failed to render (a bug, not bad input).
    fn bodies(&self) -> Result<(String, String), Error>;
}

macro_rules! mail {
    ($data:ident, $text:ident => $text_path:literal, $html:ident => $html_path:literal) => {
        #[derive(Template)]
        #[template(path = $text_path)]
        struct $text<'a, 'b> {
            m: &'b $data<'a>,
        }

        #[derive(Template)]
        #[template(path = $html_path)]
        struct $html<'a, 'b> {
            m: &'b $data<'a>,
        }

        impl Mail for $data<'_> {
            fn bodies(&self) -> Result<(String, String), Error> {
                let failed = |e: askama::Error| Error::Mail(format!("e-mail template: {e}"));
                Ok((
                    $text { m: self }.render().map_err(failed)?,
                    $html { m: self }.render().map_err(failed)?,
                ))
            }
        }
    };
}

/// "Your standup is open": to each participant when a standup opens.
pub struct StandupOpen<'a> {
    pub person: &'a str,
    pub name: &'a str,
    pub team: &'a str,
    pub date: chrono::NaiveDate,
    pub closes: &'a str,
    /// The standup's page (needs a sign-in).
    pub link: &'a str,
    /// The person's one-click answer link (no sign-in).
    pub answer: &'a str,
    pub prompts: &'a [String],
}
mail!(StandupOpen, StandupOpenText => "mail/standup_open.txt", StandupOpenHtml => "mail/standup_open.html");

/// The reminder to participants who have not answered yet.
pub struct StandupReminder<'a> {
    pub person: &'a str,
    pub name: &'a str,
    pub team: &'a str,
    pub date: chrono::NaiveDate,
    pub closes: &'a str,
    /// The standup's page (needs a sign-in).
    pub link: &'a str,
    /// The person's one-click answer link (no sign-in).
    pub answer: &'a str,
}
mail!(StandupReminder, StandupReminderText => "mail/standup_reminder.txt", StandupReminderHtml => "mail/standup_reminder.html");

/// An invitation to join an organization.
pub struct Invitation<'a> {
    pub inviter: &'a str,
    pub org: &'a str,
    pub role: &'a str,
    pub link: &'a str,
}
mail!(Invitation, InvitationText => "mail/invitation.txt", InvitationHtml => "mail/invitation.html");

/// The single-use link to choose a new password.
pub struct PasswordReset<'a> {
    pub name: &'a str,
    pub link: &'a str,
}
mail!(PasswordReset, PasswordResetText => "mail/password_reset.txt", PasswordResetHtml => "mail/password_reset.html");

/// The welcome after sign-up.
pub struct Welcome<'a> {
    pub name: &'a str,
    pub organization: Option<&'a str>,
    pub link: &'a str,
}
mail!(Welcome, WelcomeText => "mail/welcome.txt", WelcomeHtml => "mail/welcome.html");

/// The digest's HTML (already rendered and escaped by `schema::digest`) in the e-mail
/// layout; the text part is the digest's text as it is.
#[derive(Template)]
#[template(path = "mail/digest.html")]
pub struct DigestHtml<'a> {
    m: DigestBody<'a>,
}

struct DigestBody<'a> {
    digest: &'a str,
}

impl<'a> DigestHtml<'a> {
    pub fn new(digest: &'a str) -> Self {
        Self {
            m: DigestBody { digest },
        }
    }

    /// # Errors
    /// The template failed to render (a bug).
    pub fn html(&self) -> Result<String, Error> {
        self.render()
            .map_err(|e| Error::Mail(format!("e-mail template: {e}")))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_every_value_and_text_keeps_them() {
        let prompts = ["<b>Done?</b>".to_owned()];
        let (text, html) = StandupOpen {
            person: "Tom & \"Jerry\"",
            name: "<script>x</script>",
            team: "R&D",
            date: chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            closes: "Mon 7 Dec 2026, 10:00 (UTC)",
            link: "https://s.example/standups/1?a=1&b='2'",
            answer: "https://s.example/answer/tok",
            prompts: &prompts,
        }
        .bodies()
        .unwrap();
        assert!(text.contains("Hello Tom & \"Jerry\","), "{text}");
        assert!(text.contains("- <b>Done?</b>\n"), "{text}");
        assert!(text.contains("https://s.example/standups/1?a=1&b='2'"));
        assert!(
            html.contains("Hello Tom &#38; &#34;Jerry&#34;,")
                || html.contains("Hello Tom &amp; &quot;Jerry&quot;,"),
            "{html}"
        );
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<b>Done?</b>"), "{html}");
        assert!(html.starts_with("<!doctype html>"), "{html}");
        assert!(html.contains("for 2026-12-07 is open"), "{html}");
    }

    #[test]
    fn the_digest_html_is_kept_as_rendered() {
        let html = DigestHtml::new("<h1>Daily</h1>").html().unwrap();
        assert!(html.contains("<h1>Daily</h1>"), "{html}");
        assert!(html.ends_with("</body></html>") || html.ends_with("</body></html>\n"));
    }

    #[test]
    fn the_welcome_names_the_organization_or_not() {
        let (text, html) = Welcome {
            name: "<Ada>",
            organization: Some("Acme & Co"),
            link: "https://s.example/",
        }
        .bodies()
        .unwrap();
        assert!(text.contains("Acme & Co is ready"), "{text}");
        assert!(!html.contains("<Ada>"), "{html}");
        let (text, _) = Welcome {
            name: "Ada",
            organization: None,
            link: "https://s.example/",
        }
        .bodies()
        .unwrap();
        assert!(text.contains("Your organization is ready"), "{text}");
    }
}
