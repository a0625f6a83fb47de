//! Our records as HSDS 3.0 JSON. Each object starts from the HSDS document it was imported
//! from (if any), so fields we do not model come back unchanged, and our columns are laid over
//! it: for every field we model, the database is the truth.

use std::collections::HashMap;

use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::attributes;
use crate::domain::vocabulary::{CATEGORY_TAXONOMY, TARGET_GROUP_TAXONOMY};
use crate::domain::{CostKind, Location, Organization, ServiceRecord, Vocabulary};
use crate::geo::Geography;
use crate::store::{TaxonomyRow, TermRow};

/// A service area that is one of our CBS neighbourhoods carries its code in `uri` like this.
pub const CBS_URI_PREFIX: &str = "urn:nl-cbs:";

/// How much of a service to show (HSDS `minimal` / default list item / `full`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Only the service's own fields.
    Minimal,
    /// Own fields plus `organization` and `program` (the spec's list item).
    List,
    /// Everything, nested (the spec's `GET /services/{id}`).
    Full,
}

/// The kept HSDS documents of the objects being rendered.
#[derive(Debug, Default)]
pub struct Sources {
    pub organizations: HashMap<Uuid, Map<String, Value>>,
    pub services: HashMap<Uuid, Map<String, Value>>,
    pub locations: HashMap<Uuid, Map<String, Value>>,
    /// The published changes of the services (newest first), served as HSDS `metadata`.
    pub history: HashMap<Uuid, Vec<crate::store::HistoryRow>>,
}

impl Sources {
    pub fn parse(entity: &HashMap<Uuid, String>) -> HashMap<Uuid, Map<String, Value>> {
        entity
            .iter()
            .filter_map(|(id, body)| match serde_json::from_str(body) {
                Ok(Value::Object(map)) => Some((*id, map)),
                _ => None,
            })
            .collect()
    }
}

/// Taxonomies and terms (ours and imported), for attributes and the taxonomy endpoints.
#[derive(Debug, Default)]
pub struct Terms {
    pub taxonomies: Vec<TaxonomyRow>,
    pub terms: Vec<TermRow>,
    pub term_sources: HashMap<Uuid, Map<String, Value>>,
    pub taxonomy_sources: HashMap<Uuid, Map<String, Value>>,
}

impl Terms {
    pub fn term(&self, id: Uuid) -> Option<&TermRow> {
        self.terms.iter().find(|t| t.id == id)
    }

    pub fn taxonomy(&self, id: Uuid) -> Option<&TaxonomyRow> {
        self.taxonomies.iter().find(|t| t.id == id)
    }
}

fn put(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        map.insert(key.to_string(), value);
    }
}

/// For a field we model: our value, or none at all. The kept document may still hold a
/// value an editor has since cleared; it must not come back (issue 13, part 5).
fn own(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    match value {
        Some(value) => {
            map.insert(key.to_string(), value);
        }
        None => {
            map.remove(key);
        }
    }
}

fn s(value: &Option<String>) -> Option<Value> {
    value.as_ref().map(|v| Value::String(v.clone()))
}

