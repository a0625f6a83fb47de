#!/usr/bin/env python3
"""Builds the national gemeente layer from the CBS 2024 wijk layer (run by hand, output committed).

    pip install shapely==2.*
    python3 assets/geo/prepare_national.py [--names GEMEENTEN.csv]

Reads (all in assets/geo/):
  wijk_2024_nl.geojson                                  CBS/Kadaster wijken 2024, generalised (CC BY 4.0)
  provincie_utrecht_gemeenten_2024_dissolved.geojson    official 2024 names of the 26 Utrecht gemeenten
  pc4_nl.csv                                            PC4 centroids with (pre-2015) gemeente names (MIT)
Writes:
  gemeenten_2024_nl.geojson   every gemeente: the union of its wijken (the gemeente code is in the
                              wijk code: WK085501 -> GM0855), simplified within the layer's own
                              ~100 m generalisation; properties gemeentecode, gemeentenaam,
                              n_wijken, naambron

Gemeente names. No open list of the 2024 gemeenten with their GM codes could be installed from a
package registry, so the names come from, in this order:
  1. --names FILE: a CSV with columns `gemeentecode` (GM0855 or 0855) and `gemeentenaam`, e.g.
     CBS's "Gemeenten alfabetisch 2024" (CC BY 4.0) saved as CSV. Then naambron = "lijst".
  2. the 26 gemeenten of the province of Utrecht: their official 2024 names from the provincial
     file. naambron = "cbs-2024".
  3. otherwise: the gemeente name that most PC4 centroids (not PO-box-only postcodes) inside the
     gemeente's outline carry in pc4_nl.csv. That table predates the mergers of 2015 onwards, so
     for a merged gemeente this is the name of one of its former parts. naambron = "pc4" when
     all its postcodes agree, "pc4-fusie" when they name several former gemeenten (the name is
     then probably outdated: replace it with option 1).

Deterministic: the same inputs give byte-identical output.
"""

import argparse
import collections
import csv
import json
import os

from shapely.geometry import Point, mapping, shape
from shapely.ops import unary_union
from shapely.strtree import STRtree

HERE = os.path.dirname(os.path.abspath(__file__))
# The wijk layer's coordinates are rounded to 0.001 degree (about 70 x 110 m); simplifying the
# dissolved outline by half of that removes the vertices the union leaves inside straight runs
# without moving any edge further than the source's own rounding.
SIMPLIFY_DEGREES = 0.0005
DECIMALS = 3


def rounded(geometry):
    def walk(c):
        if isinstance(c[0], (int, float)):
            return [round(c[0], DECIMALS), round(c[1], DECIMALS)]
        return [walk(x) for x in c]

    g = mapping(geometry)
    return {"type": g["type"], "coordinates": walk(g["coordinates"])}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--names", help="CSV with gemeentecode,gemeentenaam (overrides the rest)")
    args = parser.parse_args()

    with open(os.path.join(HERE, "wijk_2024_nl.geojson"), encoding="utf-8") as f:
        wijken = json.load(f)["features"]
    per_gemeente = collections.defaultdict(list)
    for w in wijken:
        code = w["properties"]["statcode"]
        assert code.startswith("WK") and len(code) == 8, code
        per_gemeente["GM" + code[2:6]].append(shape(w["geometry"]).buffer(0))

    names = {}
    if args.names:
        with open(args.names, encoding="utf-8-sig") as f:
            for row in csv.DictReader(f):
                code = row["gemeentecode"].strip().upper()
                code = code if code.startswith("GM") else "GM" + code.zfill(4)
                names[code] = (row["gemeentenaam"].strip(), "lijst")
    with open(
        os.path.join(HERE, "provincie_utrecht_gemeenten_2024_dissolved.geojson"), encoding="utf-8"
    ) as f:
        for g in json.load(f)["features"]:
            p = g["properties"]
            names.setdefault(p["gemeentecode"], (p["gemeentenaam"], "cbs-2024"))

    outlines = {}
    for code in sorted(per_gemeente):
        merged = unary_union(per_gemeente[code])
        outlines[code] = merged.simplify(SIMPLIFY_DEGREES, preserve_topology=True)

    codes = sorted(outlines)
    tree = STRtree([outlines[c] for c in codes])
    votes = collections.defaultdict(collections.Counter)
    all_points = []
    with open(os.path.join(HERE, "pc4_nl.csv"), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            point = Point(float(row["longitude"]), float(row["latitude"]))
            all_points.append((point, row["gemeente"], row["provincie"]))
            if row["soort"] == "Postbus":
                continue  # PO-box-only postcodes share one point per town, often elsewhere
            for i in tree.query(point, predicate="intersects"):
                votes[codes[i]][row["gemeente"]] += 1
                break

    # A former gemeente's name belongs to the current gemeente holding most of its postcodes, so
    # a centroid that the generalised outlines put across a border cannot lend its name to the
    # neighbour, and a gemeente holding the majority of several names is a merger.
    owner = {}
    for name in sorted({n for c in votes.values() for n in c}):
        owner[name] = max(codes, key=lambda c: (votes[c][name], c < "GM"))  # first code on ties
    owned = collections.defaultdict(list)
    for name, code in owner.items():
        owned[code].append(name)

    features = []
    for code in codes:
        if code in names:
            name, source = names[code]
        elif owned[code]:
            # Most postcodes first; ties go to the alphabetically first name (stable output).
            name = sorted(owned[code], key=lambda n: (-votes[code][n], n))[0]
            source = "pc4" if len(owned[code]) == 1 else "pc4-fusie"
        else:
            # No address postcode of its own (a tiny gemeente): the nearest centroid whose
            # name no other gemeente holds.
            centre = outlines[code].representative_point()
            free = [p for p in all_points if p[1] not in owner or owner[p[1]] == code]
            name = min(free or all_points, key=lambda p: p[0].distance(centre))[1]
            source = "pc4-dichtstbij"
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "gemeentecode": code,
                    "gemeentenaam": name,
                    "n_wijken": len(per_gemeente[code]),
                    "naambron": source,
                },
                "geometry": rounded(outlines[code]),
            }
        )

    # Two gemeenten of one name (Bergen in Limburg and in Noord-Holland) are told apart by
    # their province, as CBS does.
    by_name = collections.Counter(f["properties"]["gemeentenaam"] for f in features)
    for f in features:
        p = f["properties"]
        if by_name[p["gemeentenaam"]] > 1:
            centre = outlines[p["gemeentecode"]].representative_point()
            province = min(all_points, key=lambda q: q[0].distance(centre))[2]
            p["gemeentenaam"] = f"{p['gemeentenaam']} ({province})"

    out = os.path.join(HERE, "gemeenten_2024_nl.geojson")
    with open(out, "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        f.write(",\n".join(json.dumps(x, ensure_ascii=False, separators=(",", ":")) for x in features))
        f.write("\n]}\n")
    sources = collections.Counter(x["properties"]["naambron"] for x in features)
    print(f"{len(features)} gemeenten written to {out}; name sources: {dict(sources)}")
    for x in features:
        if x["properties"]["naambron"] in ("pc4-fusie", "pc4-dichtstbij"):
            p = x["properties"]
            print(f"  check name: {p['gemeentecode']} {p['gemeentenaam']} ({p['naambron']})")


if __name__ == "__main__":
    main()
