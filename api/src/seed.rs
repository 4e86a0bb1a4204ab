//! `api seed` (`make seed`): realistic data at scale for insights, search and export, and
//! for their benchmarks. `SEED_TEAMS` teams of 10 people (default 20) in organizations of
//! 10 teams, plus one 50-person team ("Platform 50") in the first organization, each team
//! with one weekday standup config and `SEED_DAYS` calendar days (default 30) of closed
//! runs before today: answers, skips, misses, blockers and 1-5 moods.
//!
//! The rows are made by PostgreSQL ([`schema_server::db::seed`], set-based), one
//! organization per transaction with a progress line each, then `ANALYZE`. Every seeded
//! account has the password [`SEED_PASSWORD`] (hashed once).
//!
//! Re-running refuses while seeded organizations exist, unless `SEED_RESET=1`: then they
//! and every seeded account are deleted first (on a large seed, dropping the database is
//! much faster).

use crate::auth::password::PasswordHasher;
use anyhow::Context as _;
use chrono::Utc;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use schema::enums::QuestionKind;
use schema::ids::QuestionId;
use schema::standup::Question;
use schema_server::db::seed::{self, OrgSpec, SeedCounts, SeedParams};
use secrecy::SecretString;
use std::time::Instant;

/// The password of every seeded account.
pub const SEED_PASSWORD: &str = "seed-standup-2026";
/// Teams per organization (besides the 50-person team of the first).
pub const TEAMS_PER_ORG: i32 = 10;
/// People in a regular team.
pub const TEAM_SIZE: i32 = 10;
/// People in the first organization's big team.
pub const BIG_TEAM_SIZE: i32 = 50;
/// The big team's name.
pub const BIG_TEAM_NAME: &str = "Platform 50";

/// How much to seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeedScale {
    /// Regular teams (10 people each).
    pub teams: i32,
    /// Calendar days back from today; weekdays get a standup.
    pub days: i32,
    /// Delete seeded data first instead of refusing.
    pub reset: bool,
}

impl SeedScale {
    /// `SEED_TEAMS` (20), `SEED_DAYS` (30), `SEED_RESET` (`1`/`true` to reset).
    ///
    /// # Errors
    /// A value that is not a positive number (teams at most 100,000, days at most 3,660).
    pub fn from_env() -> anyhow::Result<Self> {
        let number = |name: &str, default: i32, max: i32| -> anyhow::Result<i32> {
            match std::env::var(name) {
                Ok(v) if !v.trim().is_empty() => {
                    let n: i32 = v
                        .trim()
                        .parse()
                        .with_context(|| format!("{name}: not a number: '{v}'"))?;
                    anyhow::ensure!(
                        (1..=max).contains(&n),
                        "{name}: must be from 1 to {max}, got {n}"
                    );
                    Ok(n)
                }
                _ => Ok(default),
            }
        };
        let reset = matches!(
            std::env::var("SEED_RESET").as_deref().map(str::trim),
            Ok("1" | "true" | "yes")
        );
        Ok(Self {
            teams: number("SEED_TEAMS", 20, 100_000)?,
            days: number("SEED_DAYS", 30, 3_660)?,
            reset,
        })
    }

    /// Organizations: ceil(teams / 10).
    pub fn orgs(&self) -> i32 {
        (self.teams + TEAMS_PER_ORG - 1) / TEAMS_PER_ORG
    }
}

/// What [`fill`] wrote.
#[derive(Clone, Debug)]
pub struct Seeded {
    pub orgs: i32,
    pub counts: SeedCounts,
    /// Seeded organizations deleted first (`SEED_RESET=1`).
    pub deleted_orgs: usize,
    pub seconds: f64,
    /// The first organization's owner (the 50-person team is in that organization too).
    pub owner_email: String,
    pub password: &'static str,
}

