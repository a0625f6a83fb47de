//! What a proposed change changes: a listing compared field by field with the version it was
//! based on, as display text a moderator reads in a side-by-side diff and the history keeps.
//!
//! Values are compared by what a person sees (a schedule as "dinsdag, 10:00–12:00 uur", a
//! category by its code), not by ids: an edit form that sends a schedule back without its id
//! changes nothing.

use serde::{Deserialize, Serialize};

use super::{Location, Service};

/// One field that differs, with both values as text ("" for empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The field's name as in HSDS and our domain types (`email`, `schedules`).
    pub field: String,
    /// The field's name for people, in Dutch.
    pub label: String,
    pub old: String,
    pub new: String,
}

/// The service's fields as (field, Dutch label, display text), in form order.
fn service_fields(s: &Service) -> Vec<(&'static str, &'static str, String)> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let list = |v: &[String]| {
        let mut v = v.to_vec();
        v.sort();
        v.join(", ")
    };
    let yes_no = |b: bool| if b { "ja" } else { "nee" }.to_string();
    let num = |v: Option<u8>| v.map(|n| n.to_string()).unwrap_or_default();
    let mut locations: Vec<String> = s.location_ids.iter().map(|l| l.to_string()).collect();
    locations.sort();
    let mut schedules: Vec<String> = s
        .schedules
        .iter()
        .map(|sc| {
            let summary = sc.summary();
            match (&sc.description, summary.is_empty()) {
                (Some(d), false) if *d != summary => format!("{summary} ({d})"),
                _ => summary,
            }
        })
        .collect();
    schedules.sort();
    let mut contacts: Vec<String> = s
        .contacts
        .iter()
        .map(|c| {
            [&c.name, &c.title, &c.email, &c.phone]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect();
    contacts.sort();
    let mut areas: Vec<String> = s
        .service_areas
        .iter()
        .map(|a| {
            a.code
                .clone()
                .or_else(|| a.name.clone())
                .unwrap_or_default()
        })
        .collect();
    areas.sort();
    let cost = {
        let mut parts = vec![s.cost.kind.label().to_string()];
        if let Some(amount) = s.cost.amount {
            parts.push(format!("€ {amount:.2}"));
        }
        if let Some(d) = &s.cost.description {
            parts.push(d.clone());
        }
        parts.join(", ")
    };
    vec![
        ("name", "Naam", s.name.clone()),
        ("alternate_name", "Andere naam", opt(&s.alternate_name)),
        ("description", "Beschrijving", s.description.clone()),
        ("url", "Website", opt(&s.url)),
        ("email", "E-mailadres", opt(&s.email)),
        ("phone", "Telefoon", opt(&s.phone)),
        ("status", "Status", s.status.as_str().to_string()),
        (
            "status_reason",
            "Reden van de status",
            opt(&s.status_reason),
        ),
        ("categories", "Categorieën", list(&s.categories)),
        ("target_groups", "Doelgroepen", list(&s.target_groups)),
        (
            "access_route",
            "Toegang",
            s.access_route.label().to_string(),
        ),
        (
            "accepts_referrals",
            "Neemt verwijzingen aan",
            yes_no(s.accepts_referrals),
        ),
        (
            "welzijn_op_recept",
            "Welzijn op recept",
            yes_no(s.welzijn_op_recept),
        ),
        (
            "formality",
            "Soort aanbieder",
            s.formality.label().to_string(),
        ),
        (
            "initiative",
            "Initiatief",
            s.initiative
                .map(|i| i.label().to_string())
                .unwrap_or_default(),
        ),
        ("setting", "Waar", s.setting.label().to_string()),
        ("group_format", "Vorm", s.group_format.label().to_string()),
        ("waiting_time", "Wachttijd", opt(&s.waiting_time)),
        ("minimum_age", "Minimumleeftijd", num(s.minimum_age)),
        ("maximum_age", "Maximumleeftijd", num(s.maximum_age)),
        ("eligibility", "Voor wie", opt(&s.eligibility)),
        ("cost", "Kosten", cost),
        ("languages", "Talen", list(&s.languages)),
        ("location_ids", "Locaties", locations.join(", ")),
        ("service_areas", "Werkgebied", areas.join(", ")),
        ("schedules", "Tijden", schedules.join("; ")),
        ("contacts", "Contactpersonen", contacts.join("; ")),
    ]
}

fn location_fields(l: &Location) -> Vec<(&'static str, &'static str, String)> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let address = l
        .address
        .as_ref()
        .map(|a| {
            [
                Some(a.address_1.clone()),
                a.address_2.clone(),
                Some(format!("{} {}", a.postal_code, a.city)),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ")
        })
        .unwrap_or_default();
    let point = l
        .point()
        .map(|(lat, lon)| format!("{lat:.6}, {lon:.6}"))
        .unwrap_or_default();
    let wheelchair = match l.wheelchair_accessible {
        Some(true) => "ja",
        Some(false) => "nee",
        None => "",
    };
    vec![
        ("name", "Naam", opt(&l.name)),
        ("description", "Beschrijving", opt(&l.description)),
        ("address", "Adres", address),
        ("point", "Plek op de kaart", point),
        (
            "wheelchair_accessible",
            "Rolstoeltoegankelijk",
            wheelchair.to_string(),
        ),
        ("transportation", "Bereikbaarheid", opt(&l.transportation)),
    ]
}

fn diff(
    old: Option<Vec<(&'static str, &'static str, String)>>,
    new: Vec<(&'static str, &'static str, String)>,
) -> Vec<FieldChange> {
    let old = old.unwrap_or_default();
    new.into_iter()
        .enumerate()
        .filter_map(|(i, (field, label, new))| {
            let old = old.get(i).map(|(_, _, v)| v.clone()).unwrap_or_default();
            (old != new).then(|| FieldChange {
                field: field.into(),
                label: label.into(),
                old,
                new,
            })
        })
        .collect()
}

/// The fields in which `new` differs from `old` (`None`: a new service, every filled field).
pub fn diff_services(old: Option<&Service>, new: &Service) -> Vec<FieldChange> {
    diff(old.map(service_fields), service_fields(new))
}

/// The fields in which `new` differs from `old` (`None`: a new location).
pub fn diff_locations(old: Option<&Location>, new: &Location) -> Vec<FieldChange> {
    diff(old.map(location_fields), location_fields(new))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Schedule;

    fn service() -> Service {
        serde_json::from_value(serde_json::json!({
            "id": "7b0b7c2a-4a53-4a36-9c1e-1d2f6c0b8a11",
            "organization_id": "0a3c9b2e-2d0e-4f4a-8b8f-3f6a3c1e2d10",
            "name": "Koffieochtend",
            "email": "koffie@example.org",
            "categories": ["ontmoeting/huiskamer"],
            "access_route": "open",
            "formality": "informal",
            "setting": "in_person",
            "group_format": "group",
            "schedules": [{"freq": "WEEKLY", "byday": "TU", "opens_at": "10:00", "closes_at": "12:00"}]
        }))
        .unwrap()
    }

    #[test]
    fn an_equal_service_has_no_changes_even_when_child_ids_differ() {
        let old = service();
        let mut new = service();
        new.fill_child_ids();
        assert_eq!(diff_services(Some(&old), &new), vec![]);
    }

    #[test]
    fn changed_and_cleared_fields_come_with_both_values() {
        let old = service();
        let mut new = service();
        new.name = "Koffie-uurtje".into();
        new.email = None;
        new.schedules = vec![Schedule {
            byday: Some("WE".into()),
            opens_at: Some("10:00".into()),
            closes_at: Some("12:00".into()),
            ..Schedule::default()
        }];
        let changes = diff_services(Some(&old), &new);
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["name", "email", "schedules"]);
        assert_eq!(changes[0].label, "Naam");
        assert_eq!(changes[0].old, "Koffieochtend");
        assert_eq!(changes[0].new, "Koffie-uurtje");
        assert_eq!(changes[1].old, "koffie@example.org");
        assert_eq!(changes[1].new, "");
        assert_eq!(changes[2].old, "elke dinsdag, 10:00–12:00 uur");
        assert_eq!(changes[2].new, "elke woensdag, 10:00–12:00 uur");
    }

    #[test]
    fn a_new_service_lists_its_filled_fields() {
        let changes = diff_services(None, &service());
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert!(fields.contains(&"name") && fields.contains(&"email"));
        assert!(!fields.contains(&"phone"), "empty fields are no change");
        assert!(changes.iter().all(|c| c.old.is_empty()));
    }

    #[test]
    fn locations_compare_address_and_point() {
        let old: Location = serde_json::from_value(serde_json::json!({
            "id": "5b0b7c2a-4a53-4a36-9c1e-1d2f6c0b8a11",
            "name": "Buurthuis",
            "latitude": 52.1, "longitude": 5.1,
            "address": {"address_1": "Straat 1", "postal_code": "3511 AA", "city": "Utrecht"}
        }))
        .unwrap();
        assert_eq!(diff_locations(Some(&old), &old.clone()), vec![]);
        let mut new = old.clone();
        new.latitude = Some(52.2);
        new.address.as_mut().unwrap().address_1 = "Straat 2".into();
        let fields: Vec<String> = diff_locations(Some(&old), &new)
            .into_iter()
            .map(|c| c.field)
            .collect();
        assert_eq!(fields, ["address", "point"]);
    }
}
