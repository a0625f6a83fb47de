use clap::Parser;
use tracing_subscriber::EnvFilter;

use wijkwijzer::cli::{Cli, Command};
use wijkwijzer::config::LogFormat;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tantivy=warn,sqlx=warn"));
    match cli.config.log_format {
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init(),
        LogFormat::Pretty => tracing_subscriber::fmt().with_env_filter(filter).init(),
    }
    wijkwijzer::cli::run(cli.config, cli.command.unwrap_or(Command::Serve)).await
}
