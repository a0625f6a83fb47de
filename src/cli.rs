//! The `wijkwijzer` command line: one binary, several subcommands.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::Config;

#[derive(Parser)]
#[command(
    name = "wijkwijzer",
    version,
    about = "Sociale kaart en verwijsgids voor de regio Utrecht"
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
    /// Load the shipped Utrecht demo data (also done automatically on first start).
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
    /// list page, an array), ndjson, or the tabular form (a directory of CSV files). Prints progress and a summary; exits non-zero when
    /// records were rejected.
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
    /// Print the OpenAPI document.
    Openapi {
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
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
                demo_data: false,
                ..config
            };
            prepare(&config).await?;
            tracing::info!("database is up to date");
            Ok(())
        }
        Command::Reindex => {
            let config = Config {
                demo_data: false,
                ..config
            };
            let catalog = prepare(&config).await?;
            let n = catalog.indexer.rebuild().await?;
            println!("reindexed {n} services");
            Ok(())
        }
        Command::LoadDemo => {
            let config = Config {
                demo_data: false,
                ..config
            };
            let catalog = prepare(&config).await?;
            crate::demo::DemoFile::embedded()?.load(&catalog).await?;
            catalog.indexer.settle().await?;
            println!("demo data loaded");
            Ok(())
        }
        Command::Generate { services, seed } => {
            let config = Config {
                demo_data: false,
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
                demo_data: false,
                ..config
            })
            .await?;
            let options = crate::hsds::import::Options {
                strict,
                progress: Some(Box::new(|done, total| {
                    if done % 500 == 0 || done == total {
                        eprintln!("imported {done}/{total}");
                    }
                })),
            };
            let report = crate::hsds::import::import_path(&catalog, &path, &options).await?;
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
                demo_data: false,
                ..config
            })
            .await?;
            let n = crate::hsds::export::export_path(&catalog, format, &path).await?;
            println!("exported {n} organizations to {}", path.display());
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
