use super::DbError;
use diesel::ConnectionError;
use diesel::migration::MigrationSource;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use futures_util::FutureExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub type DbPool = Pool<AsyncPgConnection>;
pub type DbConn = Object<AsyncPgConnection>;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Key of the advisory lock that serialises migrations between processes starting together.
const MIGRATION_LOCK_KEY: i64 = 0x4153_5953_5441_4e44; // "ASYSTAND"

#[derive(Clone, Debug)]
pub struct PoolOptions {
    pub max_size: usize,
    pub statement_timeout: Duration,
    pub application_name: String,
    pub wait_timeout: Duration,
    /// Counts every statement the pool's connections run (tests of query counts; a
    /// metric later).
    pub statement_counter: Option<StatementCounter>,
}

/// Counts the statements run by the connections it is installed on.
#[derive(Clone, Debug, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

impl diesel::connection::Instrumentation for StatementCounter {
    fn on_connection_event(&mut self, event: diesel::connection::InstrumentationEvent<'_>) {
        if let diesel::connection::InstrumentationEvent::FinishQuery { .. } = event {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_size: 16,
            statement_timeout: Duration::from_secs(10),
            application_name: "asyncstand".into(),
            wait_timeout: Duration::from_secs(5),
            statement_counter: None,
        }
    }
}

/// A pool whose connections carry `statement_timeout` and `application_name`, recycled
/// without a round trip (`RecyclingMethod::Fast`: a broken connection is dropped on error)
/// and handed out last in, first out.
pub fn build_pool(database_url: &str, options: &PoolOptions) -> Result<DbPool, DbError> {
    let timeout_ms = options.statement_timeout.as_millis();
    let app: String = options
        .application_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let mut config = ManagerConfig::<AsyncPgConnection>::default();
    config.recycling_method = RecyclingMethod::Fast;
    let counter = options.statement_counter.clone();
    config.custom_setup = Box::new(move |url| {
        let setup = format!("SET statement_timeout = {timeout_ms}; SET application_name = '{app}'");
        let counter = counter.clone();
        async move {
            let mut conn = AsyncPgConnection::establish(url).await?;
            conn.batch_execute(&setup)
                .await
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
            // After the setup, so only the work done on the connection counts.
            if let Some(counter) = counter {
                conn.set_instrumentation(counter);
            }
            Ok(conn)
        }
        .boxed()
    });
    let manager = AsyncDieselConnectionManager::new_with_config(database_url, config);
    Pool::builder(manager)
        .max_size(options.max_size)
        // Hand out the most recently returned connection (as PgBouncer does): under light
        // load a few PostgreSQL backends do all the work and stay in the CPU caches,
        // instead of every request waking the coldest of up to `max_size` backends
        // (docs/benchmarks.md, "Open: the organization tail").
        .queue_mode(deadpool::managed::QueueMode::Lifo)
        .wait_timeout(Some(options.wait_timeout))
        .create_timeout(Some(options.wait_timeout))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(|e| DbError::Pool(e.to_string()))
}

/// One round trip (`SELECT 1`): fails when the connection or the server is gone.
pub async fn ping(conn: &mut AsyncPgConnection) -> Result<(), DbError> {
    conn.batch_execute("SELECT 1").await?;
    Ok(())
}

/// Splits `postgres://user@host:5432/name?x=y` into the database name.
pub fn database_name(database_url: &str) -> Result<String, DbError> {
    let (_, rest) = split_url(database_url)?;
    let name = rest.split('?').next().unwrap_or_default();
    if name.is_empty() {
        return Err(DbError::Url("no database name in the URL".into()));
    }
    Ok(name.to_string())
}

/// The same server with another database name (keeps the query string).
pub fn with_database(database_url: &str, name: &str) -> Result<String, DbError> {
    let (base, rest) = split_url(database_url)?;
    let query = rest
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .unwrap_or_default();
    Ok(format!("{base}/{name}{query}"))
}

