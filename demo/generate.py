#!/usr/bin/env python3
"""Generate Wijkwijzer's fictitious demo dataset for the Utrecht region.

Run from the repository root:  python3 demo/generate.py
Writes demo/utrecht-demo.json. Standard library only, deterministic (fixed seed, UUIDv5 ids).

Everything in the output is made up (organisations, people, phone numbers, e-mail addresses,
street names) except the geography: the neighbourhood polygons (CBS / gemeente Utrecht,
CC BY 4.0) and the PC4 postcode centroids (MIT) shipped in assets/geo/.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import math
import random
import re
import sys
import unicodedata
import uuid
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GEO = ROOT / "assets" / "geo"
OUT = ROOT / "demo" / "utrecht-demo.json"
SEED = 20261123
TODAY = dt.date(2026, 11, 23)
# Same namespace as the Rust code (src/domain/vocabulary.rs).
NS = uuid.uuid5(uuid.NAMESPACE_URL, "https://wijkwijzer.example/")

rng = random.Random(SEED)


def uid(kind: str, key: str) -> str:
    return str(uuid.uuid5(NS, f"wijkwijzer:demo:{kind}:{key}"))


def fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def slugify(s: str) -> str:
    s = fold(s).lower().replace("&", "en").replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


# --------------------------------------------------------------------------------------------
# Geometry: a small point-in-polygon (even-odd rule over all rings handles holes)
# --------------------------------------------------------------------------------------------

def polygons_of(geom: dict) -> list:
    if geom["type"] == "Polygon":
        return [geom["coordinates"]]
    if geom["type"] == "MultiPolygon":
        return geom["coordinates"]
    raise ValueError(geom["type"])


def ring_contains(ring, x, y) -> bool:
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y):
            xcross = (xj - xi) * (y - yi) / (yj - yi) + xi
            if x < xcross:
                inside = not inside
        j = i
    return inside


class Shape:
    def __init__(self, code: str, name: str, geom: dict, props: dict):
        self.code, self.name, self.props = code, name, props
        self.polys = polygons_of(geom)
        xs = [p[0] for poly in self.polys for p in poly[0]]
        ys = [p[1] for poly in self.polys for p in poly[0]]
        self.bbox = (min(xs), min(ys), max(xs), max(ys))

    def contains(self, lon: float, lat: float) -> bool:
        x0, y0, x1, y1 = self.bbox
        if not (x0 <= lon <= x1 and y0 <= lat <= y1):
            return False
        for poly in self.polys:
            if ring_contains(poly[0], lon, lat) and not any(ring_contains(h, lon, lat) for h in poly[1:]):
                return True
        return False

    def sample(self, r: random.Random, tries: int = 5000):
        x0, y0, x1, y1 = self.bbox
        for _ in range(tries):
            lon, lat = r.uniform(x0, x1), r.uniform(y0, y1)
            if self.contains(lon, lat):
                yield lon, lat
        raise RuntimeError(f"could not sample inside {self.code}")


def load_shapes(fname: str, code_key: str, name_key: str) -> dict:
    data = json.loads((GEO / fname).read_text(encoding="utf-8"))
    return {f["properties"][code_key]: Shape(f["properties"][code_key], f["properties"][name_key],
                                             f["geometry"], f["properties"]) for f in data["features"]}


CITY_WIJK = load_shapes("utrecht_wijken_cbscodes.geojson", "wijkcode", "wijknaam")
CITY_BUURT = load_shapes("utrecht_buurten_cbscodes.geojson", "buurtcode", "buurtnaam")
PROV_WIJK = load_shapes("provincie_utrecht_wijken_2024.geojson", "statcode", "wijknaam")
GEMEENTE = load_shapes("provincie_utrecht_gemeenten_2024_dissolved.geojson", "gemeentecode", "gemeentenaam")


def read_pc4():
    rows = []
    with open(GEO / "pc4_provincie_utrecht_with_wijk.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["soort"] == "Postbus" or not r["cbs2024_wijkcode"]:
                continue  # PO-box postcodes share one point; they are no street address
            rows.append(dict(pc4=r["postcode"], woonplaats=r["woonplaats"], lat=float(r["latitude"]),
                             lon=float(r["longitude"]), wijk=r["cbs2024_wijkcode"]))
    nl = set()
    with open(GEO / "pc4_nl.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            nl.add(r["postcode"])
    return rows, nl


PC4_ROWS, PC4_NL = read_pc4()
PC4_BY_WIJK = defaultdict(list)
for _r in PC4_ROWS:
    PC4_BY_WIJK[_r["wijk"]].append(_r)


def dist_m(lat1, lon1, lat2, lon2) -> float:
    kx = 111_320 * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot((lon1 - lon2) * kx, (lat1 - lat2) * 110_540)


def nearest_pc4(wijk: str, lat: float, lon: float) -> dict:
    cands = PC4_BY_WIJK.get(wijk) or [r for r in PC4_ROWS if r["wijk"][2:6] == wijk[2:6]]
    return min(cands, key=lambda r: dist_m(lat, lon, r["lat"], r["lon"]))


def wijk_hits(lon: float, lat: float) -> set:
    """Every wijk code (city layer and provincial layer) whose polygon holds the point."""
    hits = {c for c, s in CITY_WIJK.items() if s.contains(lon, lat)}
    hits |= {c for c, s in PROV_WIJK.items() if s.contains(lon, lat)}
    return hits


def place_point(r: random.Random, wijk: str, buurt: str | None):
    """A random point inside the buurt (Utrecht) or wijk polygon that every layer agrees on."""
    shape = CITY_BUURT[buurt] if buurt else PROV_WIJK[wijk]
    gm = "GM" + wijk[2:6]
    for lon, lat in shape.sample(r):
        if wijk_hits(lon, lat) != {wijk}:
            continue  # near a boundary where the generalised layers disagree: try again
        if not GEMEENTE[gm].contains(lon, lat):
            continue
        if buurt and sum(1 for b in CITY_BUURT.values() if b.contains(lon, lat)) != 1:
            continue
        return round(lat, 6), round(lon, 6)
    raise RuntimeError("unreachable")


# --------------------------------------------------------------------------------------------
# Areas
# --------------------------------------------------------------------------------------------

UTRECHT_WIJK_NAMES = {
    "WK034401": "West", "WK034402": "Noordwest", "WK034403": "Overvecht", "WK034404": "Noordoost",
    "WK034405": "Oost", "WK034406": "Binnenstad", "WK034407": "Zuid", "WK034408": "Zuidwest",
    "WK034409": "Leidsche Rijn", "WK034410": "Vleuten-De Meern",
}
BUURT_SHORT = {
    "BU03440311": "Taagdreef", "BU03440312": "Wolgadreef", "BU03440321": "Zamenhofdreef",
    "BU03440322": "Neckardreef", "BU03440331": "Vechtzoom", "BU03440332": "Klopvaart",
    "BU03440341": "Zambesidreef", "BU03440342": "Tigrisdreef",
    "BU03440124": "Nieuw-Guinea", "BU03440131": "Nieuw Engeland", "BU03440132": "Schepenbuurt",
    "BU03440221": "Nijenoord", "BU03440223": "Daalsebuurt", "BU03440224": "Egelantierstraat",
    "BU03440231": "Julianapark", "BU03440232": "Elinkwijk", "BU03440233": "Prins Bernhardplein",
    "BU03440242": "Schaakbuurt", "BU03440243": "Queeckhoven", "BU03440421": "Tuindorp",
    "BU03440423": "Voordorp", "BU03440431": "Huizingalaan", "BU03440432": "Zeeheldenbuurt",
    "BU03440521": "Abstede", "BU03440523": "Rubenslaan", "BU03440525": "Napoleonplantsoen",
    "BU03440532": "Wilhelminapark", "BU03440611": "Domplein", "BU03440612": "Mariaplaats",
    "BU03440622": "Plompetorengracht", "BU03440623": "Nobelstraat", "BU03440624": "Geertebuurt",
    "BU03440625": "Lange Nieuwstraat", "BU03440627": "Bleekstraat",
    "BU03441022": "Vleuterweide", "BU03441012": "Haarzuilens",
}
# Buurten where nobody lives or that are mostly park: no buurthuis there.
SKIP_BUURT = re.compile(r"Bedrijven|Bedrijfs|Poldergebied|Science Park|Lageweide|Hoog-Catharijne|Maarschalkerweerd|Máximapark|Rijnenburg|Haarrijn|Strijkviertel|Papendorp|Oudenrijn|De Wetering|Galgenwaard")


def buurt_short(code: str) -> str:
    if code in BUURT_SHORT:
        return BUURT_SHORT[code]
    n = CITY_BUURT[code].name.split(",")[0]
    return re.sub(r"\s+(en omgeving|e\.o\.)$", "", n).strip()


def residential_buurten(wijk: str) -> list:
    return sorted(c for c, s in CITY_BUURT.items()
                  if s.props["wijkcode"] == wijk and not SKIP_BUURT.search(s.name))


OTHER_GEMEENTEN = {
    # gemeente: (display name, area code for phones, [wijken with a street-address PC4])
    "GM0307": ("Amersfoort", "033", ["WK030701", "WK030707", "WK030709", "WK030711", "WK030721", "WK030728"]),
    "GM0356": ("Nieuwegein", "030", ["WK035603", "WK035605", "WK035608", "WK035615", "WK035621"]),
    "GM0355": ("Zeist", "030", ["WK035501", "WK035502", "WK035503", "WK035504"]),
    "GM0321": ("Houten", "030", ["WK032111", "WK032150"]),
    "GM0353": ("IJsselstein", "030", ["WK035300"]),
    "GM1904": ("Stichtse Vecht", "0346", ["WK190401", "WK190412", "WK190402"]),
    "GM0632": ("Woerden", "0348", ["WK063201", "WK063203", "WK063206"]),
    "GM0345": ("Veenendaal", "0318", ["WK034500", "WK034501", "WK034505"]),
    "GM0310": ("De Bilt", "030", ["WK031006", "WK031009"]),
    "GM0342": ("Soest", "035", ["WK034204", "WK034201"]),
}


def prov_wijk_short(code: str) -> str:
    n = PROV_WIJK[code].name
    n = re.sub(r"^Wijk \d+\s+", "", n)
    return n


# --------------------------------------------------------------------------------------------
# Fictitious names: streets, places, people, phone numbers
# --------------------------------------------------------------------------------------------

STREET_PREFIX = ["Berken", "Linden", "Essen", "Wilgen", "Elzen", "Hazelaar", "Vlier", "Meidoorn", "Kamperfoelie",
                 "Klaproos", "Korenbloem", "Boterbloem", "Zonnedauw", "Kievit", "Grutto", "Reiger", "Merel",
                 "Winterkoning", "Zwaluw", "Roerdomp", "IJsvogel", "Otter", "Bever", "Dassen", "Molen", "Sluis",
                 "Brug", "Dijkgraaf", "Veldhoen", "Hoeve", "Schans", "Bastion", "Gilde", "Smeden", "Bakkers",
                 "Kuipers", "Touwslagers", "Tinnegieters", "Glazenmakers", "Lakenvelder", "Kortjakje", "Zeven Sterren",
                 "Lupine", "Ganzenbloem", "Pimpernel", "Wederik", "Fluitenkruid", "Dotterbloem", "Lijster",
                 "Koekoek", "Wielewaal", "Boomklever", "Putter", "Sijsjes", "Regenboog", "Zonnewijzer", "Maanzaad",
                 "Perenboom", "Appelgaard", "Kersen", "Pruimen", "Walnoot", "Kastanje", "Hulst", "Taxus"]
STREET_SUFFIX = ["straat", "laan", "hof", "plein", "singel", "weg", "kade", "pad", "erf", "gaarde"]
DREEF_PREFIX = ["Ambla", "Orinoco", "Sarthe", "Ebro", "Mekong", "Yukon", "Dnjestr", "Drau", "Tagliamento",
                "Limpopo", "Okavango", "Parana", "Jordaan", "Oder", "Wisla", "Save", "Sava", "Kura", "Ural"]
PLACE_NAMES = ["De Boog", "Het Baken", "De Lindeboom", "Het Trefpunt", "De Wilg", "De Zwaluw", "Het Anker",
               "De Kastanje", "De Ontmoeting", "Het Klaverblad", "De Vonk", "De Kajuit", "Het Zonnehuis",
               "De Brug", "Het Praathuis", "De Parel", "De Kersenboom", "Het Gildehuis", "De Vlinder",
               "De Horizon", "Het Open Erf", "De Regenboog", "De Duizendpoot", "Het Bolwerk", "De Schakel",
               "De Oase", "Het Perenhof", "De Wielewaal", "De Kaap", "De Notenkraker", "Het Bruggenhoofd",
               "De Pimpernel", "De Lantaarn", "Het Nest", "De Sterappel", "Het Kompas", "De Waaier",
               "De Meander", "De Hoeksteen", "Het Pleintje", "De Dotterbloem", "De Pluk", "De Tuinkamer",
               "De Fluit", "Het Hofje", "De Koekoek", "De Kruidenhof", "De Uitkijk", "De Wederik"]
FIRST_NAMES = ["Samira", "Joost", "Fatma", "Henk", "Ingrid", "Mohamed", "Priya", "Kees", "Anouk", "Yusuf", "Eline",
               "Bram", "Noor", "Ahmed", "Marieke", "Dewi", "Sanne", "Gerrit", "Aïcha", "Zoë", "Chloë", "René",
               "Hélène", "Thijs", "Esra", "Nadia", "Pieter", "Wilma", "Hamza", "Ilse", "Karim", "Femke", "Gijs",
               "Saskia", "Tewolde", "Olena", "Marco", "Latifa", "Ruud", "Monique", "Daan", "Hanna", "Jasper",
               "Leyla", "Ömer", "Josée", "André", "Mirjam", "Selin", "Wouter", "Ayaan", "Lotte", "Ferdi", "Roos"]

USED_PLACE_NAMES: set = set()


def street(r: random.Random, dreef: bool = False) -> str:
    if dreef:
        return r.choice(DREEF_PREFIX) + "dreef"
    return r.choice(STREET_PREFIX) + r.choice(STREET_SUFFIX)


def house_number(r: random.Random) -> str:
    n = r.choice([r.randint(1, 40), r.randint(1, 120), r.randint(2, 250)])
    return str(n) + (r.choice(["", "", "", "", "a", "b", "-bis"]) if n > 3 else "")


PC_LETTERS = "ABCDEGHJKLMNPRSTVWXZ"


def pc6(r: random.Random, pc4: str) -> str:
    while True:
        ll = r.choice(PC_LETTERS) + r.choice(PC_LETTERS)
        if ll not in ("SA", "SD", "SS"):
            return f"{pc4} {ll}"


PHONE_SEQ = Counter()


def phone(netnummer: str = "030") -> str:
    PHONE_SEQ[netnummer] += 1
    n = PHONE_SEQ[netnummer]
    if netnummer == "06":
        return f"06 - 0000 {n:04d}"
    if len(netnummer) == 3:
        return f"{netnummer} - 700 {n // 100:02d} {n % 100:02d}"
    return f"{netnummer} - 70 {n // 100:02d} {n % 100:02d}"


def place_name(r: random.Random) -> str:
    free = [p for p in PLACE_NAMES if p not in USED_PLACE_NAMES]
    if not free:
        USED_PLACE_NAMES.clear()
        free = list(PLACE_NAMES)
    p = r.choice(free)
    USED_PLACE_NAMES.add(p)
    return p


# --------------------------------------------------------------------------------------------
# Output collections
# --------------------------------------------------------------------------------------------

ORGS: dict = {}
LOCS: dict = {}
SERVICES: list = []
LOC_TARGET: dict = {}     # location id -> (gemeente, wijk, buurt)
SERVICE_NAMES: Counter = Counter()


def org(key: str, name: str, ptype: str, description: str, netnummer: str = "030", with_phone: bool = True) -> str:
    oid = uid("org", key)
    if oid in ORGS:
        return oid
    slug = slugify(name)
    o = {"id": oid, "name": name, "description": description, "email": f"info@{slug}.example",
         "website": f"https://{slug}.example", "provider_type": ptype}
    if with_phone:
        o["phone"] = phone(netnummer)
    ORGS[oid] = o
    return oid


def location(key: str, org_id: str, name: str, wijk: str, buurt: str | None, description: str | None = None,
             wheelchair=True, transport: str | None = None, dreef: bool = False) -> str:
    lid = uid("location", key)
    if lid in LOCS:
        return lid
    lat, lon = place_point(rng, wijk, buurt)
    pc = nearest_pc4(wijk, lat, lon)
    loc = {"id": lid, "organization_id": org_id, "name": name}
    if description:
        loc["description"] = description
    st = street(rng, dreef)
    loc.update({"latitude": lat, "longitude": lon,
                "address": {"address_1": f"{st} {house_number(rng)}", "postal_code": pc6(rng, pc["pc4"]),
                            "city": pc["woonplaats"]},
                "wheelchair_accessible": wheelchair})
    if transport:
        loc["transportation"] = transport.format(street=st)
    LOCS[lid] = loc
    LOC_TARGET[lid] = ("GM" + wijk[2:6], wijk, buurt)
    return lid


def transport_line(r: random.Random) -> str | None:
    return r.choice([None, None, "Bus {n}, halte {street} (2 minuten lopen)",
                     "Bus {n} stopt bijna voor de deur", "Bus {n}, halte {street}. Fietsenstalling naast de ingang",
                     "Parkeren voor de deur, bus {n} op 5 minuten lopen"])


def transport(r: random.Random) -> str | None:
    t = transport_line(r)
    if t is None:
        return None
    return t.replace("{n}", str(r.choice([2, 3, 4, 5, 8, 9, 12, 28, 30, 34, 39, 41, 47, 65, 73, 74, 77])))


# --------------------------------------------------------------------------------------------
# Schedules and Dutch phrasing
# --------------------------------------------------------------------------------------------

DAY_NL = {"MO": "maandag", "TU": "dinsdag", "WE": "woensdag", "TH": "donderdag", "FR": "vrijdag",
          "SA": "zaterdag", "SU": "zondag"}
NTH_NL = {"1": "eerste", "2": "tweede", "3": "derde", "4": "vierde", "-1": "laatste"}


def days_text(byday: str) -> str:
    days = [DAY_NL[d] for d in byday.split(",")]
    return days[0] if len(days) == 1 else ", ".join(days[:-1]) + " en " + days[-1]


def W(byday: str, opens: str, closes: str, desc: str | None = None) -> dict:
    if desc is None:
        if byday == "MO,TU,WE,TH,FR":
            desc = "Maandag tot en met vrijdag"
        elif byday == "MO,TU,WE,TH,FR,SA,SU":
            desc = "Elke dag"
        else:
            desc = "Elke " + days_text(byday)
    return {"freq": "WEEKLY", "byday": byday, "opens_at": opens, "closes_at": closes, "description": desc}


def M(nth: str, day: str, opens: str, closes: str) -> dict:
    return {"freq": "MONTHLY", "byday": f"{nth}{day}", "opens_at": opens, "closes_at": closes,
            "description": f"Elke {NTH_NL[nth]} {DAY_NL[day]} van de maand"}


def A(desc: str = "Op afspraak") -> dict:
    return {"description": desc}


def t_nl(t: str) -> str:
    h, m = t.split(":")
    return f"{int(h)}.{m}"


def schedule_sentence(scheds: list, r: random.Random) -> str | None:
    s = scheds[0] if scheds else None
    if not s or "freq" not in s:
        return None
    o, c = t_nl(s["opens_at"]), t_nl(s["closes_at"])
    if s["freq"] == "MONTHLY":
        nth, day = s["byday"][:-2], s["byday"][-2:]
        return f"De groep komt elke {NTH_NL[nth]} {DAY_NL[day]} van de maand bij elkaar, van {o} tot {c} uur."
    if s["byday"] == "MO,TU,WE,TH,FR":
        return r.choice([f"Open van maandag tot en met vrijdag, van {o} tot {c} uur.",
                         f"U kunt op werkdagen binnenlopen tussen {o} en {c} uur."])
    if s["byday"] == "MO,TU,WE,TH,FR,SA,SU":
        return f"Elke dag van {o} tot {c} uur."
    d = days_text(s["byday"])
    extra = ""
    if len(scheds) > 1 and scheds[1].get("freq") == "WEEKLY":
        s2 = scheds[1]
        extra = f" en op {days_text(s2['byday'])} van {t_nl(s2['opens_at'])} tot {t_nl(s2['closes_at'])} uur"
    return r.choice([f"Elke {d} van {o} tot {c} uur{extra}.",
                     f"We zijn er op {d} van {o} tot {c} uur{extra}.",
                     f"Wanneer? Op {d}, van {o} tot {c} uur{extra}."])


# --------------------------------------------------------------------------------------------
# Service kinds: hand-written B1 text with variations
# --------------------------------------------------------------------------------------------

FREE = ("free", None, None)


def C(amount: float, desc: str):
    return ("contribution", amount, desc)


def P(amount: float, desc: str):
    return ("price", amount, desc)


KINDS: dict = {}


def kind(key, **kw):
    kw.setdefault("tg", [["iedereen"]])
    kw.setdefault("cost", [FREE])
    kw.setdefault("access", "open")
    kw.setdefault("refer", True)
    kw.setdefault("wor", False)
    kw.setdefault("setting", "in_person")
    kw.setdefault("group", "group")
    kw.setdefault("langs", [["nl"]])
    kw.setdefault("located", True)
    kw.setdefault("sched", [[A()]])
    kw.setdefault("titles", ["Coördinator"])
    KINDS[key] = kw


# ---- 1 Toegang
kind("buurtteam", cats=["toegang/buurtteam"], role="buurtteam", form="formal", init="professioneel",
     group="individual", refer=True, area="wijk", waiting=["ongeveer 1 week", "binnen 2 weken een eerste gesprek", "1 tot 3 weken"],
     tg=[["iedereen"]], langs=[["nl", "en"], ["nl", "ar", "tr"], ["nl"]], titles=["Buurtteammedewerker", "Coördinator buurtteam"],
     sched=[[W("MO,TU,WE,TH,FR", "09:00", "17:00"), A("Inloopspreekuur op dinsdag, verder op afspraak")],
            [W("TU,TH", "09:30", "11:30", "Inloopspreekuur dinsdag en donderdag"), A("Huisbezoek op afspraak")]],
     names=["Buurtteam {gebied}", "Buurtteam {gebied}: inloopspreekuur", "Spreekuur buurtteam {buurt}"],
     intro=["Het buurtteam helpt bij vragen over geld, opvoeden, gezondheid, werk of het huishouden.",
            "Loopt het thuis even niet? Het buurtteam {gebied} denkt met u mee en zoekt samen met u naar oplossingen.",
            "Met een vraag over zorg, geld of uw gezin kunt u terecht bij het buurtteam {gebied}."],
     body=["Het gesprek is gratis en u heeft geen verwijzing nodig.",
           "Een vaste medewerker blijft uw aanspreekpunt. Als het nodig is, regelt het buurtteam ook zwaardere hulp.",
           "We komen ook bij u thuis als u dat prettiger vindt."])
kind("sociaal_team", cats=["toegang/buurtteam"], role="gemeente", form="formal", init="professioneel",
     group="individual", area="gemeente", waiting=["ongeveer 2 weken", "binnen 10 werkdagen"],
     titles=["Consulent sociaal team"], sched=[[W("MO,TU,WE,TH,FR", "09:00", "12:30")], [A("Bel voor een afspraak")]],
     names=["Sociaal team {gemeente}", "Sociaal wijkteam {buurt}"],
     intro=["Het sociaal team is er voor alle inwoners van {gemeente} met vragen over zorg, geld, werk of opvoeden.",
            "Heeft u hulp nodig en weet u niet waar u moet beginnen? Bel of mail het sociaal team."],
     body=["Samen met u kijken we wat u zelf kunt, wat uw omgeving kan doen en welke hulp nodig is.",
           "Een medewerker maakt een afspraak met u, op kantoor of bij u thuis."])
kind("wmo_loket", cats=["toegang/wmo-loket", "ouder-worden"], role="gemeente", form="formal", init="professioneel",
     group="individual", area="gemeente", refer=False, waiting=["ongeveer 3 weken", "binnen 6 weken een besluit"],
     titles=["Wmo-consulent"], sched=[[W("MO,TU,WE,TH,FR", "08:30", "17:00", "Telefonisch bereikbaar op werkdagen")]],
     names=["Wmo-loket {gemeente}", "Loket Zorg en Ondersteuning {gemeente}"],
     intro=["Bij het Wmo-loket vraagt u hulp aan als het thuis niet meer lukt, bijvoorbeeld hulp in de huishouding, een scootmobiel of een traplift.",
            "Heeft u ondersteuning nodig om thuis te kunnen blijven wonen? Dan kunt u een melding doen bij het Wmo-loket."],
     body=["Een consulent komt bij u thuis voor een keukentafelgesprek. U mag iemand meenemen die met u meedenkt.",
           "Na het gesprek krijgt u een verslag en hoort u welke hulp u krijgt."])
kind("clientondersteuning", cats=["toegang/clientondersteuning"], role="client", form="formal", init="professioneel",
     group="individual", located=False, area="regio", titles=["Cliëntondersteuner"], langs=[["nl", "en", "ar"], ["nl", "tr"]],
     sched=[[A("Op afspraak, ook bij u thuis")]],
     names=["Onafhankelijke cliëntondersteuning {gemeente}", "Cliëntondersteuning: iemand naast u bij het keukentafelgesprek"],
     intro=["Een cliëntondersteuner helpt u bij het aanvragen van zorg of hulp. Hij of zij staat naast u en werkt niet voor de gemeente.",
            "Vindt u het lastig om uit te leggen wat u nodig heeft? Een onafhankelijke cliëntondersteuner gaat met u mee naar het gesprek."],
     body=["Cliëntondersteuning is gratis voor alle inwoners.", "We helpen ook bij een bezwaar of als u het niet eens bent met een besluit."])
kind("sociaal_makelaar", cats=["toegang/sociaal-makelaar", "ontmoeting"], role="welzijn", form="formal", init="professioneel",
     group="individual", area="wijk", titles=["Sociaal makelaar"], sched=[[W("WE", "13:00", "15:00"), A("Of op afspraak")], [A()]],
     names=["Sociaal makelaar {gebied}", "Ideeën voor de buurt? Spreekuur sociaal makelaar {buurt}"],
     intro=["Heeft u een idee voor uw buurt, zoals een buurtfeest, een moestuin of een wandelclub? De sociaal makelaar helpt u op weg.",
            "De sociaal makelaar kent de wijk goed en brengt bewoners, vrijwilligers en organisaties met elkaar in contact."],
     body=["Samen zoeken we een ruimte, vrijwilligers en soms een klein budget.", "Ook als u zelf iets wilt doen maar niet weet wat, kunt u langskomen."])
kind("informatiewinkel", cats=["toegang/informatiewinkel"], role="welzijn", form="formal", init="vrijwilligers",
     group="individual", titles=["Coördinator informatiewinkel"], langs=[["nl", "ar", "tr"], ["nl", "en"]],
     sched=[[W("MO,WE", "10:00", "12:00")], [W("TU,TH", "13:30", "15:30")]],
     names=["Informatiewinkel {buurt}", "Vraagpunt {plek}", "Infopunt Wonen, Welzijn en Zorg {buurt}"],
     intro=["In de informatiewinkel kunt u zonder afspraak binnenlopen met al uw vragen over wonen, zorg, welzijn en geld.",
            "Weet u niet bij wie u moet zijn? In de informatiewinkel zoeken we het samen met u uit."],
     body=["Getrainde vrijwilligers helpen u verder of verwijzen u naar de juiste plek.", "U kunt hier ook folders halen en de computer gebruiken."])
kind("bieb_infopunt", cats=["toegang/bibliotheek", "taal-digitaal/digi-spreekuur"], role="library", form="formal",
     init="professioneel", group="individual", titles=["Medewerker informatiepunt"],
     sched=[[W("TU", "10:00", "12:00"), W("TH", "14:00", "16:00")], [W("WE", "13:30", "16:00")]],
     names=["Informatiepunt Digitale Overheid {plek}", "Hulp met de overheid online in {plek}"],
     intro=["Moet u iets regelen met DigiD, de Belastingdienst of toeslagen? Bij het informatiepunt in de bibliotheek helpen we u.",
            "Het Informatiepunt in de bibliotheek helpt bij websites van de overheid, zoals DigiD, de zorgtoeslag of een paspoort aanvragen."],
     body=["U hoeft geen lid te zijn van de bibliotheek.", "Neem uw telefoon of laptop mee als u die heeft. Wij hebben ook computers."])

# ---- 2 Welzijn op Recept
kind("welzijnscoach", cats=["welzijn-op-recept/welzijnscoach"], role="welzijn", form="formal", init="professioneel",
     group="individual", wor=True, access="huisarts", area="wijk", titles=["Welzijnscoach"],
     waiting=["binnen 2 weken een eerste gesprek", "ongeveer 1 week", "ongeveer 3 weken"],
     langs=[["nl"], ["nl", "en"], ["nl", "ar"], ["nl", "tr"]],
     sched=[[A("Op afspraak, in het buurthuis of bij u thuis")], [W("MO,WE", "09:00", "12:00", "Intakes op maandag- en woensdagochtend"), A("Of op afspraak")]],
     names=["Welzijn op Recept {gebied}: gesprek met de welzijnscoach", "Welzijnscoach {gebied}", "Intake Welzijn op Recept {buurt}"],
     intro=["Voelt u zich niet lekker in uw vel, somber of alleen? Uw huisarts of praktijkondersteuner kan u doorverwijzen naar de welzijnscoach.",
            "Bij Welzijn op Recept kijkt de welzijnscoach samen met u wat u blij maakt en wat u zou willen doen.",
            "Niet elke klacht is met medicijnen op te lossen. De welzijnscoach helpt u een activiteit te vinden die bij u past."],
     body=["Dat kan wandelen zijn, samen koffie drinken, vrijwilligerswerk of een creatieve cursus. De coach gaat de eerste keer met u mee als u dat wilt.",
           "U heeft een paar gesprekken met de coach. Daarna laat de coach uw huisarts weten hoe het gaat, als u dat goed vindt.",
           "Na een paar weken bellen we u om te horen hoe het gaat."])
kind("beweegmakelaar", cats=["welzijn-op-recept/beweegmakelaar", "bewegen"], role="welzijn", form="formal",
     init="professioneel", group="individual", wor=True, area="wijk", titles=["Beweegmakelaar", "Buurtsportcoach"],
     sched=[[A("Op afspraak")], [W("TH", "09:00", "11:00", "Spreekuur op donderdag"), A("Of op afspraak")]],
     names=["Beweegmakelaar {gebied}", "Welke sport past bij mij? Advies van de beweegmakelaar"],
     intro=["Wilt u meer bewegen, maar weet u niet hoe of waar? De beweegmakelaar zoekt samen met u een sport of beweegclub in de buurt.",
            "De beweegmakelaar helpt mensen die weinig bewegen om weer in beweging te komen, op een manier die bij hen past."],
     body=["Ook als u een ziekte of beperking heeft, is er vaak iets mogelijk.", "Uw huisarts of fysiotherapeut kan u aanmelden, maar u kunt ook zelf bellen."])

# ---- 3 Ontmoeting
kind("buurthuis", cats=["ontmoeting/buurthuis"], role="welzijn", form="formal", init="professioneel", refer=True,
     titles=["Beheerder buurthuis"], langs=[["nl"]],
     sched=[[W("MO,TU,WE,TH,FR", "09:00", "17:00")], [W("MO,TU,WE,TH,FR", "09:00", "22:00")], [W("MO,TU,WE,TH,FR", "08:30", "17:00"), W("SA", "10:00", "14:00", "Zaterdag")]],
     names=["{plek}", "Buurthuis {plek_kort}: open huis"],
     intro=["{plek} is het buurthuis van {buurt}. Hier kunt u binnenlopen voor een kop koffie, een cursus of een praatje.",
            "In {plek} gebeurt elke dag iets: van handwerken en bingo tot huiswerkhulp en een spreekuur.",
            "Het buurthuis is een plek voor en door bewoners van {buurt}."],
     body=["Wilt u zelf iets organiseren? U kunt hier gratis of voor weinig geld een ruimte gebruiken.",
           "Kijk op het prikbord of vraag aan de bar wat er deze week te doen is.",
           "Vrijwilligers uit de buurt staan achter de bar en heten u welkom."])
kind("huiskamer", cats=["ontmoeting/huiskamer", "eenzaamheid"], role="informal", form="informal", init="vrijwilligers",
     wor=True, tg=[["iedereen"], ["ouderen-65"], ["volwassenen"]],
     cost=[FREE, C(1.0, "€ 1,00 per keer, koffie en thee inbegrepen")],
     sched=[[W("TU,TH", "10:00", "13:00")], [W("WE", "10:00", "15:00")], [W("MO,FR", "13:00", "16:00")]],
     names=["Huiskamer {buurt}", "Buurthuiskamer {plek_kort}", "De Huiskamer van {buurt}"],
     intro=["In de Huiskamer van {buurt} is iedereen welkom voor koffie, een praatje of gewoon even gezelschap.",
            "Zit u veel alleen thuis? Kom naar de huiskamer in {plek}. Het voelt hier als thuis, maar dan samen.",
            "De huiskamer is een warme plek in de wijk waar buren elkaar ontmoeten."],
     body=["Vrijwilligers zetten koffie en thee en hebben tijd voor een gesprek.",
           "Soms lezen we de krant, doen we een spelletje of kookt iemand soep.",
           "U hoeft niets te doen en niets te kunnen: binnenlopen is genoeg."])
kind("koffieochtend", cats=["ontmoeting/inloop", "eenzaamheid"], role="informal", form="informal", init="bewonersinitiatief", eligibility="Voor iedereen uit de buurt",
     wor=True, tg=[["iedereen"], ["ouderen-65"], ["volwassenen"]],
     cost=[FREE, C(1.0, "€ 1,00 voor koffie of thee"), C(0.5, "€ 0,50 per kopje")],
     sched=[[W("TU", "10:00", "12:00")], [W("TH", "10:00", "11:30")], [W("WE,FR", "09:30", "11:30")], [W("MO", "10:00", "12:00")]],
     names=["Koffieochtend {buurt}", "Samen koffie drinken in {buurt}", "Buurtkoffie in {plek_kort}", "Koffie & Praat {buurt}"],
     intro=["Zin in een praatje? Bij de koffieochtend in {plek} drinkt u samen koffie met buren uit {buurt}.",
            "Elke week zetten bewoners uit {buurt} de koffie klaar in {plek}. Iedereen mag aanschuiven.",
            "Samen koffie drinken is een makkelijke manier om buren te leren kennen."],
     body=["U hoeft zich niet aan te melden en u mag gewoon binnenlopen.",
           "Er is altijd iemand om mee te praten, en soms doen we een spelletje of lezen we samen de krant.",
           "Nieuw in de buurt of zit u veel alleen? Juist dan bent u van harte welkom."])
kind("samen_eten", cats=["ontmoeting", "eenzaamheid"], role="informal", form="informal", init="vrijwilligers",
     wor=True, tg=[["iedereen"], ["ouderen-65"]],
     cost=[C(4.0, "€ 4,00 voor een driegangenmaaltijd"), C(3.5, "€ 3,50 per maaltijd, kinderen € 1,50"), C(5.0, "€ 5,00 inclusief drinken")],
     sched=[[W("WE", "17:30", "19:30")], [W("TH", "17:00", "19:00")], [W("FR", "12:00", "13:30")]],
     names=["Samen eten in {buurt}", "Buurtmaaltijd {plek_kort}", "Aanschuiftafel {buurt}", "Eettafel voor buren {buurt}"],
     intro=["Liever niet alleen eten? Schuif aan bij de buurtmaaltijd in {plek}.",
            "Elke week koken vrijwilligers een verse maaltijd voor buren uit {buurt}.",
            "Aan de aanschuiftafel eet u samen met andere buurtbewoners. Gezellig en betaalbaar."],
     body=["Meld u uiterlijk de dag ervoor aan, dan koken we genoeg.", "Er is altijd een vegetarische en halal keuze.",
           "Kunt u slecht lopen? Vraag naar de vrijwilligers die u kunnen ophalen."])
kind("repair_cafe", cats=["ontmoeting/inloop", "werk-dagbesteding/vrijwilligerswerk"], role="informal", form="informal",
     init="vrijwilligers", cost=[FREE, C(2.0, "Vrijwillige bijdrage, bijvoorbeeld € 2,00")],
     sched=[[M("1", "SA", "10:00", "13:00")], [M("3", "WE", "13:30", "16:30")], [W("SA", "10:00", "12:30")]],
     names=["Repair Café {buurt}", "Repair Café {plek_kort}"],
     intro=["Is uw broodrooster, fiets of broek kapot? Neem hem mee naar het Repair Café en repareer hem samen met een vrijwilliger.",
            "In het Repair Café maken buren samen spullen weer heel, onder het genot van koffie."],
     body=["Handige buren zoeken nog versterking: wilt u ook helpen repareren?", "Weggooien is zonde, en u leert er ook nog iets van."])
kind("moestuin", cats=["ontmoeting", "bewegen"], role="informal", form="informal", init="bewonersinitiatief", wor=True,
     cost=[FREE], sched=[[W("WE,SA", "10:00", "12:00")], [W("TU", "14:00", "16:00")]],
     names=["Buurtmoestuin {buurt}", "Samen tuinieren in {buurt}", "Pluktuin {plek_kort}"],
     intro=["In de buurtmoestuin van {buurt} tuinieren bewoners samen. U hoeft geen ervaring te hebben.",
            "Lekker buiten bezig zijn en samen groente kweken? Kom naar de moestuin achter {plek}."],
     body=["De oogst delen we met elkaar. Er zijn ook verhoogde bakken voor mensen die niet goed kunnen bukken.",
           "Na het werk drinken we samen thee in de tuin."])
kind("dagondersteuning", cats=["ontmoeting/dagondersteuning", "eenzaamheid"], role="welzijn", form="formal",
     init="professioneel", tg=[["ouderen-65"], ["ouderen-65", "chronisch-zieken"]], wor=True,
     cost=[C(3.0, "€ 3,00 per dagdeel, inclusief koffie en lunch"), C(2.5, "€ 2,50 per ochtend")],
     sched=[[W("TU,FR", "10:00", "15:00")], [W("MO,TH", "10:00", "13:00")]],
     names=["Ontmoetingsgroep voor ouderen {buurt}", "Dagactiviteiten 65+ in {plek_kort}", "Samen de dag door {buurt}"],
     intro=["Bij de ontmoetingsgroep in {plek} doen ouderen samen leuke dingen: spelletjes, bewegen, geheugentraining en samen lunchen.",
            "Zit u veel alleen thuis en mist u structuur in de week? Bij de dagactiviteiten bent u welkom zonder indicatie."],
     body=["Een beroepskracht en vrijwilligers begeleiden de groep.", "Vervoer kan soms geregeld worden, vraag ernaar."])
kind("dagbegeleiding", cats=["ontmoeting/dagbegeleiding", "werk-dagbesteding"], role="zorg", form="formal",
     init="professioneel", access="wmo", group="group", tg=[["lvb"], ["psychische-kwetsbaarheid"], ["mensen-met-dementie"]],
     waiting=["ongeveer 6 weken", "4 tot 8 weken", "op dit moment geen wachttijd"],
     sched=[[W("MO,TU,WE,TH,FR", "09:30", "15:30")], [W("MO,WE,FR", "10:00", "16:00")]],
     names=["Dagbegeleiding {plek_kort}", "Dagbesteding De Werkplaats {buurt}", "Dagbegeleiding op maat {gebied}"],
     intro=["Bij de dagbegeleiding werkt u in een kleine groep aan dingen die u leuk vindt, zoals koken, houtbewerken of tuinieren.",
            "Dagbegeleiding geeft structuur aan de week voor mensen die niet (meer) kunnen werken."],
     body=["Begeleiders helpen u bij wat u lastig vindt.", "U heeft een indicatie van de gemeente (Wmo) nodig. Het buurtteam helpt u daarmee."])

# ---- 4 Bewegen
kind("wandelgroep", cats=["bewegen/wandelgroep", "eenzaamheid"], role="informal", form="informal", init="vrijwilligers",
     wor=True, tg=[["iedereen"], ["ouderen-65"], ["volwassenen", "chronisch-zieken"]],
     sched=[[W("MO", "10:00", "11:00")], [W("TH", "09:30", "10:30")], [W("WE", "14:00", "15:00")], [W("MO,TH", "10:00", "11:00")]],
     names=["Wandelgroep {buurt}", "Samen wandelen in {buurt}", "Beweegwandeling {buurt}", "Ommetje met de buurt {buurt}"],
     intro=["Elke week wandelen we samen een rondje door {buurt}, in een rustig tempo.",
            "Samen wandelen is goed voor uw lijf én leuk om mensen te ontmoeten.",
            "De wandelgroep vertrekt vanaf {plek}. We lopen ongeveer een uur."],
     body=["Na afloop drinken we samen koffie.", "Er loopt altijd een vrijwilliger mee die de route kent. Ook met een rollator kunt u meedoen.",
           "U kunt zonder aanmelding meelopen. Trek makkelijke schoenen aan."])
kind("wandel_wor", cats=["welzijn-op-recept", "bewegen/wandelgroep", "eenzaamheid"], role="welzijn", form="formal",
     init="professioneel", wor=True, tg=[["volwassenen"], ["psychische-kwetsbaarheid", "volwassenen"]],
     sched=[[W("MO", "10:00", "11:30")], [W("MO", "13:30", "15:00")]],
     names=["Wandelgroep Welzijn op Recept {buurt}", "Maandagwandeling Welzijn op Recept {gebied}"],
     intro=["Deze wandelgroep is speciaal voor mensen die via Welzijn op Recept komen, maar iedereen mag meelopen.",
            "Elke maandag wandelen we samen vanuit {plek}, onder begeleiding van de welzijnscoach."],
     body=["We lopen rustig, praten onderweg en drinken daarna samen koffie. Meedoen is gratis.",
           "Het gaat niet om snel of ver lopen, maar om buiten zijn en mensen ontmoeten. Meedoen is gratis."])
kind("stoelyoga", cats=["bewegen", "ontmoeting"], role="welzijn", form="formal", init="professioneel", wor=True,
     tg=[["ouderen-65"]], cost=[C(2.0, "€ 2,00 per les"), C(2.5, "€ 2,50 per keer, eerste les gratis")],
     sched=[[W("TU", "10:30", "11:30")], [W("FR", "10:00", "11:00")]],
     names=["Stoelyoga voor 65-plussers {buurt}", "Meer Bewegen voor Ouderen {buurt}", "Gymgroep 65+ {plek_kort}"],
     intro=["Rustig bewegen op en naast een stoel: goed voor uw spieren, balans en humeur.",
            "Bij deze beweeggroep voor ouderen oefent u op muziek, in een groep van ongeveer twaalf mensen."],
     body=["Een bevoegde docent let erop dat de oefeningen bij u passen.", "Na de les is er koffie en tijd voor een praatje."])
kind("valpreventie", cats=["bewegen/valpreventie", "ouder-worden"], role="eerstelijn", form="formal",
     init="professioneel", access="huisarts", tg=[["ouderen-65"]], waiting=["ongeveer 2 weken", "start nieuwe groep elke 2 maanden"],
     cost=[("free", None, "Vergoed door de basisverzekering met verwijzing van de huisarts"), C(10.0, "€ 10,00 voor de hele cursus, vaak vergoed")],
     sched=[[W("WE", "14:00", "15:00")], [W("TU,FR", "09:00", "10:00")]],
     names=["Valpreventietraining {buurt}", "In Balans: cursus om vallen te voorkomen", "Vallen Verleden Tijd {plek_kort}"],
     intro=["Bent u bang om te vallen of bent u het afgelopen jaar gevallen? In deze training oefent u met evenwicht en kracht.",
            "De fysiotherapeut leert u in tien lessen hoe u veilig loopt, opstaat en valt."],
     body=["Uw huisarts of praktijkondersteuner kan u aanmelden.", "Na afloop voelt u zich vaak zekerder op straat en in huis."])
kind("gli", cats=["bewegen/gli"], role="eerstelijn", form="formal", init="professioneel", access="huisarts",
     group="both", tg=[["volwassenen"]], waiting=["2 tot 3 weken", "ongeveer 4 weken"], minimum_age=18,
     cost=[("free", None, "Vergoed uit de basisverzekering, gaat niet van uw eigen risico af")],
     sched=[[A("Op afspraak, groepsbijeenkomsten op donderdagavond")], [A()]],
     names=["Leefstijlcoach (GLI) {plek_kort}", "Gecombineerde Leefstijlinterventie {gebied}", "Gezond op Gewicht {buurt}"],
     intro=["Wilt u afvallen en gezonder leven? De leefstijlcoach helpt u twee jaar lang met gezond eten, meer bewegen en goed slapen.",
            "De gecombineerde leefstijlinterventie (GLI) is voor mensen met overgewicht. U krijgt persoonlijke gesprekken en komt in een groep."],
     body=["U heeft een verwijzing van uw huisarts nodig.", "U stelt zelf uw doelen. Kleine stappen, die u kunt volhouden."])
kind("stoppen_roken", cats=["bewegen/stoppen-met-roken"], role="eerstelijn", form="formal", init="professioneel",
     access="huisarts", group="both", tg=[["volwassenen"]], minimum_age=16, refer=True,
     cost=[("free", None, "Eén keer per jaar vergoed door de zorgverzekering")],
     sched=[[A("Op afspraak bij de praktijkondersteuner")], [W("WE", "19:00", "20:30", "Groepstraining op woensdagavond")]],
     names=["Stoppen met roken {plek_kort}", "Rookvrij worden: begeleiding bij de huisarts {buurt}", "Groepstraining stoppen met roken {gebied}"],
     intro=["Wilt u stoppen met roken? Met begeleiding is de kans veel groter dat het lukt.",
            "De praktijkondersteuner helpt u stap voor stap om te stoppen met roken, soms met hulpmiddelen zoals pleisters."],
     body=["U heeft een paar gesprekken, ook telefonisch.", "U krijgt tips voor moeilijke momenten en we bellen u na een paar weken op."])
kind("aangepast_sporten", cats=["bewegen/aangepast-sporten"], role="sport", form="informal", init="vrijwilligers",
     tg=[["lvb"], ["chronisch-zieken"], ["iedereen"]], cost=[C(5.0, "€ 5,00 per maand"), P(12.5, "€ 12,50 per maand contributie")],
     sched=[[W("SA", "10:00", "11:30")], [W("WE", "18:30", "19:30")], [W("TH", "19:00", "20:30")]],
     names=["Aangepast sporten {buurt}", "G-voetbal {gebied}", "Zwemmen met aanpassing {plek_kort}", "Rolstoelbasketbal {gebied}"],
     intro=["Sporten met een beperking kan ook. Bij deze club sport u in een groep met aangepaste regels.",
            "Voor mensen met een lichamelijke of verstandelijke beperking die graag willen sporten."],
     body=["Eerst twee keer gratis meedoen om te proberen.", "Trainers en vrijwilligers zijn ervaren en geduldig."])

# ---- 5 Mentale gezondheid
kind("herstelacademie", cats=["mentale-gezondheid/herstelacademie", "mentale-gezondheid/ervaringsdeskundigen"], role="ggz", setting="hybrid",
     form="formal", init="ervaringsdeskundigen", tg=[["psychische-kwetsbaarheid"]], minimum_age=18,
     sched=[[W("TU", "13:30", "15:30", "Cursussen op dinsdagmiddag"), W("TH", "10:00", "12:00", "Cursussen op donderdagochtend")], [W("MO,WE", "10:00", "12:30")]],
     names=["Herstelacademie {gebied}", "Cursussen over herstel {plek_kort}"],
     intro=["Bij de herstelacademie volgt u gratis cursussen over herstel, zoals 'Omgaan met stress' en 'Je eigen verhaal'.",
            "De herstelacademie is een leerplek voor mensen met psychische klachten. Ervaringsdeskundigen geven de cursussen."],
     body=["U heeft geen verwijzing of diagnose nodig.", "U leert van mensen die zelf weten hoe het is. Aanmelden kan per cursus."])
kind("lotgenoten", cats=["mentale-gezondheid/lotgenotencontact"], role="zelforg", form="informal", init="lotgenoten",
     tg=[["psychische-kwetsbaarheid"], ["volwassenen"]], minimum_age=18,
     sched=[[M("2", "TU", "19:30", "21:30")], [W("TH", "19:30", "21:00")], [M("1", "MO", "14:00", "16:00")]],
     variants=[("Lotgenotengroep depressie {gebied}", "Somber of depressief? In deze groep praat u met mensen die hetzelfde meemaken."),
               ("Praatgroep rouw en verlies {buurt}", "Heeft u iemand verloren? In deze praatgroep deelt u uw verdriet met anderen die ook een dierbare missen."),
               ("Lotgenotengroep angst en paniek {gebied}", "Heeft u last van angst of paniekaanvallen? In deze groep hoeft u niets uit te leggen: iedereen begrijpt het."),
               ("Gespreksgroep na een burn-out {gebied}", "Na een burn-out weer je weg vinden is lastig. In deze groep steunen deelnemers elkaar.")],
     body=["De groep wordt begeleid door twee ervaren vrijwilligers.", "Wat in de groep gezegd wordt, blijft in de groep.",
           "U kunt eerst een keer komen kijken."])
kind("inloop_ggz", cats=["mentale-gezondheid/inloop-ggz", "ontmoeting/inloop"], role="ggz", form="formal",
     init="professioneel", tg=[["psychische-kwetsbaarheid"]], cost=[FREE, C(1.0, "Lunch € 1,00")],
     sched=[[W("MO,WE,FR", "10:00", "16:00")], [W("TU,TH", "12:00", "17:00")]],
     names=["Inloophuis {plek_kort}", "Inloop voor ontmoeting en steun {buurt}", "Open Huis GGZ {gebied}"],
     intro=["Het inloophuis is een rustige plek voor mensen met psychische kwetsbaarheid. U kunt hier komen zonder afspraak.",
            "Even ergens zijn waar het veilig is? In het inloophuis drinkt u koffie, doet u mee met een activiteit of praat u met een medewerker."],
     body=["Er zijn vaste medewerkers en ervaringsdeskundigen aanwezig.", "U hoeft niet in behandeling te zijn."])
kind("ervaringsdeskundige_inloop", cats=["mentale-gezondheid/ervaringsdeskundigen", "eenzaamheid"], role="ggz",
     form="informal", init="ervaringsdeskundigen", tg=[["psychische-kwetsbaarheid", "volwassenen"]],
     sched=[[W("WE", "14:00", "16:00")], [W("TH", "13:00", "15:00")]],
     names=["Praatpunt: iemand om mee te praten {buurt}", "Spreekuur ervaringsdeskundige {buurt}", "Zorgen? Praat erover {plek_kort}"],
     intro=["Zit u ergens mee en wilt u gewoon iemand om mee te praten? Bij het praatpunt zitten ervaringsdeskundigen voor u klaar.",
            "Ervaringsdeskundigen weten uit eigen ervaring hoe het is om het moeilijk te hebben. Ze luisteren en denken met u mee."],
     body=["U kunt zonder afspraak binnenlopen.", "Het gesprek is gratis en u blijft anoniem als u dat wilt."])
kind("zelfhulp_online", cats=["mentale-gezondheid/zelfhulp-online"], role="ggz", form="formal", init="professioneel",
     setting="online", group="individual", located=False, area="regio", tg=[["volwassenen"], ["jongeren"]], minimum_age=16,
     sched=[[A("Altijd beschikbaar, online")]],
     names=["Online zelfhulp bij somberheid", "Piekerwijzer: online cursus tegen piekeren", "Online cursus Beter Slapen"],
     intro=["Met deze online cursus werkt u in uw eigen tempo aan uw klachten, thuis op uw computer of telefoon.",
            "Een gratis online programma voor mensen die veel piekeren, somber zijn of slecht slapen."],
     body=["Een coach kijkt elke week mee en stuurt u een berichtje.", "U kunt anoniem meedoen."])
kind("lotgenoten_online", cats=["mentale-gezondheid/lotgenotencontact", "mentale-gezondheid/zelfhulp-online", "eenzaamheid"],
     role="zelforg", form="informal", init="lotgenoten", setting="online", located=False, area="regio_wide",
     tg=[["psychische-kwetsbaarheid"], ["volwassenen"]], minimum_age=18,
     sched=[[W("TU", "20:00", "21:00", "Elke dinsdagavond online")]],
     names=["Online lotgenotengroep Samen Sterker", "Online praatgroep Niet Alleen"],
     intro=["In deze online groep praat u via videobellen met mensen die ook eenzaam of somber zijn. U doet mee vanaf de bank.",
            "Elke week is er een online bijeenkomst voor lotgenoten uit de hele regio Utrecht."],
     body=["Twee getrainde vrijwilligers met eigen ervaring begeleiden het gesprek.", "U krijgt na aanmelding een link. Camera aan is niet verplicht."])

# ---- 6 Eenzaamheid
kind("maatjes", cats=["eenzaamheid/maatjes"], role="maatjes", form="informal", init="vrijwilligers", eligibility="Voor volwassen bewoners van {gebied}",
     group="individual", located=False, area="wijk", tg=[["iedereen"], ["ouderen-65"], ["volwassenen"]],
     waiting=None, sched=[[A("Samen met uw maatje spreekt u een vast moment af")]], titles=["Coördinator maatjes"],
     names=["Maatjesproject {gebied}", "Een maatje in {gebied}", "Maatje voor een ommetje {gebied}"],
     intro=["Zit u veel alleen en zou u graag iemand hebben om mee op stap te gaan? Via het maatjesproject krijgt u een vrijwilliger die bij u past.",
            "Een maatje is een vrijwilliger die ongeveer één keer per week met u afspreekt: een wandeling, samen boodschappen doen of gewoon praten."],
     body=["De coördinator komt eerst bij u thuis kennismaken.", "Het maatjescontact duurt meestal een jaar.",
           "Ook de huisarts of het buurtteam kan u aanmelden."])
kind("burenhulp", cats=["eenzaamheid/burenhulp"], role="informal", form="informal", init="bewonersinitiatief",
     group="individual", located=False, area="wijk", sched=[[A("Bel of app, dan zoeken we een buur die kan helpen")]],
     names=["Burenhulp {gebied}", "Buren helpen buren {gebied}", "Klusjesdienst voor buren {gebied}"],
     intro=["Een lamp vervangen, een boodschap doen of samen naar de dokter: buren helpen elkaar met kleine klusjes.",
            "Heeft u af en toe hulp nodig bij een klein klusje, of wilt u juist een buur helpen? Meld u aan bij burenhulp."],
     body=["De hulp is gratis, alleen materiaal betaalt u zelf.", "Een vrijwilliger zoekt een buur die in de buurt woont en tijd heeft."])
kind("huisbezoek75", cats=["eenzaamheid/huisbezoek-75", "ouder-worden"], role="welzijn", form="formal", eligibility="Voor inwoners van {gebied} van 75 jaar en ouder",
     init="vrijwilligers", group="individual", located=False, area="wijk", tg=[["ouderen-75"]], minimum_age=75,
     sched=[[A("Huisbezoek op afspraak")]],
     names=["Huisbezoek 75-plus {gebied}", "Op bezoek bij 75-plussers in {gebied}"],
     intro=["Bent u 75 jaar of ouder? Een getrainde vrijwilliger komt graag bij u langs voor een gesprek over hoe het met u gaat.",
            "Alle inwoners van 75 jaar en ouder krijgen een brief met het aanbod voor een gratis huisbezoek."],
     body=["We praten over gezondheid, wonen, contacten en wat u nodig heeft. U beslist zelf waar het over gaat.",
           "Als u hulp nodig heeft, zoeken we samen naar de juiste plek."])
kind("telefooncirkel", cats=["eenzaamheid", "ouder-worden"], role="informal", form="informal", init="vrijwilligers",
     setting="online", group="group", located=False, area="wijk", tg=[["ouderen-65"]],
     sched=[[W("MO,TU,WE,TH,FR", "09:30", "10:30", "Elke ochtend een belrondje")]],
     names=["Telefooncirkel {gebied}", "Goedemorgen-belronde {gebied}"],
     intro=["Elke ochtend belt u iemand uit de cirkel en wordt u zelf gebeld. Zo weet u dat er iemand aan u denkt.",
            "In de telefooncirkel bellen ouderen elkaar elke ochtend op voor een kort praatje."],
     body=["Als iemand niet opneemt, bellen we een contactpersoon.", "Meedoen is gratis, u heeft alleen een telefoon nodig."])
kind("vervoer", cats=["eenzaamheid/vervoer", "ouder-worden"], role="vervoer", form="informal", init="vrijwilligers",
     group="individual", located=False, area="gemeente", tg=[["ouderen-65"], ["chronisch-zieken", "ouderen-65"]],
     cost=[C(0.35, "€ 0,35 per kilometer, u betaalt de chauffeur"), C(3.0, "€ 3,00 per rit binnen de gemeente")],
     sched=[[W("MO,TU,WE,TH,FR", "09:00", "12:00", "Ritten aanvragen op werkdagen van 9 tot 12 uur")]],
     names=["Vrijwillige vervoersdienst {gemeente}", "Rijdende buren {gemeente}", "Vervoer met vrijwilligers {gemeente}"],
     intro=["Kunt u niet meer zelf rijden en is het openbaar vervoer lastig? Vrijwilligers rijden u met hun eigen auto naar de dokter, de kapper of op visite.",
            "Met de vervoersdienst komt u weer de deur uit. Een vrijwillige chauffeur brengt u en haalt u weer op."],
     body=["Vraag uw rit twee werkdagen van tevoren aan.", "Ook een rolstoel of rollator kan mee."])
kind("eenzaamheid_vrouwengroep", cats=["eenzaamheid", "ontmoeting"], role="zelforg", form="informal", init="bewonersinitiatief",
     tg=[["volwassenen", "statushouders"]], langs=[["nl", "ar"], ["nl", "tr"], ["nl", "so", "ar"], ["nl", "ti"]],
     sched=[[W("TH", "10:00", "12:30")], [W("WE", "13:00", "15:00")]],
     names=["Vrouwenochtend {buurt}", "Thee en verhalen: vrouwengroep {buurt}"],
     intro=["Een ochtend voor vrouwen uit {buurt}: thee drinken, praten, samen koken of een uitstapje maken.",
            "Veel vrouwen in de wijk zitten veel thuis. In deze groep maakt u nieuwe vriendinnen."],
     body=["We spreken Nederlands, en helpen elkaar in andere talen als dat nodig is.", "Kinderen tot 4 jaar mogen mee."])
kind("mannengroep", cats=["eenzaamheid", "ontmoeting"], role="informal", form="informal", init="bewonersinitiatief",
     tg=[["volwassenen"], ["ouderen-65"]], cost=[FREE, C(1.5, "€ 1,50 inclusief koffie")],
     sched=[[W("FR", "10:00", "12:30")], [W("TU", "13:30", "16:00")]],
     names=["Mannen in de Wijk {buurt}", "Koffie en klussen voor mannen {buurt}"],
     intro=["Voor mannen die het leuk vinden om samen te klussen, te praten of een potje te biljarten.",
            "Mannen praten niet zo snel over alleen zijn. Daarom doen we hier gewoon samen iets: klussen, koffie, sport kijken."],
     body=["Geen verplichtingen, u komt wanneer u wilt.", "Nieuwe mannen zijn altijd welkom, ook als u niemand kent."])

# ---- 7 Mantelzorg
kind("mantelzorgconsulent", cats=["mantelzorg/mantelzorgondersteuning"], role="mantelzorg", form="formal", setting="hybrid",
     init="professioneel", group="individual", located=True, area="gemeente", tg=[["mantelzorgers"]],
     sched=[[A("Op afspraak, ook bij u thuis of telefonisch")], [W("TU", "09:00", "12:00", "Telefonisch spreekuur op dinsdag"), A("Of op afspraak")]],
     names=["Mantelzorgconsulent {gemeente}", "Steunpunt Mantelzorg {gemeente}", "Advies en steun voor mantelzorgers {gebied}"],
     intro=["Zorgt u voor iemand die ziek is, een beperking heeft of oud is? Dan bent u mantelzorger. De mantelzorgconsulent denkt met u mee.",
            "De zorg voor uw naaste kan zwaar zijn. Bij het steunpunt krijgt u advies, een luisterend oor en praktische hulp."],
     body=["We helpen u met regelzaken, vervangende zorg en het vinden van lotgenoten.", "Mantelzorgers kunnen zich hier ook aanmelden voor de mantelzorgwaardering."])
kind("respijt", cats=["mantelzorg/respijtzorg"], role="zorg", form="formal", init="professioneel", group="individual",
     located=False, area="gemeente", access="buurtteam", tg=[["mantelzorgers"], ["mantelzorgers", "mensen-met-dementie"]],
     waiting=["ongeveer 2 weken", "wisselend, vraag ernaar"],
     sched=[[A("In overleg, overdag, 's avonds of in het weekend")]],
     cost=[FREE, C(2.0, "€ 2,00 per uur eigen bijdrage")],
     names=["Respijtzorg thuis {gemeente}", "Even vrij van de zorg: logeeropvang {gemeente}", "Oppas voor uw naaste {gemeente}"],
     intro=["Als mantelzorger heeft u soms even tijd voor uzelf nodig. Een getrainde vrijwilliger of zorgverlener neemt de zorg een paar uur van u over.",
            "Bij respijtzorg neemt iemand anders de zorg tijdelijk over, zodat u even op adem kunt komen."],
     body=["Het buurtteam of de mantelzorgconsulent helpt u met de aanvraag.", "Zo kunt u het volhouden, ook op de lange termijn."])
kind("mantelzorg_gespreksgroep", cats=["mantelzorg/gespreksgroep"], role="mantelzorg", form="informal", init="lotgenoten", eligibility="Voor iedereen die zorgt voor een naaste",
     tg=[["mantelzorgers"]], sched=[[M("2", "TH", "19:30", "21:30")], [M("1", "WE", "10:00", "12:00")], [W("TU", "19:30", "21:00")]],
     names=["Gespreksgroep mantelzorgers {buurt}", "Mantelzorgcafé {gebied}", "Lotgenotengroep jonge mantelzorgers {gebied}"],
     intro=["Praten met andere mantelzorgers die hetzelfde meemaken, helpt. In deze gespreksgroep is daar tijd voor.",
            "Het mantelzorgcafé is een gezellige avond waar mantelzorgers elkaar ontmoeten en tips uitwisselen."],
     body=["Soms komt er een spreker over een onderwerp, zoals dementie of regelzaken.", "U bent welkom, ook als u maar één keer wilt komen kijken."])
kind("vrijwillige_thuishulp", cats=["mantelzorg/vrijwilligers-zorg", "eenzaamheid"], role="zorg", form="informal",
     init="vrijwilligers", group="individual", located=False, area="gemeente", tg=[["chronisch-zieken"], ["ouderen-65"]],
     sched=[[A("In overleg")]],
     variants=[("Vrijwillige thuishulp {gemeente}", "Vrijwilligers komen bij u thuis voor gezelschap, een wandeling of een kleine boodschap."),
               ("Vrijwilligers in de laatste levensfase {gemeente}", "Getrainde vrijwilligers waken bij mensen in de laatste levensfase en ondersteunen de familie."),
               ("Vriendelijk Bezoek {gemeente}", "Een vaste vrijwilliger komt regelmatig op bezoek bij mensen die ziek zijn of weinig contacten hebben.")],
     body=["Zo krijgt de mantelzorger ook even rust.", "De hulp is gratis. Een coördinator komt eerst kennismaken."])

# ---- 8 Ouder worden
kind("alzheimer_cafe", cats=["ouder-worden/dementie", "mantelzorg/gespreksgroep"], role="dementie", form="informal",
     init="vrijwilligers", tg=[["mensen-met-dementie"], ["mensen-met-dementie", "mantelzorgers"]],
     sched=[[M("3", "TH", "19:30", "21:30")], [M("1", "TU", "14:00", "16:00")]],
     names=["Geheugencafé {buurt}", "Dementiecafé {gebied}", "Café Vergeet-mij-niet {buurt}"],
     intro=["In het café praten mensen met dementie, hun partners en kinderen met elkaar en met deskundigen.",
            "Elke maand is er een avond met een thema, zoals 'wat is dementie?' of 'hoe houd ik het vol als mantelzorger?'."],
     body=["Aanmelden is niet nodig en de koffie is gratis.", "Ook buren en vrienden van iemand met dementie zijn welkom."])
kind("ontmoetingscentrum_dementie", cats=["ouder-worden/dementie", "ontmoeting/dagondersteuning", "mantelzorg/respijtzorg"],
     role="dementie", form="formal", init="professioneel", access="buurtteam", tg=[["mensen-met-dementie"]],
     waiting=["ongeveer 3 weken", "op dit moment 4 tot 6 weken"], cost=[C(4.0, "€ 4,00 per dag voor de lunch")],
     sched=[[W("MO,WE,FR", "10:00", "16:00")], [W("TU,TH", "09:30", "15:30")]],
     names=["Ontmoetingscentrum voor mensen met dementie {plek_kort}", "Ontmoetingscentrum De Herinnering {buurt}"],
     intro=["In het ontmoetingscentrum komen mensen met beginnende dementie een of meer dagen per week samen.",
            "Samen bezig zijn, bewegen en lunchen: het ontmoetingscentrum geeft mensen met dementie een fijne dag en de mantelzorger wat rust."],
     body=["Ook mantelzorgers krijgen steun, bijvoorbeeld in een gespreksgroep.", "Het buurtteam of de casemanager dementie meldt u aan."])
kind("casemanager_dementie", cats=["ouder-worden/dementie", "mantelzorg/mantelzorgondersteuning"], role="dementie", form="formal",
     init="professioneel", access="huisarts", group="individual", located=False, area="gemeente", tg=[["mensen-met-dementie"]],
     waiting=["ongeveer 2 weken"], sched=[[A("Huisbezoeken op afspraak")]],
     names=["Casemanager dementie {gemeente}"],
     intro=["De casemanager dementie begeleidt mensen met dementie en hun naasten vanaf de diagnose.",
            "Na de diagnose dementie krijgt u een vaste casemanager die bij u thuis komt."],
     body=["Zij helpt met zorg regelen, vragen over gedrag en plannen voor later.", "U heeft een verwijzing van de huisarts nodig. De zorg wordt vergoed door de zorgverzekering."])
kind("hulpmiddelen", cats=["ouder-worden/hulpmiddelen"], role="zorg", form="formal", init="professioneel", group="individual",
     tg=[["ouderen-65"], ["chronisch-zieken"]], cost=[FREE, P(5.0, "Lenen gratis de eerste 3 maanden, daarna € 5,00 per maand")],
     sched=[[W("MO,TU,WE,TH,FR", "09:00", "16:30")], [W("MO,WE,FR", "10:00", "15:00")]],
     names=["Uitleenpunt hulpmiddelen {plek_kort}", "Rollator en rolstoel lenen in {gebied}", "Hulpmiddelenwinkel {buurt}"],
     intro=["Heeft u tijdelijk een rollator, krukken of een rolstoel nodig? Bij het uitleenpunt kunt u die lenen.",
            "Na een operatie of val heeft u soms even hulpmiddelen nodig. Hier leent u ze snel en eenvoudig."],
     body=["Neem uw zorgpas en een identiteitsbewijs mee.", "Een ergotherapeut geeft op afspraak advies over hulpmiddelen in huis."])
kind("wonen_met_zorg", cats=["ouder-worden/wonen-met-zorg", "wonen-opvang"], role="zorg", form="formal",
     init="professioneel", group="individual", access="wmo", tg=[["ouderen-75"], ["ouderen-65"]],
     waiting=["wachtlijst van ongeveer 6 maanden", "ongeveer 1 jaar"], cost=[P(650.0, "Servicekosten vanaf € 650,00 per maand; de zorg gaat volgens uw indicatie")],
     sched=[[A("Rondleiding op afspraak")]],
     names=["Wonen met zorg {plek_kort}", "Seniorenwoningen met zorg in de buurt {buurt}"],
     intro=["In dit woongebouw wonen ouderen zelfstandig in een eigen appartement, met zorg en hulp dichtbij.",
            "Langer zelfstandig wonen, maar met zorg om de hoek: dat kan in dit woonzorgcomplex."],
     body=["Er is een ontmoetingsruimte met elke dag activiteiten.", "Voor de zorg heeft u een indicatie nodig. We helpen u bij de aanvraag."])

# ---- 9 Geld
kind("formulierenhulp", cats=["geld/formulierenhulp"], role="informal", form="informal", init="vrijwilligers",
     group="individual", langs=[["nl", "ar", "tr"], ["nl", "en"], ["nl"], ["nl", "ti", "ar"]],
     sched=[[W("TU", "09:30", "11:30")], [W("WE", "13:00", "15:00")], [W("MO,TH", "10:00", "12:00")]],
     names=["Hulp bij formulieren {buurt}", "Formulierenspreekuur {plek_kort}", "Brievenhulp {buurt}", "Hulp bij post en papieren {buurt}"],
     intro=["Krijgt u brieven die u niet begrijpt, of moet u een formulier invullen? Vrijwilligers helpen u op het formulierenspreekuur.",
            "Hulp bij formulieren, toeslagen en brieven van de gemeente of de Belastingdienst.",
            "Snapt u uw post niet? Neem uw brieven mee naar het spreekuur."],
     body=["U kunt zonder afspraak binnenlopen. Neem uw DigiD en de brieven mee.",
           "De vrijwilligers zijn getraind en gaan vertrouwelijk met uw gegevens om.",
           "Als het ingewikkeld wordt, verwijzen we u door naar het buurtteam."])
kind("thuisadministratie", cats=["geld/formulierenhulp", "geld/schuldhulp"], role="geldvrijwilligers", form="informal",
     init="vrijwilligers", group="individual", located=False, area="gemeente", waiting=None,
     sched=[[A("Een vrijwilliger komt bij u thuis, ongeveer één keer per week")]],
     names=["Thuisadministratie {gemeente}", "Hulp bij uw administratie thuis {gemeente}", "Papieren op orde {gemeente}"],
     intro=["Ligt er een stapel post en weet u niet waar u moet beginnen? Een vrijwilliger helpt u thuis om uw administratie op orde te krijgen.",
            "Samen met een vrijwilliger maakt u overzicht: welke rekeningen moet u betalen en waar heeft u recht op?"],
     body=["U leert zelf uw papieren bij te houden.", "De hulp duurt meestal een jaar en is gratis."])
kind("schuldhulp", cats=["geld/schuldhulp"], role="gemeente", form="formal", init="professioneel", group="individual",
     area="gemeente", access="open", waiting=["ongeveer 4 weken", "binnen 3 werkdagen een eerste gesprek", "2 tot 6 weken"],
     langs=[["nl"], ["nl", "en"]],
     sched=[[W("MO,TU,WE,TH,FR", "09:00", "17:00", "Telefonisch bereikbaar op werkdagen")], [A()]],
     names=["Schuldhulpverlening {gemeente}", "Hulp bij schulden {gemeente}", "Schuldhulp: van rood staan naar rust {gemeente}"],
     intro=["Heeft u schulden of moet u steeds rood staan? Hoe eerder u hulp vraagt, hoe makkelijker het is om het op te lossen.",
            "Schuldhulpverlening helpt u om grip te krijgen op uw geld en uw schulden af te lossen."],
     body=["Samen maken we een overzicht en een plan. Als het nodig is, praten wij met de schuldeisers.",
           "De hulp is gratis en u hoeft zich niet te schamen: het overkomt veel mensen."])
kind("geldcafe", cats=["geld/schuldhulp", "geld/formulierenhulp"], role="informal", form="informal", init="vrijwilligers",
     group="both", langs=[["nl"], ["nl", "ar"]],
     sched=[[W("TH", "13:30", "16:00")], [W("MO", "19:00", "21:00")]],
     names=["Geldcafé {buurt}", "Spreekuur Geldzaken {plek_kort}", "Budgetmaatjes {gebied}"],
     intro=["Komt u niet rond, moet u vaak rood staan of heeft u schulden? In het Geldcafé helpen vrijwilligers u verder.",
            "Budgetmaatjes zijn vrijwilligers die u helpen overzicht te krijgen in uw geld."],
     body=["We kijken ook of u toeslagen of regelingen mist.", "Geen afspraak nodig. U kunt ook met uw partner of een vriend komen."])
kind("geldzorgen_overvecht", cats=["geld", "geld/formulierenhulp"], role="informal", form="informal", init="ervaringsdeskundigen",
     group="individual", langs=[["nl", "ar", "tr"]], sched=[[W("WE", "09:30", "12:00")]],
     names=["Spreekuur Geldzorgen {buurt}"],
     intro=["Maakt u zich zorgen over geld? Liggen er rekeningen die u niet kunt betalen, of weet u niet hoe lang u nog rondkomt?"],
     body=["Bij dit spreekuur praat u met iemand die zelf ook geldzorgen heeft gehad. Samen zoeken we uit waar u recht op heeft, zoals toeslagen of de Stadspas."],
     fixed_body=True)
kind("vroegsignalering", cats=["geld/vroegsignalering"], role="gemeente", form="formal", init="professioneel",
     group="individual", located=False, area="gemeente", refer=False, sched=[[A("Wij nemen contact met u op")]],
     names=["Op tijd erbij {gemeente}", "Vroeg erbij bij betalingsachterstanden {gemeente}"],
     intro=["Als u de huur, energie of zorgverzekering een paar maanden niet betaalt, krijgen wij daar een seintje over. Een medewerker belt of komt bij u langs.",
            "Vroegsignalering betekent dat we u helpen voordat geldproblemen groot worden."],
     body=["U hoeft niets te doen. U beslist zelf of u de hulp aanneemt.", "Zo voorkomen we dat u uit huis wordt gezet of zonder stroom komt te zitten."])
kind("voedselbank", cats=["geld", "wonen-opvang"], role="informal", form="informal", init="vrijwilligers", access="buurtteam", eligibility="Voor huishoudens met een laag inkomen, met een verwijzing",
     group="individual", tg=[["iedereen"]], sched=[[W("FR", "13:00", "16:00")], [W("TH", "14:00", "17:00")]],
     names=["Voedselbank uitgiftepunt {buurt}", "Weggeefwinkel {plek_kort}"],
     intro=["Heeft u weinig geld voor eten? Bij het uitgiftepunt haalt u elke week een pakket met boodschappen.",
            "In de weggeefwinkel kunt u gratis kleding, speelgoed en huisraad uitzoeken."],
     body=["U heeft een verwijzing nodig van het buurtteam of de schuldhulp.", "De vrijwilligers ontvangen u met respect en zonder vragen."])

# ---- 10 Taal & digitaal
kind("taalcafe", cats=["taal-digitaal/taalcafe", "ontmoeting"], role="informal", form="informal", init="vrijwilligers", eligibility="Voor iedereen die Nederlands wil oefenen",
     tg=[["statushouders"], ["statushouders", "laaggeletterden"], ["iedereen"]], langs=[["nl"]],
     sched=[[W("WE", "19:00", "20:30")], [W("TU", "10:00", "11:30")], [W("MO,TH", "14:00", "15:30")]],
     names=["Taalcafé {buurt}", "Taalcafé {plek_kort}", "Praat Nederlands! Taalcafé {buurt}"],
     intro=["In het taalcafé oefent u Nederlands spreken, in een ontspannen sfeer met koffie en thee.",
            "Wilt u beter Nederlands spreken? In het taalcafé praat u met buren en vrijwilligers over gewone dingen.",
            "Elke week komen nieuwe en oude buren samen om Nederlands te praten."],
     body=["Het maakt niet uit hoe goed uw Nederlands is: iedereen is welkom.", "Er zijn kleine tafels met een vrijwilliger, zodat iedereen aan de beurt komt.",
           "U hoeft zich niet aan te melden."])
kind("taalmaatje", cats=["taal-digitaal", "eenzaamheid/maatjes"], role="taal", form="informal", init="vrijwilligers",
     group="individual", located=False, area="gemeente", tg=[["statushouders", "laaggeletterden"]], minimum_age=18,
     sched=[[A("Eén keer per week, samen met uw taalmaatje afspreken")]],
     names=["Taalmaatje {gemeente}", "Taalcoach aan huis {gemeente}"],
     intro=["Een taalmaatje is een vrijwilliger die één keer per week met u Nederlands oefent, bijvoorbeeld bij u thuis of in de bibliotheek.",
            "Met een taalcoach oefent u de Nederlandse taal in het dagelijks leven: bij de dokter, op school of in de winkel."],
     body=["U bepaalt samen wat u wilt leren.", "Veel taalmaatjes worden ook een vriend in de buurt."])
kind("digiwijs", cats=["taal-digitaal/digiwijs"], role="library", form="formal", init="professioneel",
     tg=[["ouderen-65"], ["laaggeletterden"], ["iedereen"]], cost=[FREE, C(5.0, "€ 5,00 voor de hele cursus")],
     sched=[[W("MO", "10:00", "12:00")], [W("TH", "13:30", "15:30")]],
     names=["Cursus Digiwijs {plek_kort}", "Klik & Tik in {plek_kort}", "Werken met de tablet voor beginners {buurt}"],
     intro=["Leer in een kleine groep omgaan met de computer, tablet of smartphone.",
            "Wilt u leren appen, mailen of videobellen met uw kleinkinderen? In deze cursus leert u het stap voor stap."],
     body=["U oefent op uw eigen apparaat of op een computer van de bibliotheek.", "De cursus duurt zes weken. Aanmelden bij de balie."])
kind("digi_spreekuur", cats=["taal-digitaal/digi-spreekuur"], role="library", form="informal", init="vrijwilligers",
     group="individual", tg=[["iedereen"], ["ouderen-65"]],
     sched=[[W("WE", "10:00", "12:00")], [W("FR", "14:00", "16:00")], [W("TU", "13:30", "15:30")]],
     names=["Digi-spreekuur {plek_kort}", "Hulp met uw telefoon en tablet {buurt}", "Digicafé {buurt}"],
     intro=["Loopt u vast met uw telefoon, tablet of laptop? Vrijwilligers helpen u bij het digi-spreekuur.",
            "Hulp bij apps, DigiD, e-mail, wachtwoorden of foto's op uw telefoon."],
     body=["Neem uw eigen apparaat en uw wachtwoorden mee.", "U kunt zonder afspraak langskomen. Soms moet u even wachten."])
kind("taalhuis", cats=["taal-digitaal", "toegang/bibliotheek"], role="taal", form="formal", init="professioneel",
     group="both", tg=[["laaggeletterden"], ["laaggeletterden", "statushouders"]], minimum_age=18,
     sched=[[W("TU,TH", "10:00", "12:00")], [W("WE", "13:00", "16:00")]],
     names=["Taalhuis {plek_kort}", "Beter lezen en schrijven {gebied}"],
     intro=["Vindt u lezen, schrijven of rekenen moeilijk? In het Taalhuis vindt u een cursus of een taalvrijwilliger die bij u past.",
            "Het Taalhuis helpt volwassenen die beter willen lezen en schrijven, ook als ze al lang in Nederland wonen."],
     body=["U krijgt eerst een gesprek. Daarna zoeken we samen de beste manier om te leren.", "Niemand hoeft zich te schamen: veel mensen vinden lezen moeilijk."])

# ---- 11 Jeugd & gezin
kind("jongerenwerk", cats=["jeugd-gezin/jongerenwerk"], role="welzijn", form="formal", init="professioneel",
     tg=[["jongeren"]], minimum_age=12, maximum_age=23,
     sched=[[W("WE,FR", "15:00", "21:00")], [W("TU,TH", "16:00", "22:00")], [W("MO,WE", "14:00", "18:00"), W("SA", "13:00", "17:00", "Zaterdagmiddag")]],
     names=["Jongerenwerk {gebied}", "Jongerencentrum {plek_kort}", "Jongerenhuis {buurt}"],
     intro=["Voor jongeren van 12 tot 23 jaar: chillen, gamen, sporten of gewoon even praten met de jongerenwerker.",
            "Heb je een idee, een probleem of zoek je een bijbaan? De jongerenwerkers van {gebied} helpen je verder."],
     body=["Je kunt gewoon binnenlopen. Het is gratis.", "We organiseren ook activiteiten met en voor jongeren uit de wijk.",
           "Je kunt de jongerenwerkers ook appen."])
kind("opvoed", cats=["jeugd-gezin/opvoedondersteuning"], role="welzijn", form="formal", init="professioneel", group="both",
     tg=[["ouders"]], langs=[["nl"], ["nl", "ar", "tr"], ["nl", "en"]],
     sched=[[W("TH", "09:00", "11:00")], [W("TU", "09:00", "11:00", "Ouderkamer op dinsdagochtend"), A("Of op afspraak")]],
     names=["Ouderkamer {buurt}", "Opvoedspreekuur {gebied}", "Koffie voor ouders: praten over opvoeden {buurt}"],
     intro=["Opvoeden is mooi, maar soms ook zwaar. In de ouderkamer praat u met andere ouders en een opvoedcoach.",
            "Heeft u vragen over slapen, eten, driftbuien of schermtijd? De opvoedcoach denkt met u mee."],
     body=["Gewoon binnenlopen na het brengen van de kinderen.", "Ook vaders zijn van harte welkom."])
kind("kansrijke_start", cats=["jeugd-gezin/kansrijke-start"], role="jgz", form="formal", init="professioneel",
     group="individual", located=False, area="gemeente", access="open", tg=[["ouders"]], langs=[["nl", "en", "ar"]],
     sched=[[A("Huisbezoeken op afspraak")]],
     names=["Kansrijke Start {gemeente}", "Steun tijdens de zwangerschap {gemeente}", "Mama-maatje {gemeente}"],
     intro=["Bent u zwanger en maakt u zich zorgen, bijvoorbeeld over geld, wonen of uw relatie? Kansrijke Start helpt u tijdens de zwangerschap en het eerste jaar.",
            "Een goede start voor uw baby begint al in de zwangerschap. Een verpleegkundige of een vrijwillig mama-maatje staat naast u."],
     body=["De verloskundige of het consultatiebureau kan u aanmelden, maar u kunt ook zelf bellen.", "We komen bij u thuis."])
kind("huiswerkhulp", cats=["jeugd-gezin", "taal-digitaal"], role="informal", form="informal", init="vrijwilligers",
     tg=[["kinderen"], ["kinderen", "jongeren"]], minimum_age=8, maximum_age=16,
     sched=[[W("MO,WE", "15:30", "17:30")], [W("TU,TH", "15:00", "17:00")]],
     names=["Huiswerkklas {buurt}", "Huiswerkhulp {plek_kort}"],
     intro=["Kinderen uit groep 6 tot en met de tweede klas krijgen hier hulp bij hun huiswerk.",
            "Studenten helpen kinderen uit de buurt met lezen, rekenen en huiswerk."],
     body=["Er is fruit en een rustige plek om te werken.", "Ouders kunnen hun kind aanmelden bij de balie."])

# ---- 12 Werk & dagbesteding
kind("vrijwilligerswerk", cats=["werk-dagbesteding/vrijwilligerswerk"], role="welzijn", form="formal", init="professioneel",
     group="individual", wor=True, area="wijk", tg=[["iedereen"]],
     sched=[[W("TH", "10:00", "12:00", "Inloop op donderdag"), A("Of op afspraak")], [A()]],
     names=["Vrijwilligerswerk vinden in {gebied}", "Vrijwilligerspunt {gebied}", "Iets betekenen voor de buurt: vacaturebank {gebied}"],
     intro=["Wilt u iets doen voor een ander of voor de buurt? Bij het vrijwilligerspunt zoeken we samen vrijwilligerswerk dat bij u past.",
            "Vrijwilligerswerk geeft plezier, contacten en structuur. We hebben altijd vacatures: van chauffeur tot gastvrouw."],
     body=["Ook als u weinig Nederlands spreekt of een beperking heeft, is er vaak iets mogelijk.", "Kom langs voor een kennismakingsgesprek."])
kind("activering", cats=["werk-dagbesteding/arbeidsmatige-activering"], role="zorg", form="formal", init="professioneel",
     access="buurtteam", group="group", tg=[["psychische-kwetsbaarheid"], ["lvb"], ["volwassenen"]], minimum_age=18,
     waiting=["ongeveer 4 weken", "op dit moment geen wachttijd"],
     sched=[[W("MO,TU,WE,TH,FR", "09:00", "16:00")], [W("TU,WE,TH", "09:30", "15:00")]],
     names=["Werkplaats {plek_kort}", "Werken in de fietsenmakerij {buurt}", "Leerwerkplek Buurtrestaurant {buurt}"],
     intro=["In onze werkplaats doet u werkervaring op in een rustige omgeving: in de keuken, de fietsenmakerij of de groenploeg.",
            "Voor mensen die (nog) niet kunnen werken, maar wel iets willen doen en leren."],
     body=["U werkt een paar dagdelen per week, in uw eigen tempo.", "U komt via het buurtteam of de consulent van de gemeente."])
kind("sociale_prestatie", cats=["werk-dagbesteding/sociale-prestatie", "werk-dagbesteding/vrijwilligerswerk"], role="gemeente",
     form="formal", init="professioneel", group="individual", located=False, area="gemeente", access="open",
     tg=[["volwassenen"]], minimum_age=18, sched=[[A("Op afspraak met uw consulent")]],
     names=["Meedoen met een bijstandsuitkering {gemeente}", "Tegenprestatie: iets doen voor de stad {gemeente}"],
     intro=["Heeft u een bijstandsuitkering? Dan kunt u iets doen voor een ander, bijvoorbeeld vrijwilligerswerk in de buurt.",
            "Samen met uw consulent zoekt u een activiteit die past bij wat u kunt en leuk vindt."],
     body=["Het is een manier om mensen te leren kennen en ervaring op te doen.", "Vraag uw consulent van Werk en Inkomen naar de mogelijkheden."])

# ---- 13 Wonen & opvang
kind("woonbegeleiding", cats=["wonen-opvang/woonbegeleiding"], role="zorg", form="formal", init="professioneel",
     group="individual", located=False, area="gemeente", access="wmo", tg=[["psychische-kwetsbaarheid"], ["lvb"]],
     waiting=["ongeveer 3 maanden", "8 tot 12 weken", "ongeveer 6 weken"], sched=[[A("Begeleiding bij u thuis, op vaste momenten")]],
     names=["Ambulante woonbegeleiding {gemeente}", "Begeleid zelfstandig wonen {gemeente}"],
     intro=["Een begeleider komt bij u thuis en helpt u met wonen, geld, contacten en de dagelijkse dingen.",
            "Wilt u zelfstandig wonen maar lukt dat niet helemaal alleen? Dan helpt een woonbegeleider u."],
     body=["U heeft hiervoor een Wmo-beschikking nodig. Het buurtteam helpt bij de aanvraag.", "We maken samen een plan met uw doelen."])
kind("opvang", cats=["wonen-opvang/opvang"], role="opvang", form="formal", init="professioneel", group="individual",
     access="open", tg=[["volwassenen"]], minimum_age=18, langs=[["nl", "en", "pl"]],
     sched=[[W("MO,TU,WE,TH,FR,SA,SU", "19:00", "23:00", "Elke avond inloop; slapen tot 9 uur 's ochtends")], [W("MO,TU,WE,TH,FR", "10:00", "16:00")]],
     names=["Nachtopvang {plek_kort}", "Inloophuis voor dak- en thuislozen {gebied}", "Centrale toegang opvang {gemeente}"],
     intro=["Heeft u geen slaapplek? Bij de nachtopvang kunt u slapen, douchen en iets eten.",
            "Dak- of thuisloos, of dreigt u uw huis kwijt te raken? Meld u bij de centrale toegang. We zoeken samen naar een oplossing."],
     body=["Medewerkers helpen u ook verder met een uitkering, zorg of een woning.", "U bent welkom zonder afspraak."])
kind("woonspreekuur", cats=["wonen-opvang", "geld"], role="welzijn", form="formal", init="professioneel", group="individual",
     sched=[[W("TU", "13:00", "15:00")], [W("FR", "10:00", "12:00")]],
     names=["Spreekuur wonen en huur {buurt}", "Huurdersspreekuur {gebied}", "Hulp bij dreigende huisuitzetting {gebied}"],
     intro=["Problemen met uw huurbaas, schimmel in huis of een huurachterstand? Op het spreekuur krijgt u gratis advies.",
            "Vragen over huurtoeslag, urgentie of een woning zoeken? Kom naar het woonspreekuur."],
     body=["Neem uw huurcontract en brieven mee.", "Samen bekijken we wat u kunt doen."])

# ---- 14 Veiligheid
kind("veilig_thuis", cats=["veiligheid/veilig-thuis", "veiligheid/huiselijk-geweld"], role="veiligthuis", form="formal",
     init="professioneel", group="individual", located=False, area="regio_wide", setting="hybrid", access="open", refer=True,
     langs=[["nl", "en", "ar", "tr", "pl"]], sched=[W("MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59", "Dag en nacht bereikbaar")],
     names=["Advies- en meldpunt huiselijk geweld en kindermishandeling"],
     intro=["Maakt u zich zorgen over geweld in uw gezin, of bij buren of familie? Bel het advies- en meldpunt, dag en nacht."],
     body=["U kunt anoniem bellen voor advies. Ook professionals kunnen hier een melding doen."], fixed_body=True)
kind("huiselijk_geweld_spreekuur", cats=["veiligheid/huiselijk-geweld"], role="welzijn", form="formal", init="professioneel",
     group="individual", tg=[["volwassenen"], ["iedereen"]], langs=[["nl", "ar", "tr"], ["nl", "en"]],
     sched=[[A("Op afspraak, ook op een andere plek als dat veiliger is")]],
     names=["Spreekuur veilig thuis {gebied}", "Praten over geweld thuis {buurt}"],
     intro=["Voelt u zich niet veilig thuis? Wordt u bedreigd, geslagen of gecontroleerd? Praat erover met een hulpverlener.",
            "Geweld in huis gebeurt vaker dan u denkt. Een medewerker luistert en helpt u een veilig plan te maken."],
     body=["Het gesprek is vertrouwelijk.", "Bij direct gevaar belt u altijd 112."])
kind("weerbaarheid", cats=["veiligheid", "mentale-gezondheid/lotgenotencontact"], role="welzijn", form="formal",
     init="professioneel", tg=[["volwassenen"]], cost=[FREE, C(10.0, "€ 10,00 voor de hele training")],
     sched=[[W("TU", "19:30", "21:30")], [W("TH", "10:00", "12:00")]],
     names=["Weerbaarheidstraining voor vrouwen {gebied}", "Sterker in je schoenen {buurt}", "Praatgroep na geweld thuis {gebied}"],
     intro=["In deze training leert u grenzen aangeven en opkomen voor uzelf, in een veilige groep.",
            "Een groep voor vrouwen die geweld hebben meegemaakt. Samen werken we aan zelfvertrouwen en een nieuwe start."],
     body=["De groep is klein en wordt begeleid door twee ervaren trainers.", "Aanmelden kan zelf of via het buurtteam."])
kind("buurtbemiddeling", cats=["veiligheid"], role="welzijn", form="informal", init="vrijwilligers", group="individual",
     located=False, area="gemeente", sched=[[A("Bel of mail, we nemen binnen een week contact op")]],
     names=["Buurtbemiddeling {gemeente}", "Ruzie met de buren? Buurtbemiddeling {gebied}"],
     intro=["Last van geluid, een stinkende schuur of ruzie over de tuin? Buurtbemiddelaars helpen buren om er samen uit te komen.",
            "Getrainde vrijwilligers praten met u en uw buren, eerst apart en daarna samen."],
     body=["Buurtbemiddeling is gratis en vertrouwelijk.", "U kunt zich zelf aanmelden. Ook de woningcorporatie of wijkagent kan u aanmelden."])
kind("babbeltruc", cats=["veiligheid", "ouder-worden"], role="welzijn", form="formal", init="professioneel",
     tg=[["ouderen-65"]], sched=[[M("2", "WE", "14:00", "15:30")]],
     names=["Voorlichting: pas op voor babbeltrucs {buurt}", "Veilig ouder worden {buurt}"],
     intro=["Oplichters aan de deur of aan de telefoon: hoe herkent u ze? In deze middag krijgt u tips van de wijkagent.",
            "Steeds vaker proberen oplichters ouderen geld af te troggelen, ook via WhatsApp. Leer hoe u zich beschermt."],
     body=["Na afloop is er koffie en tijd voor vragen.", "Aanmelden is niet nodig."])

assert set(KINDS) >= {"koffieochtend", "maatjes"}

# --------------------------------------------------------------------------------------------
# Service construction
# --------------------------------------------------------------------------------------------

CONTACT_TITLES = {
    "welzijnscoach": "Welzijnscoach", "beweegmakelaar": "Beweegmakelaar", "sociaal_makelaar": "Sociaal makelaar",
    "maatjes": "Coördinator maatjesproject", "mantelzorgconsulent": "Mantelzorgconsulent", "buurtteam": "Buurtteammedewerker",
    "jongerenwerk": "Jongerenwerker", "opvoed": "Opvoedcoach", "gli": "Leefstijlcoach", "valpreventie": "Fysiotherapeut",
    "stoppen_roken": "Praktijkondersteuner", "huisbezoek75": "Ouderenadviseur", "casemanager_dementie": "Casemanager dementie",
}


def fmt(text: str, ctx: dict) -> str:
    return text.format(**ctx)


def access_sentence(k: dict, r: random.Random) -> str | None:
    a = k["access"]
    if a == "buurtteam":
        return r.choice(["U komt hier via het buurtteam.", "Aanmelden gaat via het buurtteam."])
    if a == "huisarts":
        return r.choice(["U heeft een verwijzing van uw huisarts of praktijkondersteuner nodig.",
                         "Uw huisarts of praktijkondersteuner verwijst u door."])
    if a == "wmo":
        return "U heeft hiervoor een Wmo-beschikking van de gemeente nodig."
    return None


def cost_sentence(cost: tuple, r: random.Random) -> str | None:
    kind_, amount, desc = cost
    if kind_ == "free" and desc is None:
        return r.choice(["Meedoen is gratis.", "Het is gratis.", "U betaalt niets.", None])
    if desc:
        return f"Kosten: {desc[0].lower() + desc[1:]}." if not desc.startswith("€") else f"Kosten: {desc}."
    return None


def n_sent(text: str) -> int:
    return len(re.findall(r"[.?!](\s|$)", text))


def make_service(key: str, kname: str, org_id: str, ctx: dict, loc_ids: list, areas: list, **over) -> dict:
    k = dict(KINDS[kname])
    if "welzijn_op_recept" in over:
        k["wor"] = over["welzijn_op_recept"]
    r = rng
    variant = None
    if "variants" in k:
        variant = r.choice(k["variants"])
        name_t, intro_t = variant
    else:
        name_t = r.choice(k["names"]) if "name" not in over else over["name"]
        intro_t = r.choice(k["intro"])
    name = fmt(name_t, ctx)
    base = name
    i = 2
    while SERVICE_NAMES[name] and name.lower() in {s["name"].lower() for s in SERVICES}:
        name = f"{base} ({ctx.get('buurt_alt', i)})"
        i += 1
    SERVICE_NAMES[name] += 1

    scheds = [dict(s) for s in (r.choice(k["sched"]) if isinstance(k["sched"][0], list) else k["sched"])]
    if "schedules" in over:
        scheds = over["schedules"]
    cost = r.choice(k["cost"])
    if "cost" in over:
        c = over["cost"]
        cost = (c["kind"], c["amount"], c["description"])
    sentences = [fmt(intro_t, ctx)]
    if k.get("fixed_body"):
        sentences += [fmt(b, ctx) for b in k["body"]]
    else:
        sentences.append(fmt(r.choice(k["body"]), ctx))
    extras = []
    ss = schedule_sentence(scheds, r)
    if ss and r.random() < 0.6:
        extras.append(ss)
    acc = access_sentence(k, r)
    if acc and acc not in " ".join(sentences):
        extras.append(acc)
    if not k.get("fixed_body"):
        cs = cost_sentence(cost, r)
        if cs:
            extras.append(cs)
        if k["wor"] and k["access"] == "open" and r.random() < 0.4:
            extras.append("Deze activiteit doet mee met Welzijn op Recept.")
    for e in extras:
        if n_sent(" ".join(sentences + [e])) <= 4:
            sentences.append(e)
    description = " ".join(sentences)
    if "description" in over:
        description = over["description"]

    org_o = ORGS[org_id]
    oslug = org_o["website"].split("//")[1].split(".example")[0]
    tg = list(r.choice(k["tg"])) if "target_groups" not in over else over["target_groups"]
    langs = list(r.choice(k["langs"])) if "languages" not in over else over["languages"]
    waiting = None
    if k["form"] == "formal" and k.get("waiting"):
        waiting = r.choice(k["waiting"])
    assured = TODAY - dt.timedelta(days=int(r.triangular(0, 547, 90)))
    svc = {
        "id": uid("service", key), "organization_id": org_id, "name": name, "alternate_name": None,
        "description": description,
        "url": f"https://{oslug}.example/aanbod/{slugify(name)[:60]}",
        "email": None, "phone": None,
        "categories": list(k["cats"]), "target_groups": tg,
        "access_route": k["access"], "accepts_referrals": bool(k["refer"]),
        "welzijn_op_recept": bool(k["wor"]), "formality": k["form"], "initiative": k.get("init"),
        "setting": k["setting"], "group_format": k["group"], "waiting_time": waiting,
        "minimum_age": k.get("minimum_age"), "maximum_age": k.get("maximum_age"),
        "eligibility": fmt(k["eligibility"], ctx) if k.get("eligibility") else None,
        "cost": {"kind": cost[0], "amount": cost[1], "description": cost[2]},
        "languages": langs, "assured_date": assured.isoformat(),
        "location_ids": list(loc_ids), "service_areas": [{"code": c} for c in areas],
        "schedules": scheds, "contacts": [],
    }
    if r.random() < 0.55:
        svc["email"] = f"{slugify(name)[:30].strip('-')}@{oslug}.example"
    if r.random() < 0.6:
        svc["phone"] = org_o.get("phone") or phone("06")
    if r.random() < 0.7:
        first = r.choice(FIRST_NAMES)
        title = CONTACT_TITLES.get(kname) or r.choice(k["titles"]) if k["form"] == "formal" else r.choice(
            ["Vrijwilliger", "Contactpersoon", "Coördinator vrijwilligers", "Initiatiefnemer", "Gastvrouw"])
        svc["contacts"].append({"name": f"{first} (fictief)", "title": title,
                                "email": f"{slugify(first)}@{oslug}.example", "phone": phone("06")})
    for opt in ("eligibility",):
        if svc[opt] is None:
            del svc[opt]
    for k2, v in over.items():
        if k2 in svc and k2 not in ("description",):
            svc[k2] = v
    svc["_kind"] = kname
    SERVICES.append(svc)
    return svc


# --------------------------------------------------------------------------------------------
# Organisations: hand-made fictitious names
# --------------------------------------------------------------------------------------------

UTRECHT_WIJK_ORGS = {
    # wijk: (welzijn org, [(informal org, provider_type)...], gezondheidscentrum)
    "WK034401": ("Wijkwelzijn Lombok-West", [("Bewonersgroep Groen Oog in Al", "inwonersinitiatief"), ("Stichting Lombokse Tafel", "vrijwilligersorganisatie"), ("Vrouwencollectief Kanaalstraatkwartier", "zelforganisatie")], "Gezondheidshuis De Kastanjeboog"),
    "WK034402": ("Welzijn Noordwest Dichtbij", [("Stichting Samen Sterk Zuilen", "vrijwilligersorganisatie"), ("Bewonersinitiatief Ondiep Kookt", "inwonersinitiatief"), ("Stichting Vrienden van de Elinkwijk", "zelforganisatie")], "Huisartsen aan de Zuilense Sluis"),
    "WK034403": ("Buurtkracht Overvecht", [("Stichting Overvecht Ontmoet", "vrijwilligersorganisatie"), ("Bewonersinitiatief De Dreefkamer", "inwonersinitiatief"), ("Vrouwen van de Dreven", "zelforganisatie"), ("Stichting Taag Samen", "inwonersinitiatief")], "Gezondheidscentrum De Dreefpoort"),
    "WK034404": ("Welzijn Noordoost Verbindt", [("Bewonersvereniging Tuindorp Helpt", "inwonersinitiatief"), ("Stichting Vogelenbuurt Voor Elkaar", "vrijwilligersorganisatie")], "Huisartsenpraktijk Het Lindeplein"),
    "WK034405": ("Welzijn Oost & Buiten", [("Buurtkring Abstede", "inwonersinitiatief"), ("Stichting Sterrenwijk Doet Mee", "vrijwilligersorganisatie")], "Gezondheidshuis Oostpoort Zorg"),
    "WK034406": ("Stichting Binnenstad Samen", [("Hofjesvrienden Binnenstad", "inwonersinitiatief"), ("Stichting Open Huis aan de Gracht", "vrijwilligersorganisatie")], "Huisartsen aan de Grachtenhof"),
    "WK034407": ("Welzijn Zuid aan de Vaart", [("Buurtgroep Lunetten Lacht", "inwonersinitiatief"), ("Stichting Hoograven Helpt Elkaar", "vrijwilligersorganisatie"), ("Turks-Nederlandse Ouderenvereniging Zuid", "zelforganisatie")], "Gezondheidscentrum De Vaartbrug"),
    "WK034408": ("Wijkwelzijn Zuidwest Verbonden", [("Stichting Kanaleneiland Kookt", "inwonersinitiatief"), ("Stichting Buurtvaders Zuidwest", "zelforganisatie"), ("Rivierenwijk Repareert", "vrijwilligersorganisatie")], "Gezondheidscentrum Kanaalkwartier Zorg"),
    "WK034409": ("Welzijn Leidsche Rijn Nieuw", [("Bewonersnetwerk Terwijde", "inwonersinitiatief"), ("Stichting Parkwijk Ontmoet", "vrijwilligersorganisatie")], "Gezondheidshuis De Rijnhoeve"),
    "WK034410": ("Welzijn Vleuten-De Meern Samen", [("Vleutense Vrienden", "inwonersinitiatief"), ("Stichting De Meern Helpt", "vrijwilligersorganisatie")], "Huisartsen De Vleuterbrug"),
}

WIJK_ORG_DESC = {
    "welzijn": ["Welzijnsorganisatie in {gebied}. Wij ondersteunen bewoners met activiteiten, welzijnscoaches, jongerenwerk en vrijwilligerswerk.",
                "Wij zijn de welzijnsorganisatie van {gebied}. Samen met bewoners en vrijwilligers zorgen we dat iedereen mee kan doen."],
    "inwonersinitiatief": ["Een initiatief van bewoners uit {gebied}. We organiseren activiteiten voor buren, met buren.",
                           "Bewoners uit {gebied} die zich samen inzetten voor een gezellige en zorgzame buurt."],
    "vrijwilligersorganisatie": ["Vrijwilligersorganisatie in {gebied}. Onze vrijwilligers helpen buren en organiseren ontmoeting.",
                                 "Stichting met ruim veertig vrijwilligers uit {gebied}. We helpen waar het nodig is."],
    "zelforganisatie": ["Zelforganisatie van en voor bewoners met verschillende culturele achtergronden in {gebied}.",
                        "Wij brengen buurtgenoten met een migratieachtergrond samen en helpen elkaar de weg te vinden."],
    "eerstelijn": ["Huisartsen, praktijkondersteuners en fysiotherapeuten onder één dak in {gebied}.",
                   "Eerstelijnszorg in {gebied}: huisartsen, POH-GGZ, fysiotherapie en diëtiek."],
}

CITY_ORGS = {
    # role: (key, name, provider_type, description)
    "buurtteam": ("stad-buurtteam", "Stichting Wijkteams Domstad", "welzijn",
                  "Fictieve organisatie voor de buurtteams in de tien wijken van Utrecht: gratis hulp bij vragen over geld, zorg, opvoeden en wonen."),
    "gemeente": ("stad-loket", "Loket Zorg & Welzijn Domstad", "gemeente",
                 "Fictief gemeentelijk loket voor Wmo, schuldhulp, werk en inkomen in de stad Utrecht."),
    "library": ("stad-bieb", "Bibliotheek Domstad", "bibliotheek",
                "Fictieve bibliotheek met vestigingen in verschillende wijken: boeken, het Informatiepunt Digitale Overheid, digi-spreekuren en taalactiviteiten."),
    "ggz": ("stad-ggz", "Herstelpunt GGZ Midden", "ggz",
            "Fictieve GGZ-organisatie voor herstel en ontmoeting: inloophuizen, herstelacademie en online zelfhulp."),
    "maatjes": ("stad-maatjes", "Stichting Maatwerk Maatjes", "vrijwilligersorganisatie",
                "Koppelt vrijwillige maatjes aan bewoners die iemand om mee te praten of op stap te gaan zoeken."),
    "mantelzorg": ("stad-mantelzorg", "Steunpunt Mantelzorg Domstad", "welzijn",
                   "Advies, steun en ontspanning voor mantelzorgers in Utrecht."),
    "dementie": ("stad-dementie", "Stichting Geheugenhuis", "zorgaanbieder",
                 "Ontmoetingscentra, casemanagers en cafés voor mensen met dementie en hun naasten."),
    "zorg": ("stad-zorg", "Zorggroep Domstad Thuis", "zorgaanbieder",
             "Zorgaanbieder voor wonen met zorg, dagbegeleiding, hulpmiddelen en vrijwillige thuishulp."),
    "geldvrijwilligers": ("stad-geld", "Stichting Papierwerk", "vrijwilligersorganisatie",
                          "Vrijwilligers helpen inwoners thuis met hun post, administratie en geldzaken."),
    "opvang": ("stad-opvang", "Stichting Onderdak Domstad", "zorgaanbieder",
               "Opvang, inloop en woonbegeleiding voor dak- en thuislozen."),
    "veiligthuis": ("regio-veilig", "Advies- en meldpunt Thuis Veilig Midden", "zorgaanbieder",
                    "Fictief regionaal advies- en meldpunt voor huiselijk geweld en kindermishandeling."),
    "jgz": ("stad-jgz", "Jeugd & Gezin Midden", "zorgaanbieder",
            "Jeugdgezondheidszorg en steun aan (aanstaande) ouders."),
    "sport": ("stad-sport", "Sportvereniging Allemaal Actief", "vrijwilligersorganisatie",
              "Sportclub voor aangepast sporten: voor mensen met en zonder beperking."),
    "taal": ("stad-taal", "Stichting Taalhuis Domstad", "onderwijs",
             "Taalcursussen, taalmaatjes en het Taalhuis voor volwassenen die beter Nederlands willen leren."),
    "vervoer": ("stad-vervoer", "Rijdende Buren Utrecht", "vrijwilligersorganisatie",
                "Vrijwillige chauffeurs rijden ouderen en mensen met een beperking naar afspraken en familie."),
    "client": ("regio-client", "Naast U Cliëntondersteuning", "vrijwilligersorganisatie",
               "Onafhankelijke cliëntondersteuning in de provincie Utrecht. Wij staan naast u, niet naast de gemeente."),
    "zelforg": ("regio-lotgenoten", "Vereniging Lotgenoten Midden-Nederland", "zelforganisatie",
                "Vereniging die lotgenotengroepen organiseert, op locatie en online, voor mensen met psychische klachten."),
    "opleiding": ("regio-roc", "ROC Midden Leren (fictief)", "onderwijs",
                  "Onderwijsinstelling met cursussen voor volwassenen: taal, rekenen en digitale vaardigheden."),
}

GEMEENTE_ORGS = {
    "GM0307": ("Welzijn Eemkracht", [("Buurtnetwerk Kruiskamp Samen", "inwonersinitiatief"), ("Stichting Eemlanders Helpen", "vrijwilligersorganisatie"), ("Vrouwenvereniging Al Amal Amersfoort", "zelforganisatie")], "Loket Meedoen Amersfoort", "Gezondheidscentrum Eemhoeve Zorg"),
    "GM0356": ("Welzijn aan de Lek (fictief)", [("Bewonersgroep Batau Beweegt", "inwonersinitiatief"), ("Vrijwilligerspunt Merwestein", "vrijwilligersorganisatie")], "Loket Meedoen Nieuwegein", "Gezondheidshuis Lekzicht"),
    "GM0355": ("Welzijn Heuvelrugzoom", [("Buurtkamer Zeist-West", "inwonersinitiatief"), ("Stichting Zeister Maatjes", "vrijwilligersorganisatie")], "Zeister Zorgloket", None),
    "GM0321": ("Welzijn Houten Samen", [("Houtense Burenhulpdienst De Schakel", "vrijwilligersorganisatie"), ("Schalkwijk Zorgt", "inwonersinitiatief")], "Loket Houten Doet Mee", None),
    "GM0353": ("Stichting IJsselbreed", [("Bewonersinitiatief Oudstad Samen", "inwonersinitiatief")], "Loket IJsselstein Helpt", None),
    "GM1904": ("Welzijn Vechtoevers", [("Maarssens Buurtnetwerk", "inwonersinitiatief"), ("Breukelen Voor Elkaar", "vrijwilligersorganisatie")], "Loket Vechtstreek", "Huisartsen aan de Vechtbocht"),
    "GM0632": ("Welzijn Groene Hart Woerden", [("Harmelen Helpt Elkaar", "vrijwilligersorganisatie"), ("Woerdense Buurtkamers", "inwonersinitiatief")], "Loket Woerden Dichtbij", None),
    "GM0345": ("Welzijn Veense Verbinding", [("Stichting Valleiburen", "vrijwilligersorganisatie"), ("Ontmoetingshuis West Veenendaal", "inwonersinitiatief")], "Loket Veenendaal Meedoen", "Gezondheidscentrum De Valleipoort"),
    "GM0310": ("Welzijn Biltse Buren", [("Bilthovens Burennetwerk", "inwonersinitiatief")], "Loket De Bilt Dichtbij", None),
    "GM0342": ("Welzijn Soester Samen", [("Soester Vrijwillige Vervoersdienst", "vrijwilligersorganisatie")], "Loket Soest Doet Mee", None),
}


def org_desc(ptype: str, gebied: str) -> str:
    return rng.choice(WIJK_ORG_DESC[ptype]).format(gebied=gebied)


def city_org(role: str) -> str:
    key, name, ptype, desc = CITY_ORGS[role]
    return org(key, name, ptype, desc)


# --------------------------------------------------------------------------------------------
# Build: gemeente Utrecht
# --------------------------------------------------------------------------------------------

UTR_OPTIONAL = ["samen_eten", "repair_cafe", "moestuin", "valpreventie", "gli", "stoppen_roken", "aangepast_sporten",
                "beweegmakelaar", "sociaal_makelaar", "alzheimer_cafe", "ontmoetingscentrum_dementie", "digi_spreekuur",
                "digiwijs", "opvoed", "inloop_ggz", "ervaringsdeskundige_inloop", "lotgenoten", "geldcafe",
                "burenhulp", "huisbezoek75", "dagondersteuning", "stoelyoga", "informatiewinkel", "telefooncirkel",
                "hulpmiddelen", "huiswerkhulp", "woonspreekuur", "huiselijk_geweld_spreekuur", "weerbaarheid",
                "babbeltruc", "mannengroep", "eenzaamheid_vrouwengroep", "activering", "dagbegeleiding", "wandel_wor",
                "bieb_infopunt", "voedselbank", "mantelzorg_gespreksgroep", "wonen_met_zorg", "herstelacademie"]

ROLE_FOR_KIND = {k: v["role"] for k, v in KINDS.items()}
LIBRARY_WIJKEN = {"WK034401", "WK034402", "WK034403", "WK034405", "WK034406", "WK034407", "WK034408", "WK034409", "WK034410"}

WIJK_LOCS: dict = {}  # wijk -> dict(role -> [loc ids])


def utrecht():
    gm = "GM0344"
    for wijk, wname in UTRECHT_WIJK_NAMES.items():
        wel_name, informal, gc_name = UTRECHT_WIJK_ORGS[wijk]
        wel = org(f"utr-{wijk}-welzijn", wel_name, "welzijn", org_desc("welzijn", wname))
        inf = [org(f"utr-{wijk}-inf{i}", n, t, org_desc(t, wname), with_phone=rng.random() < 0.6)
               for i, (n, t) in enumerate(informal)]
        gc = org(f"utr-{wijk}-gc", gc_name, "eerstelijn", org_desc("eerstelijn", wname))
        buurten = residential_buurten(wijk)
        rng.shuffle(buurten)
        dreef = wijk == "WK034403"
        locs = defaultdict(list)
        bi = 0

        def nextb():
            nonlocal bi
            b = buurten[bi % len(buurten)]
            bi += 1
            return b

        n_buurthuis = 8 if wijk == "WK034403" else (3 if len(buurten) >= 6 else 2)
        for i in range(n_buurthuis):
            b = nextb()
            pname = place_name(rng)
            prefix = rng.choice(["Buurthuis", "Wijkcentrum", "Buurtcentrum", "Huiskamer"]) if i else "Wijkcentrum"
            lid = location(f"{wijk}-bh{i}", wel if i % 2 == 0 else inf[i % len(inf)], f"{prefix} {pname}", wijk, b,
                           description=rng.choice([None, f"Buurthuis in {buurt_short(b)}, met een grote zaal en een keuken.",
                                                   "Ingang aan de achterkant, bij het plein.", "Gelijkvloers, met een invalidentoilet."]),
                           wheelchair=rng.random() < 0.85, transport=transport(rng), dreef=dreef)
            locs["community"].append(lid)
        b = nextb()
        locs["gc"].append(location(f"{wijk}-gc", gc, gc_name, wijk, b, wheelchair=True, transport=transport(rng), dreef=dreef))
        b = nextb()
        bt = city_org("buurtteam")
        locs["buurtteam"].append(location(f"{wijk}-bt", bt, f"Buurtteamkantoor {wname}", wijk, b,
                                          wheelchair=True, transport=transport(rng), dreef=dreef))
        if wijk in LIBRARY_WIJKEN:
            b = nextb()
            locs["library"].append(location(f"{wijk}-bieb", city_org("library"), f"Bibliotheek Domstad {buurt_short(b)}",
                                            wijk, b, wheelchair=True, transport=transport(rng), dreef=dreef))
        WIJK_LOCS[wijk] = locs
        orgs_by_role = {"welzijn": wel, "informal": inf, "eerstelijn": gc, "zelforg": inf[-1]}

        def pick_loc(role, prefer_buurt=None):
            if role == "eerstelijn":
                return locs["gc"][0]
            if role == "library" and locs["library"]:
                return locs["library"][0]
            if role == "buurtteam":
                return locs["buurtteam"][0]
            return rng.choice(locs["community"])

        def ctx_for(lid):
            b = LOC_TARGET[lid][2] if lid else None
            plek = LOCS[lid]["name"] if lid else wname
            return {"gebied": wname, "buurt": buurt_short(b) if b else wname, "plek": plek,
                    "plek_kort": re.sub(r"^(Buurthuis|Wijkcentrum|Buurtcentrum|Huiskamer|Bibliotheek Domstad) ", "", plek),
                    "gemeente": "Utrecht", "buurt_alt": wname}

        def org_for(kname, lid=None):
            role = ROLE_FOR_KIND[kname]
            if role == "informal":
                return rng.choice(inf)
            if role == "zelforg":
                return inf[-1] if informal[-1][1] == "zelforganisatie" else rng.choice(inf)
            if role in ("welzijn",):
                return wel
            if role == "eerstelijn":
                return gc
            if role in CITY_ORGS:
                return city_org(role)
            return wel

        def add(kname, n, located=None, areas=None, loc=None, **over):
            k = KINDS[kname]
            is_loc = k["located"] if located is None else located
            lid = None
            if is_loc:
                lid = loc or pick_loc(ROLE_FOR_KIND[kname])
            ar = areas
            if ar is None:
                ar = []
                if k.get("area") in ("wijk",) or (not is_loc):
                    ar = [wijk] if k.get("area") in ("wijk", None) else [gm]
                if k.get("area") == "gemeente":
                    ar = [gm]
            return make_service(f"{wijk}-{kname}-{n}", kname, org_for(kname, lid), ctx_for(lid),
                                [lid] if lid else [], ar, **over)

        base = ["buurtteam", "welzijnscoach", "sociaal_makelaar", "buurthuis", "koffieochtend", "wandelgroep", "maatjes", "formulierenhulp",
                "taalcafe", "jongerenwerk", "vrijwilligerswerk", "huiskamer"]
        if wijk == "WK034403":
            overvecht(add, locs, wname, wel, inf, ctx_for)
            extra = rng.sample([k for k in UTR_OPTIONAL if k not in ("samen_eten", "mannengroep", "eenzaamheid_vrouwengroep",
                                                                       "ervaringsdeskundige_inloop", "huisbezoek75", "burenhulp",
                                                                       "wandel_wor", "dagondersteuning")], 14)
            extra = [k for k in extra if k != "sociaal_makelaar"]
            for i, kn in enumerate(["buurtteam", "welzijnscoach", "sociaal_makelaar", "jongerenwerk", "vrijwilligerswerk"] + extra):
                add(kn, i)
            continue
        n_extra = 12 if wijk in ("WK034408", "WK034402", "WK034407") else 10
        extra = rng.sample([k for k in UTR_OPTIONAL if k != "sociaal_makelaar"], n_extra)
        for i, kn in enumerate(base + extra):
            if kn == "taalcafe" and wijk == "WK034408":
                add(kn, i, name="Taalcafé Kanaleneiland", loc=locs["library"][0] if locs["library"] else None)
            elif kn == "buurthuis":
                for j, lid in enumerate(locs["community"][:2]):
                    add(kn, f"{i}-{j}", loc=lid, name=LOCS[lid]["name"])
            elif kn == "wandelgroep" and wijk == "WK034401":
                add(kn, i, schedules=[W("MO", "10:00", "11:00")], welzijn_op_recept=True,
                    cost={"kind": "free", "amount": None, "description": None})
            else:
                add(kn, i)


def overvecht(add, locs, wname, wel, inf, ctx_for):
    """The scenario the tests rely on: loneliness offerings spread over Overvecht's buurten."""
    community = locs["community"]  # 8 locations, one per residential buurt
    seen = set()
    ordered = []
    for lid in community:
        b = LOC_TARGET[lid][2]
        if b not in seen:
            seen.add(b)
            ordered.append(lid)
    lonely = ["koffieochtend", "huiskamer", "samen_eten", "wandelgroep", "dagondersteuning", "mannengroep",
              "eenzaamheid_vrouwengroep", "ervaringsdeskundige_inloop", "wandel_wor"]
    for i, kn in enumerate(lonely):
        lid = ordered[i % len(ordered)]
        over = {}
        if kn == "wandel_wor":
            over = dict(schedules=[W("MO", "10:00", "11:30")], cost={"kind": "free", "amount": None, "description": None},
                        name="Maandagwandeling Welzijn op Recept Overvecht")
        add(kn, f"ov-{i}", loc=lid, **over)
    # Taalcafé with an eenzaamheid angle
    add("taalcafe", "ov-t", loc=ordered[2], categories=["taal-digitaal/taalcafe", "eenzaamheid"])
    # Buurthuizen opening hours
    for j, lid in enumerate(ordered[:3]):
        add("buurthuis", f"ov-bh{j}", loc=lid, name=LOCS[lid]["name"])
    # Area-only services for Overvecht
    add("maatjes", "ov-m", name="Maatjesproject Overvecht")
    add("burenhulp", "ov-b")
    add("huisbezoek75", "ov-h", name="Huisbezoek 75-plus Overvecht")
    add("telefooncirkel", "ov-tc")
    # geldzorgen, never the word for debts
    add("geldzorgen_overvecht", "ov-g", loc=ordered[4])
    add("formulierenhulp", "ov-f", loc=ordered[5])
    add("moestuin", "ov-mt", loc=ordered[6], categories=["ontmoeting", "bewegen", "eenzaamheid"])


