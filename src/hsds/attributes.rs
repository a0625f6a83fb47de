//! The fields of our model that HSDS 3.0 has no field for — access route, formality,
//! initiative, setting, group format, cost kind, Welzijn op Recept, accepting referrals, the
//! kind of organisation and wheelchair access — as HSDS `attributes` linking to terms of our
//! own taxonomies (`domain::vocabulary`, README "Wijkwijzer taxonomies"). Rendering (export and
//! API) and import both go through this one table, so what is written is what is read back.
//!
//! A service's status reason (HSDS has `status` but no reason) is an attribute of the term
//! [`STATUS_REASON_TERM`] with the text in the attribute's `value` ([`status_reason_json`],
//! [`read_service`]).
//!
//! Everything else travels in native HSDS fields (`cost_options`, `languages`,
//! `service_areas`, `schedules`, `contacts`, `wait_time`, `minimum_age`, …) in `render`.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::render::{Terms, term_json};
use crate::domain::vocabulary::{
    ACCEPTS_REFERRALS_TERM, ACCESS_TAXONOMY, ACCESSIBILITY_TAXONOMY, COST_TAXONOMY,
    FEATURE_TAXONOMY, FORMALITY_TAXONOMY, GROUP_FORMAT_TAXONOMY, INITIATIVE_TAXONOMY,
    NO_WHEELCHAIR_TERM, PROVIDER_TYPE_TAXONOMY, SETTING_TAXONOMY, STATUS_REASON_TERM,
    STATUS_TAXONOMY, WELZIJN_OP_RECEPT_TERM, WHEELCHAIR_TERM, term_id,
};
use crate::domain::{
    AccessRoute, CostKind, Formality, GroupFormat, Initiative, Location, Organization,
    ProviderType, Service, Setting,
};

/// One value of one field, as one attribute says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldValue {
    Access(AccessRoute),
    Formality(Formality),
    Initiative(Initiative),
    Setting(Setting),
    GroupFormat(GroupFormat),
    Cost(CostKind),
    WelzijnOpRecept,
    AcceptsReferrals,
    ProviderType(ProviderType),
    Wheelchair(bool),
}

impl FieldValue {
    /// Every value there is: the whole mapping, for lookups and tests.
    pub fn all() -> Vec<FieldValue> {
        use FieldValue as F;
        let mut all = Vec::new();
        all.extend(AccessRoute::ALL.iter().map(|&v| F::Access(v)));
        all.extend(Formality::ALL.iter().map(|&v| F::Formality(v)));
        all.extend(Initiative::ALL.iter().map(|&v| F::Initiative(v)));
        all.extend(Setting::ALL.iter().map(|&v| F::Setting(v)));
        all.extend(GroupFormat::ALL.iter().map(|&v| F::GroupFormat(v)));
        all.extend(CostKind::ALL.iter().map(|&v| F::Cost(v)));
        all.extend([F::WelzijnOpRecept, F::AcceptsReferrals]);
        all.extend(ProviderType::ALL.iter().map(|&v| F::ProviderType(v)));
        all.extend([F::Wheelchair(true), F::Wheelchair(false)]);
        all
    }

