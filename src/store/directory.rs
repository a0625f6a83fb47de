//! Organisations, locations and services: writes (each appending to the change log in the same
//! transaction) and batched reads of whole [`ServiceRecord`]s.

use std::collections::HashMap;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::{
    Address, Contact, Cost, Location, Organization, Placement, Schedule, Service, ServiceArea,
    ServiceRecord, Vocabulary,
};

use super::{
    Store, StoreError, StoreResult, WriteTx, col, on_pool, on_tx, parse_enum, parse_uuid, text,
};

/// How many ids go into one `in (...)` list: far below both drivers' bind limits.
const CHUNK: usize = 500;

/// Keeps an object's HSDS document (see migration 0002), replacing an earlier one.
macro_rules! put_source {
    ($tx:expr, $entity:expr, $id:expr, $body:expr) => {
        sqlx::query(
            "insert into hsds_source (entity, id, body) values ($1, $2, $3) \
             on conflict (entity, id) do update set body = excluded.body",
        )
        .bind($entity)
        .bind($id)
        .bind($body)
        .execute($tx)
        .await?
    };
}
pub(crate) use put_source;

/// Fetches rows whose `column` is in `ids`, e.g. `fetch_in!(pool, "select * from x where id in ", ids)`.
macro_rules! fetch_in {
    ($pool:expr, $sql:expr, $ids:expr) => {{
        let mut qb = sqlx::QueryBuilder::new($sql);
        qb.push("(");
        let mut list = qb.separated(", ");
        for id in $ids {
            list.push_bind(id.to_string());
        }
        qb.push(")");
        qb.build().fetch_all($pool).await?
    }};
}
pub(crate) use fetch_in;

/// Maps a row of `select l.*, a.address_1, a.address_2, a.city, a.postal_code from location l
/// left join address a …` to a [`Location`].
macro_rules! location_from_row {
    ($row:expr) => {{
        let row = $row;
        let address_1: Option<String> = col!(row, "address_1");
        let organization_id: Option<String> = col!(row, "organization_id");
        Location {
            id: parse_uuid(&text!(row, "id"))?,
            organization_id: organization_id.as_deref().map(parse_uuid).transpose()?,
            name: col!(row, "name"),
            description: col!(row, "description"),
            latitude: col!(row, "latitude"),
            longitude: col!(row, "longitude"),
            address: match address_1 {
                Some(address_1) => Some(Address {
                    address_1,
                    address_2: col!(row, "address_2"),
                    postal_code: col!(row, "postal_code"),
                    city: col!(row, "city"),
                }),
                None => None,
            },
            wheelchair_accessible: col!(row, "wheelchair_accessible"),
            transportation: col!(row, "transportation"),
            placement: Placement {
                gemeente: col!(row, "gemeente_code"),
                wijk: col!(row, "wijk_code"),
                buurt: col!(row, "buurt_code"),
            },
        }
    }};
}
pub(crate) use location_from_row;

/// The query whose rows [`location_from_row!`] reads; append an id list.
pub(crate) const LOCATION_SQL: &str = "select l.*, a.address_1, a.address_2, a.city, a.postal_code \
     from location l left join address a on a.location_id = l.id where l.id in ";

/// Maps a row of `select * from organization` to an [`Organization`].
macro_rules! organization_from_row {
    ($row:expr) => {{
        let row = $row;
        let provider: Option<String> = col!(row, "provider_type");
        Organization {
            id: parse_uuid(&text!(row, "id"))?,
            name: col!(row, "name"),
            alternate_name: col!(row, "alternate_name"),
            description: col!(row, "description"),
            email: col!(row, "email"),
            website: col!(row, "website"),
            provider_type: provider.as_deref().map(parse_enum).transpose()?,
            phone: col!(row, "phone"),
        }
    }};
}
pub(crate) use organization_from_row;