/// The e-mail of the owner of organization `index` (0-based).
pub fn owner_email(index: i32) -> String {
    format!("owner{:04}@{}", index + 1, seed::EMAIL_DOMAIN)
}

/// The questions every seeded config asks (ids are replaced per config by the seed).
fn questions() -> anyhow::Result<serde_json::Value> {
    let q = |prompt: &str, kind, required| Question {
        id: QuestionId::new_random(),
        prompt: prompt.into(),
        kind,
        required,
    };
    Ok(serde_json::to_value([
        q("What did you do yesterday?", QuestionKind::Text, true),
        q("What will you do today?", QuestionKind::Text, true),
        q("Anything blocking you?", QuestionKind::Blocker, false),
        q("How are you feeling?", QuestionKind::Mood, false),
    ])?)
}

/// Migrates the database at `database_url` (creating it when missing) and seeds `scale`,
/// printing a line per organization when `progress`.
///
/// # Errors
/// Seeded data is there already and `scale.reset` is off; the database cannot be reached
/// or migrated; a write fails.
pub async fn fill(database_url: &str, scale: SeedScale, progress: bool) -> anyhow::Result<Seeded> {
    let started = Instant::now();
    schema_server::db::ensure_database(database_url).await?;
    schema_server::db::run_migrations(database_url).await?;
    let hasher = PasswordHasher::new(1, 1).map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash = hasher
        .hash(SecretString::from(SEED_PASSWORD))
        .await
        .map_err(|e| anyhow::anyhow!("hashing the seed password: {e}"))?;
    let questions = questions()?;
    let mut conn = AsyncPgConnection::establish(database_url)
        .await
        .context("connecting to the database")?;

    let deleted_orgs = conn
        .transaction::<_, anyhow::Error, _>(async |tx| {
            seed::lock(tx).await?;
            let there = seed::count_orgs(tx).await?;
            if there == 0 {
                return Ok(0);
            }
            anyhow::ensure!(
                scale.reset,
                "{there} seeded organization(s) are there already (slug '{}…'); \
                 run with SEED_RESET=1 to delete them and seed again",
                seed::SLUG_PREFIX
            );
            let (orgs, users) = seed::delete_all(tx).await?;
            if progress {
                println!("deleted {orgs} seeded organization(s) and {users} account(s)");
            }
            Ok(orgs)
        })
        .await?;

    let today = Utc::now().date_naive();
    let params = SeedParams {
        days: scale.days,
        today,
        password_hash: &hash,
        questions: &questions,
    };
    let orgs = scale.orgs();
    let mut counts = SeedCounts::default();
    for index in 0..orgs {
        let org = OrgSpec {
            index,
            first_team: index * TEAMS_PER_ORG,
            end_team: ((index + 1) * TEAMS_PER_ORG).min(scale.teams),
            big_team: index == 0,
        };
        let t = Instant::now();
        let params = &params;
        let written = conn
            .transaction::<_, anyhow::Error, _>(async |tx| {
                seed::lock(tx).await?;
                Ok(seed::insert_org(tx, org, params).await?)
            })
            .await
            .with_context(|| format!("seeding organization {}", index + 1))?;
        counts += written;
        if progress {
            println!(
                "org {}/{orgs}: {} teams, {} people, {} standups, {} participations, {} answers, {} blockers in {:.1} s (total {:.0} s)",
                index + 1,
                written.teams,
                written.users,
                written.standups,
                written.participations,
                written.answers,
                written.blockers,
                t.elapsed().as_secs_f64(),
                started.elapsed().as_secs_f64(),
            );
        }
    }
    let t = Instant::now();
    seed::analyze(&mut conn).await?;
    if progress {
        println!("ANALYZE in {:.1} s", t.elapsed().as_secs_f64());
    }
    Ok(Seeded {
        orgs,
        counts,
        deleted_orgs,
        seconds: started.elapsed().as_secs_f64(),
        owner_email: owner_email(0),
        password: SEED_PASSWORD,
    })
}
