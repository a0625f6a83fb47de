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

    /// Load the demo data into an empty database at start. Default: only into the embedded
    /// SQLite database; a PostgreSQL database gets it only when asked (`--demo-data` or
    /// `--demo-data true`), so an empty production database is never filled with fictitious
    /// offerings by accident.
    #[arg(
        long,
        env = "WIJKWIJZER_DEMO_DATA",
        num_args = 0..=1,
        default_missing_value = "true",
        action = clap::ArgAction::Set,
        global = true
    )]
    pub demo_data: Option<bool>,

    /// Log format.
    #[arg(long, env = "WIJKWIJZER_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty, global = true)]
    pub log_format: LogFormat,

    /// The region this instance serves: `utrecht` (the 26 gemeenten of the province),
    /// `hart-van-brabant`, or a comma-separated list of CBS gemeente codes (GM0855,GM0766).
    #[arg(
        long,
        env = "WIJKWIJZER_REGION",
        default_value = "utrecht",
        value_parser = Region::parse,
        global = true
    )]
    pub region: Region,
}

/// The house style of the pages, chosen by region: Utrecht's own, or a neutral NL Design
/// System theme elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Utrecht,
    Neutral,
}

/// Which demo data set an empty database gets at first start (with `--demo-data`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoSet {
    Utrecht,
    HartVanBrabant,
}

/// The gemeenten an instance serves. It sets the neighbourhood picker (these gemeenten with
/// their wijken), the default map, what "hele regio" means (no area chosen: everything in the
/// directory), the page theme and the demo data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// `utrecht`, `hart-van-brabant` or `eigen` (a list of codes).
    pub name: String,
    /// For people, after "Hele regio": `"Utrecht"`, `"Hart van Brabant"`; for a list of codes
    /// the gemeente names, filled in by [`Region::resolve`].
    pub label: String,
    /// CBS gemeente codes; the first is shown first in lists (the region's main city).
    pub gemeenten: Vec<String>,
    pub theme: Theme,
}

/// The 26 gemeenten of the province of Utrecht (CBS 2024), the city first.
const UTRECHT: [&str; 26] = [
    "GM0344", "GM0307", "GM0308", "GM0310", "GM0312", "GM0313", "GM0317", "GM0321", "GM0327",
    "GM0331", "GM0335", "GM0339", "GM0340", "GM0342", "GM0345", "GM0351", "GM0352", "GM0353",
    "GM0355", "GM0356", "GM0589", "GM0632", "GM0736", "GM1581", "GM1904", "GM1961",
];

/// Hart van Brabant as its social-domain agreement names it: Tilburg, Dongen, Goirle,
/// Hilvarenbeek, Loon op Zand and Oisterwijk.
const HART_VAN_BRABANT: [&str; 6] = ["GM0855", "GM0766", "GM0785", "GM0798", "GM0809", "GM0824"];

impl Default for Region {
    fn default() -> Self {
        Self::utrecht()
    }
}

impl Region {
    pub fn utrecht() -> Self {
        Region {
            name: "utrecht".into(),
            label: "Utrecht".into(),
            gemeenten: UTRECHT.iter().map(|c| c.to_string()).collect(),
            theme: Theme::Utrecht,
        }
    }

    pub fn hart_van_brabant() -> Self {
        Region {
            name: "hart-van-brabant".into(),
            label: "Hart van Brabant".into(),
            gemeenten: HART_VAN_BRABANT.iter().map(|c| c.to_string()).collect(),
            theme: Theme::Neutral,
        }
    }

