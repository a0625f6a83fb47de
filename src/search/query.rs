//! Query interpretation and programmatic query construction.
//!
//! User text never reaches tantivy's `QueryParser`: it is split into words by the analyzer
//! (which treats every punctuation or syntax character as a separator), grouped into
//! *concepts*, and each concept is turned into a tree of term/phrase/fuzzy queries.
//!
//! - A recognised life question ("ik voel me alleen", also "alleen voel ik mij zo") is one
//!   concept, satisfied by its category code (constant, strong score) **or** by all its
//!   content words.
//! - A recognised multi-word synonym ("rood staan") is one concept, satisfied by any entry of
//!   its synonym rule.
//! - Two words that the directory writes as one compound ("taal cafe" → "taalcafe") are one
//!   concept, satisfied by the compound or by both words.
//! - Every other non-stop word is a concept satisfied by itself (stemmed), its synonyms,
//!   compounds of the index that begin with it, and — when it is rare or unknown in the index —
//!   the same compound written as two words and typo variants of the word as typed. The index's
//!   own vocabulary decides (see `lexicon.rs`).
//!
//! Concepts are combined with `Must` (relaxed by `SearchIndex::collect` when that finds
//! nothing). Filters are `Must` clauses wrapped in a zero-score `ConstScoreQuery`, so they
//! restrict without changing the ranking.

use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query,
    RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::analysis::{Analysis, IndexTerms, Word};
use super::lexicon::{Lexicon, MIN_PART_CHARS, is_compound_tail, split_compound};
use super::schema::{Fields, names, text_fields};
use super::spatial::{self, KeyRangesQuery};
use super::vocabulary::Vocabulary;
use super::{
    AccessFilter, Correction, Interpretation, Near, RecognizedLifeQuestion, RecognizedSynonym,
};
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
/// Weight of a typo variant (BM25 on the `surface` field): below the word itself in any field.
const FUZZY_WEIGHT: f32 = 0.5;
/// Fuzzy variants are only added for words that occur in fewer documents than this (summed
/// over the text fields). A word that is common in the index is almost certainly spelled
/// right, and fuzzy-expanding it costs time and adds noise ("zorgen" ~ "morgen").
const FUZZY_MAX_DOC_FREQ: u64 = 3;
/// Filters on more values than this use one `TermSetQuery` instead of a union of term queries.
const MAX_FILTER_TERM_QUERIES: usize = 16;

/// One thing the user asked for: a recognised life question, a synonym phrase, two words that
/// belong together as one compound, or a single word. Concepts are combined with AND; when that
/// finds nothing, the least important ones are left out (see `SearchIndex::collect`).
pub(crate) struct Concept {
    pub query: Box<dyn Query>,
    /// The words as typed (folded), for telling the user which words were used.
    pub label: String,
    /// A life question or synonym phrase from `index/`: what the user most clearly meant, so it
    /// is the last thing relaxation leaves out.
    pub recognised: bool,
}

/// The text part of a search, interpreted.
pub(crate) struct TextQuery {
    /// In the order of the words; empty if the text had no searchable words (empty, only stop
    /// words or punctuation).
    pub concepts: Vec<Concept>,
    pub interpretation: Interpretation,
}

