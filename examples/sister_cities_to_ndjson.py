#!/usr/bin/env python3
"""Convert Wikidata's twinning statements (property P190) into Ties NDJSON.

Usage:
  sister_cities_to_ndjson.py RELATIONS.tsv NAMES.tsv OUT.ndjson [--match DUMP.ndjson]

RELATIONS.tsv holds one statement a line, "Qid<TAB>Qid": the first item
says it is twinned with the second. NAMES.tsv holds "Qid<TAB>label".

Most twinnings are stated on both sides. SISTER_CITY_OF is symmetric, so
"A twinned with B" and "B twinned with A" are one relation: this script
writes one record per pair, citing each statement as a source, and leaves
the id to the store, which derives it from the type and the two ends in
either order (so importing the file twice changes nothing). Entities get the
id "wd-<Wikidata id>" (two items of one city, as ties_ndjson.SAME_CITY
lists them, are one entity citing both); with --match, cities that the dump already holds (by
their "wikidata" property) are referred to by their id and not written
again, except that a record the import merges adds the Wikidata label as
an alias when the store knows the city by another name ("Köln" for the
store's "Cologne") and the city's Wikidata item as a source; and pairs the
dump already twins are left out: the store's record, with its dates and
sources, is kept rather than replaced (when it has no validFrom, the derived
ids are the same) or doubled (when it has one).

Python 3 standard library only.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ties_ndjson  # noqa: E402

DOCUMENT = "wikidata-p190"


def main():
    args = ties_ndjson.parse_args(__doc__, [
        ("relations", "relations.tsv: Qid<TAB>Qid per statement"),
        ("names", "names.tsv: Qid<TAB>label"),
    ])

    names = {}
    with open(args.names, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and parts[1].strip():
                names[parts[0]] = parts[1].strip()

    # Unordered pair -> the items that state it, in file order.
    pairs, items = {}, set()
    statements = 0
    with open(args.relations, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 2:
                sys.exit(f"{args.relations}:{n}: want two Wikidata ids, got {line!r}")
            statements += 1
            # Two items of one city (SAME_CITY) are one entity; each
            # statement still cites the item that makes it.
            items.update(parts)
            a, b = map(ties_ndjson.city_item, parts)
            if a == b:
                continue
            pairs.setdefault((min(a, b), max(a, b)), []).append(parts[0])

    by_qid, existing = ties_ndjson.load_matches(args.match)
    twinned = ties_ndjson.load_pairs(args.match, "SISTER_CITY_OF")

    def ref(qid):
        return by_qid.get(qid, ties_ndjson.entity_id(qid))

    cities = sorted({q for p in pairs for q in p})
    of_city = {}
    for i in items:
        of_city.setdefault(ties_ndjson.city_item(i), set()).add(i)
    with open(args.out, "w", encoding="utf-8") as out:
        ties_ndjson.write(out, {
            "kind": "entity", "id": DOCUMENT, "type": "Document",
            "name": "Wikidata: twinned administrative body (P190)",
            "description": "Twinning statements of Wikidata, crawled outward from Weimar in 2016.",
            "properties": {"url": "https://www.wikidata.org/wiki/Property:P190", "licence": "CC0"},
        })
        written = 0
        aliased = 0
        for q in cities:
            sources = [{"document": DOCUMENT, "locator": f"https://www.wikidata.org/wiki/{i}"} for i in sorted(of_city[q])]
            if ref(q) in existing:
                # One record, because the last of two would win outright.
                rec = None
                for source in sources:
                    known = ties_ndjson.known_record(existing, ref(q), names.get(q), source)
                    if known and rec is None:
                        rec = known
                    elif known:
                        rec.setdefault("sources", []).extend(known.get("sources", []))
                if rec:
                    ties_ndjson.write(out, rec)
                    aliased += "aliases" in rec
                continue
            ties_ndjson.write(out, {
                "kind": "entity", "id": ties_ndjson.entity_id(q), "type": "City", "name": names.get(q, q),
                "properties": {"wikidata": q}, "sources": sources,
            })
            written += 1
        known = 0
        for (a, b), stated_by in sorted(pairs.items()):
            if frozenset((ref(a), ref(b))) in twinned:
                known += 1
                continue
            ties_ndjson.write(out, {
                "kind": "relation", "type": "SISTER_CITY_OF", "from": ref(a), "to": ref(b),
                "properties": {"statedBy": sorted(set(stated_by))},
                "sources": [{"document": DOCUMENT, "locator": f"https://www.wikidata.org/wiki/{q}#P190"}
                            for q in sorted(set(stated_by))],
            })
    both = sum(1 for s in pairs.values() if len(set(s)) == 2)
    print(f"{args.out}: {statements} statements, {len(pairs)} pairs ({both} stated on both sides), "
          f"{len(cities)} cities ({written} new, {aliased} known by another name)"
          + (f", {known} pairs already in the store" if known else ""))


if __name__ == "__main__":
    main()
