//! Tests against the real embedded data. Coordinates were checked against the polygons and,
//! where noted, against the reference table `pc4_provincie_utrecht_with_wijk.csv`.

use std::sync::OnceLock;

use geo::{InteriorPoint, LineString, Polygon, polygon};

use super::*;

/// Loading takes a fraction of a second, but there is no reason to do it once per test.
fn geography() -> &'static Geography {
    static GEOGRAPHY: OnceLock<Geography> = OnceLock::new();
    GEOGRAPHY.get_or_init(|| match Geography::load_embedded() {
        Ok(g) => g,
        Err(e) => panic!("embedded data does not load: {e}"),
    })
}

fn placement(gemeente: Option<&str>, wijk: Option<&str>, buurt: Option<&str>) -> Placement {
    Placement {
        gemeente: gemeente.map(str::to_string),
        wijk: wijk.map(str::to_string),
        buurt: buurt.map(str::to_string),
    }
}

/// A small square (half-side `r` degrees) around a point, as a `geo::Geometry`.
fn square(latitude: f64, longitude: f64, r: f64) -> geo::Geometry<f64> {
    let (x, y) = (longitude, latitude);
    geo::Geometry::Polygon(polygon![
        (x: x - r, y: y - r),
        (x: x + r, y: y - r),
        (x: x + r, y: y + r),
        (x: x - r, y: y + r),
        (x: x - r, y: y - r),
    ])
}

#[test]
fn load_is_fast() {
    let started = std::time::Instant::now();
    let loaded = Geography::load_embedded();
    let elapsed = started.elapsed();
    println!("load_embedded: {elapsed:?}");
    assert!(loaded.is_ok());
    // Generous: 160-250 ms for the whole country in a debug build with optimised
    // dependencies (assets/geo/README.md).
    assert!(elapsed < std::time::Duration::from_secs(2), "{elapsed:?}");
}

#[test]
fn geography_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Geography>();
}

#[test]
fn loads_the_expected_counts() {
    let g = geography();
    let count = |level| g.all().filter(|n| n.level == level).count();
    // The whole country: CBS 2024 has 342 gemeenten and 3,393 wijken (Utrecht's ten wijken
    // come from the city layer instead of the national one, so the count stays the same).
    assert_eq!(count(Level::Gemeente), 342);
    assert_eq!(count(Level::Wijk), 3393);
    assert_eq!(count(Level::Buurt), 111);
    assert_eq!(g.all().count(), 342 + 3393 + 111);
    assert_eq!(g.gemeenten().len(), 342);
    // The province of Utrecht is still all there, with the same wijken as before.
    let utrecht = crate::config::Region::utrecht();
    let province = g.gemeenten_in(&utrecht.gemeenten);
    assert_eq!(province.len(), 26);
    let wijken: usize = province.iter().map(|p| g.children(&p.code).len()).sum();
    assert_eq!(wijken, 222);
}

#[test]
fn every_gemeente_has_a_name_and_wijken() {
    let g = geography();
    for gemeente in g.gemeenten() {
        assert!(!gemeente.name.trim().is_empty(), "{}", gemeente.code);
        assert!(!g.children(&gemeente.code).is_empty(), "{}", gemeente.code);
    }
    let name = |code| g.get(code).map(|n| n.name.as_str());
    // Hart van Brabant, as its agreement names it.
    assert_eq!(name("GM0855"), Some("Tilburg"));
    assert_eq!(name("GM0766"), Some("Dongen"));
    assert_eq!(name("GM0785"), Some("Goirle"));
    assert_eq!(name("GM0798"), Some("Hilvarenbeek"));
    assert_eq!(name("GM0809"), Some("Loon op Zand"));
    assert_eq!(name("GM0824"), Some("Oisterwijk"));
    // Official 2024 names where we have them, also for merged gemeenten in the province.
    assert_eq!(name("GM1961"), Some("Vijfheerenlanden"));
    // Wijk names lose CBS's numbering: "Wijk 01 Goirle-Centrum".
    assert_eq!(name("WK078501"), Some("Goirle-Centrum"));
    assert_eq!(name("WK085510"), Some("Binnenstad"));
}