/// Levenshtein distance allowed for a word of this many characters (a swap of two neighbouring
/// letters counts as one).
pub(crate) fn fuzzy_distance(chars: usize) -> u8 {
    match chars {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// Weight of a compound that begins with the typed word ("schuldhulp" → "schuldhulpverlening")
/// and of a compound typed as one word found written as two ("taalcafe" → "taal café").
const COMPOUND_WEIGHT: f32 = 0.5;
/// Compounds that begin with a typed word, at most, taken most common first.
const MAX_COMPOUND_EXTENSIONS: usize = 12;
/// Typo variants of one word, at most.
const MAX_FUZZY_VARIANTS: usize = 5;

/// What building concepts needs at hand.
struct Context<'a> {
    vocabulary: &'a Vocabulary,
    fields: &'a Fields,
    searcher: &'a Searcher,
    lexicon: Lexicon<'a>,
}

/// Interpret the user's text and build one query per concept.
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
    let ctx = Context {
        vocabulary,
        fields,
        searcher,
        lexicon: Lexicon::new(searcher, fields.surface),
    };

    // Concepts with the position of their first word, to put them back in typed order.
    let mut concepts: Vec<(usize, Concept)> = Vec::new();
    let keys: Vec<&str> = words.iter().map(|w| w.key.as_str()).collect();
    let mut taken = vec![false; words.len()];

    // Life questions first: they may be spread over the query, in any order.
    for found in vocabulary.match_life_questions(&keys) {
        let life_question = &vocabulary.life_questions[found.index];
        for p in found.span.clone() {
            taken[p] = true;
        }
        let typed = join_folded(&words[found.span.clone()].iter().collect::<Vec<_>>());
        let span: Vec<&Word> = found.positions.iter().map(|&p| &words[p]).collect();
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
        let content: Vec<&Word> = span.iter().copied().filter(|w| w.term.is_some()).collect();
        if !content.is_empty() {
            let all_words = content
                .iter()
                .map(|word| Ok((Occur::Must, word_concept(word, &ctx, &mut interpretation)?)))
                .collect::<Result<Vec<_>, SearchError>>()?;
            should.push(Box::new(BooleanQuery::new(all_words)));
        }
        interpretation.life_questions.push(RecognizedLifeQuestion {
            matched: typed.clone(),
            phrase: life_question.phrase.clone(),
            category_codes: life_question.category_codes.clone(),
        });
        concepts.push((
            found.positions[0],
            Concept {
                query: any_of(should),
                label: typed,
                recognised: true,
            },
        ));
    }

    let mut i = 0;
    while i < words.len() {
        if taken[i] {
            i += 1;
            continue;
        }
        if concepts.len() >= MAX_CONCEPTS {
            // Only words that would have become a concept count as dropped.
            if words[i..].iter().any(|w| w.term.is_some()) {
                interpretation.truncated = true;
            }
            break;
        }
        // Words that say nothing about what is sought ("de laatste tijd", "hallo").
        if let Some(len) = vocabulary
            .filler_at(&keys, i)
            .filter(|&len| !taken[i..i + len].iter().any(|t| *t))
        {
            let span: Vec<&Word> = words[i..i + len].iter().collect();
            interpretation.ignored.push(join_folded(&span));
            i += len;
            continue;
        }
        // A synonym phrase counts only where none of its words belongs to a life question.
        if let Some(found) = vocabulary
            .match_at(&keys, i)
            .filter(|m| !taken[m.start..m.start + m.len].iter().any(|t| *t))
        {
            let span: Vec<&Word> = words[found.start..found.start + found.len].iter().collect();
            let typed = join_folded(&span);
            let typed_terms = analysis.index_terms(&typed);
            let mut should = alternative_queries(&typed_terms, fields, 1.0);
            let mut alternatives = Vec::new();
            for alternative in &vocabulary.synonym_rules[found.rule].right {
                if alternative.terms != typed_terms {
                    should.extend(alternative_queries(
                        &alternative.terms,
                        fields,
                        SYNONYM_WEIGHT,
                    ));
                    alternatives.push(alternative.text.clone());
                }
            }
            interpretation.synonyms.push(RecognizedSynonym {
                term: typed.clone(),
                alternatives,
            });
            concepts.push((
                i,
                Concept {
                    query: any_of(should),
                    label: typed,
                    recognised: true,
                },
            ));
            i += found.len;
            continue;
        }
        let word = &words[i];
        if word.term.is_none() {
            i += 1;
            continue;
        }
        // Two words that are one compound in the directory ("taal cafe" → "taalcafe").
        let next = (i + 1 < words.len() && !taken[i + 1])
            .then(|| &words[i + 1])
            .filter(|next| next.term.is_some());
        if let Some(next) = next {
            let joined = format!("{}{}", word.folded, next.folded);
            if ctx.lexicon.contains(&joined)? {
                let both = BooleanQuery::new(vec![
                    (Occur::Must, word_concept(word, &ctx, &mut interpretation)?),
                    (Occur::Must, word_concept(next, &ctx, &mut interpretation)?),
                ]);
                let mut should = alternative_queries(&analysis.index_terms(&joined), fields, 1.0);
                should.push(Box::new(TermQuery::new(
                    Term::from_field_text(fields.surface, &joined),
                    IndexRecordOption::WithFreqs,
                )));
                should.push(Box::new(both));
                interpretation.terms.push(word.folded.clone());
                interpretation.terms.push(next.folded.clone());
                concepts.push((
                    i,
                    Concept {
                        query: any_of(should),
                        label: format!("{} {}", word.folded, next.folded),
                        recognised: false,
                    },
                ));
                i += 2;
                continue;
            }
        }
        concepts.push((
            i,
            Concept {
                query: word_concept(word, &ctx, &mut interpretation)?,
                label: word.folded.clone(),
                recognised: false,
            },
        ));
        interpretation.terms.push(word.folded.clone());
        i += 1;
    }

    concepts.sort_by_key(|(position, _)| *position);
    if concepts.len() > MAX_CONCEPTS {
        concepts.truncate(MAX_CONCEPTS);
        interpretation.truncated = true;
    }
    Ok(TextQuery {
        concepts: concepts.into_iter().map(|(_, c)| c).collect(),
        interpretation,
    })
}