    /// The taxonomy (code) whose term says this.
    pub fn taxonomy(self) -> &'static str {
        match self {
            FieldValue::Access(_) => ACCESS_TAXONOMY,
            FieldValue::Formality(_) => FORMALITY_TAXONOMY,
            FieldValue::Initiative(_) => INITIATIVE_TAXONOMY,
            FieldValue::Setting(_) => SETTING_TAXONOMY,
            FieldValue::GroupFormat(_) => GROUP_FORMAT_TAXONOMY,
            FieldValue::Cost(_) => COST_TAXONOMY,
            FieldValue::WelzijnOpRecept | FieldValue::AcceptsReferrals => FEATURE_TAXONOMY,
            FieldValue::ProviderType(_) => PROVIDER_TYPE_TAXONOMY,
            FieldValue::Wheelchair(_) => ACCESSIBILITY_TAXONOMY,
        }
    }

    /// The term's code in its taxonomy: the enum's own stable code.
    pub fn code(self) -> &'static str {
        match self {
            FieldValue::Access(v) => v.as_str(),
            FieldValue::Formality(v) => v.as_str(),
            FieldValue::Initiative(v) => v.as_str(),
            FieldValue::Setting(v) => v.as_str(),
            FieldValue::GroupFormat(v) => v.as_str(),
            FieldValue::Cost(v) => v.as_str(),
            FieldValue::WelzijnOpRecept => WELZIJN_OP_RECEPT_TERM,
            FieldValue::AcceptsReferrals => ACCEPTS_REFERRALS_TERM,
            FieldValue::ProviderType(v) => v.as_str(),
            FieldValue::Wheelchair(true) => WHEELCHAIR_TERM,
            FieldValue::Wheelchair(false) => NO_WHEELCHAIR_TERM,
        }
    }

    /// The attribute's `link_type`: the name of the field in our model.
    pub fn link_type(self) -> &'static str {
        match self {
            FieldValue::Access(_) => "access_route",
            FieldValue::Formality(_) => "formality",
            FieldValue::Initiative(_) => "initiative",
            FieldValue::Setting(_) => "setting",
            FieldValue::GroupFormat(_) => "group_format",
            FieldValue::Cost(_) => "cost",
            FieldValue::WelzijnOpRecept => "welzijn_op_recept",
            FieldValue::AcceptsReferrals => "accepts_referrals",
            FieldValue::ProviderType(_) => "provider_type",
            FieldValue::Wheelchair(_) => "wheelchair_accessible",
        }
    }

    pub fn term_id(self) -> Uuid {
        term_id(self.taxonomy(), self.code())
    }

    /// The value a term stands for, if it is one of the field terms.
    pub fn of_term(id: Uuid) -> Option<FieldValue> {
        static BY_TERM: OnceLock<HashMap<Uuid, FieldValue>> = OnceLock::new();
        BY_TERM
            .get_or_init(|| {
                FieldValue::all()
                    .into_iter()
                    .map(|v| (v.term_id(), v))
                    .collect()
            })
            .get(&id)
            .copied()
    }
}

/// Whether a term is one of the field terms (kept out of a service's other terms: the field
/// itself holds it). The status reason term is one too: `status_reason` holds its value.
pub fn is_field_term(id: Uuid) -> bool {
    FieldValue::of_term(id).is_some() || id == status_reason_term_id()
}

/// The term whose attribute carries a service's status reason in its `value`.
pub fn status_reason_term_id() -> Uuid {
    term_id(STATUS_TAXONOMY, STATUS_REASON_TERM)
}

/// The status reason attribute of a service, when it has a reason.
pub fn status_reason_json(service: &Service, terms: &Terms) -> Option<Value> {
    let reason = service.status_reason.as_deref()?;
    let mut attribute = attribute_json(
        service.id,
        "service",
        "status_reason",
        status_reason_term_id(),
        terms,
    );
    attribute["value"] = json!(reason);
    Some(attribute)
}

/// What a service says through attributes, in a fixed order.
pub fn service_values(s: &Service) -> Vec<FieldValue> {
    let mut values = vec![
        FieldValue::Access(s.access_route),
        FieldValue::Formality(s.formality),
    ];
    values.extend(s.initiative.map(FieldValue::Initiative));
    values.extend([
        FieldValue::Setting(s.setting),
        FieldValue::GroupFormat(s.group_format),
        FieldValue::Cost(s.cost.kind),
    ]);
    if s.welzijn_op_recept {
        values.push(FieldValue::WelzijnOpRecept);
    }
    if s.accepts_referrals {
        values.push(FieldValue::AcceptsReferrals);
    }
    values
}

pub fn organization_values(o: &Organization) -> Vec<FieldValue> {
    o.provider_type
        .map(FieldValue::ProviderType)
        .into_iter()
        .collect()
}

pub fn location_values(l: &Location) -> Vec<FieldValue> {
    l.wheelchair_accessible
        .map(FieldValue::Wheelchair)
        .into_iter()
        .collect()
}

/// One HSDS attribute linking `link_id` (an `entity`: `service`, `organization`, `location`)
/// to a term of ours, with the term nested when it is known. Shared with the category and
/// target-group attributes, so all our attributes look alike.
pub fn attribute_json(
    link_id: Uuid,
    entity: &str,
    link_type: &str,
    term_id: Uuid,
    terms: &Terms,
) -> Value {
    let mut attribute = json!({
        "id": Uuid::new_v5(&link_id, term_id.as_bytes()),
        "link_id": link_id,
        "link_type": link_type,
        "link_entity": entity,
        "taxonomy_term_id": term_id,
    });
    if let Some(row) = terms.term(term_id) {
        attribute["taxonomy_term"] = term_json(row, terms);
    }
    attribute
}

