//! The directory's records: organisations, locations and services (an HSDS-shaped aggregate).
//!
//! These types double as the serde shape of the demo data file (`demo/utrecht-demo.json`), so
//! unknown fields are rejected there rather than silently dropped.

use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;

use super::vocabulary::{CATEGORY_TAXONOMY, TARGET_GROUP_TAXONOMY};
use super::{
    AccessRoute, CostKind, Formality, GroupFormat, Initiative, Invalid, ProviderType,
    ServiceStatus, Setting, Vocabulary,
};

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    pub id: Uuid,
    pub name: String,
    #[serde(default)]
    pub alternate_name: Option<String>,
    pub description: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub provider_type: Option<ProviderType>,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    pub address_1: String,
    #[serde(default)]
    pub address_2: Option<String>,
    pub postal_code: String,
    pub city: String,
}

/// The CBS neighbourhoods a location lies in, assigned by point-in-polygon on every write.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    pub gemeente: Option<String>,
    pub wijk: Option<String>,
    pub buurt: Option<String>,
}

impl Placement {
    /// The codes from most general to most specific.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        [&self.gemeente, &self.wijk, &self.buurt]
            .into_iter()
            .filter_map(|c| c.as_deref())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    pub id: Uuid,
    #[serde(default)]
    pub organization_id: Option<Uuid>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
    #[serde(default)]
    pub address: Option<Address>,
    #[serde(default)]
    pub wheelchair_accessible: Option<bool>,
    #[serde(default)]
    pub transportation: Option<String>,
    /// Derived, never taken from input: see [`Placement`].
    #[serde(default, skip_deserializing)]
    pub placement: Placement,
}

impl Location {
    pub fn point(&self) -> Option<(f64, f64)> {
        self.latitude.zip(self.longitude)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cost {
    pub kind: CostKind,
    #[serde(default)]
    pub amount: Option<f64>,
    #[serde(default)]
    pub description: Option<String>,
}

impl Default for Cost {
    fn default() -> Self {
        Self {
            kind: CostKind::Free,
            amount: None,
            description: None,
        }
    }
}

/// A recurring time (RFC 5545 subset as in HSDS) or a free-text arrangement ("op afspraak").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    #[serde(default)]
    pub id: Option<Uuid>,
    #[serde(default)]
    pub freq: Option<String>,
    #[serde(default)]
    pub byday: Option<String>,
    #[serde(default)]
    pub opens_at: Option<String>,
    #[serde(default)]
    pub closes_at: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Does not run on Dutch public holidays ([`super::holidays`]): the agenda and the
    /// iCalendar feeds skip those days. In HSDS it travels as the schedule's `notes`
    /// ([`HOLIDAYS_CLOSED_NOTE`]), HSDS having no field for exceptions of a rule.
    ///
    /// Always serialised: a schedule is part of the postcard-stored `ServiceSummary`, which is
    /// not self-describing (hence also `search::schema::SCHEMA_VERSION` 10).
    #[serde(default)]
    pub closed_on_holidays: bool,
}

/// The HSDS schedule `notes` that marks a schedule as closed on public holidays; readable for
/// people, recognised on import.
pub const HOLIDAYS_CLOSED_NOTE: &str = "Gesloten op feestdagen.";

impl Schedule {
    /// ISO weekdays this schedule runs on.
    pub fn weekdays(&self) -> Vec<u8> {
        self.byday
            .as_deref()
            .unwrap_or("")
            .split(',')
            .filter_map(super::weekday_from_byday)
            .collect()
    }

    /// "eerste dinsdag", "laatste vrijdag": the days with an ordinal (`1TU`, `-1FR`); empty
    /// when the schedule runs every week.
    fn monthly_days(&self) -> Vec<String> {
        let tokens: Vec<&str> = self.byday.as_deref().unwrap_or("").split(',').collect();
        if !tokens.iter().any(|t| t.trim().len() > 2) {
            return Vec::new();
        }
        tokens
            .iter()
            .filter_map(|token| {
                let token = token.trim();
                let day = super::weekday_from_byday(token)?;
                let ordinal = match token[..token.len().saturating_sub(2)].trim_start_matches('+') {
                    "" => "",
                    "1" => "eerste ",
                    "2" => "tweede ",
                    "3" => "derde ",
                    "4" => "vierde ",
                    "5" => "vijfde ",
                    "-1" => "laatste ",
                    "-2" => "een-na-laatste ",
                    _ => return None,
                };
                Some(format!(
                    "{ordinal}{}",
                    super::WEEKDAYS_NL[usize::from(day - 1)]
                ))
            })
            .collect()
    }