#[test]
fn a_tilburg_postcode_resolves_to_its_gemeente_and_wijk() {
    let g = geography();
    let m = g.postcode("5038 AB").expect("5038 is known");
    assert_eq!(m.woonplaats, "Tilburg");
    assert_eq!(m.placement.gemeente.as_deref(), Some("GM0855"));
    let wijk = m.placement.wijk.as_deref().expect("in a wijk");
    assert!(wijk.starts_with("WK0855"), "{wijk}");
    assert!(g.contains(wijk, m.latitude, m.longitude));
    assert_eq!(
        m.placement.buurt, None,
        "no buurten outside Utrecht unless imported"
    );
    // The other gemeenten of the region by their own postcodes.
    for (pc, gemeente) in [("5104", "GM0766"), ("5051", "GM0785"), ("5061", "GM0824")] {
        let m = g.postcode(pc).expect("known postcode");
        assert_eq!(m.placement.gemeente.as_deref(), Some(gemeente), "{pc}");
    }
}

#[test]
fn hierarchy_is_consistent() {
    let g = geography();
    for n in g.all() {
        assert_eq!(Level::from_code(&n.code), Some(n.level), "{}", n.code);
        match n.level {
            Level::Gemeente => assert_eq!(n.parent, None, "{}", n.code),
            Level::Wijk => {
                let parent = n.parent.as_deref().and_then(|p| g.get(p));
                assert_eq!(parent.map(|p| p.level), Some(Level::Gemeente), "{}", n.code);
                // CBS wijk codes embed their gemeente's number.
                assert_eq!(
                    &n.code[2..6],
                    parent.map_or("", |p| &p.code[2..]),
                    "{}",
                    n.code
                );
            }
            Level::Buurt => {
                let parent = n.parent.as_deref().unwrap_or_default();
                assert!(
                    parent.starts_with("WK0344"),
                    "{} has parent {parent}",
                    n.code
                );
                assert_eq!(g.get(parent).map(|p| p.level), Some(Level::Wijk));
                assert_eq!(n.code[2..8], parent[2..], "{}", n.code);
            }
        }
    }
    // Every gemeente has at least one wijk, and the ten Utrecht wijken all have buurten.
    for gemeente in g.gemeenten() {
        assert!(!g.children(&gemeente.code).is_empty(), "{}", gemeente.code);
    }
    for wijk in g.children("GM0344") {
        assert!(!g.children(&wijk.code).is_empty(), "{}", wijk.code);
    }
    // all() lists parents before children, so rows can be inserted in that order.
    let mut seen = std::collections::HashSet::new();
    for n in g.all() {
        if let Some(parent) = &n.parent {
            assert!(seen.contains(parent.as_str()), "{} before {parent}", n.code);
        }
        seen.insert(n.code.as_str());
    }
}

#[test]
fn names_are_for_display() {
    let g = geography();
    let name = |code| g.get(code).map(|n| n.name.as_str());
    assert_eq!(name("GM0344"), Some("Utrecht"));
    assert_eq!(name("WK034403"), Some("Overvecht"));
    assert_eq!(name("WK034406"), Some("Binnenstad"));
    assert_eq!(name("WK034410"), Some("Vleuten-De Meern"));
    assert_eq!(name("BU03440321"), Some("Zamenhofdreef en omgeving"));
    // Outside Utrecht too; a bare "Wijk 00" is shown under its gemeente's name.
    assert_eq!(name("WK031300"), Some("Bunschoten"));
    assert_eq!(name("WK030701"), Some("Stadskern"));
    for n in g.all() {
        assert!(
            !n.name.starts_with("Wijk 0") && !n.name.starts_with("Wijk 1"),
            "{n:?}"
        );
        assert!(!n.name.is_empty() && n.name.trim() == n.name, "{}", n.code);
    }
}

#[test]
fn centroids_are_inside_the_country_bounds() {
    for n in geography().all() {
        let (lat, lon) = n.centroid;
        assert!(
            (50.7..53.6).contains(&lat) && (3.3..7.3).contains(&lon),
            "{n:?}"
        );
    }
    let (lat, lon) = geography()
        .get("WK034403")
        .map(|n| n.centroid)
        .unwrap_or_default();
    assert!(
        (lat - 52.115).abs() < 0.01 && (lon - 5.115).abs() < 0.01,
        "{lat},{lon}"
    );
}

#[test]
fn locates_winkelcentrum_overvecht() {
    let g = geography();
    // Overvecht Centrum, between Zamenhofdreef, Brailledreef and Einsteindreef. Every point of a
    // ±0.001° grid around it lies in the same buurt, so this is not a boundary case.
    let expected = placement(Some("GM0344"), Some("WK034403"), Some("BU03440321"));
    assert_eq!(g.locate(52.1165, 5.1135), expected);
    for dy in -5..=5 {
        for dx in -5..=5 {
            let (lat, lon) = (
                52.1160 + f64::from(dy) * 0.0002,
                5.1130 + f64::from(dx) * 0.0002,
            );
            assert_eq!(g.locate(lat, lon), expected, "{lat},{lon}");
        }
    }
    // The brief's approximate point (52.1118, 5.1140) lies further south, in Overvecht's
    // Taag- en Rubicondreef buurt.
    assert_eq!(
        g.locate(52.1118, 5.1140),
        placement(Some("GM0344"), Some("WK034403"), Some("BU03440311"))
    );
}