# --------------------------------------------------------------------------------------------
# Build: other gemeenten of the province
# --------------------------------------------------------------------------------------------

GEM_BASE = ["sociaal_team", "welzijnscoach", "koffieochtend", "wandelgroep", "maatjes", "mantelzorgconsulent",
            "formulierenhulp", "taalcafe", "jongerenwerk", "vervoer", "buurthuis"]
GEM_OPTIONAL = ["wmo_loket", "schuldhulp", "thuisadministratie", "huisbezoek75", "respijt", "mantelzorg_gespreksgroep",
                "alzheimer_cafe", "casemanager_dementie", "vrijwillige_thuishulp", "woonbegeleiding", "buurtbemiddeling",
                "huiselijk_geweld_spreekuur", "kansrijke_start", "opvoed", "digi_spreekuur", "digiwijs", "taalmaatje",
                "valpreventie", "stoelyoga", "samen_eten", "repair_cafe", "vroegsignalering", "sociale_prestatie",
                "huiskamer", "dagondersteuning", "lotgenoten", "woonspreekuur", "hulpmiddelen", "opvang", "babbeltruc",
                "gli", "beweegmakelaar", "voedselbank", "weerbaarheid", "telefooncirkel", "inloop_ggz"]


def other_gemeenten():
    for gm, (gname, net, wijken) in OTHER_GEMEENTEN.items():
        wel_name, informal, loket_name, gc_name = GEMEENTE_ORGS[gm]
        wel = org(f"{gm}-welzijn", wel_name, "welzijn", org_desc("welzijn", gname), net)
        inf = [org(f"{gm}-inf{i}", n, t, org_desc(t, gname), net, with_phone=rng.random() < 0.6)
               for i, (n, t) in enumerate(informal)]
        loket = org(f"{gm}-loket", loket_name, "gemeente",
                    f"Fictief gemeenteloket van {gname} voor zorg, Wmo, werk, inkomen en schuldhulp.", net)
        gc = org(f"{gm}-gc", gc_name, "eerstelijn", org_desc("eerstelijn", gname), net) if gc_name else None
        wijken = [w for w in wijken if PC4_BY_WIJK.get(w)]
        locs = []
        for i in range(max(3, len(wijken) + 1)):
            w = wijken[i % len(wijken)]
            pname = place_name(rng)
            prefix = rng.choice(["Dorpshuis", "Wijkcentrum", "Buurthuis", "Ontmoetingscentrum"])
            owner = wel if i % 2 == 0 else rng.choice(inf)
            locs.append(location(f"{gm}-loc{i}", owner, f"{prefix} {pname}", w, None,
                                 wheelchair=rng.random() < 0.85, transport=transport(rng)))
        loket_loc = location(f"{gm}-loket", loket, f"Gemeentehuis {gname}", wijken[0], None, wheelchair=True)
        gc_loc = location(f"{gm}-gc", gc, gc_name, wijken[-1], None, wheelchair=True) if gc else None
        n_extra = {"GM0307": 9, "GM0356": 7, "GM0355": 5, "GM1904": 5, "GM0632": 4, "GM0345": 5}.get(gm, 2)
        extra = rng.sample(GEM_OPTIONAL, n_extra)
        for i, kn in enumerate(GEM_BASE + extra):
            k = KINDS[kn]
            role = k["role"]
            if role == "informal":
                o = rng.choice(inf)
            elif role == "zelforg":
                o = inf[-1] if informal[-1][1] == "zelforganisatie" else city_org("zelforg")
            elif role == "gemeente":
                o = loket
            elif role == "eerstelijn":
                o = gc or wel
            elif role in ("welzijn", "maatjes", "mantelzorg", "vervoer", "taal", "geldvrijwilligers", "client"):
                o = wel if role != "vervoer" or gm != "GM0342" else inf[0]
                if role == "maatjes" and len(inf) > 1 and inf[1] and "Maatjes" in ORGS[inf[1]]["name"]:
                    o = inf[1]
            elif role == "library":
                o = wel
            else:
                o = city_org(role)  # regional providers (zorg, opvang, dementie, ...) also work here
            lid = None
            if k["located"]:
                if role == "gemeente":
                    lid = loket_loc
                elif role == "eerstelijn" and gc_loc:
                    lid = gc_loc
                else:
                    lid = locs[i % len(locs)]
            areas = []
            if not k["located"] or k.get("area") in ("gemeente", "wijk"):
                areas = [gm]
            if lid:
                w = LOC_TARGET[lid][1]
                wn = prov_wijk_short(w)
            else:
                wn = gname
            plek = LOCS[lid]["name"] if lid else gname
            ctx = {"gebied": gname, "buurt": wn if lid else gname, "plek": plek, "gemeente": gname,
                   "plek_kort": re.sub(r"^(Dorpshuis|Wijkcentrum|Buurthuis|Ontmoetingscentrum|Gemeentehuis) ", "", plek),
                   "buurt_alt": gname}
            over = {}
            if kn == "buurthuis":
                over["name"] = plek
            if kn == "sociaal_team":
                over["name"] = f"Sociaal team {gname}"
            make_service(f"{gm}-{kn}-{i}", kn, o, ctx, [lid] if lid else [], areas, **over)


