//! Parsing of the embedded data files into plain [`Neighbourhood`]s and postcode centroids.
//!
//! The files are compiled into the binary (`include_str!`) so a deployment needs nothing but the
//! executable. They are still parsed defensively: a malformed file is a [`GeoError::Data`] naming
//! the file, never a panic, so a bad data update fails the start-up with a clear log line.

use std::collections::HashMap;

use geo::{BoundingRect, Centroid, MultiPolygon};
use geojson::{Feature, FeatureCollection};

use super::codes::{normalise_postcode, wijk_display_name};
use super::{GeoError, Level, Neighbourhood};

/// File names, used in error messages and kept next to the `include_str!` that embeds them.
pub(super) const GEMEENTEN_FILE: &str = "gemeenten_2024_nl.geojson";
pub(super) const NATIONAL_WIJKEN_FILE: &str = "wijk_2024_nl.geojson";
pub(super) const CITY_WIJKEN_FILE: &str = "utrecht_wijken_cbscodes.geojson";
pub(super) const CITY_BUURTEN_FILE: &str = "utrecht_buurten_cbscodes.geojson";
pub(super) const PC4_FILE: &str = "pc4_nl.csv";

/// CBS/Kadaster 2024 outlines of every gemeente, dissolved from the wijken below by
/// `assets/geo/prepare_national.py` (generalised ~100 m).
pub(super) const GEMEENTEN: &str = include_str!("../../assets/geo/gemeenten_2024_nl.geojson");
/// CBS/Kadaster 2024 wijken of the whole country (generalised ~100 m).
pub(super) const NATIONAL_WIJKEN: &str = include_str!("../../assets/geo/wijk_2024_nl.geojson");
/// Gemeente Utrecht's own wijk polygons (2013, full resolution) with CBS codes.
pub(super) const CITY_WIJKEN: &str =
    include_str!("../../assets/geo/utrecht_wijken_cbscodes.geojson");
/// Gemeente Utrecht's own buurt polygons (2013, full resolution) with CBS codes.
pub(super) const CITY_BUURTEN: &str =
    include_str!("../../assets/geo/utrecht_buurten_cbscodes.geojson");
/// National PC4 centroids (community dataset, MIT).
pub(super) const PC4: &str = include_str!("../../assets/geo/pc4_nl.csv");

/// The municipality whose wijken come from the detailed city layer and which alone has buurten.
pub(super) const UTRECHT_GEMEENTE: &str = "GM0344";

/// A PC4 centroid as read from [`PC4_FILE`].
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Pc4Centroid {
    pub latitude: f64,
    pub longitude: f64,
    pub woonplaats: String,
}

/// Everything parsed from the embedded files, before indexing.
pub(super) struct RawData {
    /// Gemeenten, wijken and buurten, in no particular order.
    pub neighbourhoods: Vec<Neighbourhood>,
    /// The generalised 2024 polygons of Utrecht's wijken, which the detailed 2013 layer replaces;
    /// kept only to place points the 2013 layer does not cover (see `Geography::locate`).
    pub utrecht_generalised: Vec<(String, MultiPolygon<f64>)>,
    pub postcodes: HashMap<String, Pc4Centroid>,
}

/// Parses all embedded files.
pub(super) fn parse_embedded() -> Result<RawData, GeoError> {
    let mut neighbourhoods = Vec::with_capacity(4_000);
    let mut gemeente_names = HashMap::new();

    for feature in features(GEMEENTEN, GEMEENTEN_FILE)? {
        let code = property(&feature, "gemeentecode", GEMEENTEN_FILE)?.to_string();
        let name = property(&feature, "gemeentenaam", GEMEENTEN_FILE)?.to_string();
        gemeente_names.insert(code.clone(), name.clone());
        let geometry = multipolygon(&feature, GEMEENTEN_FILE)?;
        neighbourhoods.push(neighbourhood(
            code,
            name,
            Level::Gemeente,
            None,
            geometry,
            GEMEENTEN_FILE,
        )?);
    }

    let mut utrecht_generalised = Vec::new();
    for feature in features(NATIONAL_WIJKEN, NATIONAL_WIJKEN_FILE)? {
        let code = property(&feature, "statcode", NATIONAL_WIJKEN_FILE)?.to_string();
        // CBS wijk codes embed their gemeente's number: WK085501 lies in GM0855.
        let gemeente = match code.get(2..6) {
            Some(number) if Level::from_code(&code) == Some(Level::Wijk) => format!("GM{number}"),
            _ => {
                return Err(data_error(
                    NATIONAL_WIJKEN_FILE,
                    format!("'{code}' is geen wijkcode"),
                ));
            }
        };
        let geometry = multipolygon(&feature, NATIONAL_WIJKEN_FILE)?;
        if gemeente == UTRECHT_GEMEENTE {
            // Replaced by the detailed city layer below, whose buurten nest in it.
            utrecht_generalised.push((code, geometry));
            continue;
        }
        let raw_name = property(&feature, "name", NATIONAL_WIJKEN_FILE)?;
        let gemeente_name = gemeente_names.get(&gemeente).map_or("", String::as_str);
        let name = wijk_display_name(raw_name, gemeente_name);
        neighbourhoods.push(neighbourhood(
            code,
            name,
            Level::Wijk,
            Some(gemeente),
            geometry,
            NATIONAL_WIJKEN_FILE,
        )?);
    }

    for feature in features(CITY_WIJKEN, CITY_WIJKEN_FILE)? {
        let code = property(&feature, "wijkcode", CITY_WIJKEN_FILE)?.to_string();
        let gemeente = property(&feature, "gemeentecode", CITY_WIJKEN_FILE)?.to_string();
        let raw_name = property(&feature, "wijknaam", CITY_WIJKEN_FILE)?;
        let gemeente_name = gemeente_names.get(&gemeente).map_or("", String::as_str);
        let name = wijk_display_name(raw_name, gemeente_name);
        let geometry = multipolygon(&feature, CITY_WIJKEN_FILE)?;
        neighbourhoods.push(neighbourhood(
            code,
            name,
            Level::Wijk,
            Some(gemeente),
            geometry,
            CITY_WIJKEN_FILE,
        )?);
    }

    for feature in features(CITY_BUURTEN, CITY_BUURTEN_FILE)? {
        let code = property(&feature, "buurtcode", CITY_BUURTEN_FILE)?.to_string();
        let name = property(&feature, "buurtnaam", CITY_BUURTEN_FILE)?
            .trim()
            .to_string();
        let wijk = property(&feature, "wijkcode", CITY_BUURTEN_FILE)?.to_string();
        let geometry = multipolygon(&feature, CITY_BUURTEN_FILE)?;
        neighbourhoods.push(neighbourhood(
            code,
            name,
            Level::Buurt,
            Some(wijk),
            geometry,
            CITY_BUURTEN_FILE,
        )?);
    }

    Ok(RawData {
        neighbourhoods,
        utrecht_generalised,
        postcodes: parse_pc4(PC4)?,
    })
}

