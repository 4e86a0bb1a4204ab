//! Database layer shared by api and worker: tables, row models, embedded migrations,
//! the connection pool and the queries both sides need. One module per aggregate; every
//! query takes `&mut AsyncPgConnection`, so it runs on a pool connection or inside a
//! caller's transaction alike.

pub mod answer_export;
pub mod answer_links;
pub mod answers;
pub mod api_tokens;
pub mod audit;
pub mod away;
pub mod blockers;
pub mod demo;
pub mod holidays;
pub mod insights;
pub mod invitations;
pub mod jobs;
pub mod local_time;
pub mod locks;
pub mod mail_preferences;
pub mod members;
pub mod models;
pub mod mood;
pub mod organizations;
pub mod outbox;
pub mod password_resets;
mod pool;
pub mod rate_limits;
pub mod search;
pub mod seed;
pub mod sessions;
pub mod slack;
pub mod standup_configs;
pub mod standups;
pub mod tables;
pub mod teams;
#[cfg(feature = "testing")]
pub mod testing;
pub mod users;
pub mod welcome_emails;

pub use diesel_async::AsyncPgConnection;
pub use pool::{
    DbConn, DbPool, PoolOptions, StatementCounter, build_pool, database_name,
    embedded_migration_count, ensure_database, maintenance_url, ping, revert_all_migrations,
    run_migrations, with_database,
};

/// Everything that can go wrong talking to PostgreSQL.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database query failed")]
    Query(#[from] diesel::result::Error),
    #[error("could not connect to the database")]
    Connection(#[from] diesel::ConnectionError),
    #[error("no database connection available: {0}")]
    Pool(String),
    #[error("migrations failed: {0}")]
    Migration(String),
    #[error("invalid DATABASE_URL: {0}")]
    Url(String),
}

impl DbError {
    /// True for a unique-constraint violation (a concurrent duplicate insert).
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            DbError::Query(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _
            ))
        )
    }
}
