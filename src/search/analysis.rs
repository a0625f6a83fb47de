//! Dutch text analysis, shared by indexing and query interpretation.
//!
//! One analyzer chain is registered on the index (`wijk_nl`); the query side re-uses the same
//! building blocks so that a query word and an indexed word end up as the same term:
//!
//! `SimpleTokenizer → RemoveLong(40) → LowerCaser → AsciiFolding → Dutch stop words → Dutch stemmer`
//!
//! Accent folding runs *before* stop-word removal and stemming so that "café" and "cafe",
//! "cliënt" and "client" become one term, whatever the user typed.

use std::cell::RefCell;
use std::collections::HashMap;

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer,
    Stemmer, StopWordFilter, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

use super::SearchError;

/// Name under which the Dutch analyzer is registered on the tantivy index. Part of the schema:
/// changing the chain behind it requires bumping [`super::schema::SCHEMA_VERSION`].
pub(crate) const NL_TOKENIZER: &str = "wijk_nl";
/// Name of the folding-only analyzer (words as written: lowercase, accents folded), for the
/// `surface` field. Part of the schema like [`NL_TOKENIZER`].
pub(crate) const FOLD_TOKENIZER: &str = "wijk_fold";

/// Tokens longer than this are dropped (base64 blobs, URLs glued together …).
const MAX_TOKEN_LEN: usize = 40;

/// The full indexing chain (with stop words and stemming).
pub(crate) fn dutch_analyzer() -> Result<TextAnalyzer, SearchError> {
    dutch_chain(Stemmer::new(Language::Dutch))
}

/// The indexing chain with a memoised stemmer, for snippets: same tokens, offsets and positions
/// as [`dutch_analyzer`] (a test checks), cheaper when the same words come back.
pub(crate) fn snippet_analyzer() -> Result<TextAnalyzer, SearchError> {
    dutch_chain(MemoStemmer)
}

fn dutch_chain(stemmer: impl TokenFilter) -> Result<TextAnalyzer, SearchError> {
    let stop_words = StopWordFilter::new(Language::Dutch).ok_or_else(|| {
        SearchError::Internal("tantivy ships no Dutch stop-word list".to_string())
    })?;
    Ok(TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(stop_words)
        .filter(stemmer)
        .build())
}

/// Words remembered per thread by [`MemoStemmer`] before the memo starts over. Descriptions are
/// written in everyday Dutch: a few tens of thousands of distinct words cover them.
const STEM_MEMO_WORDS: usize = 50_000;

thread_local! {
    static STEM_MEMO: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
}

/// Dutch stemming through a per-thread memo of word → stem.
///
/// Why: every results page re-analyses the descriptions of its hits to place the highlighted
/// snippet, and the Snowball stemmer was the costliest step of that (about a tenth of a whole
/// search in a profile). The same everyday words recur across descriptions and searches, so
/// each search thread stems a word once. Only for snippets; the index itself uses tantivy's
/// [`Stemmer`] directly.
///
/// Searches run on tokio's blocking threads, which end after 10 s without work, taking their
/// memo with them: the memo pays off under steady load, which is when it matters. A full memo
/// is a few MB per thread (2 × cores search threads at most).
#[derive(Clone)]
struct MemoStemmer;

impl TokenFilter for MemoStemmer {
    type Tokenizer<T: Tokenizer> = MemoStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> MemoStemmerFilter<T> {
        MemoStemmerFilter {
            tokenizer,
            stem: stem_analyzer(),
        }
    }
}

#[derive(Clone)]
struct MemoStemmerFilter<T> {
    tokenizer: T,
    /// Used on a memo miss.
    stem: TextAnalyzer,
}

impl<T: Tokenizer> Tokenizer for MemoStemmerFilter<T> {
    type TokenStream<'a> = MemoStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        MemoStemmerStream {
            tail: self.tokenizer.token_stream(text),
            stem: &mut self.stem,
        }
    }
}

struct MemoStemmerStream<'a, T> {
    tail: T,
    stem: &'a mut TextAnalyzer,
}