/// Loads whole services in the order of `ids` through `$exec` (a pool or a transaction's
/// connection); the body of [`Store::load_services`] and [`WriteTx::load_services`].
macro_rules! load_chunk {
    ($exec:expr, $ids:expr) => {'chunk: {
        let ids: &[Uuid] = $ids;
        let mut services: HashMap<Uuid, (Service, OffsetDateTime)> = HashMap::new();
        for row in fetch_in!($exec, "select * from service where id in ", ids) {
            let row = &row;
            let service = Service {
                id: parse_uuid(&text!(row, "id"))?,
                organization_id: parse_uuid(&text!(row, "organization_id"))?,
                name: col!(row, "name"),
                alternate_name: col!(row, "alternate_name"),
                description: col!(row, "description"),
                url: col!(row, "url"),
                email: col!(row, "email"),
                phone: col!(row, "phone"),
                status: parse_enum(&text!(row, "status"))?,
                status_reason: col!(row, "status_reason"),
                categories: Vec::new(),
                target_groups: Vec::new(),
                access_route: parse_enum(&text!(row, "access_route"))?,
                accepts_referrals: col!(row, "accepts_referrals"),
                welzijn_op_recept: col!(row, "welzijn_op_recept"),
                formality: parse_enum(&text!(row, "formality"))?,
                initiative: match col!(row, "initiative") {
                    Some(s) => Some(parse_enum::<crate::domain::Initiative>(&s)?),
                    None::<String> => None,
                },
                setting: parse_enum(&text!(row, "setting"))?,
                group_format: parse_enum(&text!(row, "group_format"))?,
                waiting_time: col!(row, "wait_time"),
                minimum_age: sqlx::Row::try_get::<Option<i32>, _>(row, "minimum_age")?
                    .map(|a| a.clamp(0, 255) as u8),
                maximum_age: sqlx::Row::try_get::<Option<i32>, _>(row, "maximum_age")?
                    .map(|a| a.clamp(0, 255) as u8),
                eligibility: col!(row, "eligibility_description"),
                cost: Cost {
                    kind: parse_enum(&text!(row, "cost_kind"))?,
                    amount: col!(row, "cost_amount"),
                    description: col!(row, "cost_description"),
                },
                languages: Vec::new(),
                assured_date: col!(row, "assured_date"),
                location_ids: Vec::new(),
                service_areas: Vec::new(),
                schedules: Vec::new(),
                contacts: Vec::new(),
                other_term_ids: Vec::new(),
            };
            let modified: OffsetDateTime = col!(row, "last_modified");
            services.insert(service.id, (service, modified));
        }
        let found: Vec<Uuid> = services.keys().copied().collect();
        if found.is_empty() {
            break 'chunk Vec::new();
        }

        let attr_sql = "select a.link_id, a.link_type, a.taxonomy_term_id, t.code from attribute a \
             join taxonomy_term t on t.id = a.taxonomy_term_id \
             where a.link_entity = 'service' and a.link_id in ";
        for row in fetch_in!($exec, attr_sql, &found) {
            let row = &row;
            let sid = parse_uuid(&text!(row, "link_id"))?;
            let link_type: Option<String> = col!(row, "link_type");
            let code: Option<String> = col!(row, "code");
            let term_id = parse_uuid(&text!(row, "taxonomy_term_id"))?;
            if let Some((s, _)) = services.get_mut(&sid) {
                match (link_type.as_deref(), code) {
                    (Some("category"), Some(code)) => s.categories.push(code),
                    (Some("target_group"), Some(code)) => s.target_groups.push(code),
                    _ => s.other_term_ids.push(term_id),
                }
            }
        }
        let sql = "select * from schedule where service_id in ";
        for row in fetch_in!($exec, sql, &found) {
            let row = &row;
            let sid = parse_uuid(&text!(row, "service_id"))?;
            if let Some((s, _)) = services.get_mut(&sid) {
                s.schedules.push(Schedule {
                    id: Some(parse_uuid(&text!(row, "id"))?),
                    freq: col!(row, "freq"),
                    byday: col!(row, "byday"),
                    opens_at: col!(row, "opens_at"),
                    closes_at: col!(row, "closes_at"),
                    description: col!(row, "description"),
                    closed_on_holidays: col!(row, "closed_on_holidays"),
                });
            }
        }
        let sql = "select * from contact where service_id in ";
        for row in fetch_in!($exec, sql, &found) {
            let row = &row;
            let sid = parse_uuid(&text!(row, "service_id"))?;
            if let Some((s, _)) = services.get_mut(&sid) {
                s.contacts.push(Contact {
                    id: Some(parse_uuid(&text!(row, "id"))?),
                    name: col!(row, "name"),
                    title: col!(row, "title"),
                    email: col!(row, "email"),
                    phone: col!(row, "phone"),
                });
            }
        }
        let sql = "select * from service_area where service_id in ";
        for row in fetch_in!($exec, sql, &found) {
            let row = &row;
            let sid = parse_uuid(&text!(row, "service_id"))?;
            if let Some((s, _)) = services.get_mut(&sid) {
                s.service_areas.push(ServiceArea {
                    id: Some(parse_uuid(&text!(row, "id"))?),
                    code: col!(row, "area_code"),
                    name: col!(row, "name"),
                    extent: col!(row, "extent"),
                    extent_type: col!(row, "extent_type"),
                });
            }
        }
        let sql = "select service_id, code from language where service_id in ";
        for row in fetch_in!($exec, sql, &found) {
            let row = &row;
            let sid = parse_uuid(&text!(row, "service_id"))?;
            let code: Option<String> = col!(row, "code");
            if let (Some((s, _)), Some(code)) = (services.get_mut(&sid), code) {
                s.languages.push(code);
            }
        }
        let sql =
            "select service_id, location_id from service_at_location where service_id in ";
        for row in fetch_in!($exec, sql, &found) {
            let row = &row;
            let sid = parse_uuid(&text!(row, "service_id"))?;
            let lid = parse_uuid(&text!(row, "location_id"))?;
            if let Some((s, _)) = services.get_mut(&sid) {
                s.location_ids.push(lid);
            }
        }

        let mut location_ids: Vec<Uuid> = services
            .values()
            .flat_map(|(s, _)| s.location_ids.iter().copied())
            .collect();
        location_ids.sort();
        location_ids.dedup();
        let mut locations: HashMap<Uuid, Location> = HashMap::new();
        for chunk in location_ids.chunks(CHUNK) {
            for row in fetch_in!($exec, LOCATION_SQL, chunk) {
                let row = &row;
                let loc = location_from_row!(row);
                locations.insert(loc.id, loc);
            }
        }

        let mut org_ids: Vec<Uuid> =
            services.values().map(|(s, _)| s.organization_id).collect();
        org_ids.sort();
        org_ids.dedup();
        let mut organizations: HashMap<Uuid, Organization> = HashMap::new();
        for chunk in org_ids.chunks(CHUNK) {
            for row in fetch_in!($exec, "select * from organization where id in ", chunk) {
                let row = &row;
                let org = organization_from_row!(row);
                organizations.insert(org.id, org);
            }
        }

        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let Some((mut service, last_modified)) = services.remove(id) else {
                continue;
            };
            // Stable orders, so that pages, the index and exports do not flicker.
            service.categories.sort();
            service.target_groups.sort();
            service.languages.sort();
            service.schedules.sort_by_key(|s| s.id);
            service.contacts.sort_by_key(|c| c.id);
            service.service_areas.sort_by_key(|a| a.id);
            let organization = organizations
                .get(&service.organization_id)
                .cloned()
                .ok_or_else(|| {
                    StoreError::Corrupt(format!("service {id} has no organization"))
                })?;
            let mut locs: Vec<Location> = service
                .location_ids
                .iter()
                .filter_map(|l| locations.get(l).cloned())
                .collect();
            locs.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
            service.location_ids = locs.iter().map(|l| l.id).collect();
            out.push(ServiceRecord {
                service,
                organization,
                locations: locs,
                last_modified,
            });
        }
        out
    }};
}

