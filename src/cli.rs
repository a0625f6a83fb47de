//! The `wijkwijzer` command line: one binary, several subcommands.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::Config;

#[derive(Parser)]
#[command(
    name = "wijkwijzer",
    version,
    about = "Sociale kaart en verwijsgids voor een regio in Nederland (standaard: Utrecht)"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the web service (the default).
    Serve,
    /// Apply database migrations and load reference data, then exit.
    Migrate,
    /// Rebuild the search index from the database, then exit.
    Reindex,
    /// Load the shipped Utrecht demo data (also done automatically on first start with the
    /// embedded SQLite database; with PostgreSQL only when asked: `--demo-data`).
    LoadDemo,
    /// Add N generated services to the database (for benchmarks), then reindex.
    Generate {
        /// How many services.
        #[arg(long, default_value_t = 100_000)]
        services: usize,
        /// Random seed, so runs are repeatable.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Import an Open Referral HSDS 3.0 feed: a JSON file (one service or organization, a
    /// list page, an array), ndjson, or the tabular form (a directory of CSV files). Arrays
    /// and ndjson of any size are read as a stream. Prints progress and a summary; exits
    /// non-zero when records were rejected.
    Import {
        path: PathBuf,
        /// Import nothing when any record is invalid.
        #[arg(long)]
        strict: bool,
    },
    /// Export the whole directory as HSDS 3.0 (organizations with their services and
    /// locations nested).
    Export {
        /// `json` (one array), `ndjson` (one organization per line) or `csv` (PATH is a
        /// directory: the HSDS tabular form with a datapackage.json).
        #[arg(long, default_value = "json")]
        format: crate::hsds::export::Format,
        path: PathBuf,
    },
    /// Neighbourhood data (see `geo import --help`).
    Geo {
        #[command(subcommand)]
        command: GeoCommand,
    },
    /// Accounts (see `admin create --help`).
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Reminder mails about listings not checked for a long time (see `reminders send
    /// --help`).
    Reminders {
        #[command(subcommand)]
        command: RemindersCommand,
    },
    /// The master key of referrals' personal data (see `keys generate --help`).
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Print the OpenAPI document.
    Openapi {
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Print a new random master key (64 hexadecimal characters) for WIJKWIJZER_MASTER_KEY.
    /// Keep it apart from the database and its backups: whoever has both can read referrals.
    Generate,
}

#[derive(Subcommand)]
pub enum GeoCommand {
    /// Load the buurten of a CBS wijk- en buurtkaart (GeoJSON in WGS84, features with a
    /// `statcode` or `buurtcode` such as BU08550110 and a name) into the database, place the
    /// stored locations again and update the search index. Restart running services afterwards.
    Import { path: PathBuf },
}

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Make EMAIL an administrator (a new account, or the role added to an existing one) and
    /// print a single-use link (valid 7 days) to set a name and password. There is never a
    /// default password. Set `--public-url` so that the link has the right address.
    Create { email: String },
}

#[derive(Subcommand)]
pub enum RemindersCommand {
    /// Mail the editors of every organisation with listings not checked within the stale
    /// period (`--stale-after-days`) a reminder, once per listing per stale period, then exit.
    /// Running services do this by themselves every `--reminder-interval`; this is safe to
    /// run beside them.
    Send,
}

/// `reminders send`: one reminder run against the configured database.
pub async fn send_reminders(config: Config) -> anyhow::Result<crate::reminders::ReminderRun> {
    let config = Config {
        demo_data: Some(false),
        ..config
    };
    let catalog = crate::app::prepare(&config).await?;
    let mailer = crate::mail::Mailer::new(
        config.smtp_url.as_deref(),
        &config.mail_from,
        &config.data_dir,
    )?;
    let reminders = crate::reminders::Reminders::new(
        catalog.clone(),
        std::sync::Arc::new(mailer),
        config.public_base(),
    );
    let run = reminders.send_due(crate::domain::freshness::today()).await;
    catalog.store.close().await;
    run
}

