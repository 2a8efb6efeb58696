#!/usr/bin/env python3
"""Convert the Eurocities member list, matched to Wikidata, into Ties NDJSON.

Usage:
  eurocities_to_ndjson.py MEMBERS.json OUT.ndjson [--match DUMP.ndjson]

MEMBERS.json is members-wikidata-enriched.json of the city-vote project:
{"members": [{"name_on_website", "wikidata_id", "wikidata_name", "latitude",
"longitude", "population", "country", "country_name"}], "not_found": [...]}.

It writes the Eurocities network, every matched member city with its
country, and MEMBER_OF and LOCATED_IN relations, each citing a Document
entity for the list. Entities get the id "wd-<Wikidata id>". With --match,
cities and countries that the dump already holds (by their "wikidata"
property), and the network "eurocities", are referred to by their id and not
written again, so an import keeps what the store knows about them; a city's
Wikidata name that the store does not know it by is added as an alias,
and the member list as a source.

Python 3 standard library only.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ties_ndjson  # noqa: E402

DOCUMENT = "eurocities-member-list"
NETWORK = "eurocities"


def main():
    args = ties_ndjson.parse_args(__doc__, [("members", "members-wikidata-enriched.json")])

    with open(args.members, encoding="utf-8") as f:
        data = json.load(f)
    by_qid, existing = ties_ndjson.load_matches(args.match)

    def ref(qid):
        return by_qid.get(ties_ndjson.city_item(qid), ties_ndjson.entity_id(qid))

    source = {"document": DOCUMENT, "locator": "https://eurocities.eu/cities/", "confidence": 1}
    counts = {"cities": 0, "countries": 0, "relations": 0}
    with open(args.out, "w", encoding="utf-8") as out:
        write = lambda rec: ties_ndjson.write(out, rec)  # noqa: E731
        write({
            "kind": "entity", "id": DOCUMENT, "type": "Document",
            "name": "Eurocities member list, matched to Wikidata",
            "description": "The members listed on eurocities.eu, each matched to a Wikidata item (city-vote project).",
            "properties": {"url": "https://eurocities.eu/cities/"},
        })
        if NETWORK not in existing:
            write({
                "kind": "entity", "id": NETWORK, "type": "Network", "name": "Eurocities",
                "description": "The network of major European cities.",
                "aliases": ["EUROCITIES"], "sources": [source],
            })
        # The list names some members twice ("Lyon" and "Lyon Metropole"):
        # one entity each, with the other names as aliases.
        by_city = {}
        for m in data["members"]:
            by_city.setdefault(ties_ndjson.city_item(m["wikidata_id"]), []).append(m)
        countries = set()
        for qid, ms in by_city.items():
            m, country = ms[0], ms[0].get("country")
            city = ref(qid)
            if city in existing:
                known = ties_ndjson.known_record(existing, city, m.get("wikidata_name"), source)
                if known:
                    write(known)
            else:
                props = {"wikidata": qid, "nameOnWebsite": m["name_on_website"]}
                if m.get("population") is not None:
                    props["population"] = m["population"]
                if m.get("latitude") is not None and m.get("longitude") is not None:
                    props["location"] = {"lat": m["latitude"], "lon": m["longitude"]}
                name = m.get("wikidata_name") or m["name_on_website"]
                rec = {"kind": "entity", "id": city, "type": "City", "name": name, "properties": props, "sources": [source]}
                aliases = sorted({x["name_on_website"] for x in ms} - {name})
                if aliases:
                    rec["aliases"] = aliases
                write(rec)
                counts["cities"] += 1
            write({"kind": "relation", "type": "MEMBER_OF", "from": city, "to": NETWORK, "sources": [source]})
            counts["relations"] += 1
            if not country:
                continue
            cid = ref(country)
            if cid not in existing and cid not in countries:
                write({
                    "kind": "entity", "id": cid, "type": "Country", "name": m.get("country_name") or country,
                    "properties": {"wikidata": country}, "sources": [source],
                })
                counts["countries"] += 1
            countries.add(cid)
            write({"kind": "relation", "type": "LOCATED_IN", "from": city, "to": cid, "sources": [source]})
            counts["relations"] += 1
    print(f"{args.out}: {counts['cities']} cities, {counts['countries']} countries, "
          f"{counts['relations']} relations; {len(data.get('not_found', []))} unmatched names left out")


if __name__ == "__main__":
    main()