fn fk_to_missing(err: sqlx::Error, entity: &'static str, id: String) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            StoreError::MissingReference { entity, id }
        }
        _ => StoreError::Database(err),
    }
}

impl Store {
    /// Writes an organisation; `source` (its HSDS document, when imported) is kept in the same
    /// transaction, `None` leaves any earlier one in place.
    pub async fn upsert_organization(
        &self,
        org: &Organization,
        source: Option<&str>,
    ) -> StoreResult<()> {
        self.upsert_organizations(&[(org, source)]).await
    }

    /// Writes several organisations as [`Self::upsert_organization`] does, in one transaction.
    pub async fn upsert_organizations(
        &self,
        organizations: &[(&Organization, Option<&str>)],
    ) -> StoreResult<()> {
        if organizations.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin().await?;
        for (org, source) in organizations {
            tx.upsert_organization(org, *source).await?;
        }
        tx.commit().await
    }

    /// Writes a location; its [`Placement`] must already be assigned by the caller.
    pub async fn upsert_location(&self, loc: &Location, source: Option<&str>) -> StoreResult<()> {
        self.upsert_locations(&[(loc, source)]).await
    }

    /// Writes several locations as [`Self::upsert_location`] does, in one transaction.
    pub async fn upsert_locations(
        &self,
        locations: &[(&Location, Option<&str>)],
    ) -> StoreResult<()> {
        if locations.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin().await?;
        for (loc, source) in locations {
            tx.upsert_location(loc, *source).await?;
        }
        tx.commit().await
    }

