//! All SQL lives here. One [`Store`] speaks to SQLite (embedded, the default) or PostgreSQL
//! (for several instances sharing one database); the queries are written once, in the subset
//! of SQL both accept (lower case, `$1` placeholders), and the [`on_pool!`] macro expands each
//! body for both pool types so the compiler checks it against both drivers.

pub mod accounts;
mod changes;
mod directory;
mod events;
mod freshness;
mod hsds;
pub mod moderation;
mod needs;
mod reference;
pub mod referrals;
mod reports;
mod requests;

use std::path::Path;
use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{PgPool, SqlitePool};

pub use accounts::{ApiTokenRow, LinkPurpose, UserRow};
pub use changes::Change;
pub use freshness::StaleService;
pub use hsds::{ChildOwner, TaxonomyRow, TermRow};
pub use moderation::{ChangeRequestRow, Entity, HistoryRow, RequestStatus};
pub use needs::{NeedsOfferingRow, NeedsReferralRow};
pub use reference::{LocatedLocation, NeighbourhoodRow};
pub use reports::{NewReport, ReportRow};
pub use requests::{Decision, RequestDetails, RequestKind, RequestRow};

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

/// An open write transaction. Writes through it append their change-log rows at
/// [`WriteTx::commit`], in the same transaction, so the index never sees uncommitted data and
/// a rolled-back or killed import leaves nothing behind. Dropped without `commit`, it rolls
/// back.
pub struct WriteTx {
    tx: Tx,
    /// Services whose search documents the writes so far change, logged at commit.
    changed: Changed,
}

enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// What the change log must hear about at commit. Logged then rather than per write: a long
/// transaction (a strict import) would otherwise hold low sequence numbers uncommitted for
/// its whole run, which an index reading the log has to wait for; at commit the window is
/// one statement. Vectors, not sets, so that [`WriteTx::rollback_to_savepoint`] can cut them
/// back to a mark.
#[derive(Default)]
struct Changed {
    services: Vec<uuid::Uuid>,
    /// Every service of these organisations (their name is in each service's document).
    organizations: Vec<uuid::Uuid>,
    /// Every service at these locations.
    locations: Vec<uuid::Uuid>,
}

/// Where a [`WriteTx::savepoint`] was set.
#[derive(Debug, Clone, Copy)]
pub struct Savepoint {
    services: usize,
    organizations: usize,
    locations: usize,
}

/// Runs the same body against whichever transaction a [`WriteTx`] holds; `$conn` is the
/// connection (`&mut *$conn` as executor).
macro_rules! on_tx {
    ($wtx:expr, |$conn:ident| $body:expr) => {
        match &mut $wtx.tx {
            $crate::store::Tx::Sqlite(t) => {
                let $conn: &mut sqlx::SqliteConnection = &mut *t;
                $body
            }
            $crate::store::Tx::Postgres(t) => {
                let $conn: &mut sqlx::PgConnection = &mut *t;
                $body
            }
        }
    };
}
pub(crate) use on_tx;

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
        // `secure_delete`: what a write frees (an erased referral's wrapped key and sealed
        // fields, a closed report's contact) is overwritten with zeros, not left in free space
        // of the database file, where erased personal data could still be read back.
        let options = options
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .pragma("secure_delete", "on")
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

    /// Starts a write transaction (see [`WriteTx`]).
    pub async fn begin(&self) -> StoreResult<WriteTx> {
        let tx = match &self.pool {
            // Takes the write lock at once: a deferred transaction that reads first and then
            // writes fails (SQLITE_BUSY, no retry) when another connection wrote in between.
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin_with("begin immediate").await?),
            Pool::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        };
        Ok(WriteTx {
            tx,
            changed: Changed::default(),
        })
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

/// How many ids go into one statement's `in (...)` list or one multi-row insert.
const LOG_CHUNK: usize = 400;

impl WriteTx {
    /// Logs what changed, then commits: the change-log rows become visible together with
    /// the data they describe.
    pub async fn commit(mut self) -> StoreResult<()> {
        self.log_changes().await?;
        match self.tx {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Undoes everything written through this transaction.
    pub async fn rollback(self) -> StoreResult<()> {
        match self.tx {
            Tx::Sqlite(t) => t.rollback().await?,
            Tx::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }

    /// Sets a savepoint (one at a time): writes after it can be undone alone, e.g. one import
    /// record whose write failed, keeping the rest of the batch.
    pub async fn savepoint(&mut self) -> StoreResult<Savepoint> {
        on_tx!(self, |conn| {
            sqlx::query("savepoint record").execute(&mut *conn).await?;
        });
        Ok(Savepoint {
            services: self.changed.services.len(),
            organizations: self.changed.organizations.len(),
            locations: self.changed.locations.len(),
        })
    }

    /// Keeps what was written since the savepoint.
    pub async fn release_savepoint(&mut self) -> StoreResult<()> {
        on_tx!(self, |conn| {
            sqlx::query("release savepoint record")
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    /// Undoes what was written since the savepoint (also after a failed statement, which on
    /// PostgreSQL leaves the transaction unusable until this).
    pub async fn rollback_to_savepoint(&mut self, mark: Savepoint) -> StoreResult<()> {
        on_tx!(self, |conn| {
            sqlx::query("rollback to savepoint record")
                .execute(&mut *conn)
                .await?;
            sqlx::query("release savepoint record")
                .execute(&mut *conn)
                .await?;
        });
        self.changed.services.truncate(mark.services);
        self.changed.organizations.truncate(mark.organizations);
        self.changed.locations.truncate(mark.locations);
        Ok(())
    }

    async fn log_changes(&mut self) -> StoreResult<()> {
        let changed = std::mem::take(&mut self.changed);
        let mut services: std::collections::BTreeSet<uuid::Uuid> =
            changed.services.into_iter().collect();
        for (sql, parents) in [
            (
                "select id from service where organization_id in ",
                changed.organizations,
            ),
            (
                "select service_id as id from service_at_location where location_id in ",
                changed.locations,
            ),
        ] {
            let mut parents = parents;
            parents.sort();
            parents.dedup();
            for chunk in parents.chunks(LOG_CHUNK) {
                on_tx!(self, |conn| {
                    let rows = directory::fetch_in!(&mut *conn, sql, chunk);
                    for row in &rows {
                        services.insert(parse_uuid(&text!(row, "id"))?);
                    }
                });
            }
        }
        let now = time::OffsetDateTime::now_utc();
        let services: Vec<uuid::Uuid> = services.into_iter().collect();
        for chunk in services.chunks(LOG_CHUNK) {
            on_tx!(self, |conn| {
                let mut qb =
                    sqlx::QueryBuilder::new("insert into change_log (service_id, changed_at) ");
                qb.push_values(chunk, |mut row, id| {
                    row.push_bind(id.to_string()).push_bind(now);
                });
                qb.build().execute(&mut *conn).await?;
            });
        }
        Ok(())
    }
}
