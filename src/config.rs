//! Typed configuration: command-line flags, each with a `WIJKWIJZER_*` (or `DATABASE_URL`)
//! environment variable and a default that works on a fresh machine.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Settings shared by every subcommand.
#[derive(Clone, Args)]
pub struct Config {
    /// Address to listen on.
    #[arg(
        long,
        env = "WIJKWIJZER_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,

    /// Directory for the SQLite database and the search index.
    #[arg(
        long,
        env = "WIJKWIJZER_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    pub data_dir: PathBuf,

    /// Database URL; a postgres:// URL selects PostgreSQL. Default: SQLite in the data directory.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Load the demo data into an empty database at start.
    #[arg(long, env = "WIJKWIJZER_DEMO_DATA", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub demo_data: bool,

    /// Log format.
    #[arg(long, env = "WIJKWIJZER_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty, global = true)]
    pub log_format: LogFormat,
}

impl Config {
    /// A configuration for tests: random port, given data directory, no demo data.
    pub fn for_tests(data_dir: PathBuf, database_url: Option<String>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir,
            database_url,
            demo_data: false,
            log_format: LogFormat::Pretty,
        }
    }

    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("index")
    }
}

// The database URL may carry a password: never print it.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_ref().map(|u| redact_url(u)),
            )
            .field("demo_data", &self.demo_data)
            .field("log_format", &self.log_format)
            .finish()
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &creds[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/wijk"),
            "postgres://app:***@db:5432/wijk"
        );
        assert_eq!(redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
        let cfg = Config::for_tests("d".into(), Some("postgres://a:pw@h/db".into()));
        assert!(!format!("{cfg:?}").contains("pw@"));
    }
}
