//! Reference data: the vocabularies (HSDS taxonomy/taxonomy_term) and the CBS neighbourhoods.
//! Both are shipped with the binary and written at start when missing or changed.

use crate::domain::Vocabulary;

use super::{Store, StoreResult, on_pool};

/// A neighbourhood as stored: geometry as GeoJSON text.
#[derive(Debug, Clone)]
pub struct NeighbourhoodRow {
    pub code: String,
    pub name: String,
    pub level: &'static str,
    pub parent_code: Option<String>,
    pub geometry_geojson: String,
}

impl Store {
    /// Writes the vocabularies; existing terms are updated in place (ids are deterministic).
    pub async fn sync_vocabulary(&self, vocabulary: &Vocabulary) -> StoreResult<()> {
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
                let parent_id = term.parent_code.as_deref().and_then(|p| {
                    vocabulary
                        .term(&term.taxonomy_code, p)
                        .map(|t| t.id.to_string())
                });
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
                .bind(term.name_en.clone().unwrap_or_else(|| term.name.clone()))
                .bind(parent_id)
                .bind(taxonomy.map(|t| t.name.clone()))
                .bind(taxonomy.map(|t| t.id.to_string()))
                .bind(format!(
                    "https://wijkwijzer.example/taxonomies/{}/{}",
                    term.taxonomy_code, term.code
                ))
                .bind(i32::try_from(term.order).unwrap_or(i32::MAX))
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn neighbourhood_count(&self) -> StoreResult<i64> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar("select count(*) from neighbourhood")
                .fetch_one(pool)
                .await?)
        })
    }

    /// Replaces the neighbourhood table's contents (rows must come parents first).
    pub async fn replace_neighbourhoods(&self, rows: &[NeighbourhoodRow]) -> StoreResult<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            // Children first, so the self-reference never dangles.
            for level in ["buurt", "wijk", "gemeente"] {
                sqlx::query("delete from neighbourhood where level = $1")
                    .bind(level)
                    .execute(&mut *tx)
                    .await?;
            }
            for row in rows {
                sqlx::query(
                    "insert into neighbourhood (code, name, level, parent_code, geometry) \
                     values ($1, $2, $3, $4, $5)",
                )
                .bind(&row.code)
                .bind(&row.name)
                .bind(row.level)
                .bind(&row.parent_code)
                .bind(&row.geometry_geojson)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }
}