/// One row of [`PC4_FILE`]; other columns are ignored.
#[derive(serde::Deserialize)]
struct Pc4Row {
    postcode: String,
    woonplaats: String,
    latitude: f64,
    longitude: f64,
}

fn parse_pc4(text: &str) -> Result<HashMap<String, Pc4Centroid>, GeoError> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut postcodes = HashMap::with_capacity(5000);
    for (index, row) in reader.deserialize::<Pc4Row>().enumerate() {
        let line = index + 2; // 1-based, after the header
        let row = row.map_err(|e| data_error(PC4_FILE, format!("regel {line}: {e}")))?;
        let pc4 = normalise_postcode(&row.postcode)
            .map_err(|_| data_error(PC4_FILE, format!("regel {line}: ongeldige postcode")))?;
        if !(row.latitude.is_finite() && row.longitude.is_finite()) {
            return Err(data_error(
                PC4_FILE,
                format!("regel {line}: ongeldige coördinaat"),
            ));
        }
        let centroid = Pc4Centroid {
            latitude: row.latitude,
            longitude: row.longitude,
            woonplaats: row.woonplaats,
        };
        if postcodes.insert(pc4.clone(), centroid).is_some() {
            return Err(data_error(
                PC4_FILE,
                format!("postcode {pc4} staat er dubbel in"),
            ));
        }
    }
    Ok(postcodes)
}

fn features(text: &str, file: &'static str) -> Result<Vec<Feature>, GeoError> {
    let collection: FeatureCollection = text.parse().map_err(|e| data_error(file, e))?;
    Ok(collection.features)
}

fn property<'a>(feature: &'a Feature, key: &str, file: &'static str) -> Result<&'a str, GeoError> {
    feature
        .property(key)
        .and_then(|value| value.as_str())
        .ok_or_else(|| {
            data_error(
                file,
                format!("een feature mist de tekst-eigenschap '{key}'"),
            )
        })
}

/// Reads a Polygon or MultiPolygon; anything else in a boundary file is a data error.
fn multipolygon(feature: &Feature, file: &'static str) -> Result<MultiPolygon<f64>, GeoError> {
    let geometry = feature
        .geometry
        .as_ref()
        .ok_or_else(|| data_error(file, "een feature heeft geen geometrie"))?;
    match geo::Geometry::<f64>::try_from(&geometry.value).map_err(|e| data_error(file, e))? {
        geo::Geometry::Polygon(polygon) => Ok(MultiPolygon::new(vec![polygon])),
        geo::Geometry::MultiPolygon(multi) => Ok(multi),
        _ => Err(data_error(file, "een geometrie is geen (multi)polygoon")),
    }
}

fn neighbourhood(
    code: String,
    name: String,
    level: Level,
    parent: Option<String>,
    geometry: MultiPolygon<f64>,
    file: &'static str,
) -> Result<Neighbourhood, GeoError> {
    if Level::from_code(&code) != Some(level) {
        return Err(data_error(
            file,
            format!("code '{code}' past niet bij niveau {level}"),
        ));
    }
    // The area-weighted centroid; for an odd shape it can fall outside the polygon, which is
    // fine for its uses (map centring, distance sorting).
    let centroid = geometry
        .centroid()
        .or_else(|| geometry.bounding_rect().map(|r| r.center().into()))
        .ok_or_else(|| data_error(file, format!("{code} heeft een lege geometrie")))?;
    Ok(Neighbourhood {
        code,
        name,
        level,
        parent,
        geometry,
        centroid: (centroid.y(), centroid.x()),
    })
}

fn data_error(file: &'static str, detail: impl ToString) -> GeoError {
    GeoError::Data {
        file,
        detail: detail.to_string(),
    }
}
