//! The closed vocabularies Dutch professionals filter on. Each has a stable code (stored in the
//! database, used in URLs and the API) and a plain-Dutch label for the pages.

use serde::{Deserialize, Serialize};

/// Declares a string-coded enum with `as_str`, `label`, `ALL` and `FromStr`.
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal => $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $(#[serde(rename = $code)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code, as stored and as used in URLs.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// A plain-Dutch label for people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::domain::Invalid;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim() {
                    $($code => Ok($name::$variant),)+
                    other => Err(crate::domain::Invalid::new(
                        stringify!($name),
                        format!(
                            "onbekende waarde '{}'; kies uit: {}",
                            crate::domain::enums::clip(other),
                            [$($code),+].join(", ")
                        ),
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Shortens user input before it is echoed in an error message.
pub(crate) fn clip(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}…")
    }
}

coded_enum!(
    /// How a resident gets in: directly, or through a referral or decision.
    AccessRoute {
        Open = "open" => "Voor iedereen, zonder verwijzing",
        Buurtteam = "buurtteam" => "Via het buurtteam",
        Huisarts = "huisarts" => "Via de huisarts",
        Wmo = "wmo" => "Met een Wmo-beschikking",
    }
);

coded_enum!(
    /// Formal care and welfare versus informal help by residents and volunteers.
    Formality {
        Formal = "formal" => "Professioneel aanbod",
        Informal = "informal" => "Informeel aanbod (bewoners en vrijwilligers)",
    }
);

coded_enum!(
    /// Who runs an informal or formal offering.
    Initiative {
        Bewonersinitiatief = "bewonersinitiatief" => "Bewonersinitiatief",
        Vrijwilligers = "vrijwilligers" => "Door vrijwilligers",
        Lotgenoten = "lotgenoten" => "Lotgenotencontact",
        Ervaringsdeskundigen = "ervaringsdeskundigen" => "Door ervaringsdeskundigen",
        Professioneel = "professioneel" => "Door professionals",
    }
);

coded_enum!(
    /// Where it takes place.
    Setting {
        InPerson = "in_person" => "Op locatie",
        Online = "online" => "Online",
        Hybrid = "hybrid" => "Op locatie en online",
    }
);

coded_enum!(
    /// In a group, one to one, or both.
    GroupFormat {
        Group = "group" => "In een groep",
        Individual = "individual" => "Eén op één",
        Both = "both" => "In een groep of één op één",
    }
);

coded_enum!(
    /// What it costs the resident.
    CostKind {
        Free = "free" => "Gratis",
        Contribution = "contribution" => "Kleine eigen bijdrage",
        Price = "price" => "Betaald",
    }
);

coded_enum!(
    /// Whether a service is still offered: the HSDS 3.0 `status` values, codes as HSDS spells
    /// them. Temporarily closed services stay findable (ranked after open ones, with a banner);
    /// inactive and defunct ones are left out of every public page and search, but the HSDS
    /// API keeps serving them with their status so that harvesters learn they ended.
    ServiceStatus {
        Active = "active" => "Actief",
        Inactive = "inactive" => "Niet meer actief",
        Defunct = "defunct" => "Opgeheven",
        TemporarilyClosed = "temporarily closed" => "Tijdelijk gesloten",
    }
);

impl ServiceStatus {
    /// No longer offered: not shown to the public.
    pub fn is_withdrawn(self) -> bool {
        matches!(self, ServiceStatus::Inactive | ServiceStatus::Defunct)
    }
}

// Not derived: `coded_enum!` takes no per-variant attributes such as `#[default]`.
#[allow(clippy::derivable_impls)]
impl Default for ServiceStatus {
    fn default() -> Self {
        ServiceStatus::Active
    }
}

coded_enum!(
    /// The kind of organisation behind a listing.
    ProviderType {
        Welzijn = "welzijn" => "Welzijnsorganisatie",
        Inwonersinitiatief = "inwonersinitiatief" => "Inwonersinitiatief",
        Vrijwilligersorganisatie = "vrijwilligersorganisatie" => "Vrijwilligersorganisatie",
        Zelforganisatie = "zelforganisatie" => "Zelforganisatie",
        Eerstelijn = "eerstelijn" => "Eerstelijnszorg",
        Ggz = "ggz" => "GGZ",
        Zorgaanbieder = "zorgaanbieder" => "Zorgaanbieder",
        Gemeente = "gemeente" => "Gemeente",
        Bibliotheek = "bibliotheek" => "Bibliotheek",
        Onderwijs = "onderwijs" => "Onderwijs",
    }
);

/// ISO weekday number (1 = Monday) from an RFC 5545 `BYDAY` token such as `MO` or `2TU`.
pub fn weekday_from_byday(token: &str) -> Option<u8> {
    let day = token
        .trim()
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '+');
    match day.to_ascii_uppercase().as_str() {
        "MO" => Some(1),
        "TU" => Some(2),
        "WE" => Some(3),
        "TH" => Some(4),
        "FR" => Some(5),
        "SA" => Some(6),
        "SU" => Some(7),
        _ => None,
    }
}