impl<T: TokenStream> TokenStream for MemoStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        let stem = &mut *self.stem;
        STEM_MEMO.with_borrow_mut(|memo| {
            if let Some(stemmed) = memo.get(token.text.as_str()) {
                token.text.clone_from(stemmed);
                return;
            }
            let stemmed = first_token(stem, &token.text).unwrap_or_else(|| token.text.clone());
            if memo.len() >= STEM_MEMO_WORDS {
                memo.clear();
            }
            let word = std::mem::replace(&mut token.text, stemmed.clone());
            memo.insert(word, stemmed);
        });
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Tokenise + lowercase + fold, no stop words, no stemming: the "surface" form of query words.
fn folding_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Whole string lowercased and folded: the case-insensitive sort key for names.
fn sort_key_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Stem a single, already folded word (no stop-word removal).
fn stem_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(Stemmer::new(Language::Dutch))
        .build()
}

/// One word of a query or of a vocabulary phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    /// Lowercased, accent-folded surface form ("wandelingen").
    pub folded: String,
    /// Stemmed form used for matching phrases; also computed for stop words ("wandel").
    pub key: String,
    /// The term as it is stored in the index, `None` for a stop word.
    pub term: Option<String>,
}

/// An analysed phrase for building index queries: index terms with their positions (stop
/// words leave gaps in the positions, exactly as at indexing time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexTerms(pub Vec<(usize, String)>);

/// The analyzers used at query time. `TextAnalyzer::token_stream` needs `&mut`, so callers clone
/// (cheap: a few boxed filters) instead of sharing behind a lock.
#[derive(Clone)]
pub(crate) struct Analysis {
    index: TextAnalyzer,
    snippet: TextAnalyzer,
    fold: TextAnalyzer,
    stem: TextAnalyzer,
    sort_key: TextAnalyzer,
}

impl Analysis {
    pub(crate) fn new() -> Result<Self, SearchError> {
        Ok(Self {
            index: dutch_analyzer()?,
            snippet: snippet_analyzer()?,
            fold: folding_analyzer(),
            stem: stem_analyzer(),
            sort_key: sort_key_analyzer(),
        })
    }

    /// The analyzer to register on the index.
    pub(crate) fn index_analyzer(&self) -> TextAnalyzer {
        self.index.clone()
    }

    /// The folding-only analyzer to register on the index (see [`FOLD_TOKENIZER`]).
    pub(crate) fn fold_analyzer(&self) -> TextAnalyzer {
        self.fold.clone()
    }

    /// The analyzer for placing snippets (see [`snippet_analyzer`]).
    pub(crate) fn snippet_analyzer(&self) -> TextAnalyzer {
        self.snippet.clone()
    }

    /// Split text into words, at most `max_words` of them. Punctuation and query-syntax
    /// characters (`"(:*`) are separators, so they can never reach tantivy.
    pub(crate) fn words(&mut self, text: &str, max_words: usize) -> Vec<Word> {
        let mut folded = Vec::new();
        {
            let mut stream = self.fold.token_stream(text);
            while folded.len() < max_words && stream.advance() {
                folded.push(stream.token().text.clone());
            }
        }
        folded
            .into_iter()
            .map(|folded| {
                let term = first_token(&mut self.index, &folded);
                let key = match &term {
                    Some(term) => term.clone(),
                    None => first_token(&mut self.stem, &folded).unwrap_or_else(|| folded.clone()),
                };
                Word { folded, key, term }
            })
            .collect()
    }

    /// The index terms (with positions) of a phrase, as the indexer would produce them.
    pub(crate) fn index_terms(&mut self, text: &str) -> IndexTerms {
        let mut out = Vec::new();
        let mut stream = self.index.token_stream(text);
        while stream.advance() {
            let token = stream.token();
            out.push((token.position, token.text.clone()));
        }
        IndexTerms(out)
    }

    /// Case- and accent-insensitive sort key for a name.
    pub(crate) fn sort_key(&mut self, name: &str) -> String {
        first_token(&mut self.sort_key, name.trim()).unwrap_or_default()
    }
}

fn first_token(analyzer: &mut TextAnalyzer, text: &str) -> Option<String> {
    let mut stream = analyzer.token_stream(text);
    if stream.advance() {
        Some(stream.token().text.clone())
    } else {
        None
    }
}
