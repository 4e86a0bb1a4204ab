//! The demo organization behind `api demo` (`make demo`, `DEMO=1 make run`): an owner
//! with a known sign-in, eight more people, three teams in three time zones, 15 working
//! days of closed standups per team (answers, skips, people who missed it, blockers,
//! moods, compiled digests) and one standup open now with some answers.
//!
//! Idempotent: [`fill`] finds the organization by its slug and then only sets the demo
//! password again (so the printed sign-in works), never a second organization. The rows
//! are built here from a fixed pattern (no randomness beyond ids) and written by
//! [`schema_server::db::demo`] in one transaction.

use crate::auth::password::PasswordHasher;
use anyhow::Context as _;
use chrono::{DateTime, Duration, DurationRound as _, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use schema::digest::{self, DigestAnswer, DigestInput, DigestParticipant, DigestQuestion};
use schema::enums::{
    DeliveryChannel, MemberStatus, OrgRole, ParticipationState, QuestionKind, Weekday,
};
use schema::ids::{OrganizationId, QuestionId, StandupConfigId, StandupId, TeamId, UserId};
use schema::schedule::Schedule;
use schema::standup::Question;
use schema_server::db::demo::{
    self, DemoClosing, DemoConfig, DemoConfigParticipant, DemoParticipation, DemoRows,
    DemoTeamMember,
};
use schema_server::db::models::{Answer, NewMembership, NewTeam, NewUser, StandupConfigValues};
use schema_server::db::standups::NewStandup;
use schema_server::db::users;
use secrecy::SecretString;
use std::collections::HashMap;

/// The demo owner's sign-in, printed by `api demo`.
pub const DEMO_EMAIL: &str = "demo@asyncstand.example";
pub const DEMO_PASSWORD: &str = "demo-standup-2026";
/// How the demo organization is found again.
pub const DEMO_SLUG: &str = "asyncstand-demo";
const DEMO_ORG_NAME: &str = "AsyncStand Demo";
/// Closed standups per team.
pub const HISTORY_DAYS: usize = 15;

/// What [`fill`] did.
#[derive(Clone, Debug)]
pub struct DemoOrg {
    pub org_id: OrganizationId,
    /// False when the organization was there already (only the password was set again).
    pub created: bool,
    pub email: &'static str,
    pub password: &'static str,
}

/// (name, e-mail local part, role); the first is the owner who signs in.
const PEOPLE: &[(&str, &str, OrgRole)] = &[
    ("Dana Demo", "demo", OrgRole::Owner),
    ("Amira Haddad", "amira", OrgRole::Admin),
    ("Ben Okafor", "ben", OrgRole::Member),
    ("Chen Wei", "chen", OrgRole::Member),
    ("Diego Alvarez", "diego", OrgRole::Member),
    ("Elif Yilmaz", "elif", OrgRole::Member),
    ("Farah Khan", "farah", OrgRole::Member),
    ("Greta Lindqvist", "greta", OrgRole::Member),
    ("Hiro Tanaka", "hiro", OrgRole::Member),
];

struct TeamPlan {
    name: &'static str,
    timezone: &'static str,
    time_of_day: &'static str,
    description: &'static str,
    /// Indexes into [`PEOPLE`].
    members: &'static [usize],
    work: &'static [&'static str],
}

const TEAMS: &[TeamPlan] = &[
    TeamPlan {
        name: "Platform",
        timezone: "Europe/Berlin",
        time_of_day: "09:30",
        description: "Infrastructure, CI and the database.",
        members: &[0, 1, 5, 7],
        work: &[
            "Upgraded PostgreSQL on staging",
            "Reviewed the connection-pool change",
            "Cut the CI run from 14 to 9 minutes",
            "Wrote the runbook for failovers",
            "Rotated the TLS certificates",
            "Paired on the flaky migration test",
            "Tuned the autovacuum settings",
        ],
    },
    TeamPlan {
        name: "Growth",
        timezone: "America/New_York",
        time_of_day: "10:00",
        description: "Sign-up funnel, onboarding and experiments.",
        members: &[0, 2, 4, 6],
        work: &[
            "Shipped the new onboarding checklist",
            "Analysed last week's A/B test",
            "Fixed the invite e-mail copy",
            "Built the activation dashboard",
            "Interviewed two trial customers",
            "Cleaned up the pricing page",
            "Drafted the referral experiment",
        ],
    },
    TeamPlan {
        name: "Mobile",
        timezone: "Asia/Tokyo",
        time_of_day: "09:00",
        description: "The iOS and Android apps.",
        members: &[0, 3, 8, 1],
        work: &[
            "Fixed the crash on Android 12 start-up",
            "Released 3.4.1 to TestFlight",
            "Reworked offline sync",
            "Added push notification settings",
            "Profiled the feed's scroll performance",
            "Triaged the store reviews",
            "Wrote UI tests for sign-in",
        ],
    },
];