/// Keeps only a map's own fields: drops nested objects and arrays.
fn flat(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter()
        .filter(|(_, v)| !v.is_object() && !v.is_array())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The objects in `list` (an array under `key` of `map`), by their `id`.
fn children_by_id(map: &Map<String, Value>, key: &str) -> HashMap<String, Map<String, Value>> {
    map.get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| {
                    let obj = item.as_object()?;
                    Some((obj.get("id")?.as_str()?.to_string(), obj.clone()))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// "10:00" and "10:00:00" are the same time; keep the source's spelling when they agree.
fn same_time(source: Option<&Value>, ours: &str) -> bool {
    source
        .and_then(Value::as_str)
        .is_some_and(|t| t == ours || t.strip_suffix(":00") == Some(ours))
}

pub fn taxonomy_json(t: &TaxonomyRow, terms: &Terms) -> Value {
    let mut map = terms
        .taxonomy_sources
        .get(&t.id)
        .cloned()
        .unwrap_or_default();
    map.insert("id".into(), json!(t.id));
    map.insert("name".into(), json!(t.name));
    map.insert("description".into(), json!(t.description));
    put(&mut map, "uri", s(&t.uri));
    put(&mut map, "version", s(&t.version));
    Value::Object(map)
}

pub fn term_json(t: &TermRow, terms: &Terms) -> Value {
    let mut map = terms.term_sources.get(&t.id).cloned().unwrap_or_default();
    map.insert("id".into(), json!(t.id));
    put(&mut map, "code", s(&t.code));
    map.insert("name".into(), json!(t.name));
    map.insert("description".into(), json!(t.description));
    put(&mut map, "parent_id", t.parent_id.map(|p| json!(p)));
    put(&mut map, "taxonomy", s(&t.taxonomy));
    put(&mut map, "taxonomy_id", t.taxonomy_id.map(|p| json!(p)));
    put(&mut map, "language", s(&t.language));
    put(&mut map, "term_uri", s(&t.term_uri));
    if let Some(taxonomy) = t.taxonomy_id.and_then(|id| terms.taxonomy(id)) {
        map.insert("taxonomy_detail".into(), taxonomy_json(taxonomy, terms));
    }
    Value::Object(map)
}

/// An organisation's own fields (as in lists and inside a service).
pub fn organization_json(org: &Organization, sources: &Sources) -> Map<String, Value> {
    let mut map = sources
        .organizations
        .get(&org.id)
        .map(flat)
        .unwrap_or_default();
    map.insert("id".into(), json!(org.id));
    map.insert("name".into(), json!(org.name));
    put(&mut map, "alternate_name", s(&org.alternate_name));
    map.insert("description".into(), json!(org.description));
    put(&mut map, "email", s(&org.email));
    put(&mut map, "website", s(&org.website));
    map
}

/// An organisation with its nested lists (`GET /organizations/{id}`): the kept ones, with
/// `services` and `locations` from the database.
pub fn organization_full_json(
    org: &Organization,
    services: &[ServiceRecord],
    locations: &[Location],
    sources: &Sources,
    terms: &Terms,
    vocabulary: &Vocabulary,
) -> Value {
    let mut map = sources
        .organizations
        .get(&org.id)
        .cloned()
        .unwrap_or_default();
    map.extend(organization_json(org, sources));
    if let Some(phone) = &org.phone
        && !map.contains_key("phones")
    {
        map.insert(
            "phones".into(),
            json!([{ "id": Uuid::new_v5(&org.id, b"phone:0"), "number": phone }]),
        );
    }
    // Before `services`: the import keeps this document without its services, and the
    // export must come out the same after a round trip.
    attributes::put_attributes(
        &mut map,
        org.id,
        "organization",
        &attributes::organization_values(org),
        terms,
    );
    map.insert(
        "locations".into(),
        Value::Array(
            locations
                .iter()
                .map(|l| Value::Object(location_json(l, sources, terms)))
                .collect(),
        ),
    );
    map.insert(
        "services".into(),
        Value::Array(
            services
                .iter()
                .map(|r| {
                    let mut s = service_json(r, Shape::Full, sources, terms, vocabulary);
                    if let Value::Object(m) = &mut s {
                        m.remove("organization");
                    }
                    s
                })
                .collect(),
        ),
    );
    Value::Object(map)
}

pub fn location_json(loc: &Location, sources: &Sources, terms: &Terms) -> Map<String, Value> {
    let mut map = sources.locations.get(&loc.id).cloned().unwrap_or_default();
    map.insert("id".into(), json!(loc.id));
    map.entry("location_type").or_insert(json!("physical"));
    put(
        &mut map,
        "organization_id",
        loc.organization_id.map(|o| json!(o)),
    );
    // The point stays as the feed wrote it when we could not use it (the HSDS examples carry
    // coordinates outside the Netherlands); names and texts are ours.
    own(&mut map, "name", s(&loc.name));
    own(&mut map, "description", s(&loc.description));
    own(&mut map, "transportation", s(&loc.transportation));
    put(&mut map, "latitude", loc.latitude.map(|v| json!(v)));
    put(&mut map, "longitude", loc.longitude.map(|v| json!(v)));
    if let Some(a) = &loc.address {
        let mut addresses: Vec<Value> = map
            .get("addresses")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if addresses.is_empty() {
            addresses.push(json!({
                "id": Uuid::new_v5(&loc.id, b"address:0"),
                "state_province": "Utrecht",
                "country": "NL",
                "address_type": "physical",
            }));
        }
        if let Some(Value::Object(first)) = addresses.first_mut() {
            first.insert("address_1".into(), json!(a.address_1));
            put(first, "address_2", s(&a.address_2));
            first.insert("city".into(), json!(a.city));
            first.insert("postal_code".into(), json!(a.postal_code));
            first.entry("state_province").or_insert(json!("Utrecht"));
            first.entry("country").or_insert(json!("NL"));
            first.entry("address_type").or_insert(json!("physical"));
        }
        map.insert("addresses".into(), Value::Array(addresses));
    }
    // Wheelchair access: in words in `accessibility` (ours, made from the database each time,
    // unless another feed described the location's accessibility itself), and as an attribute.
    let our_accessibility_id = Uuid::new_v5(&loc.id, b"accessibility:0");
    let foreign_accessibility = map
        .get("accessibility")
        .and_then(Value::as_array)
        .is_some_and(|list| {
            list.iter()
                .any(|a| a.get("id") != Some(&json!(our_accessibility_id)))
        });
    if !foreign_accessibility {
        match loc.wheelchair_accessible {
            Some(wheelchair) => {
                let description = if wheelchair {
                    "Toegankelijk voor rolstoelen"
                } else {
                    "Niet toegankelijk voor rolstoelen"
                };
                map.insert(
                    "accessibility".into(),
                    json!([{ "id": our_accessibility_id, "description": description }]),
                );
            }
            None if map.contains_key("accessibility") => {
                map.insert("accessibility".into(), json!([]));
            }
            None => {}
        }
    }
    attributes::put_attributes(
        &mut map,
        loc.id,
        "location",
        &attributes::location_values(loc),
        terms,
    );
    map
}

/// A service in the given shape.
pub fn service_json(
    record: &ServiceRecord,
    shape: Shape,
    sources: &Sources,
    terms: &Terms,
    vocabulary: &Vocabulary,
) -> Value {
    let svc = &record.service;
    let source = sources.services.get(&svc.id).cloned().unwrap_or_default();
    let mut map = match shape {
        Shape::Full => source.clone(),
        Shape::Minimal | Shape::List => flat(&source),
    };
    map.insert("id".into(), json!(svc.id));
    map.insert("organization_id".into(), json!(svc.organization_id));
    map.insert("name".into(), json!(svc.name));
    own(&mut map, "alternate_name", s(&svc.alternate_name));
    if !svc.description.is_empty() || !map.contains_key("description") {
        map.insert("description".into(), json!(svc.description));
    }
    own(&mut map, "url", s(&svc.url));
    own(&mut map, "email", s(&svc.email));
    map.insert("status".into(), json!(svc.status));
    own(&mut map, "wait_time", s(&svc.waiting_time));
    own(&mut map, "eligibility_description", s(&svc.eligibility));
    own(&mut map, "minimum_age", svc.minimum_age.map(|v| json!(v)));
    own(&mut map, "maximum_age", svc.maximum_age.map(|v| json!(v)));
    own(&mut map, "fees_description", s(&svc.cost.description));
    put(
        &mut map,
        "assured_date",
        svc.assured_date.map(|d| json!(crate::hsds::iso_date(d))),
    );
    map.entry("last_modified")
        .or_insert_with(|| json!(crate::hsds::rfc3339(record.last_modified)));
    if shape == Shape::Minimal {
        return Value::Object(map);
    }
    map.insert(
        "organization".into(),
        Value::Object(organization_json(&record.organization, sources)),
    );
    if let Some(program) = source.get("program") {
        map.insert("program".into(), program.clone());
    }
    if shape == Shape::List {
        return Value::Object(map);
    }

    // Phones: the first number is ours.
    let mut phones: Vec<Value> = source
        .get("phones")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    match &svc.phone {
        Some(number) => match phones.first_mut() {
            Some(Value::Object(first)) => {
                first.insert("number".into(), json!(number));
            }
            _ => phones.push(json!({ "id": Uuid::new_v5(&svc.id, b"phone:0"), "number": number })),
        },
        // Cleared: the first number was ours (the import reads it into `phone`).
        None if !phones.is_empty() => {
            phones.remove(0);
        }
        None => {}
    }
    map.insert("phones".into(), Value::Array(phones));

    // The activity calendar's dated entries (one-off activities, extra, cancelled and moved
    // sessions: src/domain/calendar.rs, table service_event) are not in HSDS output yet.
    // HSDS 3.0 schedules could carry a one-off (valid_from = valid_to = its date) but have
    // no way to say "this week's session is cancelled"; exporting the additions without the
    // cancellations would tell a consumer that called-off sessions still run. The iCalendar
    // feeds (/aanbod/{id}/agenda.ics) publish all of it meanwhile.
    let kept = children_by_id(&source, "schedules");
    let schedules = svc
        .schedules
        .iter()
        .map(|sch| {
            let id = sch.id.unwrap_or_else(Uuid::nil);
            let mut m = kept.get(&id.to_string()).cloned().unwrap_or_default();
            m.insert("id".into(), json!(id));
            put(&mut m, "freq", s(&sch.freq));
            put(&mut m, "byday", s(&sch.byday));
            for (key, value) in [("opens_at", &sch.opens_at), ("closes_at", &sch.closes_at)] {
                if let Some(v) = value
                    && !same_time(m.get(key), v)
                {
                    m.insert(key.into(), json!(v));
                }
            }
            put(&mut m, "description", s(&sch.description));
            if sch.closed_on_holidays {
                m.insert("notes".into(), json!(crate::domain::HOLIDAYS_CLOSED_NOTE));
            } else if m.get("notes").and_then(Value::as_str)
                == Some(crate::domain::HOLIDAYS_CLOSED_NOTE)
            {
                m.remove("notes");
            }
            Value::Object(m)
        })
        .collect();
    map.insert("schedules".into(), Value::Array(schedules));

    let kept = children_by_id(&source, "service_areas");
    let areas = svc
        .service_areas
        .iter()
        .map(|a| {
            let id = a.id.unwrap_or_else(Uuid::nil);
            let mut m = kept.get(&id.to_string()).cloned().unwrap_or_default();
            // A code the feed wrote itself (in its `uri`, `name` or `description`) stays as
            // written; otherwise the area's code travels as a CBS URN.
            let written_by_feed = a.code.as_ref().is_some_and(|code| {
                ["uri", "name", "description"].iter().any(|key| {
                    m.get(*key)
                        .and_then(Value::as_str)
                        .is_some_and(|t| Geography::codes_in_text(t).contains(code))
                })
            });
            m.insert("id".into(), json!(id));
            put(&mut m, "name", s(&a.name));
            put(&mut m, "extent", s(&a.extent));
            put(&mut m, "extent_type", s(&a.extent_type));
            if let Some(code) = &a.code
                && !written_by_feed
            {
                m.insert("uri".into(), json!(format!("{CBS_URI_PREFIX}{code}")));
            }
            Value::Object(m)
        })
        .collect();
    map.insert("service_areas".into(), Value::Array(areas));

    let kept_languages: Vec<Value> = source
        .get("languages")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut kept_codes: Vec<String> = kept_languages
        .iter()
        .filter_map(|l| l.get("code")?.as_str().map(str::to_string))
        .collect();
    kept_codes.sort();
    let mut ours = svc.languages.clone();
    ours.sort();
    let languages = if kept_codes == ours {
        kept_languages
    } else {
        svc.languages
            .iter()
            .enumerate()
            .map(|(i, code)| {
                json!({ "id": Uuid::new_v5(&svc.id, format!("language:{i}").as_bytes()), "code": code })
            })
            .collect()
    };
    map.insert("languages".into(), Value::Array(languages));

    let kept = children_by_id(&source, "contacts");
    let contacts = svc
        .contacts
        .iter()
        .map(|c| {
            let id = c.id.unwrap_or_else(Uuid::nil);
            let mut m = kept.get(&id.to_string()).cloned().unwrap_or_default();
            m.insert("id".into(), json!(id));
            put(&mut m, "name", s(&c.name));
            put(&mut m, "title", s(&c.title));
            put(&mut m, "email", s(&c.email));
            if let Some(phone) = &c.phone
                && !m.contains_key("phones")
            {
                m.insert(
                    "phones".into(),
                    json!([{ "id": Uuid::new_v5(&id, b"phone:0"), "number": phone }]),
                );
            }
            Value::Object(m)
        })
        .collect();
    map.insert("contacts".into(), Value::Array(contacts));

    // Cost options: another feed's stay as they came; ours (one, with our id) is made from the
    // database each time. A free offer says so natively with an amount of 0.
    let our_cost_id = Uuid::new_v5(&svc.id, b"cost:0");
    let foreign_costs = map
        .get("cost_options")
        .and_then(Value::as_array)
        .is_some_and(|list| {
            list.iter()
                .any(|o| o.get("id") != Some(&json!(our_cost_id)))
        });
    if !foreign_costs {
        let amount = svc
            .cost
            .amount
            .or((svc.cost.kind == CostKind::Free).then_some(0.0));
        match amount {
            Some(amount) => {
                map.insert(
                    "cost_options".into(),
                    json!([{
                        "id": our_cost_id,
                        "currency": "EUR",
                        "amount": amount,
                        "option": svc.cost.kind.label(),
                    }]),
                );
            }
            None if map.contains_key("cost_options") => {
                map.insert("cost_options".into(), json!([]));
            }
            None => {}
        }
    }

    // Attributes: kept ones whose term the service still carries (another feed's), then our
    // categories and target groups, then the fields HSDS has no place for (`attributes`).
    let mut attributes: Vec<Value> = source
        .get("attributes")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter(|a| {
                    crate::hsds::attribute_term_id(a)
                        .is_some_and(|id| svc.other_term_ids.contains(&id))
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let ours = svc
        .categories
        .iter()
        .filter_map(|c| {
            vocabulary
                .term(CATEGORY_TAXONOMY, c)
                .map(|t| ("category", t))
        })
        .chain(svc.target_groups.iter().filter_map(|c| {
            vocabulary
                .term(TARGET_GROUP_TAXONOMY, c)
                .map(|t| ("target_group", t))
        }));
    for (link_type, term) in ours {
        attributes.push(attributes::attribute_json(
            svc.id, "service", link_type, term.id, terms,
        ));
    }
    attributes.extend(attributes::attributes_json(
        svc.id,
        "service",
        &attributes::service_values(svc),
        terms,
    ));
    attributes.extend(attributes::status_reason_json(svc, terms));
    map.insert("attributes".into(), Value::Array(attributes));

    let kept: Vec<Map<String, Value>> = source
        .get("service_at_locations")
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(|v| v.as_object().cloned()).collect())
        .unwrap_or_default();
    let sals = record
        .locations
        .iter()
        .map(|loc| Value::Object(service_at_location_json(record, loc, &kept, sources, terms)))
        .collect();
    map.insert("service_at_locations".into(), Value::Array(sals));
    // Who changed what (issue 13, part 5). Only when there is history: a service without any
    // keeps the metadata of the document it was imported from, so exports round-trip.
    if let Some(history) = sources.history.get(&svc.id).filter(|h| !h.is_empty()) {
        map.insert(
            "metadata".into(),
            Value::Array(history.iter().map(metadata_json).collect()),
        );
    }
    Value::Object(map)
}

/// One changed field as an HSDS `metadata` record. `updated_by` is the role of whoever made
/// the change ("redacteur", "moderator"), never a name or an e-mail address.
fn metadata_json(h: &crate::store::HistoryRow) -> Value {
    json!({
        "id": Uuid::new_v5(
            &h.listing_id,
            format!("{}:{}:{}", h.field, h.changed_at.unix_timestamp_nanos(), h.new_value).as_bytes(),
        ),
        "resource_id": h.listing_id,
        "resource_type": h.entity.as_str(),
        "last_action_date": crate::hsds::iso_date(h.changed_at.date()),
        "last_action_type": h.action,
        "field_name": h.field,
        "previous_value": h.old_value,
        "replacement_value": h.new_value,
        "updated_by": h.changed_role,
    })
}

/// The id of the service-at-location row linking a service to a location (as the store writes).
pub fn service_at_location_id(service_id: Uuid, location_id: Uuid) -> Uuid {
    Uuid::new_v5(&service_id, location_id.as_bytes())
}

fn service_at_location_json(
    record: &ServiceRecord,
    loc: &Location,
    kept: &[Map<String, Value>],
    sources: &Sources,
    terms: &Terms,
) -> Map<String, Value> {
    let lid = loc.id.to_string();
    let mut map = kept
        .iter()
        .find(|m| {
            m.get("location_id").and_then(Value::as_str) == Some(lid.as_str())
                || m.get("location")
                    .and_then(|l| l.get("id"))
                    .and_then(Value::as_str)
                    == Some(lid.as_str())
        })
        .cloned()
        .unwrap_or_else(|| {
            let mut m = Map::new();
            m.insert(
                "id".into(),
                json!(service_at_location_id(record.service.id, loc.id)),
            );
            m
        });
    map.insert("location_id".into(), json!(loc.id));
    map.insert(
        "location".into(),
        Value::Object(location_json(loc, sources, terms)),
    );
    map
}

/// One `/service_at_locations` item: the link with its location and (list-shaped) service.
pub fn service_at_location_item(
    record: &ServiceRecord,
    loc: &Location,
    sources: &Sources,
    terms: &Terms,
    vocabulary: &Vocabulary,
    full: bool,
) -> Value {
    let kept: Vec<Map<String, Value>> = sources
        .services
        .get(&record.service.id)
        .and_then(|s| s.get("service_at_locations"))
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(|v| v.as_object().cloned()).collect())
        .unwrap_or_default();
    let mut map = service_at_location_json(record, loc, &kept, sources, terms);
    map.insert("service_id".into(), json!(record.service.id));
    map.insert("location_id".into(), json!(loc.id));
    let shape = if full { Shape::Full } else { Shape::List };
    map.insert(
        "service".into(),
        service_json(record, shape, sources, terms, vocabulary),
    );
    Value::Object(map)
}
