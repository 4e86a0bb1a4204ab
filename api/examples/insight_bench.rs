//! The insight benchmark's client (run by `api/scripts/bench-insight.sh`, `make
//! bench-insight`) against a running api on a seeded database (`api seed`):
//!
//! 1. signs in as the first organization's owner and creates a personal API token
//!    (`createApiToken`), sent as `Authorization: Bearer` from then on;
//! 2. `searchAnswers`: varied terms, org-wide and with a team filter, p50/p95/max
//!    (target p95 < 50 ms);
//! 3. each insights query of [`INSIGHTS`] that the server's schema has, for the
//!    50-person team over one year, p50/p95/max (target p95 < 100 ms);
//! 4. `GET /exports/answers.csv` over a date range, organization after organization until
//!    at least `--export-rows` rows have streamed: rows/s (target >= 50,000) and the api's
//!    resident memory growth over its `VmRSS` before the exports (target < 50 MB),
//!    sampled every 20 ms from `/proc/<pid>/status`.
//!
//! Prints a table; exits 1 when a target is missed, 2 on an error.
//!
//! Flags: `--addr HOST:PORT`, `--pid API_PID`, `--password P`, `--searches N` (240),
//! `--runs N` (50), `--export-rows N` (1,000,000), `--days N` (365, the insights' range).

use chrono::{Duration as Days, Utc};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The insights to measure: (query field, whether it takes `teamId`). A field the
/// server's schema lacks is reported as skipped; add new ones here.
const INSIGHTS: &[(&str, bool)] = &[
    ("teamWeeklyParticipation", true),
    ("teamResponseTimes", true),
    ("organizationParticipation", false),
    ("teamMoodTrend", true),
    ("teamBlockerFlow", true),
];

/// Search terms: common work words, phrases, rarer technical words, a stemmed verb, an
/// `or`, an exclusion and a word nobody wrote.
const TERMS: &[&str] = &[
    "deploy",
    "billing",
    "migration",
    "dashboard",
    "flaky tests",
    "vendor",
    "kafka",
    "terraform",
    "\"search index\"",
    "onboarding",
    "webhook",
    "reviewed",
    "release notes",
    "grafana or prometheus",
    "cache -layer",
    "accessibility",
    "pgbouncer",
    "staging cluster",
    "invoice",
    "idempotency",
    "rate limiter",
    "security review",
    "flamegraph",
    "SSO",
    "quantum",
    "design sign-off",
    "benchmark",
    "timezone",
    "customer import",
    "opentelemetry",
];

const SEARCH_TARGET_MS: f64 = 50.0;
const INSIGHT_TARGET_MS: f64 = 100.0;
const EXPORT_ROWS_PER_S: f64 = 50_000.0;
const EXPORT_RSS_MB: f64 = 50.0;