def regional():
    """Offerings for the whole region, and a few citywide ones without a fixed location."""
    gm_all = ["GM0344"] + list(OTHER_GEMEENTEN)
    zelf = city_org("zelforg")
    ctx = {"gebied": "regio Utrecht", "buurt": "regio Utrecht", "plek": "online", "plek_kort": "online",
           "gemeente": "de regio Utrecht", "buurt_alt": "regio"}
    make_service("regio-online-lotgenoten", "lotgenoten_online", zelf, ctx, [], ["GM0344", "GM0356", "GM0355", "GM0307", "GM0321", "GM0353"],
                 name="Online lotgenotengroep Samen Sterker", setting="online")
    make_service("regio-online-lotgenoten-2", "lotgenoten_online", zelf, ctx, [], gm_all,
                 name="Online praatgroep Niet Alleen", schedules=[W("TH", "19:30", "20:30", "Elke donderdagavond online")])
    make_service("regio-veilig-thuis", "veilig_thuis", city_org("veiligthuis"), ctx, [], gm_all)
    ggz = city_org("ggz")
    for i in range(2):
        make_service(f"regio-zelfhulp-{i}", "zelfhulp_online", ggz, ctx, [], gm_all)
    cctx = dict(ctx, gemeente="Utrecht", gebied="Utrecht")
    client = city_org("client")
    make_service("regio-client-utrecht", "clientondersteuning", client, cctx, [], ["GM0344"])
    make_service("regio-client-lek", "clientondersteuning", client, dict(ctx, gemeente="Nieuwegein, Houten en IJsselstein"),
                 [], ["GM0356", "GM0321", "GM0353"], name="Onafhankelijke cliëntondersteuning Lekstroom")
    # Citywide services serving gemeente Utrecht (some located at a wijk location too)
    for i, kn in enumerate(["wmo_loket", "schuldhulp", "vroegsignalering", "thuisadministratie", "kansrijke_start",
                            "respijt", "woonbegeleiding", "casemanager_dementie", "sociale_prestatie", "vervoer",
                            "taalmaatje", "vrijwillige_thuishulp", "buurtbemiddeling", "mantelzorgconsulent"]):
        k = KINDS[kn]
        role = k["role"]
        o = city_org(role) if role in CITY_ORGS else city_org("gemeente")
        lid = None
        if k["located"]:
            w = ["WK034406", "WK034408", "WK034405", "WK034402"][i % 4]
            lid = WIJK_LOCS[w]["community"][0] if role != "gemeente" else location(
                f"stad-loket-{w}", o, "Stadskantoor Domstad" if w == "WK034406" else f"Servicepunt {UTRECHT_WIJK_NAMES[w]}",
                w, rng.choice(residential_buurten(w)), wheelchair=True, transport=transport(rng))
        make_service(f"stad-{kn}", kn, o, dict(cctx, plek=LOCS[lid]["name"] if lid else "Utrecht"),
                     [lid] if lid else [], ["GM0344"])
    # Shelter and a second night shelter in the city
    opv = city_org("opvang")
    for i, w in enumerate(["WK034406", "WK034408"]):
        b = rng.choice(residential_buurten(w))
        lid = location(f"stad-opvang-{i}", opv, f"{['Nachtopvang', 'Inloophuis'][i]} {place_name(rng)}", w, b, wheelchair=True)
        make_service(f"stad-opvang-{i}", "opvang", opv, dict(cctx, plek=LOCS[lid]["name"],
                     plek_kort=LOCS[lid]["name"].split(" ", 1)[1], buurt=buurt_short(b)), [lid], ["GM0344"])
    # Herstelacademie and inloop GGZ at a city location
    lid = location("stad-herstel", ggz, "Herstelhuis De Kompasroos", "WK034405", rng.choice(residential_buurten("WK034405")), wheelchair=True)
    make_service("stad-herstelacademie", "herstelacademie", ggz, dict(cctx, plek=LOCS[lid]["name"], plek_kort="De Kompasroos"),
                 [lid], ["GM0344", "GM0356", "GM0355"], name="Herstelacademie De Kompasroos")
    # A course by the ROC at the library, several branches
    roc = city_org("opleiding")
    libs = [WIJK_LOCS[w]["library"][0] for w in ("WK034403", "WK034408", "WK034409")]
    make_service("stad-roc-taal", "taalhuis", roc, dict(cctx, plek="de bibliotheek", plek_kort="Domstad"), libs, ["GM0344"],
                 name="Cursus Nederlands voor volwassenen in de bibliotheek")
    sport = city_org("sport")
    for i, w in enumerate(["WK034407", "WK034409", "WK034404"]):
        lid = location(f"stad-sport-{i}", sport, f"Sporthal {place_name(rng)}", w, rng.choice(residential_buurten(w)),
                       wheelchair=True, transport=transport(rng))
        make_service(f"stad-sport-{i}", "aangepast_sporten", sport,
                     dict(cctx, plek=LOCS[lid]["name"], plek_kort=LOCS[lid]["name"].split(" ", 1)[1], buurt=UTRECHT_WIJK_NAMES[w],
                          gebied=UTRECHT_WIJK_NAMES[w]), [lid], [])


