"""Helpers shared by the conversion scripts: writing canonical Ties NDJSON
records, matching Wikidata items to entities a store already holds, and
the ids, names and indexes of places for data that has no Wikidata ids.

Python 3 standard library only.
"""
import argparse
import json
import unicodedata


def parse_args(doc, inputs):
    """Parse the command line of a conversion script: its inputs, given as
    (name, help) pairs, then the NDJSON file to write and --match. The
    script's docstring doc gives the description."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    for name, help in inputs:
        ap.add_argument(name, help=help)
    ap.add_argument("out", help="the NDJSON file to write")
    ap.add_argument("--match", help="an NDJSON dump of the store to import into")
    return ap.parse_args()


def write(out, record):
    """Write one record as a line of NDJSON."""
    out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
    out.write("\n")


# Wikidata items that the data sets use for one and the same city, mapped
# to the item Ties takes for the city. Amsterdam is Q727, the capital city,
# which Eurocities and most of the twinning statements use; the mayors'
# declaration (and part of the twinning statements) use Q9899, the
# municipality that the mayor heads. One entity results, citing both items.
SAME_CITY = {"Q9899": "Q727"}


def city_item(qid):
    """The Wikidata item Ties takes for the city of item qid (SAME_CITY)."""
    return SAME_CITY.get(qid, qid)


def entity_id(qid):
    """The id of an entity made from a Wikidata item: the same in every
    conversion script, so that files converted separately meet, and the
    same for the items in SAME_CITY that stand for one city."""
    return "wd-" + city_item(qid)


def load_matches(path):
    """Read an NDJSON dump (ties export -o dump.ndjson) and map the Wikidata
    ids of its entities (the "wikidata" property, as city_item gives it) to
    their Ties ids, and
    remember every entity by id (its record), so that converted files point
    at entities the store already has instead of replacing them."""
    by_qid, ids = {}, {}
    if not path:
        return by_qid, ids
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            if rec.get("kind") != "entity":
                continue
            ids[rec["id"]] = rec
            qid = (rec.get("properties") or {}).get("wikidata")
            if isinstance(qid, str):
                by_qid.setdefault(city_item(qid), rec["id"])
    return by_qid, ids


def load_pairs(path, relation_type):
    """Read an NDJSON dump and return the unordered pairs of entity ids that
    a relation of relation_type joins, whatever its dates, so that a
    converter can leave out a fact the store already records (with its own
    evidence) instead of replacing or duplicating it."""
    pairs = set()
    if not path:
        return pairs
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            if rec.get("kind") == "relation" and rec.get("type") == relation_type:
                pairs.add(frozenset((rec["from"], rec["to"])))
    return pairs


def known_record(existing, entity, label, source):
    """The record that adds label as an alias of an entity the store
    already has (existing, from load_matches) and source as one more
    citation of it, or None when the store knows the entity by that name
    and already cites that source. An import merges it: only the aliases
    and sources grow, so the store's name and facts stay, the source's
    label is still found by search ("Köln" for the store's "Cologne"), and
    the entity still cites the data the label came from."""
    rec = existing.get(entity)
    if rec is None:
        return None
    new_alias = label and label != rec.get("name") and label not in (rec.get("aliases") or [])
    cited = any(s.get("document") == source.get("document") and s.get("locator") == source.get("locator")
                and s.get("excerpt") == source.get("excerpt") for s in rec.get("sources") or [])
    if not new_alias and cited:
        return None
    out = {"kind": "entity", "id": entity, "type": rec["type"], "name": rec.get("name", entity)}
    if new_alias:
        out["aliases"] = [label]
    if not cited:
        out["sources"] = [source]
    return out


# Romanian and Moldovan names come both with the comma below (ș, ț), which
# is right, and with the cedilla (ş, ţ) of older fonts; NFC keeps them apart.
_COMMA_BELOW = str.maketrans("şŞţŢ", "șȘțȚ")


def name_key(name):
    """The form of a place name that decides whether two spellings are one
    place: NFC, case-folded, runs of spaces as one, the cedilla read as the
    comma below. Other diacritics stay, because they tell real places apart
    (Löhne and Lohne, Fürth and Furth are different towns)."""
    name = unicodedata.normalize("NFC", name).translate(_COMMA_BELOW)
    return " ".join(name.split()).casefold()


def slug(name):
    """The part of an id made from a name: its name_key with hyphens for
    spaces and punctuation, letters with diacritics kept."""
    out, dash = [], False
    for c in name_key(name):
        if c.isalnum():
            out.append(c)
            dash = False
        elif not dash:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


# Country names as the data sets write them, typos and all, mapped to the
# name the others use (Eurocities' Wikidata names where they have one).
COUNTRY_NAMES = {
    "the netherlands": "Netherlands", "uk": "United Kingdom", "usa": "United States",
    "united states of america": "United States", "méxico": "Mexico", "the gambia": "Gambia",
    "czech republic": "Czechia", "republic of ireland": "Ireland", "georgia (country)": "Georgia",
    "grece": "Greece", "japa": "Japan", "kazakhstah": "Kazakhstan", "madagaskar": "Madagascar",
    "moldavia": "Moldova", "surinam": "Suriname", "bosnia and hercegovina": "Bosnia and Herzegovina",
    "east timor": "Timor-Leste", "micronesia": "Federated States of Micronesia",
    "island": "Iceland", "in italy": "Italy",
}

# The nations of the United Kingdom, which the lists of twin towns name as
# countries of their own: a town's name is unique within one of them, not
# within the kingdom (Newburgh in England and Newburgh in Scotland).
UK_NATIONS = {"England", "Scotland", "Wales", "Northern Ireland"}


def country_name(raw):
    """The usual name of a country as a data set writes it, or "" for none."""
    raw = " ".join(raw.split())
    return COUNTRY_NAMES.get(name_key(raw), raw)


def country_id(name):
    """The id of a country entity made from its usual name, the same in
    every conversion script that has no Wikidata id for it."""
    return "country-" + slug(name)


class Places:
    """The cities and countries of an NDJSON dump, indexed by name_key of
    their names, aliases and labels, with the countries each city is
    LOCATED_IN, the cities it is twinned with, and the entities citing each
    (document, excerpt), so that a converter without Wikidata ids can find
    the entities a store already has, and those it matched before."""

    def __init__(self, path):
        self.cities, self.countries = {}, {}
        self.located, self.twins, self.cited = {}, {}, {}
        if not path:
            return
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                rec = json.loads(line)
                kind = rec.get("kind")
                if kind == "entity" and rec.get("type") in ("City", "Municipality", "Country", "Region"):
                    index = self.countries if rec["type"] in ("Country", "Region") else self.cities
                    names = [rec.get("name", "")] + (rec.get("aliases") or []) + list((rec.get("labels") or {}).values())
                    for n in names:
                        if n:
                            index.setdefault(name_key(n), set()).add(rec["id"])
                if kind == "entity":
                    for src in rec.get("sources") or []:
                        self.cited.setdefault((src.get("document"), src.get("excerpt")), set()).add(rec["id"])
                elif kind == "relation" and rec.get("type") == "LOCATED_IN":
                    self.located.setdefault(rec["from"], set()).add(rec["to"])
                elif kind == "relation" and rec.get("type") == "SISTER_CITY_OF":
                    self.twins.setdefault(rec["from"], set()).add(rec["to"])
                    self.twins.setdefault(rec["to"], set()).add(rec["from"])

    def country(self, name):
        """The id of the one country or region the dump knows by name, or None."""
        ids = self.countries.get(name_key(name), ())
        return next(iter(ids)) if len(ids) == 1 else None
