//! Typed configuration: command-line flags, each with a `WIJKWIJZER_*` (or `DATABASE_URL`)
//! environment variable and a default that works on a fresh machine.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

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

    /// Days after its last check (`assured_date`) that a listing is marked "Mogelijk
    /// verouderd" for visitors, ranks lower in search and appears on the moderators' list of
    /// stale listings. A listing never checked counts as stale.
    #[arg(
        long,
        env = "WIJKWIJZER_STALE_AFTER_DAYS",
        default_value_t = crate::domain::freshness::DEFAULT_STALE_AFTER_DAYS,
        value_parser = clap::value_parser!(u32).range(1..=3650),
        global = true
    )]
    pub stale_after_days: u32,
    /// The address people use to reach this instance, e.g. `https://wijkwijzer.example.nl`:
    /// links in mails start with it, and an `https` address makes the cookies `Secure`.
    /// Default: `http://` and the listen address.
    #[arg(long, env = "WIJKWIJZER_PUBLIC_URL", value_parser = parse_public_url, global = true)]
    pub public_url: Option<String>,

    /// SMTP server for mail (password resets, invitations), e.g.
    /// `smtp://user:password@mail.example.nl:587?tls=required` (STARTTLS) or
    /// `smtps://user:password@mail.example.nl:465`. Without it, mails are written as .eml
    /// files into `<data dir>/mail/`.
    #[arg(long, env = "WIJKWIJZER_SMTP_URL", global = true)]
    pub smtp_url: Option<String>,

    /// The sender of mails.
    #[arg(
        long,
        env = "WIJKWIJZER_MAIL_FROM",
        default_value = "Wijkwijzer <wijkwijzer@localhost>",
        global = true
    )]
    pub mail_from: String,

    /// How often this instance mails the editors of listings not checked within the stale
    /// period a reminder (at most one per listing per stale period, whatever the number of
    /// instances on one database), e.g. `6h` or `30m`; `0` = never (`wijkwijzer reminders
    /// send` does one run by hand).
    #[arg(
        long,
        env = "WIJKWIJZER_REMINDER_INTERVAL",
        default_value = "6h",
        value_parser = parse_duration,
        global = true
    )]
    pub reminder_interval: Duration,

    /// The master key that wraps the data keys of referrals' personal data: 64 hexadecimal
    /// characters (`wijkwijzer keys generate` prints a new one). Never stored in the database.
    /// Without it, an embedded SQLite instance makes one in `<data-dir>/master.key` on first
    /// start (fine for a demo or one machine); PostgreSQL instances must be given one, so that
    /// all of them share it.
    #[arg(
        long,
        env = "WIJKWIJZER_MASTER_KEY",
        hide_env_values = true,
        global = true
    )]
    pub master_key: Option<String>,

    /// The id stored with each wrapped key, to tell master keys apart when one is replaced.
    #[arg(
        long,
        env = "WIJKWIJZER_MASTER_KEY_ID",
        default_value = "1",
        global = true
    )]
    pub master_key_id: String,

    /// Days after a referral closes before its personal data is erased (the anonymous counts
    /// stay).
    #[arg(
        long,
        env = "WIJKWIJZER_REFERRAL_RETENTION_DAYS",
        default_value_t = 90,
        global = true
    )]
    pub referral_retention_days: u32,

    /// Working days a receiver has to answer a referral before it is reminded (and a few
    /// working days later, the referrer).
    #[arg(
        long,
        env = "WIJKWIJZER_REFERRAL_ANSWER_DAYS",
        default_value_t = 10,
        global = true
    )]
    pub referral_answer_days: u32,

    /// Password hashing cost and sign-in throttling; not settable from outside, so that
    /// production always runs with the safe values (tests lower them in code).
    #[arg(skip)]
    pub accounts: AccountSettings,

    #[command(flatten)]
    pub limits: Limits,
}

/// How accounts behave: the password hashing cost, session lifetimes and sign-in throttling.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountSettings {
    pub password_cost: crate::auth::secrets::PasswordCost,
    pub throttle: LoginThrottle,
}

