//! Load generator for `docs/benchmarks.md` (driven by `api/scripts/bench.sh`).
//!
//! It shares the machine with the api and PostgreSQL, so it stays lean: one
//! current-thread Tokio runtime, a minimal HTTP/1.1 client over keep-alive TCP
//! connections, request bytes serialised once up front, and latencies kept as raw
//! microsecond samples (sorted once at the end for exact percentiles).
//!
//! Every response is checked: a non-200 status, an unparsable response or a GraphQL
//! `errors` member counts as an error (the first few are printed).
//!
//! ```text
//! loadgen signup --addr HOST:PORT --users N [--concurrency C] --out FILE
//! loadgen closed --addr A --users-file F --connections N --seconds S [--name NAME]
//! loadgen open   --addr A --users-file F --rate R --connections N --seconds S
//! loadgen login  --addr A --users-file F --connections N --seconds S
//! loadgen storm  --addr A --users-file F --rate R --connections N --login-connections L [--login-rate R] --seconds S
//! common: [--pid API_PID] (samples VmRSS/VmHWM) [--results FILE] (appends a RESULT line)
//! ```
//!
//! `closed`: each connection sends the `organization` query as soon as the previous
//! answer arrived. `open`: requests are scheduled at fixed intervals (rate R in total,
//! spread over the connections) and latency runs from the *scheduled* send time, so a
//! stalled server cannot hide its queueing (no coordinated omission). `login`: closed-loop
//! `logIn` mutations. `storm`: `open` for `organization` while `login` runs beside it.

use anyhow::{Context as _, Result, anyhow, bail};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::rc::Rc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

const PASSWORD: &str = "correct horse battery staple";
const ORGANIZATION_QUERY: &str = "{ organization { id name } }";
const LOGIN_MUTATION: &str = "mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }";
const SIGNUP_MUTATION: &str = "mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }";
/// Error bodies printed per scenario and kind.
const SHOWN_ERRORS: usize = 3;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_default();
    let opts = Opts::parse(args)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async {
        match command.as_str() {
            "signup" => signup(&opts).await,
            "closed" | "open" | "login" | "storm" => scenario(&command, &opts).await,
            _ => {
                bail!("usage: loadgen signup|closed|open|login|storm [--options] (see the source)")
            }
        }
    })
}

// ---------------------------------------------------------------------------------------
// Options

struct Opts(HashMap<String, String>);

impl Opts {
    fn parse(args: impl Iterator<Item = String>) -> Result<Self> {
        let mut map = HashMap::new();
        let mut args = args.peekable();
        while let Some(key) = args.next() {
            let key = key
                .strip_prefix("--")
                .ok_or_else(|| anyhow!("expected --option, got {key}"))?
                .to_string();
            let value = args
                .next()
                .ok_or_else(|| anyhow!("--{key} needs a value"))?;
            map.insert(key, value);
        }
        Ok(Self(map))
    }

    fn str(&self, key: &str) -> Result<&str> {
        self.0
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| anyhow!("--{key} is required"))
    }

    fn num<T: std::str::FromStr>(&self, key: &str, default: Option<T>) -> Result<T> {
        match self.0.get(key) {
            Some(v) => v.parse().map_err(|_| anyhow!("--{key}: not a number: {v}")),
            None => default.ok_or_else(|| anyhow!("--{key} is required")),
        }
    }
}

// ---------------------------------------------------------------------------------------
// A minimal HTTP/1.1 keep-alive client

struct Conn {
    addr: String,
    stream: Option<TcpStream>,
    buf: Vec<u8>,
}

struct Reply<'a> {
    status: u16,
    body: &'a [u8],
}

impl Conn {
    fn new(addr: &str) -> Self {
        Self {
            addr: addr.to_string(),
            stream: None,
            buf: Vec::with_capacity(4096),
        }
    }

