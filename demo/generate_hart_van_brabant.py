#!/usr/bin/env python3
"""Generate Wijkwijzer's fictitious demo dataset for Hart van Brabant.

Run from the repository root:  python3 demo/generate_hart_van_brabant.py
Writes demo/hart-van-brabant-demo.json. Standard library only, deterministic (fixed seed,
UUIDv5 ids): running it again gives the same file, byte for byte.

The region is the six gemeenten of the Hart van Brabant agreement: Tilburg (GM0855), Dongen
(GM0766), Goirle (GM0785), Hilvarenbeek (GM0798), Loon op Zand (GM0809) and Oisterwijk (GM0824).

Everything in the output is made up (organisations, people, phone numbers, e-mail addresses,
street names) except the geography: the CBS wijk polygons (CBS/Kadaster, CC BY 4.0) and the PC4
postcode centroids (MIT) shipped in assets/geo/.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import random
import re
import sys
import unicodedata
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GEO = ROOT / "assets" / "geo"
OUT = ROOT / "demo" / "hart-van-brabant-demo.json"
SEED = 20261202
TODAY = dt.date(2026, 11, 23)
# Same namespace as the Rust code and demo/generate.py; a key prefix of its own.
NS = uuid.uuid5(uuid.NAMESPACE_URL, "https://wijkwijzer.example/")
GEMEENTEN = {
    "GM0855": "Tilburg",
    "GM0766": "Dongen",
    "GM0785": "Goirle",
    "GM0798": "Hilvarenbeek",
    "GM0809": "Loon op Zand",
    "GM0824": "Oisterwijk",
}
REGION = list(GEMEENTEN)

rng = random.Random(SEED)


def uid(kind: str, key: str) -> str:
    return str(uuid.uuid5(NS, f"wijkwijzer:demo-hvb:{kind}:{key}"))


def slugify(s: str) -> str:
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    s = s.lower().replace("&", "en").replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


# ------------------------------------------------------------------------------------------
# Geometry: even-odd point-in-polygon over all rings (handles holes and multipolygons)
# ------------------------------------------------------------------------------------------

def polygons_of(geom: dict) -> list:
    return [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]


def ring_contains(ring, x, y) -> bool:
    inside, j = False, len(ring) - 1
    for i in range(len(ring)):
        (xi, yi), (xj, yj) = ring[i][:2], ring[j][:2]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


class Shape:
    def __init__(self, code: str, name: str, geom: dict):
        self.code, self.name = code, name
        self.polys = polygons_of(geom)
        xs = [p[0] for poly in self.polys for p in poly[0]]
        ys = [p[1] for poly in self.polys for p in poly[0]]
        self.bbox = (min(xs), min(ys), max(xs), max(ys))

    def contains(self, x: float, y: float) -> bool:
        x0, y0, x1, y1 = self.bbox
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            return False
        return any(sum(ring_contains(r, x, y) for r in poly) % 2 == 1 for poly in self.polys)


def load_wijken() -> dict[str, Shape]:
    with open(GEO / "wijk_2024_nl.geojson", encoding="utf-8") as f:
        features = json.load(f)["features"]
    out = {}
    for feat in features:
        code = feat["properties"]["statcode"]
        if "GM" + code[2:6] in GEMEENTEN:
            out[code] = Shape(code, feat["properties"]["name"], feat["geometry"])
    return out


WIJKEN = load_wijken()
# Neighbours of the region too, so a point near the edge is never in two wijken.
with open(GEO / "wijk_2024_nl.geojson", encoding="utf-8") as f:
    ALL_WIJKEN = [Shape(x["properties"]["statcode"], x["properties"]["name"], x["geometry"])
                  for x in json.load(f)["features"]]
NEARBY = [w for w in ALL_WIJKEN if 4.8 < w.bbox[0] < 5.4 and 51.4 < w.bbox[1] < 51.8]

# Address PC4 centroids (no PO boxes), with the wijk each lies in.
PC4S = []
with open(GEO / "pc4_nl.csv", encoding="utf-8") as f:
    for row in csv.DictReader(f):
        if row["soort"] == "Postbus":
            continue  # PO-box-only postcodes share one point per town
        x, y = float(row["longitude"]), float(row["latitude"])
        wijk = next((w.code for w in NEARBY if w.contains(x, y)), None)
        if wijk and "GM" + wijk[2:6] in GEMEENTEN:
            PC4S.append((row["postcode"], row["woonplaats"], x, y, wijk))


def wijk_at(x: float, y: float) -> list[str]:
    return [w.code for w in NEARBY if w.contains(x, y)]


def point_in(wijk_code: str) -> tuple[float, float]:
    """A random point well inside the wijk: it and four points 40 m around it all lie in this
    wijk and in no other, so the Rust placement cannot disagree near a boundary."""
    w = WIJKEN[wijk_code]
    x0, y0, x1, y1 = w.bbox
    for _ in range(20000):
        x, y = round(rng.uniform(x0, x1), 6), round(rng.uniform(y0, y1), 6)
        probes = [(x, y), (x + 0.0006, y), (x - 0.0006, y), (x, y + 0.0004), (x, y - 0.0004)]
        if all(wijk_at(px, py) == [wijk_code] for px, py in probes):
            return y, x
    raise SystemExit(f"no point found in {wijk_code}")


def postcode_near(lat: float, lon: float, wijk_code: str, town: str | None) -> tuple[str, str]:
    """The nearest address PC4 of `town` (a village whose PC4 centroid may lie in the next
    wijk), else in the same wijk, else in the same gemeente; plus two letters."""
    gemeente = wijk_code[2:6]
    same_town = [p for p in PC4S if p[1] == town and p[4][2:6] == gemeente]
    same_wijk = [p for p in PC4S if p[4] == wijk_code]
    pool = same_town or same_wijk or [p for p in PC4S if p[4][2:6] == gemeente]
    pc, town, *_ = min(pool, key=lambda p: (p[2] - lon) ** 2 + (p[3] - lat) ** 2)
    letters = "".join(rng.choice("ABCEGHJKLMNPRTVWXZ") for _ in range(2))
    return f"{pc} {letters}", town


# ------------------------------------------------------------------------------------------
# Organisations (all fictitious)
# ------------------------------------------------------------------------------------------

ORGS = {}
PHONES = Counter()


def phone(area: str) -> str:
    """An invented number in the style of the area code: 013 - 700 xx xx or 0162 - 70 xx xx."""
    PHONES[area] += 1
    n = PHONES[area]
    middle = "700" if len(area) == 3 else "70"
    return f"{area} - {middle} {n // 100:02d} {n % 100:02d}"


def org(key, name, kind, description, area="013"):
    slug = slugify(name)
    ORGS[key] = {
        "id": uid("organization", key),
        "name": name,
        "description": description,
        "email": f"info@{slug}.example",
        "website": f"https://{slug}.example",
        "provider_type": kind,
        "phone": phone(area),
    }
    return ORGS[key]


org("wijkteams-tilburg", "Stichting Wijkteams Kruikenstad", "welzijn",
    "Fictieve stichting die de buurtteams en de centrale toegang in Tilburg uitvoert.")
org("buurtwerk-tilburg", "Buurtwerk Kruikenstad", "welzijn",
    "Fictieve welzijnsorganisatie voor ontmoeting, buurthuizen en jongerenwerk in Tilburg.")
org("wor-hvb", "Welzijn op Recept Hart van Brabant", "welzijn",
    "Fictief samenwerkingsverband van welzijnscoaches in de zes gemeenten van Hart van Brabant.")
org("vrijwilligers-tilburg", "Vrijwilligerscentrale De Schakel", "vrijwilligersorganisatie",
    "Fictieve vrijwilligerscentrale: maatjes, vrijwilligerswerk en burenhulp.")
org("geldmaatjes", "Geldmaatjes Kruikenstad", "vrijwilligersorganisatie",
    "Fictieve vrijwilligers die helpen met geldzaken, post en formulieren.")
org("mantelzorg-hvb", "Mantelzorgpunt Hart van Brabant", "welzijn",
    "Fictief steunpunt voor mantelzorgers in de regio.")
org("taalhuis", "Leeshuis Midden-Brabant", "bibliotheek",
    "Fictief taalhuis en digitaal informatiepunt in de bibliotheekvestigingen van de regio.")
org("herstelhuis", "Herstelhuis De Kruik", "ggz",
    "Fictief herstelcentrum voor en door mensen met psychische klachten.")
org("gezondheidscentrum", "Gezondheidscentrum De Reitse Hoeve", "eerstelijn",
    "Fictief gezondheidscentrum met huisartsen, fysiotherapie en leefstijlcoaching.")
org("jeugd-tilburg", "Jong Kruikenstad", "welzijn",
    "Fictief jongerenwerk en opvoedondersteuning in Tilburg.")
org("selam", "Stichting Selam Tilburg", "zelforganisatie",
    "Fictieve zelforganisatie van en voor nieuwkomers uit Eritrea en Ethiopië.")
org("yildiz", "Vrouwencentrum Yıldız", "zelforganisatie",
    "Fictief vrouwencentrum voor ontmoeting, taal en voorlichting.")
org("repair-noordhoek", "Bewonersgroep Noordhoek Doet", "inwonersinitiatief",
    "Fictief bewonersinitiatief met een repair café en een buurtmoestuin.")
org("veilig-thuis", "Advies- en meldpunt Thuis Veilig Brabant", "zorgaanbieder",
    "Fictief regionaal advies- en meldpunt voor huiselijk geweld en kindermishandeling.")
org("opvang", "Stichting Dak Kruikenstad", "zorgaanbieder",
    "Fictieve stichting voor nachtopvang en woonbegeleiding.")
org("loket-dongen", "Sociaal Loket Dongen", "gemeente",
    "Fictief loket van de gemeente voor zorg, welzijn, werk en inkomen.", "0162")
org("welzijn-dongen", "Welzijn Dongen Samen", "welzijn",
    "Fictieve welzijnsorganisatie in Dongen en 's Gravenmoer.", "0162")
org("loket-goirle", "Sociaal Team Goirle", "gemeente",
    "Fictief sociaal team van de gemeente voor Goirle en Riel.")
org("welzijn-goirle", "Stichting Goirle Doet Mee", "welzijn",
    "Fictieve welzijnsorganisatie in Goirle en Riel.")
org("loket-hilvarenbeek", "Sociaal Team Hilvarenbeek", "gemeente",
    "Fictief sociaal team van de gemeente Hilvarenbeek en haar kerkdorpen.")
org("welzijn-hilvarenbeek", "Welzijn Beekse Dorpen", "welzijn",
    "Fictieve welzijnsorganisatie in de dorpen van Hilvarenbeek.")
org("loket-loonopzand", "Toegang Sociaal Domein Loon op Zand", "gemeente",
    "Fictieve toegang van de gemeente voor Kaatsheuvel, Loon op Zand en De Moer.", "0416")
org("welzijn-loonopzand", "Loon op Zand Verbindt", "welzijn",
    "Fictieve welzijnsorganisatie in Kaatsheuvel, Loon op Zand en De Moer.", "0416")
org("loket-oisterwijk", "Sociaal Wijkteam Oisterwijk", "gemeente",
    "Fictief sociaal wijkteam voor Oisterwijk, Moergestel en Haaren.")
org("welzijn-oisterwijk", "Samen Oisterwijk", "welzijn",
    "Fictieve welzijnsorganisatie in Oisterwijk, Moergestel en Haaren.")

# ------------------------------------------------------------------------------------------
# Locations: real points inside real wijken, invented streets
# ------------------------------------------------------------------------------------------

STREETS = ["Kruikenpad", "Wolspinnerstraat", "Weverslaan", "Textielplein", "Ververshof",
           "Kaardepad", "Lakenstraat", "Spoelhof", "Garenstraat", "Breiplein", "Vilthof",
           "Naaldweg", "Schering en Inslag", "Molenpad", "Heidezoom", "Vennenlaan", "Eikenhof",
           "Beukendreef", "Zandpad", "Brinkstraat"]
LOCATIONS = {}
LOCATION_WIJK = {}


def location(key, org_key, name, wijk, description=None, transport=None, wheelchair=True,
             town=None):
    lat, lon = point_in(wijk)
    postal, town = postcode_near(lat, lon, wijk, town)
    assert town is not None
    street = STREETS[len(LOCATIONS) % len(STREETS)]
    loc = {
        "id": uid("location", key),
        "organization_id": ORGS[org_key]["id"],
        "name": name,
        "latitude": lat,
        "longitude": lon,
        "address": {"address_1": f"{street} {rng.randint(1, 120)}", "postal_code": postal, "city": town},
        "wheelchair_accessible": wheelchair,
    }
    if description:
        loc["description"] = description
    if transport:
        loc["transportation"] = transport
    LOCATIONS[key] = loc
    LOCATION_WIJK[key] = wijk
    return key


# Tilburg
location("bt-noord", "wijkteams-tilburg", "Buurtteamkantoor Tilburg-Noord", "WK085543",
         transport="Bus 4, halte Heikant (3 minuten lopen)")
location("bt-centrum", "wijkteams-tilburg", "Buurtteamkantoor Centrum", "WK085510",
         transport="5 minuten lopen van station Tilburg")
location("bt-west", "wijkteams-tilburg", "Buurtteamkantoor Reeshof", "WK085552",
         transport="Station Tilburg Reeshof, 10 minuten lopen")
location("centrale-toegang", "wijkteams-tilburg", "Centrale Toegang Sociaal Tilburg", "WK085510",
         description="Balie op de begane grond, naast de lift.")
location("buurthuis-goirke", "buurtwerk-tilburg", "Buurthuis Het Goirke", "WK085524",
         transport="Bus 2, halte Goirkestraat")
location("buurthuis-reit", "buurtwerk-tilburg", "Wijkcentrum De Reit", "WK085537")
location("buurthuis-stokhasselt", "buurtwerk-tilburg", "Ontmoetingscentrum Stokhasselt", "WK085542")
location("buurthuis-groenewoud", "buurtwerk-tilburg", "Buurtkamer Groenewoud", "WK085532")
location("buurthuis-korvel", "buurtwerk-tilburg", "Wijkcentrum Korvel", "WK085517")
location("noordhoek", "repair-noordhoek", "Buurtschuur Noordhoek", "WK085520",
         description="Achter de speeltuin, ingang via het hek.", wheelchair=False)
location("bieb-centrum", "taalhuis", "Leeshuis Centrum", "WK085510",
         transport="Naast het stadhuis, 7 minuten lopen van het station")
location("bieb-reeshof", "taalhuis", "Leeshuis Reeshof", "WK085557")
location("herstelhuis", "herstelhuis", "Herstelhuis De Kruik", "WK085527")
location("gezondheidscentrum", "gezondheidscentrum", "Gezondheidscentrum De Reitse Hoeve", "WK085537")
location("jongerencentrum", "jeugd-tilburg", "Jongerencentrum De Loods", "WK085544")
location("selam", "selam", "Ontmoetingsruimte Selam", "WK085524")
location("yildiz", "yildiz", "Vrouwencentrum Yıldız", "WK085543")
location("dak", "opvang", "Nachtopvang Het Dak", "WK085521")
location("berkel-enschot", "buurtwerk-tilburg", "Dorpshuis Berkel-Enschot", "WK085566", town="Berkel-Enschot")
location("udenhout", "buurtwerk-tilburg", "Dorpshuis Udenhout", "WK085567", town="Udenhout")
# Dongen
location("dongen-loket", "loket-dongen", "Gemeentehuis Dongen, Sociaal Loket", "WK076601")
location("dongen-huis", "welzijn-dongen", "Ontmoetingshuis De Dongenaar", "WK076601")
location("gravenmoer", "welzijn-dongen", "Dorpshuis 's Gravenmoer", "WK076602", town="'s-Gravenmoer")
# Goirle
location("goirle-team", "loket-goirle", "Sociaal Team Goirle", "WK078501")
location("goirle-huis", "welzijn-goirle", "Ontmoetingscentrum De Wildackers", "WK078506")
location("riel", "welzijn-goirle", "Dorpshuis Riel", "WK078520", town="Riel")
# Hilvarenbeek
location("hilvarenbeek-team", "loket-hilvarenbeek", "Sociaal Team Hilvarenbeek", "WK079800")
location("hilvarenbeek-huis", "welzijn-hilvarenbeek", "Het Beekse Huis", "WK079800")
location("diessen", "welzijn-hilvarenbeek", "Dorpshuis Diessen", "WK079803", town="Diessen")
# Loon op Zand
location("kaatsheuvel-loket", "loket-loonopzand", "Toegang Sociaal Domein Kaatsheuvel", "WK080910")
location("kaatsheuvel-huis", "welzijn-loonopzand", "Wijkcentrum De Vaart", "WK080920", town="Kaatsheuvel")
location("loonopzand-huis", "welzijn-loonopzand", "Dorpshuis Loon op Zand", "WK080930", town="Loon op Zand")
# Oisterwijk
location("oisterwijk-team", "loket-oisterwijk", "Sociaal Wijkteam Oisterwijk", "WK082413")
location("oisterwijk-huis", "welzijn-oisterwijk", "Ontmoetingscentrum De Vennen", "WK082413")
location("moergestel", "welzijn-oisterwijk", "Dorpshuis Moergestel", "WK082407", town="Moergestel")
location("haaren", "welzijn-oisterwijk", "Dorpshuis Haaren", "WK082416", town="Haaren")

# ------------------------------------------------------------------------------------------
# Services
# ------------------------------------------------------------------------------------------

SERVICES = []
CONTACT_NAMES = ["Sanne", "Mehmet", "Ilse", "Yonas", "Fleur", "Kees", "Noor", "Bram", "Aïcha",
                 "Joost", "Lieke", "Ruud"]


def weekly(days, opens, closes, description):
    return {"freq": "WEEKLY", "byday": days, "opens_at": opens, "closes_at": closes,
            "description": description}


def monthly(days, opens, closes, description):
    return {"freq": "MONTHLY", "byday": days, "opens_at": opens, "closes_at": closes,
            "description": description}


def by_appointment(text="Op afspraak"):
    return {"description": text}


FREE = {"kind": "free", "amount": None, "description": None}


def contribution(amount, text):
    return {"kind": "contribution", "amount": amount, "description": text}


def service(key, org_key, name, description, categories, target_groups, *, locations=(),
            areas=(), access="open", wor=False, formality="formal", initiative="professioneel",
            setting="in_person", group="group", waiting=None, min_age=None, max_age=None,
            cost=FREE, languages=("nl",), schedules=(), phone_number=None, contact=None,
            eligibility=None):
    o = ORGS[org_key]
    s = {
        "id": uid("service", key),
        "organization_id": o["id"],
        "name": name,
        "alternate_name": None,
        "description": description,
        "url": f"{o['website']}/aanbod/{slugify(name)}",
        "email": None,
        "phone": phone_number,
        "categories": list(categories),
        "target_groups": list(target_groups),
        "access_route": access,
        "accepts_referrals": access != "open" or wor,
        "welzijn_op_recept": wor,
        "formality": formality,
        "initiative": initiative,
        "setting": setting,
        "group_format": group,
        "waiting_time": waiting,
        "minimum_age": min_age,
        "maximum_age": max_age,
        "cost": cost,
        "languages": list(languages),
        "assured_date": (TODAY - dt.timedelta(days=rng.randint(10, 540))).isoformat(),
        "location_ids": [LOCATIONS[k]["id"] for k in locations],
        "service_areas": [{"code": a} for a in areas],
        "schedules": list(schedules),
        "contacts": [],
    }
    if contact:
        first = CONTACT_NAMES[len(SERVICES) % len(CONTACT_NAMES)]
        s["contacts"].append({
            "name": f"{first} (fictief)",
            "title": contact,
            "email": f"{slugify(first)}@{o['email'].split('@')[1]}",
            "phone": f"06 - 0000 {len(SERVICES) + 9000:04d}",
        })
    if eligibility:
        s["eligibility"] = eligibility
    SERVICES.append(s)


# --- Toegang: a buurtteam or central intake with a phone number in every gemeente -----------
for key, wijk_name, loc, area in [
    ("bt-noord", "Noord", "bt-noord", "WK085543"),
    ("bt-centrum", "Centrum", "bt-centrum", "WK085510"),
    ("bt-west", "Reeshof", "bt-west", "WK085552"),
]:
    service(f"buurtteam-{key}", "wijkteams-tilburg", f"Buurtteam Tilburg {wijk_name}",
            f"Loopt het thuis even niet? Het buurtteam {wijk_name} denkt met u mee over zorg, geld, "
            "opvoeden of eenzaamheid. We komen ook bij u thuis als u dat prettiger vindt.",
            ["toegang/buurtteam"], ["iedereen"], locations=[loc], areas=[area], group="individual",
            waiting="1 tot 2 weken", phone_number=phone("013"),
            schedules=[weekly("TU,TH", "09:00", "12:00", "Inloopspreekuur dinsdag en donderdag"),
                       by_appointment("Huisbezoek op afspraak")])
service("centrale-toegang-tilburg", "wijkteams-tilburg", "Centrale Toegang Sociaal Tilburg",
        "Eén telefoonnummer voor al uw vragen over zorg, welzijn, geld en wonen in Tilburg. "
        "We luisteren, geven advies en zoeken met u de juiste hulp.",
        ["toegang", "toegang/wmo-loket"], ["iedereen"], locations=["centrale-toegang"],
        areas=["GM0855"], group="individual", phone_number="013 - 700 99 00",
        languages=("nl", "en", "ar", "tr"),
        schedules=[weekly("MO,TU,WE,TH,FR", "08:30", "17:00", "Telefonisch bereikbaar op werkdagen")])
for gm, org_key, loc, title, phone_number in [
    ("GM0766", "loket-dongen", "dongen-loket", "Sociaal Loket Dongen", "0162 - 70 99 00"),
    ("GM0785", "loket-goirle", "goirle-team", "Sociaal Team Goirle", "013 - 700 99 10"),
    ("GM0798", "loket-hilvarenbeek", "hilvarenbeek-team", "Sociaal Team Hilvarenbeek", "013 - 700 99 20"),
    ("GM0809", "loket-loonopzand", "kaatsheuvel-loket", "Toegang Sociaal Domein Loon op Zand", "0416 - 70 99 00"),
    ("GM0824", "loket-oisterwijk", "oisterwijk-team", "Sociaal Wijkteam Oisterwijk", "013 - 700 99 30"),
]:
    name = GEMEENTEN[gm]
    service(f"toegang-{gm}", org_key, title,
            f"Heeft u een vraag over zorg, hulp thuis, geld of opvoeden? Bel of loop binnen bij het "
            f"{title.split(' ' + name)[0].lower()} van {name}. We zoeken samen met u wat u nodig heeft.",
            ["toegang/buurtteam", "toegang/wmo-loket"], ["iedereen"], locations=[loc], areas=[gm],
            group="individual", waiting="binnen 2 weken", phone_number=phone_number,
            schedules=[weekly("MO,WE,FR", "09:00", "12:00", "Inloop maandag, woensdag en vrijdag"),
                       by_appointment()])
    service(f"clientondersteuning-{gm}", org_key, f"Cliëntondersteuning {name}",
            "Een onafhankelijke cliëntondersteuner helpt u bij een gesprek met de gemeente over "
            "zorg of hulp, en staat aan uw kant.",
            ["toegang/clientondersteuning"], ["iedereen"], areas=[gm], group="individual",
            schedules=[by_appointment()])

# --- Welzijn op Recept -------------------------------------------------------------------------
service("wor-intake-tilburg", "wor-hvb", "Intake Welzijn op Recept Tilburg",
        "Voelt u zich somber, gespannen of alleen? Uw huisarts of praktijkondersteuner kan u "
        "doorverwijzen naar de welzijnscoach. Samen zoeken we een activiteit die bij u past.",
        ["welzijn-op-recept/welzijnscoach"], ["volwassenen"], locations=["gezondheidscentrum"],
        areas=["GM0855"], access="huisarts", wor=True, group="individual",
        waiting="ongeveer 1 week", phone_number=phone("013"), contact="Welzijnscoach",
        schedules=[weekly("MO,WE", "09:00", "12:00", "Intakes op maandag- en woensdagochtend"),
                   by_appointment("Of op afspraak")])
service("wor-intake-regio", "wor-hvb", "Welzijnscoach Welzijn op Recept in de dorpen",
        "De welzijnscoach komt naar u toe in Dongen, Goirle, Hilvarenbeek, Loon op Zand of "
        "Oisterwijk. Na verwijzing door uw huisarts maken we samen een plan.",
        ["welzijn-op-recept/welzijnscoach"], ["volwassenen"],
        areas=["GM0766", "GM0785", "GM0798", "GM0809", "GM0824"], access="huisarts", wor=True,
        group="individual", phone_number=phone("013"), schedules=[by_appointment()])
service("beweegmakelaar", "wor-hvb", "Beweegmakelaar Hart van Brabant",
        "Wilt u meer bewegen maar weet u niet hoe? De beweegmakelaar zoekt met u een sport of "
        "wandelgroep in de buurt die bij u past.",
        ["welzijn-op-recept/beweegmakelaar", "bewegen"], ["volwassenen", "ouderen-65"],
        areas=REGION, wor=True, group="individual", schedules=[by_appointment()])

# --- Eenzaamheid and ontmoeting ------------------------------------------------------------
service("maatjes-tilburg", "vrijwilligers-tilburg", "Maatjesproject Tilburg",
        "Voelt u zich eenzaam of alleen? Een vrijwillig maatje komt eens per week bij u langs "
        "voor een praatje, een wandeling of een kop koffie.",
        ["eenzaamheid/maatjes"], ["iedereen"], areas=["GM0855"], formality="informal",
        initiative="vrijwilligers", group="individual", waiting="3 tot 6 weken",
        schedules=[by_appointment("Samen met uw maatje spreekt u een vast moment af")])
service("huisbezoek-75-tilburg", "vrijwilligers-tilburg", "Huisbezoek 75-plus Tilburg",
        "Bent u 75 jaar of ouder? Een vrijwilliger komt op bezoek om te horen hoe het met u gaat "
        "en wat u nodig heeft. Tegen eenzaamheid en voor een goed leven thuis.",
        ["eenzaamheid/huisbezoek-75", "ouder-worden"], ["ouderen-75"], areas=["GM0855"],
        formality="informal", initiative="vrijwilligers", group="individual", min_age=75,
        schedules=[by_appointment()])
for key, loc, name, day, label in [
    ("koffie-goirke", "buurthuis-goirke", "Koffieochtend Het Goirke", "TU", "dinsdag"),
    ("koffie-stokhasselt", "buurthuis-stokhasselt", "Samen aan tafel Stokhasselt", "WE", "woensdag"),
    ("koffie-groenewoud", "buurthuis-groenewoud", "Huiskamer Groenewoud", "TH", "donderdag"),
    ("koffie-korvel", "buurthuis-korvel", "Inloop Korvel", "FR", "vrijdag"),
]:
    service(key, "buurtwerk-tilburg", name,
            f"Even de deur uit en andere buurtbewoners ontmoeten? Elke {label} staat de koffie "
            "klaar. Kom gezellig langs, ook als u zich een beetje alleen voelt.",
            ["ontmoeting/huiskamer", "eenzaamheid"], ["iedereen"], locations=[loc],
            formality="informal", initiative="vrijwilligers",
            cost=contribution(0.5, "€ 0,50 per kopje"),
            schedules=[weekly(day, "10:00", "12:00", f"Elke {label}ochtend")])
service("buurthuis-reit", "buurtwerk-tilburg", "Buurthuis De Reit: open inloop",
        "Het buurthuis is open voor iedereen uit de wijk: voor een praatje, een spelletje of om "
        "mee te doen met een activiteit.", ["ontmoeting/buurthuis", "ontmoeting/inloop"],
        ["iedereen"], locations=["buurthuis-reit"], schedules=[
            weekly("MO,TU,WE,TH", "09:00", "17:00", "Open op maandag tot en met donderdag")])
service("repair-cafe-noordhoek", "repair-noordhoek", "Repair café Noordhoek",
        "Kapotte lamp, broek of fiets? Samen met handige buren repareert u het zelf. Gezellig en "
        "goed voor de buurt.", ["ontmoeting", "werk-dagbesteding/vrijwilligerswerk"], ["iedereen"],
        locations=["noordhoek"], formality="informal", initiative="bewonersinitiatief",
        cost=contribution(2.0, "Vrijwillige bijdrage van € 2,00"),
        schedules=[monthly("1SA", "10:00", "13:00", "Elke eerste zaterdag van de maand")])
service("dorpshuis-berkel", "buurtwerk-tilburg", "Eetgroep Berkel-Enschot",
        "Samen koken en samen eten met dorpsgenoten. Voor wie niet graag alleen eet.",
        ["ontmoeting", "eenzaamheid"], ["ouderen-65", "iedereen"], locations=["berkel-enschot"],
        formality="informal", initiative="vrijwilligers", cost=contribution(6.0, "€ 6,00 per maaltijd"),
        schedules=[weekly("TH", "17:30", "19:30", "Elke donderdag")])
service("dorpshuis-udenhout", "buurtwerk-tilburg", "Dagbesteding De Udenhoutse Kamer",
        "Een zinvolle dag met activiteiten voor ouderen die wat extra steun nodig hebben. Via het "
        "buurtteam of de Wmo.", ["ontmoeting/dagondersteuning"],
        ["ouderen-65", "mensen-met-dementie"], locations=["udenhout"], access="wmo",
        schedules=[weekly("MO,WE,FR", "10:00", "15:30", "Maandag, woensdag en vrijdag")])
service("burenhulp-tilburg", "vrijwilligers-tilburg", "Burenhulp Tilburg",
        "Hulp nodig bij een kleine klus, boodschappen of een ritje naar de dokter? Buren helpen "
        "buren, en u kunt zelf ook iets voor een ander doen.", ["eenzaamheid/burenhulp",
                                                                 "eenzaamheid/vervoer"],
        ["iedereen"], areas=["GM0855"], formality="informal", initiative="vrijwilligers",
        group="individual", phone_number=phone("013"), schedules=[by_appointment("Bel op werkdagen")])

# --- Mentale gezondheid --------------------------------------------------------------------
service("herstelacademie", "herstelhuis", "Herstelacademie De Kruik",
        "Cursussen en gespreksgroepen voor mensen met psychische klachten, gegeven door "
        "ervaringsdeskundigen. U leert van elkaar.", ["mentale-gezondheid/herstelacademie",
                                                     "mentale-gezondheid/ervaringsdeskundigen"],
        ["psychische-kwetsbaarheid"], locations=["herstelhuis"], initiative="ervaringsdeskundigen",
        schedules=[weekly("TU,TH", "13:30", "16:00", "Dinsdag- en donderdagmiddag")])
service("inloop-ggz", "herstelhuis", "Inloop GGZ Het Open Huis",
        "Een plek om even op adem te komen als het niet goed met u gaat. Zonder afspraak, "
        "zonder verwijzing.", ["mentale-gezondheid/inloop-ggz"], ["psychische-kwetsbaarheid"],
        locations=["herstelhuis"], formality="informal",
        schedules=[weekly("MO,WE,FR", "10:00", "16:00", "Maandag, woensdag en vrijdag")])
service("lotgenoten-online", "herstelhuis", "Online lotgenotengroep Somberheid",
        "Praat online met anderen die ook somber zijn. Eens per week, met een "
        "ervaringsdeskundige als gespreksleider.", ["mentale-gezondheid/lotgenotencontact",
                                                   "mentale-gezondheid/zelfhulp-online"],
        ["psychische-kwetsbaarheid"], areas=REGION, setting="online", initiative="lotgenoten",
        formality="informal", schedules=[weekly("WE", "19:30", "21:00", "Elke woensdagavond")])

# --- Mantelzorg, ouder worden ----------------------------------------------------------------
service("mantelzorg-tilburg", "mantelzorg-hvb", "Mantelzorgconsulent Tilburg",
        "Zorgt u voor een naaste? De mantelzorgconsulent luistert, geeft advies en helpt u om de "
        "zorg vol te houden, bijvoorbeeld met respijtzorg.", ["mantelzorg/mantelzorgondersteuning",
                                                             "mantelzorg/respijtzorg"],
        ["mantelzorgers"], areas=["GM0855"], group="individual", phone_number=phone("013"),
        schedules=[by_appointment()])
service("mantelzorg-gespreksgroep", "mantelzorg-hvb", "Gespreksgroep jonge mantelzorgers",
        "Voor jongeren tot 24 jaar die thuis zorgen voor een ouder, broer of zus. Even je verhaal "
        "kwijt bij anderen die het snappen.", ["mantelzorg/gespreksgroep"], ["mantelzorgers", "jongeren"],
        locations=["jongerencentrum"], max_age=24, formality="informal",
        schedules=[monthly("2WE", "16:00", "17:30", "Elke tweede woensdag van de maand")])
service("alzheimer-cafe", "mantelzorg-hvb", "Dementiecafé Tilburg",
        "Voor mensen met dementie, hun partners en mantelzorgers. Informatie over een thema en "
        "tijd voor vragen en een praatje.", ["ouder-worden/dementie", "mantelzorg"],
        ["mensen-met-dementie", "mantelzorgers"], locations=["buurthuis-reit"],
        schedules=[monthly("3TU", "19:00", "21:00", "Elke derde dinsdag van de maand")])
service("valpreventie", "gezondheidscentrum", "Cursus Vallen Verleden Tijd",
        "Leer in tien lessen hoe u veilig beweegt en minder snel valt. Door een fysiotherapeut.",
        ["bewegen/valpreventie"], ["ouderen-65"], locations=["gezondheidscentrum"], min_age=65,
        cost=contribution(25.0, "€ 25,00 voor de hele cursus"),
        schedules=[weekly("FR", "10:00", "11:30", "Elke vrijdagochtend, tien weken")])
service("gli", "gezondheidscentrum", "Leefstijlprogramma Samen Gezond",
        "Twee jaar begeleiding bij gezonder eten, meer bewegen en beter slapen. Vergoed uit de "
        "basisverzekering na verwijzing door de huisarts.", ["bewegen/gli"], ["volwassenen"],
        locations=["gezondheidscentrum"], access="huisarts",
        schedules=[weekly("TU", "18:30", "20:00", "Groepsbijeenkomst op dinsdagavond")])

# --- Geld, taal, digitaal ----------------------------------------------------------------------
service("geldzorgen-spreekuur", "geldmaatjes", "Spreekuur Geldzorgen Tilburg",
        "Komt u niet rond of stapelen de rekeningen zich op? Een vrijwilliger kijkt met u naar "
        "uw post en helpt u verder, ook met schulden.", ["geld/schuldhulp", "geld/vroegsignalering"],
        ["iedereen"], locations=["bieb-centrum"], formality="informal", initiative="vrijwilligers",
        group="individual", schedules=[weekly("MO", "13:00", "16:00", "Elke maandagmiddag")])
service("formulierenhulp-reeshof", "geldmaatjes", "Formulierenhulp Reeshof",
        "Hulp bij formulieren van de gemeente, de Belastingdienst of de zorgverzekering. Neem "
        "uw papieren mee.", ["geld/formulierenhulp"], ["iedereen", "laaggeletterden"],
        locations=["bieb-reeshof"], formality="informal", initiative="vrijwilligers",
        group="individual", languages=("nl", "ar", "ti"),
        schedules=[weekly("WE", "10:00", "12:00", "Elke woensdagochtend")])
service("taalcafe-centrum", "taalhuis", "Taalcafé Centrum",
        "Oefen Nederlands praten in een ontspannen sfeer. Voor iedereen die de taal wil leren, "
        "elk niveau is welkom.", ["taal-digitaal/taalcafe"], ["statushouders", "laaggeletterden"],
        locations=["bieb-centrum"], formality="informal", initiative="vrijwilligers",
        languages=("nl", "en", "ar"),
        schedules=[weekly("TH", "14:00", "16:00", "Elke donderdagmiddag")])
service("digi-spreekuur", "taalhuis", "Digi-spreekuur Leeshuis Reeshof",
        "Vragen over uw telefoon, DigiD of internetbankieren? Een vrijwilliger helpt u stap "
        "voor stap.", ["taal-digitaal/digi-spreekuur", "taal-digitaal/digiwijs"],
        ["ouderen-65", "iedereen"], locations=["bieb-reeshof"], group="individual",
        schedules=[weekly("TU", "10:00", "12:00", "Elke dinsdagochtend")])
service("vrouwencentrum-taal", "yildiz", "Taal en thee bij Yıldız",
        "Vrouwen oefenen samen Nederlands bij een kop thee. Er is kinderopvang tijdens de les.",
        ["taal-digitaal/taalcafe", "ontmoeting"], ["statushouders"], locations=["yildiz"],
        formality="informal", initiative="vrijwilligers", languages=("nl", "tr", "ar"),
        schedules=[weekly("WE", "09:30", "11:30", "Elke woensdagochtend")])
service("selam-ontmoeting", "selam", "Ontmoetingsmiddag Selam",
        "Voor nieuwkomers uit Eritrea en Ethiopië: samen koffie drinken, vragen stellen over "
        "brieven en het leven in Tilburg.", ["ontmoeting", "eenzaamheid"], ["statushouders"],
        locations=["selam"], formality="informal", initiative="vrijwilligers",
        languages=("nl", "ti", "en"), schedules=[weekly("SA", "14:00", "17:00", "Elke zaterdagmiddag")])

# --- Jeugd, werk, wonen, veiligheid --------------------------------------------------------------
service("jongerenwerk", "jeugd-tilburg", "Jongerenwerk Quirijnstok",
        "Voor jongeren van 12 tot 23 jaar: chillen, sporten, praten over wat je bezighoudt. "
        "De jongerenwerker helpt je ook met school of werk.", ["jeugd-gezin/jongerenwerk"],
        ["jongeren"], locations=["jongerencentrum"], min_age=12, max_age=23,
        schedules=[weekly("TU,TH,FR", "15:00", "21:00", "Dinsdag, donderdag en vrijdag")])
service("opvoedsteun", "jeugd-tilburg", "Opvoedspreekuur Tilburg",
        "Vragen over opvoeden, ruzie thuis of de puberteit? Een pedagoog denkt met u mee.",
        ["jeugd-gezin/opvoedondersteuning"], ["ouders"], areas=["GM0855"], group="individual",
        schedules=[by_appointment()])
service("kansrijke-start", "gezondheidscentrum", "Kansrijke Start Tilburg",
        "Steun voor aanstaande ouders die het zwaar hebben, tijdens de zwangerschap en het "
        "eerste jaar.", ["jeugd-gezin/kansrijke-start"], ["ouders"], areas=["GM0855"],
        access="buurtteam", group="individual", schedules=[by_appointment()])
service("vrijwilligersvacaturebank", "vrijwilligers-tilburg", "Vrijwilligerswerk zoeken in Tilburg",
        "Wilt u iets betekenen voor een ander? We helpen u vrijwilligerswerk te vinden dat bij "
        "u past.", ["werk-dagbesteding/vrijwilligerswerk"], ["iedereen"], areas=["GM0855"],
        group="individual", schedules=[weekly("TU", "10:00", "12:00", "Inloop op dinsdagochtend")])
service("werkplaats", "buurtwerk-tilburg", "Werkplaats De Draad",
        "Een zinvolle dagbesteding in een houtwerkplaats voor mensen die (nog) niet kunnen "
        "werken. Via het buurtteam.", ["werk-dagbesteding/arbeidsmatige-activering"],
        ["volwassenen", "lvb"], locations=["buurthuis-stokhasselt"], access="buurtteam",
        schedules=[weekly("MO,TU,WE,TH", "09:00", "15:00", "Maandag tot en met donderdag")])
service("nachtopvang", "opvang", "Nachtopvang Het Dak",
        "Een bed, een douche en een warme maaltijd voor mensen zonder dak boven hun hoofd.",
        ["wonen-opvang/opvang"], ["volwassenen"], locations=["dak"], group="individual",
        phone_number=phone("013"), schedules=[weekly("MO,TU,WE,TH,FR,SA,SU", "21:00", "23:59",
                                                     "Elke avond open vanaf 21.00 uur")])
service("woonbegeleiding", "opvang", "Woonbegeleiding Kruikenstad",
        "Begeleiding thuis bij het huishouden, geld en de dag indelen. Na een indicatie van de "
        "gemeente.", ["wonen-opvang/woonbegeleiding"], ["psychische-kwetsbaarheid", "lvb"],
        areas=REGION, access="wmo", group="individual", schedules=[by_appointment()])
service("veilig-thuis", "veilig-thuis", "Advies- en meldpunt huiselijk geweld",
        "Maakt u zich zorgen over geweld in een gezin, of gebeurt het bij u thuis? Bel voor "
        "advies, ook anoniem. Dag en nacht bereikbaar.", ["veiligheid/veilig-thuis",
                                                          "veiligheid/huiselijk-geweld"],
        ["iedereen"], areas=REGION, setting="hybrid", group="individual",
        phone_number="0800 - 000 0000", languages=("nl", "en"),
        schedules=[{"description": "Dag en nacht bereikbaar"}])

# --- The five other gemeenten: everyday offerings in their own villages -------------------------
VILLAGE_OFFERINGS = [
    # (gemeente, welzijn org, [(location, kind)])
    ("GM0766", "welzijn-dongen", [("dongen-huis", "koffie"), ("dongen-huis", "mantelzorg"),
                                  ("gravenmoer", "wandelen"), ("dongen-huis", "formulieren"),
                                  ("dongen-huis", "taal"), ("gravenmoer", "maatje")]),
    ("GM0785", "welzijn-goirle", [("goirle-huis", "koffie"), ("riel", "wandelen"),
                                  ("goirle-huis", "mantelzorg"), ("goirle-huis", "digi"),
                                  ("riel", "maatje")]),
    ("GM0798", "welzijn-hilvarenbeek", [("hilvarenbeek-huis", "koffie"), ("diessen", "wandelen"),
                                        ("hilvarenbeek-huis", "mantelzorg"),
                                        ("diessen", "maatje"), ("hilvarenbeek-huis", "formulieren")]),
    ("GM0809", "welzijn-loonopzand", [("kaatsheuvel-huis", "koffie"), ("loonopzand-huis", "wandelen"),
                                      ("kaatsheuvel-huis", "taal"), ("kaatsheuvel-huis", "mantelzorg"),
                                      ("loonopzand-huis", "maatje"), ("kaatsheuvel-huis", "jeugd")]),
    ("GM0824", "welzijn-oisterwijk", [("oisterwijk-huis", "koffie"), ("moergestel", "wandelen"),
                                      ("haaren", "koffie"), ("oisterwijk-huis", "mantelzorg"),
                                      ("oisterwijk-huis", "digi"), ("moergestel", "maatje")]),
]
DAYS = [("MO", "maandag"), ("TU", "dinsdag"), ("WE", "woensdag"), ("TH", "donderdag"), ("FR", "vrijdag")]


def village_service(gm, org_key, loc, kind, n):
    place = LOCATIONS[loc]["name"]
    town = LOCATIONS[loc]["address"]["city"]
    day, label = DAYS[n % len(DAYS)]
    key = f"{gm}-{loc}-{kind}"
    if kind == "koffie":
        service(key, org_key, f"Koffie-inloop {place}",
                f"Zin in een praatje? In {place} in {town} staat de koffie klaar. Fijn als u zich "
                "alleen voelt of nieuw bent in het dorp.", ["ontmoeting/inloop", "eenzaamheid"],
                ["iedereen", "ouderen-65"], locations=[loc], formality="informal",
                initiative="vrijwilligers", cost=contribution(0.5, "€ 0,50 per kopje"),
                schedules=[weekly(day, "10:00", "11:30", f"Elke {label}ochtend")])
    elif kind == "wandelen":
        service(key, org_key, f"Wandelgroep {town}",
                f"Elke week een rustige wandeling van een uur door en rond {town}, met koffie na "
                "afloop. Ook voor wie via Welzijn op Recept komt.", ["bewegen/wandelgroep"],
                ["iedereen", "ouderen-65"], locations=[loc], wor=True, formality="informal",
                initiative="vrijwilligers",
                schedules=[weekly(day, "09:30", "11:00", f"Elke {label}ochtend, start bij {place}")])
    elif kind == "mantelzorg":
        service(key, org_key, f"Mantelzorgcafé {GEMEENTEN[gm]}",
                "Zorgt u voor een partner, ouder of kind? Ontmoet andere mantelzorgers en krijg "
                "tips om het vol te houden.", ["mantelzorg/gespreksgroep",
                                               "mantelzorg/mantelzorgondersteuning"],
                ["mantelzorgers"], locations=[loc], areas=[gm],
                schedules=[monthly(f"1{day}", "19:30", "21:30", f"Elke eerste {label} van de maand")])
    elif kind == "formulieren":
        service(key, org_key, f"Hulp bij post en formulieren {town}",
                "Brieven van de gemeente of de Belastingdienst die u niet begrijpt? Een vrijwilliger "
                "helpt u, ook bij geldzorgen.", ["geld/formulierenhulp", "geld/schuldhulp"],
                ["iedereen", "laaggeletterden"], locations=[loc], formality="informal",
                initiative="vrijwilligers", group="individual",
                schedules=[weekly(day, "13:30", "15:30", f"Elke {label}middag")])
    elif kind == "taal":
        service(key, org_key, f"Taalcafé {town}",
                "Nederlands oefenen met vrijwilligers uit het dorp, bij een kop koffie. Elk niveau "
                "is welkom.", ["taal-digitaal/taalcafe"], ["statushouders", "laaggeletterden"],
                locations=[loc], formality="informal", initiative="vrijwilligers",
                languages=("nl", "ar", "en"),
                schedules=[weekly(day, "14:00", "15:30", f"Elke {label}middag")])
    elif kind == "digi":
        service(key, org_key, f"Digicafé {town}",
                "Leer werken met uw tablet, telefoon en DigiD. Vrijwilligers helpen u met uw eigen "
                "apparaat.", ["taal-digitaal/digiwijs"], ["ouderen-65"], locations=[loc],
                formality="informal", initiative="vrijwilligers",
                schedules=[weekly(day, "10:00", "12:00", f"Elke {label}ochtend")])
    elif kind == "maatje":
        service(key, org_key, f"Maatje voor ouderen in {town}",
                f"Een vrijwilliger uit {town} komt bij u op bezoek, voor een praatje of een "
                "wandeling. Voor ouderen die zich eenzaam voelen.", ["eenzaamheid/maatjes"],
                ["ouderen-65"], locations=[loc], areas=[gm], formality="informal",
                initiative="vrijwilligers", group="individual",
                schedules=[by_appointment("U spreekt samen een vast moment af")])
    elif kind == "jeugd":
        service(key, org_key, f"Jongerenwerk {town}",
                "Een plek voor jongeren van 12 tot 18 jaar om elkaar te ontmoeten en mee te "
                "praten over het dorp.", ["jeugd-gezin/jongerenwerk"], ["jongeren"], locations=[loc],
                min_age=12, max_age=18,
                schedules=[weekly("WE,FR", "19:00", "22:00", "Woensdag- en vrijdagavond")])
    else:
        raise ValueError(kind)


for gm, org_key, offerings in VILLAGE_OFFERINGS:
    for n, (loc, kind) in enumerate(offerings):
        village_service(gm, org_key, loc, kind, n)

# ------------------------------------------------------------------------------------------
# Validation and output
# ------------------------------------------------------------------------------------------


def validate():
    with open(ROOT / "assets" / "taxonomies.json", encoding="utf-8") as f:
        taxonomies = json.load(f)["taxonomies"]
    codes = {}

    def walk(terms, into):
        for t in terms:
            into.add(t["code"])
            walk(t.get("children", []), into)

    for tax in taxonomies:
        codes[tax["code"]] = set()
        walk(tax.get("terms", []), codes[tax["code"]])
    ids = Counter([o["id"] for o in ORGS.values()] + [l["id"] for l in LOCATIONS.values()]
                  + [s["id"] for s in SERVICES])
    assert all(n == 1 for n in ids.values()), "duplicate id"
    location_ids = {l["id"] for l in LOCATIONS.values()}
    for s in SERVICES:
        for c in s["categories"]:
            assert c in codes["wijkwijzer-categorie"], (s["name"], c)
        for t in s["target_groups"]:
            assert t in codes["wijkwijzer-doelgroep"], (s["name"], t)
        for a in s["service_areas"]:
            code = a["code"]
            assert code in GEMEENTEN or code in WIJKEN, (s["name"], code)
        assert all(i in location_ids for i in s["location_ids"]), s["name"]
        assert s["location_ids"] or s["service_areas"], s["name"]
    for key, loc in LOCATIONS.items():
        assert wijk_at(loc["longitude"], loc["latitude"]) == [LOCATION_WIJK[key]], key
    per_gemeente = Counter()
    for s in SERVICES:
        gms = {"GM" + LOCATION_WIJK[k][2:6] for k, l in LOCATIONS.items() if l["id"] in s["location_ids"]}
        gms |= {a["code"][:2] == "GM" and a["code"] or "GM" + a["code"][2:6] for a in s["service_areas"]}
        for g in gms:
            per_gemeente[g] += 1
    assert len(SERVICES) >= 60, len(SERVICES)
    assert all(per_gemeente[g] >= 5 for g in GEMEENTEN), per_gemeente
    for g in GEMEENTEN:
        intake = [s for s in SERVICES if s["phone"] and "toegang/buurtteam" in s["categories"]
                  and any(a["code"] == g or a["code"][2:6] == g[2:] for a in s["service_areas"])]
        assert intake or g == "GM0855", f"no intake with a phone number in {g}"
    assert any(s["welzijn_op_recept"] and "welzijn-op-recept/welzijnscoach" in s["categories"]
               for s in SERVICES)
    return per_gemeente


def main():
    per_gemeente = validate()
    doc = {
        "format": "wijkwijzer-demo/1",
        "description": "Fictieve demodata voor Wijkwijzer in Hart van Brabant (Tilburg, Dongen, "
                       "Goirle, Hilvarenbeek, Loon op Zand en Oisterwijk). Alle organisaties, "
                       "personen, telefoonnummers, e-mailadressen, websites en straatnamen zijn "
                       "verzonnen (fictief). Alleen de wijkgrenzen (CBS/Kadaster, CC BY 4.0) en "
                       "de PC4-postcodegebieden zijn echt.",
        "organizations": sorted(ORGS.values(), key=lambda o: o["name"]),
        "locations": list(LOCATIONS.values()),
        "services": SERVICES,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{len(ORGS)} organisations, {len(LOCATIONS)} locations, {len(SERVICES)} services -> {OUT}",
          file=sys.stderr)
    for g, name in GEMEENTEN.items():
        print(f"  {g} {name}: {per_gemeente[g]} services", file=sys.stderr)


if __name__ == "__main__":
    main()