/// Sign-in throttling, per account and per client address, over a sliding window: after
/// `slow_after` failures each further attempt waits `delay_step` more (up to `max_delay`),
/// and at `block_account_after` (for one account) or `block_address_after` (from one
/// address) failures sign-in is refused until the window has passed since the last failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginThrottle {
    pub window: Duration,
    pub slow_after: u32,
    pub delay_step: Duration,
    pub max_delay: Duration,
    pub block_account_after: u32,
    pub block_address_after: u32,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self {
            window: Duration::from_secs(15 * 60),
            slow_after: 3,
            delay_step: Duration::from_secs(1),
            max_delay: Duration::from_secs(5),
            block_account_after: 10,
            // An office or a community centre shares one address: more room than one account.
            block_address_after: 30,
        }
    }
}

/// An absolute http(s) URL without a trailing slash.
fn parse_public_url(input: &str) -> Result<String, String> {
    let url = input.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("'{input}': begin met https:// of http://"))?;
    if rest.is_empty() || rest.contains(char::is_whitespace) {
        return Err(format!("'{input}' is geen adres"));
    }
    Ok(url.to_string())
}

/// What one client or connection may ask of the service (`serve` only). The defaults serve
/// people and well-behaved harvesters without a noticeable limit; they are there so that one
/// careless or hostile client cannot take the service down (`src/server.rs` says how).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Limits (serve)")]
pub struct Limits {
    /// Open connections at most; capped by the process's open-files limit. When full, the
    /// connection idle longest is closed for a new one; if none is idle, the new one gets a 503.
    #[arg(long, env = "WIJKWIJZER_MAX_CONNECTIONS", default_value_t = Limits::DEFAULT.max_connections, global = true)]
    pub max_connections: usize,

    /// Time a client has to send a complete request head, e.g. `10s` or `500ms` (for HTTP/1.1
    /// keep-alive, waiting for the next request counts too).
    #[arg(long, env = "WIJKWIJZER_HEADER_READ_TIMEOUT", default_value = "10s", value_parser = parse_duration, global = true)]
    pub header_read_timeout: Duration,

    /// A connection without a request in progress is closed after this long.
    #[arg(long, env = "WIJKWIJZER_IDLE_TIMEOUT", default_value = "60s", value_parser = parse_duration, global = true)]
    pub idle_timeout: Duration,

    /// Time a request may take until its response starts (503 after that). A response that
    /// streams, such as an ndjson dump, may take longer to send.
    #[arg(long, env = "WIJKWIJZER_REQUEST_TIMEOUT", default_value = "15s", value_parser = parse_duration, global = true)]
    pub request_timeout: Duration,

    /// A response that makes no progress this long (the client stopped reading) is cut off.
    #[arg(long, env = "WIJKWIJZER_STALL_TIMEOUT", default_value = "60s", value_parser = parse_duration, global = true)]
    pub stall_timeout: Duration,

    /// After SIGTERM: how long requests in progress may take to finish before the remaining
    /// connections are closed and the process exits.
    #[arg(long, env = "WIJKWIJZER_SHUTDOWN_DEADLINE", default_value = "10s", value_parser = parse_duration, global = true)]
    pub shutdown_deadline: Duration,

    /// Longest request target (path and query) in bytes; longer gets a 414.
    #[arg(long, env = "WIJKWIJZER_MAX_URI_BYTES", default_value_t = Limits::DEFAULT.max_uri_bytes, global = true)]
    pub max_uri_bytes: usize,

    /// Largest request head (all header lines) in bytes; larger gets a 431.
    #[arg(long, env = "WIJKWIJZER_MAX_HEADER_BYTES", default_value_t = Limits::DEFAULT.max_header_bytes, global = true)]
    pub max_header_bytes: usize,

    /// Largest request body in bytes (the service reads none); larger gets a 413.
    #[arg(long, env = "WIJKWIJZER_MAX_BODY_BYTES", default_value_t = Limits::DEFAULT.max_body_bytes, global = true)]
    pub max_body_bytes: usize,