    /// "dinsdag en donderdag, 10:00–12:00", or the description when there is no rule.
    pub fn summary(&self) -> String {
        let days: Vec<&str> = self
            .weekdays()
            .into_iter()
            .map(|d| super::WEEKDAYS_NL[usize::from(d - 1)])
            .collect();
        let monthly = self.monthly_days();
        let mut text = match (days.as_slice(), monthly.as_slice()) {
            ([], _) => String::new(),
            // "elke eerste dinsdag en laatste vrijdag van de maand"
            (_, [_, ..]) => format!("elke {} van de maand", monthly.join(" en ")),
            ([one], []) => format!("elke {one}"),
            ([init @ .., last], []) => format!("{} en {last}", init.join(", ")),
        };
        if let (Some(o), Some(c)) = (&self.opens_at, &self.closes_at) {
            if !text.is_empty() {
                text.push_str(", ");
            }
            text.push_str(&format!("{o}–{c} uur"));
        }
        if self.closed_on_holidays && !text.is_empty() {
            text.push_str(", niet op feestdagen");
        }
        match (&self.description, text.is_empty()) {
            (Some(d), true) => d.clone(),
            (_, false) => text,
            (None, true) => String::new(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[serde(default)]
    pub id: Option<Uuid>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// The area a service works in: a CBS neighbourhood code and/or a GeoJSON extent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceArea {
    #[serde(default)]
    pub id: Option<Uuid>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub extent: Option<String>,
    #[serde(default)]
    pub extent_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    #[serde(default)]
    pub alternate_name: Option<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub status: ServiceStatus,
    /// Why it is closed or no longer offered, in plain Dutch ("Verbouwing tot 1 april"); shown
    /// in the banner. HSDS has no field for it: it travels as an attribute (`hsds::attributes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    pub categories: Vec<String>,
    #[serde(default)]
    pub target_groups: Vec<String>,
    pub access_route: AccessRoute,
    #[serde(default)]
    pub accepts_referrals: bool,
    #[serde(default)]
    pub welzijn_op_recept: bool,
    pub formality: Formality,
    #[serde(default)]
    pub initiative: Option<Initiative>,
    pub setting: Setting,
    pub group_format: GroupFormat,
    #[serde(default)]
    pub waiting_time: Option<String>,
    #[serde(default)]
    pub minimum_age: Option<u8>,
    #[serde(default)]
    pub maximum_age: Option<u8>,
    #[serde(default)]
    pub eligibility: Option<String>,
    #[serde(default)]
    pub cost: Cost,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default, with = "iso_date::option")]
    pub assured_date: Option<Date>,
    #[serde(default)]
    pub location_ids: Vec<Uuid>,
    #[serde(default)]
    pub service_areas: Vec<ServiceArea>,
    #[serde(default)]
    pub schedules: Vec<Schedule>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// Terms of other taxonomies (from an imported HSDS feed) the service is classified by.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_term_ids: Vec<Uuid>,
}

const MAX_NAME: usize = 200;
const MAX_TEXT: usize = 10_000;
/// A status reason is one sentence for a banner.
pub const MAX_REASON: usize = 300;

fn check_len(field: &str, value: &str, max: usize) -> Result<(), Invalid> {
    if value.chars().count() > max {
        return Err(Invalid::new(
            field,
            format!("is te lang (meer dan {max} tekens)"),
        ));
    }
    Ok(())
}

fn check_required(field: &str, value: &str, max: usize) -> Result<(), Invalid> {
    if value.trim().is_empty() {
        return Err(Invalid::new(field, "mag niet leeg zijn"));
    }
    check_len(field, value, max)
}

fn check_email(field: &str, value: &Option<String>) -> Result<(), Invalid> {
    match value {
        Some(v) if !v.contains('@') || v.contains(char::is_whitespace) || v.len() > 254 => {
            Err(Invalid::new(field, "is geen geldig e-mailadres"))
        }
        _ => Ok(()),
    }
}

fn check_url(field: &str, value: &Option<String>) -> Result<(), Invalid> {
    match value {
        Some(v) if !(v.starts_with("https://") || v.starts_with("http://")) || v.len() > 2000 => {
            Err(Invalid::new(field, "moet beginnen met https:// of http://"))
        }
        _ => Ok(()),
    }
}

fn check_time(field: &str, value: &Option<String>) -> Result<(), Invalid> {
    let Some(v) = value else { return Ok(()) };
    let ok = v.len() == 5
        && v.as_bytes()[2] == b':'
        && v[..2].parse::<u8>().is_ok_and(|h| h < 24)
        && v[3..].parse::<u8>().is_ok_and(|m| m < 60);
    if ok {
        Ok(())
    } else {
        Err(Invalid::new(field, "moet een tijd zijn als 09:30"))
    }
}

impl Organization {
    pub fn validate(&self) -> Result<(), Invalid> {
        check_required("name", &self.name, MAX_NAME)?;
        check_len("description", &self.description, MAX_TEXT)?;
        check_email("email", &self.email)?;
        check_url("website", &self.website)
    }
}

impl Location {
    pub fn validate(&self) -> Result<(), Invalid> {
        if let Some(name) = &self.name {
            check_len("name", name, MAX_NAME)?;
        }
        match (self.latitude, self.longitude) {
            (Some(lat), Some(lon)) => {
                if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                    return Err(Invalid::new(
                        "latitude",
                        "coördinaten liggen buiten de aarde",
                    ));
                }
            }
            (None, None) => {}
            _ => {
                return Err(Invalid::new(
                    "latitude",
                    "geef zowel latitude als longitude",
                ));
            }
        }
        if let Some(a) = &self.address {
            check_required("address.address_1", &a.address_1, MAX_NAME)?;
            check_required("address.city", &a.city, MAX_NAME)?;
            check_required("address.postal_code", &a.postal_code, 16)?;
        }
        Ok(())
    }
}

impl Service {
    /// Checks everything that does not need the database.
    pub fn validate(&self, vocabulary: &Vocabulary) -> Result<(), Invalid> {
        check_required("name", &self.name, MAX_NAME)?;
        check_len("description", &self.description, MAX_TEXT)?;
        check_email("email", &self.email)?;
        check_url("url", &self.url)?;
        if let Some(reason) = &self.status_reason {
            check_len("status_reason", reason, MAX_REASON)?;
        }
        // No category is allowed: services imported from another HSDS feed are classified by
        // that feed's own taxonomy (`other_term_ids`) until someone adds one of ours.
        vocabulary.validate_codes(CATEGORY_TAXONOMY, "categories", &self.categories)?;
        vocabulary.validate_codes(TARGET_GROUP_TAXONOMY, "target_groups", &self.target_groups)?;
        for age in [self.minimum_age, self.maximum_age].into_iter().flatten() {
            if age > 120 {
                return Err(Invalid::new(
                    "minimum_age",
                    "leeftijd moet tussen 0 en 120 liggen",
                ));
            }
        }
        if let (Some(min), Some(max)) = (self.minimum_age, self.maximum_age)
            && min > max
        {
            return Err(Invalid::new(
                "maximum_age",
                "maximumleeftijd is lager dan de minimumleeftijd",
            ));
        }
        if let Some(amount) = self.cost.amount
            && (!amount.is_finite() || amount < 0.0)
        {
            return Err(Invalid::new("cost.amount", "bedrag moet 0 of meer zijn"));
        }
        for (i, s) in self.schedules.iter().enumerate() {
            check_time(&format!("schedules[{i}].opens_at"), &s.opens_at)?;
            check_time(&format!("schedules[{i}].closes_at"), &s.closes_at)?;
            if let Some(byday) = &s.byday
                && byday
                    .split(',')
                    .any(|d| super::weekday_from_byday(d).is_none())
            {
                return Err(Invalid::new(
                    format!("schedules[{i}].byday"),
                    "gebruik MO,TU,WE,TH,FR,SA,SU",
                ));
            }
        }
        for (i, c) in self.contacts.iter().enumerate() {
            check_email(&format!("contacts[{i}].email"), &c.email)?;
        }
        Ok(())
    }