const BLOCKERS: &[&str] = &[
    "Waiting for design sign-off on the new screens",
    "Staging database is down since this morning",
    "Need access to the analytics account",
    "Code review queue is two days long",
];
/// (mood 1-5, comment) of the MOOD answers, in turn.
const MOODS: &[(i16, &str)] = &[
    (4, ""),
    (5, "great week"),
    (3, ""),
    (2, "tired"),
    (5, ""),
    (4, "focused"),
    (3, "slow start"),
];
const SKIP_REASONS: &[&str] = &["Out sick", "Vacation", "At a conference"];

/// Migrates the database at `database_url` (creating it when missing) and fills the demo
/// organization, or finds it and sets the demo password again. `public_url` goes into the
/// digests' links.
///
/// # Errors
/// The database cannot be reached or migrated, or a write fails.
pub async fn fill(database_url: &str, public_url: &str) -> anyhow::Result<DemoOrg> {
    schema_server::db::ensure_database(database_url).await?;
    schema_server::db::run_migrations(database_url).await?;
    let hasher = PasswordHasher::new(1, 1).map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash = hasher
        .hash(SecretString::from(DEMO_PASSWORD))
        .await
        .map_err(|e| anyhow::anyhow!("hashing the demo password: {e}"))?;
    let mut conn = AsyncPgConnection::establish(database_url)
        .await
        .context("connecting to the database")?;
    let now = Utc::now();
    conn.transaction::<_, anyhow::Error, _>(async |tx| {
        demo::lock(tx).await?;
        if let Some(org_id) = demo::find_org(tx, DEMO_SLUG).await? {
            if let Some(owner) = users::find_by_email(tx, DEMO_EMAIL).await? {
                users::set_password_hash(tx, owner.id, &hash).await?;
            }
            return Ok(DemoOrg {
                org_id,
                created: false,
                email: DEMO_EMAIL,
                password: DEMO_PASSWORD,
            });
        }
        let emails: Vec<String> = PEOPLE.iter().map(|(_, local, _)| email(local)).collect();
        let known: HashMap<String, UserId> = demo::user_ids_by_email(tx, &emails)
            .await?
            .into_iter()
            .collect();
        let ids: Vec<UserId> = emails
            .iter()
            .map(|e| known.get(e).copied().unwrap_or_else(UserId::new_random))
            .collect();
        let org_id = OrganizationId::new_random();
        let rows = build(org_id, &ids, &emails, &hash, now, public_url)?;
        demo::insert(tx, &rows).await?;
        Ok(DemoOrg {
            org_id,
            created: true,
            email: DEMO_EMAIL,
            password: DEMO_PASSWORD,
        })
    })
    .await
}

fn email(local: &str) -> String {
    format!("{local}@asyncstand.example")
}