/// Dutch names of the weekdays, index 0 = Monday.
pub const WEEKDAYS_NL: [&str; 7] = [
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
];

/// Parses a weekday the way people and programs write it: a number 1–7 (ISO, 1 = Monday), a
/// Dutch or English name or abbreviation (`dinsdag`, `di`, `di.`, `din`, `tuesday`, `tue`) or an
/// RFC 5545 code (`TU`), in any case. One parser for the pages, `/api/v1/search` and HSDS, so
/// that a day accepted in one place is accepted everywhere.
pub fn parse_weekday(input: &str) -> Option<u8> {
    let s = input.trim().trim_end_matches('.').to_lowercase();
    if let Ok(n) = s.parse::<u8>() {
        return (1..=7).contains(&n).then_some(n);
    }
    const EN: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    // Abbreviations in use on Dutch signs and forms, and the common English ones. None of them
    // is ambiguous: the Dutch two-letter forms (ma di wo do vr za zo) and the RFC 5545 codes
    // (mo tu we th fr sa su) do not overlap.
    const SHORT: [&[&str]; 7] = [
        &["ma", "maa", "mon"],
        &["di", "din", "tue", "tues"],
        &["wo", "woe", "wed"],
        &["do", "don", "thu", "thur", "thurs"],
        &["vr", "vrij", "fri"],
        &["za", "zat", "sat"],
        &["zo", "zon", "sun"],
    ];
    (0..7)
        .find(|&i| WEEKDAYS_NL[i] == s || EN[i] == s || SHORT[i].contains(&s.as_str()))
        .map(|i| i as u8 + 1)
        .or_else(|| weekday_from_byday(&s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_values_are_named() {
        for route in AccessRoute::ALL {
            assert_eq!(route.as_str().parse::<AccessRoute>().unwrap(), *route);
        }
        let err = "somewhere".parse::<AccessRoute>().unwrap_err();
        assert!(err.message.contains("somewhere"), "{err}");
        assert!(err.message.contains("buurtteam"), "{err}");
    }

    #[test]
    fn weekdays_parse_in_dutch_english_numbers_and_rfc5545() {
        assert_eq!(parse_weekday("maandag"), Some(1));
        assert_eq!(parse_weekday("Sunday"), Some(7));
        assert_eq!(parse_weekday("3"), Some(3));
        assert_eq!(parse_weekday("TH"), Some(4));
        assert_eq!(weekday_from_byday("2TU"), Some(2));
        assert_eq!(parse_weekday("8"), None);
        assert_eq!(parse_weekday("blursday"), None);
        for tuesday in [
            "dinsdag", "Dinsdag", "di", "DI", "di.", "TU", "tu", "tuesday", "Tue", "2",
        ] {
            assert_eq!(parse_weekday(tuesday), Some(2), "{tuesday}");
        }
        for (text, day) in [
            ("ma", 1),
            ("wo", 3),
            ("do", 4),
            ("vr", 5),
            ("za", 6),
            ("zo", 7),
        ] {
            assert_eq!(parse_weekday(text), Some(day), "{text}");
        }
        assert_eq!(parse_weekday(""), None);
        assert_eq!(parse_weekday("0"), None);
    }

    #[test]
    fn long_input_is_clipped_in_messages() {
        let long = "x".repeat(10_000);
        let err = long.parse::<CostKind>().unwrap_err();
        assert!(err.message.len() < 200);
    }
}