#[test]
fn locates_the_domtoren_in_the_binnenstad() {
    assert_eq!(
        geography().locate(52.0907, 5.1214),
        placement(Some("GM0344"), Some("WK034406"), Some("BU03440611"))
    );
}

#[test]
fn locates_amersfoort_without_buurt() {
    // Amersfoort, the Lieve Vrouwetoren area in the old centre.
    assert_eq!(
        geography().locate(52.1561, 5.3878),
        placement(Some("GM0307"), Some("WK030701"), None)
    );
}

#[test]
fn places_outside_the_province_are_placed_nationally() {
    let g = geography();
    for ((lat, lon), gemeente) in [
        ((52.3731, 4.8926), "GM0363"), // Amsterdam, Dam
        ((51.9244, 4.4777), "GM0599"), // Rotterdam, Coolsingel
        ((53.2194, 6.5665), "GM0014"), // Groningen, Grote Markt
    ] {
        let p = g.locate(lat, lon);
        assert_eq!(p.gemeente.as_deref(), Some(gemeente), "{lat},{lon}");
        let wijk = p.wijk.as_deref().unwrap_or_default();
        assert_eq!(wijk.get(2..6), Some(&gemeente[2..]), "{p:?}");
    }
}

#[test]
fn points_outside_the_country_are_unplaced() {
    let g = geography();
    for (lat, lon) in [
        (52.5, 4.3),       // North Sea
        (50.8466, 4.3528), // Brussels
        (51.2277, 6.7735), // Düsseldorf
        (0.0, 0.0),
        (f64::NAN, 5.1),
        (52.1, f64::INFINITY),
    ] {
        let p = g.locate(lat, lon);
        assert!(p.is_empty(), "{lat},{lon}: {p:?}");
        assert!(p.codes().is_empty());
    }
}

#[test]
fn a_point_outside_the_2013_city_layer_falls_back_to_the_generalised_wijk() {
    let g = geography();
    // West of Vleuten: inside gemeente Utrecht's 2024 wijk polygon, outside the 2013 one.
    let (lat, lon) = (52.13228, 4.97952);
    assert!(!g.contains("WK034410", lat, lon));
    assert!(
        g.all()
            .filter(|n| n.level == Level::Wijk)
            .all(|n| !g.contains(&n.code, lat, lon))
    );
    assert_eq!(
        g.locate(lat, lon),
        placement(Some("GM0344"), Some("WK034410"), None)
    );
}

#[test]
fn detailed_utrecht_wijk_wins_where_layers_overlap() {
    let g = geography();
    // On the Utrecht–Houten boundary the detailed 2013 polygon of Zuid and the generalised
    // polygon of a Houten wijk both contain this point (and its ±0.0004° surroundings).
    let (lat, lon) = (52.05618, 5.14878);
    assert!(g.contains("WK034407", lat, lon) && g.contains("WK032120", lat, lon));
    assert_eq!(
        g.locate(lat, lon),
        placement(Some("GM0344"), Some("WK034407"), Some("BU03440712"))
    );
}

#[test]
fn every_buurt_interior_point_is_placed_in_that_buurt() {
    let g = geography();
    for buurt in g.all().filter(|n| n.level == Level::Buurt) {
        let Some(point) = buurt.geometry.interior_point() else {
            panic!("{} has no interior point", buurt.code);
        };
        let p = g.locate(point.y(), point.x());
        assert_eq!(p.buurt.as_deref(), Some(buurt.code.as_str()), "{p:?}");
        assert_eq!(p.wijk, buurt.parent);
        assert_eq!(p.gemeente.as_deref(), Some("GM0344"));
    }
}

#[test]
fn placement_codes_are_most_general_first() {
    let p = placement(Some("GM0344"), Some("WK034403"), Some("BU03440321"));
    assert_eq!(p.codes(), vec!["GM0344", "WK034403", "BU03440321"]);
    assert_eq!(p.most_specific(), Some("BU03440321"));
    let p = placement(Some("GM0307"), None, None);
    assert_eq!(p.codes(), vec!["GM0307"]);
    assert_eq!(p.most_specific(), Some("GM0307"));
    assert!(!p.is_empty());
    assert_eq!(Placement::default().most_specific(), None);
}

