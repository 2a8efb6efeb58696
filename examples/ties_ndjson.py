"""Helpers shared by the conversion scripts: writing canonical Ties NDJSON
records, and matching Wikidata items to entities a store already holds.

Python 3 standard library only.
"""
import argparse
import json


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


def entity_id(qid):
    """The id of an entity made from a Wikidata item: the same in every
    conversion script, so that files converted separately meet."""
    return "wd-" + qid


def load_matches(path):
    """Read an NDJSON dump (ties export -o dump.ndjson) and map the Wikidata
    ids of its entities (the "wikidata" property) to their Ties ids, and
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
                by_qid.setdefault(qid, rec["id"])
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
