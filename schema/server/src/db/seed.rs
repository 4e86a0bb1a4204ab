//! Seeded data at scale (`api seed`, `make seed`): organizations of teams with a history of
//! closed standups, written set-based by PostgreSQL itself (`INSERT … SELECT` over
//! `generate_series`), one organization per call, so a year of 1,000 teams takes minutes.
//!
//! Everything is deterministic: ids are `md5(<kind>-<key>)::uuid`, and every choice (who
//! answered, when, what they wrote, their mood, which blockers were resolved) comes from
//! `hashtext` of the row's key. Seeded organizations are found by their slug (`seed-0001`,
//! …) and seeded people by their e-mail domain ([`EMAIL_DOMAIN`]).
//!
//! [`insert_org`] runs about a dozen statements and belongs inside the caller's
//! transaction (one per organization): its working table `seed_team` is dropped at commit.

use super::DbError;
use chrono::NaiveDate;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Bool, Date, Integer, Jsonb, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// The e-mail domain of every seeded account.
pub const EMAIL_DOMAIN: &str = "seed.asyncstand.example";
/// Slugs of seeded organizations start with this.
pub const SLUG_PREFIX: &str = "seed-";
/// The key (`t`) of the 50-person team of the first organization; regular teams are
/// numbered from 0.
pub const BIG_TEAM_KEY: i32 = 1_000_000;

/// The advisory lock (transaction-scoped) that keeps two seeds apart.
const SEED_LOCK: i64 = 0x5eed_5eed;

/// Waits for the seed lock; it is released when the caller's transaction ends.
pub async fn lock(conn: &mut AsyncPgConnection) -> Result<(), DbError> {
    diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
        .bind::<BigInt, _>(SEED_LOCK)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How many seeded organizations there are.
pub async fn count_orgs(conn: &mut AsyncPgConnection) -> Result<i64, DbError> {
    let row: Count =
        diesel::sql_query("SELECT count(*) AS n FROM organizations WHERE slug LIKE $1 || '%'")
            .bind::<Text, _>(SLUG_PREFIX)
            .get_result(conn)
            .await?;
    Ok(row.n)
}

/// Deletes every seeded organization (its teams, standups, answers… go with it by the
/// foreign keys) and every seeded account. Returns (organizations, accounts) deleted.
pub async fn delete_all(conn: &mut AsyncPgConnection) -> Result<(usize, usize), DbError> {
    let orgs = diesel::sql_query("DELETE FROM organizations WHERE slug LIKE $1 || '%'")
        .bind::<Text, _>(SLUG_PREFIX)
        .execute(conn)
        .await?;
    let users = diesel::sql_query("DELETE FROM users WHERE email LIKE '%@' || $1")
        .bind::<Text, _>(EMAIL_DOMAIN)
        .execute(conn)
        .await?;
    Ok((orgs, users))
}

/// One seeded organization: its number (0-based) and its regular teams `first_team..end_team`
/// (10 people each), plus the 50-person team when `big_team`.
#[derive(Clone, Copy, Debug)]
pub struct OrgSpec {
    pub index: i32,
    pub first_team: i32,
    pub end_team: i32,
    pub big_team: bool,
}

/// What every organization shares.
#[derive(Clone, Debug)]
pub struct SeedParams<'a> {
    /// The calendar days before `today` that get standups (weekdays only).
    pub days: i32,
    /// The last day with a standup is the day before this one.
    pub today: NaiveDate,
    /// One argon2 hash, given to every seeded account.
    pub password_hash: &'a str,
    /// The questions of every config (`[{"id","prompt","kind","required"}]`, the shape
    /// `schema::standup::Question` serialises to); each config gets its own ids.
    pub questions: &'a serde_json::Value,
}

/// Rows written for one organization.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SeedCounts {
    pub users: usize,
    pub teams: usize,
    pub standups: usize,
    pub participations: usize,
    pub answers: usize,
    pub blockers: usize,
}

impl std::ops::AddAssign for SeedCounts {
    fn add_assign(&mut self, o: Self) {
        self.users += o.users;
        self.teams += o.teams;
        self.standups += o.standups;
        self.participations += o.participations;
        self.answers += o.answers;
        self.blockers += o.blockers;
    }
}

/// The organization's id: `$1` is its number.
const ORG_ID: &str = "md5('seed-org-' || $1::int)::uuid";

/// A person's id from their team's key `t` and their number `m` in it.
const USER_ID: &str = "md5('seed-user-' || st.t || '-' || m)::uuid";