#[test]
fn postcode_variants_resolve_to_the_same_centroid() {
    let g = geography();
    let Ok(plain) = g.postcode("3562") else {
        panic!("3562 must be known");
    };
    assert_eq!(plain.pc4, "3562");
    assert_eq!(plain.woonplaats, "Utrecht");
    assert_eq!((plain.latitude, plain.longitude), (52.1162875, 5.1159955));
    // The reference table lists 3562 in WK034403 Overvecht, buurt BU03440321.
    assert_eq!(
        plain.placement,
        placement(Some("GM0344"), Some("WK034403"), Some("BU03440321"))
    );
    for input in [
        "3562 AB",
        "3562ab",
        " 3562-AB ",
        "3562\u{a0}AB",
        "3562  ab",
        "3562-ab",
    ] {
        assert_eq!(g.postcode(input).as_ref(), Ok(&plain), "{input:?}");
    }
}

#[test]
fn postcode_outside_the_province_is_placed_too() {
    let Ok(amsterdam) = geography().postcode("1012 JS") else {
        panic!("1012 must be known");
    };
    assert_eq!(amsterdam.pc4, "1012");
    assert_eq!(amsterdam.woonplaats, "Amsterdam");
    assert_eq!(amsterdam.placement.gemeente.as_deref(), Some("GM0363"));
    // Amsterdam's wijk codes carry letters (WK0363AA).
    let wijk = amsterdam.placement.wijk.unwrap_or_default();
    assert!(wijk.starts_with("WK0363"), "{wijk}");
}

#[test]
fn wijk_names_lose_every_spelling_of_the_cbs_number() {
    use super::codes::wijk_display_name as shown;
    assert_eq!(shown("Wijk 03 Overvecht", "Utrecht"), "Overvecht");
    assert_eq!(
        shown("Wijk 00: Valkenburg", "Valkenburg aan de Geul"),
        "Valkenburg"
    );
    assert_eq!(shown("Wijk01-Arkel", "Molenlanden"), "Arkel");
    assert_eq!(shown("Wijk02 Kunrade", "Voerendaal"), "Kunrade");
    assert_eq!(shown("Wijk 00", "Bunschoten"), "Bunschoten");
    assert_eq!(shown("Wijk aan Zee", "Beverwijk"), "Wijk aan Zee");
    assert_eq!(shown("Wijk en Aalburg", "Altena"), "Wijk en Aalburg");
    assert_eq!(shown("Wijk 123", "X"), "Wijk 123");
    assert_eq!(shown(" Centrum ", "X"), "Centrum");
}

#[test]
fn malformed_postcodes_are_rejected() {
    let g = geography();
    let long = "3".repeat(10_000);
    for input in [
        "35", "ABCD", "35620", "", "   ", "0123", "3562 A", "3562 ABC", "3562 A1", "AB 3562",
        "35-62", "35 62", "3562 A B", "3562-", "٣٥٦٢", "3562 ÄB", &long,
    ] {
        assert_eq!(
            g.postcode(input),
            Err(GeoError::MalformedPostcode),
            "{input:?}"
        );
    }
}

#[test]
fn unknown_postcodes_are_not_found() {
    let g = geography();
    // 9999 does exist (Stitswerd); 1004 and 9960 are not in the table.
    assert!(g.postcode("9999").is_ok());
    for (input, pc4) in [("1004", "1004"), ("9960 ZZ", "9960")] {
        let err = g.postcode(input);
        assert_eq!(
            err,
            Err(GeoError::PostcodeNotFound { pc4: pc4.into() }),
            "{input}"
        );
    }
}

#[test]
fn normalise_postcode_reduces_to_pc4() {
    assert_eq!(normalise_postcode(" 3511-ab "), Ok("3511".to_string()));
    assert_eq!(normalise_postcode("3511"), Ok("3511".to_string()));
    assert_eq!(normalise_postcode("351"), Err(GeoError::MalformedPostcode));
}

