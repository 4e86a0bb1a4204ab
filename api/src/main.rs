use anyhow::Context;
use api::config::Settings;
use secrecy::ExposeSecret;

/// `api` serves; `api migrate` only migrates; `api demo` migrates and fills the demo
/// organization (api::demo); `api seed` migrates and seeds data at scale (api::seed,
/// `SEED_TEAMS`, `SEED_DAYS`, `SEED_RESET`); `api export-schema [PATH]` writes the SDL.
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // `.env` first, so RUST_LOG and LOG_FORMAT in it reach the logger.
    schema_server::settings::load_dotenv()?;
    api::telemetry::init();
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        None | Some("serve") => {
            let settings = Settings::from_env()?;
            let app = api::Application::build(settings).await?;
            app.run_until_stopped()
                .await
                .context("server stopped with an error")
        }
        Some("migrate") => {
            let settings = Settings::from_env()?;
            schema_server::db::ensure_database(settings.database_url.expose_secret()).await?;
            let ran =
                schema_server::db::run_migrations(settings.database_url.expose_secret()).await?;
            println!("applied {ran} migration(s)");
            Ok(())
        }
        Some("demo") => {
            let settings = Settings::from_env()?;
            // Its sign-in is printed and documented: never on a production database.
            anyhow::ensure!(
                !settings.production,
                "api demo refuses APP_ENV=production: the demo sign-in is public"
            );
            let demo = api::demo::fill(settings.database_url.expose_secret(), &settings.public_url)
                .await?;
            let done = if demo.created {
                "created"
            } else {
                "already there; demo password set again"
            };
            println!("demo organization {done}");
            println!("  web UI:   {}/", settings.public_url);
            println!("  e-mail:   {}", demo.email);
            println!("  password: {}", demo.password);
            Ok(())
        }
        Some("seed") => {
            let settings = Settings::from_env()?;
            // Every seeded account shares one printed password: never on production.
            anyhow::ensure!(
                !settings.production,
                "api seed refuses APP_ENV=production: the seeded accounts share a public password"
            );
            let scale = api::seed::SeedScale::from_env()?;
            println!(
                "seeding {} teams of {} (+ one of {}) in {} organization(s), {} days",
                scale.teams,
                api::seed::TEAM_SIZE,
                api::seed::BIG_TEAM_SIZE,
                scale.orgs(),
                scale.days
            );
            let seeded =
                api::seed::fill(settings.database_url.expose_secret(), scale, true).await?;
            let c = &seeded.counts;
            println!(
                "seeded {} organization(s) in {:.0} s: {} people, {} teams, {} standups, {} participations, {} answers, {} blockers",
                seeded.orgs,
                seeded.seconds,
                c.users,
                c.teams,
                c.standups,
                c.participations,
                c.answers,
                c.blockers
            );
            println!("  web UI:   {}/", settings.public_url);
            println!(
                "  first organization's owner: {} / {}",
                seeded.owner_email, seeded.password
            );
            println!(
                "  \"{}\" (50 people) is in the first organization: {} / {}",
                api::seed::BIG_TEAM_NAME,
                seeded.owner_email,
                seeded.password
            );
            println!(
                "  every organization N has owner{{N:04}}@{} with the same password",
                schema_server::db::seed::EMAIL_DOMAIN
            );
            Ok(())
        }
        Some("export-schema") => {
            let path = args
                .next()
                .unwrap_or_else(|| "schema/schema.graphql".into());
            std::fs::write(&path, api::graphql::sdl())
                .with_context(|| format!("writing {path}"))?;
            println!("wrote {path}");
            Ok(())
        }
        Some(other) => {
            anyhow::bail!(
                "unknown command '{other}'; use serve, migrate, demo, seed or export-schema"
            )
        }
    }
}
