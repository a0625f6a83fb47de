//! `/beheer/wijkcijfers`: "Wat heeft elke wijk nodig" (issue 14, part 5) for moderators and
//! administrators, and its tables as CSV (`/beheer/wijkcijfers.csv?tabel=…`). Who may see it
//! is the use case's decision ([`crate::needs`]); every count of referrals arrives here already
//! suppressed, and the map, the bars and the CSV are made from those shown values only.

use std::fmt::Write as _;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::account::{html, refused};
use super::session::Visit;
use crate::accounts::AccountError;
use crate::app::AppState;
use crate::domain::suppression::{Shown, THRESHOLD};
use crate::error::AppError;
use crate::geo::Shade;
use crate::needs::{GAP_MAX_OFFERINGS, Needs, NeedsError, NeedsQuery, NeedsReport, ROUTES};

const PATH: &str = "/beheer/wijkcijfers";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PATH, get(page))
        .route("/beheer/wijkcijfers.csv", get(csv_download))
}

/// One cell as shown: its text, and whether it hides a count.
pub struct Cell {
    pub text: String,
    pub hidden: bool,
}

impl Cell {
    fn shown(s: Shown) -> Self {
        Cell {
            text: s.text(),
            hidden: s.count().is_none(),
        }
    }

    fn text(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            hidden: false,
        }
    }
}

/// A table with a caption, column headings and row headings (scope col/row), and its CSV name.
pub struct TableView {
    pub id: &'static str,
    pub caption: String,
    pub corner: &'static str,
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<Cell>)>,
    pub note: &'static str,
}

/// The tables of a report, in page order.
fn tables(report: &NeedsReport) -> Vec<TableView> {
    let g = &report.gemeente.name;
    let wijk_names = || report.wijken.iter().map(|w| w.name.clone());
    let category_names: Vec<String> = report.categories.iter().map(|c| c.name.clone()).collect();

    let mut per_wijk: Vec<(String, Vec<Cell>)> = wijk_names()
        .enumerate()
        .map(|(w, name)| {
            (
                name,
                vec![
                    Cell::shown(report.routes.row_totals[w]),
                    Cell::text(report.accepted[w].clone()),
                    Cell::text(report.completed[w].clone()),
                    Cell::text(report.response[w].clone()),
                    Cell::text(report.offerings_total[w].to_string()),
                    Cell::text(report.stale[w].to_string()),
                ],
            )
        })
        .collect();
    per_wijk.push((
        format!("Heel {g}"),
        vec![
            Cell::shown(report.routes.total),
            Cell::text(report.accepted_all.clone()),
            Cell::text(report.completed_all.clone()),
            Cell::text(report.response_all.clone()),
            Cell::text("–"),
            Cell::text("–"),
        ],
    ));

    let with_totals = |table: &crate::domain::suppression::SuppressedTable| {
        let mut rows: Vec<(String, Vec<Cell>)> = wijk_names()
            .enumerate()
            .map(|(w, name)| {
                let mut cells: Vec<Cell> = table.cells[w].iter().map(|&s| Cell::shown(s)).collect();
                cells.push(Cell::shown(table.row_totals[w]));
                (name, cells)
            })
            .collect();
        let mut totals: Vec<Cell> = table
            .column_totals
            .iter()
            .map(|&s| Cell::shown(s))
            .collect();
        totals.push(Cell::shown(table.total));
        rows.push((format!("Heel {g}"), totals));
        rows
    };
    let mut reason_columns = category_names.clone();
    reason_columns.push("Totaal".into());
    let mut route_columns: Vec<String> = ROUTES.iter().map(|(_, l)| l.to_string()).collect();
    route_columns.push("Totaal".into());

    let gaps = report
        .gaps
        .iter()
        .map(|gap| {
            (
                report.wijken[gap.wijk].name.clone(),
                vec![
                    Cell::text(report.categories[gap.category].name.clone()),
                    Cell::text(gap.referrals.to_string()),
                    Cell::text(gap.offerings.to_string()),
                ],
            )
        })
        .collect();

    vec![
        TableView {
            id: "wijken",
            caption: format!("Verwijzingen en aanbod per wijk in {g}"),
            corner: "Wijk",
            columns: [
                "Verwijzingen",
                "Aangenomen",
                "Afgerond",
                "Eerste reactie (mediaan, dagen)",
                "Aanbod in of voor de wijk",
                "Waarvan verouderd",
            ]
            .map(String::from)
            .to_vec(),
            rows: per_wijk,
            note: "Percentages en reactietijd staan er alleen bij 5 of meer verwijzingen.",
        },
        TableView {
            id: "witte-vlekken",
            caption: format!("Witte vlekken in {g}: veel verwijzingen, weinig aanbod"),
            corner: "Wijk",
            columns: ["Categorie", "Verwijzingen", "Aanbod"]
                .map(String::from)
                .to_vec(),
            rows: gaps,
            note: "",
        },
        TableView {
            id: "redenen",
            caption: format!("Redenen van verwijzingen per wijk en categorie in {g}"),
            corner: "Wijk",
            columns: reason_columns,
            rows: with_totals(&report.reasons),
            note: "Een verwijzing met redenen in twee categorieën telt in beide.",
        },
        TableView {
            id: "routes",
            caption: format!("Hoe inwoners verwezen werden, per wijk in {g}"),
            corner: "Wijk",
            columns: route_columns,
            rows: with_totals(&report.routes),
            note: "",
        },
        TableView {
            id: "aanbod",
            caption: format!("Aanbod in of voor elke wijk, per categorie, in {g}"),
            corner: "Wijk",
            columns: category_names,
            rows: wijk_names()
                .enumerate()
                .map(|(w, name)| {
                    (
                        name,
                        report.offerings[w]
                            .iter()
                            .map(|n| Cell::text(n.to_string()))
                            .collect(),
                    )
                })
                .collect(),
            note: "Aanbod dat in de hele gemeente werkt, telt in elke wijk mee.",
        },
    ]
}