#[test]
fn codes_intersecting_a_small_area_in_overvecht() {
    let g = geography();
    let codes = g.codes_intersecting(&square(52.1165, 5.1135, 0.0005));
    assert_eq!(codes, vec!["GM0344", "WK034403", "BU03440321"]);

    // A larger area reaching from Overvecht into the Binnenstad covers both, and the buurten
    // between; ordered gemeente, wijken, buurten.
    let line =
        geo::Geometry::LineString(LineString::from(vec![(5.1135, 52.1165), (5.1214, 52.0907)]));
    let codes = g.codes_intersecting(&line);
    for expected in ["GM0344", "WK034403", "WK034406", "BU03440321", "BU03440611"] {
        assert!(
            codes.iter().any(|c| c == expected),
            "{expected} not in {codes:?}"
        );
    }
    let levels: Vec<Level> = codes.iter().filter_map(|c| Level::from_code(c)).collect();
    assert!(levels.windows(2).all(|w| w[0] <= w[1]), "{codes:?}");

    // A point geometry works too, and the sea intersects nothing.
    let point = geo::Geometry::Point(Point::new(5.3878, 52.1561));
    assert_eq!(g.codes_intersecting(&point), vec!["GM0307", "WK030701"]);
    assert!(g.codes_intersecting(&square(52.5, 4.3, 0.01)).is_empty());
    let empty = geo::Geometry::Polygon(Polygon::new(LineString::new(vec![]), vec![]));
    assert!(g.codes_intersecting(&empty).is_empty());
}

#[test]
fn parse_code_normalises_and_distinguishes_errors() {
    let g = geography();
    assert_eq!(
        g.parse_code("wk034403").map(|n| n.name.as_str()),
        Ok("Overvecht")
    );
    assert_eq!(
        g.parse_code(" GM0344 \n").map(|n| n.level),
        Ok(Level::Gemeente)
    );
    assert_eq!(
        g.parse_code("bu03440321").map(|n| n.level),
        Ok(Level::Buurt)
    );
    let long = "W".repeat(10_000);
    for input in [
        "WK99",
        "",
        "WK03X403",
        "BU0344032",
        "XX034403",
        "GM03440",
        "WK 034403",
        "ＷＫ034403",
        &long,
    ] {
        assert_eq!(
            g.parse_code(input),
            Err(GeoError::MalformedCode),
            "{input:?}"
        );
    }
    assert_eq!(
        g.parse_code("WK999999"),
        Err(GeoError::UnknownCode {
            code: "WK999999".into()
        })
    );
    // Letters after the gemeente number are CBS's (Amsterdam: WK0363AA), so a letter O typed
    // for a zero is a well-formed code we do not know, not a malformed one.
    assert_eq!(
        g.parse_code("wk0344o3"),
        Err(GeoError::UnknownCode {
            code: "WK0344O3".into()
        })
    );
    assert_eq!(g.parse_code("wk0363aa").map(|n| n.level), Ok(Level::Wijk));
    // Well-formed, but no gemeente has that number.
    assert_eq!(
        g.parse_code("gm9999"),
        Err(GeoError::UnknownCode {
            code: "GM9999".into()
        })
    );
}

#[test]
fn errors_are_classified_and_never_echo_raw_input() {
    let malformed = geography().postcode("<script>").err();
    assert_eq!(malformed, Some(GeoError::MalformedPostcode));
    let text = malformed.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        text.contains("geen geldige postcode") && !text.contains("script"),
        "{text}"
    );
    assert!(GeoError::MalformedCode.is_malformed());
    assert!(!GeoError::MalformedCode.is_not_found());
    let unknown = GeoError::UnknownCode {
        code: "WK999999".into(),
    };
    assert!(unknown.is_not_found() && !unknown.is_malformed());
    assert!(unknown.to_string().contains("WK999999"));
    let data = GeoError::Data {
        file: "x.geojson",
        detail: "kapot".into(),
    };
    assert!(!data.is_malformed() && !data.is_not_found());
}

#[test]
fn navigation_up_and_down() {
    let g = geography();
    let codes = |list: Vec<&Neighbourhood>| list.iter().map(|n| n.code.clone()).collect::<Vec<_>>();
    assert_eq!(codes(g.ancestors("BU03440321")), vec!["WK034403", "GM0344"]);
    assert_eq!(codes(g.ancestors("WK030701")), vec!["GM0307"]);
    assert!(g.ancestors("GM0344").is_empty());
    assert!(g.ancestors("nonsense").is_empty());

    let wijken = g.children("GM0344");
    assert_eq!(wijken.len(), 10);
    assert_eq!(wijken.first().map(|n| n.name.as_str()), Some("Binnenstad"));
    assert!(wijken.windows(2).all(|w| w[0].name <= w[1].name));
    assert_eq!(g.children("WK034403").len(), 10);
    assert!(g.children("WK030701").is_empty());
    assert!(g.children("BU03440321").is_empty());
    assert!(g.children("nonsense").is_empty());

    let below = g.descendants("GM0344");
    assert_eq!(below.len(), 10 + 111);
    // Depth first: the first wijk (Binnenstad) is directly followed by its own buurten.
    assert_eq!(below[0].code, "WK034406");
    assert_eq!(below[1].parent.as_deref(), Some("WK034406"));
    assert_eq!(g.descendants("GM0307").len(), 33);
    assert!(g.descendants("BU03440321").is_empty());

    let gemeenten = g.gemeenten();
    assert!(
        gemeenten
            .windows(2)
            .all(|w| (&w[0].name, &w[0].code) <= (&w[1].name, &w[1].code))
    );
    let in_order = g.gemeenten_in(&["GM0855".to_string(), "WK085510".into(), "GM9999".into()]);
    assert_eq!(
        in_order.iter().map(|n| n.code.as_str()).collect::<Vec<_>>(),
        vec!["GM0855"]
    );
    assert_eq!(gemeenten.last().map(|n| n.name.as_str()), Some("Zwolle"));
    assert!(gemeenten.windows(2).all(|w| w[0].name < w[1].name));
}

