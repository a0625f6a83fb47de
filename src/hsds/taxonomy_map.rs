//! Terms of other taxonomies, as an imported feed brings them, mapped to our categories and
//! target groups (`assets/taxonomies.json`), so that life questions, facets and the category
//! filter work for imported services too.
//!
//! A foreign term is mapped, first match wins:
//!
//! 1. by the **mapping file** of its taxonomy in `index/taxonomy-maps/` (by the term's code,
//!    else by its folded name); a file can also say a term maps to nothing (`-`);
//! 2. by **code**: the term's code is one of our codes (`geld/schuldhulp`, `mantelzorgers`);
//! 3. by **folded name**: the term's name equals the name of one of our categories or target
//!    groups once both are folded ([`fold`]: lowercase, accents removed, `&`/`en`/`and`
//!    dropped), so "Taal en digitale vaardigheden" is our "Taal & digitale vaardigheden".
//!
//! Anything else is unmapped: the import summary lists it. The original terms stay on the
//! service either way (and are exported unchanged); the mapping only adds our codes.

use std::collections::HashMap;

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, SimpleTokenizer, TextAnalyzer, TokenStream as _,
};

use crate::domain::Vocabulary;
use crate::domain::vocabulary::{CATEGORY_TAXONOMY, TARGET_GROUP_TAXONOMY};

/// The mapping files, embedded at build time: (file name, text). A test checks that every
/// `.txt` file in `index/taxonomy-maps/` is listed here.
pub const MAP_FILES: &[(&str, &str)] = &[
    (
        "sociale-kaart-regio-midden.txt",
        include_str!("../../index/taxonomy-maps/sociale-kaart-regio-midden.txt"),
    ),
    (
        "zorg4-rubrieken-illustratief.txt",
        include_str!("../../index/taxonomy-maps/zorg4-rubrieken-illustratief.txt"),
    ),
];

/// What a term maps to: our codes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    pub categories: Vec<String>,
    pub target_groups: Vec<String>,
}

impl Target {
    fn is_empty(&self) -> bool {
        self.categories.is_empty() && self.target_groups.is_empty()
    }

    fn add(&mut self, other: &Target) {
        for c in &other.categories {
            if !self.categories.contains(c) {
                self.categories.push(c.clone());
            }
        }
        for g in &other.target_groups {
            if !self.target_groups.contains(g) {
                self.target_groups.push(g.clone());
            }
        }
    }
}

/// A foreign term as the mapper sees it.
#[derive(Debug, Clone, Default)]
pub struct ForeignTerm {
    pub code: Option<String>,
    pub name: String,
    /// What identifies its taxonomy: names, URIs, ids (any may match a mapping file's
    /// `taxonomie:` line).
    pub taxonomy: Vec<String>,
}

/// How a term was mapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapping {
    /// To these codes of ours.
    To(Target),
    /// A mapping file says: to nothing, on purpose (not reported as unmapped).
    Nothing,
    /// No rule applies.
    Unmapped,
}

#[derive(Debug)]
struct MapFile {
    /// Folded names, and URIs and ids as written.
    taxonomies: Vec<String>,
    /// Term code (lowercase) or folded name → target (empty = to nothing).
    entries: HashMap<String, Target>,
}

impl MapFile {
    fn applies_to(&self, term: &ForeignTerm) -> bool {
        term.taxonomy.iter().any(|t| {
            self.taxonomies
                .iter()
                .any(|own| own == t.trim() || *own == fold(t))
        })
    }

    fn lookup(&self, term: &ForeignTerm) -> Option<&Target> {
        term.code
            .as_deref()
            .and_then(|code| self.entries.get(&code.trim().to_lowercase()))
            .or_else(|| self.entries.get(&fold(&term.name)))
    }
}

/// All mapping rules, built once per import.
#[derive(Debug)]
pub struct TermMapper {
    files: Vec<MapFile>,
    /// Our codes (lowercase) → themselves.
    by_code: HashMap<String, Target>,
    /// Folded names (Dutch and English) of our terms → their codes.
    by_name: HashMap<String, Target>,
}

impl TermMapper {
    /// The embedded mapping files ([`MAP_FILES`]) with our vocabulary.
    pub fn embedded(vocabulary: &Vocabulary) -> anyhow::Result<Self> {
        Self::new(MAP_FILES, vocabulary).map_err(|errors| {
            anyhow::anyhow!(
                "the taxonomy mapping files have mistakes:\n{}",
                errors.join("\n")
            )
        })
    }

