//! Reference data: the vocabularies (HSDS taxonomy/taxonomy_term) and the CBS neighbourhoods.
//! Both are shipped with the binary and written at start when missing or changed; buurten
//! imported with `wijkwijzer geo import` are kept beside the built-in neighbourhoods.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::{Placement, Vocabulary};

use super::{Store, StoreResult, col, on_pool, parse_uuid, text};

/// Rows per multi-row insert: 5 binds each stays far below both databases' bind limits, and
/// ~4,000 rows cost a handful of round trips instead of thousands.
const INSERT_CHUNK: usize = 500;

/// Where a stored neighbourhood comes from (the `source` column).
const BUILT_IN: &str = "cbs";
const IMPORTED: &str = "import";

/// A located location's id, point and current placement, for re-placing after a geo import.
#[derive(Debug, Clone)]
pub struct LocatedLocation {
    pub id: Uuid,
    pub latitude: f64,
    pub longitude: f64,
    pub placement: Placement,
}

/// A neighbourhood as stored: geometry as GeoJSON text.
#[derive(Debug, Clone)]
pub struct NeighbourhoodRow {
    pub code: String,
    pub name: String,
    pub level: &'static str,
    pub parent_code: Option<String>,
    pub geometry_geojson: String,
}

/// Reads a `neighbourhood` row (code, name, level, parent_code, geometry), on either database.
macro_rules! neighbourhood_from_row {
    ($row:expr) => {{
        let row = $row;
        let level = match text!(row, "level").as_str() {
            "gemeente" => "gemeente",
            "wijk" => "wijk",
            "buurt" => "buurt",
            other => {
                return Err(super::StoreError::Corrupt(format!(
                    "unknown neighbourhood level {other:?}"
                )));
            }
        };
        NeighbourhoodRow {
            code: col!(row, "code"),
            name: col!(row, "name"),
            level,
            parent_code: col!(row, "parent_code"),
            geometry_geojson: col!(row, "geometry"),
        }
    }};
}

