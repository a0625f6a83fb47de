//! The versioned search vocabulary in `index/`: synonyms and life-question phrases.
//!
//! Both files are embedded at compile time and parsed once per [`super::SearchIndex`]. They are
//! applied at query time only, so editing them needs a rebuild of the binary but no reindex.
//! See `index/README.md` for the formats.
//!
//! Phrases are matched on *keys*: lowercased, accent-folded, stemmed words **including** stop
//! words ("ik voel me alleen" must not match "ik voel alleen me"). Index queries are built from
//! *index terms* (stop words removed, positions kept), exactly as the indexer sees text.

use std::collections::HashMap;

use super::SearchError;
use super::analysis::{Analysis, IndexTerms};

/// `index/synonyms.txt`, embedded.
pub(crate) const SYNONYMS_TXT: &str = include_str!("../../index/synonyms.txt");
/// `index/life_questions.txt`, embedded.
pub(crate) const LIFE_QUESTIONS_TXT: &str = include_str!("../../index/life_questions.txt");

/// A word or phrase that a query can be expanded to.
#[derive(Debug, Clone)]
pub(crate) struct Alternative {
    /// As written in the file (shown in [`super::Interpretation`]).
    pub text: String,
    /// What to look for in the index.
    pub terms: IndexTerms,
}

/// One synonym line: searching any `left` entry also finds every `right` entry.
/// For an equivalence group (`a = b = c`) both sides hold the same alternatives.
#[derive(Debug, Clone)]
pub(crate) struct SynonymRule {
    pub right: Vec<Alternative>,
}

/// One life-question phrase and the categories it stands for.
#[derive(Debug, Clone)]
pub(crate) struct LifeQuestion {
    /// As written in the file.
    pub phrase: String,
    pub category_codes: Vec<String>,
}

/// What a matched phrase stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PhraseTarget {
    LifeQuestion(usize),
    Synonym(usize),
}

#[derive(Debug, Clone)]
struct PhraseEntry {
    keys: Vec<String>,
    target: PhraseTarget,
}

/// A phrase found in a query: `len` words starting at `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PhraseMatch {
    pub start: usize,
    pub len: usize,
    pub target: PhraseTarget,
}

/// Parsed and analysed vocabulary.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vocabulary {
    pub life_questions: Vec<LifeQuestion>,
    pub synonym_rules: Vec<SynonymRule>,
    /// Phrases to detect in a query (all life questions, multi-word synonym entries), keyed by
    /// their first word's key; each list is sorted longest first, life questions before synonyms.
    phrases: HashMap<String, Vec<PhraseEntry>>,
    /// Single-word synonym entries: word key → rules in which it is on the left side.
    single_word_rules: HashMap<String, Vec<usize>>,
}

impl Vocabulary {
    /// Parse the embedded `index/` files.
    pub(crate) fn embedded(analysis: &Analysis) -> Result<Self, SearchError> {
        Self::parse(SYNONYMS_TXT, LIFE_QUESTIONS_TXT, analysis)
    }

