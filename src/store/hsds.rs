//! Reads and writes that only the HSDS API, import and export need: imported taxonomies and
//! terms, the kept HSDS documents (`hsds_source`), and listings of organisations, locations and
//! services in a stable order.

use std::collections::HashMap;

use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::domain::{Address, Location, Organization, Placement};

use super::directory::{LOCATION_SQL, fetch_in, location_from_row, organization_from_row};
use super::{
    Store, StoreError, StoreResult, WriteTx, col, on_pool, on_tx, parse_enum, parse_uuid, text,
};

const CHUNK: usize = 500;

/// An HSDS taxonomy as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct TaxonomyRow {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub uri: Option<String>,
    pub version: Option<String>,
}

/// An HSDS taxonomy term as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct TermRow {
    pub id: Uuid,
    pub code: Option<String>,
    pub name: String,
    pub description: String,
    pub parent_id: Option<Uuid>,
    pub taxonomy: Option<String>,
    pub taxonomy_id: Option<Uuid>,
    pub language: Option<String>,
    pub term_uri: Option<String>,
}

fn opt_uuid(s: Option<String>) -> StoreResult<Option<Uuid>> {
    s.as_deref().map(parse_uuid).transpose()
}

impl Store {
    pub async fn taxonomies(&self) -> StoreResult<Vec<TaxonomyRow>> {
        on_pool!(self, |pool| {
            let rows = sqlx::query("select * from taxonomy order by name, id")
                .fetch_all(pool)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                out.push(TaxonomyRow {
                    id: parse_uuid(&text!(row, "id"))?,
                    name: col!(row, "name"),
                    description: col!(row, "description"),
                    uri: col!(row, "uri"),
                    version: col!(row, "version"),
                });
            }
            Ok(out)
        })
    }

    /// All terms, ours and imported, in taxonomy order.
    pub async fn taxonomy_terms(&self) -> StoreResult<Vec<TermRow>> {
        on_pool!(self, |pool| {
            let rows = sqlx::query(
                "select * from taxonomy_term order by taxonomy_id, sort_order, name, id",
            )
            .fetch_all(pool)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                out.push(TermRow {
                    id: parse_uuid(&text!(row, "id"))?,
                    code: col!(row, "code"),
                    name: col!(row, "name"),
                    description: col!(row, "description"),
                    parent_id: opt_uuid(col!(row, "parent_id"))?,
                    taxonomy: col!(row, "taxonomy"),
                    taxonomy_id: opt_uuid(col!(row, "taxonomy_id"))?,
                    language: col!(row, "language"),
                    term_uri: col!(row, "term_uri"),
                });
            }
            Ok(out)
        })
    }

    /// The kept HSDS documents of `entity` objects among `ids`.
    pub async fn hsds_sources(
        &self,
        entity: &str,
        ids: &[Uuid],
    ) -> StoreResult<HashMap<Uuid, String>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            on_pool!(self, |pool| {
                let mut qb = QueryBuilder::new("select id, body from hsds_source where entity = ");
                qb.push_bind(entity.to_string());
                qb.push(" and id in (");
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind(id.to_string());
                }
                qb.push(")");
                for row in &qb.build().fetch_all(pool).await? {
                    out.insert(parse_uuid(&text!(row, "id"))?, col!(row, "body"));
                }
            });
        }
        Ok(out)
    }

    /// Every organisation id, by name.
    pub async fn organization_ids(&self) -> StoreResult<Vec<Uuid>> {
        self.ids("select id from organization order by name, id")
            .await
    }

    /// Every service id, by name (the order of unfiltered HSDS lists and exports).
    pub async fn service_ids_by_name(&self) -> StoreResult<Vec<Uuid>> {
        self.ids("select id from service order by name, id").await
    }

    async fn ids(&self, sql: &'static str) -> StoreResult<Vec<Uuid>> {
        on_pool!(self, |pool| {
            let rows = sqlx::query(sql).fetch_all(pool).await?;
            rows.iter()
                .map(|row| parse_uuid(&text!(row, "id")))
                .collect()
        })
    }

    /// Organisations in the order of `ids` (missing ones left out).
    pub async fn load_organizations(&self, ids: &[Uuid]) -> StoreResult<Vec<Organization>> {
        let mut found: HashMap<Uuid, Organization> = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            on_pool!(self, |pool| {
                for row in fetch_in!(pool, "select * from organization where id in ", chunk) {
                    let org = organization_from_row!(&row);
                    found.insert(org.id, org);
                }
            });
        }
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// Locations in the order of `ids` (missing ones left out).
    pub async fn load_locations(&self, ids: &[Uuid]) -> StoreResult<Vec<Location>> {
        let mut found: HashMap<Uuid, Location> = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            on_pool!(self, |pool| {
                for row in fetch_in!(pool, LOCATION_SQL, chunk) {
                    let loc = location_from_row!(&row);
                    found.insert(loc.id, loc);
                }
            });
        }
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// Locations that belong to these organisations, by organisation.
    pub async fn location_ids_of_organizations(
        &self,
        org_ids: &[Uuid],
    ) -> StoreResult<HashMap<Uuid, Vec<Uuid>>> {
        self.children(
            "select organization_id as parent, id from location where organization_id in ",
            org_ids,
        )
        .await
    }

    /// Services of these organisations, by organisation, each list by name.
    pub async fn service_ids_of_organizations(
        &self,
        org_ids: &[Uuid],
    ) -> StoreResult<HashMap<Uuid, Vec<Uuid>>> {
        self.children(
            "select organization_id as parent, id from service where organization_id in ",
            org_ids,
        )
        .await
    }

    /// Locations of these services, by service.
    pub async fn location_ids_of_services(
        &self,
        service_ids: &[Uuid],
    ) -> StoreResult<HashMap<Uuid, Vec<Uuid>>> {
        self.children(
            "select service_id as parent, location_id as id from service_at_location \
             where service_id in ",
            service_ids,
        )
        .await
    }

    /// The (service, location) a service-at-location id stands for: our own row id, or the id
    /// an imported feed gave it (kept in the service's HSDS document).
    pub async fn find_service_at_location(&self, id: Uuid) -> StoreResult<Option<(Uuid, Uuid)>> {
        let id_text = id.to_string();
        on_pool!(self, |pool| {
            let row = sqlx::query(
                "select service_id, location_id from service_at_location where id = $1",
            )
            .bind(&id_text)
            .fetch_optional(pool)
            .await?;
            if let Some(row) = &row {
                return Ok(Some((
                    parse_uuid(&text!(row, "service_id"))?,
                    parse_uuid(&text!(row, "location_id"))?,
                )));
            }
            let rows = sqlx::query(
                "select id, body from hsds_source where entity = 'service' and body like $1",
            )
            .bind(format!("%{id_text}%"))
            .fetch_all(pool)
            .await?;
            for row in &rows {
                let body: String = col!(row, "body");
                let Ok(doc) = serde_json::from_str::<serde_json::Value>(&body) else {
                    continue;
                };
                let found = doc
                    .get("service_at_locations")
                    .and_then(|v| v.as_array())
                    .into_iter()
                    .flatten()
                    .find(|sal| sal.get("id").and_then(|v| v.as_str()) == Some(id_text.as_str()))
                    .and_then(|sal| sal.get("location_id")?.as_str().map(str::to_string));
                if let Some(location) = found {
                    return Ok(Some((
                        parse_uuid(&text!(row, "id"))?,
                        parse_uuid(&location)?,
                    )));
                }
            }
            Ok(None)
        })
    }

    async fn children(
        &self,
        sql: &'static str,
        parents: &[Uuid],
    ) -> StoreResult<HashMap<Uuid, Vec<Uuid>>> {
        let mut out: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for chunk in parents.chunks(CHUNK) {
            on_pool!(self, |pool| {
                for row in fetch_in!(pool, sql, chunk) {
                    let parent: Option<String> = col!(&row, "parent");
                    if let Some(parent) = parent {
                        out.entry(parse_uuid(&parent)?)
                            .or_default()
                            .push(parse_uuid(&text!(&row, "id"))?);
                    }
                }
            });
        }
        for list in out.values_mut() {
            list.sort();
        }
        Ok(out)
    }
}