/// The classes of the map: (lowest count, colour, legend text).
const BINS: [(u64, &str, &str); 4] = [
    (50, "#08306b", "50 of meer"),
    (25, "#2171b5", "25 tot 50"),
    (10, "#6baed6", "10 tot 25"),
    (THRESHOLD, "#c6dbef", "5 tot 10"),
];
const HIDDEN_FILL: &str = "url(#verborgen)";
const HATCH: &str = r##"<pattern id="verborgen" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#767676" stroke-width="2"/></pattern>"##;

fn shade(shown: Shown) -> Shade {
    match shown {
        Shown::Count(n) => {
            let (_, fill, _) = BINS
                .iter()
                .find(|(low, _, _)| n >= *low)
                .copied()
                .unwrap_or(BINS[3]);
            Shade {
                fill: fill.into(),
                label: format!("{n} verwijzingen"),
            }
        }
        _ => Shade {
            fill: HIDDEN_FILL.into(),
            label: "verborgen (te weinig om te tonen)".into(),
        },
    }
}

fn map_svg(needs: &Needs, report: &NeedsReport) -> Option<String> {
    let shown: std::collections::HashMap<&str, Shown> = report
        .wijken
        .iter()
        .zip(&report.routes.row_totals)
        .map(|(w, s)| (w.code.as_str(), *s))
        .collect();
    let desc = format!(
        "Wijken van {} gekleurd naar het aantal verwijzingen; gearceerd is verborgen. De \
         cijfers staan in de tabel “Verwijzingen en aanbod per wijk”.",
        report.gemeente.name
    );
    needs.geography().svg_shaded(
        &report.gemeente.code,
        (560, 420),
        (
            &format!("Kaart: verwijzingen per wijk in {}", report.gemeente.name),
            &desc,
        ),
        HATCH,
        &|n| match shown.get(n.code.as_str()) {
            Some(&s) => shade(s),
            None => Shade {
                fill: "#ffffff".into(),
                label: "geen wijk van deze gemeente".into(),
            },
        },
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Bars per category: referrals (their shown totals; a hidden total gets no bar) and
/// offerings in the gemeente.
fn bars_svg(report: &NeedsReport) -> String {
    const LABEL_W: f64 = 230.0;
    const BAR_W: f64 = 300.0;
    const ROW_H: f64 = 34.0;
    let n = report.categories.len();
    let height = 30.0 + ROW_H * n as f64;
    let width = LABEL_W + BAR_W + 90.0;
    let max_ref = report
        .reasons
        .column_totals
        .iter()
        .filter_map(|s| s.count())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let max_off = report
        .offerings_per_category
        .iter()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="staaf-titel staaf-uitleg" class="needs-bars"><title id="staaf-titel">Verwijzingen en aanbod per categorie in {g}</title><desc id="staaf-uitleg">Per categorie een donkere staaf voor de verwijzingen en een lichte voor het aanbod. De cijfers staan in de tabellen hieronder.</desc>"#,
        g = escape(&report.gemeente.name)
    );
    let _ = write!(
        svg,
        "<g font-size=\"12\" fill=\"currentColor\"><rect x=\"{LABEL_W}\" y=\"4\" width=\"12\" height=\"12\" fill=\"#08519c\"/><text x=\"{}\" y=\"15\">verwijzingen</text><rect x=\"{}\" y=\"4\" width=\"12\" height=\"12\" fill=\"#9ecae1\"/><text x=\"{}\" y=\"15\">aanbod</text></g>",
        LABEL_W + 16.0,
        LABEL_W + 120.0,
        LABEL_W + 136.0
    );
    for (c, category) in report.categories.iter().enumerate() {
        let y = 26.0 + ROW_H * c as f64;
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{}\" font-size=\"13\" fill=\"currentColor\">{}</text>",
            y + 18.0,
            escape(&category.name)
        );
        let total = report.reasons.column_totals[c];
        let (w, label) = match total.count() {
            Some(v) => (BAR_W * v as f64 / max_ref, v.to_string()),
            None => (0.0, total.text()),
        };
        let _ = write!(
            svg,
            "<rect x=\"{LABEL_W}\" y=\"{y}\" width=\"{w:.1}\" height=\"13\" fill=\"#08519c\"/><text x=\"{:.1}\" y=\"{}\" font-size=\"11\" fill=\"currentColor\">{}</text>",
            LABEL_W + w + 4.0,
            y + 11.0,
            escape(&label)
        );
        let off = report.offerings_per_category[c];
        let w = BAR_W * off as f64 / max_off;
        let _ = write!(
            svg,
            "<rect x=\"{LABEL_W}\" y=\"{}\" width=\"{w:.1}\" height=\"13\" fill=\"#9ecae1\"/><text x=\"{:.1}\" y=\"{}\" font-size=\"11\" fill=\"currentColor\">{off}</text>",
            y + 15.0,
            LABEL_W + w + 4.0,
            y + 26.0
        );
    }
    svg.push_str("</svg>");
    svg
}

