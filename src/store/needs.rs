//! Read-only facts for "Wat heeft elke wijk nodig" (issue 14, part 5; `crate::needs`): the
//! anonymous columns of referrals in some wijken and a period, and the offerings with their
//! categories and where they are or work. No personal column is ever read here.

use std::collections::HashMap;

use time::{Date, OffsetDateTime};

use super::{Store, StoreResult, col, on_pool, text};

/// The services of one gemeente (`$1` its code, `$2`/`$3` patterns of its wijk and buurt
/// codes): still offered, with a location in it or a service area in or over it.
macro_rules! in_scope {
    () => {
        "s.status in ('active', 'temporarily closed') and (exists (select 1 \
         from service_at_location sal join location l on l.id = sal.location_id \
         where sal.service_id = s.id and l.gemeente_code = $1) or exists (select 1 from \
         service_area sa where sa.service_id = s.id and (sa.area_code = $1 \
         or sa.area_code like $2 or sa.area_code like $3)))"
    };
}

/// The anonymous facts of one referral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedsReferralRow {
    pub wijk_code: String,
    /// zelf | welzijn | zorg
    pub route: String,
    pub status: String,
    /// Whether the referral was ever accepted (an `accepted` event).
    pub accepted: bool,
    pub created_at: OffsetDateTime,
    pub first_response_at: Option<OffsetDateTime>,
    /// Category codes as chosen (sub-categories included).
    pub categories: Vec<String>,
}

/// One offering (a service still offered) with what the report needs of it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NeedsOfferingRow {
    pub assured_date: Option<Date>,
    /// Category codes (sub-categories included).
    pub categories: Vec<String>,
    /// The wijken its locations are in.
    pub location_wijken: Vec<String>,
    /// The CBS codes of its service areas (gemeente, wijk or buurt).
    pub area_codes: Vec<String>,
}

