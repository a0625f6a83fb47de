//! A small, dependency-free SVG map of a neighbourhood and its children, for the neighbourhood
//! page. Coordinates are projected to pixels first and then simplified with a sub-pixel
//! tolerance, so a detailed 600-vertex wijk costs a few hundred bytes instead of tens of
//! kilobytes, and the output is the same on every call (no randomness, no input echoed).

use std::fmt::Write as _;

use geo::{BoundingRect, MapCoords, MultiPolygon, Rect, Simplify};

use super::Neighbourhood;

/// Margin around the drawing, in pixels, so strokes at the edge are not clipped.
const PADDING: f64 = 4.0;
/// Simplification tolerance in pixels: below what the eye can see at the drawn size.
const TOLERANCE_PX: f64 = 0.5;

/// Renders `outline` with `children` drawn inside it as a complete `<svg>` element.
///
/// The projection is a simple equirectangular one with longitudes scaled by cos(latitude),
/// which is accurate to well under a pixel over an area the size of a province. Each path has a
/// `class` (`wijkwijzer-kind` for children, `wijkwijzer-omtrek` for the outline) and a
/// `data-code`, so the page can style and link them; sane inline defaults make it readable
/// without CSS. Returns `None` for a zero-sized canvas or an empty geometry.
pub(super) fn render(
    outline: &Neighbourhood,
    children: &[&Neighbourhood],
    width: u32,
    height: u32,
) -> Option<String> {
    if width == 0 || height == 0 {
        return None;
    }
    let bounds = children
        .iter()
        .filter_map(|c| c.geometry.bounding_rect())
        .fold(outline.geometry.bounding_rect()?, union);

    let mid_lat = (bounds.min().y + bounds.max().y) / 2.0;
    let x_scale = mid_lat.to_radians().cos();
    let span_x = (bounds.width() * x_scale).max(f64::EPSILON);
    let span_y = bounds.height().max(f64::EPSILON);
    let (w, h) = (f64::from(width), f64::from(height));
    let scale = ((w - 2.0 * PADDING).max(1.0) / span_x).min((h - 2.0 * PADDING).max(1.0) / span_y);
    // Centre the drawing in whichever direction has room to spare.
    let offset_x = (w - span_x * scale) / 2.0;
    let offset_y = (h - span_y * scale) / 2.0;
    let project = |c: geo::Coord<f64>| geo::Coord {
        x: offset_x + (c.x - bounds.min().x) * x_scale * scale,
        // SVG's y axis points down, latitude up.
        y: offset_y + (bounds.max().y - c.y) * scale,
    };

    let mut svg = String::new();
    // Writing to a String cannot fail; the results are ignored for that reason.
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{}">"#,
        escape(&format!("Kaart van {}", outline.name))
    );
    let _ = write!(svg, "<title>{}</title>", escape(&outline.name));
    for child in children {
        let d = path_data(&child.geometry, &project);
        if d.is_empty() {
            continue;
        }
        let _ = write!(
            svg,
            r#"<path class="wijkwijzer-kind" data-code="{}" d="{d}" fill="currentColor" fill-opacity="0.08" fill-rule="evenodd" stroke="currentColor" stroke-opacity="0.6" stroke-width="0.75"><title>{}</title></path>"#,
            escape(&child.code),
            escape(&child.name)
        );
    }
    let d = path_data(&outline.geometry, &project);
    let _ = write!(
        svg,
        r#"<path class="wijkwijzer-omtrek" data-code="{}" d="{d}" fill="none" fill-rule="evenodd" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/></svg>"#,
        escape(&outline.code)
    );
    Some(svg)
}

/// The SVG path `d` attribute for a multipolygon: one closed subpath per ring, holes included
/// (rendered as holes thanks to `fill-rule="evenodd"`), coordinates rounded to 0.1 px.
pub(super) fn path_data(
    geometry: &MultiPolygon<f64>,
    project: &impl Fn(geo::Coord<f64>) -> geo::Coord<f64>,
) -> String {
    let projected = geometry.map_coords(project).simplify(TOLERANCE_PX);
    let mut d = String::new();
    for polygon in &projected {
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            // A ring simplified to fewer than three distinct points is invisible at this size.
            if ring.0.len() < 4 {
                continue;
            }
            // The last coordinate repeats the first; `Z` closes the subpath instead.
            let points = &ring.0[..ring.0.len() - 1];
            for (i, c) in points.iter().enumerate() {
                let command = if i == 0 { 'M' } else { 'L' };
                let _ = write!(d, "{command}{:.1} {:.1}", c.x, c.y);
            }
            d.push('Z');
        }
    }
    d
}

fn union(a: Rect<f64>, b: Rect<f64>) -> Rect<f64> {
    Rect::new(
        geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
        geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
    )
}

/// XML text and attribute escaping. The names come from our own embedded files, but "'t Goy"
/// and "Bosch & Duin"-style names exist, and escaping keeps that a non-issue.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// How one child of a shaded map is drawn: its fill colour (or `url(#…)` of a pattern the
/// caller's `defs` defines) and the words after its name in its tooltip.
pub struct Shade {
    pub fill: String,
    pub label: String,
}

/// Like [`render`], with each child filled as `shade` says, `defs` (e.g. a hatch pattern)
/// inserted as is, and the given accessible name and description. For a choropleth map: the
/// caller passes its own text, which is escaped here.
pub(super) fn render_shaded(
    outline: &Neighbourhood,
    children: &[&Neighbourhood],
    size: (u32, u32),
    text: (&str, &str),
    defs: &str,
    shade: &dyn Fn(&Neighbourhood) -> Shade,
) -> Option<String> {
    let (width, height) = size;
    let (title, desc) = text;
    let plain = render(outline, children, width, height)?;
    // The paths (projected and simplified) are taken from the plain rendering, so both maps
    // always agree.
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="kaart-titel kaart-uitleg"><title id="kaart-titel">{}</title><desc id="kaart-uitleg">{}</desc><defs>{defs}</defs>"#,
        escape(title),
        escape(desc)
    );
    for child in children {
        let marker = format!(r#"data-code="{}" d=""#, escape(&child.code));
        let Some(start) = plain.find(&marker) else {
            continue;
        };
        let rest = &plain[start + marker.len()..];
        let Some(end) = rest.find('"') else { continue };
        let d = &rest[..end];
        let s = shade(child);
        let _ = write!(
            svg,
            r#"<path class="wijkwijzer-kind" data-code="{}" d="{d}" fill="{}" fill-rule="evenodd" stroke="currentColor" stroke-width="0.75"><title>{}: {}</title></path>"#,
            escape(&child.code),
            escape(&s.fill),
            escape(&child.name),
            escape(&s.label)
        );
    }
    let marker = format!(
        r#"class="wijkwijzer-omtrek" data-code="{}" d=""#,
        escape(&outline.code)
    );
    if let Some(start) = plain.find(&marker) {
        let rest = &plain[start + marker.len()..];
        if let Some(end) = rest.find('"') {
            let _ = write!(
                svg,
                r#"<path class="wijkwijzer-omtrek" d="{}" fill="none" fill-rule="evenodd" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/>"#,
                &rest[..end]
            );
        }
    }
    svg.push_str("</svg>");
    Some(svg)
}