    /// Writes a whole service with its schedules, contacts, areas, languages, categories and
    /// location links, replacing what was there, and logs the change — all in one transaction.
    pub async fn upsert_service(
        &self,
        service: &Service,
        vocabulary: &Vocabulary,
        source: Option<&str>,
    ) -> StoreResult<()> {
        self.upsert_services(&[(service, source)], vocabulary).await
    }

    /// Writes several services as [`Self::upsert_service`] does, all in one transaction.
    pub async fn upsert_services(
        &self,
        services: &[(&Service, Option<&str>)],
        vocabulary: &Vocabulary,
    ) -> StoreResult<()> {
        if services.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin().await?;
        for (service, source) in services {
            tx.upsert_service(service, vocabulary, *source).await?;
        }
        tx.commit().await
    }

    pub async fn delete_service(&self, id: Uuid) -> StoreResult<bool> {
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("delete from attribute where link_entity = 'service' and link_id = $1")
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
            let done = sqlx::query("delete from service where id = $1")
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
            sqlx::query("insert into change_log (service_id, changed_at) values ($1, $2)")
                .bind(id.to_string())
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(done.rows_affected() > 0)
        })
    }

    pub async fn service_count(&self) -> StoreResult<i64> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar("select count(*) from service")
                .fetch_one(pool)
                .await?)
        })
    }

    pub async fn organization_count(&self) -> StoreResult<i64> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar("select count(*) from organization")
                .fetch_one(pool)
                .await?)
        })
    }

    /// Service ids in id order after `after`, for walking the whole directory in batches.
    pub async fn service_ids_after(
        &self,
        after: Option<Uuid>,
        limit: i64,
    ) -> StoreResult<Vec<Uuid>> {
        let after = after.map(|a| a.to_string()).unwrap_or_default();
        on_pool!(self, |pool| {
            let ids: Vec<String> =
                sqlx::query_scalar("select id from service where id > $1 order by id limit $2")
                    .bind(after)
                    .bind(limit)
                    .fetch_all(pool)
                    .await?;
            ids.iter().map(|s| parse_uuid(s)).collect()
        })
    }

    pub async fn load_service(&self, id: Uuid) -> StoreResult<Option<ServiceRecord>> {
        Ok(self.load_services(&[id]).await?.into_iter().next())
    }

    /// Loads whole services in the order of `ids`; ids that do not exist are skipped.
    pub async fn load_services(&self, ids: &[Uuid]) -> StoreResult<Vec<ServiceRecord>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            out.extend(self.load_chunk(chunk).await?);
        }
        Ok(out)
    }

    async fn load_chunk(&self, ids: &[Uuid]) -> StoreResult<Vec<ServiceRecord>> {
        on_pool!(self, |pool| Ok(load_chunk!(pool, ids)))
    }
}

