#!/usr/bin/env python3
"""Convert the signatures of the Global Parliament of Mayors' Declaration
of Mayors for Democracy into Ties NDJSON.

Usage:
  mayors_declaration_to_ndjson.py SIGNATURES.csv OUT.ndjson [--match DUMP.ndjson]

SIGNATURES.csv is declaration-of-mayors-for-democracy-signatures.csv of the
city-vote project: "city_name,country,wikidata_id,mayor_name,mayor_title".

It writes the declaration as a Document, each mayor as a Person who SIGNED
it and is MAYOR_OF the city, and each city LOCATED_IN its country. Cities
get the id "wd-<Wikidata id>" as in the other converters (Amsterdam's
Q9899, the municipality, is Q727, as ties_ndjson.SAME_CITY says); the 20 without
one get "gpm-<country>--<name>". Countries get "country-<name>" as in the
Wikipedia converter. Mayors get "gpm-<name>". With --match, cities that the
dump holds (by their "wikidata" property) and countries it knows by name are
referred to by their id, and a city is only given the list's name as an
alias and the list as a source.

Python 3 standard library only.
"""
import csv
import os
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ties_ndjson  # noqa: E402

DOCUMENT = "gpm-declaration-signatures"
DECLARATION = "declaration-of-mayors-for-democracy"
DATA = "https://github.com/c-riq/city-vote"


def main():
    args = ties_ndjson.parse_args(__doc__, [("signatures", "declaration-of-mayors-for-democracy-signatures.csv")])

    by_qid, existing = ties_ndjson.load_matches(args.match)
    places = ties_ndjson.Places(args.match)
    source = {"document": DOCUMENT, "locator": DATA}
    counts = {"mayors": 0, "cities": 0, "countries": 0, "relations": 0}
    written = set(existing)
    with open(args.signatures, encoding="utf-8", newline="") as f, open(args.out, "w", encoding="utf-8") as out:
        def write(rec):
            ties_ndjson.write(out, rec)
        write({
            "kind": "entity", "id": DOCUMENT, "type": "Document",
            "name": "Signatures of the Declaration of Mayors for Democracy",
            "description": "The mayors who signed the declaration, with their cities matched to Wikidata (city-vote project).",
            "properties": {"url": DATA},
        })
        if DECLARATION not in existing:
            write({
                "kind": "entity", "id": DECLARATION, "type": "Document", "name": "Declaration of Mayors for Democracy",
                "description": "A joint declaration of the Global Parliament of Mayors, signed by mayors worldwide.",
                "sources": [source],
            })
        # Two rows may name one city (two mayors of San José, Honduras,
        # matched to one Wikidata item): one record, with every row's name
        # and citation.
        rows, cities = [], {}
        for n, r in enumerate(csv.DictReader(f), 2):
            row = {k: unicodedata.normalize("NFC", " ".join((v or "").split())) for k, v in r.items()}
            cite = {"document": DOCUMENT, "locator": f"{os.path.basename(args.signatures)}:{n}",
                    "excerpt": ",".join(row[c] for c in ("city_name", "country", "wikidata_id", "mayor_name", "mayor_title"))}
            country = ties_ndjson.country_name(row["country"])
            qid = row["wikidata_id"]
            if qid:
                city = by_qid.get(ties_ndjson.city_item(qid), ties_ndjson.entity_id(qid))
            else:
                city = f"gpm-{ties_ndjson.slug(country)}--{ties_ndjson.slug(row['city_name'])}"
            rows.append((row, cite, country, city))
            cities.setdefault(city, []).append((row, cite))
        for city, named in cities.items():
            if city in existing:
                for row, cite in named:
                    known = ties_ndjson.known_record(existing, city, row["city_name"], cite)
                    if known:
                        write(known)
                continue
            row = named[0][0]
            rec = {"kind": "entity", "id": city, "type": "City", "name": row["city_name"],
                   "sources": [cite for _, cite in named]}
            aliases = sorted({r["city_name"] for r, _ in named} - {row["city_name"]})
            if aliases:
                rec["aliases"] = aliases
            if row["wikidata_id"]:
                rec["properties"] = {"wikidata": ties_ndjson.city_item(row["wikidata_id"])}
            write(rec)
            counts["cities"] += 1
        for row, cite, country, city in rows:
            if country:
                cid = places.country(country) or ties_ndjson.country_id(country)
                if cid not in written:
                    write({"kind": "entity", "id": cid, "type": "Country", "name": country, "sources": [source]})
                    written.add(cid)
                    counts["countries"] += 1
                write({"kind": "relation", "type": "LOCATED_IN", "from": city, "to": cid, "sources": [cite]})
                counts["relations"] += 1
            mayor = "gpm-" + ties_ndjson.slug(row["mayor_name"])
            write({
                "kind": "entity", "id": mayor, "type": "Person", "name": row["mayor_name"],
                "properties": {"title": row["mayor_title"]}, "sources": [cite],
            })
            counts["mayors"] += 1
            write({"kind": "relation", "type": "MAYOR_OF", "from": mayor, "to": city, "sources": [cite]})
            write({"kind": "relation", "type": "SIGNED", "from": mayor, "to": DECLARATION, "sources": [cite]})
            counts["relations"] += 2
    print(f"{args.out}: {counts['mayors']} mayors, {counts['cities']} new cities, "
          f"{counts['countries']} new countries, {counts['relations']} relations")


if __name__ == "__main__":
    main()