    /// Parses mapping files; every mistake is listed as `file:line: what`.
    pub fn new(files: &[(&str, &str)], vocabulary: &Vocabulary) -> Result<Self, Vec<String>> {
        let mut errors = Vec::new();
        let mut parsed = Vec::new();
        for (name, text) in files {
            match parse_file(name, text, vocabulary) {
                Ok(file) => parsed.push(file),
                Err(mut e) => errors.append(&mut e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut by_code: HashMap<String, Target> = HashMap::new();
        let mut by_name: HashMap<String, Target> = HashMap::new();
        for term in vocabulary.terms() {
            let target = match term.taxonomy_code.as_str() {
                CATEGORY_TAXONOMY => Target {
                    categories: vec![term.code.clone()],
                    ..Default::default()
                },
                TARGET_GROUP_TAXONOMY => Target {
                    target_groups: vec![term.code.clone()],
                    ..Default::default()
                },
                _ => continue,
            };
            by_code
                .entry(term.code.to_lowercase())
                .or_default()
                .add(&target);
            for name in std::iter::once(&term.name).chain(&term.name_en) {
                by_name.entry(fold(name)).or_default().add(&target);
            }
        }
        by_name.remove("");
        Ok(Self {
            files: parsed,
            by_code,
            by_name,
        })
    }

    pub fn map(&self, term: &ForeignTerm) -> Mapping {
        for file in self.files.iter().filter(|f| f.applies_to(term)) {
            if let Some(target) = file.lookup(term) {
                return if target.is_empty() {
                    Mapping::Nothing
                } else {
                    Mapping::To(target.clone())
                };
            }
        }
        if let Some(target) = term
            .code
            .as_deref()
            .and_then(|c| self.by_code.get(&c.trim().to_lowercase()))
        {
            return Mapping::To(target.clone());
        }
        match self.by_name.get(&fold(&term.name)) {
            Some(target) => Mapping::To(target.clone()),
            None => Mapping::Unmapped,
        }
    }
}

fn parse_file(name: &str, text: &str, vocabulary: &Vocabulary) -> Result<MapFile, Vec<String>> {
    let mut errors = Vec::new();
    let mut file = MapFile {
        taxonomies: Vec::new(),
        entries: HashMap::new(),
    };
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let at = format!("{name}:{}", i + 1);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(taxonomy) = line.strip_prefix("taxonomie:") {
            let taxonomy = taxonomy.trim();
            if taxonomy.is_empty() {
                errors.push(format!("{at}: 'taxonomie:' without a name"));
            } else {
                file.taxonomies.push(taxonomy.to_string());
                file.taxonomies.push(fold(taxonomy));
            }
            continue;
        }
        let Some((term, targets)) = line.split_once('=') else {
            errors.push(format!(
                "{at}: expected 'term = code, code' or 'taxonomie: name'"
            ));
            continue;
        };
        let term = term.trim();
        if term.is_empty() {
            errors.push(format!("{at}: no term before '='"));
            continue;
        }
        let mut target = Target::default();
        let targets = targets.trim();
        if targets != "-" {
            for code in targets.split(',').map(str::trim) {
                if let Some(group) = code.strip_prefix("doelgroep:") {
                    let group = group.trim();
                    if vocabulary.target_group(group).is_some() {
                        target.target_groups.push(group.to_string());
                    } else {
                        errors.push(format!("{at}: unknown target group '{group}'"));
                    }
                } else if vocabulary.category(code).is_some() {
                    target.categories.push(code.to_string());
                } else {
                    errors.push(format!(
                        "{at}: unknown category '{code}' (a target group is written \
                         'doelgroep:code'; nothing is written '-')"
                    ));
                }
            }
        }
        for key in [term.to_lowercase(), fold(term)] {
            if let Some(earlier) = file.entries.insert(key, target.clone())
                && earlier != target
            {
                errors.push(format!("{at}: '{term}' is mapped twice, differently"));
            }
        }
    }
    if file.taxonomies.is_empty() {
        errors.push(format!(
            "{name}: no 'taxonomie:' line says which taxonomy this file maps"
        ));
    }
    if errors.is_empty() {
        Ok(file)
    } else {
        Err(errors)
    }
}

/// A name reduced for comparison: words lowercased with accents removed, joined by one space;
/// `&`, `en` and `and` left out (so "A & B", "A en B" and "a and b" are equal).
pub fn fold(text: &str) -> String {
    thread_local! {
        static ANALYZER: std::cell::RefCell<TextAnalyzer> = std::cell::RefCell::new(
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .build(),
        );
    }
    ANALYZER.with(|analyzer| {
        let mut analyzer = analyzer.borrow_mut();
        let mut stream = analyzer.token_stream(text);
        let mut words: Vec<String> = Vec::new();
        while stream.advance() {
            let word = &stream.token().text;
            if word != "en" && word != "and" {
                words.push(word.clone());
            }
        }
        words.join(" ")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary() -> Vocabulary {
        Vocabulary::embedded().unwrap()
    }

    fn term(taxonomy: &str, code: &str, name: &str) -> ForeignTerm {
        ForeignTerm {
            code: (!code.is_empty()).then(|| code.to_string()),
            name: name.into(),
            taxonomy: vec![taxonomy.into()],
        }
    }

    fn categories(mapping: Mapping) -> Vec<String> {
        match mapping {
            Mapping::To(t) => t.categories,
            other => panic!("not mapped: {other:?}"),
        }
    }

    #[test]
    fn folding_ignores_case_accents_and_the_word_for_and() {
        assert_eq!(
            fold("Taal & Digitale vaardigheden"),
            "taal digitale vaardigheden"
        );
        assert_eq!(
            fold("taal en digitale  vaardigheden"),
            "taal digitale vaardigheden"
        );
        assert_eq!(fold("Cliëntondersteuning"), "clientondersteuning");
        assert_eq!(fold("Money and debt"), fold("Money & debt"));
        assert_eq!(fold("  "), "");
    }

    #[test]
    fn terms_map_by_our_code_and_by_folded_name() {
        let mapper = TermMapper::new(&[], &vocabulary()).unwrap();
        let unknown = "Een onbekende taxonomie";
        assert_eq!(
            categories(mapper.map(&term(unknown, "GELD/schuldhulp", "Iets anders"))),
            ["geld/schuldhulp"]
        );
        assert_eq!(
            categories(mapper.map(&term(unknown, "X-1", "Eenzaamheid en sociaal netwerk"))),
            ["eenzaamheid"]
        );
        assert_eq!(
            categories(mapper.map(&term(unknown, "", "taalcafe"))),
            ["taal-digitaal/taalcafe"]
        );
        assert_eq!(
            categories(mapper.map(&term(unknown, "", "Money & debt"))),
            ["geld"]
        );
        assert_eq!(
            mapper.map(&term(unknown, "", "Mantelzorgers")),
            Mapping::To(Target {
                categories: vec![],
                target_groups: vec!["mantelzorgers".into()]
            })
        );
        assert_eq!(
            mapper.map(&term(unknown, "X-2", "Huisdierenzorg")),
            Mapping::Unmapped
        );
    }

    #[test]
    fn a_mapping_file_wins_and_applies_only_to_its_own_taxonomy() {
        let file = "taxonomie: Regio Oost\ntaxonomie: https://oost.example/tax\n\
                    # comment\n\
                    R-1 = geld/schuldhulp, doelgroep:ouderen-65\n\
                    Huisdieren = -\n\
                    Eenzaamheid & sociaal netwerk = eenzaamheid/maatjes\n";
        let mapper = TermMapper::new(&[("oost.txt", file)], &vocabulary()).unwrap();
        assert_eq!(
            mapper.map(&term("regio oost", "r-1", "Wat dan ook")),
            Mapping::To(Target {
                categories: vec!["geld/schuldhulp".into()],
                target_groups: vec!["ouderen-65".into()]
            })
        );
        assert_eq!(
            mapper.map(&term("https://oost.example/tax", "", "huisdieren")),
            Mapping::Nothing
        );
        // The file's rule beats the name rule, but only for its own taxonomy.
        assert_eq!(
            categories(mapper.map(&term("Regio Oost", "", "Eenzaamheid en sociaal netwerk"))),
            ["eenzaamheid/maatjes"]
        );
        assert_eq!(
            categories(mapper.map(&term("Regio West", "", "Eenzaamheid en sociaal netwerk"))),
            ["eenzaamheid"]
        );
        assert_eq!(
            mapper.map(&term("Regio West", "R-1", "Wat dan ook")),
            Mapping::Unmapped
        );
    }

    #[test]
    fn mistakes_in_a_mapping_file_are_listed_with_file_and_line() {
        let file = "taxonomie: X\nA = geen-categorie\nB = doelgroep:niemand\nzonder gelijkteken\n";
        let errors = TermMapper::new(&[("x.txt", file)], &vocabulary()).unwrap_err();
        assert!(
            errors[0].starts_with("x.txt:2: unknown category 'geen-categorie'"),
            "{errors:?}"
        );
        assert!(
            errors[1].starts_with("x.txt:3: unknown target group 'niemand'"),
            "{errors:?}"
        );
        assert!(errors[2].starts_with("x.txt:4: expected"), "{errors:?}");
        let errors = TermMapper::new(&[("y.txt", "A = geld\n")], &vocabulary()).unwrap_err();
        assert!(errors[0].contains("no 'taxonomie:' line"), "{errors:?}");
    }

    #[test]
    fn the_shipped_mapping_files_are_valid_and_all_embedded() {
        TermMapper::embedded(&vocabulary()).unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("index/taxonomy-maps");
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().to_string();
            if name.ends_with(".txt") {
                assert!(
                    MAP_FILES.iter().any(|(n, _)| *n == name),
                    "{name} is not listed in MAP_FILES"
                );
            }
        }
    }
}