# --------------------------------------------------------------------------------------------
# Validation and summary
# --------------------------------------------------------------------------------------------

def load_taxonomies():
    tax = json.loads((ROOT / "assets" / "taxonomies.json").read_text(encoding="utf-8"))
    cats, parent, tgs = set(), {}, set()
    for t in tax["taxonomies"]:
        for term in t["terms"]:
            if t["code"] == "wijkwijzer-categorie":
                cats.add(term["code"])
                parent[term["code"]] = term.get("parent")
            else:
                tgs.add(term["code"])
    return cats, parent, tgs


def top(code: str, parent: dict) -> str:
    while parent.get(code):
        code = parent[code]
    return code


def validate(data: dict):
    cats, parent, tgs = load_taxonomies()
    ids = [o["id"] for o in data["organizations"]] + [l["id"] for l in data["locations"]] + [s["id"] for s in data["services"]]
    assert len(ids) == len(set(ids)), "duplicate ids"
    org_ids = {o["id"] for o in data["organizations"]}
    loc_by_id = {l["id"]: l for l in data["locations"]}
    valid_areas = set(PROV_WIJK) | set(CITY_WIJK) | set(CITY_BUURT) | set(GEMEENTE)
    ptypes = {"welzijn", "inwonersinitiatief", "vrijwilligersorganisatie", "zelforganisatie", "eerstelijn", "ggz",
              "zorgaanbieder", "gemeente", "bibliotheek", "onderwijs"}
    # The Rust loader rejects unknown fields: keep to exactly these.
    allowed = {
        "top": {"format", "description", "organizations", "locations", "services"},
        "org": {"id", "name", "alternate_name", "description", "email", "website", "provider_type", "phone"},
        "loc": {"id", "organization_id", "name", "description", "latitude", "longitude", "address",
                "wheelchair_accessible", "transportation"},
        "addr": {"address_1", "address_2", "postal_code", "city"},
        "svc": {"id", "organization_id", "name", "alternate_name", "description", "url", "email", "phone", "status",
                "categories", "target_groups", "access_route", "accepts_referrals", "welzijn_op_recept", "formality",
                "initiative", "setting", "group_format", "waiting_time", "minimum_age", "maximum_age", "eligibility",
                "cost", "languages", "assured_date", "location_ids", "service_areas", "schedules", "contacts",
                "status_reason"},
        "cost": {"kind", "amount", "description"},
        "sched": {"id", "freq", "byday", "opens_at", "closes_at", "description"},
        "contact": {"id", "name", "title", "email", "phone"},
        "area": {"id", "code", "name", "extent", "extent_type"},
    }
    assert set(data) <= allowed["top"]
    for o in data["organizations"]:
        assert set(o) <= allowed["org"], set(o) - allowed["org"]
    for l in data["locations"]:
        assert set(l) <= allowed["loc"] and set(l["address"]) <= allowed["addr"], l
    for s in data["services"]:
        assert set(s) <= allowed["svc"], set(s) - allowed["svc"]
        assert set(s["cost"]) <= allowed["cost"]
        assert all(set(x) <= allowed["sched"] for x in s["schedules"])
        assert all(set(x) <= allowed["contact"] for x in s["contacts"])
        assert all(set(x) <= allowed["area"] for x in s["service_areas"])
        assert all(re.fullmatch(r"[a-z]{2}", x) for x in s["languages"])
        for t in ("minimum_age", "maximum_age"):
            assert s[t] is None or 0 <= s[t] <= 120
    for o in data["organizations"]:
        assert o["provider_type"] in ptypes and o["email"].endswith(".example") and o["website"].endswith(".example")
    # Locations: inside the intended polygon, real PC4 of that area
    for l in data["locations"]:
        gm, wijk, buurt = LOC_TARGET[l["id"]]
        lon, lat = l["longitude"], l["latitude"]
        assert (CITY_BUURT[buurt] if buurt else PROV_WIJK[wijk]).contains(lon, lat), l
        assert wijk_hits(lon, lat) == {wijk}, l
        assert GEMEENTE[gm].contains(lon, lat), l
        pc = l["address"]["postal_code"]
        assert re.fullmatch(r"\d{4} [A-Z]{2}", pc), pc
        assert pc[:4] in PC4_NL and any(r["pc4"] == pc[:4] and r["wijk"][2:6] == gm[2:] for r in PC4_ROWS), pc
        assert l["organization_id"] in org_ids
    per_wijk, per_gm, per_cat, per_sub = Counter(), Counter(), Counter(), Counter()
    ov_lonely, ov_lonely_buurten, ov_area_only, lonely_elsewhere = 0, set(), 0, 0
    no_loc_area = 0
    located_with_area = 0
    for s in data["services"]:
        assert s["organization_id"] in org_ids
        assert s["categories"] and all(c in cats for c in s["categories"]), s["categories"]
        assert all(t in tgs for t in s["target_groups"]), s["target_groups"]
        assert s["access_route"] in ("open", "buurtteam", "huisarts", "wmo")
        assert s["formality"] in ("formal", "informal") and s["setting"] in ("in_person", "online", "hybrid")
        assert s["group_format"] in ("group", "individual", "both")
        assert s["initiative"] in (None, "bewonersinitiatief", "vrijwilligers", "lotgenoten", "ervaringsdeskundigen", "professioneel")
        assert s["cost"]["kind"] in ("free", "contribution", "price")
        assert 0 <= len(s["location_ids"]) <= 3 and all(l in loc_by_id for l in s["location_ids"])
        assert all(a["code"] in valid_areas for a in s["service_areas"]), s["service_areas"]
        assert s["location_ids"] or s["service_areas"], s["name"]
        assert dt.date.fromisoformat(s["assured_date"]) >= TODAY - dt.timedelta(days=550)
        for sc in s["schedules"]:
            for t in ("opens_at", "closes_at"):
                if t in sc:
                    assert re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", sc[t]), sc
        assert 2 <= n_sent(s["description"]) <= 4, (s["name"], s["description"])
        tops = {top(c, parent) for c in s["categories"]}
        for t in tops:
            per_cat[t] += 1
        for c in s["categories"]:
            if parent.get(c):
                per_sub[c] += 1
        wijken = {LOC_TARGET[l][1] for l in s["location_ids"]}
        gms = {LOC_TARGET[l][0] for l in s["location_ids"]}
        for w in wijken:
            per_wijk[w] += 1
        for g in gms:
            per_gm[g] += 1
        lonely = "eenzaamheid" in tops
        if lonely and "WK034403" in wijken:
            ov_lonely += 1
            ov_lonely_buurten |= {LOC_TARGET[l][2] for l in s["location_ids"] if LOC_TARGET[l][1] == "WK034403"}
        if lonely and "WK034403" not in wijken and not any(a["code"] == "WK034403" for a in s["service_areas"]):
            lonely_elsewhere += 1
        if not s["location_ids"]:
            no_loc_area += 1
            if any(a["code"] == "WK034403" for a in s["service_areas"]):
                ov_area_only += 1
        elif s["service_areas"]:
            located_with_area += 1
    services = data["services"]
    assert len(services) >= 320, len(services)
    assert len(data["organizations"]) >= 85, len(data["organizations"])
    for w in UTRECHT_WIJK_NAMES:
        assert per_wijk[w] >= 12, (w, per_wijk[w])
    assert per_wijk["WK034403"] >= 25
    assert ov_lonely >= 8 and len(ov_lonely_buurten) >= 6, (ov_lonely, ov_lonely_buurten)
    assert ov_area_only >= 2 and lonely_elsewhere >= 5
    other = [g for g in per_gm if g != "GM0344"]
    assert len(other) >= 6, other
    for c in {top(c, parent) for c in cats}:
        assert per_cat[c] >= 8, (c, per_cat[c])
    unused = sorted(c for c in cats if parent.get(c) and per_sub[c] == 0)
    assert len(unused) <= 3, unused
    assert no_loc_area >= 20 and located_with_area >= 10
    # Scenario checks
    ov_ids = {l for l, t in LOC_TARGET.items() if t[1] == "WK034403"}
    assert any("geldzorgen" in s["description"].lower() and "schuld" not in (s["name"] + s["description"]).lower()
               and set(s["location_ids"]) & ov_ids for s in services)
    assert any("café" in s["name"] for s in services)
    assert any("Taalcafé Kanaleneiland" == s["name"] for s in services)
    assert any(s["welzijn_op_recept"] and s["cost"]["kind"] == "free" and "bewegen/wandelgroep" in s["categories"]
               and any("MO" in (sc.get("byday") or "").split(",") for sc in s["schedules"]) for s in services)
    assert any(s["minimum_age"] == 75 for s in services)
    assert any(not s["location_ids"] and s["setting"] == "online" and "mentale-gezondheid/lotgenotencontact" in s["categories"]
               and {"GM0344"} < {a["code"] for a in s["service_areas"]} for s in services)
    assert {s["access_route"] for s in services} == {"open", "buurtteam", "huisarts", "wmo"}
    assert {s["cost"]["kind"] for s in services} == {"free", "contribution", "price"}
    assert {s["formality"] for s in services} == {"formal", "informal"}
    assert sum(1 for s in services if s["welzijn_op_recept"]) >= 30
    assert sum(1 for s in services if any("freq" in sc for sc in s["schedules"])) > len(services) // 2
    assert all(".example" in (s.get("email") or "x.example") for s in services)
    alltext = " ".join((s["name"] + " " + s["description"]).lower() for s in services)
    for phrase in ("samen koffie drinken", "iemand om mee te praten", "hulp bij formulieren", "rood staan", "café", "cliënt", "één"):
        assert phrase in alltext, phrase
    for s in services:
        if s["cost"]["kind"] != "free":
            assert s["cost"]["amount"] is not None, s["name"]
    dates = sorted(s["assured_date"] for s in services)
    assert dates[0] < "2025-08-01" and dates[-1] > "2026-10-01", (dates[0], dates[-1])
    return per_wijk, per_gm, per_cat, per_sub, ov_lonely, ov_lonely_buurten, no_loc_area, unused


