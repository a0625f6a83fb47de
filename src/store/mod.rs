//! All SQL lives here. One [`Store`] speaks to SQLite (embedded, the default) or PostgreSQL
//! (for several instances sharing one database); the queries are written once, in the subset
//! of SQL both accept (lower case, `$1` placeholders), and the [`on_pool!`] macro expands each
//! body for both pool types so the compiler checks it against both drivers.

mod changes;
mod directory;
mod hsds;
mod reference;

use std::path::Path;
use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{PgPool, SqlitePool};

pub use changes::Change;
pub use hsds::{TaxonomyRow, TermRow};
pub use reference::{LocatedLocation, NeighbourhoodRow};

/// The PostgreSQL advisory lock every write transaction holds until it ends ("wijk" in ASCII),
/// so that writes commit in change-log order; taken by a trigger (migration 0004), and
/// explicitly by a transaction that reads before it writes and must not be overtaken.
const WRITE_LOCK_KEY: i64 = 0x7769_6a6b;

/// Errors of the storage layer. Callers map them to HTTP or CLI errors.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("{entity} {id} does not exist")]
    MissingReference { entity: &'static str, id: String },
    #[error("{0}")]
    Conflict(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Clone, Debug)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A handle to the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: Pool,
}

/// Runs the same body against whichever pool the store holds.
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.pool {
            $crate::store::Pool::Sqlite($pool) => $body,
            $crate::store::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Reads a column, turning decoding problems into [`StoreError`].
macro_rules! col {
    ($row:expr, $name:literal) => {
        sqlx::Row::try_get($row, $name)?
    };
}
pub(crate) use col;

/// Reads a text column (ids and codes), for parsing.
macro_rules! text {
    ($row:expr, $name:literal) => {
        sqlx::Row::try_get::<String, _>($row, $name)?
    };
}
pub(crate) use text;

impl Store {
    /// Connects to `database_url` when given (a `postgres://` URL selects PostgreSQL, a
    /// `sqlite:` URL SQLite), else to `wijkwijzer.db` in `data_dir`; then runs the migrations.
    pub async fn connect(database_url: Option<&str>, data_dir: &Path) -> StoreResult<Self> {
        let store = match database_url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                let options = PgConnectOptions::from_str(url)?;
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .connect_with(options)
                    .await?;
                Store {
                    pool: Pool::Postgres(pool),
                }
            }
            Some(url) => Self::sqlite(SqliteConnectOptions::from_str(url)?).await?,
            None => {
                let path = data_dir.join("wijkwijzer.db");
                Self::sqlite(
                    SqliteConnectOptions::new()
                        .filename(path)
                        .create_if_missing(true),
                )
                .await?
            }
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn sqlite(options: SqliteConnectOptions) -> StoreResult<Self> {
        // WAL lets readers proceed while the indexer or an import writes; foreign keys are
        // off by default in SQLite and we rely on them for cascading deletes.
        let options = options
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Ok(Store {
            pool: Pool::Sqlite(pool),
        })
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        match &self.pool {
            Pool::Sqlite(pool) => sqlx::migrate!("migrations/sqlite").run(pool).await?,
            Pool::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// "sqlite" or "postgres", for logs and the health endpoint.
    pub fn backend(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    /// A cheap round trip, for `/healthz`.
    pub async fn ping(&self) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("select 1").execute(pool).await?;
        });
        Ok(())
    }

    pub async fn close(&self) {
        on_pool!(self, |pool| pool.close().await)
    }
}

pub(crate) fn parse_uuid(s: &str) -> StoreResult<uuid::Uuid> {
    uuid::Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(format!("bad uuid {s:?}: {e}")))
}

pub(crate) fn parse_enum<T: FromStr>(s: &str) -> StoreResult<T> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("unknown code {s:?}")))
}