impl WriteTx {
    /// Writes an organisation; `source` (its HSDS document, when imported) is kept, `None`
    /// leaves any earlier one in place.
    pub async fn upsert_organization(
        &mut self,
        org: &Organization,
        source: Option<&str>,
    ) -> StoreResult<()> {
        let now = OffsetDateTime::now_utc();
        on_tx!(self, |tx| {
            sqlx::query(
                "insert into organization (id, name, alternate_name, description, email, website, \
                 provider_type, phone, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 on conflict (id) do update set name = excluded.name, \
                 alternate_name = excluded.alternate_name, description = excluded.description, \
                 email = excluded.email, website = excluded.website, \
                 provider_type = excluded.provider_type, phone = excluded.phone, \
                 updated_at = excluded.updated_at",
            )
            .bind(org.id.to_string())
            .bind(&org.name)
            .bind(&org.alternate_name)
            .bind(&org.description)
            .bind(&org.email)
            .bind(&org.website)
            .bind(org.provider_type.map(|p| p.as_str()))
            .bind(&org.phone)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if let Some(body) = source {
                put_source!(&mut *tx, "organization", org.id.to_string(), body);
            }
        });
        // The organisation's name is part of every one of its services' search documents.
        self.changed.organizations.push(org.id);
        Ok(())
    }

