//! Parsing of the identifiers people and other systems hand us: CBS codes and Dutch postcodes.
//!
//! Both parsers are deliberately strict about *shape* and lenient about *spelling*: whitespace,
//! case and a hyphen in a postcode are forgiven, anything else is [`GeoError`]'s malformed
//! variant. Shape errors and "well-formed but unknown" are kept apart because the user needs a
//! different hint for each (a typo versus a place we do not cover).

use super::{GeoError, Level};

/// Longest input we even look at. Real codes are 10 characters and postcodes at most 9 with
/// spacing; anything far longer is junk, and refusing it early keeps a hostile 10 MB query string
/// from being copied and uppercased.
const MAX_INPUT_LEN: usize = 32;

/// Normalises a CBS code (`GM0344`, `WK034403`, `BU03440321`): trims, uppercases and checks the
/// shape `GM\d{4}`, `WK\d{6}` or `BU\d{8}`. It does not check that the code exists; use
/// [`super::Geography::parse_code`] for that. Example: `" wk034403 "` gives `"WK034403"`.
pub fn normalise_code(input: &str) -> Result<String, GeoError> {
    let trimmed = input.trim();
    if trimmed.len() > MAX_INPUT_LEN || !trimmed.is_ascii() {
        return Err(GeoError::MalformedCode);
    }
    let code = trimmed.to_ascii_uppercase();
    match Level::from_code(&code) {
        Some(_) => Ok(code),
        None => Err(GeoError::MalformedCode),
    }
}

/// The number of digits after the two-letter prefix for each level, as CBS defines them: a
/// gemeente number, plus two digits per wijk, plus two more per buurt.
pub(super) fn digits_for(level: Level) -> usize {
    match level {
        Level::Gemeente => 4,
        Level::Wijk => 6,
        Level::Buurt => 8,
    }
}

/// Normalises a Dutch postcode to its four-digit part (PC4).
///
/// Accepts `3562`, `3562AB`, `3562 AB`, `3562ab`, ` 3562-AB ` (any whitespace or a hyphen
/// between the digits and the letters). A full six-character postcode (PC6) is reduced to its
/// first four digits because our centroid table is PC4 only. Dutch postcodes never start with
/// a zero, so `0123` is malformed rather than unknown.
pub fn normalise_postcode(input: &str) -> Result<String, GeoError> {
    let trimmed = input.trim();
    if trimmed.len() > MAX_INPUT_LEN {
        return Err(GeoError::MalformedPostcode);
    }
    let digit_count = trimmed.bytes().take_while(u8::is_ascii_digit).count();
    if digit_count != 4 || trimmed.starts_with('0') {
        return Err(GeoError::MalformedPostcode);
    }
    // The digits are ASCII, so index 4 is a char boundary. Between digits and letters any
    // mix of whitespace and hyphens is allowed, but nothing inside either group ("35-62").
    let letters = trimmed[4..].trim_start_matches(|c: char| c.is_whitespace() || c == '-');
    // A separator with nothing after it ("3562-") is a half-typed postcode, not a PC4.
    let letters_ok = if letters.is_empty() {
        trimmed.len() == 4
    } else {
        letters.len() == 2 && letters.bytes().all(|b| b.is_ascii_alphabetic())
    };
    if letters_ok {
        Ok(trimmed[..4].to_string())
    } else {
        Err(GeoError::MalformedPostcode)
    }
}

/// Display name of a wijk: drops the CBS numbering prefix, so `"Wijk 03 Overvecht"` becomes
/// `"Overvecht"` (also spelled `"Wijk 00: Valkenburg"`, `"Wijk01-Arkel"`, `"Wijk02 Kunrade"`).
/// Some small municipalities have a single wijk called just `"Wijk 00"`; that wijk is the
/// municipality's core, so it is shown under the municipality's name rather than as a
/// meaningless number. Names that merely start with the word ("Wijk aan Zee") stay as they are.
pub(super) fn wijk_display_name(raw: &str, gemeente_name: &str) -> String {
    let raw = raw.trim();
    let Some(rest) = raw.strip_prefix("Wijk") else {
        return raw.to_string();
    };
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    let bytes = rest.as_bytes();
    let numbered = bytes.len() >= 2
        && bytes[0].is_ascii_digit()
        && bytes[1].is_ascii_digit()
        && bytes.get(2).is_none_or(|b| matches!(b, b' ' | b':' | b'-'));
    if !numbered {
        // "Wijk aan Zee", or something like "Wijk 123": not the CBS pattern, keep it verbatim.
        return raw.to_string();
    }
    // The two bytes are ASCII digits, so slicing at 2 is on a char boundary.
    let name = rest[2..].trim_start_matches([' ', ':', '-']).trim();
    if name.is_empty() {
        gemeente_name.to_string()
    } else {
        name.to_string()
    }
}