impl Store {
    /// The referrals whose resident lives in a wijk whose code starts with `wijk_prefix`
    /// (`WK0344`: the wijken of gemeente Utrecht), made in `[from, to)` when given. Two
    /// queries, each one pass over the referrals in scope.
    pub async fn needs_referrals(
        &self,
        wijk_prefix: &str,
        from: Option<OffsetDateTime>,
        to: Option<OffsetDateTime>,
    ) -> StoreResult<Vec<NeedsReferralRow>> {
        let pattern = format!("{}%", wijk_prefix.replace(['%', '_'], ""));
        let (rows, categories) = on_pool!(self, |pool| {
            let mut qb = sqlx::QueryBuilder::new(
                "select r.id, r.wijk_code, r.route, r.status, r.created_at, r.first_response_at, \
                 exists (select 1 from referral_event e where e.referral_id = r.id \
                         and e.status = 'accepted') as accepted \
                 from referral r where r.wijk_code like ",
            );
            qb.push_bind(pattern.clone());
            if let Some(from) = from {
                qb.push(" and r.created_at >= ").push_bind(from);
            }
            if let Some(to) = to {
                qb.push(" and r.created_at < ").push_bind(to);
            }
            let rows = qb.build().fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                out.push((
                    text!(row, "id"),
                    NeedsReferralRow {
                        wijk_code: text!(row, "wijk_code"),
                        route: text!(row, "route"),
                        status: text!(row, "status"),
                        accepted: col!(row, "accepted"),
                        created_at: col!(row, "created_at"),
                        first_response_at: col!(row, "first_response_at"),
                        categories: Vec::new(),
                    },
                ));
            }
            let mut qb = sqlx::QueryBuilder::new(
                "select c.referral_id, c.category_code from referral_category c \
                 join referral r on r.id = c.referral_id where r.wijk_code like ",
            );
            qb.push_bind(pattern.clone());
            if let Some(from) = from {
                qb.push(" and r.created_at >= ").push_bind(from);
            }
            if let Some(to) = to {
                qb.push(" and r.created_at < ").push_bind(to);
            }
            let rows = qb.build().fetch_all(pool).await?;
            let mut categories: Vec<(String, String)> = Vec::with_capacity(rows.len());
            for row in &rows {
                categories.push((text!(row, "referral_id"), text!(row, "category_code")));
            }
            (out, categories)
        });
        let mut by_id: HashMap<String, NeedsReferralRow> = rows.into_iter().collect();
        for (id, code) in categories {
            if let Some(r) = by_id.get_mut(&id) {
                r.categories.push(code);
            }
        }
        Ok(by_id.into_values().collect())
    }

    /// Every service still offered (active or temporarily closed) with a location in gemeente
    /// `gemeente` (`GM0344`) or a service area in it (the gemeente itself, or one of its wijken
    /// or buurten: CBS codes carry the gemeente's number).
    pub async fn needs_offerings(&self, gemeente: &str) -> StoreResult<Vec<NeedsOfferingRow>> {
        let number = gemeente.trim_start_matches("GM").replace(['%', '_'], "");
        let (wijk_like, buurt_like) = (format!("WK{number}%"), format!("BU{number}%"));
        let (services, categories, wijken, areas) = on_pool!(self, |pool| {
            let services = sqlx::query(concat!(
                "select s.id, s.assured_date from service s where ",
                in_scope!()
            ))
            .bind(gemeente)
            .bind(&wijk_like)
            .bind(&buurt_like)
            .fetch_all(pool)
            .await?;
            let mut out = Vec::with_capacity(services.len());
            for row in &services {
                let assured: Option<Date> = col!(row, "assured_date");
                out.push((text!(row, "id"), assured));
            }
            let rows = sqlx::query(concat!(
                "select s.id, t.code from service s join attribute att on att.link_id = s.id \
                 and att.link_entity = 'service' and att.link_type = 'category' \
                 join taxonomy_term t on t.id = att.taxonomy_term_id where ",
                in_scope!()
            ))
            .bind(gemeente)
            .bind(&wijk_like)
            .bind(&buurt_like)
            .fetch_all(pool)
            .await?;
            let mut categories = Vec::with_capacity(rows.len());
            for row in &rows {
                let code: Option<String> = col!(row, "code");
                if let Some(code) = code {
                    categories.push((text!(row, "id"), code));
                }
            }
            let rows = sqlx::query(concat!(
                "select s.id, l.wijk_code from service s join service_at_location sal \
                 on sal.service_id = s.id join location l on l.id = sal.location_id \
                 where l.wijk_code is not null and ",
                in_scope!()
            ))
            .bind(gemeente)
            .bind(&wijk_like)
            .bind(&buurt_like)
            .fetch_all(pool)
            .await?;
            let mut wijken = Vec::with_capacity(rows.len());
            for row in &rows {
                wijken.push((text!(row, "id"), text!(row, "wijk_code")));
            }
            let rows = sqlx::query(concat!(
                "select s.id, a.area_code from service s join service_area a \
                 on a.service_id = s.id where a.area_code is not null and ",
                in_scope!()
            ))
            .bind(gemeente)
            .bind(&wijk_like)
            .bind(&buurt_like)
            .fetch_all(pool)
            .await?;
            let mut areas = Vec::with_capacity(rows.len());
            for row in &rows {
                areas.push((text!(row, "id"), text!(row, "area_code")));
            }
            (out, categories, wijken, areas)
        });
        let mut by_id: HashMap<String, NeedsOfferingRow> = services
            .into_iter()
            .map(|(id, assured_date)| {
                (
                    id,
                    NeedsOfferingRow {
                        assured_date,
                        ..Default::default()
                    },
                )
            })
            .collect();
        for (id, code) in categories {
            if let Some(o) = by_id.get_mut(&id) {
                o.categories.push(code);
            }
        }
        for (id, code) in wijken {
            if let Some(o) = by_id.get_mut(&id) {
                o.location_wijken.push(code);
            }
        }
        for (id, code) in areas {
            if let Some(o) = by_id.get_mut(&id) {
                o.area_codes.push(code);
            }
        }
        Ok(by_id.into_values().collect())
    }
}
