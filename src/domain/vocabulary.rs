//! Our controlled vocabularies (categories and target groups), shipped in
//! `assets/taxonomies.json` and seeded into the HSDS `taxonomy` / `taxonomy_term` tables.

use std::collections::HashMap;

use serde::Deserialize;
use uuid::Uuid;

use super::{
    AccessRoute, CostKind, Formality, GroupFormat, Initiative, Invalid, ProviderType, Setting,
};

/// Taxonomy code of the 14 categories (with sub-terms) from DOMAIN.md.
pub const CATEGORY_TAXONOMY: &str = "wijkwijzer-categorie";
/// Taxonomy code of the target groups.
pub const TARGET_GROUP_TAXONOMY: &str = "wijkwijzer-doelgroep";

/// Taxonomies of the fields of our model that HSDS 3.0 has no field for (DOMAIN.md). Their
/// terms are the codes of the enums in `enums.rs`, built from them below so the two cannot
/// drift; `hsds::attributes` maps the fields to them and back (README "Wijkwijzer taxonomies").
pub const ACCESS_TAXONOMY: &str = "wijkwijzer-toegang";
pub const FORMALITY_TAXONOMY: &str = "wijkwijzer-formaliteit";
pub const INITIATIVE_TAXONOMY: &str = "wijkwijzer-initiatief";
pub const SETTING_TAXONOMY: &str = "wijkwijzer-vorm";
pub const GROUP_FORMAT_TAXONOMY: &str = "wijkwijzer-groepsvorm";
pub const COST_TAXONOMY: &str = "wijkwijzer-kosten";
/// Yes/no properties of a service: the term is there for "yes".
pub const FEATURE_TAXONOMY: &str = "wijkwijzer-kenmerk";
pub const PROVIDER_TYPE_TAXONOMY: &str = "wijkwijzer-organisatietype";
/// Wheelchair access of a location: one of two terms, or none when unknown.
pub const ACCESSIBILITY_TAXONOMY: &str = "wijkwijzer-toegankelijkheid";
/// Notes on a service's HSDS `status`, which has no field for why: an attribute with the
/// term [`STATUS_REASON_TERM`] carries the reason in its `value` ("Verbouwing tot 1 april").
pub const STATUS_TAXONOMY: &str = "wijkwijzer-status";
pub const STATUS_REASON_TERM: &str = "reden";

/// Terms of [`FEATURE_TAXONOMY`] and [`ACCESSIBILITY_TAXONOMY`].
pub const WELZIJN_OP_RECEPT_TERM: &str = "welzijn-op-recept";
pub const ACCEPTS_REFERRALS_TERM: &str = "neemt-verwijzingen-aan";
pub const WHEELCHAIR_TERM: &str = "rolstoeltoegankelijk";
pub const NO_WHEELCHAIR_TERM: &str = "niet-rolstoeltoegankelijk";

/// The namespace of every deterministic id Wijkwijzer derives (taxonomy terms, demo data links).
pub fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"https://wijkwijzer.example/")
}

#[derive(Debug, Clone)]
pub struct Taxonomy {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub description: String,
    pub version: String,
}

#[derive(Debug, Clone)]
pub struct Term {
    pub id: Uuid,
    pub taxonomy_code: String,
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    pub parent_code: Option<String>,
    pub order: usize,
}

impl Term {
    pub fn is_top_level(&self) -> bool {
        self.parent_code.is_none()
    }
}

/// Both vocabularies, loaded once at start.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    pub taxonomies: Vec<Taxonomy>,
    terms: Vec<Term>,
    by_key: HashMap<(String, String), usize>,
}

#[derive(Deserialize)]
struct FileTaxonomy {
    code: String,
    name: String,
    description: String,
    version: String,
    terms: Vec<FileTerm>,
}

#[derive(Deserialize)]
struct FileTerm {
    code: String,
    name: String,
    #[serde(default)]
    name_en: Option<String>,
    #[serde(default)]
    parent: Option<String>,
}

#[derive(Deserialize)]
struct File {
    taxonomies: Vec<FileTaxonomy>,
}

/// The id of one of our taxonomies.
pub fn taxonomy_id(code: &str) -> Uuid {
    Uuid::new_v5(
        &namespace(),
        format!("wijkwijzer:taxonomy:{code}").as_bytes(),
    )
}

/// The id of a term of one of our taxonomies (stable: derived from the two codes).
pub fn term_id(taxonomy: &str, code: &str) -> Uuid {
    Uuid::new_v5(
        &namespace(),
        format!("wijkwijzer:{taxonomy}:{code}").as_bytes(),
    )
}