/// Writes one organization with its people, teams, configs and history. Call it inside a
/// transaction.
pub async fn insert_org(
    conn: &mut AsyncPgConnection,
    org: OrgSpec,
    p: &SeedParams<'_>,
) -> Result<SeedCounts, DbError> {
    let mut counts = SeedCounts::default();
    diesel::sql_query(
        "CREATE TEMP TABLE seed_team (
             t int PRIMARY KEY, k int NOT NULL, size int NOT NULL, first boolean NOT NULL,
             id uuid NOT NULL, config_id uuid NOT NULL, name text NOT NULL, tz text NOT NULL,
             tod text NOT NULL, anon boolean NOT NULL, questions jsonb NOT NULL, q uuid[] NOT NULL
         ) ON COMMIT DROP",
    )
    .execute(conn)
    .await?;
    diesel::sql_query(format!(
        "INSERT INTO organizations (id, name, slug)
         VALUES ({ORG_ID}, 'Seed Company ' || lpad(($1 + 1)::text, 4, '0'),
                 $2 || lpad(($1 + 1)::text, 4, '0'))"
    ))
    .bind::<Integer, _>(org.index)
    .bind::<Text, _>(SLUG_PREFIX)
    .execute(conn)
    .await?;
    // Teams: eight zones around the world, four start times, every fourth config with
    // anonymous moods. The questions get ids of their own per config.
    counts.teams = diesel::sql_query(
        "INSERT INTO seed_team
         SELECT t, k, size, k = 0, md5('seed-team-' || t)::uuid, md5('seed-config-' || t)::uuid,
                name,
                (ARRAY['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'America/Los_Angeles',
                       'Europe/London', 'Asia/Kolkata', 'Australia/Sydney', 'America/Sao_Paulo'])[1 + t % 8],
                (ARRAY['09:00', '09:30', '10:00', '08:45'])[1 + t % 4],
                t % 4 = 1,
                (SELECT jsonb_agg(jsonb_set(e, '{id}', to_jsonb(md5('seed-q-' || t || '-' || n)::uuid::text))
                                  ORDER BY n)
                 FROM jsonb_array_elements($4) WITH ORDINALITY AS x (e, n)),
                ARRAY(SELECT md5('seed-q-' || t || '-' || n)::uuid
                      FROM generate_series(1, jsonb_array_length($4)) n ORDER BY n)
         FROM (
             SELECT t, t - $1 AS k, 10 AS size,
                    (ARRAY['Platform', 'Payments', 'Growth', 'Mobile', 'Search', 'Data',
                           'Infrastructure', 'Billing', 'Identity', 'Support Tools'])[1 + (t - $1) % 10]
                    || CASE WHEN t - $1 >= 10 THEN ' ' || (t - $1) ELSE '' END AS name
             FROM generate_series($1, $2 - 1) t
             UNION ALL
             SELECT $5, 10, 50, 'Platform 50' WHERE $3
         ) teams",
    )
    .bind::<Integer, _>(org.first_team)
    .bind::<Integer, _>(org.end_team)
    .bind::<Bool, _>(org.big_team)
    .bind::<Jsonb, _>(p.questions)
    .bind::<Integer, _>(BIG_TEAM_KEY)
    .execute(conn)
    .await?;
    diesel::sql_query("ANALYZE seed_team").execute(conn).await?;

    // People: each in one team; the first team's first person owns the organization,
    // every other team's first person is an admin.
    counts.users = diesel::sql_query(format!(
        "INSERT INTO users (id, email, name, password_hash, timezone)
         SELECT {USER_ID},
                CASE WHEN st.first AND m = 0 THEN 'owner' || lpad(($1 + 1)::text, 4, '0')
                     ELSE 't' || st.t || '.m' || m END || '@' || $3,
                (ARRAY['Ada', 'Ben', 'Chen', 'Dana', 'Elif', 'Farah', 'Greta', 'Hiro', 'Ines',
                       'Jonas', 'Kofi', 'Lena', 'Mateo', 'Nora', 'Omar', 'Priya', 'Quinn',
                       'Rosa', 'Sven', 'Tariq', 'Uma', 'Viktor', 'Wen', 'Yara'])[1 + (st.t * 7 + m) % 24]
                || ' ' ||
                (ARRAY['Alvarez', 'Brown', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'Garcia',
                       'Haddad', 'Ito', 'Jensen', 'Kowalski', 'Lindqvist', 'Mensah', 'Novak',
                       'Okafor', 'Patel', 'Quispe', 'Rossi', 'Silva', 'Tanaka', 'Uddin',
                       'Varga', 'Weber', 'Yilmaz'])[1 + (st.t * 11 + m * 5) % 24],
                $2, st.tz
         FROM seed_team st CROSS JOIN generate_series(0, st.size - 1) m"
    ))
    .bind::<Integer, _>(org.index)
    .bind::<Text, _>(p.password_hash)
    .bind::<Text, _>(EMAIL_DOMAIN)
    .execute(conn)
    .await?;
    diesel::sql_query(format!(
        "INSERT INTO memberships (org_id, user_id, role, status)
         SELECT {ORG_ID}, {USER_ID},
                CASE WHEN st.first AND m = 0 THEN 'OWNER' WHEN m = 0 THEN 'ADMIN' ELSE 'MEMBER' END,
                'ACTIVE'
         FROM seed_team st CROSS JOIN generate_series(0, st.size - 1) m"
    ))
    .bind::<Integer, _>(org.index)
    .execute(conn)
    .await?;
    diesel::sql_query(format!(
        "INSERT INTO teams (id, org_id, name, timezone, description)
         SELECT st.id, {ORG_ID}, st.name, st.tz, st.name || ': ' || st.size || ' people, standups at '
                || st.tod || ' ' || st.tz
         FROM seed_team st"
    ))
    .bind::<Integer, _>(org.index)
    .execute(conn)
    .await?;
    diesel::sql_query(format!(
        "INSERT INTO team_members (org_id, team_id, user_id)
         SELECT {ORG_ID}, st.id, {USER_ID}
         FROM seed_team st CROSS JOIN generate_series(0, st.size - 1) m"
    ))
    .bind::<Integer, _>(org.index)
    .execute(conn)
    .await?;
    // One config per team, weekdays, 4 h to answer, reminder an hour before the end;
    // the next run is the next weekday at its time in its zone.
    diesel::sql_query(format!(
        "INSERT INTO standup_configs (id, org_id, team_id, name, questions, weekdays, time_of_day,
                                      timezone, response_window_minutes, reminder_minutes_before,
                                      delivery, active, next_run_at, anonymous_mood)
         SELECT st.config_id, {ORG_ID}, st.id, st.name || ' daily', st.questions,
                ARRAY['MON', 'TUE', 'WED', 'THU', 'FRI'], st.tod, st.tz, 240, 60, ARRAY['WEB'], true,
                (SELECT min(at) FROM (
                     SELECT ((now() AT TIME ZONE st.tz)::date + i + st.tod::time) AT TIME ZONE st.tz AS at
                     FROM generate_series(0, 7) i
                 ) next
                 WHERE at > now() AND extract(isodow FROM at AT TIME ZONE st.tz) < 6),
                st.anon
         FROM seed_team st"
    ))
    .bind::<Integer, _>(org.index)
    .execute(conn)
    .await?;
    diesel::sql_query(format!(
        "INSERT INTO standup_config_participants (org_id, config_id, team_id, user_id)
         SELECT {ORG_ID}, st.config_id, st.id, {USER_ID}
         FROM seed_team st CROSS JOIN generate_series(0, st.size - 1) m"
    ))
    .bind::<Integer, _>(org.index)
    .execute(conn)
    .await?;
    // Every weekday of the range, closed at the end of its window.
    counts.standups = diesel::sql_query(format!(
        "INSERT INTO standups (id, org_id, team_id, config_id, name, scheduled_for, local_date,
                               timezone, closes_at, remind_at, reminded_at, state, questions,
                               delivery, closed_at, anonymous_mood, created_at)
         SELECT md5('seed-standup-' || st.t || '-' || d)::uuid, {ORG_ID}, st.id, st.config_id,
                st.name || ' daily', at, d, st.tz, at + interval '240 minutes',
                at + interval '180 minutes', at + interval '180 minutes', 'CLOSED', st.questions,
                ARRAY['WEB'], at + interval '240 minutes', st.anon, at
         FROM seed_team st
         CROSS JOIN generate_series(1, $3) AS back
         CROSS JOIN LATERAL (SELECT $2::date - back AS d) dd
         CROSS JOIN LATERAL (SELECT (d + st.tod::time) AT TIME ZONE st.tz AS at) a
         WHERE extract(isodow FROM d) < 6"
    ))
    .bind::<Integer, _>(org.index)
    .bind::<Date, _>(p.today)
    .bind::<Integer, _>(p.days)
    .execute(conn)
    .await?;
    // Who answered: each person has their own rate (80-89 %); ~6 % skip with a reason,
    // the rest missed it (PENDING in a closed run). Answers come early more often than
    // late: minutes after the ask grow with the square of a uniform draw (0-227).
    counts.participations = diesel::sql_query(format!(
        "INSERT INTO participations (standup_id, user_id, org_id, state, skip_reason, submitted_at,
                                     notified_at)
         SELECT s.id, {USER_ID}, s.org_id,
                CASE WHEN r.h < 800 + (st.t * 31 + m * 17) % 100 THEN 'ANSWERED'
                     WHEN r.h < 860 + (st.t * 31 + m * 17) % 100 THEN 'SKIPPED'
                     ELSE 'PENDING' END,
                CASE WHEN r.h >= 800 + (st.t * 31 + m * 17) % 100
                          AND r.h < 860 + (st.t * 31 + m * 17) % 100
                     THEN (ARRAY['Out sick', 'Vacation', 'At a conference', 'Customer visit',
                                 'Offsite workshop', 'Doctor''s appointment'])[1 + r.h2 % 6] END,
                CASE WHEN r.h < 860 + (st.t * 31 + m * 17) % 100
                     THEN s.scheduled_for + make_interval(secs => 60 + (r.h2 * r.h2) / 4400 * 60 + r.h2 % 60) END,
                s.scheduled_for
         FROM seed_team st
         JOIN standups s ON s.team_id = st.id
         CROSS JOIN generate_series(0, st.size - 1) m
         CROSS JOIN LATERAL (
             SELECT abs(hashtext(s.id::text || m)) % 1000 AS h,
                    abs(hashtext(m || s.id::text)) % 1000 AS h2
         ) r"
    ))
    .execute(conn)
    .await?;
    // Answers to the four questions from word lists: a past-tense and a future-tense
    // sentence, sometimes two, now and then a rarer technical word; a blocker in ~12 % of
    // answers ("None" otherwise); a mood of 1-5 with a comment in ~30 %.
    counts.answers = diesel::sql_query(
        "WITH w AS (SELECT
             ARRAY['Finished', 'Reviewed', 'Fixed', 'Refactored', 'Deployed', 'Tested', 'Documented',
                   'Paired on', 'Investigated', 'Profiled', 'Cleaned up', 'Merged', 'Designed',
                   'Prototyped', 'Benchmarked', 'Debugged', 'Migrated', 'Rewrote', 'Planned',
                   'Released'] AS past,
             ARRAY['Finish', 'Review', 'Fix', 'Refactor', 'Deploy', 'Test', 'Document', 'Pair on',
                   'Investigate', 'Profile', 'Clean up', 'Merge', 'Design', 'Prototype', 'Benchmark',
                   'Debug', 'Migrate', 'Rewrite', 'Plan', 'Release'] AS future,
             ARRAY['the billing service', 'the login page', 'the search index', 'the onboarding flow',
                   'the mobile release', 'the CI pipeline', 'the database migration',
                   'the reporting dashboard', 'the payment webhook', 'the invoice export',
                   'the cache layer', 'the API gateway', 'the notification emails',
                   'the settings page', 'the GraphQL schema', 'the Kubernetes manifests',
                   'the load balancer config', 'the audit log', 'the data warehouse job',
                   'the pricing experiment', 'the customer import', 'the feature flags',
                   'the error budget', 'the staging cluster', 'the release notes',
                   'the design system', 'the accessibility audit', 'the rate limiter',
                   'the retry queue', 'the SSO integration', 'the PDF renderer',
                   'the timezone handling', 'the signup form', 'the cost report',
                   'the backup restore drill', 'the on-call runbook', 'the analytics events',
                   'the team calendar', 'the search ranking', 'the Slack integration'] AS obj,
             ARRAY['', '', '', '', ' with Alex', ' after the standup', ' for the Q3 launch',
                   ' before the code freeze', ' and opened a pull request', ' with the platform team',
                   ' for customer feedback', ' and left review notes', ' ahead of the demo',
                   ' together with QA', ' for the security review', ' to unblock support'] AS tail,
             ARRAY['kafka', 'terraform', 'flamegraph', 'idempotency', 'zookeeper', 'webassembly',
                   'hyperloglog', 'protobuf', 'graphviz', 'memcached', 'elasticsearch', 'redshift',
                   'cassandra', 'grafana', 'prometheus', 'wireguard', 'letsencrypt', 'dependabot',
                   'opentelemetry', 'pgbouncer'] AS rare,
             ARRAY['Waiting for review on', 'Blocked by flaky tests in', 'Need access to',
                   'Waiting on the vendor for', 'Staging is down, cannot test',
                   'Waiting for design sign-off on', 'Need a product decision on',
                   'A dependency upgrade broke', 'Waiting for the security team on',
                   'Out of disk on the runner for'] AS blocked,
             ARRAY['Good day', 'Tired', 'Busy but fine', 'Excited about the release',
                   'Too many meetings', 'Focused', 'Slow start', 'Great pairing session',
                   'Stressed about the deadline', 'Calm week', 'Sick of context switching',
                   'Happy with the progress'] AS comment
         )
         INSERT INTO answers (standup_id, user_id, question_id, org_id, text, updated_at, mood)
         SELECT p.standup_id, p.user_id, st.q[qn], p.org_id,
                CASE
                    WHEN qn <= 2 THEN
                        (CASE WHEN qn = 1 THEN w.past ELSE w.future END)[1 + r.h % 20] || ' '
                        || w.obj[1 + (r.h / 20) % 40] || w.tail[1 + (r.h / 800) % 16]
                        || CASE WHEN (r.h / 12800) % 3 = 0
                                THEN '. Then ' || lower((CASE WHEN qn = 1 THEN w.past ELSE w.future END)[1 + (r.h / 38400) % 20])
                                     || ' ' || w.obj[1 + (r.h / 768000) % 40]
                                ELSE '' END
                        || CASE WHEN (r.h / 30720000) % 40 = 0
                                THEN ', looking into ' || w.rare[1 + (r.h / 7) % 20] ELSE '' END
                    WHEN qn = 3 THEN
                        CASE WHEN r.h % 100 < 12
                             THEN w.blocked[1 + (r.h / 100) % 10] || ' ' || w.obj[1 + (r.h / 1000) % 40]
                             ELSE 'None' END
                    ELSE CASE WHEN r.h % 10 < 7 THEN '' ELSE w.comment[1 + (r.h / 10) % 12] END
                END,
                p.submitted_at,
                CASE WHEN qn = 4 THEN
                    CASE WHEN (r.h / 1000) % 100 < 5 THEN 1 WHEN (r.h / 1000) % 100 < 15 THEN 2
                         WHEN (r.h / 1000) % 100 < 45 THEN 3 WHEN (r.h / 1000) % 100 < 80 THEN 4
                         ELSE 5 END
                END::smallint
         FROM seed_team st
         JOIN standups s ON s.team_id = st.id
         JOIN participations p ON p.standup_id = s.id
         CROSS JOIN generate_series(1, cardinality(st.q)) qn
         CROSS JOIN w
         CROSS JOIN LATERAL (SELECT abs(hashtext(p.standup_id::text || p.user_id::text || qn)) AS h) r
         WHERE p.state = 'ANSWERED'",
    )
    .execute(conn)
    .await?;
    // A blocker for each answer that names one: most resolved by their owner 1-6 days
    // later, the rest (and any whose resolution would lie in the future) still open.
    counts.blockers = diesel::sql_query(
        "INSERT INTO blockers (id, org_id, team_id, owner_id, standup_id, question_id, text, status,
                               opened_at, resolved_by, resolved_at)
         SELECT md5('seed-blocker-' || a.standup_id || a.user_id)::uuid, a.org_id, st.id, a.user_id,
                a.standup_id, a.question_id, a.text,
                CASE WHEN x.resolved_at IS NULL THEN 'OPEN' ELSE 'RESOLVED' END,
                a.updated_at,
                CASE WHEN x.resolved_at IS NOT NULL THEN a.user_id END,
                x.resolved_at
         FROM seed_team st
         JOIN standups s ON s.team_id = st.id
         JOIN answers a ON a.standup_id = s.id AND a.question_id = st.q[3]
         CROSS JOIN LATERAL (SELECT abs(hashtext(a.user_id::text || a.standup_id::text)) AS h) r
         CROSS JOIN LATERAL (
             SELECT CASE WHEN r.h % 100 < 85
                              AND a.updated_at + make_interval(days => 1 + r.h % 6, hours => (r.h / 6) % 8) < now()
                         THEN a.updated_at + make_interval(days => 1 + r.h % 6, hours => (r.h / 6) % 8)
                    END AS resolved_at
         ) x
         WHERE a.text <> 'None'",
    )
    .execute(conn)
    .await?;
    Ok(counts)
}

/// Refreshes the planner's statistics after a seed.
pub async fn analyze(conn: &mut AsyncPgConnection) -> Result<(), DbError> {
    diesel::sql_query("ANALYZE").execute(conn).await?;
    Ok(())
}