impl Store {
    /// Writes the vocabularies when the database holds another version of them (existing
    /// terms are updated in place: ids are deterministic); returns whether it wrote. An
    /// unchanged vocabulary is only read, so a start never waits for the write lock that a
    /// long import holds (see migration 0004).
    pub async fn sync_vocabulary(&self, vocabulary: &Vocabulary) -> StoreResult<bool> {
        if self.vocabulary_is_stored(vocabulary).await? {
            return Ok(false);
        }
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for t in &vocabulary.taxonomies {
                sqlx::query(
                    "insert into taxonomy (id, name, description, uri, version) \
                     values ($1, $2, $3, $4, $5) \
                     on conflict (id) do update set name = excluded.name, \
                     description = excluded.description, version = excluded.version",
                )
                .bind(t.id.to_string())
                .bind(&t.name)
                .bind(&t.description)
                .bind(format!("https://wijkwijzer.example/taxonomies/{}", t.code))
                .bind(&t.version)
                .execute(&mut *tx)
                .await?;
            }
            // Parents precede their children in the vocabulary file, so foreign keys hold.
            for term in vocabulary.terms() {
                let taxonomy = vocabulary
                    .taxonomies
                    .iter()
                    .find(|t| t.code == term.taxonomy_code);
                sqlx::query(
                    "insert into taxonomy_term (id, code, name, description, parent_id, taxonomy, \
                     taxonomy_id, language, term_uri, sort_order) \
                     values ($1, $2, $3, $4, $5, $6, $7, 'nl', $8, $9) \
                     on conflict (id) do update set code = excluded.code, name = excluded.name, \
                     description = excluded.description, parent_id = excluded.parent_id, \
                     sort_order = excluded.sort_order",
                )
                .bind(term.id.to_string())
                .bind(&term.code)
                .bind(&term.name)
                .bind(term_description(term))
                .bind(parent_id(vocabulary, term))
                .bind(taxonomy.map(|t| t.name.clone()))
                .bind(taxonomy.map(|t| t.id.to_string()))
                .bind(format!(
                    "https://wijkwijzer.example/taxonomies/{}/{}",
                    term.taxonomy_code, term.code
                ))
                .bind(term_order(term))
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Whether every taxonomy and term of `vocabulary` is stored with the values
    /// [`Self::sync_vocabulary`] would write.
    async fn vocabulary_is_stored(&self, vocabulary: &Vocabulary) -> StoreResult<bool> {
        type StoredTerm = (Option<String>, String, String, Option<String>, Option<i32>);
        let (taxonomies, terms) = on_pool!(self, |pool| {
            let mut taxonomies = std::collections::HashMap::new();
            for row in sqlx::query("select id, name, description, version from taxonomy")
                .fetch_all(pool)
                .await?
            {
                let row = &row;
                let values: (String, String, Option<String>) = (
                    col!(row, "name"),
                    col!(row, "description"),
                    col!(row, "version"),
                );
                taxonomies.insert(text!(row, "id"), values);
            }
            let mut terms: std::collections::HashMap<String, StoredTerm> =
                std::collections::HashMap::new();
            for t in &vocabulary.taxonomies {
                for row in sqlx::query(
                    "select id, code, name, description, parent_id, sort_order \
                     from taxonomy_term where taxonomy_id = $1",
                )
                .bind(t.id.to_string())
                .fetch_all(pool)
                .await?
                {
                    let row = &row;
                    let values: StoredTerm = (
                        col!(row, "code"),
                        col!(row, "name"),
                        col!(row, "description"),
                        col!(row, "parent_id"),
                        col!(row, "sort_order"),
                    );
                    terms.insert(text!(row, "id"), values);
                }
            }
            (taxonomies, terms)
        });
        let taxonomies_stored = vocabulary.taxonomies.iter().all(|t| {
            taxonomies.get(&t.id.to_string())
                == Some(&(
                    t.name.clone(),
                    t.description.clone(),
                    Some(t.version.clone()),
                ))
        });
        let terms_stored = vocabulary.terms().iter().all(|term| {
            terms.get(&term.id.to_string())
                == Some(&(
                    Some(term.code.clone()),
                    term.name.clone(),
                    term_description(term),
                    parent_id(vocabulary, term),
                    Some(term_order(term)),
                ))
        });
        Ok(taxonomies_stored && terms_stored)
    }

    /// How many built-in neighbourhoods are stored (imported buurten not counted).
    pub async fn neighbourhood_count(&self) -> StoreResult<i64> {
        on_pool!(self, |pool| {
            Ok(
                sqlx::query_scalar("select count(*) from neighbourhood where source = $1")
                    .bind(BUILT_IN)
                    .fetch_one(pool)
                    .await?,
            )
        })
    }

    /// Makes the built-in neighbourhoods in the database those of `rows` (parents first) when
    /// their number differs, keeping the imported buurten whose wijk still exists. Returns
    /// `None` when nothing had to change, else the codes of imported buurten dropped because
    /// their wijk is gone. One transaction that first takes the write lock, so two instances
    /// starting at once on one database do this one after the other, and the second finds
    /// the work done.
    pub async fn sync_built_in_neighbourhoods(
        &self,
        rows: &[NeighbourhoodRow],
    ) -> StoreResult<Option<Vec<String>>> {
        if self.neighbourhood_count().await? == rows.len() as i64 {
            return Ok(None);
        }
        let codes: std::collections::HashSet<&str> = rows.iter().map(|r| r.code.as_str()).collect();
        let postgres = self.backend() == "postgres";
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            if postgres {
                sqlx::query("select pg_advisory_xact_lock($1)")
                    .bind(super::WRITE_LOCK_KEY)
                    .execute(&mut *tx)
                    .await?;
            } else {
                // A write first: SQLite then holds its one write lock for the whole
                // transaction (a read that later writes could find the database changed).
                sqlx::query("delete from neighbourhood where code is null")
                    .execute(&mut *tx)
                    .await?;
            }
            let stored: i64 =
                sqlx::query_scalar("select count(*) from neighbourhood where source = $1")
                    .bind(BUILT_IN)
                    .fetch_one(&mut *tx)
                    .await?;
            if stored == rows.len() as i64 {
                // Another instance did it while this one waited for the lock.
                tx.rollback().await?;
                return Ok(None);
            }
            let mut imported: Vec<NeighbourhoodRow> = Vec::new();
            for row in sqlx::query(
                "select code, name, level, parent_code, geometry from neighbourhood \
                 where source = $1 order by code",
            )
            .bind(IMPORTED)
            .fetch_all(&mut *tx)
            .await?
            {
                imported.push(neighbourhood_from_row!(&row));
            }
            let (kept, dropped): (Vec<NeighbourhoodRow>, Vec<NeighbourhoodRow>) = imported
                .into_iter()
                .partition(|r| r.parent_code.as_deref().is_some_and(|p| codes.contains(p)));
            // Imported buurten first, then children before parents, so the self-reference
            // never dangles; the kept imports are written back after the new built-in rows.
            sqlx::query("delete from neighbourhood where source = $1")
                .bind(IMPORTED)
                .execute(&mut *tx)
                .await?;
            for level in ["buurt", "wijk", "gemeente"] {
                sqlx::query("delete from neighbourhood where level = $1")
                    .bind(level)
                    .execute(&mut *tx)
                    .await?;
            }
            for (source, rows) in [(BUILT_IN, rows), (IMPORTED, kept.as_slice())] {
                for chunk in rows.chunks(INSERT_CHUNK) {
                    let mut insert = sqlx::QueryBuilder::new(
                        "insert into neighbourhood (code, name, level, parent_code, geometry, source) ",
                    );
                    insert.push_values(chunk, |mut b, row| {
                        b.push_bind(&row.code)
                            .push_bind(&row.name)
                            .push_bind(row.level)
                            .push_bind(&row.parent_code)
                            .push_bind(&row.geometry_geojson)
                            .push_bind(source);
                    });
                    insert.build().execute(&mut *tx).await?;
                }
            }
            let dropped: Vec<String> = dropped.into_iter().map(|r| r.code).collect();
            tx.commit().await?;
            Ok(Some(dropped))
        })
    }

