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
    /// Neighbourhood data (see `geo import --help`).
    Geo {
        #[command(subcommand)]
        command: GeoCommand,
    },
    /// Print the OpenAPI document.
    Openapi {
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum GeoCommand {
    /// Load the buurten of a CBS wijk- en buurtkaart (GeoJSON in WGS84, features with a
    /// `statcode` or `buurtcode` such as BU08550110 and a name) into the database, place the
    /// stored locations again and update the search index. Restart running services afterwards.
    Import { path: PathBuf },
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
            let demo = config.region.demo_set();
            let config = Config {
                demo_data: false,
                ..config
            };
            let catalog = prepare(&config).await?;
            crate::demo::DemoFile::embedded_for(demo)?
                .load(&catalog)
                .await?;
            catalog.indexer.catch_up(&mut Default::default()).await?;
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
            catalog.indexer.catch_up(&mut Default::default()).await?;
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
        Command::Geo {
            command: GeoCommand::Import { path },
        } => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            let catalog = prepare(&Config {
                demo_data: false,
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
