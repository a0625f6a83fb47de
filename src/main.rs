use clap::Parser;
use tracing_subscriber::EnvFilter;

use wijkwijzer::cli::{Cli, Command};
use wijkwijzer::config::LogFormat;

// glibc's allocator spent ~12 % of a loaded server's CPU in malloc/free and their locks
// (profile in BENCHMARKS.md); mimalloc's thread-local heaps avoid most of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_arena_eager_commit` in mimalloc.h (the `mi_option_e` enum, the same number in
/// mimalloc v2 and v3); the bindings name only a few options.
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;

/// mimalloc's arenas are committed as they are used instead of whole, up front. With the
/// defaults, eight full HSDS dumps of 100,000 services at once took the server to 358 MB
/// (266 MB heap); with this, to 269 MB (180 MB heap) at about the same dump time
/// (BENCHMARKS.md, "HSDS dumps that stream"). Also purging freed memory at once
/// (`MIMALLOC_PURGE_DELAY=0`) gained nothing more when set here, and cost dump time.
/// mimalloc's own variable (`MIMALLOC_ARENA_EAGER_COMMIT`) still wins: set from its first
/// allocation, together with `MIMALLOC_PURGE_DELAY=0`, the peak was 195 MB.
fn commit_memory_as_used() {
    if std::env::var_os("MIMALLOC_ARENA_EAGER_COMMIT").is_none() {
        // SAFETY: a plain setter of one of mimalloc's global options (thread-safe, read by
        // mimalloc when it makes an arena).
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0) }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    commit_memory_as_used();
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
