//! Tokenisation of normalised text, shared by the index and by `search.js`.
//!
//! In order of position:
//! - a run of two or more CJK characters gives every bigram of the run
//!   (`人材育成` → `人材` `材育` `育成`);
//! - a run of one CJK character gives that character (a unigram);
//! - a run of word characters (letters and numbers, see
//!   [`is_word_char`]) gives the whole word
//!   (`sdgs`, `2023`);
//! - everything else (punctuation, symbols, spaces) separates tokens.
//!
//! The index (see [`index`](super::index)) files text under more terms
//! than its tokens: every CJK character on its own, so that a
//! one-character query finds the character wherever it stands (a lone
//! character's unigram is that term), and every prefix of a word, so that a
//! word in a query matches the words it begins.

use super::normalize::{is_cjk, is_word_char};

/// A token of normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token<'a> {
    /// A CJK run of length one.
    Unigram(char),
    /// Two adjacent characters of a CJK run.
    Bigram(char, char),
    /// A maximal run of word characters.
    Word(&'a str),
}

impl Token<'_> {
    /// The token as a string, as listed in `tests/search_vectors.json`.
    pub fn as_string(&self) -> String {
        match *self {
            Token::Unigram(c) => c.to_string(),
            Token::Bigram(a, b) => [a, b].iter().collect(),
            Token::Word(w) => w.to_string(),
        }
    }
}

/// Calls `token` for each token of `s` in order (see the module docs).
pub fn for_each_token<'a>(s: &'a str, mut token: impl FnMut(Token<'a>)) {
    let mut prev: Option<char> = None;
    let mut run = 0usize;
    let mut word_start: Option<usize> = None;
    for (i, c) in s.char_indices() {
        if is_cjk(c) {
            if let Some(w) = word_start.take() {
                token(Token::Word(&s[w..i]));
            }
            if let Some(p) = prev {
                token(Token::Bigram(p, c));
            }
            prev = Some(c);
            run += 1;
            continue;
        }
        if run == 1 {
            token(Token::Unigram(prev.unwrap_or(c)));
        }
        prev = None;
        run = 0;
        if is_word_char(c) {
            word_start.get_or_insert(i);
        } else if let Some(w) = word_start.take() {
            token(Token::Word(&s[w..i]));
        }
    }
    if let (1, Some(p)) = (run, prev) {
        token(Token::Unigram(p));
    }
    if let Some(w) = word_start {
        token(Token::Word(&s[w..]));
    }
}

/// The tokens of normalised text `s`, as strings.
pub fn tokenize(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(s, |t| out.push(t.as_string()));
    out
}

/// Splits a query into the parts that must all match: the pieces between
/// whitespace (see [`is_space`](super::normalize::is_space)), each
/// normalised; pieces without a token (punctuation only) and repeats are
/// dropped.
pub fn query_parts(query: &str) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    for piece in query.split(super::normalize::is_space) {
        let part = super::normalize::normalize(piece);
        let mut any = false;
        for_each_token(&part, |_| any = true);
        if any && !parts.contains(&part) {
            parts.push(part);
        }
    }
    parts
}