    /// Searches per client per minute (`/zoeken`, `/api/v1/search`, HSDS `search=`), which may
    /// all come at once; 0 = no limit. More gets a 429 with Retry-After.
    #[arg(long, env = "WIJKWIJZER_RATE_LIMIT_SEARCH", default_value_t = Limits::DEFAULT.rate_limit_search, global = true)]
    pub rate_limit_search: u32,

    /// HSDS dumps per client per minute (`format=ndjson` or `full=true` on `/hsds/`); 0 = no
    /// limit. More gets a 429 with Retry-After.
    #[arg(long, env = "WIJKWIJZER_RATE_LIMIT_DUMPS", default_value_t = Limits::DEFAULT.rate_limit_dumps, global = true)]
    pub rate_limit_dumps: u32,

    /// Reports of mistakes ("Klopt er iets niet?") per client per hour, which may all come at
    /// once; 0 = no limit. More gets a 429 with Retry-After. Counted in memory only: the
    /// address is never stored.
    #[arg(long, env = "WIJKWIJZER_RATE_LIMIT_REPORTS", default_value_t = Limits::DEFAULT.rate_limit_reports, global = true)]
    pub rate_limit_reports: u32,

    /// Reverse proxies whose `X-Forwarded-For` names the client (comma-separated addresses or
    /// CIDR ranges, e.g. `127.0.0.1,10.0.0.0/8`). Without it, the client is the peer address.
    #[arg(long, env = "WIJKWIJZER_TRUSTED_PROXIES", value_delimiter = ',', value_parser = IpRange::parse, global = true)]
    pub trusted_proxies: Vec<IpRange>,
}

