#!/usr/bin/env python3
"""Writes a large generated HSDS 3.0 feed as ndjson, for the import benchmark (BENCHMARKS.md,
"Import (issue 11)"): one service per line, with its organisation and locations nested, as a
feed from another system would send it.

    python3 scripts/make-import-feed.py 100000 /tmp/feed-100k.ndjson

Deterministic (fixed seed, UUIDv5 ids). About 1.8 kB per service, so 100,000 services are about
180 MB. Every organisation, name, address and phone number is made up; the points are random
within the province of Utrecht. Standard library only.
"""

import json
import random
import sys
import uuid

NS = uuid.uuid5(uuid.NAMESPACE_URL, "https://generated-feed.example/")
SERVICES_PER_ORGANIZATION = 50
LOCATIONS_PER_ORGANIZATION = 5

WORDS = (
    "ontmoeting buurthuis koffie eenzaamheid maatje wandelen bewegen taalcafé taal computer "
    "mantelzorger respijt schulden geld formulieren opvoeden jongeren ouderen dementie "
    "vrijwilligers huiskamer inloop gesprek samen koken eten muziek creatief tuin moestuin "
    "bibliotheek spreekuur advies hulp thuis bezoek vervoer boodschappen sport yoga"
).split()
TERMS = [
    ("GF-01", "Ontmoeting & meedoen"),
    ("GF-02", "Eenzaamheid en sociaal netwerk"),
    ("GF-03", "Schuldhulpverlening"),
    ("GF-04", "Taal en digitale vaardigheden"),
    ("GF-05", "Mantelzorgondersteuning"),
    ("GF-06", "Bewegen & leefstijl"),
    ("GF-07", "Jeugd & gezin"),
    ("GF-08", "Diversen"),
]
TAXONOMY = {
    "id": str(uuid.uuid5(NS, "taxonomy")),
    "name": "Gegenereerde sociale kaart",
    "description": "Rubrieken van de gegenereerde benchmarkfeed",
}
LANGUAGES = [("nl", "Nederlands"), ("en", "Engels"), ("ar", "Arabisch"), ("tr", "Turks")]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def uid(*parts):
    return str(uuid.uuid5(NS, ":".join(str(p) for p in parts)))


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def main():
    count = int(sys.argv[1])
    out = sys.argv[2]
    rng = random.Random(42)
    with open(out, "w", encoding="utf-8") as f:
        for i in range(count):
            org = i // SERVICES_PER_ORGANIZATION
            loc = rng.randrange(LOCATIONS_PER_ORGANIZATION)
            # The same location is described the same way each time it appears.
            place = random.Random(org * LOCATIONS_PER_ORGANIZATION + loc)
            lat = round(place.uniform(51.98, 52.25), 6)
            lon = round(place.uniform(4.85, 5.50), 6)
            sid = uid("service", i)
            code, name = TERMS[i % len(TERMS)]
            service = {
                "id": sid,
                "name": f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {i}",
                "description": " ".join(sentence(rng, 12) for _ in range(3)),
                "status": "active",
                "email": f"service{i}@generated-feed.example",
                "organization": {
                    "id": uid("organization", org),
                    "name": f"Gegenereerde organisatie {org}",
                    "description": sentence(random.Random(org), 15),
                    "website": f"https://org{org}.generated-feed.example",
                },
                "phones": [{"id": uid("phone", i), "number": f"030 {rng.randrange(1000000, 9999999)}"}],
                "schedules": [{
                    "id": uid("schedule", i),
                    "freq": "WEEKLY",
                    "byday": rng.choice(DAYS),
                    "opens_at": f"{rng.randrange(8, 19):02d}:00:00",
                    "closes_at": f"{rng.randrange(19, 22):02d}:00:00",
                }],
                "languages": [
                    {"id": uid("language", i, c), "code": c, "name": n}
                    for c, n in rng.sample(LANGUAGES, rng.randrange(1, 3))
                ],
                "attributes": [{
                    "id": uid("attribute", i),
                    "link_id": sid,
                    "link_type": "rubriek",
                    "link_entity": "service",
                    "taxonomy_term": {
                        "id": uid("term", code),
                        "code": code,
                        "name": name,
                        "description": name,
                        "taxonomy_detail": TAXONOMY,
                    },
                }],
                "service_at_locations": [{
                    "id": uid("sal", i),
                    "location": {
                        "id": uid("location", org, loc),
                        "location_type": "physical",
                        "name": f"Locatie {org}-{loc}",
                        "latitude": lat,
                        "longitude": lon,
                        "addresses": [{
                            "id": uid("address", org, loc),
                            "address_1": f"Verzonnenstraat {loc + 1}",
                            "city": "Utrecht",
                            "state_province": "Utrecht",
                            "postal_code": "3500 ZZ",
                            "country": "NL",
                            "address_type": "physical",
                        }],
                    },
                }],
            }
            if i % 10 == 0:
                service["service_areas"] = [{"id": uid("area", i), "name": "Overvecht (WK034403)"}]
            f.write(json.dumps(service, ensure_ascii=False, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