    /// Sends one pre-serialised request and reads the whole response. On any failure
    /// the connection is dropped and reopened by the next call.
    async fn roundtrip(&mut self, request: &[u8]) -> Result<Reply<'_>> {
        match self.try_roundtrip(request).await {
            Ok((status, start, end, keep_alive)) => {
                if !keep_alive {
                    self.stream = None;
                }
                Ok(Reply {
                    status,
                    body: &self.buf[start..end],
                })
            }
            Err(e) => {
                self.stream = None;
                Err(e)
            }
        }
    }

    async fn try_roundtrip(&mut self, request: &[u8]) -> Result<(u16, usize, usize, bool)> {
        if self.stream.is_none() {
            let stream = TcpStream::connect(&self.addr)
                .await
                .with_context(|| format!("connecting to {}", self.addr))?;
            stream.set_nodelay(true)?;
            self.stream = Some(stream);
        }
        let stream = self
            .stream
            .as_mut()
            .ok_or_else(|| anyhow!("no connection"))?;
        stream.write_all(request).await?;
        self.buf.clear();
        // Headers.
        let (status, header_len, length, chunked, keep_alive) = loop {
            read_more(stream, &mut self.buf).await?;
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut response = httparse::Response::new(&mut headers);
            if let httparse::Status::Complete(len) = response.parse(&self.buf)? {
                let status = response.code.unwrap_or(0);
                let (mut length, mut chunked, mut keep_alive) = (None, false, true);
                for h in response.headers.iter() {
                    if h.name.eq_ignore_ascii_case("content-length") {
                        length = Some(std::str::from_utf8(h.value)?.trim().parse::<usize>()?);
                    } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
                        chunked = h.value.eq_ignore_ascii_case(b"chunked");
                    } else if h.name.eq_ignore_ascii_case("connection") {
                        keep_alive = !h.value.eq_ignore_ascii_case(b"close");
                    }
                }
                break (status, len, length, chunked, keep_alive);
            }
        };
        // Body.
        if let Some(length) = length {
            while self.buf.len() < header_len + length {
                read_more(stream, &mut self.buf).await?;
            }
            return Ok((status, header_len, header_len + length, keep_alive));
        }
        if !chunked {
            bail!("response without Content-Length or chunked encoding");
        }
        // Chunked: decode in place into buf[header_len..body_end].
        let mut pos = header_len; // next unread chunk header
        let mut body_end = header_len;
        loop {
            let line_end = loop {
                if let Some(i) = self.buf[pos..].windows(2).position(|w| w == b"\r\n") {
                    break pos + i;
                }
                read_more(stream, &mut self.buf).await?;
            };
            let size_text = std::str::from_utf8(&self.buf[pos..line_end])?;
            let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)?;
            let data_start = line_end + 2;
            while self.buf.len() < data_start + size + 2 {
                read_more(stream, &mut self.buf).await?;
            }
            if size == 0 {
                return Ok((status, header_len, body_end, keep_alive));
            }
            self.buf
                .copy_within(data_start..data_start + size, body_end);
            body_end += size;
            pos = data_start + size + 2;
        }
    }
}

async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<()> {
    buf.reserve(4096);
    let n = stream.read_buf(buf).await?;
    if n == 0 {
        bail!("connection closed by the server");
    }
    Ok(())
}

