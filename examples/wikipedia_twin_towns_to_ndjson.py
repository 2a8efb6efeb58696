#!/usr/bin/env python3
"""Convert the twin towns scraped from Wikipedia's lists into Ties NDJSON.

Usage:
  wikipedia_twin_towns_to_ndjson.py RAW.csv COORDINATES.csv OUT.ndjson [--match DUMP.ndjson]

RAW.csv is twin_cities_raw.csv of the twincities project
("city1,country1,city2,country2", one pair a row, as Wikipedia's "List of
twin towns and sister cities in ..." pages give them); COORDINATES.csv is
its app_public_twin_cities.csv, the same pairs with lat1,lng1,lat2,lng2.

A city is its name within its country: the id is "wp-<country>--<name>",
both as slug() makes them (NFC, case-folded, spaces and punctuation as one
hyphen, the cedilla read as the comma below, other diacritics kept), so
that "Chişinău" and "Chișinău" are one city and Löhne and Lohne two. Country names are cleaned (typos, "England,
United Kingdom" as "England"); the nations of the United Kingdom stay
apart, because names repeat across them, but a town listed under the
kingdom is the town of that name in the one nation that has it. A name written once with
diacritics and once without in one country ("Velké Opatovice", "Velke
Opatovice") is one city when the coordinates of both spellings lie within
10 km of each other; the other spelling becomes an alias. SISTER_CITY_OF is
symmetric, so a pair listed on both cities' pages is one relation citing
each row; a row twinning a name with itself (two towns called Nienburg) is
left out.

With --match, a city is referred to by the id of a city the dump already
has when one of the dump's cities has its name (or an alias or label) and
that city is LOCATED_IN the same country (the United Kingdom counting for
each of its nations) or twinned with one of the
Wikipedia twins' namesakes, and no other city has both: a name alone is not
enough, since the Wikidata crawl has many namesakes. Namesakes in two
countries that find the same city are matched only where the dump places
the city. Because the crawl labels cities in German, a city still unmatched
is then the dump's city of a similar name ("Rjasan" for Ryazan) that shares
at least two matched twins with it, more than any other such city; a name
hardly similar ("Moskau" for Moscow) takes the same initial and at least
three shared twins, twice as many as any other city's. Load the mayors'
file first: its cities have countries, which the crawl lacks.
Countries match by name. Matched entities are not written again, except
for a record that adds the Wikipedia name as an alias and the list as a
source naming the listed city, by which a second conversion finds the same
entity; pairs the dump already twins are left out.

Python 3 standard library only.
"""
import csv
import difflib
import math
import os
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ties_ndjson  # noqa: E402

DOCUMENT = "wikipedia-twin-towns"
LISTS = "https://en.wikipedia.org/wiki/Lists_of_twin_towns_and_sister_cities"


def split_place(city, country):
    """The city and country of a cell pair, cleaned: a blank country given
    inside the city's cell ("Varna, Bulgaria") is taken from there, and the
    nations of the United Kingdom stand for themselves."""
    city = unicodedata.normalize("NFC", " ".join(city.split()))
    country = unicodedata.normalize("NFC", " ".join(country.split()))
    if not country and ", " in city:
        city, country = city.rsplit(", ", 1)
    if ", " in country:
        first, rest = country.split(", ", 1)
        country = first if rest == "United Kingdom" and first in ties_ndjson.UK_NATIONS else rest
    return city, ties_ndjson.country_name(country)


def bare(name):
    """A name key without diacritics, to find spellings that differ in them."""
    return "".join(c for c in unicodedata.normalize("NFD", ties_ndjson.name_key(name)) if not unicodedata.combining(c))