impl Limits {
    /// The defaults, also for tests ([`Config::for_tests`]).
    pub const DEFAULT: Limits = Limits {
        max_connections: 1024,
        header_read_timeout: Duration::from_secs(10),
        idle_timeout: Duration::from_secs(60),
        request_timeout: Duration::from_secs(15),
        stall_timeout: Duration::from_secs(60),
        shutdown_deadline: Duration::from_secs(10),
        max_uri_bytes: 8 * 1024,
        max_header_bytes: 16 * 1024,
        max_body_bytes: 64 * 1024,
        rate_limit_search: 300,
        rate_limit_dumps: 30,
        rate_limit_reports: 10,
        trusted_proxies: Vec::new(),
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// `10s`, `500ms`, `2m`, `6h` or a plain number of seconds.
pub fn parse_duration(input: &str) -> Result<Duration, String> {
    let input = input.trim();
    let (number, unit) = match input.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(at) => input.split_at(at),
        None => (input, "s"),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("'{input}' is geen duur: gebruik bijvoorbeeld 10s of 500ms"))?;
    let seconds = match unit.trim() {
        "ms" => value / 1000.0,
        "s" => value,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        _ => return Err(format!("'{input}': eenheid ms, s, m of h")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("'{input}' is geen duur"))
}

/// An address or a CIDR range of addresses (`10.0.0.0/8`, `::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

impl IpRange {
    pub fn parse(input: &str) -> Result<IpRange, String> {
        let bad = || format!("'{input}' is geen IP-adres of CIDR-bereik (zoals 10.0.0.0/8)");
        let (addr, prefix) = match input.trim().split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix.parse::<u8>().map_err(|_| bad())?)),
            None => (input.trim(), None),
        };
        let network: IpAddr = addr.parse().map_err(|_| bad())?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return Err(bad());
        }
        Ok(IpRange { network, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        // An IPv4 peer may show up as ::ffff:a.b.c.d on a dual-stack socket.
        let ip = ip.to_canonical();
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
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
            stale_after_days: crate::domain::freshness::DEFAULT_STALE_AFTER_DAYS,
            // Off: a test that wants reminders turns them on (mails would surprise others).
            reminder_interval: Duration::ZERO,
            // A fixed test key: tests that check the database holds no clear text need one.
            master_key: Some("5a".repeat(32)),
            master_key_id: "test".into(),
            referral_retention_days: 90,
            referral_answer_days: 10,
            public_url: None,
            smtp_url: None,
            mail_from: "Wijkwijzer <wijkwijzer@localhost>".into(),
            accounts: AccountSettings {
                password_cost: crate::auth::secrets::PasswordCost::TestsOnly,
                throttle: LoginThrottle::default(),
            },
            limits: Limits::default(),
        }
    }

    /// The public address, links start with it: `--public-url`, or `http://` and the listen
    /// address.
    pub fn public_base(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
    }

    /// Whether cookies get `Secure`: the instance is reached over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_base().starts_with("https://")
    }

    /// Whether an empty database on `backend` ("sqlite" or "postgres") gets the demo data.
    pub fn loads_demo_data(&self, backend: &str) -> bool {
        self.demo_data.unwrap_or(backend == "sqlite")
    }

    /// The referral settings.
    pub fn referral_settings(&self) -> crate::referrals::ReferralSettings {
        crate::referrals::ReferralSettings {
            retention_days: self.referral_retention_days,
            answer_within_working_days: self.referral_answer_days,
        }
    }

    /// The master key for referrals' personal data: the configured one; else, on the embedded
    /// SQLite database only, the one in `<data-dir>/master.key`, made on first use (readable by
    /// the owner only). A shared PostgreSQL database needs one key for all instances, so there
    /// it must be configured.
    pub fn master_key(&self, backend: &str) -> anyhow::Result<crate::privacy::MasterKey> {
        use anyhow::Context;
        if let Some(hex) = &self.master_key {
            return crate::privacy::MasterKey::from_hex(self.master_key_id.clone(), hex)
                .context("--master-key / WIJKWIJZER_MASTER_KEY");
        }
        if backend != "sqlite" {
            anyhow::bail!(
                "set --master-key (WIJKWIJZER_MASTER_KEY) to 64 hexadecimal characters: \
                 instances sharing a PostgreSQL database must share the key that protects \
                 referrals (`wijkwijzer keys generate` makes one)"
            );
        }
        let path = self.data_dir.join("master.key");
        let hex = match std::fs::read_to_string(&path) {
            Ok(hex) => hex,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let hex = crate::privacy::MasterKey::generate_hex();
                write_private(&path, &hex)
                    .with_context(|| format!("writing {}", path.display()))?;
                tracing::warn!(
                    path = %path.display(),
                    "no --master-key: made one for referrals; keep this file out of backups \
                     of the database, or set WIJKWIJZER_MASTER_KEY in production"
                );
                hex
            }
            Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
        };
        crate::privacy::MasterKey::from_hex("local", &hex)
            .with_context(|| format!("the key in {}", path.display()))
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
            .field("stale_after_days", &self.stale_after_days)
            .field("public_url", &self.public_url)
            .field("smtp_url", &self.smtp_url.as_ref().map(|u| redact_url(u)))
            .field("mail_from", &self.mail_from)
            .field("master_key", &self.master_key.as_ref().map(|_| "***"))
            .field("master_key_id", &self.master_key_id)
            .field("referral_retention_days", &self.referral_retention_days)
            .field("referral_answer_days", &self.referral_answer_days)
            .field("accounts", &self.accounts)
            .field("limits", &self.limits)
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

/// Writes a new file readable by its owner only (a key).
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents.as_bytes())
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
    fn durations_and_proxy_ranges_parse() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("10"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("6h"), Ok(Duration::from_secs(6 * 3600)));
        for bad in ["", "s", "10 parsecs", "-1s", "1e999s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }

        let lan = IpRange::parse("10.0.0.0/8").unwrap();
        assert!(lan.contains("10.1.2.3".parse().unwrap()));
        assert!(lan.contains("::ffff:10.1.2.3".parse().unwrap()));
        assert!(!lan.contains("11.0.0.1".parse().unwrap()));
        let one = IpRange::parse("127.0.0.1").unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()));
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        let all = IpRange::parse("0.0.0.0/0").unwrap();
        assert!(all.contains("192.0.2.1".parse().unwrap()));
        assert!(!all.contains("::1".parse().unwrap()));
        let v6 = IpRange::parse("fd00::/8").unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()));
        for bad in ["", "10.0.0.0/33", "::/129", "proxy", "10.0.0.0/x"] {
            assert!(IpRange::parse(bad).is_err(), "{bad}");
        }
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
