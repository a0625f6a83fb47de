use clap::Parser;
use tracing_subscriber::EnvFilter;

use wijkwijzer::cli::{Cli, Command};
use wijkwijzer::config::LogFormat;

// glibc's allocator spent ~12 % of a loaded server's CPU in malloc/free and their locks
// (profile in BENCHMARKS.md); mimalloc's thread-local heaps avoid most of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tantivy=warn,sqlx=warn"));
    // Logs go to stderr so that a command's own output (e.g. `openapi`) stays clean on stdout.
    let logs = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter);
    match cli.config.log_format {
        LogFormat::Json => logs.json().init(),
        LogFormat::Pretty => logs.init(),
    }
    wijkwijzer::cli::run(cli.config, cli.command.unwrap_or(Command::Serve)).await
}