    /// Deterministic ids for child records that arrive without one, so that loading the same
    /// data twice writes the same rows (idempotent imports).
    pub fn fill_child_ids(&mut self) {
        let derive =
            |kind: &str, i: usize| Uuid::new_v5(&self.id, format!("{kind}:{i}").as_bytes());
        let schedule_ids: Vec<Uuid> = (0..self.schedules.len())
            .map(|i| derive("schedule", i))
            .collect();
        let contact_ids: Vec<Uuid> = (0..self.contacts.len())
            .map(|i| derive("contact", i))
            .collect();
        let area_ids: Vec<Uuid> = (0..self.service_areas.len())
            .map(|i| derive("service_area", i))
            .collect();
        for (s, id) in self.schedules.iter_mut().zip(schedule_ids) {
            s.id.get_or_insert(id);
        }
        for (c, id) in self.contacts.iter_mut().zip(contact_ids) {
            c.id.get_or_insert(id);
        }
        for (a, id) in self.service_areas.iter_mut().zip(area_ids) {
            a.id.get_or_insert(id);
        }
    }

    /// ISO weekdays on which any schedule runs.
    pub fn weekdays(&self) -> Vec<u8> {
        let mut days: Vec<u8> = self.schedules.iter().flat_map(Schedule::weekdays).collect();
        days.sort_unstable();
        days.dedup();
        days
    }
}

/// A service as read back for display and indexing, with what it links to resolved.
#[derive(Debug, Clone)]
pub struct ServiceRecord {
    pub service: Service,
    pub organization: Organization,
    pub locations: Vec<Location>,
    pub last_modified: time::OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Service {
        serde_json::from_value(serde_json::json!({
            "id": "7b0b7c2a-4a53-4a36-9c1e-1d2f6c0b8a11",
            "organization_id": "0a3c9b2e-2d0e-4f4a-8b8f-3f6a3c1e2d10",
            "name": "Koffieochtend",
            "categories": ["ontmoeting/huiskamer"],
            "access_route": "open",
            "formality": "informal",
            "setting": "in_person",
            "group_format": "group",
            "assured_date": "2026-09-14",
            "schedules": [{"freq": "WEEKLY", "byday": "TU,TH", "opens_at": "10:00", "closes_at": "12:00"}]
        }))
        .unwrap()
    }