    /// Writes a location; its [`Placement`] must already be assigned by the caller.
    pub async fn upsert_location(
        &mut self,
        loc: &Location,
        source: Option<&str>,
    ) -> StoreResult<()> {
        let now = OffsetDateTime::now_utc();
        on_tx!(self, |tx| {
            let id = loc.id.to_string();
            sqlx::query(
                "insert into location (id, location_type, organization_id, name, description, \
                 transportation, latitude, longitude, wheelchair_accessible, gemeente_code, \
                 wijk_code, buurt_code, updated_at) \
                 values ($1, 'physical', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                 on conflict (id) do update set organization_id = excluded.organization_id, \
                 name = excluded.name, description = excluded.description, \
                 transportation = excluded.transportation, latitude = excluded.latitude, \
                 longitude = excluded.longitude, \
                 wheelchair_accessible = excluded.wheelchair_accessible, \
                 gemeente_code = excluded.gemeente_code, wijk_code = excluded.wijk_code, \
                 buurt_code = excluded.buurt_code, updated_at = excluded.updated_at, \
                 version = location.version + 1",
            )
            .bind(&id)
            .bind(loc.organization_id.map(|o| o.to_string()))
            .bind(&loc.name)
            .bind(&loc.description)
            .bind(&loc.transportation)
            .bind(loc.latitude)
            .bind(loc.longitude)
            .bind(loc.wheelchair_accessible)
            .bind(&loc.placement.gemeente)
            .bind(&loc.placement.wijk)
            .bind(&loc.placement.buurt)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| fk_to_missing(e, "organization", format!("{:?}", loc.organization_id)))?;
            sqlx::query("delete from address where location_id = $1")
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            if let Some(a) = &loc.address {
                sqlx::query(
                    "insert into address (id, location_id, address_1, address_2, city, \
                     state_province, postal_code, country, address_type) \
                     values ($1, $2, $3, $4, $5, 'Utrecht', $6, 'NL', 'physical')",
                )
                .bind(Uuid::new_v5(&loc.id, b"address:0").to_string())
                .bind(&id)
                .bind(&a.address_1)
                .bind(&a.address_2)
                .bind(&a.city)
                .bind(&a.postal_code)
                .execute(&mut *tx)
                .await?;
            }
            if let Some(body) = source {
                put_source!(&mut *tx, "location", id.clone(), body);
            }
        });
        self.changed.locations.push(loc.id);
        Ok(())
    }

    /// Writes a whole service with its schedules, contacts, areas, languages, categories and
    /// location links, replacing what was there.
    pub async fn upsert_service(
        &mut self,
        service: &Service,
        vocabulary: &Vocabulary,
        source: Option<&str>,
    ) -> StoreResult<()> {
        self.write_service(service, vocabulary, source, true).await
    }

    /// Writes a service that the caller knows is not stored yet (an import that looked it up
    /// in this transaction): as [`Self::upsert_service`], without first deleting children that
    /// cannot exist. Six statements of about fifteen per service; each statement is a round
    /// trip to SQLite's worker thread, which is what an import of 100,000 services spends
    /// most of its time on (BENCHMARKS.md).
    pub async fn insert_new_service(
        &mut self,
        service: &Service,
        vocabulary: &Vocabulary,
        source: Option<&str>,
    ) -> StoreResult<()> {
        self.write_service(service, vocabulary, source, false).await
    }

    async fn write_service(
        &mut self,
        service: &Service,
        vocabulary: &Vocabulary,
        source: Option<&str>,
        replace_children: bool,
    ) -> StoreResult<()> {
        let now = OffsetDateTime::now_utc();
        on_tx!(self, |tx| {
            let mut service = service.clone();
            service.fill_child_ids();
            let s = &service;
            let id = s.id.to_string();
            // `version` (migration 0008) rises in this same statement, so an import pays no
            // extra statement per record for it.
            sqlx::query(
                "insert into service (id, organization_id, name, alternate_name, description, url, \
                 email, phone, status, wait_time, eligibility_description, minimum_age, maximum_age, \
                 assured_date, fees_description, access_route, accepts_referrals, welzijn_op_recept, \
                 formality, initiative, setting, group_format, cost_kind, cost_amount, \
                 cost_description, last_modified, status_reason) values ($1, $2, $3, $4, $5, $6, \
                 $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, \
                 $24, $25, $26, $27) \
                 on conflict (id) do update set organization_id = excluded.organization_id, \
                 name = excluded.name, alternate_name = excluded.alternate_name, \
                 description = excluded.description, url = excluded.url, email = excluded.email, \
                 phone = excluded.phone, status = excluded.status, wait_time = excluded.wait_time, \
                 eligibility_description = excluded.eligibility_description, \
                 minimum_age = excluded.minimum_age, maximum_age = excluded.maximum_age, \
                 assured_date = excluded.assured_date, fees_description = excluded.fees_description, \
                 access_route = excluded.access_route, \
                 accepts_referrals = excluded.accepts_referrals, \
                 welzijn_op_recept = excluded.welzijn_op_recept, formality = excluded.formality, \
                 initiative = excluded.initiative, setting = excluded.setting, \
                 group_format = excluded.group_format, cost_kind = excluded.cost_kind, \
                 cost_amount = excluded.cost_amount, cost_description = excluded.cost_description, \
                 last_modified = excluded.last_modified, status_reason = excluded.status_reason, \
                 version = service.version + 1",
            )
            .bind(&id)
            .bind(s.organization_id.to_string())
            .bind(&s.name)
            .bind(&s.alternate_name)
            .bind(&s.description)
            .bind(&s.url)
            .bind(&s.email)
            .bind(&s.phone)
            .bind(s.status.as_str())
            .bind(&s.waiting_time)
            .bind(&s.eligibility)
            .bind(s.minimum_age.map(i32::from))
            .bind(s.maximum_age.map(i32::from))
            .bind(s.assured_date)
            .bind(&s.cost.description)
            .bind(s.access_route.as_str())
            .bind(s.accepts_referrals)
            .bind(s.welzijn_op_recept)
            .bind(s.formality.as_str())
            .bind(s.initiative.map(|i| i.as_str()))
            .bind(s.setting.as_str())
            .bind(s.group_format.as_str())
            .bind(s.cost.kind.as_str())
            .bind(s.cost.amount)
            .bind(&s.cost.description)
            .bind(now)
            .bind(&s.status_reason)
            .execute(&mut *tx)
            .await
            .map_err(|e| fk_to_missing(e, "organization", s.organization_id.to_string()))?;

            if replace_children {
                for sql in [
                    "delete from service_at_location where service_id = $1",
                    "delete from schedule where service_id = $1",
                    "delete from contact where service_id = $1",
                    "delete from service_area where service_id = $1",
                    "delete from language where service_id = $1",
                    "delete from attribute where link_entity = 'service' and link_id = $1",
                ] {
                    sqlx::query(sql).bind(&id).execute(&mut *tx).await?;
                }
            }

            for location_id in &s.location_ids {
                sqlx::query(
                    "insert into service_at_location (id, service_id, location_id) values ($1, $2, $3)",
                )
                .bind(Uuid::new_v5(&s.id, location_id.as_bytes()).to_string())
                .bind(&id)
                .bind(location_id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(|e| fk_to_missing(e, "location", location_id.to_string()))?;
            }
            for sch in &s.schedules {
                sqlx::query(
                    "insert into schedule (id, service_id, freq, byday, opens_at, closes_at, \
                     description, closed_on_holidays) values ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(sch.id.map(|i| i.to_string()))
                .bind(&id)
                .bind(&sch.freq)
                .bind(&sch.byday)
                .bind(&sch.opens_at)
                .bind(&sch.closes_at)
                .bind(&sch.description)
                .bind(sch.closed_on_holidays)
                .execute(&mut *tx)
                .await?;
            }
            for c in &s.contacts {
                sqlx::query(
                    "insert into contact (id, service_id, name, title, email, phone) \
                     values ($1, $2, $3, $4, $5, $6)",
                )
                .bind(c.id.map(|i| i.to_string()))
                .bind(&id)
                .bind(&c.name)
                .bind(&c.title)
                .bind(&c.email)
                .bind(&c.phone)
                .execute(&mut *tx)
                .await?;
            }
            for a in &s.service_areas {
                sqlx::query(
                    "insert into service_area (id, service_id, name, extent, extent_type, area_code) \
                     values ($1, $2, $3, $4, $5, $6)",
                )
                .bind(a.id.map(|i| i.to_string()))
                .bind(&id)
                .bind(&a.name)
                .bind(&a.extent)
                .bind(&a.extent_type)
                .bind(&a.code)
                .execute(&mut *tx)
                .await?;
            }
            for (i, code) in s.languages.iter().enumerate() {
                sqlx::query("insert into language (id, service_id, code) values ($1, $2, $3)")
                    .bind(Uuid::new_v5(&s.id, format!("language:{i}").as_bytes()).to_string())
                    .bind(&id)
                    .bind(code)
                    .execute(&mut *tx)
                    .await?;
            }
            let links = s
                .categories
                .iter()
                .map(|c| ("category", vocabulary.category(c)))
                .chain(
                    s.target_groups
                        .iter()
                        .map(|c| ("target_group", vocabulary.target_group(c))),
                );
            for (link_type, term) in links {
                let term = term.ok_or_else(|| StoreError::MissingReference {
                    entity: "taxonomy_term",
                    id: format!("{link_type} of service {id}"),
                })?;
                sqlx::query(
                    "insert into attribute (id, link_id, link_type, link_entity, taxonomy_term_id) \
                     values ($1, $2, $3, 'service', $4)",
                )
                .bind(Uuid::new_v5(&s.id, term.id.as_bytes()).to_string())
                .bind(&id)
                .bind(link_type)
                .bind(term.id.to_string())
                .execute(&mut *tx)
                .await?;
            }
            for term_id in &s.other_term_ids {
                sqlx::query(
                    "insert into attribute (id, link_id, link_type, link_entity, taxonomy_term_id) \
                     values ($1, $2, 'hsds', 'service', $3)",
                )
                .bind(Uuid::new_v5(&s.id, term_id.as_bytes()).to_string())
                .bind(&id)
                .bind(term_id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(|e| fk_to_missing(e, "taxonomy_term", term_id.to_string()))?;
            }
            if let Some(body) = source {
                put_source!(&mut *tx, "service", id.clone(), body);
            }
        });
        self.changed.services.push(service.id);
        Ok(())
    }

    /// Loads whole services as stored (through this transaction), in the order of `ids`.
    pub async fn load_services(&mut self, ids: &[Uuid]) -> StoreResult<Vec<ServiceRecord>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            let records: Vec<ServiceRecord> = on_tx!(self, |tx| load_chunk!(&mut *tx, chunk));
            out.extend(records);
        }
        Ok(out)
    }
}