fn join_folded(words: &[&Word]) -> String {
    words
        .iter()
        .map(|w| w.folded.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// All concepts together (AND), `None` without concepts.
pub(crate) fn all_of(concepts: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    let mut concepts = concepts;
    match concepts.len() {
        0 => None,
        1 => concepts.pop(),
        _ => Some(Box::new(BooleanQuery::new(
            concepts.into_iter().map(|q| (Occur::Must, q)).collect(),
        ))),
    }
}

/// A single word: itself (stemmed) and its synonyms; compounds of the index that begin with it
/// ("schuldhulp" → "schuldhulpverlening"); the same compound written as two words ("taalcafe"
/// → "taal cafe"); and, when the word is rare or unknown in the index, the index's words that
/// are a typo away from it as typed ("eenzaamhied" → "eenzaamheid").
fn word_concept(
    word: &Word,
    ctx: &Context<'_>,
    interpretation: &mut Interpretation,
) -> Result<Box<dyn Query>, SearchError> {
    let Some(stem) = word.term.as_deref() else {
        return Ok(Box::new(AllQuery));
    };
    let fields = ctx.fields;
    let own = IndexTerms(vec![(0, stem.to_string())]);
    let mut should = alternative_queries(&own, fields, 1.0);

    let mut alternatives = Vec::new();
    for &rule in ctx.vocabulary.rules_for_word(&word.key) {
        for alternative in &ctx.vocabulary.synonym_rules[rule].right {
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

    let folded = word.folded.as_str();
    let surface_term = |text: &str, weight: f32| -> Box<dyn Query> {
        Box::new(BoostQuery::new(
            Box::new(TermQuery::new(
                Term::from_field_text(fields.surface, text),
                IndexRecordOption::WithFreqs,
            )),
            weight,
        ))
    };
    // A part finds the whole: compounds that begin with the word and go on with another word
    // of the index.
    if folded.chars().count() > MIN_PART_CHARS {
        for (compound, _) in ctx
            .lexicon
            .extensions(folded, MIN_PART_CHARS, MAX_COMPOUND_EXTENSIONS * 4)?
            .into_iter()
            .filter_map(|(compound, freq)| {
                let rest = &compound[folded.len()..];
                match is_compound_tail(&ctx.lexicon, rest) {
                    Ok(true) => Some(Ok((compound, freq))),
                    Ok(false) => None,
                    Err(error) => Some(Err(error)),
                }
            })
            .take(MAX_COMPOUND_EXTENSIONS)
            .collect::<Result<Vec<_>, _>>()?
        {
            should.push(surface_term(&compound, COMPOUND_WEIGHT));
        }
    }

    let surface_freq = ctx.lexicon.doc_freq(folded)?;
    let mut stem_freq = 0;
    for (field, _) in text_fields(fields) {
        stem_freq += ctx.searcher.doc_freq(&Term::from_field_text(field, stem))?;
    }
    let rare = surface_freq < FUZZY_MAX_DOC_FREQ && stem_freq < FUZZY_MAX_DOC_FREQ;
    // A compound typed as one word that the directory writes as two.
    if rare
        && folded.chars().count() > 2 * MIN_PART_CHARS
        && let Some((head, tail)) = split_compound(&ctx.lexicon, folded)?
    {
        should.push(Box::new(BoostQuery::new(
            Box::new(PhraseQuery::new(vec![
                Term::from_field_text(fields.surface, &head),
                Term::from_field_text(fields.surface, &tail),
            ])),
            COMPOUND_WEIGHT,
        )));
    }
    // Typos, on the word as typed: "eenzaamhied" and "eenzaamheid" have different stems.
    let distance = fuzzy_distance(folded.chars().count());
    if rare && distance > 0 {
        let variants = ctx.lexicon.near(folded, distance, MAX_FUZZY_VARIANTS)?;
        if let Some((best, _)) = variants.first()
            && !interpretation.corrections.iter().any(|c| c.typed == folded)
        {
            interpretation.corrections.push(Correction {
                typed: folded.to_string(),
                found: best.clone(),
            });
        }
        for (variant, _) in &variants {
            should.push(surface_term(variant, FUZZY_WEIGHT));
        }
        if !variants.is_empty() && !interpretation.fuzzy_terms.iter().any(|t| t == folded) {
            interpretation.fuzzy_terms.push(folded.to_string());
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
/// `exclude_withdrawn`: leave out services no longer offered (the caller decides, see
/// [`SearchRequest::include_withdrawn`]).
pub(crate) fn full_query(
    text: Option<Box<dyn Query>>,
    request: &SearchRequest,
    fields: &Fields,
    exclude_withdrawn: bool,
) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if let Some(text) = text {
        clauses.push((Occur::Must, text));
    }
    let flag = |field: tantivy::schema::Field, value: bool| -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_bool(field, value),
            IndexRecordOption::Basic,
        ))
    };
    if exclude_withdrawn {
        clauses.push((Occur::MustNot, flag(fields.withdrawn, true)));
    }
    if request.hide_temporarily_closed {
        clauses.push((Occur::MustNot, flag(fields.temporarily_closed, true)));
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
    if !request.days.is_empty() {
        clauses.push(filter(any_of(
            request
                .days
                .iter()
                .map(|day| {
                    Box::new(TermQuery::new(
                        Term::from_field_u64(fields.days, u64::from(*day)),
                        IndexRecordOption::Basic,
                    )) as Box<dyn Query>
                })
                .collect(),
        )));
    }
    if !request.languages.is_empty() {
        clauses.push(filter(term_set(fields.language_codes, &request.languages)));
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
    if let Some(window) = &request.open_window {
        let days: Vec<u8> = if window.days.is_empty() {
            (1..=7).collect()
        } else {
            window.days.clone()
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