struct Args {
    addr: String,
    pid: u32,
    password: String,
    searches: usize,
    runs: usize,
    export_rows: u64,
    days: i64,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        addr: "127.0.0.1:18090".into(),
        pid: 0,
        password: "seed-standup-2026".into(),
        searches: 240,
        runs: 50,
        export_rows: 1_000_000,
        days: 365,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag}: missing value"))?;
        let num = |v: &str| v.parse::<u64>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--addr" => a.addr = value,
            "--pid" => a.pid = num(&value)? as u32,
            "--password" => a.password = value,
            "--searches" => a.searches = num(&value)? as usize,
            "--runs" => a.runs = num(&value)? as usize,
            "--export-rows" => a.export_rows = num(&value)?,
            "--days" => a.days = num(&value)? as i64,
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if a.pid == 0 {
        return Err("--pid API_PID is required".into());
    }
    Ok(a)
}

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    /// POSTs a GraphQL request; an HTTP error or a GraphQL `errors` member is an error.
    async fn gql(&self, token: Option<&str>, query: &str, vars: Value) -> Result<Value, String> {
        let mut req = self
            .http
            .post(format!("{}/graphql", self.base))
            .json(&json!({ "query": query, "variables": vars }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.map_err(|e| e.to_string())?;
        let status = resp.status();
        let body: Value = resp.json().await.map_err(|e| e.to_string())?;
        if !status.is_success() || body.get("errors").is_some() || body.get("data").is_none() {
            let text = body.to_string();
            return Err(format!("{status}: {}", &text[..text.len().min(400)]));
        }
        Ok(body["data"].clone())
    }

    /// Signs in as `email` and returns a fresh personal API token.
    async fn token(&self, email: &str, password: &str) -> Result<String, String> {
        let data = self
            .gql(
                None,
                "mutation($input: LogInInput!) { logIn(input: $input) { accessToken } }",
                json!({ "input": { "email": email, "password": password } }),
            )
            .await
            .map_err(|e| format!("logIn {email}: {e}"))?;
        let access = data["logIn"]["accessToken"].as_str().unwrap_or_default();
        let expires = (Utc::now() + Days::days(1)).to_rfc3339();
        let data = self
            .gql(
                Some(access),
                "mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }",
                json!({ "input": { "name": "insight bench", "scope": "READ", "expiresAt": expires } }),
            )
            .await
            .map_err(|e| format!("createApiToken: {e}"))?;
        Ok(data["createApiToken"]["token"]
            .as_str()
            .unwrap_or_default()
            .to_string())
    }
}

/// p50, p95, max in ms of `samples` (sorted here).
fn stats(samples: &mut [f64]) -> (f64, f64, f64) {
    samples.sort_by(f64::total_cmp);
    let n = samples.len();
    if n == 0 {
        return (0.0, 0.0, 0.0);
    }
    let at = |p: f64| samples[(((p * n as f64).ceil() as usize).max(1) - 1).min(n - 1)];
    (at(0.50), at(0.95), samples[n - 1])
}

/// The selection of every field of the object type `name` that needs no argument:
/// scalars and enums by name, objects with their `id` (or `__typename`).
async fn selection(c: &Client, token: &str, name: &str) -> Result<String, String> {
    let data = c
        .gql(
            Some(token),
            "query($name: String!) { __type(name: $name) { fields {
                name args { type { kind } }
                type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }",
            json!({ "name": name }),
        )
        .await?;
    let mut out = Vec::new();
    for f in data["__type"]["fields"].as_array().into_iter().flatten() {
        let required_arg = f["args"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|a| a["type"]["kind"] == "NON_NULL");
        if required_arg {
            continue;
        }
        let mut t = &f["type"];
        while t["kind"] == "NON_NULL" || t["kind"] == "LIST" {
            t = &t["ofType"];
        }
        let field = f["name"].as_str().unwrap_or_default();
        match t["kind"].as_str() {
            Some("SCALAR" | "ENUM") => out.push(field.to_string()),
            Some("OBJECT") => out.push(format!("{field} {{ __typename }}")),
            _ => {}
        }
    }
    Ok(out.join(" "))
}

/// The query fields of the server's schema with their return type's name.
async fn query_fields(c: &Client, token: &str) -> Result<Vec<(String, String)>, String> {
    let data = c
        .gql(
            Some(token),
            "{ __schema { queryType { fields { name
                type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }",
            json!({}),
        )
        .await?;
    let mut out = Vec::new();
    for f in data["__schema"]["queryType"]["fields"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let mut t = &f["type"];
        while t["kind"] == "NON_NULL" || t["kind"] == "LIST" {
            t = &t["ofType"];
        }
        out.push((
            f["name"].as_str().unwrap_or_default().to_string(),
            t["name"].as_str().unwrap_or_default().to_string(),
        ));
    }
    Ok(out)
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

struct Verdicts {
    missed: bool,
}

impl Verdicts {
    fn row(&mut self, name: &str, measured: String, target: &str, ok: bool) {
        if !ok {
            self.missed = true;
        }
        println!(
            "{name:<44} {measured:<46} {target:<14} {}",
            if ok { "PASS" } else { "MISS" }
        );
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    match run().await {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("insight_bench: {e}");
            std::process::exit(2);
        }
    }
}

