//! The versioned search vocabulary in `index/`: synonyms and life-question phrases.
//!
//! Both files are embedded at compile time and parsed once per [`super::SearchIndex`]. They are
//! applied at query time only, so editing them needs a rebuild of the binary but no reindex.
//! See `index/README.md` for the formats.
//!
//! Phrases are matched on *keys*: lowercased, accent-folded, stemmed words **including** stop
//! words. Multi-word synonyms must appear as written ("rood staan"); life questions are
//! recognised in their variants — any word order, a few extra words, "me" or "mij" — see
//! [`Vocabulary::match_life_questions`]. Index queries are built from *index terms* (stop words
//! removed, positions kept), exactly as the indexer sees text.

use std::collections::HashMap;

use super::SearchError;
use super::analysis::{Analysis, IndexTerms};

/// `index/synonyms.txt`, embedded.
pub(crate) const SYNONYMS_TXT: &str = include_str!("../../index/synonyms.txt");
/// `index/life_questions.txt`, embedded.
pub(crate) const LIFE_QUESTIONS_TXT: &str = include_str!("../../index/life_questions.txt");
/// `index/fillers.txt`, embedded.
pub(crate) const FILLERS_TXT: &str = include_str!("../../index/fillers.txt");

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
    /// The phrase's word keys that a query must contain, in any order (see
    /// [`Vocabulary::match_life_questions`]): pronoun variants made one ("mij" = "me") and the
    /// optional little words left out.
    required: Vec<String>,
    /// Every word key of the phrase (canonical), optional ones included.
    all_keys: Vec<String>,
}

/// A life question recognised in a query: which one, and the query positions it took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LifeQuestionMatch {
    pub index: usize,
    /// The positions of its required words, ascending.
    pub positions: Vec<usize>,
    /// The query words it stands for: from its first to its last word, including the extra
    /// words among them and its optional words right before or after ("**ik** voel me alleen").
    pub span: std::ops::RangeInclusive<usize>,
}

/// Extra words a recognised life question may have between its own words ("ik voel mij **zo**
/// alleen"), beyond its required words.
const LIFE_QUESTION_SLACK: usize = 4;

/// Word keys that do not change what a life question asks, so a query need not contain them:
/// "ik kan **de** rekeningen niet betalen" is "ik kan **mijn** rekeningen niet betalen".
const OPTIONAL_KEYS: [&str; 16] = [
    "ik", "de", "het", "een", "mijn", "zo", "heel", "erg", "echt", "wel", "nou", "toch", "ook",
    "al", "nog", "eens",
];

/// One key per pronoun that people use in two forms ("ik voel me" = "ik voel mij").
fn canonical_key(key: &str) -> &str {
    match key {
        "mij" => "me",
        "jij" | "u" => "je",
        "wij" => "we",
        "zij" => "ze",
        "jouw" | "uw" => "je",
        other => other,
    }
}

#[derive(Debug, Clone)]
struct PhraseEntry {
    keys: Vec<String>,
    /// Index of the synonym rule.
    rule: usize,
}

/// A multi-word synonym entry found in a query: `len` words starting at `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PhraseMatch {
    pub start: usize,
    pub len: usize,
    /// Index into [`Vocabulary::synonym_rules`].
    pub rule: usize,
}

/// Parsed and analysed vocabulary.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vocabulary {
    pub life_questions: Vec<LifeQuestion>,
    pub synonym_rules: Vec<SynonymRule>,
    /// Multi-word synonym entries to detect in a query, keyed by their first word's key; each
    /// list is sorted longest first.
    phrases: HashMap<String, Vec<PhraseEntry>>,
    /// Single-word synonym entries: word key → rules in which it is on the left side.
    single_word_rules: HashMap<String, Vec<usize>>,
    /// Indexes of `life_questions`, most required words first.
    life_question_order: Vec<usize>,
    /// Filler phrases (keys), longest first: skipped in queries.
    fillers: Vec<Vec<String>>,
}

impl Vocabulary {
    /// Parse the embedded `index/` files.
    pub(crate) fn embedded(analysis: &Analysis) -> Result<Self, SearchError> {
        let mut vocabulary = Self::parse(SYNONYMS_TXT, LIFE_QUESTIONS_TXT, analysis)?;
        vocabulary.add_fillers(FILLERS_TXT, analysis);
        Ok(vocabulary)
    }

