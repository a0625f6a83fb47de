//! Our controlled vocabularies (categories and target groups), shipped in
//! `assets/taxonomies.json` and seeded into the HSDS `taxonomy` / `taxonomy_term` tables.

use std::collections::HashMap;

use serde::Deserialize;
use uuid::Uuid;

use super::Invalid;

/// Taxonomy code of the 14 categories (with sub-terms) from DOMAIN.md.
pub const CATEGORY_TAXONOMY: &str = "wijkwijzer-categorie";
/// Taxonomy code of the target groups.
pub const TARGET_GROUP_TAXONOMY: &str = "wijkwijzer-doelgroep";

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

impl Vocabulary {
    /// Parses the vocabulary embedded in the binary.
    pub fn embedded() -> anyhow::Result<Self> {
        Self::from_json(include_str!("../../assets/taxonomies.json"))
    }

    pub fn from_json(json: &str) -> anyhow::Result<Self> {
        let file: File = serde_json::from_str(json)?;
        let ns = namespace();
        let mut taxonomies = Vec::new();
        let mut terms = Vec::new();
        for t in file.taxonomies {
            taxonomies.push(Taxonomy {
                id: Uuid::new_v5(&ns, format!("wijkwijzer:taxonomy:{}", t.code).as_bytes()),
                code: t.code.clone(),
                name: t.name,
                description: t.description,
                version: t.version,
            });
            for (order, term) in t.terms.into_iter().enumerate() {
                terms.push(Term {
                    id: Uuid::new_v5(
                        &ns,
                        format!("wijkwijzer:{}:{}", t.code, term.code).as_bytes(),
                    ),
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
        Ok(Self {
            taxonomies,
            terms,
            by_key,
        })
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