fn graphql_request(
    addr: &str,
    token: Option<&str>,
    query: &str,
    variables: serde_json::Value,
) -> Vec<u8> {
    let body = serde_json::json!({ "query": query, "variables": variables }).to_string();
    let mut head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(token) = token {
        let _ = write!(head, "Authorization: Bearer {token}\r\n");
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

/// A 200 answer with `data` and no `errors` member.
fn check(reply: &Reply<'_>) -> std::result::Result<(), String> {
    let has = |needle: &[u8]| reply.body.windows(needle.len()).any(|w| w == needle);
    if reply.status == 200 && has(b"\"data\"") && !has(b"\"errors\"") {
        Ok(())
    } else {
        Err(format!(
            "HTTP {} {}",
            reply.status,
            String::from_utf8_lossy(&reply.body[..reply.body.len().min(300)])
        ))
    }
}

// ---------------------------------------------------------------------------------------
// Sign-up: creates the benchmark users and stores their tokens

async fn signup(opts: &Opts) -> Result<()> {
    let addr = opts.str("addr")?.to_string();
    let users: usize = opts.num("users", None)?;
    let concurrency: usize = opts.num("concurrency", Some(4))?;
    let out = opts.str("out")?.to_string();
    let run = format!("{:x}", std::process::id() ^ now_nanos());
    let next = Rc::new(RefCell::new(0usize));
    let lines = Rc::new(RefCell::new(Vec::new()));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency.max(1) {
        let (addr, run, next, lines) = (addr.clone(), run.clone(), next.clone(), lines.clone());
        tasks.push(tokio::task::spawn_local(async move {
            let mut conn = Conn::new(&addr);
            loop {
                let i = {
                    let mut n = next.borrow_mut();
                    if *n >= users {
                        return Ok::<_, anyhow::Error>(());
                    }
                    *n += 1;
                    *n - 1
                };
                let email = format!("bench-{run}-{i}@example.com");
                let request = graphql_request(
                    &addr,
                    None,
                    SIGNUP_MUTATION,
                    serde_json::json!({ "i": {
                        "email": email, "password": PASSWORD,
                        "name": format!("Bench User {i}"),
                        "organizationName": format!("Bench Org {i}"),
                    }}),
                );
                let reply = conn.roundtrip(&request).await?;
                check(&reply).map_err(|e| anyhow!("signUp failed: {e}"))?;
                let value: serde_json::Value = serde_json::from_slice(reply.body)?;
                let token = value["data"]["signUp"]["accessToken"]
                    .as_str()
                    .ok_or_else(|| anyhow!("signUp returned no accessToken"))?
                    .to_string();
                lines.borrow_mut().push(format!("{email}\t{token}"));
            }
        }));
    }
    for task in tasks {
        task.await??;
    }
    let lines = lines.borrow();
    std::fs::write(&out, lines.join("\n") + "\n").with_context(|| format!("writing {out}"))?;
    println!(
        "signed up {} users in {:.1} s -> {out}",
        lines.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn now_nanos() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// Scenarios

#[derive(Default)]
struct Stats {
    /// Latency in microseconds: from the scheduled send time in open loop.
    latencies: Vec<u32>,
    /// Open loop only: from the actual send (the server's part, without client lag).
    service: Vec<u32>,
    errors: u64,
    shown: Vec<String>,
}

impl Stats {
    fn record(&mut self, result: std::result::Result<(), String>, latency: Duration) {
        self.latencies
            .push(latency.as_micros().min(u32::MAX as u128) as u32);
        if let Err(e) = result {
            self.errors += 1;
            if self.shown.len() < SHOWN_ERRORS {
                self.shown.push(e);
            }
        }
    }
}

type Shared = Rc<RefCell<Stats>>;

struct Users {
    emails: Vec<String>,
    tokens: Vec<String>,
}

fn read_users(path: &str) -> Result<Users> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
    let (mut emails, mut tokens) = (Vec::new(), Vec::new());
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (email, token) = line
            .split_once('\t')
            .ok_or_else(|| anyhow!("{path}: expected 'email<TAB>token' lines"))?;
        emails.push(email.to_string());
        tokens.push(token.to_string());
    }
    if emails.is_empty() {
        bail!("{path} holds no users");
    }
    Ok(Users { emails, tokens })
}

async fn scenario(kind: &str, opts: &Opts) -> Result<()> {
    let addr = opts.str("addr")?.to_string();
    let users = read_users(opts.str("users-file")?)?;
    let seconds: f64 = opts.num("seconds", Some(20.0))?;
    let connections: usize = opts.num("connections", Some(32))?;
    let name = opts
        .0
        .get("name")
        .cloned()
        .unwrap_or_else(|| kind.to_string());
    let pid: Option<u32> = opts.0.get("pid").and_then(|p| p.parse().ok());
    let duration = Duration::from_secs_f64(seconds);

    let org_requests: Vec<Rc<[u8]>> = users
        .tokens
        .iter()
        .map(|t| {
            Rc::from(graphql_request(
                &addr,
                Some(t),
                ORGANIZATION_QUERY,
                serde_json::json!({}),
            ))
        })
        .collect();
    let login_requests: Vec<Rc<[u8]>> = users
        .emails
        .iter()
        .map(|e| {
            Rc::from(graphql_request(
                &addr,
                None,
                LOGIN_MUTATION,
                serde_json::json!({ "i": { "email": e, "password": PASSWORD } }),
            ))
        })
        .collect();

    // Open every connection before the clock starts.
    let mut org_conns = Vec::new();
    let mut login_conns = Vec::new();
    let (org_count, login_count) = match kind {
        "closed" | "open" => (connections, 0),
        "login" => (0, connections),
        _ => (connections, opts.num("login-connections", Some(4))?),
    };
    for _ in 0..org_count {
        org_conns.push(connected(&addr).await?);
    }
    for _ in 0..login_count {
        login_conns.push(connected(&addr).await?);
    }

    let org_stats: Shared = Rc::default();
    let login_stats: Shared = Rc::default();
    let sampler = pid.map(|pid| tokio::task::spawn_local(sample_memory(pid)));
    let start = Instant::now() + Duration::from_millis(10);
    let end = start + duration;
    let mut tasks = Vec::new();
    let rate: f64 = if matches!(kind, "open" | "storm") {
        opts.num("rate", None)?
    } else {
        0.0
    };
    // `storm --login-rate R`: logins at a fixed rate (open loop) instead of as fast as possible.
    let login_rate: f64 = if kind == "storm" {
        opts.num("login-rate", Some(0.0))?
    } else {
        0.0
    };
    for (i, conn) in org_conns.into_iter().enumerate() {
        let request = org_requests[i % org_requests.len()].clone();
        let stats = org_stats.clone();
        if rate > 0.0 {
            tasks.push(tokio::task::spawn_local(open_loop(
                conn, request, stats, start, end, rate, i, org_count,
            )));
        } else {
            tasks.push(tokio::task::spawn_local(closed_loop(
                conn,
                vec![request],
                stats,
                start,
                end,
            )));
        }
    }
    for (j, conn) in login_conns.into_iter().enumerate() {
        // Each login connection cycles through its own share of the accounts.
        let mine: Vec<Rc<[u8]>> = login_requests
            .iter()
            .skip(j)
            .step_by(login_count)
            .cloned()
            .collect();
        let mine = if mine.is_empty() {
            vec![login_requests[j % login_requests.len()].clone()]
        } else {
            mine
        };
        if login_rate > 0.0 {
            tasks.push(tokio::task::spawn_local(open_loop(
                conn,
                mine[0].clone(),
                login_stats.clone(),
                start,
                end,
                login_rate,
                j,
                login_count,
            )));
        } else {
            tasks.push(tokio::task::spawn_local(closed_loop(
                conn,
                mine,
                login_stats.clone(),
                start,
                end,
            )));
        }
    }
    for task in tasks {
        task.await?;
    }
    let elapsed = start.elapsed().as_secs_f64().max(seconds);
    let memory = match sampler {
        Some(s) => {
            s.abort();
            let (rss, hwm) = read_memory(pid.unwrap_or(0));
            Some((MEMORY_MAX.with(|m| m.get()).max(rss), hwm))
        }
        None => None,
    };

    let mode = match kind {
        "closed" => format!("closed loop, {connections} connections"),
        "open" => format!("open loop at {rate} req/s over {connections} connections"),
        "login" => format!("closed loop, {connections} connections"),
        _ if login_rate > 0.0 => format!(
            "organization open loop at {rate} req/s over {connections} connections + logIn open loop at {login_rate}/s over {login_count} connections"
        ),
        _ => format!(
            "organization open loop at {rate} req/s over {connections} connections + logIn closed loop over {login_count} connections"
        ),
    };
    println!("== {name}: {mode}, {seconds} s ==");
    let mut result = format!("RESULT {name}");
    if org_count > 0 {
        let s = org_stats.borrow();
        report("organization", &s, elapsed, rate > 0.0, &mut result);
    }
    if login_count > 0 {
        let s = login_stats.borrow();
        report("logIn", &s, elapsed, login_rate > 0.0, &mut result);
    }
    if let Some((rss, hwm)) = memory {
        println!(
            "  api memory: VmRSS max {:.1} MB, VmHWM {:.1} MB",
            rss as f64 / 1024.0,
            hwm as f64 / 1024.0
        );
        let _ = write!(result, " rss_max_kb={rss} hwm_kb={hwm}");
    }
    if let Some(path) = opts.0.get("results") {
        let mut text = std::fs::read_to_string(path).unwrap_or_default();
        text.push_str(&result);
        text.push('\n');
        std::fs::write(path, text).with_context(|| format!("writing {path}"))?;
    }
    Ok(())
}

async fn connected(addr: &str) -> Result<Conn> {
    let mut conn = Conn::new(addr);
    let stream = TcpStream::connect(addr)
        .await
        .with_context(|| format!("connecting to {addr}"))?;
    stream.set_nodelay(true)?;
    conn.stream = Some(stream);
    Ok(conn)
}

async fn closed_loop(
    mut conn: Conn,
    requests: Vec<Rc<[u8]>>,
    stats: Shared,
    start: Instant,
    end: Instant,
) {
    tokio::time::sleep_until(start.into()).await;
    let mut i = 0;
    loop {
        let sent = Instant::now();
        if sent >= end {
            return;
        }
        let request = &requests[i % requests.len()];
        i += 1;
        let result = match conn.roundtrip(request).await {
            Ok(reply) => check(&reply),
            Err(e) => Err(format!("{e:#}")),
        };
        stats.borrow_mut().record(result, sent.elapsed());
    }
}

#[allow(clippy::too_many_arguments)] // one call site, all plain values
async fn open_loop(
    mut conn: Conn,
    request: Rc<[u8]>,
    stats: Shared,
    start: Instant,
    end: Instant,
    rate: f64,
    index: usize,
    connections: usize,
) {
    // Request k (k = index, index + connections, ...) is due at start + k / rate.
    let mut k = index as f64;
    loop {
        let due = start + Duration::from_secs_f64(k / rate);
        if due >= end {
            return;
        }
        tokio::time::sleep_until(due.into()).await;
        let sent = Instant::now();
        let result = match conn.roundtrip(&request).await {
            Ok(reply) => check(&reply),
            Err(e) => Err(format!("{e:#}")),
        };
        let done = Instant::now();
        let mut s = stats.borrow_mut();
        s.record(result, done.duration_since(due));
        s.service
            .push(done.duration_since(sent).as_micros().min(u32::MAX as u128) as u32);
        k += connections as f64;
    }
}

fn report(label: &str, stats: &Stats, elapsed: f64, open: bool, result: &mut String) {
    let mut lat = stats.latencies.clone();
    lat.sort_unstable();
    let n = lat.len();
    let rps = n as f64 / elapsed;
    let pct = |sorted: &[u32], p: f64| -> f64 {
        if sorted.is_empty() {
            return 0.0;
        }
        let i = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[i.clamp(1, sorted.len()) - 1] as f64 / 1000.0
    };
    let (p50, p90, p99, max) = (
        pct(&lat, 50.0),
        pct(&lat, 90.0),
        pct(&lat, 99.0),
        pct(&lat, 100.0),
    );
    println!(
        "  {label:<12} requests {n:>8}  errors {:>5}  req/s {rps:>9.1}  latency ms p50 {p50:.2}  p90 {p90:.2}  p99 {p99:.2}  max {max:.2}{}",
        stats.errors,
        if open { "  (from scheduled send)" } else { "" }
    );
    let key = if label == "logIn" { "login" } else { "org" };
    let _ = write!(
        result,
        " {key}_requests={n} {key}_errors={} {key}_rps={rps:.1} {key}_p50={p50:.3} {key}_p90={p90:.3} {key}_p99={p99:.3} {key}_max={max:.3}",
        stats.errors
    );
    if open {
        let mut service = stats.service.clone();
        service.sort_unstable();
        let (s50, s99) = (pct(&service, 50.0), pct(&service, 99.0));
        println!(
            "  {:<12} service time (from actual send) p50 {s50:.2}  p99 {s99:.2}",
            ""
        );
        let _ = write!(result, " {key}_service_p99={s99:.3}");
    }
    for e in &stats.shown {
        println!("  {label} error: {e}");
    }
}

thread_local! {
    static MEMORY_MAX: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Samples the api's VmRSS every 100 ms, keeping the maximum.
async fn sample_memory(pid: u32) {
    MEMORY_MAX.with(|m| m.set(0));
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        tick.tick().await;
        let (rss, _) = read_memory(pid);
        MEMORY_MAX.with(|m| m.set(m.get().max(rss)));
    }
}

/// (VmRSS, VmHWM) in KiB; zeros when the process is gone.
fn read_memory(pid: u32) -> (u64, u64) {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return (0, 0);
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