/// Every row of a new demo organization, as of `now`.
fn build<'a>(
    org_id: OrganizationId,
    ids: &[UserId],
    emails: &'a [String],
    hash: &'a str,
    now: DateTime<Utc>,
    public_url: &str,
) -> anyhow::Result<DemoRows<'a>> {
    let mut rows = DemoRows {
        org_id,
        org_name: DEMO_ORG_NAME,
        slug: DEMO_SLUG,
        users: PEOPLE
            .iter()
            .zip(ids)
            .zip(emails)
            .map(|(((name, _, _), id), email)| NewUser {
                id: *id,
                email,
                name,
                password_hash: hash,
                timezone: None,
            })
            .collect(),
        memberships: PEOPLE
            .iter()
            .zip(ids)
            .map(|((_, _, role), id)| NewMembership {
                org_id,
                user_id: *id,
                role: *role,
                status: MemberStatus::Active,
            })
            .collect(),
        teams: Vec::new(),
        team_members: Vec::new(),
        configs: Vec::new(),
        config_participants: Vec::new(),
        standups: Vec::new(),
        closings: Vec::new(),
        participations: Vec::new(),
        answers: Vec::new(),
    };
    let weekdays = vec![
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ];
    for (t, plan) in TEAMS.iter().enumerate() {
        let team_id = TeamId::new_random();
        let config_id = StandupConfigId::new_random();
        let members: Vec<UserId> = plan.members.iter().map(|&m| ids[m]).collect();
        rows.teams.push(NewTeam {
            id: team_id,
            org_id,
            name: plan.name,
            timezone: plan.timezone,
            description: Some(plan.description),
        });
        for &user_id in &members {
            rows.team_members.push(DemoTeamMember {
                org_id,
                team_id,
                user_id,
            });
            rows.config_participants.push(DemoConfigParticipant {
                org_id,
                config_id,
                team_id,
                user_id,
            });
        }
        let questions = vec![
            question("What did you do yesterday?", QuestionKind::Text, true),
            question("What will you do today?", QuestionKind::Text, true),
            question("Anything blocking you?", QuestionKind::Blocker, false),
            question("How are you feeling?", QuestionKind::Mood, false),
        ];
        let questions_json = serde_json::to_value(&questions)?;
        let schedule = Schedule::new(&weekdays, plan.time_of_day, plan.timezone)?;
        let window = Duration::minutes(240);
        let name = format!("{} daily", plan.name);
        rows.configs.push(DemoConfig {
            id: config_id,
            team_id,
            values: StandupConfigValues {
                name: name.clone(),
                questions: questions_json.clone(),
                weekdays: weekdays.clone(),
                time_of_day: plan.time_of_day.into(),
                timezone: plan.timezone.into(),
                response_window_minutes: 240,
                reminder_minutes_before: 60,
                delivery: vec![DeliveryChannel::Web],
                webhook_url: None,
                active: true,
                close_when_all_answered: false,
                next_run_at: schedule.next_after(now),
            },
        });

        // The closed history: the last HISTORY_DAYS runs whose window has ended.
        let mut runs = Vec::new();
        let mut cursor = now - window;
        while runs.len() < HISTORY_DAYS {
            let Some(run) = schedule.latest_at_or_before(cursor) else {
                break;
            };
            runs.push(run);
            cursor = run - Duration::seconds(1);
        }
        let standup = |id, scheduled_for: DateTime<Utc>, closes_at| NewStandup {
            id,
            org_id,
            team_id,
            config_id: Some(config_id),
            name: name.clone(),
            scheduled_for,
            local_date: schedule.local_date(scheduled_for),
            timezone: plan.timezone.into(),
            closes_at,
            questions: questions_json.clone(),
            delivery: vec![DeliveryChannel::Web],
            webhook_url: None,
            close_when_all_answered: false,
            remind_at: None,
        };
        for (d, &run) in runs.iter().enumerate() {
            let id = StandupId::new_random();
            let closes_at = run + window;
            let closed = standup(id, run, closes_at);
            let people = respond(&mut rows, plan, t, d, id, run, &members, &questions, true);
            let input = DigestInput {
                team_name: plan.name.into(),
                standup_name: name.clone(),
                local_date: closed.local_date,
                timezone: plan.timezone.into(),
                questions: questions
                    .iter()
                    .map(|q| DigestQuestion {
                        id: q.id.as_uuid(),
                        prompt: q.prompt.clone(),
                        kind: q.kind,
                        required: q.required,
                    })
                    .collect(),
                participants: people
                    .into_iter()
                    .map(|(m, p, answers)| {
                        let m = plan.members[m];
                        DigestParticipant {
                            user_id: p.user_id.as_uuid(),
                            name: PEOPLE[m].0.into(),
                            email: emails[m].clone(),
                            state: p.state,
                            skip_reason: p.skip_reason.clone(),
                            answers,
                            submitted_at: p.submitted_at,
                        }
                    })
                    .collect(),
                standup_url: Some(format!("{public_url}/standups/{id}")),
                ongoing_blockers: Vec::new(),
                resolved_blockers: Vec::new(),
                mood: None,
            };
            rows.closings.push(DemoClosing {
                standup_id: id,
                closed_at: closes_at,
                digest: serde_json::to_value(digest::compile(&input))?,
            });
            rows.standups.push(closed);
        }
        // The first team's standup is open now: opened an hour ago, some have answered.
        if t == 0 {
            let id = StandupId::new_random();
            let opened = now.duration_trunc(Duration::minutes(1))? - Duration::hours(1);
            rows.standups
                .push(standup(id, opened, opened + Duration::hours(8)));
            respond(
                &mut rows, plan, t, 0, id, opened, &members, &questions, false,
            );
        }
    }
    Ok(rows)
}