/// The terms of an enum: its codes, named by its labels.
fn enum_terms<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<FileTerm> {
    all.iter()
        .map(|&v| FileTerm {
            code: code(v).to_string(),
            name: label(v).to_string(),
            name_en: None,
            parent: None,
        })
        .collect()
}

fn plain_terms(terms: &[(&str, &str)]) -> Vec<FileTerm> {
    terms
        .iter()
        .map(|(code, name)| FileTerm {
            code: code.to_string(),
            name: name.to_string(),
            name_en: None,
            parent: None,
        })
        .collect()
}

/// The field taxonomies (see [`ACCESS_TAXONOMY`]).
fn field_taxonomies() -> Vec<FileTaxonomy> {
    let taxonomy = |code: &str, name: &str, description: &str, terms| FileTaxonomy {
        code: code.to_string(),
        name: name.to_string(),
        description: description.to_string(),
        version: "1".to_string(),
        terms,
    };
    vec![
        taxonomy(
            ACCESS_TAXONOMY,
            "Wijkwijzer toegang",
            "Hoe een inwoner bij het aanbod komt: zonder verwijzing, of via het buurtteam, de \
             huisarts of een Wmo-beschikking",
            enum_terms(AccessRoute::ALL, AccessRoute::as_str, AccessRoute::label),
        ),
        taxonomy(
            FORMALITY_TAXONOMY,
            "Wijkwijzer formeel of informeel",
            "Professioneel aanbod, of informele hulp door bewoners en vrijwilligers",
            enum_terms(Formality::ALL, Formality::as_str, Formality::label),
        ),
        taxonomy(
            INITIATIVE_TAXONOMY,
            "Wijkwijzer initiatief",
            "Wie het aanbod draagt; geen term: niet vastgelegd",
            enum_terms(Initiative::ALL, Initiative::as_str, Initiative::label),
        ),
        taxonomy(
            SETTING_TAXONOMY,
            "Wijkwijzer vorm",
            "Waar het aanbod plaatsvindt: op locatie, online of allebei",
            enum_terms(Setting::ALL, Setting::as_str, Setting::label),
        ),
        taxonomy(
            GROUP_FORMAT_TAXONOMY,
            "Wijkwijzer groepsvorm",
            "In een groep, één op één, of allebei",
            enum_terms(GroupFormat::ALL, GroupFormat::as_str, GroupFormat::label),
        ),
        taxonomy(
            COST_TAXONOMY,
            "Wijkwijzer kosten",
            "Wat het aanbod de inwoner kost; het bedrag staat in cost_options",
            enum_terms(CostKind::ALL, CostKind::as_str, CostKind::label),
        ),
        taxonomy(
            FEATURE_TAXONOMY,
            "Wijkwijzer kenmerken",
            "Kenmerken van een aanbod die aan of uit staan: de term staat erbij voor 'ja'",
            plain_terms(&[
                (WELZIJN_OP_RECEPT_TERM, "Onderdeel van Welzijn op Recept"),
                (
                    ACCEPTS_REFERRALS_TERM,
                    "Neemt verwijzingen aan (van huisarts, buurtteam of welzijnscoach)",
                ),
            ]),
        ),
        taxonomy(
            PROVIDER_TYPE_TAXONOMY,
            "Wijkwijzer soort organisatie",
            "Wat voor organisatie achter het aanbod zit; geen term: niet vastgelegd",
            enum_terms(ProviderType::ALL, ProviderType::as_str, ProviderType::label),
        ),
        taxonomy(
            STATUS_TAXONOMY,
            "Wijkwijzer status",
            "Toelichting bij de HSDS-status van een aanbod; de tekst staat in value van het \
             attribuut",
            plain_terms(&[(
                STATUS_REASON_TERM,
                "Reden: waarom het aanbod tijdelijk gesloten of gestopt is",
            )]),
        ),
        taxonomy(
            ACCESSIBILITY_TAXONOMY,
            "Wijkwijzer toegankelijkheid",
            "Of een locatie toegankelijk is voor rolstoelen; geen term: onbekend",
            plain_terms(&[
                (WHEELCHAIR_TERM, "Toegankelijk voor rolstoelen"),
                (NO_WHEELCHAIR_TERM, "Niet toegankelijk voor rolstoelen"),
            ]),
        ),
    ]
}

impl Vocabulary {
    /// The vocabulary embedded in the binary: the categories and target groups of
    /// `assets/taxonomies.json`, and the field taxonomies built from our enums.
    pub fn embedded() -> anyhow::Result<Self> {
        let mut file: File = serde_json::from_str(include_str!("../../assets/taxonomies.json"))?;
        file.taxonomies.extend(field_taxonomies());
        Ok(Self::from_file(file))
    }

