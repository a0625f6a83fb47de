//! The house style: NL Design System components (the Municipality of Utrecht's component
//! library) themed with design tokens — Utrecht's own for the Utrecht region, the neutral NL
//! Design System example theme elsewhere. The CSS is vendored in `static/vendor/` by
//! `scripts/vendor-nlds.sh` (provenance and licences in `static/vendor/README.md`) and compiled
//! into the binary, so that running the service needs no npm.
//!
//! The theme is per instance. A request runs inside [`scope`] (a middleware), which makes the
//! instance's theme [`current`] for every template rendered while answering it — error pages
//! included — without threading it through each page struct.

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The component CSS, the same for every theme.
pub const COMPONENTS_CSS: &str = "/static/vendor/utrecht-component-library.css";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Theme {
    /// `@utrecht/design-tokens`: the Municipality of Utrecht's house style.
    #[default]
    Utrecht,
    /// `@nl-design-system-unstable/voorbeeld-design-tokens`: the neutral example theme.
    Voorbeeld,
}

/// The region's choice (`config::Region::theme`): Utrecht's house style for the Utrecht region,
/// the neutral theme for any other region, whose municipalities have their own house styles.
impl From<crate::config::Theme> for Theme {
    fn from(theme: crate::config::Theme) -> Self {
        match theme {
            crate::config::Theme::Utrecht => Self::Utrecht,
            crate::config::Theme::Neutral => Self::Voorbeeld,
        }
    }
}

impl Theme {
    /// The class on `<html>` that the design tokens hang on.
    pub fn class(self) -> &'static str {
        match self {
            Self::Utrecht => "utrecht-theme",
            Self::Voorbeeld => "voorbeeld-theme",
        }
    }

    /// Where the design tokens are served.
    pub fn tokens_css(self) -> &'static str {
        match self {
            Self::Utrecht => "/static/vendor/utrecht-design-tokens.css",
            Self::Voorbeeld => "/static/vendor/voorbeeld-design-tokens.css",
        }
    }
}

tokio::task_local! {
    static CURRENT: Theme;
}

/// The theme of the request being answered; Utrecht outside [`scope`].
pub fn current() -> Theme {
    CURRENT.try_with(|theme| *theme).unwrap_or_default()
}

/// Middleware: answers the request with `theme` as [`current`]. Wire it with
/// `axum::middleware::from_fn_with_state(Theme::from(region.theme), theme::scope)`.
pub async fn scope(State(theme): State<Theme>, request: Request, next: Next) -> Response {
    CURRENT.scope(theme, next.run(request)).await
}

/// The vendored stylesheets, by file name under `/static/vendor/`.
pub fn vendored(file: &str) -> Option<&'static str> {
    match file {
        "utrecht-component-library.css" => Some(include_str!(
            "../../static/vendor/utrecht-component-library-css/index.css"
        )),
        "utrecht-design-tokens.css" => Some(include_str!(
            "../../static/vendor/utrecht-design-tokens/theme.css"
        )),
        "voorbeeld-design-tokens.css" => Some(include_str!(
            "../../static/vendor/voorbeeld-design-tokens/theme.css"
        )),
        _ => None,
    }
}

pub async fn vendored_css(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    match vendored(&file) {
        Some(css) => (
            [
                (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            css,
        )
            .into_response(),
        None => super::not_found(axum::http::Uri::from_static("/static/vendor/"))
            .await
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_chooses_the_theme_and_utrecht_is_the_default() {
        assert_eq!(Theme::default(), Theme::Utrecht);
        let theme_of = |name: &str| {
            Theme::from(
                crate::config::Region::parse(name)
                    .expect("known region")
                    .theme,
            )
        };
        assert_eq!(theme_of("utrecht"), Theme::Utrecht);
        assert_eq!(theme_of("hart-van-brabant"), Theme::Voorbeeld);
        assert_eq!(current(), Theme::Utrecht, "outside a request");
        for theme in [Theme::Utrecht, Theme::Voorbeeld] {
            let file = theme.tokens_css().trim_start_matches("/static/vendor/");
            let css = vendored(file).expect("vendored");
            assert!(
                css.contains(&format!(".{} {{", theme.class())),
                "{file} defines its tokens on .{}",
                theme.class()
            );
        }
        assert!(
            vendored("utrecht-component-library.css")
                .unwrap()
                .contains(".utrecht-button")
        );
        assert_eq!(vendored("../Cargo.toml"), None);
    }

    /// The component CSS is trimmed to the components the templates use; a component added to
    /// a template without running `scripts/vendor-nlds.sh` again would be unstyled.
    #[test]
    fn every_component_in_the_templates_is_vendored() {
        let css = vendored("utrecht-component-library.css").unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut files = vec![dir.clone()];
        let mut missing = std::collections::BTreeSet::new();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (start, _) in text.match_indices("utrecht-") {
                let class: String = text[start..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                let block = class
                    .split("__")
                    .next()
                    .unwrap()
                    .split("--")
                    .next()
                    .unwrap();
                if block == "utrecht-theme" {
                    continue;
                }
                if !css.contains(&format!(".{block}")) {
                    missing.insert(block.to_string());
                }
            }
        }
        assert!(
            missing.is_empty(),
            "not in the vendored CSS (run scripts/vendor-nlds.sh): {missing:?}"
        );
    }

    #[derive(askama::Template)]
    #[template(
        source = r#"{% extends "base.html" %}{% block content %}<h1>Proef</h1>{% endblock %}"#,
        ext = "html"
    )]
    struct Probe;

    #[tokio::test]
    async fn pages_carry_the_theme_of_their_request() {
        use askama::Template;
        let outside = Probe.render().unwrap();
        assert!(outside.contains(r#"<html lang="nl" class="utrecht-theme">"#));
        let inside = CURRENT
            .scope(Theme::Voorbeeld, async { Probe.render().unwrap() })
            .await;
        assert!(inside.contains(r#"<html lang="nl" class="voorbeeld-theme">"#));
        assert!(inside.contains(r#"href="/static/vendor/voorbeeld-design-tokens.css""#));
        assert!(inside.contains(COMPONENTS_CSS));
    }
}