fn question(prompt: &str, kind: QuestionKind, required: bool) -> Question {
    Question {
        id: QuestionId::new_random(),
        prompt: prompt.into(),
        kind,
        required,
    }
}

/// The participations and answers of standup `id` (day `d` back of team `t`), pushed onto
/// `rows`; returns each participation with its member's index in the team and its digest
/// answers. A closed standup has
/// someone skipping or missing now and then; an open one has half the team answered and
/// the others (the owner among them, so the home page asks them) still pending.
#[allow(clippy::too_many_arguments)]
fn respond(
    rows: &mut DemoRows<'_>,
    plan: &TeamPlan,
    t: usize,
    d: usize,
    id: StandupId,
    run: DateTime<Utc>,
    members: &[UserId],
    questions: &[Question],
    closed: bool,
) -> Vec<(usize, DemoParticipation, Vec<DigestAnswer>)> {
    let mut out = Vec::new();
    for (m, &user_id) in members.iter().enumerate() {
        let k = (d * 5 + m * 3 + t * 7) % 20;
        let (state, skip_reason) = if !closed {
            if m % 2 == 1 {
                (ParticipationState::Answered, None)
            } else {
                (ParticipationState::Pending, None)
            }
        } else if k < 2 {
            let reason = SKIP_REASONS[(d + m) % SKIP_REASONS.len()];
            (ParticipationState::Skipped, Some(reason.to_string()))
        } else if k == 2 {
            (ParticipationState::Pending, None)
        } else {
            (ParticipationState::Answered, None)
        };
        let submitted_at = (state != ParticipationState::Pending)
            .then(|| run + Duration::minutes(5 + ((k * 37) % 200) as i64));
        let participation = DemoParticipation {
            standup_id: id,
            user_id,
            org_id: rows.org_id,
            state,
            skip_reason,
            submitted_at,
        };
        let mut answers = Vec::new();
        if let Some(at) = submitted_at.filter(|_| state == ParticipationState::Answered) {
            let work = plan.work;
            for q in questions {
                let text = match q.kind {
                    QuestionKind::Text if q.prompt.contains("yesterday") => {
                        work[(d + m + 1) % work.len()].to_string()
                    }
                    QuestionKind::Text => work[(d + m) % work.len()].to_string(),
                    QuestionKind::Blocker if k % 6 == 3 => {
                        BLOCKERS[(d + t) % BLOCKERS.len()].to_string()
                    }
                    QuestionKind::Blocker => "None".to_string(),
                    QuestionKind::Mood => MOODS[(d * 3 + m) % MOODS.len()].1.to_string(),
                };
                let mood =
                    (q.kind == QuestionKind::Mood).then(|| MOODS[(d * 3 + m) % MOODS.len()].0);
                rows.answers.push(Answer {
                    standup_id: id,
                    user_id,
                    question_id: q.id,
                    org_id: rows.org_id,
                    text: text.clone(),
                    updated_at: at,
                    mood,
                });
                answers.push(DigestAnswer {
                    question_id: q.id.as_uuid(),
                    text: mood.map_or(text.clone(), |m| schema::standup::mood_text(m, &text)),
                });
            }
        }
        rows.participations.push(participation.clone());
        out.push((m, participation, answers));
    }
    out
}