    pub fn from_json(json: &str) -> anyhow::Result<Self> {
        Ok(Self::from_file(serde_json::from_str(json)?))
    }

    fn from_file(file: File) -> Self {
        let mut taxonomies = Vec::new();
        let mut terms = Vec::new();
        for t in file.taxonomies {
            taxonomies.push(Taxonomy {
                id: taxonomy_id(&t.code),
                code: t.code.clone(),
                name: t.name,
                description: t.description,
                version: t.version,
            });
            for (order, term) in t.terms.into_iter().enumerate() {
                terms.push(Term {
                    id: term_id(&t.code, &term.code),
                    taxonomy_code: t.code.clone(),
                    code: term.code,
                    name: term.name,
                    name_en: term.name_en,
                    parent_code: term.parent,
                    order,
                });
            }
        }
        let by_key = terms
            .iter()
            .enumerate()
            .map(|(i, t)| ((t.taxonomy_code.clone(), t.code.clone()), i))
            .collect();
        Self {
            taxonomies,
            terms,
            by_key,
        }
    }

    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    pub fn term(&self, taxonomy: &str, code: &str) -> Option<&Term> {
        self.by_key
            .get(&(taxonomy.to_string(), code.to_string()))
            .map(|&i| &self.terms[i])
    }

    pub fn term_by_id(&self, id: Uuid) -> Option<&Term> {
        self.terms.iter().find(|t| t.id == id)
    }

    pub fn category(&self, code: &str) -> Option<&Term> {
        self.term(CATEGORY_TAXONOMY, code)
    }

    pub fn target_group(&self, code: &str) -> Option<&Term> {
        self.term(TARGET_GROUP_TAXONOMY, code)
    }

    /// The 14 top-level categories in their fixed order.
    pub fn top_categories(&self) -> impl Iterator<Item = &Term> {
        self.terms
            .iter()
            .filter(|t| t.taxonomy_code == CATEGORY_TAXONOMY && t.is_top_level())
    }

    pub fn target_groups(&self) -> impl Iterator<Item = &Term> {
        self.terms
            .iter()
            .filter(|t| t.taxonomy_code == TARGET_GROUP_TAXONOMY)
    }

    pub fn children<'a>(
        &'a self,
        taxonomy: &'a str,
        code: &'a str,
    ) -> impl Iterator<Item = &'a Term> {
        self.terms
            .iter()
            .filter(move |t| t.taxonomy_code == taxonomy && t.parent_code.as_deref() == Some(code))
    }

    /// A term code with all its ancestors, most general first (e.g. `eenzaamheid`,
    /// `eenzaamheid/maatjes`), so a filter on a parent also finds its sub-terms.
    pub fn with_ancestors(&self, taxonomy: &str, code: &str) -> Vec<&Term> {
        let mut chain = Vec::new();
        let mut current = self.term(taxonomy, code);
        while let Some(term) = current {
            chain.push(term);
            current = term
                .parent_code
                .as_deref()
                .and_then(|p| self.term(taxonomy, p));
        }
        chain.reverse();
        chain
    }

    /// Checks a list of codes against one taxonomy.
    pub fn validate_codes(
        &self,
        taxonomy: &str,
        field: &str,
        codes: &[String],
    ) -> Result<(), Invalid> {
        for code in codes {
            if self.term(taxonomy, code).is_none() {
                return Err(Invalid::new(
                    field,
                    format!("onbekende code '{}'", super::enums::clip(code)),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_vocabulary_has_the_fourteen_categories() {
        let v = Vocabulary::embedded().unwrap();
        assert_eq!(v.top_categories().count(), 14);
        assert!(v.target_groups().count() >= 10);
        let chain: Vec<_> = v
            .with_ancestors(CATEGORY_TAXONOMY, "eenzaamheid/maatjes")
            .iter()
            .map(|t| t.code.as_str())
            .collect();
        assert_eq!(chain, ["eenzaamheid", "eenzaamheid/maatjes"]);
        let term = v.category("geld").unwrap();
        assert_eq!(v.term_by_id(term.id).unwrap().code, "geld");
    }

    #[test]
    fn ids_are_stable_and_distinct() {
        let a = Vocabulary::embedded().unwrap();
        let b = Vocabulary::embedded().unwrap();
        assert_eq!(
            a.category("geld").unwrap().id,
            b.category("geld").unwrap().id
        );
        let mut ids: Vec<_> = a.terms().iter().map(|t| t.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), a.terms().len());
    }
}