    pub(crate) fn parse(
        synonyms: &str,
        life_questions: &str,
        analysis: &Analysis,
    ) -> Result<Self, SearchError> {
        let mut analysis = analysis.clone();
        let mut vocabulary = Vocabulary::default();
        // Phrase keys are computed without a cap on words, but a phrase can only match if it
        // fits in the query's word cap anyway.
        const PHRASE_MAX_WORDS: usize = 32;

        for (line_no, line) in content_lines(life_questions) {
            let (codes, phrases) = line.split_once(':').ok_or_else(|| {
                vocabulary_error("life_questions.txt", line_no, "expected `code: phrase | …`")
            })?;
            let category_codes: Vec<String> = codes
                .split(',')
                .map(|code| code.trim().to_string())
                .filter(|code| !code.is_empty())
                .collect();
            if category_codes.is_empty() {
                return Err(vocabulary_error(
                    "life_questions.txt",
                    line_no,
                    "no category code",
                ));
            }
            for phrase in phrases.split('|').map(str::trim).filter(|p| !p.is_empty()) {
                let keys = keys(&mut analysis, phrase, PHRASE_MAX_WORDS);
                if keys.is_empty() {
                    return Err(vocabulary_error(
                        "life_questions.txt",
                        line_no,
                        "empty phrase",
                    ));
                }
                let index = vocabulary.life_questions.len();
                vocabulary.life_questions.push(LifeQuestion {
                    phrase: phrase.to_string(),
                    category_codes: category_codes.clone(),
                });
                vocabulary.add_phrase(keys, PhraseTarget::LifeQuestion(index));
            }
        }

        for (line_no, line) in content_lines(synonyms) {
            let (left, right) = match line.split_once("=>") {
                Some((left, right)) => (left, right),
                None => (line, line),
            };
            let parse_side = |side: &str| -> Vec<String> {
                side.split('=')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            };
            let (left, right) = (parse_side(left), parse_side(right));
            if left.is_empty() || right.is_empty() || (left == right && left.len() < 2) {
                return Err(vocabulary_error(
                    "synonyms.txt",
                    line_no,
                    "expected `a = b` or `a => b`",
                ));
            }
            let right: Vec<Alternative> = right
                .into_iter()
                .map(|text| {
                    let terms = analysis.index_terms(&text);
                    Alternative { text, terms }
                })
                // An entry made only of stop words can never be found in the index.
                .filter(|alternative| !alternative.terms.0.is_empty())
                .collect();
            let rule = vocabulary.synonym_rules.len();
            vocabulary.synonym_rules.push(SynonymRule { right });
            for entry in &left {
                let keys = keys(&mut analysis, entry, PHRASE_MAX_WORDS);
                match keys.len() {
                    0 => {}
                    1 => {
                        let rules = vocabulary
                            .single_word_rules
                            .entry(keys[0].clone())
                            .or_default();
                        if !rules.contains(&rule) {
                            rules.push(rule);
                        }
                    }
                    _ => vocabulary.add_phrase(keys, PhraseTarget::Synonym(rule)),
                }
            }
        }

        for entries in vocabulary.phrases.values_mut() {
            entries.sort_by(|a, b| {
                b.keys.len().cmp(&a.keys.len()).then_with(|| {
                    let rank = |t: &PhraseTarget| matches!(t, PhraseTarget::Synonym(_));
                    rank(&a.target).cmp(&rank(&b.target))
                })
            });
        }
        Ok(vocabulary)
    }

    fn add_phrase(&mut self, keys: Vec<String>, target: PhraseTarget) {
        if let Some(first) = keys.first().cloned() {
            self.phrases
                .entry(first)
                .or_default()
                .push(PhraseEntry { keys, target });
        }
    }

    /// The longest phrase (life question preferred over synonym) starting at word `start`.
    pub(crate) fn match_at(&self, keys: &[&str], start: usize) -> Option<PhraseMatch> {
        let first = keys.get(start)?;
        let candidates = self.phrases.get(*first)?;
        candidates
            .iter()
            .find(|entry| {
                let end = start + entry.keys.len();
                end <= keys.len()
                    && entry
                        .keys
                        .iter()
                        .zip(&keys[start..end])
                        .all(|(a, b)| a == b)
            })
            .map(|entry| PhraseMatch {
                start,
                len: entry.keys.len(),
                target: entry.target,
            })
    }

    /// Synonym rules whose left side contains this single word key.
    pub(crate) fn rules_for_word(&self, key: &str) -> &[usize] {
        self.single_word_rules
            .get(key)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

fn keys(analysis: &mut Analysis, text: &str, max_words: usize) -> Vec<String> {
    analysis
        .words(text, max_words)
        .into_iter()
        .map(|w| w.key)
        .collect()
}

/// Non-empty, non-comment lines with their 1-based line numbers.
fn content_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
}

fn vocabulary_error(file: &'static str, line: usize, message: &str) -> SearchError {
    SearchError::Vocabulary {
        file,
        line,
        message: message.to_string(),
    }
}
