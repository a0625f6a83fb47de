//! Query interpretation and programmatic query construction.
//!
//! User text never reaches tantivy's `QueryParser`: it is split into words by the analyzer
//! (which treats every punctuation or syntax character as a separator), grouped into
//! *concepts*, and each concept is turned into a tree of term/phrase/fuzzy queries.
//!
//! - A recognised life-question phrase ("ik voel me alleen") is one concept, satisfied by its
//!   category code (constant, strong score) **or** by all its content words.
//! - A recognised multi-word synonym ("rood staan") is one concept, satisfied by any entry of
//!   its synonym rule.
//! - Every other non-stop word is a concept satisfied by itself (stemmed), its synonyms, or —
//!   when the word is rare or unknown in the index — a fuzzy variant.
//!
//! Concepts are combined with `Must`. Filters are `Must` clauses wrapped in a zero-score
//! `ConstScoreQuery`, so they restrict without changing the ranking.

use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, FuzzyTermQuery, Occur,
    PhraseQuery, Query, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::analysis::{Analysis, IndexTerms, Word};
use super::schema::{Fields, names, text_fields};
use super::spatial::{self, KeyRangesQuery};
use super::vocabulary::{PhraseTarget, Vocabulary};
use super::{AccessFilter, Interpretation, Near, RecognizedLifeQuestion, RecognizedSynonym};
use super::{SearchError, SearchRequest};

/// Characters of user text that are looked at; the rest is ignored (and reported as truncated).
pub(crate) const MAX_QUERY_CHARS: usize = 500;
/// Words (including stop words) considered for phrase detection.
const MAX_QUERY_WORDS: usize = 48;
/// Concepts combined with AND. More than this rarely helps and every concept costs a few
/// posting-list intersections; extra words are ignored and reported as truncated.
pub(crate) const MAX_CONCEPTS: usize = 12;

/// Score a document gets for being in a category recognised from a life question. Constant
/// (not BM25) so that it is comparable across categories; high enough to outrank a single
/// name match (boost 4 × BM25 of a common word).
const LIFE_QUESTION_CATEGORY_SCORE: f32 = 8.0;
/// Relative weight of a synonym hit versus the word itself.
const SYNONYM_WEIGHT: f32 = 0.7;
/// Weight of a fuzzy hit. Fuzzy hits score a constant `field boost × FUZZY_WEIGHT`, well below
/// any exact BM25 hit in the same field.
const FUZZY_WEIGHT: f32 = 0.15;
/// Fuzzy variants are only added for words that occur in fewer documents than this (summed
/// over the text fields). A word that is common in the index is almost certainly spelled
/// right, and fuzzy-expanding it costs time and adds noise ("zorgen" ~ "morgen").
const FUZZY_MAX_DOC_FREQ: u64 = 3;
/// Filters on more values than this use one `TermSetQuery` instead of a union of term queries.
const MAX_FILTER_TERM_QUERIES: usize = 16;

/// The text part of a search, interpreted.
pub(crate) struct TextQuery {
    /// `None` if the text had no searchable words (empty, only stop words or punctuation).
    pub query: Option<Box<dyn Query>>,
    pub interpretation: Interpretation,
}