#[derive(Template)]
#[template(path = "needs/report.html")]
struct ReportPage {
    gemeenten: Vec<(String, String, bool)>,
    van: String,
    tot: String,
    error: Option<String>,
    title: String,
    period: String,
    map: Option<String>,
    legend: Vec<(&'static str, &'static str)>,
    hidden_fill_note: &'static str,
    bars: String,
    tables: Vec<TableView>,
    csv_query: String,
    gap_max: u64,
    threshold: u64,
}

fn period_text(report: &NeedsReport) -> String {
    let f = |d: Option<time::Date>| d.map(super::views::format_date);
    match (f(report.period.from), f(report.period.to)) {
        (None, None) => "alle verwijzingen tot nu".into(),
        (Some(a), None) => format!("verwijzingen vanaf {a}"),
        (None, Some(b)) => format!("verwijzingen tot en met {b}"),
        (Some(a), Some(b)) => format!("verwijzingen van {a} tot en met {b}"),
    }
}

fn needs_refused(err: NeedsError, path: &str) -> Response {
    match err {
        NeedsError::Denied(denied) => refused(AccountError::Denied(denied), path),
        NeedsError::Invalid { field, message } => AppError::BadRequest {
            param: Some(field.into()),
            detail: message,
        }
        .into_response(),
        NeedsError::Internal(err) => AppError::Internal(err).into_response(),
    }
}

fn return_path(query: &NeedsQuery, base: &str) -> String {
    let q = form_urlencoded::Serializer::new(String::new())
        .append_pair("gemeente", query.gemeente.trim())
        .append_pair("van", query.van.trim())
        .append_pair("tot", query.tot.trim())
        .finish();
    format!("{base}?{q}")
}