#[test]
fn contains_tests_one_polygon() {
    let g = geography();
    assert!(g.contains("WK034403", 52.1165, 5.1135));
    assert!(g.contains("GM0344", 52.1165, 5.1135));
    assert!(!g.contains("WK034406", 52.1165, 5.1135));
    assert!(!g.contains("nonsense", 52.1165, 5.1135));
    assert!(!g.contains("WK034403", f64::NAN, 5.1135));
}

#[test]
fn random_points_are_deterministic_and_placed_in_their_neighbourhood() {
    let g = geography();
    let a = g.random_point_in("WK034403", 42);
    assert!(a.is_some());
    assert_eq!(a, g.random_point_in("WK034403", 42));
    assert_ne!(a, g.random_point_in("WK034403", 43));
    assert_eq!(g.random_point_in("nonsense", 42), None);
    // Every neighbourhood can be sampled, and the sample is placed where it was asked for.
    for n in g.all() {
        for seed in [0, 1, u64::MAX] {
            let Some((lat, lon)) = g.random_point_in(&n.code, seed) else {
                panic!("no point in {}", n.code);
            };
            assert!(g.contains(&n.code, lat, lon), "{} {lat},{lon}", n.code);
            assert!(
                g.locate(lat, lon).codes().contains(&n.code.as_str()),
                "{}",
                n.code
            );
        }
    }
}

#[test]
fn xorshift_is_uniform_enough() {
    let mut rng = XorShift64::new(0);
    let samples: Vec<f64> = (0..10_000).map(|_| rng.next_f64()).collect();
    assert!(samples.iter().all(|x| (0.0..1.0).contains(x)));
    let mean = samples.iter().sum::<f64>() / samples.len() as f64;
    assert!((mean - 0.5).abs() < 0.02, "{mean}");
}