    #[test]
    fn a_valid_service_passes_and_summarises_its_schedule() {
        let v = Vocabulary::embedded().unwrap();
        let s = sample();
        s.validate(&v).unwrap();
        assert_eq!(s.weekdays(), vec![2, 4]);
        assert_eq!(
            s.schedules[0].summary(),
            "dinsdag en donderdag, 10:00–12:00 uur"
        );
        let mut monthly = s.schedules[0].clone();
        monthly.byday = Some("1TU,-1FR".into());
        monthly.closed_on_holidays = true;
        assert_eq!(
            monthly.summary(),
            "elke eerste dinsdag en laatste vrijdag van de maand, 10:00–12:00 uur, niet op feestdagen"
        );
    }

    #[test]
    fn validation_names_the_field() {
        let v = Vocabulary::embedded().unwrap();
        let mut s = sample();
        s.categories = vec!["nonsense".into()];
        assert_eq!(s.validate(&v).unwrap_err().field, "categories");
        let mut s = sample();
        s.minimum_age = Some(80);
        s.maximum_age = Some(20);
        assert_eq!(s.validate(&v).unwrap_err().field, "maximum_age");
        let mut s = sample();
        s.schedules[0].opens_at = Some("25:00".into());
        assert_eq!(s.validate(&v).unwrap_err().field, "schedules[0].opens_at");
        let mut s = sample();
        s.name = "   ".into();
        assert_eq!(s.validate(&v).unwrap_err().field, "name");
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let mut value = serde_json::to_value(sample()).unwrap();
        value["colour"] = "blue".into();
        assert!(serde_json::from_value::<Service>(value).is_err());
    }

    #[test]
    fn child_ids_are_deterministic() {
        let mut a = sample();
        let mut b = sample();
        a.fill_child_ids();
        b.fill_child_ids();
        assert!(a.schedules[0].id.is_some());
        assert_eq!(a.schedules[0].id, b.schedules[0].id);
    }
}
