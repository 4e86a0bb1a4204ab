//! `asyncstand`: AsyncStand from the terminal, with a personal API token.
//!
//! ```text
//! asyncstand auth ast_… --url https://standups.example.com
//! asyncstand standups
//! asyncstand answer <standup-id> [--from answers.yaml]
//! asyncstand export --team <team-id> --from 2026-11-01 --to 2026-11-30 --format csv
//! asyncstand blockers --team <team-id> [--status open|resolved]
//! ```
//!
//! Errors are one line on stderr; the exit code says which kind (1 the server refused,
//! 2 bad input, 3 no network, 4 the token).

use api::cli::client::Client;
use api::cli::{CliError, answers_file, config};
use clap::{Parser, Subcommand, ValueEnum};
use schema::enums::StandupState;
use schema::json::FromJson;
use schema::ops::{
    AnswerInput, MyStandupsQuery, MyStandupsVariables, NoVariables, Operation, StandupQuery,
    StandupVariables, SubmitAnswers, SubmitAnswersInput, SubmitAnswersVariables, ViewerQuery,
};
use std::io::{BufRead, Write};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "asyncstand",
    version,
    about = "AsyncStand from the terminal: your open standups, answers, blockers and exports",
    long_about = "AsyncStand from the terminal. Create a personal API token on your account page, then run `asyncstand auth <token> --url <server>` once."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Checks a personal API token and stores it with the server URL in your config
    /// directory (readable by you only)
    Auth {
        /// The token (`ast_…`) from your account page
        token: String,
        /// The AsyncStand server
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
    },
    /// Lists the open standups you are asked in
    Standups,
    /// Answers a standup: asks each question here, or reads the answers from a YAML file
    Answer {
        /// The standup's id (see `asyncstand standups`)
        standup_id: String,
        /// A YAML file mapping each question (its prompt or id) to your answer; a mood
        /// question's answer starts with 1 (awful) to 5 (great), then an optional comment
        #[arg(long = "from", value_name = "FILE")]
        from: Option<PathBuf>,
    },
    /// Streams answers to stdout as CSV or JSON Lines
    Export {
        /// Only this team's answers (its id)
        #[arg(long)]
        team: Option<String>,
        /// First day, YYYY-MM-DD
        #[arg(long)]
        from: Option<String>,
        /// Last day, YYYY-MM-DD
        #[arg(long)]
        to: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
    },
    /// Lists a team's blockers, oldest first (open ones unless --status says otherwise)
    Blockers {
        /// The team (its id, as `standups` and the web show it)
        #[arg(long)]
        team: String,
        #[arg(long, value_enum, default_value_t = BlockerStatus::Open)]
        status: BlockerStatus,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Csv,
    Jsonl,
}

#[derive(Clone, Copy, ValueEnum)]
enum BlockerStatus {
    Open,
    Resolved,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli.command).await {
        eprintln!("asyncstand: {e}");
        std::process::exit(e.exit_code());
    }
}

fn stored_client() -> Result<Client, CliError> {
    let stored = config::load(&config::path()?)?;
    Client::new(&stored.url, &stored.token)
}

async fn run(command: Command) -> Result<(), CliError> {
    match command {
        Command::Auth { token, url } => auth(&token, &url).await,
        Command::Standups => standups(&stored_client()?).await,
        Command::Answer { standup_id, from } => answer(&stored_client()?, &standup_id, from).await,
        Command::Export {
            team,
            from,
            to,
            format,
        } => export(&stored_client()?, team, from, to, format).await,
        Command::Blockers { team, status } => blockers(&stored_client()?, team, status).await,
    }
}

async fn auth(token: &str, url: &str) -> Result<(), CliError> {
    if !token.trim().starts_with("ast_") {
        return Err(CliError::Input(
            "that is not an API token (they start with ast_); create one on your account page"
                .into(),
        ));
    }
    let client = Client::new(url, token)?;
    let viewer = client
        .run::<ViewerQuery>(&NoVariables {})
        .await?
        .viewer
        .ok_or_else(|| CliError::Auth(api::cli::client::BAD_TOKEN.into()))?;
    let path = config::path()?;
    config::save(
        &path,
        &config::Config {
            url: client.url().to_string(),
            token: token.trim().to_string(),
        },
    )?;
    println!(
        "Signed in as {} <{}> in {}; saved to {}",
        viewer.user.name,
        viewer.user.email,
        viewer.organization.name,
        path.display()
    );
    Ok(())
}

fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

async fn standups(client: &Client) -> Result<(), CliError> {
    let data = client
        .run::<MyStandupsQuery>(&MyStandupsVariables {
            state: Some(StandupState::Open),
        })
        .await?;
    if data.my_standups.is_empty() {
        println!("No open standups.");
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    for s in data.my_standups {
        let mine = s
            .my_participation
            .map_or("not asked", |p| match p.state.as_str() {
                "PENDING" => "to answer",
                "ANSWERED" => "answered",
                "SKIPPED" => "skipped",
                _ => "out of office",
            });
        let _ = writeln!(
            out,
            "{}  {} · {}  closes {}  {mine}",
            s.id,
            s.team.name,
            s.name,
            when(s.closes_at)
        );
    }
    Ok(())
}

async fn answer(client: &Client, id: &str, from: Option<PathBuf>) -> Result<(), CliError> {
    let standup = client
        .run::<StandupQuery>(&StandupVariables { id: id.to_string() })
        .await?
        .standup
        .ok_or_else(|| CliError::Api(format!("standup {id} not found")))?;
    let answers = match from {
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| CliError::Input(format!("cannot read {}: {e}", path.display())))?;
            let pairs = answers_file::parse(&text)?;
            let mut answers = Vec::new();
            for (key, text) in pairs {
                let wanted = key.trim().to_lowercase();
                let question = standup
                    .questions
                    .iter()
                    .find(|q| q.id == key.trim() || q.prompt.trim().to_lowercase() == wanted)
                    .ok_or_else(|| {
                        CliError::Input(format!(
                            "{}: '{key}' is not a question of this standup",
                            path.display()
                        ))
                    })?;
                answers.push(answer_input(question, text)?);
            }
            answers
        }
        None => {
            if standup.state == StandupState::Closed {
                return Err(CliError::Api(format!(
                    "standup {id} closed at {}; answers are no longer accepted",
                    when(standup.closed_at.unwrap_or(standup.closes_at))
                )));
            }
            ask(&standup.questions)?
        }
    };
    let participation = client
        .run::<SubmitAnswers>(&SubmitAnswersVariables {
            input: SubmitAnswersInput {
                standup_id: standup.id.clone(),
                answers,
            },
        })
        .await?
        .submit_answers;
    println!(
        "Answered {} · {} ({} answers).",
        standup.team.name,
        standup.name,
        participation.answers.len()
    );
    Ok(())
}