/// Every number in the `d` attributes of an SVG, for bounds checks.
fn path_numbers(svg: &str) -> Vec<f64> {
    svg.split(" d=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .flat_map(|d| {
            d.split(['M', 'L', 'Z', ' '])
                .filter(|s| !s.is_empty())
                .map(|s| s.parse::<f64>().unwrap_or(f64::NAN))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn svg_outline_is_small_and_within_the_canvas() {
    let g = geography();
    let Some(svg) = g.svg_outline("GM0344", 320, 240) else {
        panic!("no svg for GM0344");
    };
    assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
    assert!(svg.contains(r#"viewBox="0 0 320 240""#));
    assert_eq!(svg.matches("wijkwijzer-kind").count(), 10);
    assert_eq!(svg.matches("wijkwijzer-omtrek").count(), 1);
    assert!(svg.len() < 20_000, "{} bytes", svg.len());
    let numbers = path_numbers(&svg);
    assert!(numbers.len() > 100);
    for pair in numbers.chunks(2) {
        assert!(
            (0.0..=320.0).contains(&pair[0]) && (0.0..=240.0).contains(&pair[1]),
            "{pair:?}"
        );
    }

    // A buurt has no children; names are XML-escaped ("'t Goy" in Houten).
    let buurt = g.svg_outline("BU03440321", 100, 100).unwrap_or_default();
    assert_eq!(buurt.matches("<path").count(), 1);
    assert!(
        g.svg_outline("GM0321", 200, 200)
            .unwrap_or_default()
            .contains("&#39;t Goy")
    );
    assert_eq!(g.svg_outline("nonsense", 100, 100), None);
    assert_eq!(g.svg_outline("GM0344", 0, 100), None);
}

#[test]
fn geometry_geojson_round_trips() {
    let Some(n) = geography().get("WK034403") else {
        panic!("WK034403 missing");
    };
    let parsed: Result<geojson::Geometry, _> = n.geometry_geojson().parse();
    let back = parsed
        .ok()
        .and_then(|g| geo::MultiPolygon::<f64>::try_from(g).ok());
    assert_eq!(back.as_ref(), Some(&n.geometry));
}

#[test]
fn level_names() {
    assert_eq!(Level::Wijk.as_str(), "wijk");
    assert_eq!(Level::Buurt.label(), "Buurt");
    assert_eq!(Level::from_name("gemeente"), Some(Level::Gemeente));
    assert_eq!(Level::from_name("Gemeente"), None);
    assert_eq!(Level::from_code("WK034403"), Some(Level::Wijk));
    assert_eq!(Level::from_code("wk034403"), None);
    assert_eq!(Level::from_code("WK"), None);
    assert_eq!(Level::from_code("É"), None);
    assert_eq!(
        serde_json::to_string(&Level::Buurt).ok().as_deref(),
        Some("\"buurt\"")
    );
    assert_eq!(Level::Gemeente.to_string(), "gemeente");
}

/// Cross-check against the reference table, which was computed with the generalised CBS 2024
/// wijk layer (and the city's buurt layer); we use the detailed city layer inside Utrecht, so
/// a few disagreements near boundaries are expected. Rows with an empty wijk (centroid in a gap
/// of the generalised layer) must then also be unplaced by us.
#[test]
fn pc4_reference_table_agrees() {
    let g = geography();
    let text = include_str!("../../assets/geo/pc4_provincie_utrecht_with_wijk.csv");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let (mut rows, mut wijk_agree, mut buurt_rows, mut buurt_agree) = (0, 0, 0, 0);
    let mut disagreements = Vec::new();
    for record in reader.records() {
        let Ok(record) = record else {
            panic!("reference table unreadable");
        };
        let field = |i: usize| record.get(i).unwrap_or_default();
        let (Ok(lat), Ok(lon)) = (field(3).parse::<f64>(), field(4).parse::<f64>()) else {
            panic!("bad coordinates in {record:?}");
        };
        let placed = g.locate(lat, lon);
        rows += 1;
        if placed.wijk.as_deref().unwrap_or_default() == field(6) {
            wijk_agree += 1;
        } else {
            disagreements.push(format!(
                "{} {}: {} vs {placed:?}",
                field(0),
                field(1),
                field(6)
            ));
        }
        if !field(8).is_empty() {
            buurt_rows += 1;
            if placed.buurt.as_deref() == Some(field(8)) {
                buurt_agree += 1;
            }
        }
        // The postcode lookup gives the same answer as locating the listed centroid.
        assert_eq!(g.postcode(field(0)).map(|m| m.placement), Ok(placed));
    }
    assert_eq!(rows, 264);
    let rate = f64::from(wijk_agree) / f64::from(rows);
    println!(
        "PC4 cross-check: wijk {wijk_agree}/{rows} ({:.1} %), buurt {buurt_agree}/{buurt_rows}; \
         disagreements: {disagreements:?}",
        rate * 100.0
    );
    assert!(rate >= 0.95, "agreement {rate}: {disagreements:?}");
    assert!(buurt_rows > 50 && buurt_agree * 100 >= buurt_rows * 95);
}

#[test]
fn a_region_map_draws_its_gemeenten() {
    let g = geography();
    let hvb = crate::config::Region::hart_van_brabant();
    let svg = g
        .svg_region(&hvb.label, &hvb.gemeenten, 320, 240)
        .expect("a map");
    assert!(svg.contains("Kaart van Hart van Brabant"));
    for code in &hvb.gemeenten {
        assert!(svg.contains(&format!("data-code=\"{code}\"")), "{code}");
    }
    assert!(!svg.contains("GM0344"));
    assert!(svg.len() < 40_000, "{} bytes", svg.len());
    assert_eq!(g.svg_region("x", &["GM9999".to_string()], 320, 240), None);
}

/// The synthetic buurten of `tests/fixtures/tilburg_synthetic_buurten.geojson`: made-up
/// quarters of Tilburg's wijk Binnenstad (see the script beside it).
const SYNTHETIC_BUURTEN: &str =
    include_str!("../../tests/fixtures/tilburg_synthetic_buurten.geojson");

#[test]
fn a_buurtkaart_is_read_liberally_and_reports_what_it_skips() {
    let g = geography();
    let file = import::read_buurtkaart(SYNTHETIC_BUURTEN, g).expect("GeoJSON");
    let codes: Vec<&str> = file.buurten.iter().map(|n| n.code.as_str()).collect();
    assert_eq!(
        codes,
        vec!["BU08551090", "BU08551091", "BU08551092", "BU08551093"]
    );
    // Both property spellings give a name and the parent wijk.
    assert_eq!(
        file.buurten[1].name,
        "Synthetische testbuurt Binnenstad Noordoost"
    );
    assert!(
        file.buurten
            .iter()
            .all(|n| n.parent.as_deref() == Some("WK085510"))
    );
    let skipped: Vec<(Option<&str>, &str)> = file
        .skipped
        .iter()
        .map(|s| (s.code.as_deref(), s.reason.as_str()))
        .collect();
    assert_eq!(skipped.len(), 5, "{skipped:?}");
    assert!(skipped[0].1.contains("geen buurt"), "{skipped:?}");
    assert!(skipped[1].1.contains("WK085599"), "{skipped:?}");
    assert!(skipped[2].1.contains("Utrecht"), "{skipped:?}");
    assert!(skipped[3].1.contains("RD"), "{skipped:?}");
    assert_eq!(skipped[4].0, None);
    assert_eq!(file.skipped[4].feature, 9);

    assert!(import::read_buurtkaart("not json", g).is_err());
    assert!(import::read_buurtkaart(r#"{"type":"Point","coordinates":[5,52]}"#, g).is_err());
}

#[test]
fn imported_buurten_join_the_geography() {
    let file = import::read_buurtkaart(SYNTHETIC_BUURTEN, geography()).expect("GeoJSON");
    let mut buurten = file.buurten;
    // Misfits handed in from a database written by other data are left out, not fatal.
    let mut stray = buurten[0].clone();
    stray.code = "BU03440321".into(); // a built-in Utrecht buurt
    buurten.push(stray);
    let mut orphan = buurten[0].clone();
    orphan.code = "BU08559901".into();
    orphan.parent = Some("WK085599".into());
    buurten.push(orphan);

    let g = Geography::load_embedded_with(buurten).expect("loads");
    assert_eq!(g.all().filter(|n| n.level == Level::Buurt).count(), 111 + 4);
    assert_eq!(g.children("WK085510").len(), 4);
    assert_eq!(
        g.get("BU03440321").map(|n| n.parent.as_deref()),
        Some(Some("WK034403"))
    );
    assert!(g.get("BU08559901").is_none());
    for buurt in g.children("WK085510") {
        let Some(point) = buurt.geometry.interior_point() else {
            panic!("{} has no interior point", buurt.code);
        };
        assert_eq!(
            g.locate(point.y(), point.x()),
            placement(Some("GM0855"), Some("WK085510"), Some(buurt.code.as_str()))
        );
    }
    assert_eq!(
        g.ancestors("BU08551090")
            .iter()
            .map(|n| n.code.as_str())
            .collect::<Vec<_>>(),
        vec!["WK085510", "GM0855"]
    );
    // A stored geometry reads back as the same neighbourhood.
    let n = &g.children("WK085510")[0];
    let back = import::from_stored(
        n.code.clone(),
        n.name.clone(),
        n.level,
        n.parent.clone(),
        &n.geometry_geojson(),
    );
    assert_eq!(back.as_ref(), Some(*n));
}

#[test]
fn a_position_without_longitude_and_latitude_is_refused_not_a_crash() {
    // Found by tests/fuzz: the geojson crate reads `[]` and `[5.1]` as positions and panics
    // when converting them, which took `geo import` down (and an HSDS extent, the indexer).
    let g = geography();
    for position in ["[]", "[5.1]"] {
        let ring = format!("[[5.0,51.5],[5.1,51.5],{position},[5.0,51.5]]");
        let map = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature",
                "properties":{{"statcode":"BU08551090"}},
                "geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}]}}"#
        );
        let file = import::read_buurtkaart(&map, g).expect("GeoJSON");
        assert!(file.buurten.is_empty());
        assert!(
            file.skipped[0].reason.contains("onleesbare geometrie"),
            "{:?}",
            file.skipped
        );
        for geometry in [
            format!(r#"{{"type":"Point","coordinates":{position}}}"#),
            format!(r#"{{"type":"Polygon","coordinates":[{ring}]}}"#),
            format!(
                r#"{{"type":"GeometryCollection","geometries":[
                    {{"type":"LineString","coordinates":[[5,52],{position}]}}]}}"#
            ),
        ] {
            assert!(import::parse_geometry(&geometry).is_none(), "{geometry}");
            assert!(
                import::from_stored(
                    "BU08551090".into(),
                    "x".into(),
                    Level::Buurt,
                    None,
                    &geometry
                )
                .is_none()
            );
        }
    }
    assert!(import::parse_geometry(r#"{"type":"Point","coordinates":[5.1,52.1,3]}"#).is_some());
}