    /// Parses `--region`: a preset name or a comma-separated list of gemeente codes (shape
    /// only; [`Region::resolve`] checks that they exist). The message names what is accepted.
    pub fn parse(input: &str) -> Result<Region, String> {
        let input = input.trim();
        match input.to_ascii_lowercase().as_str() {
            "utrecht" => return Ok(Self::utrecht()),
            "hart-van-brabant" | "hartvanbrabant" | "hvb" => return Ok(Self::hart_van_brabant()),
            _ => {}
        }
        let mut gemeenten = Vec::new();
        for part in input.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match crate::geo::normalise_code(part) {
                Ok(code) if code.starts_with("GM") => {
                    if !gemeenten.contains(&code) {
                        gemeenten.push(code);
                    }
                }
                _ => {
                    return Err(format!(
                        "'{}' is geen regio: kies utrecht, hart-van-brabant of een lijst \
                         gemeentecodes zoals GM0855,GM0766",
                        part.chars().take(20).collect::<String>()
                    ));
                }
            }
        }
        if gemeenten.is_empty() {
            return Err(
                "geen regio opgegeven: kies utrecht, hart-van-brabant of gemeentecodes".into(),
            );
        }
        let theme = if gemeenten.iter().all(|g| UTRECHT.contains(&g.as_str())) {
            Theme::Utrecht
        } else {
            Theme::Neutral
        };
        Ok(Region {
            name: "eigen".into(),
            label: String::new(),
            gemeenten,
            theme,
        })
    }

    /// Checks the codes against the geography and, for a list of codes, makes the label from
    /// the gemeente names ("Tilburg en Dongen"; "12 gemeenten" for a long list).
    pub fn resolve(mut self, geo: &crate::geo::Geography) -> anyhow::Result<Region> {
        let mut names = Vec::with_capacity(self.gemeenten.len());
        for code in &self.gemeenten {
            match geo.get(code) {
                Some(n) if n.level == crate::geo::Level::Gemeente => names.push(n.name.clone()),
                _ => anyhow::bail!("regio {}: gemeente {code} bestaat niet", self.name),
            }
        }
        if self.label.is_empty() {
            self.label = match names.as_slice() {
                [one] => one.clone(),
                [first @ .., last] if names.len() <= 3 => {
                    format!("{} en {last}", first.join(", "))
                }
                _ => format!("{} gemeenten", names.len()),
            };
        }
        Ok(self)
    }

    /// Whether a gemeente code belongs to the region.
    pub fn contains(&self, gemeente: &str) -> bool {
        self.gemeenten.iter().any(|g| g == gemeente)
    }

    /// The demo data that fits the region best: Hart van Brabant's when the region overlaps
    /// it more than Utrecht, else Utrecht's.
    pub fn demo_set(&self) -> DemoSet {
        let overlap = |preset: &[&str]| {
            self.gemeenten
                .iter()
                .filter(|g| preset.contains(&g.as_str()))
                .count()
        };
        if overlap(&HART_VAN_BRABANT) > overlap(&UTRECHT) {
            DemoSet::HartVanBrabant
        } else {
            DemoSet::Utrecht
        }
    }
}

impl Config {
    /// A configuration for tests: random port, given data directory, no demo data.
    pub fn for_tests(data_dir: PathBuf, database_url: Option<String>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir,
            database_url,
            demo_data: Some(false),
            log_format: LogFormat::Pretty,
            region: Region::utrecht(),
        }
    }

    /// Whether an empty database on `backend` ("sqlite" or "postgres") gets the demo data.
    pub fn loads_demo_data(&self, backend: &str) -> bool {
        self.demo_data.unwrap_or(backend == "sqlite")
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
            .field("region", &self.region.name)
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

    #[test]
    fn demo_data_goes_only_into_sqlite_unless_asked() {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            config: Config,
        }
        // The environment must not decide for this test.
        let parse = |args: &[&str]| {
            let mut all = vec!["wijkwijzer"];
            all.extend_from_slice(args);
            Cli::try_parse_from(all).map(|c| c.config.demo_data)
        };
        if std::env::var_os("WIJKWIJZER_DEMO_DATA").is_none() {
            assert_eq!(parse(&[]).unwrap(), None);
        }
        assert_eq!(parse(&["--demo-data"]).unwrap(), Some(true));
        assert_eq!(parse(&["--demo-data", "true"]).unwrap(), Some(true));
        assert_eq!(parse(&["--demo-data", "false"]).unwrap(), Some(false));

        let mut config = Config::for_tests("d".into(), None);
        config.demo_data = None;
        assert!(config.loads_demo_data("sqlite"));
        assert!(!config.loads_demo_data("postgres"));
        config.demo_data = Some(true);
        assert!(config.loads_demo_data("postgres"));
        config.demo_data = Some(false);
        assert!(!config.loads_demo_data("sqlite"));
    }

    #[test]
    fn regions_parse_presets_and_code_lists() {
        assert_eq!(Region::parse("utrecht"), Ok(Region::utrecht()));
        assert_eq!(
            Region::parse(" Hart-van-Brabant "),
            Ok(Region::hart_van_brabant())
        );
        assert_eq!(Region::utrecht().gemeenten.len(), 26);
        assert_eq!(Region::utrecht().theme, Theme::Utrecht);
        assert_eq!(Region::hart_van_brabant().theme, Theme::Neutral);

        let own = Region::parse("gm0855, GM0766,GM0855").unwrap();
        assert_eq!(own.name, "eigen");
        assert_eq!(own.gemeenten, vec!["GM0855", "GM0766"]);
        assert_eq!(own.theme, Theme::Neutral);
        assert_eq!(own.demo_set(), DemoSet::HartVanBrabant);
        assert_eq!(Region::parse("GM0344").map(|r| r.theme), Ok(Theme::Utrecht));
        assert_eq!(Region::utrecht().demo_set(), DemoSet::Utrecht);

        for bad in ["", " , ", "amsterdam", "WK085501", "GM08", "GM0855,GM99"] {
            let err = Region::parse(bad).unwrap_err();
            assert!(err.contains("regio"), "{bad}: {err}");
        }
    }
}