def km(a, b):
    """The great-circle distance of two (lat, lon) points in km."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 12742 * math.asin(math.sqrt(min(1, h)))


def main():
    args = ties_ndjson.parse_args(__doc__, [
        ("raw", "twin_cities_raw.csv: city1,country1,city2,country2"),
        ("coordinates", "app_public_twin_cities.csv: the pairs with lat/lng"),
    ])

    # (slug, country) -> spellings in file order; rows as (line, a, b).
    spellings, rows = {}, []
    with open(args.raw, encoding="utf-8", newline="") as f:
        for n, r in enumerate(csv.DictReader(f), 2):
            a = split_place(r["city1"], r["country1"])
            b = split_place(r["city2"], r["country2"])
            for city, country in (a, b):
                spellings.setdefault((ties_ndjson.slug(city), country), []).append(city)
            rows.append((n, r, a, b))
    coords = {}
    with open(args.coordinates, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            for i in "12":
                city, country = split_place(r["city" + i], r["country" + i])
                try:
                    coords.setdefault((ties_ndjson.slug(city), country), (float(r["lat" + i]), float(r["lng" + i])))
                except ValueError:
                    pass

    # One key per city: spellings that differ in diacritics only are one
    # city when their coordinates agree.
    canon = {k: k for k in spellings}
    by_bare = {}
    for k in spellings:
        by_bare.setdefault((bare(k[0]), k[1]), []).append(k)
    merged = 0
    for keys in by_bare.values():
        keys.sort(key=lambda k: (-len(spellings[k]), k))
        for k in keys[1:]:
            if k in coords and keys[0] in coords and km(coords[k], coords[keys[0]]) <= 10:
                canon[k] = keys[0]
                merged += 1
    # A town of a nation of the United Kingdom is listed once under its
    # nation ("Armagh, Northern Ireland, United Kingdom") and once under
    # the kingdom ("Armagh, United Kingdom"): one town, when one nation
    # has the name.
    for k in spellings:
        if k[1] == "United Kingdom":
            in_nations = [(k[0], n) for n in sorted(ties_ndjson.UK_NATIONS) if (k[0], n) in spellings]
            if len(in_nations) == 1:
                canon[k] = canon[in_nations[0]]
                merged += 1

    names = {}
    for k, ss in spellings.items():
        names.setdefault(canon[k], []).extend(ss)

    def name_of(key):
        # The spelling used most often; ties go to the one with diacritics.
        ss = names[key]
        return max(sorted(set(ss)), key=lambda s: (ss.count(s), s != bare(s)))

    # Unordered pair of keys -> rows that list it.
    pairs, selfs = {}, 0
    for n, r, a, b in rows:
        ka = canon[(ties_ndjson.slug(a[0]), a[1])]
        kb = canon[(ties_ndjson.slug(b[0]), b[1])]
        if ka == kb:
            selfs += 1
            continue
        pairs.setdefault(tuple(sorted((ka, kb))), []).append((n, r))
    neighbours = {}
    for ka, kb in pairs:
        neighbours.setdefault(ka, set()).add(kb)
        neighbours.setdefault(kb, set()).add(ka)

    places = ties_ndjson.Places(args.match)
    _, existing = ties_ndjson.load_matches(args.match)
    twinned = ties_ndjson.load_pairs(args.match, "SISTER_CITY_OF")

    def country_ref(country):
        return places.country(country) or ties_ndjson.country_id(country)

    def in_country(city, country):
        # A city the store places in the United Kingdom is in each of its
        # nations as far as a listed name is concerned (Eurocities and the
        # mayors' file name the kingdom, Wikipedia the nation).
        ids = {places.country(country)} if country else set()
        if country in ties_ndjson.UK_NATIONS:
            ids.add(places.country("United Kingdom"))
        return bool(ids - {None} & places.located.get(city, set()))

    def candidates(key):
        ids = set()
        for s in set(names[key]):
            ids |= places.cities.get(ties_ndjson.name_key(s), set())
        return ids

    def cite(key):
        # The excerpt says which listed city an entity stands for, so that
        # converting again finds the same entity: the store has grown since
        # (LOCATED_IN and twins of this list), which could sway a new match.
        return {"document": DOCUMENT, "locator": LISTS, "excerpt": f"{name_of(key)}, {key[1]}" if key[1] else name_of(key)}

    match = {}
    for key in neighbours:
        before = places.cited.get((DOCUMENT, cite(key)["excerpt"]), set())
        if len(before) == 1:
            match[key] = next(iter(before))
            continue
        cands = candidates(key)
        if not cands:
            continue
        near = set()
        for other in neighbours[key]:
            near |= candidates(other)
        sure = {c for c in cands
                if in_country(c, key[1]) or places.twins.get(c, set()) & near}
        if len(sure) == 1:
            match[key] = sure.pop()
    # Namesakes in two countries (Peterborough in England and in Canada)
    # can both find a twin of the same store city; only the one in the
    # city's own country, if the store knows it, is that city.
    by_city = {}
    for key, c in match.items():
        by_city.setdefault(c, []).append(key)
    for c, keys in by_city.items():
        if len({k[1] for k in keys}) > 1:
            for k in keys:
                if not in_country(c, k[1]) and not places.cited.get((DOCUMENT, cite(k)["excerpt"])):
                    del match[k]

    # The Wikidata crawl labels cities in German ("Rjasan", "Krakau"), so a
    # twin of a matched city is often there under another spelling. A listed
    # city still unmatched is the city the store has that no listed city is
    # matched to, has a similar name, and is twinned with at least two of
    # the listed city's matched twins, more than any other such city (one
    # twin suffices when the names are close and start alike: a single
    # shared twin with a loosely similar name was Kraków and Parakou,
    # Linköping and Norrköping).
    taken = set(match.values())
    fuzzy = {}
    for key in sorted(neighbours):
        if key in match:
            continue
        near = {match[n] for n in neighbours[key] if n in match}
        name = bare(name_of(key))
        found = {}
        for t in near:
            for x in places.twins.get(t, ()):
                if x in taken or x in found or x not in existing or existing[x].get("type") != "City":
                    continue
                if places.located.get(x) and not in_country(x, key[1]):
                    continue
                other = bare(existing[x].get("name", ""))
                ratio = difflib.SequenceMatcher(None, name, other).ratio()
                if ratio >= 0.6 or (ratio >= 0.4 and other[:1] == name[:1]):
                    found[x] = (len(places.twins.get(x, set()) & near), ratio, other[:1] == name[:1])
        close = sorted(((x, f) for x, f in found.items() if f[1] >= 0.6), key=lambda kv: -kv[1][0])
        loose = sorted(found.items(), key=lambda kv: -kv[1][0])
        if close and close[0][1][0] >= 2 and (len(close) == 1 or close[1][1][0] < close[0][1][0]):
            fuzzy.setdefault(close[0][0], []).append(key)
        elif len(close) == 1 and close[0][1][1] >= 0.75 and close[0][1][2]:
            fuzzy.setdefault(close[0][0], []).append(key)
        elif loose and loose[0][1][0] >= 3 and (len(loose) == 1 or loose[1][1][0] * 2 <= loose[0][1][0]):
            # An exonym ("Moskau", "Stettin", "Latium") is hardly similar
            # to the listed name; it takes at least three shared twins, twice
            # as many as any other candidate, and the same initial.
            fuzzy.setdefault(loose[0][0], []).append(key)
        elif (len(loose) == 1 and loose[0][1][1] >= 0.5 and loose[0][1][2] and len(neighbours[key]) == 1
              and len(places.twins.get(loose[0][0], ())) == 1):
            # Both twinned with the one city alone, and no other candidate
            # (Bethlehem's "Lazio" and Wikidata's "Latium").
            fuzzy.setdefault(loose[0][0], []).append(key)
    for x, keys in fuzzy.items():
        if len(keys) == 1:
            match[keys[0]] = x

    def ref(key):
        if key in match:
            return match[key]
        city, country = key
        return f"wp-{ties_ndjson.slug(country)}--{ties_ndjson.slug(city)}" if country else f"wp--{ties_ndjson.slug(city)}"

    counts = {"cities": 0, "matched": 0, "countries": 0, "relations": 0, "known": 0}
    with open(args.out, "w", encoding="utf-8") as out:
        def write(rec):
            ties_ndjson.write(out, rec)
        write({
            "kind": "entity", "id": DOCUMENT, "type": "Document",
            "name": "Wikipedia: lists of twin towns and sister cities",
            "description": "Twin towns listed on Wikipedia's \"List of twin towns and sister cities in ...\" pages, "
                           "one row a pair (twincities project).",
            "properties": {"url": LISTS, "licence": "CC BY-SA 4.0", "data": "https://github.com/Hekman/twincities"},
        })
        countries = {}
        for key in sorted(neighbours):
            if key[1] and key[1] not in countries:
                countries[key[1]] = country_ref(key[1])
        source = {"document": DOCUMENT, "locator": LISTS}
        for country, cid in sorted(countries.items()):
            if cid in existing:
                continue
            region = country in ties_ndjson.UK_NATIONS
            write({
                "kind": "entity", "id": cid, "type": "Region" if region else "Country", "name": country,
                "sources": [source],
            })
            counts["countries"] += 1
        uk = countries.get("United Kingdom") or country_ref("United Kingdom")
        if any(c in ties_ndjson.UK_NATIONS for c in countries):
            if "United Kingdom" not in countries and uk not in existing:
                write({"kind": "entity", "id": uk, "type": "Country", "name": "United Kingdom", "sources": [source]})
                counts["countries"] += 1
            for nation in sorted(c for c in countries if c in ties_ndjson.UK_NATIONS):
                write({"kind": "relation", "type": "LOCATED_IN", "from": countries[nation], "to": uk, "sources": [source]})
        # One record per entity and per relation, because when a file holds
        # one twice the last record wins outright: listed names that come to
        # one entity (two spellings matched to one city the store has) are
        # merged here.
        by_id = {}
        for key in sorted(neighbours):
            by_id.setdefault(ref(key), []).append(key)
        for cid, keys in sorted(by_id.items()):
            if cid in existing:
                counts["matched"] += len(keys)
                rec = None
                for key in keys:
                    known = ties_ndjson.known_record(existing, cid, name_of(key), cite(key))
                    if known is None:
                        continue
                    if rec is None:
                        rec = known
                        continue
                    for field in ("aliases", "sources"):
                        for v in known.get(field, []):
                            if v not in rec.setdefault(field, []):
                                rec[field].append(v)
                if rec:
                    write(rec)
            else:
                name = name_of(keys[0])
                rec = {"kind": "entity", "id": cid, "type": "City", "name": name, "sources": [cite(k) for k in keys]}
                aliases = sorted({s for k in keys for s in names[k]} - {name})
                if aliases:
                    rec["aliases"] = aliases
                at = next((coords[k] for k in keys if k in coords), None)
                if at:
                    rec["properties"] = {"location": {"lat": at[0], "lon": at[1]}}
                write(rec)
                counts["cities"] += 1
            for to in sorted({countries[k[1]] for k in keys if k[1]}):
                write({"kind": "relation", "type": "LOCATED_IN", "from": cid, "to": to, "sources": [source]})
                counts["relations"] += 1
        twins = {}
        for (ka, kb), listed in sorted(pairs.items()):
            a, b = ref(ka), ref(kb)
            if a != b:
                twins.setdefault((min(a, b), max(a, b)), []).extend(listed)
        for (a, b), listed in sorted(twins.items()):
            if frozenset((a, b)) in twinned:
                counts["known"] += 1
                continue
            write({
                "kind": "relation", "type": "SISTER_CITY_OF", "from": a, "to": b,
                "sources": [{"document": DOCUMENT, "locator": f"{os.path.basename(args.raw)}:{n}",
                             "excerpt": ",".join(r[c] for c in ("city1", "country1", "city2", "country2"))}
                            for n, r in sorted(listed, key=lambda x: x[0])],
            })
            counts["relations"] += 1
    both = sum(1 for v in pairs.values() if len(v) > 1)
    print(f"{args.out}: {len(rows)} rows, {len(pairs)} pairs ({both} listed twice, {selfs} rows of a name twinned "
          f"with itself left out), {len(neighbours)} cities ({counts['cities']} new, {counts['matched']} matched, "
          f"{merged} spellings merged by coordinates), {counts['countries']} new countries, "
          f"{counts['relations']} relations" + (f", {counts['known']} pairs already in the store" if counts["known"] else ""))


if __name__ == "__main__":
    main()