/// `GET /beheer/wijkcijfers?gemeente=&van=&tot=`.
async fn page(
    State(needs): State<Needs>,
    visit: Visit,
    Query(query): Query<NeedsQuery>,
) -> Response {
    let today = crate::domain::freshness::today();
    let gemeenten = needs.gemeenten();
    let mut page = ReportPage {
        gemeenten: Vec::new(),
        van: query.van.trim().chars().take(20).collect(),
        tot: query.tot.trim().chars().take(20).collect(),
        error: None,
        title: String::new(),
        period: String::new(),
        map: None,
        legend: BINS
            .iter()
            .map(|(_, fill, label)| (*fill, *label))
            .collect(),
        hidden_fill_note: "verborgen: minder dan 5, of afgeschermd zodat een klein aantal niet \
                           terug te rekenen is",
        bars: String::new(),
        tables: Vec::new(),
        csv_query: String::new(),
        gap_max: GAP_MAX_OFFERINGS,
        threshold: THRESHOLD,
    };
    let report = match needs.report(&visit.actor, &query, today).await {
        Ok(report) => report,
        Err(NeedsError::Invalid { message, .. }) => {
            // The form again, with the message: a person typed a wrong date.
            let chosen = query.gemeente.trim();
            page.gemeenten = gemeenten
                .into_iter()
                .map(|g| {
                    let on = g.code == chosen;
                    (g.code, g.name, on)
                })
                .collect();
            page.error = Some(message);
            page.title = "Wijkcijfers".into();
            return visit.respond(html(StatusCode::BAD_REQUEST, &page));
        }
        Err(err) => return needs_refused(err, &return_path(&query, PATH)),
    };
    page.gemeenten = gemeenten
        .into_iter()
        .map(|g| {
            let on = g.code == report.gemeente.code;
            (g.code, g.name, on)
        })
        .collect();
    page.title = format!("Wijkcijfers {}", report.gemeente.name);
    page.period = period_text(&report);
    page.map = map_svg(&needs, &report);
    page.bars = bars_svg(&report);
    page.tables = tables(&report);
    page.csv_query = form_urlencoded::Serializer::new(String::new())
        .append_pair("gemeente", &report.gemeente.code)
        .append_pair("van", query.van.trim())
        .append_pair("tot", query.tot.trim())
        .finish();
    visit.respond(html(StatusCode::OK, &page))
}

#[derive(Debug, serde::Deserialize)]
struct CsvQuery {
    #[serde(default)]
    tabel: String,
    #[serde(flatten)]
    report: NeedsQuery,
}

/// `GET /beheer/wijkcijfers.csv?tabel=wijken|witte-vlekken|redenen|routes|aanbod&…`: one table
/// as CSV, with the same suppression as the page.
async fn csv_download(
    State(needs): State<Needs>,
    visit: Visit,
    Query(query): Query<CsvQuery>,
) -> Response {
    let report = match needs
        .report(
            &visit.actor,
            &query.report,
            crate::domain::freshness::today(),
        )
        .await
    {
        Ok(report) => report,
        Err(err) => return needs_refused(err, &return_path(&query.report, PATH)),
    };
    let Some(table) = tables(&report)
        .into_iter()
        .find(|t| t.id == query.tabel.trim())
    else {
        return AppError::BadRequest {
            param: Some("tabel".into()),
            detail: "Kies een tabel: wijken, witte-vlekken, redenen, routes of aanbod.".into(),
        }
        .into_response();
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec![table.corner.to_string()];
    header.extend(table.columns.iter().cloned());
    let mut result = writer.write_record(&header);
    for (name, cells) in &table.rows {
        if result.is_err() {
            break;
        }
        let mut record = vec![name.clone()];
        record.extend(cells.iter().map(|c| c.text.clone()));
        result = writer.write_record(&record);
    }
    let body = match result.map_err(anyhow::Error::from).and_then(|()| {
        writer
            .into_inner()
            .map_err(|e| anyhow::anyhow!("csv: {}", e.error()))
    }) {
        Ok(body) => body,
        Err(err) => return AppError::Internal(err).into_response(),
    };
    let filename = format!(
        "wijkcijfers-{}-{}.csv",
        report.gemeente.code.to_ascii_lowercase(),
        table.id
    );
    visit.respond(
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{filename}\""),
                ),
            ],
            body,
        )
            .into_response(),
    )
}