async fn run() -> Result<bool, String> {
    let a = args()?;
    let c = Client {
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(600))
            .build()
            .map_err(|e| e.to_string())?,
        base: format!("http://{}", a.addr),
    };
    let token = c
        .token("owner0001@seed.asyncstand.example", &a.password)
        .await?;
    let teams = c
        .gql(Some(&token), "{ teams { id name } }", json!({}))
        .await?;
    let teams: Vec<(String, String)> = teams["teams"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            (
                t["id"].as_str().unwrap_or_default().to_string(),
                t["name"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let big = teams
        .iter()
        .find(|(_, name)| name == "Platform 50")
        .ok_or("no team \"Platform 50\" in the first organization: seed with `api seed`")?
        .0
        .clone();
    let today = Utc::now().date_naive();
    let from = (today - Days::days(a.days)).to_string();
    let to = (today - Days::days(1)).to_string();
    println!(
        "first organization: {} teams; insights for \"Platform 50\" from {from} to {to}",
        teams.len()
    );

    // Search.
    let search = "query($q: String!, $teamId: ID) {
        searchAnswers(query: $q, filter: { teamId: $teamId }, first: 20) {
            edges { cursor node { standupId standupDate question snippet person { __typename } team { id } } }
            pageInfo { hasNextPage } } }";
    for term in TERMS.iter().take(3) {
        c.gql(Some(&token), search, json!({ "q": term })).await?;
    }
    let mut org_ms = Vec::new();
    let mut team_ms = Vec::new();
    let mut hits = 0usize;
    for i in 0..a.searches {
        let term = TERMS[i % TERMS.len()];
        // Every other query is narrowed to a team: the 50-person team or another one.
        let team = (i % 2 == 1).then(|| {
            if (i / 2) % 2 == 0 {
                big.clone()
            } else {
                teams[(i / 4) % teams.len()].0.clone()
            }
        });
        let t = Instant::now();
        let data = c
            .gql(Some(&token), search, json!({ "q": term, "teamId": team }))
            .await
            .map_err(|e| format!("searchAnswers {term:?}: {e}"))?;
        let ms = t.elapsed().as_secs_f64() * 1e3;
        hits += data["searchAnswers"]["edges"]
            .as_array()
            .map_or(0, Vec::len);
        if team.is_some() {
            team_ms.push(ms);
        } else {
            org_ms.push(ms);
        }
    }
    let mut all_ms: Vec<f64> = org_ms.iter().chain(&team_ms).copied().collect();

    // Insights.
    let fields = query_fields(&c, &token).await?;
    let mut insight_rows = Vec::new();
    for &(name, by_team) in INSIGHTS {
        let Some((_, ty)) = fields.iter().find(|(f, _)| f == name) else {
            insight_rows.push((name, None));
            continue;
        };
        let sel = selection(&c, &token, ty).await?;
        let (query, vars) = if by_team {
            (
                format!(
                    "query($teamId: ID!, $from: String!, $to: String!) {{ {name}(teamId: $teamId, from: $from, to: $to) {{ {sel} }} }}"
                ),
                json!({ "teamId": big, "from": from, "to": to }),
            )
        } else {
            (
                format!(
                    "query($from: String!, $to: String!) {{ {name}(from: $from, to: $to) {{ {sel} }} }}"
                ),
                json!({ "from": from, "to": to }),
            )
        };
        for _ in 0..3 {
            c.gql(Some(&token), &query, vars.clone())
                .await
                .map_err(|e| format!("{name}: {e}"))?;
        }
        let mut ms = Vec::with_capacity(a.runs);
        for _ in 0..a.runs {
            let t = Instant::now();
            c.gql(Some(&token), &query, vars.clone())
                .await
                .map_err(|e| format!("{name}: {e}"))?;
            ms.push(t.elapsed().as_secs_f64() * 1e3);
        }
        insight_rows.push((name, Some(stats(&mut ms))));
    }

    // Export: organization after organization (each its owner's token) until enough rows.
    let rss_before = rss_kb(a.pid);
    let peak = Arc::new(AtomicU64::new(rss_before));
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, stop, pid) = (peak.clone(), stop.clone(), a.pid);
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kb(pid), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let mut rows = 0u64;
    let mut bytes = 0u64;
    let mut export_time = Duration::ZERO;
    let mut exports = Vec::new();
    let mut org = 1;
    while rows < a.export_rows {
        let token = if org == 1 {
            token.clone()
        } else {
            c.token(
                &format!("owner{org:04}@seed.asyncstand.example"),
                &a.password,
            )
            .await
            .map_err(|e| format!("organization {org} for the export: {e} (seed more teams, or lower --export-rows)"))?
        };
        let t = Instant::now();
        let mut resp = c
            .http
            .get(format!("{}/exports/answers.csv", c.base))
            .query(&[("from", from.as_str()), ("to", to.as_str())])
            .bearer_auth(&token)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !resp.status().is_success() {
            return Err(format!("export: {}", resp.status()));
        }
        let mut lines = 0u64;
        while let Some(chunk) = resp.chunk().await.map_err(|e| e.to_string())? {
            bytes += chunk.len() as u64;
            lines += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
        }
        let took = t.elapsed();
        export_time += took;
        let n = lines.saturating_sub(1);
        rows += n;
        exports.push((org, n, took.as_secs_f64()));
        org += 1;
    }
    stop.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    let peak_kb = peak.load(Ordering::Relaxed);
    let growth_mb = peak_kb.saturating_sub(rss_before) as f64 / 1024.0;
    let rows_per_s = rows as f64 / export_time.as_secs_f64();

    println!();
    for (org, n, s) in &exports {
        println!(
            "export organization {org}: {n} rows in {s:.2} s ({:.0} rows/s)",
            *n as f64 / s
        );
    }
    println!();
    let mut v = Verdicts { missed: false };
    let fmt = |(p50, p95, max): (f64, f64, f64), n: usize| {
        format!("p95 {p95:.1} ms (p50 {p50:.1}, max {max:.1}; n={n})")
    };
    let (n_org, n_team) = (org_ms.len(), team_ms.len());
    let s_all = stats(&mut all_ms);
    v.row(
        "searchAnswers, all",
        fmt(s_all, n_org + n_team),
        "p95 < 50 ms",
        s_all.1 < SEARCH_TARGET_MS,
    );
    let s_org = stats(&mut org_ms);
    v.row(
        "searchAnswers, organization-wide",
        fmt(s_org, n_org),
        "p95 < 50 ms",
        s_org.1 < SEARCH_TARGET_MS,
    );
    let s_team = stats(&mut team_ms);
    v.row(
        "searchAnswers, team filter",
        fmt(s_team, n_team),
        "p95 < 50 ms",
        s_team.1 < SEARCH_TARGET_MS,
    );
    for (name, s) in &insight_rows {
        match s {
            Some(s) => v.row(
                name,
                fmt(*s, a.runs),
                "p95 < 100 ms",
                s.1 < INSIGHT_TARGET_MS,
            ),
            None => println!("{name:<44} not in this server's schema: skipped"),
        }
    }
    v.row(
        "export answers.csv, rows/s",
        format!(
            "{rows_per_s:.0} rows/s ({rows} rows, {} MB, {:.1} s, {} org(s))",
            bytes / 1_000_000,
            export_time.as_secs_f64(),
            exports.len()
        ),
        ">= 50,000",
        rows_per_s >= EXPORT_ROWS_PER_S,
    );
    v.row(
        "export: api VmRSS growth",
        format!(
            "{growth_mb:.1} MB ({:.1} -> max {:.1} MB)",
            rss_before as f64 / 1024.0,
            peak_kb as f64 / 1024.0
        ),
        "< 50 MB",
        growth_mb < EXPORT_RSS_MB,
    );
    println!("search hits returned: {hits}");
    println!(
        "RESULT search_p50={:.2} search_p95={:.2} search_max={:.2} export_rows={rows} export_rows_per_s={rows_per_s:.0} rss_growth_mb={growth_mb:.1}",
        s_all.0, s_all.1, s_all.2
    );
    Ok(!v.missed)
}