/// Asks each question on the terminal; an answer ends at an empty line.
fn ask(questions: &[schema::ops::Question]) -> Result<Vec<AnswerInput>, CliError> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut answers = Vec::new();
    for q in questions {
        let optional = if q.required { "" } else { " (optional)" };
        eprintln!("{}{optional}  [end with an empty line]", q.prompt);
        let mut text = Vec::new();
        loop {
            eprint!("> ");
            let _ = std::io::stderr().flush();
            match lines.next() {
                Some(Ok(line)) if !line.trim().is_empty() => text.push(line),
                Some(Err(e)) => {
                    return Err(CliError::Input(format!("cannot read the answer: {e}")));
                }
                _ => break,
            }
        }
        if !text.is_empty() {
            answers.push(answer_input(q, text.join("\n"))?);
        }
    }
    Ok(answers)
}

/// One answer as typed: a MOOD question's starts with its mood, 1 to 5 ("4", "4 good
/// week", "4/5 good week"); the rest is its comment.
fn answer_input(question: &schema::ops::Question, text: String) -> Result<AnswerInput, CliError> {
    if question.kind != schema::enums::QuestionKind::Mood {
        return Ok(AnswerInput {
            question_id: question.id.clone(),
            text,
            mood: None,
        });
    }
    let trimmed = text.trim();
    let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
    let mood = trimmed[..digits]
        .parse::<i32>()
        .ok()
        .filter(|m| (1..=5).contains(m))
        .ok_or_else(|| {
            CliError::Input(format!(
                "\u{201c}{}\u{201d}: start the answer with a mood from 1 (awful) to 5 (great)",
                question.prompt
            ))
        })?;
    let rest = trimmed[digits..].trim_start();
    let comment = rest.strip_prefix("/5").unwrap_or(rest).trim();
    Ok(AnswerInput {
        question_id: question.id.clone(),
        text: comment.to_owned(),
        mood: Some(mood),
    })
}

async fn export(
    client: &Client,
    team: Option<String>,
    from: Option<String>,
    to: Option<String>,
    format: Format,
) -> Result<(), CliError> {
    let path = match format {
        Format::Csv => "/exports/answers.csv",
        Format::Jsonl => "/exports/answers.jsonl",
    };
    let mut query = Vec::new();
    for (name, value) in [("teamId", &team), ("from", &from), ("to", &to)] {
        if let Some(value) = value {
            query.push((name, value.as_str()));
        }
    }
    let mut response = client.get(path, &query).await?;
    let mut out = std::io::stdout().lock();
    while let Some(chunk) = response.chunk().await.map_err(|e| CliError::Network {
        url: client.url().to_string(),
        reason: format!("the export broke off: {e}"),
    })? {
        if let Err(e) = out.write_all(&chunk) {
            // A closed pipe (`| head`) ends the export quietly.
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return Ok(());
            }
            return Err(CliError::Input(format!("cannot write the export: {e}")));
        }
    }
    let _ = out.flush();
    Ok(())
}

/// `blockers(teamId, status, first)`; its shape is read loosely (the list of blockers).
enum Blockers {}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct BlockersVariables {
    team_id: String,
    status: &'static str,
    first: i32,
}

impl Operation for Blockers {
    const NAME: &'static str = "Blockers";
    const QUERY: &'static str = "query Blockers($teamId: ID!, $status: BlockerStatus, $first: Int) { blockers(teamId: $teamId, status: $status, first: $first) { nodes { id text status openedAt owner { name } team { name } } } }";
    type Variables = BlockersVariables;
    type Data = serde_json::Value;
}

async fn blockers(client: &Client, team: String, status: BlockerStatus) -> Result<(), CliError> {
    let data = client
        .run::<Blockers>(&BlockersVariables {
            team_id: team,
            status: match status {
                BlockerStatus::Open => "OPEN",
                BlockerStatus::Resolved => "RESOLVED",
            },
            first: 100,
        })
        .await?;
    let nodes = data["blockers"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if nodes.is_empty() {
        println!("No blockers.");
    }
    for b in nodes {
        let opened = String::from_json(b["openedAt"].clone()).unwrap_or_default();
        println!(
            "{}  {} · {}  since {}  {}",
            b["id"].as_str().unwrap_or(""),
            b["team"]["name"].as_str().unwrap_or(""),
            b["owner"]["name"].as_str().unwrap_or(""),
            opened.get(..10).unwrap_or(&opened),
            b["text"].as_str().unwrap_or("").replace('\n', " ")
        );
    }
    Ok(())
}
