use anyhow::Context as _;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = worker::Settings::from_env().context("invalid configuration")?;
    worker::telemetry::init(&settings)?;
    let shutdown = worker::shutdown_signal()?;
    worker::run(settings, shutdown).await?;
    Ok(())
}