/// A child row (schedule, contact, service area) that already exists, and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildOwner {
    /// `schedule`, `contact` or `service_area`.
    pub table: &'static str,
    pub service_id: Option<Uuid>,
}

/// Reads through a write transaction, so that an import sees what it wrote itself.
impl WriteTx {
    pub async fn upsert_taxonomy(
        &mut self,
        t: &TaxonomyRow,
        source: Option<&str>,
    ) -> StoreResult<()> {
        on_tx!(self, |tx| {
            sqlx::query(
                "insert into taxonomy (id, name, description, uri, version) \
                 values ($1, $2, $3, $4, $5) \
                 on conflict (id) do update set name = excluded.name, \
                 description = excluded.description, uri = excluded.uri, \
                 version = excluded.version",
            )
            .bind(t.id.to_string())
            .bind(&t.name)
            .bind(&t.description)
            .bind(&t.uri)
            .bind(&t.version)
            .execute(&mut *tx)
            .await?;
            if let Some(body) = source {
                super::directory::put_source!(&mut *tx, "taxonomy", t.id.to_string(), body);
            }
            Ok(())
        })
    }

    /// Writes a term. A parent or taxonomy that is not in the database is stored as absent
    /// (the kept HSDS document still holds the reference).
    pub async fn upsert_term(&mut self, t: &TermRow, source: Option<&str>) -> StoreResult<()> {
        on_tx!(self, |tx| {
            sqlx::query(
                "insert into taxonomy_term (id, code, name, description, parent_id, taxonomy, \
                 taxonomy_id, language, term_uri) values ($1, $2, $3, $4, \
                 (select id from taxonomy_term where id = $5), $6, \
                 (select id from taxonomy where id = $7), $8, $9) \
                 on conflict (id) do update set code = excluded.code, name = excluded.name, \
                 description = excluded.description, parent_id = excluded.parent_id, \
                 taxonomy = excluded.taxonomy, taxonomy_id = excluded.taxonomy_id, \
                 language = excluded.language, term_uri = excluded.term_uri",
            )
            .bind(t.id.to_string())
            .bind(&t.code)
            .bind(&t.name)
            .bind(&t.description)
            .bind(t.parent_id.map(|p| p.to_string()))
            .bind(&t.taxonomy)
            .bind(t.taxonomy_id.map(|p| p.to_string()))
            .bind(&t.language)
            .bind(&t.term_uri)
            .execute(&mut *tx)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(db) if db.is_unique_violation() => {
                    StoreError::Conflict(format!(
                        "taxonomy term code {:?} already exists in that taxonomy",
                        t.code
                    ))
                }
                _ => StoreError::Database(e),
            })?;
            if let Some(body) = source {
                super::directory::put_source!(&mut *tx, "taxonomy_term", t.id.to_string(), body);
            }
            Ok(())
        })
    }

    /// Which of `ids` exist as `entity` (`organization`, `location`, `service`,
    /// `taxonomy_term`).
    pub async fn existing_ids(
        &mut self,
        entity: &str,
        ids: &[Uuid],
    ) -> StoreResult<std::collections::HashSet<Uuid>> {
        let sql = match entity {
            "organization" => "select id from organization where id in ",
            "location" => "select id from location where id in ",
            "service" => "select id from service where id in ",
            "taxonomy_term" => "select id from taxonomy_term where id in ",
            other => return Err(StoreError::Corrupt(format!("no table for {other}"))),
        };
        let mut out = std::collections::HashSet::new();
        for chunk in ids.chunks(CHUNK) {
            on_tx!(self, |tx| {
                for row in fetch_in!(&mut *tx, sql, chunk) {
                    out.insert(parse_uuid(&text!(&row, "id"))?);
                }
            });
        }
        Ok(out)
    }

    /// The ids of our own category and target-group terms each of these services carries.
    pub async fn own_term_ids_of_services(
        &mut self,
        service_ids: &[Uuid],
    ) -> StoreResult<HashMap<Uuid, Vec<Uuid>>> {
        self.children(
            "select link_id as parent, taxonomy_term_id as id from attribute \
             where link_entity = 'service' and link_type in ('category', 'target_group') \
             and link_id in ",
            service_ids,
        )
        .await
    }

    /// The kept HSDS documents of `entity` objects among `ids`.
    pub async fn hsds_sources(
        &mut self,
        entity: &str,
        ids: &[Uuid],
    ) -> StoreResult<HashMap<Uuid, String>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            on_tx!(self, |tx| {
                let mut qb = QueryBuilder::new("select id, body from hsds_source where entity = ");
                qb.push_bind(entity.to_string());
                qb.push(" and id in (");
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind(id.to_string());
                }
                qb.push(")");
                for row in &qb.build().fetch_all(&mut *tx).await? {
                    out.insert(parse_uuid(&text!(row, "id"))?, col!(row, "body"));
                }
            });
        }
        Ok(out)
    }

    /// Which of `ids` are already schedules, contacts or service areas, and of which service
    /// (their ids are one namespace per table, so a feed can collide with another service's).
    pub async fn child_owners(&mut self, ids: &[Uuid]) -> StoreResult<HashMap<Uuid, ChildOwner>> {
        let mut out = HashMap::new();
        for (table, sql) in [
            (
                "schedule",
                "select id, service_id from schedule where id in ",
            ),
            ("contact", "select id, service_id from contact where id in "),
            (
                "service_area",
                "select id, service_id from service_area where id in ",
            ),
        ] {
            for chunk in ids.chunks(CHUNK) {
                on_tx!(self, |tx| {
                    for row in fetch_in!(&mut *tx, sql, chunk) {
                        let service: Option<String> = col!(&row, "service_id");
                        out.insert(
                            parse_uuid(&text!(&row, "id"))?,
                            ChildOwner {
                                table,
                                service_id: opt_uuid(service)?,
                            },
                        );
                    }
                });
            }
        }
        Ok(out)
    }

    /// The term that already has `code` in taxonomy `taxonomy_id` (codes are unique per
    /// taxonomy), if any.
    pub async fn term_with_code(
        &mut self,
        taxonomy_id: Uuid,
        code: &str,
    ) -> StoreResult<Option<Uuid>> {
        on_tx!(self, |tx| {
            let id: Option<String> = sqlx::query_scalar(
                "select id from taxonomy_term where taxonomy_id = $1 and code = $2",
            )
            .bind(taxonomy_id.to_string())
            .bind(code)
            .fetch_optional(&mut *tx)
            .await?;
            opt_uuid(id)
        })
    }

    /// Organisations among `ids` as stored.
    pub async fn load_organizations(
        &mut self,
        ids: &[Uuid],
    ) -> StoreResult<HashMap<Uuid, Organization>> {
        let mut found = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            on_tx!(self, |tx| {
                for row in fetch_in!(&mut *tx, "select * from organization where id in ", chunk) {
                    let org = organization_from_row!(&row);
                    found.insert(org.id, org);
                }
            });
        }
        Ok(found)
    }

    /// Locations among `ids` as stored.
    pub async fn load_locations(&mut self, ids: &[Uuid]) -> StoreResult<HashMap<Uuid, Location>> {
        let mut found = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            on_tx!(self, |tx| {
                for row in fetch_in!(&mut *tx, LOCATION_SQL, chunk) {
                    let loc = location_from_row!(&row);
                    found.insert(loc.id, loc);
                }
            });
        }
        Ok(found)
    }

    async fn children(
        &mut self,
        sql: &'static str,
        parents: &[Uuid],
    ) -> StoreResult<HashMap<Uuid, Vec<Uuid>>> {
        let mut out: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for chunk in parents.chunks(CHUNK) {
            on_tx!(self, |tx| {
                for row in fetch_in!(&mut *tx, sql, chunk) {
                    let parent: Option<String> = col!(&row, "parent");
                    if let Some(parent) = parent {
                        out.entry(parse_uuid(&parent)?)
                            .or_default()
                            .push(parse_uuid(&text!(&row, "id"))?);
                    }
                }
            });
        }
        for list in out.values_mut() {
            list.sort();
        }
        Ok(out)
    }
}
