//! Query strings into typed parameter structs, for the JSON API and the HTML pages alike.
//!
//! Each operation family has one struct deriving `Deserialize` and `utoipa::IntoParams`: it is
//! what the handler receives *and* what `/openapi.json` documents, so the two cannot drift.
//! Before serde sees anything, [`decode`] refuses what no parameter may hold (bytes that are not
//! UTF-8 once percent-decoded, control characters); [`typed`] then names the parameter whose
//! value does not fit its type. Domain rules (ranges, known codes) are checked afterwards on the
//! typed struct (`crate::query`, `crate::api::hsds`).

use serde::de::DeserializeOwned;
use utoipa::IntoParams;
use utoipa::openapi::path::ParameterIn;

use crate::error::AppError;

/// The language of the messages a parameter family answers in: the search (pages and
/// `/api/v1/search`) speaks Dutch, the HSDS API (international clients) English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Dutch,
    English,
}

/// A struct of query parameters: deserialized by [`typed`] and documented by `IntoParams`.
pub trait QueryParams: DeserializeOwned + IntoParams {
    const LANGUAGE: Language = Language::Dutch;
}

/// Splits and percent-decodes a raw query string strictly: a value (or name) that is not UTF-8
/// once decoded, or that holds a control character, is refused with the parameter's name —
/// instead of being replaced by U+FFFD (which turned a search into "everything") or echoed into
/// a page. Tab counts as a space. Values are trimmed; empty ones are left out (a form sends
/// `postcode=` for a field left empty, which means "not given").
pub fn decode(raw: &str, language: Language) -> Result<Vec<(String, String)>, AppError> {
    Ok(decode_all(raw, language)?
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect())
}

/// As [`decode`], but for the API: an empty value of a parameter that is not plain text (a
/// number, a UUID, a yes/no, one of a list) is refused as the documentation says, because the
/// document cannot say "or empty"; an empty text value still counts as not given.
pub fn decode_for<T: QueryParams>(raw: &str) -> Result<Vec<(String, String)>, AppError> {
    let mut pairs = decode_all(raw, T::LANGUAGE)?;
    if let Some((name, _)) = pairs
        .iter()
        .find(|(name, v)| v.is_empty() && !plain_text::<T>(name))
    {
        let detail = expected::<T>(name, T::LANGUAGE).unwrap_or_default();
        return Err(AppError::bad_param(name, detail));
    }
    pairs.retain(|(_, v)| !v.is_empty());
    Ok(pairs)
}

/// Whether `name` is documented as free text (a string without format or list of values), or
/// not documented at all (unknown parameters are ignored).
fn plain_text<T: IntoParams>(name: &str) -> bool {
    let Some(param) = T::into_params(|| Some(ParameterIn::Query))
        .into_iter()
        .find(|p| p.name == name)
    else {
        return true;
    };
    let Some(schema) = param
        .schema
        .as_ref()
        .and_then(|s| serde_json::to_value(s).ok())
    else {
        return true;
    };
    let schema = schema.get("items").cloned().unwrap_or(schema);
    let text = |t: &serde_json::Value| t == "string" || t == "null";
    let is_string = match schema.get("type") {
        Some(serde_json::Value::Array(types)) => types.iter().all(text),
        Some(t) => t == "string",
        None => false,
    };
    is_string && schema.get("format").is_none() && schema.get("enum").is_none()
}

fn decode_all(raw: &str, language: Language) -> Result<Vec<(String, String)>, AppError> {
    let mut pairs = Vec::new();
    for part in raw.split('&').filter(|p| !p.is_empty()) {
        let (raw_key, raw_value) = part.split_once('=').unwrap_or((part, ""));
        let key = decode_component(raw_key).map_err(|_| {
            AppError::bad_param(
                "?",
                match language {
                    Language::Dutch => "Een parameternaam is geen geldige UTF-8-tekst.",
                    Language::English => "A parameter name is not valid UTF-8.",
                },
            )
        })?;
        let value = decode_component(raw_value).map_err(|_| {
            AppError::bad_param(
                &key,
                match language {
                    Language::Dutch => format!("'{key}' is geen geldige UTF-8-tekst."),
                    Language::English => format!("{key} is not valid UTF-8"),
                },
            )
        })?;
        for text in [&key, &value] {
            if text.chars().any(|c| c.is_control() && c != '\t') {
                let name = if key.chars().any(char::is_control) {
                    "?"
                } else {
                    key.as_str()
                };
                return Err(AppError::bad_param(
                    name,
                    match language {
                        Language::Dutch => {
                            format!("'{name}' bevat een stuurteken; dat kan geen invoer zijn.")
                        }
                        Language::English => format!("{name} contains a control character"),
                    },
                ));
            }
        }
        pairs.push((key, value.trim().to_string()));
    }
    Ok(pairs)
}

fn decode_component(raw: &str) -> Result<String, std::str::Utf8Error> {
    let spaced = raw.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .map(|s| s.into_owned())
}

/// Deserializes decoded pairs into the parameter struct. A value that does not fit its type is
/// refused naming the parameter, and the message says what the documentation says it must be.
pub fn typed<T: QueryParams>(pairs: &[(String, String)]) -> Result<T, AppError> {
    let mut encoded = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        encoded.append_pair(k, v);
    }
    let encoded = encoded.finish();
    let deserializer = serde_html_form::Deserializer::from_bytes(encoded.as_bytes());
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let param = err
            .path()
            .iter()
            .find_map(|segment| match segment {
                serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                _ => None,
            })
            .or_else(|| unknown_field_of(&err.inner().to_string()));
        let detail = param
            .as_deref()
            .and_then(|p| expected::<T>(p, T::LANGUAGE))
            .unwrap_or_else(|| match (T::LANGUAGE, &param) {
                (Language::Dutch, Some(p)) => format!("'{p}' heeft een ongeldige waarde."),
                (Language::English, Some(p)) => format!("{p} has an invalid value"),
                (Language::Dutch, None) => "Een parameter heeft een ongeldige waarde.".into(),
                (Language::English, None) => "A parameter has an invalid value".into(),
            });
        AppError::BadRequest { param, detail }
    })
}

