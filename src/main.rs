use clap::Parser;
use tracing_subscriber::EnvFilter;

use wijkwijzer::cli::{Cli, Command};
use wijkwijzer::config::LogFormat;

// glibc's allocator spent ~12 % of a loaded server's CPU in malloc/free and their locks
// (profile in BENCHMARKS.md); mimalloc's thread-local heaps avoid most of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_arena_eager_commit` and `mi_option_purge_delay` in mimalloc.h (the `mi_option_e`
/// enum, the same numbers in mimalloc v2 and v3); the bindings name only a few options.
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed memory goes back to the system at once instead of after a delay, and arenas are
/// committed as they are used. With mimalloc's defaults, eight full HSDS dumps of 100,000
/// services at once took the server to 358 MB (266 MB heap); with these, to 278 MB (set here)
/// or 195 MB (set by mimalloc's variables, which apply from its first allocation), at the same
/// dump time (BENCHMARKS.md, "HSDS dumps that stream"). An import of 10,000 services peaks at
/// 147 instead of 234 MB, at the same speed within this machine's noise. mimalloc's own
/// variables (`MIMALLOC_PURGE_DELAY`, `MIMALLOC_ARENA_EAGER_COMMIT`) still win.
fn return_freed_memory_promptly() {
    let set = |option, name: &str| {
        if std::env::var_os(name).is_none() {
            // SAFETY: a plain setter of one of mimalloc's global options (thread-safe, read
            // by mimalloc whenever it purges or makes an arena).
            unsafe { libmimalloc_sys::mi_option_set(option, 0) }
        }
    };
    set(MI_OPTION_PURGE_DELAY, "MIMALLOC_PURGE_DELAY");
    set(MI_OPTION_ARENA_EAGER_COMMIT, "MIMALLOC_ARENA_EAGER_COMMIT");
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    return_freed_memory_promptly();
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