/// The attributes of `values` for one object.
pub fn attributes_json(
    link_id: Uuid,
    entity: &str,
    values: &[FieldValue],
    terms: &Terms,
) -> Vec<Value> {
    values
        .iter()
        .map(|v| attribute_json(link_id, entity, v.link_type(), v.term_id(), terms))
        .collect()
}

/// Puts an organisation's or location's attributes into its document: those of the kept
/// document that are not field terms (another feed's), then ours. Leaves the document alone
/// when there is nothing to say.
pub fn put_attributes(
    map: &mut Map<String, Value>,
    link_id: Uuid,
    entity: &str,
    values: &[FieldValue],
    terms: &Terms,
) {
    let kept: Vec<Value> = map
        .get("attributes")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter(|a| !super::attribute_term_id(a).is_some_and(is_field_term))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    if kept.is_empty() && values.is_empty() && !map.contains_key("attributes") {
        return;
    }
    let mut attributes = kept;
    attributes.extend(attributes_json(link_id, entity, values, terms));
    map.insert("attributes".into(), Value::Array(attributes));
}

/// The field values an HSDS document's attributes carry, in their order.
fn values_in(doc: &Map<String, Value>) -> Vec<FieldValue> {
    doc.get("attributes")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|a| FieldValue::of_term(super::attribute_term_id(a)?))
                .collect()
        })
        .unwrap_or_default()
}

/// The service fields our export writes for every service: a document with all of them is a
/// whole Wijkwijzer description, so what it leaves out means "no" (the yes/no features) or "not
/// recorded" (initiative) rather than "not said".
const ALWAYS_WRITTEN: [&str; 5] = [
    "access_route",
    "formality",
    "setting",
    "group_format",
    "cost",
];

/// Sets a service's fields from the attributes of its HSDS document (import), and returns the
/// names of the fields the document gave (`link_type`s: "access_route", "welzijn_op_recept",
/// …) — a field it did not give keeps the value the caller set (the import's default, or what
/// is stored). If it says one field twice, the last attribute wins. Field terms are not kept
/// among the other terms.
pub fn read_service(service: &mut Service, doc: &Map<String, Value>) -> Vec<&'static str> {
    let mut given: Vec<&'static str> = Vec::new();
    let reason = doc
        .get("attributes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|a| super::attribute_term_id(a) == Some(status_reason_term_id()))
        .filter_map(|a| a.get("value").and_then(Value::as_str))
        .map(str::trim)
        .rfind(|r| !r.is_empty());
    if let Some(reason) = reason {
        service.status_reason = Some(reason.to_string());
        given.push("status_reason");
    }
    for value in values_in(doc) {
        match value {
            FieldValue::Access(v) => service.access_route = v,
            FieldValue::Formality(v) => service.formality = v,
            FieldValue::Initiative(v) => service.initiative = Some(v),
            FieldValue::Setting(v) => service.setting = v,
            FieldValue::GroupFormat(v) => service.group_format = v,
            FieldValue::Cost(v) => service.cost.kind = v,
            FieldValue::WelzijnOpRecept => service.welzijn_op_recept = true,
            FieldValue::AcceptsReferrals => service.accepts_referrals = true,
            FieldValue::ProviderType(_) | FieldValue::Wheelchair(_) => continue,
        }
        if !given.contains(&value.link_type()) {
            given.push(value.link_type());
        }
    }
    if ALWAYS_WRITTEN.iter().all(|f| given.contains(f)) {
        if !given.contains(&"initiative") {
            service.initiative = None;
            given.push("initiative");
        }
        if !given.contains(&"welzijn_op_recept") {
            service.welzijn_op_recept = false;
            given.push("welzijn_op_recept");
        }
        if !given.contains(&"accepts_referrals") {
            service.accepts_referrals = false;
            given.push("accepts_referrals");
        }
        if !given.contains(&"status_reason") {
            service.status_reason = None;
            given.push("status_reason");
        }
    }
    service.other_term_ids.retain(|id| !is_field_term(*id));
    // A free offer is rendered with a cost option of amount 0 (the plain HSDS way to say
    // "free"); that amount says nothing more than the kind, so it is not kept: a free service
    // has no amount, and so exports the same after a round trip.
    if service.cost.kind == CostKind::Free && service.cost.amount == Some(0.0) {
        service.cost.amount = None;
    }
    given
}

