#!/usr/bin/env python3
"""Convert the LDBC Social Network Benchmark's people, places and
organisations into Ties NDJSON.

Usage:
  ldbc_snb_to_ndjson.py VANILLA_DIR OUT.ndjson

VANILLA_DIR is the "vanilla" folder of an LDBC SNB Interactive data set
(pipe-separated CSV files with headers, dynamic/ and static/). The script
reads the persons, who knows whom and since when, where persons and
organisations are, which place is part of which, and who worked and
studied where; it leaves out the forums, posts, comments and tags.

Entities get the ids "ldbc-person-N", "ldbc-place-N" and "ldbc-org-N".
Dates keep the precision LDBC gives: a friendship's validFrom is the day
it was made (LDBC counts milliseconds since 1970), a job's validFrom the
year work began (workFrom), a study's validTo the class year. A person's
birthday is a date property, the languages and e-mail addresses lists.
Every record cites the data set as a Document entity.

Python 3 standard library only.
"""
import argparse
import csv
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ties_ndjson  # noqa: E402

DOCUMENT = "ldbc-snb"
SOURCES = [{"document": DOCUMENT}]
PLACE_TYPES = {"city": "City", "country": "Country", "continent": "Continent"}
ORG_TYPES = {"company": "Company", "university": "University"}


def rows(folder, name):
    """The rows of one LDBC file, without its header."""
    with open(os.path.join(folder, name), encoding="utf-8", newline="") as f:
        r = csv.reader(f, delimiter="|")
        next(r)
        yield from r


def day(millis):
    """The UTC day of an LDBC timestamp (milliseconds since 1970)."""
    t = datetime.datetime.fromtimestamp(int(millis) / 1000, datetime.timezone.utc)
    return t.strftime("%Y-%m-%d")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("vanilla", help="the vanilla folder of an LDBC SNB data set")
    ap.add_argument("out", help="the NDJSON file to write")
    args = ap.parse_args()
    dyn = os.path.join(args.vanilla, "dynamic")
    static = os.path.join(args.vanilla, "static")
    counts = {}

    with open(args.out, "w", encoding="utf-8") as out:
        def write(record):
            key = record["kind"] + (" " + record["type"] if "type" in record else "")
            counts[key] = counts.get(key, 0) + 1
            ties_ndjson.write(out, record)

        # The types LDBC needs beyond the default ontology.
        write({"kind": "entityType", "name": "Continent", "parent": "Place", "description": "A continent."})
        write({"kind": "entityType", "name": "University", "parent": "Organization", "description": "A university."})
        write({"kind": "relationType", "name": "KNOWS", "inverse": "KNOWS", "symmetric": True,
               "from": ["Person"], "to": ["Person"], "description": "Know each other."})
        write({"kind": "relationType", "name": "STUDIED_AT", "inverse": "HAD_STUDENT",
               "from": ["Person"], "to": ["Organization"], "description": "Studied at a university."})
        write({"kind": "entity", "id": DOCUMENT, "type": "Document",
               "name": "LDBC Social Network Benchmark data set",
               "properties": {"url": "https://github.com/ldbc/ldbc_snb_interactive_v1_impls"}})

        for pid, first, last, gender, birthday, created, ip, browser, langs, emails in rows(dyn, "person_0_0.csv"):
            props = {"gender": gender, "birthday": {"date": day(birthday)}, "joined": {"date": day(created)},
                     "browserUsed": browser, "locationIP": ip}
            if langs:
                props["speaks"] = langs.split(";")
            if emails:
                props["email"] = emails.split(";")
            write({"kind": "entity", "id": "ldbc-person-" + pid, "type": "Person",
                   "name": (first + " " + last).strip(), "properties": props, "sources": SOURCES})
        for pid, name, url, kind in rows(static, "place_0_0.csv"):
            write({"kind": "entity", "id": "ldbc-place-" + pid, "type": PLACE_TYPES[kind],
                   "name": name.replace("_", " "), "properties": {"url": url}, "sources": SOURCES})
        for oid, kind, name, url in rows(static, "organisation_0_0.csv"):
            write({"kind": "entity", "id": "ldbc-org-" + oid, "type": ORG_TYPES[kind],
                   "name": name.replace("_", " "), "properties": {"url": url}, "sources": SOURCES})

        def relation(typ, frm, to, **fields):
            write(dict({"kind": "relation", "type": typ, "from": frm, "to": to, "sources": SOURCES}, **fields))

        for a, b, created in rows(dyn, "person_knows_person_0_0.csv"):
            relation("KNOWS", "ldbc-person-" + a, "ldbc-person-" + b, validFrom=day(created))
        for a, b in rows(dyn, "person_isLocatedIn_place_0_0.csv"):
            relation("LOCATED_IN", "ldbc-person-" + a, "ldbc-place-" + b)
        for a, b in rows(static, "organisation_isLocatedIn_place_0_0.csv"):
            relation("LOCATED_IN", "ldbc-org-" + a, "ldbc-place-" + b)
        for a, b in rows(static, "place_isPartOf_place_0_0.csv"):
            relation("PART_OF", "ldbc-place-" + a, "ldbc-place-" + b)
        for a, b, year in rows(dyn, "person_workAt_organisation_0_0.csv"):
            relation("WORKS_FOR", "ldbc-person-" + a, "ldbc-org-" + b, validFrom=year)
        for a, b, year in rows(dyn, "person_studyAt_organisation_0_0.csv"):
            relation("STUDIED_AT", "ldbc-person-" + a, "ldbc-org-" + b, validTo=year)

    print(args.out + ": " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))


if __name__ == "__main__":
    main()