    /// Stores imported buurten, replacing earlier imports of the same codes. The caller has
    /// checked them against the geography (their wijk exists).
    pub async fn upsert_imported_neighbourhoods(
        &self,
        rows: &[NeighbourhoodRow],
    ) -> StoreResult<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for row in rows {
                sqlx::query(
                    "insert into neighbourhood (code, name, level, parent_code, geometry, source) \
                     values ($1, $2, $3, $4, $5, $6) \
                     on conflict (code) do update set name = excluded.name, \
                     level = excluded.level, parent_code = excluded.parent_code, \
                     geometry = excluded.geometry, source = excluded.source",
                )
                .bind(&row.code)
                .bind(&row.name)
                .bind(row.level)
                .bind(&row.parent_code)
                .bind(&row.geometry_geojson)
                .bind(IMPORTED)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// The neighbourhoods loaded with `wijkwijzer geo import`, by code.
    pub async fn imported_neighbourhoods(&self) -> StoreResult<Vec<NeighbourhoodRow>> {
        on_pool!(self, |pool| {
            let rows = sqlx::query(
                "select code, name, level, parent_code, geometry from neighbourhood \
                 where source = $1 order by code",
            )
            .bind(IMPORTED)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| Ok(neighbourhood_from_row!(row)))
                .collect()
        })
    }

    /// Every location with a point, for placing them again after the geography changed.
    pub async fn located_locations(&self) -> StoreResult<Vec<LocatedLocation>> {
        on_pool!(self, |pool| {
            let rows = sqlx::query(
                "select id, latitude, longitude, gemeente_code, wijk_code, buurt_code \
                 from location where latitude is not null and longitude is not null order by id",
            )
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(LocatedLocation {
                        id: parse_uuid(&text!(row, "id"))?,
                        latitude: col!(row, "latitude"),
                        longitude: col!(row, "longitude"),
                        placement: Placement {
                            gemeente: col!(row, "gemeente_code"),
                            wijk: col!(row, "wijk_code"),
                            buurt: col!(row, "buurt_code"),
                        },
                    })
                })
                .collect()
        })
    }

    /// Writes new placements and logs a change for every service at those locations, in one
    /// transaction, so the search index follows (see `store::changes`).
    pub async fn reassign_locations(&self, placements: &[(Uuid, Placement)]) -> StoreResult<()> {
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for (id, p) in placements {
                sqlx::query(
                    "update location set gemeente_code = $1, wijk_code = $2, buurt_code = $3, \
                     updated_at = $4 where id = $5",
                )
                .bind(&p.gemeente)
                .bind(&p.wijk)
                .bind(&p.buurt)
                .bind(now)
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "insert into change_log (service_id, changed_at) \
                     select service_id, $1 from service_at_location where location_id = $2",
                )
                .bind(now)
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Logs a change for every service that serves one of `codes` by code, or serves an area
    /// drawn as a GeoJSON extent (which may now cover new buurten): their index documents list
    /// the neighbourhoods inside their areas, which a geo import can change. Returns how many
    /// change rows were written.
    pub async fn log_services_serving(&self, codes: &[String]) -> StoreResult<u64> {
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let mut logged = sqlx::query(
                "insert into change_log (service_id, changed_at) \
                 select distinct service_id, $1 from service_area where extent is not null",
            )
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            for code in codes {
                logged += sqlx::query(
                    "insert into change_log (service_id, changed_at) \
                     select distinct service_id, $1 from service_area \
                     where area_code = $2 and extent is null",
                )
                .bind(now)
                .bind(code)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
            Ok(logged)
        })
    }
}

/// The English name when there is one (HSDS `description`), else the Dutch one.
fn term_description(term: &crate::domain::vocabulary::Term) -> String {
    term.name_en.clone().unwrap_or_else(|| term.name.clone())
}

fn parent_id(vocabulary: &Vocabulary, term: &crate::domain::vocabulary::Term) -> Option<String> {
    term.parent_code.as_deref().and_then(|p| {
        vocabulary
            .term(&term.taxonomy_code, p)
            .map(|t| t.id.to_string())
    })
}

fn term_order(term: &crate::domain::vocabulary::Term) -> i32 {
    i32::try_from(term.order).unwrap_or(i32::MAX)
}