/// Levenshtein distance allowed for a word of this many characters.
pub(crate) fn fuzzy_distance(chars: usize) -> u8 {
    match chars {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// Interpret the user's text and build the scoring part of the query.
pub(crate) fn text_query(
    text: &str,
    analysis: &mut Analysis,
    vocabulary: &Vocabulary,
    fields: &Fields,
    searcher: &Searcher,
) -> Result<TextQuery, SearchError> {
    let mut interpretation = Interpretation::default();
    let mut text = text;
    if let Some((cut, _)) = text.char_indices().nth(MAX_QUERY_CHARS) {
        text = &text[..cut];
        interpretation.truncated = true;
    }
    let words = analysis.words(text, MAX_QUERY_WORDS + 1);
    if words.len() > MAX_QUERY_WORDS {
        interpretation.truncated = true;
    }
    let words = &words[..words.len().min(MAX_QUERY_WORDS)];
    interpretation.normalized = words
        .iter()
        .map(|w| w.folded.as_str())
        .collect::<Vec<_>>()
        .join(" ");

    let keys: Vec<&str> = words.iter().map(|w| w.key.as_str()).collect();
    let mut concepts: Vec<Box<dyn Query>> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if concepts.len() >= MAX_CONCEPTS {
            // Only words that would have become a concept count as dropped.
            if words[i..].iter().any(|w| w.term.is_some()) {
                interpretation.truncated = true;
            }
            break;
        }
        let matched = vocabulary.match_at(&keys, i);
        match matched {
            Some(found) => {
                let span = &words[found.start..found.start + found.len];
                let typed = span
                    .iter()
                    .map(|w| w.folded.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                match found.target {
                    PhraseTarget::LifeQuestion(index) => {
                        let life_question = &vocabulary.life_questions[index];
                        let mut should: Vec<Box<dyn Query>> = life_question
                            .category_codes
                            .iter()
                            .map(|code| {
                                let term = Term::from_field_text(fields.category_codes, code);
                                Box::new(ConstScoreQuery::new(
                                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                                    LIFE_QUESTION_CATEGORY_SCORE,
                                )) as Box<dyn Query>
                            })
                            .collect();
                        let content: Vec<&Word> =
                            span.iter().filter(|w| w.term.is_some()).collect();
                        if !content.is_empty() {
                            let all_words: Vec<(Occur, Box<dyn Query>)> = content
                                .iter()
                                .map(|word| {
                                    let query = word_concept(
                                        word,
                                        vocabulary,
                                        fields,
                                        searcher,
                                        &mut interpretation,
                                    )?;
                                    Ok((Occur::Must, query))
                                })
                                .collect::<Result<_, SearchError>>()?;
                            should.push(Box::new(BooleanQuery::new(all_words)));
                        }
                        concepts.push(any_of(should));
                        interpretation.life_questions.push(RecognizedLifeQuestion {
                            matched: typed,
                            phrase: life_question.phrase.clone(),
                            category_codes: life_question.category_codes.clone(),
                        });
                    }
                    PhraseTarget::Synonym(rule) => {
                        let typed_terms = analysis.index_terms(&typed);
                        let mut should = alternative_queries(&typed_terms, fields, 1.0);
                        let mut alternatives = Vec::new();
                        for alternative in &vocabulary.synonym_rules[rule].right {
                            if alternative.terms != typed_terms {
                                should.extend(alternative_queries(
                                    &alternative.terms,
                                    fields,
                                    SYNONYM_WEIGHT,
                                ));
                                alternatives.push(alternative.text.clone());
                            }
                        }
                        concepts.push(any_of(should));
                        interpretation.synonyms.push(RecognizedSynonym {
                            term: typed,
                            alternatives,
                        });
                    }
                }
                i += found.len;
            }
            None => {
                let word = &words[i];
                if word.term.is_some() {
                    concepts.push(word_concept(
                        word,
                        vocabulary,
                        fields,
                        searcher,
                        &mut interpretation,
                    )?);
                    interpretation.terms.push(word.folded.clone());
                }
                i += 1;
            }
        }
    }

    let query = match concepts.len() {
        0 => None,
        1 => concepts.pop(),
        _ => Some(Box::new(BooleanQuery::new(
            concepts.into_iter().map(|q| (Occur::Must, q)).collect(),
        )) as Box<dyn Query>),
    };
    Ok(TextQuery {
        query,
        interpretation,
    })
}

/// A single word: itself, its synonyms, and (if rare in the index) fuzzy variants.
fn word_concept(
    word: &Word,
    vocabulary: &Vocabulary,
    fields: &Fields,
    searcher: &Searcher,
    interpretation: &mut Interpretation,
) -> Result<Box<dyn Query>, SearchError> {
    let Some(stem) = word.term.as_deref() else {
        return Ok(Box::new(AllQuery));
    };
    let own = IndexTerms(vec![(0, stem.to_string())]);
    let mut should = alternative_queries(&own, fields, 1.0);

    let mut alternatives = Vec::new();
    for &rule in vocabulary.rules_for_word(&word.key) {
        for alternative in &vocabulary.synonym_rules[rule].right {
            if alternative.terms != own && !alternatives.contains(&alternative.text) {
                should.extend(alternative_queries(
                    &alternative.terms,
                    fields,
                    SYNONYM_WEIGHT,
                ));
                alternatives.push(alternative.text.clone());
            }
        }
    }
    if !alternatives.is_empty()
        && !interpretation
            .synonyms
            .iter()
            .any(|s| s.term == word.folded)
    {
        interpretation.synonyms.push(RecognizedSynonym {
            term: word.folded.clone(),
            alternatives,
        });
    }

    let distance = fuzzy_distance(word.folded.chars().count());
    if distance > 0 {
        let mut doc_freq = 0;
        for (field, _) in text_fields(fields) {
            doc_freq += searcher.doc_freq(&Term::from_field_text(field, stem))?;
        }
        if doc_freq < FUZZY_MAX_DOC_FREQ {
            for (field, boost) in text_fields(fields) {
                let term = Term::from_field_text(field, stem);
                should.push(Box::new(BoostQuery::new(
                    Box::new(FuzzyTermQuery::new(term, distance, true)),
                    boost * FUZZY_WEIGHT,
                )));
            }
            interpretation.fuzzy_terms.push(word.folded.clone());
        }
    }
    Ok(any_of(should))
}

/// Per text field: a term query (one term) or a phrase query (several), boosted by the
/// field's boost × `weight`.
fn alternative_queries(terms: &IndexTerms, fields: &Fields, weight: f32) -> Vec<Box<dyn Query>> {
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    for (field, boost) in text_fields(fields) {
        let query: Box<dyn Query> = match terms.0.as_slice() {
            [] => continue,
            [(_, term)] => Box::new(TermQuery::new(
                Term::from_field_text(field, term),
                IndexRecordOption::WithFreqs,
            )),
            many => {
                let base = many[0].0;
                Box::new(PhraseQuery::new_with_offset(
                    many.iter()
                        .map(|(pos, term)| (pos - base, Term::from_field_text(field, term)))
                        .collect(),
                ))
            }
        };
        out.push(Box::new(BoostQuery::new(query, boost * weight)));
    }
    out
}

fn any_of(mut should: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if should.len() == 1
        && let Some(query) = should.pop()
    {
        return query;
    }
    Box::new(BooleanQuery::new(
        should.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

/// A superset of what the collector's radius rule accepts, cheap to evaluate on an index sorted
/// by `spatial_key`: documents whose key lies in the cells around the circle (that is, whose
/// one point may be inside it), or that have several points, or that serve one of the codes
/// covering the origin. `None` without a radius or where no box can be drawn.
fn near_candidates(near: &Near, fields: &Fields) -> Option<Box<dyn Query>> {
    let radius = near.radius_m?;
    let area = spatial::radius_box(near.point.latitude, near.point.longitude, radius)?;
    let mut any: Vec<Box<dyn Query>> = vec![
        Box::new(KeyRangesQuery::new(
            names::SPATIAL_KEY,
            spatial::covering_ranges(&area),
        )),
        Box::new(TermQuery::new(
            Term::from_field_bool(fields.several_points, true),
            IndexRecordOption::Basic,
        )),
    ];
    if !near.covering_codes.is_empty() {
        any.push(term_set(fields.served_area_codes, &near.covering_codes));
    }
    Some(any_of(any))
}

fn filter(query: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
}

/// Any of these values. Used only inside filters (never scored).
fn term_set(field: Field, values: &[String]) -> Box<dyn Query> {
    // A `TermSetQuery` builds an FST of its terms for every search (~1.2 M instructions for
    // three codes, more than the rest of a radius search); a handful of term queries is cheap.
    if values.len() > MAX_FILTER_TERM_QUERIES {
        return Box::new(TermSetQuery::new(
            values.iter().map(|v| Term::from_field_text(field, v)),
        ));
    }
    any_of(
        values
            .iter()
            .map(|value| {
                Box::new(TermQuery::new(
                    Term::from_field_text(field, value),
                    IndexRecordOption::Basic,
                )) as Box<dyn Query>
            })
            .collect(),
    )
}

/// Combine the text query and the request's filters. The radius itself is applied by the
/// collector (exactly, with the "serves your area" rule); here it only adds a coarse filter
/// that keeps every document the collector could accept (see [`near_candidates`]).
pub(crate) fn full_query(
    text: Option<Box<dyn Query>>,
    request: &SearchRequest,
    fields: &Fields,
) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if let Some(text) = text {
        clauses.push((Occur::Must, text));
    }
    if let Some(area) = request.area_code.as_deref().filter(|a| !a.is_empty()) {
        clauses.push(filter(term_set(fields.area_codes, &[area.to_string()])));
    }
    if !request.categories.is_empty() {
        clauses.push(filter(term_set(fields.category_codes, &request.categories)));
    }
    if !request.target_groups.is_empty() {
        clauses.push(filter(term_set(
            fields.target_group_codes,
            &request.target_groups,
        )));
    }
    if request.free_only {
        clauses.push(filter(term_set(fields.cost, &["free".to_string()])));
    }
    let open = || term_set(fields.access_route, &["open".to_string()]);
    match request.access {
        Some(AccessFilter::OpenToAll) => clauses.push(filter(open())),
        Some(AccessFilter::NeedsReferral) => clauses.push((Occur::MustNot, open())),
        None => {}
    }
    if let Some(wor) = request.welzijn_op_recept {
        clauses.push(filter(Box::new(TermQuery::new(
            Term::from_field_bool(fields.welzijn_op_recept, wor),
            IndexRecordOption::Basic,
        ))));
    }
    if let Some(day) = request.day {
        clauses.push(filter(Box::new(TermQuery::new(
            Term::from_field_u64(fields.days, u64::from(day)),
            IndexRecordOption::Basic,
        ))));
    }
    if let Some(age) = request.age {
        let age = u64::from(age);
        clauses.push(filter(Box::new(RangeQuery::new(
            Bound::Unbounded,
            Bound::Included(Term::from_field_u64(fields.min_age, age)),
        ))));
        clauses.push(filter(Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_u64(fields.max_age, age)),
            Bound::Unbounded,
        ))));
    }
    if let Some(candidates) = request
        .near
        .as_ref()
        .and_then(|near| near_candidates(near, fields))
    {
        clauses.push(filter(candidates));
    }
    if let Some(org) = request.organization_id {
        clauses.push(filter(term_set(fields.organization_id, &[org.to_string()])));
    }
    if let Some(terms) = &request.taxonomy_term_ids {
        if terms.is_empty() {
            return Box::new(EmptyQuery);
        }
        clauses.push(filter(term_set(fields.term_ids, terms)));
    }
    if let Some(after) = request.modified_after {
        clauses.push(filter(Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_i64(fields.modified, after)),
            Bound::Unbounded,
        ))));
    }
    if let Some((min, max)) = request.ages {
        clauses.push(filter(Box::new(RangeQuery::new(
            Bound::Unbounded,
            Bound::Included(Term::from_field_u64(fields.min_age, u64::from(max))),
        ))));
        clauses.push(filter(Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_u64(fields.max_age, u64::from(min))),
            Bound::Unbounded,
        ))));
    }
    if let Some(window) = request.open_window {
        let days: Vec<u8> = match window.day {
            Some(day) => vec![day],
            None => (1..=7).collect(),
        };
        let last = window.to.saturating_sub(1).max(window.from);
        let ranges: Vec<(Occur, Box<dyn Query>)> = days
            .into_iter()
            .map(|day| {
                let range: Box<dyn Query> = Box::new(RangeQuery::new(
                    Bound::Included(Term::from_field_u64(
                        fields.open_slots,
                        super::schema::slot(day, window.from),
                    )),
                    Bound::Included(Term::from_field_u64(
                        fields.open_slots,
                        super::schema::slot(day, last),
                    )),
                ));
                (Occur::Should, range)
            })
            .collect();
        clauses.push(filter(Box::new(BooleanQuery::new(ranges))));
    }
    // A boolean query without positive clauses matches nothing; "no text, no filters" (or only
    // an exclusion) means "everything".
    if !clauses.iter().any(|(occur, _)| *occur == Occur::Must) {
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    if clauses.len() == 1
        && clauses[0].0 == Occur::Must
        && let Some((_, query)) = clauses.pop()
    {
        return query;
    }
    Box::new(BooleanQuery::new(clauses))
}
