//! Test support (feature `testing`): every test gets a database of its own, cloned from a
//! template that has every migration applied. The template is named after the migration
//! files, so a changed migration gets a fresh one; databases left by crashed runs (their
//! names carry the creation time) are swept after three hours.

use super::tables::users;
use super::{DbError, ensure_database, maintenance_url, run_migrations, with_database};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use schema::ids::UserId;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::OnceCell;

/// Serialises template creation and cloning across test processes.
const TEMPLATE_LOCK: i64 = 0x4153_5445_5354_0001;
const PREFIX: &str = "asyncstand_t_";
const SWEEP_AFTER_SECS: u64 = 3 * 3600;

static TEMPLATE: OnceCell<String> = OnceCell::const_new();
static SWEPT: OnceCell<()> = OnceCell::const_new();

/// `DATABASE_URL`, or the local default.
pub fn base_database_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/asyncstand".into())
}

/// A migrated database of one test's own.
#[derive(Clone, Debug)]
pub struct TestDatabase {
    pub url: String,
    pub name: String,
}

impl TestDatabase {
    pub async fn create() -> Result<Self, DbError> {
        let template = template().await?;
        let mut conn = maintenance().await?;
        SWEPT.get_or_init(|| sweep_leftovers(&mut conn)).await;
        let name = format!("{PREFIX}{}_{}", now_secs(), uuid::Uuid::new_v4().simple());
        conn.batch_execute(&format!("SELECT pg_advisory_lock({TEMPLATE_LOCK})"))
            .await?;
        let created = conn
            .batch_execute(&format!(
                "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
            ))
            .await;
        conn.batch_execute(&format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK})"))
            .await?;
        created?;
        Ok(Self {
            url: with_database(&base_database_url(), &name)?,
            name,
        })
    }

    pub async fn drop_database(&self) -> Result<(), DbError> {
        drop_database(&self.name).await
    }
}

/// Drops a test database, closing its connections.
pub async fn drop_database(name: &str) -> Result<(), DbError> {
    let mut conn = maintenance().await?;
    conn.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await?;
    Ok(())
}

/// The same from synchronous code (a `Drop`): on a thread with a runtime of its own.
pub fn drop_database_blocking(name: &str) {
    let name = name.to_string();
    let _ = std::thread::spawn(move || {
        if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            let _ = rt.block_on(drop_database(&name));
        }
    })
    .join();
}

/// Inserts `count` users (`bench<i>@example.com`, named `Bench <i>`, with a password
/// hash no password matches) and returns every user id of the database: benchmark data.
pub async fn insert_bench_users(
    conn: &mut AsyncPgConnection,
    count: i32,
) -> Result<Vec<UserId>, DbError> {
    use diesel::QueryDsl;
    use diesel_async::RunQueryDsl;
    diesel::sql_query(
        "INSERT INTO users (id, email, name, password_hash)
         SELECT gen_random_uuid(), 'bench' || i || '@example.com', 'Bench ' || i, 'x'
         FROM generate_series(1, $1) AS i",
    )
    .bind::<diesel::sql_types::Integer, _>(count)
    .execute(conn)
    .await?;
    Ok(users::table.select(users::id).load(conn).await?)
}

async fn maintenance() -> Result<AsyncPgConnection, DbError> {
    Ok(AsyncPgConnection::establish(&maintenance_url(&base_database_url())?).await?)
}

async fn template() -> Result<&'static str, DbError> {
    TEMPLATE
        .get_or_try_init(|| async {
            let name = format!("asyncstand_tmpl_{:016x}", migrations_digest());
            let mut conn = maintenance().await?;
            conn.batch_execute(&format!("SELECT pg_advisory_lock({TEMPLATE_LOCK})"))
                .await?;
            let url = with_database(&base_database_url(), &name)?;
            let result = async {
                ensure_database(&url).await?;
                run_migrations(&url).await
            }
            .await;
            conn.batch_execute(&format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK})"))
                .await?;
            result.map(|_| name)
        })
        .await
        .map(String::as_str)
}

/// FNV-1a over the migration files' names and contents.
fn migrations_digest() -> u64 {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    let mut digest = 0xcbf2_9ce4_8422_2325_u64;
    for file in files {
        let name = file
            .strip_prefix(&root)
            .unwrap_or(&file)
            .display()
            .to_string();
        for byte in name.bytes().chain(std::fs::read(&file).unwrap_or_default()) {
            digest = (digest ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    digest
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

async fn sweep_leftovers(conn: &mut AsyncPgConnection) {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    let names: Vec<Name> = diesel::sql_query(
        "SELECT datname FROM pg_database WHERE datname LIKE 'asyncstand\\_t\\_%' OR datname LIKE 'asyncstand\\_w\\_%'",
    )
    .load(conn)
    .await
    .unwrap_or_default();
    let now = now_secs();
    for Name { datname } in names {
        let created: u64 = datname
            .split('_')
            .nth(2)
            .and_then(|s| s.parse().ok())
            .unwrap_or(now);
        if now.saturating_sub(created) > SWEEP_AFTER_SECS {
            let _ = conn
                .batch_execute(&format!(
                    "DROP DATABASE IF EXISTS \"{datname}\" WITH (FORCE)"
                ))
                .await;
        }
    }
}
