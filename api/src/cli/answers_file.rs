//! `asyncstand answer --from answers.yaml`: a YAML mapping from a question (its prompt,
//! ignoring case and surrounding space, or its id) to the answer.
//!
//! ```yaml
//! What did you do yesterday?: Shipped the export
//! "What will you do today?": |
//!   Review the CLI
//!   Write the docs
//! Blockers: none
//! ```
//!
//! The subset read: one `key: value` per line, keys and values plain or quoted ("…" with
//! JSON escapes, '…' with '' for a quote), `|` block scalars (the indented lines below,
//! newlines kept), `#` comment lines and blank lines.

use super::CliError;

/// The file's `(key, answer)` pairs, in order.
pub fn parse(text: &str) -> Result<Vec<(String, String)>, CliError> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let n = i + 1;
        i += 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed == "---" {
            continue;
        }
        if line.starts_with(char::is_whitespace) {
            return Err(bad(n, "unexpected indentation"));
        }
        let (key, rest) = split_key(line).ok_or_else(|| bad(n, "expected `question: answer`"))?;
        let rest = rest.trim();
        let value = if rest == "|" || rest == "|-" {
            let mut block = Vec::new();
            while i < lines.len()
                && (lines[i].trim().is_empty() || lines[i].starts_with(char::is_whitespace))
            {
                block.push(lines[i]);
                i += 1;
            }
            while block.last().is_some_and(|l| l.trim().is_empty()) {
                block.pop();
            }
            let indent = block
                .iter()
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.len() - l.trim_start().len())
                .min()
                .unwrap_or(0);
            block
                .iter()
                .map(|l| l.get(indent..).unwrap_or("").trim_end())
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            scalar(rest).ok_or_else(|| bad(n, "unterminated quoted answer"))?
        };
        out.push((key, value));
    }
    if out.is_empty() {
        return Err(CliError::Input("the answers file has no answers".into()));
    }
    Ok(out)
}

fn bad(line: usize, what: &str) -> CliError {
    CliError::Input(format!("answers file line {line}: {what}"))
}

/// The key (unquoted) and what follows its `:`.
fn split_key(line: &str) -> Option<(String, &str)> {
    let first = line.chars().next()?;
    if first == '"' || first == '\'' {
        let (key, used) = quoted(line)?;
        let rest = line[used..].trim_start().strip_prefix(':')?;
        return Some((key, rest));
    }
    // A plain key ends at the first ": " (or a ':' ending the line).
    let at = line
        .find(": ")
        .or_else(|| line.strip_suffix(':').map(str::len))?;
    Some((line[..at].trim().to_string(), &line[at + 1..]))
}

/// A quoted string at the start of `text` and the bytes it used.
fn quoted(text: &str) -> Option<(String, usize)> {
    if text.starts_with('"') {
        let mut escaped = false;
        for (i, c) in text.char_indices().skip(1) {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => {
                    let value: String = serde_json::from_str(&text[..=i]).ok()?;
                    return Some((value, i + 1));
                }
                _ => {}
            }
        }
        None
    } else {
        let body = &text[1..];
        let mut value = String::new();
        let mut chars = body.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '\'' {
                if chars.peek().is_some_and(|(_, next)| *next == '\'') {
                    chars.next();
                    value.push('\'');
                } else {
                    return Some((value, i + 2));
                }
            } else {
                value.push(c);
            }
        }
        None
    }
}

/// A value: quoted, or plain up to a ` #` comment.
fn scalar(text: &str) -> Option<String> {
    if text.starts_with('"') || text.starts_with('\'') {
        return quoted(text).map(|(value, _)| value);
    }
    let plain = text.split(" #").next().unwrap_or("");
    Some(plain.trim().to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn plain_quoted_and_block_answers() {
        let text = "# my day\nWhat did you do yesterday?: Shipped the export  # done\n\"What will you do today?\": |\n  Review the CLI\n    indented\n  Write: the docs\n\n'It''s blocked?': 'none'\nq-id-1: \"a \\\"quote\\\"\"\n";
        let pairs = parse(text).unwrap();
        assert_eq!(
            pairs,
            vec![
                (
                    "What did you do yesterday?".into(),
                    "Shipped the export".into()
                ),
                (
                    "What will you do today?".into(),
                    "Review the CLI\n  indented\nWrite: the docs".into()
                ),
                ("It's blocked?".into(), "none".into()),
                ("q-id-1".into(), "a \"quote\"".into()),
            ]
        );
    }

    #[test]
    fn malformed_files_name_the_line() {
        assert!(parse("").unwrap_err().to_string().contains("no answers"));
        assert!(
            parse("no colon here")
                .unwrap_err()
                .to_string()
                .contains("line 1")
        );
        assert!(
            parse("a: b\n  stray")
                .unwrap_err()
                .to_string()
                .contains("line 2")
        );
        assert!(
            parse("a: \"open")
                .unwrap_err()
                .to_string()
                .contains("unterminated")
        );
    }
}