# A few listings are temporarily closed (HSDS status), with the reason visitors read in the
# banner; they stay findable, ranked after open ones. Chosen by name, none a test scenario.
TEMPORARILY_CLOSED = {
    "Weggeefwinkel De Hoeksteen": "De Hoeksteen wordt verbouwd. Vanaf 1 februari 2027 zijn we weer open.",
    "Pluktuin Het Kompas": "Winterstop: de tuin gaat in maart weer open.",
}


def main():
    utrecht()
    other_gemeenten()
    regional()
    services = []
    for s in SERVICES:
        s = dict(s)
        s.pop("_kind")
        services.append(s)
    for name, reason in TEMPORARILY_CLOSED.items():
        matches = [s for s in services if s["name"] == name]
        assert len(matches) == 1, (name, len(matches))
        matches[0]["status"] = "temporarily closed"
        matches[0]["status_reason"] = reason
    data = {
        "format": "wijkwijzer-demo/1",
        "description": ("Fictieve demodata voor Wijkwijzer, de sociale kaart voor de regio Utrecht. Alle organisaties, "
                        "personen, telefoonnummers, e-mailadressen, websites en straatnamen zijn verzonnen (fictief). "
                        "Alleen de wijk- en buurtgrenzen (CBS/gemeente Utrecht, CC BY 4.0) en de PC4-postcodegebieden zijn echt."),
        "organizations": sorted(ORGS.values(), key=lambda o: o["name"]),
        "locations": list(LOCS.values()),
        "services": services,
    }
    per_wijk, per_gm, per_cat, per_sub, ov_lonely, ov_b, no_loc, unused = validate(data)
    text = json.dumps(data, ensure_ascii=False, indent=1)
    OUT.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(text.encode()) / 1024:.0f} KiB)")
    print(f"{len(data['organizations'])} organisations, {len(data['locations'])} locations, {len(services)} services "
          f"({no_loc} without location, area only)")
    print("services located per Utrecht wijk:")
    for w, n in UTRECHT_WIJK_NAMES.items():
        print(f"  {w} {n:<17} {per_wijk[w]:>3}")
    print(f"  Overvecht eenzaamheid (located): {ov_lonely} services in {len(ov_b)} buurten")
    print("services located per gemeente:")
    for g, n in sorted(per_gm.items(), key=lambda x: -x[1]):
        print(f"  {g} {GEMEENTE[g].name:<15} {n:>3}")
    print("services per top-level category:")
    for c, n in sorted(per_cat.items(), key=lambda x: -x[1]):
        print(f"  {c:<20} {n:>3}")
    print(f"sub-terms used: {len(per_sub)}; unused: {', '.join(unused) or 'none'}")
    print("validation passed")


if __name__ == "__main__":
    sys.exit(main())