/// Sets an organisation's kind from the attributes of its HSDS document (import).
pub fn read_organization(organization: &mut Organization, doc: &Map<String, Value>) {
    for value in values_in(doc) {
        if let FieldValue::ProviderType(v) = value {
            organization.provider_type = Some(v);
        }
    }
}

/// Sets a location's wheelchair access from the attributes of its HSDS document (import).
pub fn read_location(location: &mut Location, doc: &Map<String, Value>) {
    for value in values_in(doc) {
        if let FieldValue::Wheelchair(v) = value {
            location.wheelchair_accessible = Some(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Vocabulary;

    #[test]
    fn every_field_value_is_a_term_of_the_vocabulary_and_back() {
        let vocabulary = Vocabulary::embedded().unwrap();
        let all = FieldValue::all();
        for value in &all {
            let term = vocabulary
                .term_by_id(value.term_id())
                .unwrap_or_else(|| panic!("{value:?} has no term"));
            assert_eq!(term.taxonomy_code, value.taxonomy(), "{value:?}");
            assert_eq!(term.code, value.code(), "{value:?}");
            assert_eq!(FieldValue::of_term(term.id), Some(*value));
        }
        // And every term of a field taxonomy stands for a value: no term is published that
        // the import would not understand.
        let field_taxonomies: Vec<&str> = all.iter().map(|v| v.taxonomy()).collect();
        for term in vocabulary.terms() {
            if field_taxonomies.contains(&term.taxonomy_code.as_str()) {
                assert!(
                    is_field_term(term.id),
                    "{} {}",
                    term.taxonomy_code,
                    term.code
                );
            }
        }
        // Categories and target groups are not field terms.
        assert!(!is_field_term(vocabulary.category("geld").unwrap().id));
    }

    fn service() -> Service {
        serde_json::from_value(json!({
            "id": "7b0b7c2a-4a53-4a36-9c1e-1d2f6c0b8a11",
            "organization_id": "0a3c9b2e-2d0e-4f4a-8b8f-3f6a3c1e2d10",
            "name": "Beweegmaatje",
            "categories": [],
            "access_route": "huisarts",
            "accepts_referrals": true,
            "welzijn_op_recept": true,
            "formality": "informal",
            "initiative": "vrijwilligers",
            "setting": "hybrid",
            "group_format": "individual",
            "cost": {"kind": "free"},
        }))
        .unwrap()
    }

    /// What the import starts from: its defaults for what HSDS does not say.
    fn defaults(of: &Service) -> Service {
        Service {
            access_route: AccessRoute::Open,
            accepts_referrals: false,
            welzijn_op_recept: false,
            formality: Formality::Formal,
            initiative: None,
            setting: Setting::InPerson,
            group_format: GroupFormat::Both,
            cost: crate::domain::Cost {
                kind: CostKind::Contribution,
                amount: Some(0.0),
                description: None,
            },
            ..of.clone()
        }
    }

    #[test]
    fn a_service_reads_back_what_its_attributes_say() {
        let original = service();
        let terms = Terms::default();
        let attributes =
            attributes_json(original.id, "service", &service_values(&original), &terms);
        let mut doc = Map::new();
        // A foreign term stays among the other terms; field terms do not.
        let foreign = Uuid::new_v4();
        doc.insert(
            "attributes".into(),
            Value::Array(
                attributes
                    .into_iter()
                    .chain([json!({"id": Uuid::new_v4(), "taxonomy_term_id": foreign})])
                    .collect(),
            ),
        );
        let mut read = defaults(&original);
        read.other_term_ids = vec![foreign, FieldValue::WelzijnOpRecept.term_id()];
        let mut given = read_service(&mut read, &doc);
        given.sort();
        assert_eq!(
            given,
            [
                "accepts_referrals",
                "access_route",
                "cost",
                "formality",
                "group_format",
                "initiative",
                "setting",
                "status_reason",
                "welzijn_op_recept"
            ]
        );
        let mut expected = original.clone();
        expected.other_term_ids = vec![foreign];
        assert_eq!(read, expected);

        // A whole description (all that our export always writes) without the yes/no terms
        // and the initiative means no and not recorded, even over other values.
        let mut whole = original.clone();
        whole.welzijn_op_recept = false;
        whole.accepts_referrals = false;
        whole.initiative = None;
        let mut doc = Map::new();
        doc.insert(
            "attributes".into(),
            Value::Array(attributes_json(
                whole.id,
                "service",
                &service_values(&whole),
                &terms,
            )),
        );
        let mut read = original.clone();
        // (A whole description without a reason also means "no reason".)
        read.status_reason = Some("oud".into());
        assert_eq!(read_service(&mut read, &doc).len(), 9);
        assert_eq!(read, whole);

        // Only some fields said: only those are given, the rest keeps its value.
        let mut doc = Map::new();
        doc.insert(
            "attributes".into(),
            Value::Array(attributes_json(
                whole.id,
                "service",
                &[FieldValue::Cost(CostKind::Price)],
                &terms,
            )),
        );
        let mut read = original.clone();
        assert_eq!(read_service(&mut read, &doc), ["cost"]);
        assert!(read.welzijn_op_recept, "not said, kept");
        assert_eq!(read.cost.kind, CostKind::Price);

        // Nothing said: the defaults stay.
        let mut untouched = defaults(&original);
        assert!(read_service(&mut untouched, &Map::new()).is_empty());
        assert_eq!(untouched.access_route, AccessRoute::Open);
        assert!(!untouched.welzijn_op_recept);
        assert_eq!(untouched.cost.amount, Some(0.0), "not free: amount kept");
    }

    #[test]
    fn organisations_and_locations_read_back_their_kind_and_wheelchair_access() {
        let terms = Terms::default();
        let mut doc = Map::new();
        let id = Uuid::new_v4();
        put_attributes(
            &mut doc,
            id,
            "organization",
            &[FieldValue::ProviderType(ProviderType::Ggz)],
            &terms,
        );
        put_attributes(
            &mut doc,
            id,
            "location",
            &[FieldValue::Wheelchair(false)],
            &terms,
        );
        // Putting again replaces our attributes instead of adding to them.
        assert_eq!(doc["attributes"].as_array().unwrap().len(), 1);
        let organization: Organization = serde_json::from_value(json!({
            "id": id, "name": "X", "description": ""
        }))
        .unwrap();
        let mut org = organization.clone();
        read_organization(&mut org, &doc);
        assert_eq!(org.provider_type, None, "the wheelchair term is no kind");
        let mut location: Location = serde_json::from_value(json!({ "id": id })).unwrap();
        read_location(&mut location, &doc);
        assert_eq!(location.wheelchair_accessible, Some(false));

        let mut empty = Map::new();
        put_attributes(&mut empty, id, "location", &[], &terms);
        assert!(empty.is_empty(), "nothing to say, nothing added");
    }
}

#[cfg(test)]
mod status_reason_tests {
    use super::*;

    #[test]
    fn a_status_reason_travels_in_the_value_of_its_attribute() {
        let mut service: Service = serde_json::from_value(json!({
            "id": "7b0b7c2a-4a53-4a36-9c1e-1d2f6c0b8a11",
            "organization_id": "0a3c9b2e-2d0e-4f4a-8b8f-3f6a3c1e2d10",
            "name": "Pluktuin",
            "categories": [],
            "access_route": "open",
            "formality": "informal",
            "setting": "in_person",
            "group_format": "group",
            "status": "temporarily closed",
            "status_reason": "Winterstop",
        }))
        .unwrap();
        let terms = Terms::default();
        let attribute = status_reason_json(&service, &terms).expect("an attribute");
        assert_eq!(attribute["value"], "Winterstop");
        assert_eq!(attribute["link_type"], "status_reason");
        assert!(
            is_field_term(status_reason_term_id()),
            "not kept as another term"
        );

        let mut doc = Map::new();
        doc.insert("attributes".into(), Value::Array(vec![attribute]));
        service.status_reason = None;
        assert_eq!(read_service(&mut service, &doc), ["status_reason"]);
        assert_eq!(service.status_reason.as_deref(), Some("Winterstop"));

        service.status_reason = None;
        assert!(status_reason_json(&service, &terms).is_none());
        // The term is in our vocabulary, so the API nests it and the import knows it.
        let vocabulary = crate::domain::Vocabulary::embedded().unwrap();
        assert!(vocabulary.term_by_id(status_reason_term_id()).is_some());
    }
}