    /// Adds the filler phrases of `index/fillers.txt`.
    pub(crate) fn add_fillers(&mut self, fillers: &str, analysis: &Analysis) {
        let mut analysis = analysis.clone();
        for (_, line) in content_lines(fillers) {
            let keys = keys(&mut analysis, line, 32);
            if !keys.is_empty() {
                self.fillers.push(keys);
            }
        }
        self.fillers.sort_by_key(|f| std::cmp::Reverse(f.len()));
    }

    /// The length of the longest filler phrase starting at word `start`, if any.
    pub(crate) fn filler_at(&self, keys: &[&str], start: usize) -> Option<usize> {
        self.fillers
            .iter()
            .find(|filler| {
                start + filler.len() <= keys.len()
                    && filler.iter().zip(&keys[start..]).all(|(a, b)| a == b)
            })
            .map(Vec::len)
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
                let mut required: Vec<String> = keys
                    .iter()
                    .map(|k| canonical_key(k).to_string())
                    .filter(|k| !OPTIONAL_KEYS.contains(&k.as_str()))
                    .collect();
                if required.is_empty() {
                    // Only little words: then all of them are needed.
                    required = keys.iter().map(|k| canonical_key(k).to_string()).collect();
                }
                vocabulary.life_questions.push(LifeQuestion {
                    phrase: phrase.to_string(),
                    category_codes: category_codes.clone(),
                    required,
                    all_keys: keys.iter().map(|k| canonical_key(k).to_string()).collect(),
                });
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
                    _ => vocabulary.add_phrase(keys, rule),
                }
            }
        }

        // Longest first, so "ik voel me alleen" wins over "alleen"; stable for equal lengths.
        vocabulary.life_question_order = (0..vocabulary.life_questions.len()).collect();
        vocabulary
            .life_question_order
            .sort_by_key(|&i| std::cmp::Reverse(vocabulary.life_questions[i].required.len()));
        for entries in vocabulary.phrases.values_mut() {
            entries.sort_by_key(|entry| std::cmp::Reverse(entry.keys.len()));
        }
        Ok(vocabulary)
    }

    fn add_phrase(&mut self, keys: Vec<String>, rule: usize) {
        if let Some(first) = keys.first().cloned() {
            self.phrases
                .entry(first)
                .or_default()
                .push(PhraseEntry { keys, rule });
        }
    }

    /// The life questions in a query, given the query's word keys. A life question is
    /// recognised when the query holds each of its required words, in any order ("alleen voel
    /// ik me"), with at most [`LIFE_QUESTION_SLACK`] other words among them ("ik voel mij zo
    /// alleen"), and pronoun variants counting as one ("mij" = "me"). Longest first; a query word
    /// belongs to one life question at most.
    pub(crate) fn match_life_questions(&self, keys: &[&str]) -> Vec<LifeQuestionMatch> {
        let canonical: Vec<&str> = keys.iter().map(|k| canonical_key(k)).collect();
        let mut taken = vec![false; keys.len()];
        let mut found = Vec::new();
        for &index in &self.life_question_order {
            let required = &self.life_questions[index].required;
            let mut positions = Vec::with_capacity(required.len());
            let mut complete = true;
            for key in required {
                let free = (0..canonical.len())
                    .find(|&p| !taken[p] && !positions.contains(&p) && canonical[p] == key);
                match free {
                    Some(p) => positions.push(p),
                    None => {
                        complete = false;
                        break;
                    }
                }
            }
            if !complete {
                continue;
            }
            positions.sort_unstable();
            let (mut start, mut end) = (positions[0], positions[positions.len() - 1]);
            if end - start + 1 > required.len() + LIFE_QUESTION_SLACK
                || taken[start..=end].iter().any(|t| *t)
            {
                continue;
            }
            let all_keys = &self.life_questions[index].all_keys;
            let belongs = |p: usize| !taken[p] && all_keys.iter().any(|k| k == canonical[p]);
            while start > 0 && belongs(start - 1) {
                start -= 1;
            }
            while end + 1 < canonical.len() && belongs(end + 1) {
                end += 1;
            }
            for t in &mut taken[start..=end] {
                *t = true;
            }
            found.push(LifeQuestionMatch {
                index,
                positions,
                span: start..=end,
            });
        }
        found
    }

    /// The longest synonym phrase starting at word `start`.
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
                rule: entry.rule,
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