/// `admin create`: the link to print. Shell access to the server is the permission.
///
/// Opens only the database (which it migrates), not the search index: a running service holds
/// the index's lock, and the first administrator is typically made while it runs.
pub async fn create_administrator(config: Config, email: &str) -> anyhow::Result<String> {
    std::fs::create_dir_all(&config.data_dir)?;
    let store =
        crate::store::Store::connect(config.database_url.as_deref(), &config.data_dir).await?;
    let accounts = crate::accounts::Accounts::new(store.clone(), &config)?;
    let link = accounts
        .create_administrator(email)
        .await
        .map_err(|e| match e {
            crate::accounts::AccountError::Invalid { message, .. } => anyhow::anyhow!(message),
            other => anyhow::anyhow!(other),
        })?;
    store.close().await;
    Ok(link)
}

/// Runs one subcommand to completion.
pub async fn run(config: Config, command: Command) -> anyhow::Result<()> {
    use crate::app::{App, prepare, shutdown_signal};
    tracing::debug!(?config, "configuration");
    match command {
        Command::Serve => {
            let app = App::build(config).await?;
            app.run(shutdown_signal()).await
        }
        Command::Migrate => {
            let config = Config {
                demo_data: Some(false),
                ..config
            };
            prepare(&config).await?;
            tracing::info!("database is up to date");
            Ok(())
        }
        Command::Reindex => {
            let config = Config {
                demo_data: Some(false),
                ..config
            };
            let catalog = prepare(&config).await?;
            let n = catalog.indexer.rebuild().await?;
            println!("reindexed {n} services");
            Ok(())
        }
        Command::LoadDemo => {
            let demo = config.region.demo_set();
            let config = Config {
                demo_data: Some(false),
                ..config
            };
            let catalog = prepare(&config).await?;
            crate::demo::DemoFile::embedded_for(demo)?
                .load(&catalog)
                .await?;
            catalog.indexer.settle().await?;
            println!("demo data loaded");
            Ok(())
        }
        Command::Generate { services, seed } => {
            let config = Config {
                demo_data: Some(false),
                ..config
            };
            let catalog = prepare(&config).await?;
            let started = std::time::Instant::now();
            crate::demo::synthetic::generate(&catalog, services, seed).await?;
            println!(
                "generated {services} services in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            let started = std::time::Instant::now();
            let n = catalog.indexer.rebuild().await?;
            println!(
                "indexed {n} services in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Import { path, strict } => {
            let catalog = prepare(&Config {
                demo_data: Some(false),
                ..config
            })
            .await?;
            let progress = std::sync::Arc::new(ImportProgress::new());
            let shown = progress.clone();
            let options = crate::hsds::import::Options {
                strict,
                progress: Some(Box::new(move |p: &crate::hsds::import::Progress| {
                    shown.show(p)
                })),
            };
            let started = std::time::Instant::now();
            let report = crate::hsds::import::import_path(&catalog, &path, &options).await?;
            drop(options);
            progress.finish();
            eprintln!(
                "imported {} records in {:.1} s; updating the search index",
                progress.records(),
                started.elapsed().as_secs_f64()
            );
            catalog.indexer.settle().await?;
            print!("{report}");
            if !report.problems.is_empty() {
                anyhow::bail!(
                    "{} problem(s) in {}{}",
                    report.problems.len(),
                    path.display(),
                    if report.aborted {
                        "; nothing was imported"
                    } else {
                        "; the valid records were imported"
                    }
                );
            }
            Ok(())
        }
        Command::Export { format, path } => {
            let catalog = prepare(&Config {
                demo_data: Some(false),
                ..config
            })
            .await?;
            let n = crate::hsds::export::export_path(&catalog, format, &path).await?;
            println!("exported {n} organizations to {}", path.display());
            Ok(())
        }
        Command::Geo {
            command: GeoCommand::Import { path },
        } => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            let catalog = prepare(&Config {
                demo_data: Some(false),
                ..config
            })
            .await?;
            let report = crate::geo_import::import_buurten(&catalog, &text)
                .await
                .with_context(|| format!("importing {}", path.display()))?;
            print!("{report}");
            if report.imported.is_empty() {
                anyhow::bail!("no buurten found in {}", path.display());
            }
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::Create { email },
        } => {
            let link = create_administrator(config, &email).await?;
            println!(
                "{} is beheerder. Stuur deze link (werkt één keer, 7 dagen) om een naam en \
                 wachtwoord te kiezen:\n{link}",
                email.trim().to_lowercase()
            );
            Ok(())
        }
        Command::Reminders {
            command: RemindersCommand::Send,
        } => {
            let run = send_reminders(config).await?;
            println!(
                "{} herinnering(en) verstuurd over {} aanbod",
                run.mails, run.listings
            );
            Ok(())
        }
        Command::Keys {
            command: KeysCommand::Generate,
        } => {
            println!("{}", crate::privacy::MasterKey::generate_hex());
            Ok(())
        }
        Command::Openapi { output } => {
            let doc = crate::api::openapi_json()?;
            match output {
                Some(path) => std::fs::write(path, doc)?,
                None => println!("{doc}"),
            }
            Ok(())
        }
    }
}

/// Shows how an import is going on standard error: a progress bar with rate and time left on
/// a terminal; otherwise (a log file, CI) a line every few seconds.
struct ImportProgress {
    bar: Option<indicatif::ProgressBar>,
    state: std::sync::Mutex<ProgressState>,
}

struct ProgressState {
    records: usize,
    pass_started: std::time::Instant,
    last_line: std::time::Instant,
    checking: Option<bool>,
}

/// Seconds between progress lines when standard error is not a terminal.
const PROGRESS_LINE_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

impl ImportProgress {
    fn new() -> Self {
        use std::io::IsTerminal;
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} {msg} [{bar:30}] {bytes}/{total_bytes} · {bytes_per_sec} · \
                     {eta} left",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar
        });
        let now = std::time::Instant::now();
        Self {
            bar,
            state: std::sync::Mutex::new(ProgressState {
                records: 0,
                pass_started: now,
                last_line: now,
                checking: None,
            }),
        }
    }

    fn show(&self, p: &crate::hsds::import::Progress) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        let now = std::time::Instant::now();
        state.records = p.records;
        if state.checking != Some(p.checking) {
            // A new pass (strict mode checks first, then writes): the file is read again.
            state.checking = Some(p.checking);
            state.pass_started = now;
            if let Some(bar) = &self.bar {
                bar.reset();
                bar.set_length(p.bytes_total);
            }
        }
        let verb = if p.checking { "checking" } else { "importing" };
        let seconds = now
            .duration_since(state.pass_started)
            .as_secs_f64()
            .max(0.001);
        let rate = p.records as f64 / seconds;
        if let Some(bar) = &self.bar {
            if p.records.is_multiple_of(64) || p.bytes_read >= p.bytes_total {
                bar.set_message(format!("{verb}: {} records ({rate:.0}/s)", p.records));
                bar.set_position(p.bytes_read.min(p.bytes_total));
            }
            return;
        }
        // A line at the start of each pass too, so that a log shows when writing began.
        let new_pass = p.records == 1 || now == state.pass_started;
        if !new_pass && now.duration_since(state.last_line) < PROGRESS_LINE_EVERY {
            return;
        }
        state.last_line = now;
        let mb = |b: u64| b as f64 / 1_048_576.0;
        let left = if p.bytes_read > 0 && p.bytes_total > p.bytes_read {
            let per_byte = seconds / p.bytes_read as f64;
            format!(
                ", about {:.0} s left",
                per_byte * (p.bytes_total - p.bytes_read) as f64
            )
        } else {
            String::new()
        };
        eprintln!(
            "{verb}: {} records, {:.1} of {:.1} MB, {rate:.0} records/s{left}",
            p.records,
            mb(p.bytes_read),
            mb(p.bytes_total),
        );
    }
}

impl ImportProgress {
    /// Records read in the last pass.
    fn records(&self) -> usize {
        self.state.lock().map_or(0, |s| s.records)
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
