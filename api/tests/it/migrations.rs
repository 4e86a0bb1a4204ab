use crate::helpers::{drop_database, fresh_database};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

#[derive(diesel::QueryableByName)]
struct Table {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
}

async fn tables(url: &str) -> Vec<String> {
    let mut conn = AsyncPgConnection::establish(url).await.unwrap();
    let rows: Vec<Table> = diesel::sql_query(
        "SELECT table_name::text AS table_name FROM information_schema.tables
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations' ORDER BY 1",
    )
    .load(&mut conn)
    .await
    .unwrap();
    rows.into_iter().map(|t| t.table_name).collect()
}

#[tokio::test]
async fn every_migration_runs_reverts_and_runs_again() {
    let (url, name) = fresh_database().await;
    let migrated = tables(&url).await;
    assert!(migrated.contains(&"users".to_string()), "{migrated:?}");
    assert!(migrated.contains(&"outbox".to_string()), "{migrated:?}");

    let reverted = schema_server::db::revert_all_migrations(&url)
        .await
        .unwrap();
    assert_eq!(reverted, schema_server::db::embedded_migration_count());
    assert!(
        tables(&url).await.is_empty(),
        "down.sql leaves tables behind"
    );

    let ran = schema_server::db::run_migrations(&url).await.unwrap();
    assert_eq!(ran, schema_server::db::embedded_migration_count());
    assert_eq!(tables(&url).await, migrated);
    // Running again is a no-op.
    assert_eq!(schema_server::db::run_migrations(&url).await.unwrap(), 0);
    drop_database(&name);
}

#[tokio::test]
async fn a_missing_database_is_created() {
    let base = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/asyncstand".into());
    let name = format!(
        "asyncstand_t_{}_{}",
        chrono::Utc::now().timestamp(),
        uuid::Uuid::new_v4().simple()
    );
    let url = schema_server::db::with_database(&base, &name).unwrap();
    schema_server::db::ensure_database(&url).await.unwrap();
    schema_server::db::ensure_database(&url).await.unwrap();
    assert_eq!(
        schema_server::db::run_migrations(&url).await.unwrap(),
        schema_server::db::embedded_migration_count()
    );
    drop_database(&name);
}