/// The `postgres` maintenance database on the same server.
pub fn maintenance_url(database_url: &str) -> Result<String, DbError> {
    with_database(database_url, "postgres")
}

fn split_url(url: &str) -> Result<(&str, &str), DbError> {
    let scheme_end = url
        .find("://")
        .ok_or_else(|| DbError::Url("expected postgres://...".into()))?;
    let after = &url[scheme_end + 3..];
    let slash = after
        .find('/')
        .ok_or_else(|| DbError::Url("no database name in the URL".into()))?;
    Ok((&url[..scheme_end + 3 + slash], &after[slash + 1..]))
}

/// Creates the database named in the URL when it does not exist yet.
pub async fn ensure_database(database_url: &str) -> Result<(), DbError> {
    use diesel::sql_types::Text;
    use diesel_async::RunQueryDsl;

    #[derive(diesel::QueryableByName)]
    struct Exists {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        exists: bool,
    }

    let name = database_name(database_url)?;
    if name.contains('"') {
        return Err(DbError::Url("database name must not contain quotes".into()));
    }
    let mut conn = AsyncPgConnection::establish(&maintenance_url(database_url)?).await?;
    let found: Exists =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<Text, _>(&name)
            .get_result(&mut conn)
            .await?;
    if !found.exists {
        match conn
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .await
        {
            Ok(()) => tracing::info!(database = %name, "created database"),
            // Another process created it between our check and our CREATE.
            Err(diesel::result::Error::DatabaseError(_, info))
                if info.message().contains("already exists") => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Runs pending migrations under a PostgreSQL advisory lock, so an api and a worker
/// starting together do not race. Returns how many migrations ran.
pub async fn run_migrations(database_url: &str) -> Result<usize, DbError> {
    with_migration_lock(database_url, |conn| {
        conn.run_pending_migrations(MIGRATIONS)
            .map(|done| done.len())
            .map_err(|e| DbError::Migration(e.to_string()))
    })
    .await
}

/// Reverts every migration (used by the migrations test and `api migrate --revert-all`).
pub async fn revert_all_migrations(database_url: &str) -> Result<usize, DbError> {
    with_migration_lock(database_url, |conn| {
        conn.revert_all_migrations(MIGRATIONS)
            .map(|done| done.len())
            .map_err(|e| DbError::Migration(e.to_string()))
    })
    .await
}

async fn with_migration_lock<F>(database_url: &str, work: F) -> Result<usize, DbError>
where
    F: FnOnce(&mut AsyncConnectionWrapper<AsyncPgConnection>) -> Result<usize, DbError>
        + Send
        + 'static,
{
    let url = database_url.to_owned();
    tokio::task::spawn_blocking(move || {
        use diesel::RunQueryDsl;
        let mut conn: AsyncConnectionWrapper<AsyncPgConnection> =
            diesel::Connection::establish(&url)?;
        diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
            .execute(&mut conn)?;
        let result = work(&mut conn);
        diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
            .execute(&mut conn)?;
        result
    })
    .await
    .map_err(|e| DbError::Migration(format!("migration task failed: {e}")))?
}

/// How many migrations the binary carries (for readiness and tests).
pub fn embedded_migration_count() -> usize {
    MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)
        .map(|m| m.len())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_are_split_and_rebuilt() {
        let url = "postgres://postgres@127.0.0.1:5432/asyncstand?sslmode=disable";
        assert_eq!(database_name(url).unwrap(), "asyncstand");
        assert_eq!(
            with_database(url, "t_1").unwrap(),
            "postgres://postgres@127.0.0.1:5432/t_1?sslmode=disable"
        );
        assert_eq!(
            maintenance_url("postgres://u:p@db/x").unwrap(),
            "postgres://u:p@db/postgres"
        );
        assert!(database_name("postgres://db").is_err());
        assert!(embedded_migration_count() >= 1);
    }
}
