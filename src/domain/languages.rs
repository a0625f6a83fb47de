//! Languages an offering can be given in: ISO 639 codes as stored (HSDS `language.code`), their
//! Dutch names as residents read and type them ("Arabisch"), and the way back from a typed name.

/// ISO 639 code, Dutch name, and other names people type for it (folded: lowercase, no accents).
const LANGUAGES: &[(&str, &str, &[&str])] = &[
    ("nl", "Nederlands", &["dutch", "hollands"]),
    ("en", "Engels", &["english"]),
    ("ar", "Arabisch", &["arabic"]),
    ("tr", "Turks", &["turkish"]),
    (
        "ber",
        "Berbers (Tamazight)",
        &["berbers", "tamazight", "amazigh"],
    ),
    ("zgh", "Berbers (Tamazight)", &[]),
    ("pl", "Pools", &["polish"]),
    ("uk", "Oekraïens", &["ukrainian", "oekraiens"]),
    ("ru", "Russisch", &["russian"]),
    ("ti", "Tigrinya", &["tigrinya"]),
    ("so", "Somalisch", &["somali"]),
    ("fa", "Perzisch", &["farsi", "persian", "perzisch"]),
    ("prs", "Dari", &["dari"]),
    ("es", "Spaans", &["spanish"]),
    ("fr", "Frans", &["french"]),
    ("de", "Duits", &["german"]),
    ("pt", "Portugees", &["portuguese"]),
    ("pap", "Papiaments", &["papiamento"]),
    ("srn", "Sranantongo", &["sranan", "surinaams"]),
    ("zh", "Chinees", &["chinese", "mandarijn"]),
    ("bg", "Bulgaars", &["bulgarian"]),
    ("ro", "Roemeens", &["romanian"]),
    ("ku", "Koerdisch", &["kurdish"]),
    ("sgn", "Gebarentaal", &["nederlandse gebarentaal", "ngt"]),
    ("dse", "Nederlandse Gebarentaal", &["ngt", "gebarentaal"]),
];

/// The Dutch name of a language code, `None` for a code we have no name for.
pub fn language_name(code: &str) -> Option<&'static str> {
    let code = code.trim().to_ascii_lowercase();
    LANGUAGES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, name, _)| *name)
}

/// The Dutch name of a language code, or the code itself when we have no name for it.
pub fn language_label(code: &str) -> String {
    language_name(code).map_or_else(|| code.to_string(), str::to_string)
}

/// Every code we know, with its Dutch name, in a stable order (for pickers and docs).
pub fn known_languages() -> impl Iterator<Item = (&'static str, &'static str)> {
    LANGUAGES.iter().map(|(code, name, _)| (*code, *name))
}

/// The code for a language parameter as people send it: a code (`ar`), a Dutch name
/// (`Arabisch`) or another common name (`arabic`); case and accents do not matter.
pub fn parse_language(input: &str) -> Option<&'static str> {
    let folded = fold(input.trim());
    if folded.is_empty() {
        return None;
    }
    LANGUAGES
        .iter()
        .find(|(code, name, others)| {
            *code == folded || fold(name) == folded || others.contains(&folded.as_str())
        })
        .map(|(code, _, _)| *code)
}

fn fold(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| match c {
            'ë' | 'é' | 'è' | 'ê' => 'e',
            'ï' | 'í' => 'i',
            'ö' | 'ó' => 'o',
            'ü' | 'ú' => 'u',
            'á' | 'à' => 'a',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_names_and_typed_names_meet() {
        assert_eq!(language_name("ar"), Some("Arabisch"));
        assert_eq!(language_name("AR"), Some("Arabisch"));
        assert_eq!(language_label("xx"), "xx");
        for typed in ["ar", "Arabisch", "arabisch", "ARABIC"] {
            assert_eq!(parse_language(typed), Some("ar"), "{typed}");
        }
        assert_eq!(parse_language("Oekraïens"), Some("uk"));
        assert_eq!(parse_language("engels"), Some("en"));
        assert_eq!(parse_language("klingon"), None);
        assert_eq!(parse_language(""), None);
    }
}
