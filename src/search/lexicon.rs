//! The index's own vocabulary: the words of the `surface` field (as written, folded, unstemmed),
//! with how many documents hold each. Query interpretation asks it whether a word exists, which
//! words are a typo away, and which compounds begin with a word — so typo tolerance,
//! decompounding and "Bedoelde u …?" only ever suggest words that are really in the directory,
//! whatever region or feed it was filled from, with no hand-kept word list.

use std::collections::HashMap;

use tantivy::query::FuzzyTermQuery;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use super::SearchError;

/// Terms read from the dictionary for one prefix at most; a short prefix of a common word
/// ("be") would otherwise walk a large part of the dictionary.
const MAX_PREFIX_SCAN: usize = 2_000;

pub(crate) struct Lexicon<'a> {
    searcher: &'a Searcher,
    field: Field,
}

impl<'a> Lexicon<'a> {
    pub(crate) fn new(searcher: &'a Searcher, field: Field) -> Self {
        Self { searcher, field }
    }

    /// Documents holding `word` (deleted documents not yet merged away included).
    pub(crate) fn doc_freq(&self, word: &str) -> Result<u64, SearchError> {
        Ok(self
            .searcher
            .doc_freq(&Term::from_field_text(self.field, word))?)
    }

    pub(crate) fn contains(&self, word: &str) -> Result<bool, SearchError> {
        Ok(!word.is_empty() && self.doc_freq(word)? > 0)
    }

    /// Words within `distance` edits of `word` — a swap of two neighbouring letters is one edit —
    /// other than `word` itself: fewest edits first, then the most documents, at most `limit`.
    pub(crate) fn near(
        &self,
        word: &str,
        distance: u8,
        limit: usize,
    ) -> Result<Vec<(String, u64)>, SearchError> {
        if distance == 0 || limit == 0 {
            return Ok(Vec::new());
        }
        let query = FuzzyTermQuery::new(Term::from_field_text(self.field, word), distance, true);
        let mut found: HashMap<String, u64> = HashMap::new();
        for segment in self.searcher.segment_readers() {
            let inverted = segment.inverted_index(self.field)?;
            let mut stream = inverted.terms().search(query.automaton()?).into_stream()?;
            while stream.advance() {
                let Ok(term) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                if term != word {
                    *found.entry(term.to_string()).or_default() +=
                        u64::from(stream.value().doc_freq);
                }
            }
        }
        let mut ranked: Vec<(usize, String, u64)> = found
            .into_iter()
            .map(|(term, freq)| (strsim::osa_distance(word, &term), term, freq))
            .collect();
        ranked.sort_by(|a, b| a.0.cmp(&b.0).then(b.2.cmp(&a.2)).then(a.1.cmp(&b.1)));
        Ok(ranked
            .into_iter()
            .take(limit)
            .map(|(_, term, freq)| (term, freq))
            .collect())
    }

    /// Words that begin with `prefix` and are at least `min_extra` characters longer, most
    /// documents first, at most `limit`.
    pub(crate) fn extensions(
        &self,
        prefix: &str,
        min_extra: usize,
        limit: usize,
    ) -> Result<Vec<(String, u64)>, SearchError> {
        if prefix.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        // 0xFF never occurs in UTF-8, so this bound sits after every word with the prefix.
        let mut upper = prefix.as_bytes().to_vec();
        upper.push(0xFF);
        let min_chars = prefix.chars().count() + min_extra;
        let mut found: HashMap<String, u64> = HashMap::new();
        for segment in self.searcher.segment_readers() {
            let inverted = segment.inverted_index(self.field)?;
            let mut stream = inverted
                .terms()
                .range()
                .ge(prefix.as_bytes())
                .lt(&upper)
                .into_stream()?;
            let mut scanned = 0;
            while scanned < MAX_PREFIX_SCAN && stream.advance() {
                scanned += 1;
                let Ok(term) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                if term.chars().count() >= min_chars {
                    *found.entry(term.to_string()).or_default() +=
                        u64::from(stream.value().doc_freq);
                }
            }
        }
        let mut ranked: Vec<(String, u64)> = found.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(limit);
        Ok(ranked)
    }
}

/// Dutch links two parts of a compound with nothing, an `s` ("levensvragen") or an `e`/`en`
/// ("pannenkoek"); these are the tails a part may carry.
const LINKING: [&str; 3] = ["s", "en", "e"];

/// Shortest part of a compound we split off: shorter ones ("de", "in") are mostly not parts.
pub(crate) const MIN_PART_CHARS: usize = 3;

/// Length from which what follows a known first part is taken as a word part even when the
/// index does not hold it on its own ("schuldhulp" + "verlening"): shorter tails are mostly
/// inflections or suffixes ("taal" + "en", "wijk" + "je").
const MIN_UNKNOWN_TAIL_CHARS: usize = 5;

/// Whether `rest` — what follows a known first part inside a longer word — makes the longer
/// word a compound of the two: `rest` is itself a word of the index (possibly after a linking
/// `s`, `e` or `en`), or long enough to be one.
pub(crate) fn is_compound_tail(lexicon: &Lexicon<'_>, rest: &str) -> Result<bool, SearchError> {
    let chars = rest.chars().count();
    if chars >= MIN_UNKNOWN_TAIL_CHARS || (chars >= MIN_PART_CHARS && lexicon.contains(rest)?) {
        return Ok(true);
    }
    for link in LINKING {
        if let Some(tail) = rest.strip_prefix(link)
            && tail.chars().count() >= MIN_PART_CHARS
            && lexicon.contains(tail)?
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The best split of a compound into two words of the index ("taalcafe" → "taal" + "cafe"),
/// allowing a linking `s`/`e`/`en` between them: the split whose rarer part is the most common,
/// so that two ordinary words win over a rare fragment. `None` when no split has two known parts.
pub(crate) fn split_compound(
    lexicon: &Lexicon<'_>,
    word: &str,
) -> Result<Option<(String, String)>, SearchError> {
    let boundaries: Vec<usize> = word
        .char_indices()
        .map(|(i, _)| i)
        .skip(MIN_PART_CHARS)
        .collect();
    let mut best: Option<(u64, String, String)> = None;
    for cut in boundaries {
        let (head, rest) = word.split_at(cut);
        let mut tails = vec![rest];
        for link in LINKING {
            if let Some(tail) = rest.strip_prefix(link) {
                tails.push(tail);
            }
        }
        for tail in tails {
            if tail.chars().count() < MIN_PART_CHARS {
                continue;
            }
            let (head_freq, tail_freq) = (lexicon.doc_freq(head)?, lexicon.doc_freq(tail)?);
            let weakest = head_freq.min(tail_freq);
            if weakest > 0 && best.as_ref().is_none_or(|(b, _, _)| weakest > *b) {
                best = Some((weakest, head.to_string(), tail.to_string()));
            }
        }
    }
    Ok(best.map(|(_, head, tail)| (head, tail)))
}