/// serde reports a field that holds several values where one is expected (`q=a&q=b`) without a
/// path; its message quotes the field.
fn unknown_field_of(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(message[start..end].to_string())
}

/// What the documentation says parameter `name` of `T` must be, as a sentence.
pub fn expected<T: IntoParams>(name: &str, language: Language) -> Option<String> {
    let param = T::into_params(|| Some(ParameterIn::Query))
        .into_iter()
        .find(|p| p.name == name)?;
    let schema = serde_json::to_value(param.schema.as_ref()?).ok()?;
    let schema = match schema.get("items") {
        Some(items) => items.clone(),
        None => schema,
    };
    let of_type = |t: &str| match schema.get("type") {
        Some(serde_json::Value::String(s)) => s == t,
        Some(serde_json::Value::Array(a)) => a.iter().any(|v| v == t),
        _ => false,
    };
    let dutch = language == Language::Dutch;
    let what = if let Some(values) = schema.get("enum").and_then(|e| e.as_array()) {
        let list: Vec<String> = values
            .iter()
            .filter_map(|v| v.as_str().map(|s| format!("'{s}'")))
            .collect();
        if dutch {
            format!("een van {}", list.join(", "))
        } else {
            format!("one of {}", list.join(", "))
        }
    } else if schema.get("format").and_then(|f| f.as_str()) == Some("uuid") {
        if dutch { "een UUID" } else { "a UUID" }.to_string()
    } else if of_type("integer") {
        let range = match (
            schema.get("minimum").and_then(|v| v.as_f64()),
            schema.get("maximum").and_then(|v| v.as_f64()),
        ) {
            (Some(lo), Some(hi)) if dutch => format!(" van {lo} tot en met {hi}"),
            (Some(lo), Some(hi)) => format!(" from {lo} to {hi}"),
            _ => String::new(),
        };
        if dutch {
            format!("een geheel getal{range}")
        } else {
            format!("a whole number{range}")
        }
    } else if of_type("number") {
        if dutch { "een getal" } else { "a number" }.to_string()
    } else if of_type("boolean") {
        if dutch {
            "ja of nee (true/false)"
        } else {
            "true or false"
        }
        .to_string()
    } else if dutch {
        "één waarde".to_string()
    } else {
        "a single value".to_string()
    };
    Some(if dutch {
        format!("'{name}' moet {what} zijn.")
    } else {
        format!("{name} must be {what}")
    })
}

/// For `#[serde(deserialize_with)]`: a yes/no flag as forms and people send it (`ja`, `nee`,
/// `true`, `false`, `1`, `0`, `on`, `off`, `yes`, `no`, any case).
pub fn flag<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    use serde::Deserialize;
    let Some(value) = Option::<String>::deserialize(deserializer)? else {
        return Ok(None);
    };
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "on" | "ja" | "yes" => Ok(Some(true)),
        "0" | "false" | "off" | "nee" | "no" => Ok(Some(false)),
        "" => Ok(None),
        _ => Err(serde::de::Error::custom("not a yes/no flag")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, IntoParams, Debug)]
    #[into_params(parameter_in = Query)]
    #[allow(dead_code)]
    struct Probe {
        q: Option<String>,
        #[param(minimum = 1, maximum = 5)]
        page: Option<u32>,
        #[serde(default)]
        day: Vec<String>,
    }
    impl QueryParams for Probe {}

    fn probe(raw: &str) -> Result<Probe, AppError> {
        typed(&decode(raw, Language::Dutch)?)
    }

    fn param_of(err: AppError) -> String {
        match err {
            AppError::BadRequest { param, .. } => param.unwrap_or_default(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_and_control_characters_are_refused_by_name() {
        assert_eq!(param_of(probe("q=%FF%FE").unwrap_err()), "q");
        assert_eq!(param_of(probe("q=a%00b").unwrap_err()), "q");
        assert_eq!(param_of(probe("q=a%1Bb").unwrap_err()), "q");
        assert_eq!(param_of(probe("q=a%C2%85").unwrap_err()), "q", "C1 control");
        assert_eq!(param_of(probe("%FF=1").unwrap_err()), "?");
        assert_eq!(probe("q=a%09b").unwrap().q.as_deref(), Some("a\tb"), "tab");
        assert_eq!(probe("q=caf%C3%A9").unwrap().q.as_deref(), Some("café"));
    }

    #[test]
    fn values_are_typed_and_a_wrong_one_is_named() {
        let p = probe("q=+koffie+&page=2&day=di&day=do&page=").unwrap();
        assert_eq!(p.q.as_deref(), Some("koffie"));
        assert_eq!(p.page, Some(2));
        assert_eq!(p.day, ["di", "do"]);
        match probe("q=a&page=twee").unwrap_err() {
            AppError::BadRequest { param, detail } => {
                assert_eq!(param.as_deref(), Some("page"));
                assert_eq!(
                    detail,
                    "'page' moet een geheel getal van 1 tot en met 5 zijn."
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(param_of(probe("q=a&q=b").unwrap_err()), "q");
        assert!(probe("unknown=1").is_ok(), "unknown parameters are ignored");
    }
}
