#!/usr/bin/env python3
"""Load Ties exports in NetworkX and check them against what the store says.

Usage: consumers.py DIR

DIR holds graph.graphml, graph.gexf and graph.json (node-link), and
expect.json: {"nodes": N, "edges": M, "checks": [...]}, where each check is
{"on": "node", "id": ID, "attr": NAME, "value": V, "formats": [...]} or
{"on": "edge", "id": [SOURCE, TARGET, KEY], ...}. Exits non-zero with a
message on the first mismatch.
"""
import json
import os
import sys
import warnings

import networkx as nx
from networkx.readwrite import gexf

GEXF13 = "http://gexf.net/1.3"


def teach_gexf_13():
    """NetworkX reads GEXF 1.1draft and 1.2draft; 1.3 differs from 1.2 in
    nothing NetworkX reads, so register its namespace."""
    for v in gexf.GEXF.versions.values():
        if v["NS_GEXF"] == GEXF13:
            return
    gexf.GEXF.versions["1.3"] = {
        "NS_GEXF": GEXF13,
        "NS_VIZ": GEXF13 + "/viz",
        "NS_XSI": "http://www.w3.org/2001/XMLSchema-instance",
        "SCHEMALOCATION": GEXF13 + " " + GEXF13 + "/gexf.xsd",
        "VERSION": "1.3",
    }


def read(fmt, path):
    if fmt == "graphml":
        return nx.read_graphml(path)
    if fmt == "gexf":
        teach_gexf_13()
        version = next(k for k, v in gexf.GEXF.versions.items() if v["NS_GEXF"] == GEXF13)
        return nx.read_gexf(path, version=version)
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        try:
            return nx.node_link_graph(data, edges="links")
        except TypeError:  # NetworkX before 3.4 has no edges argument
            return nx.node_link_graph(data)


def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)


def main():
    folder = sys.argv[1]
    with open(os.path.join(folder, "expect.json"), encoding="utf-8") as f:
        expect = json.load(f)
    for fmt, name in (("graphml", "graph.graphml"), ("gexf", "graph.gexf"), ("json", "graph.json")):
        g = read(fmt, os.path.join(folder, name))
        if g.number_of_nodes() != expect["nodes"]:
            fail(f"{fmt}: {g.number_of_nodes()} nodes, want {expect['nodes']}")
        if g.number_of_edges() != expect["edges"]:
            fail(f"{fmt}: {g.number_of_edges()} edges, want {expect['edges']}")
        for c in expect["checks"]:
            if fmt not in c.get("formats", [fmt]):
                continue
            if c["on"] == "node":
                data = g.nodes[c["id"]]
            else:
                u, v, key = c["id"]
                data = g.get_edge_data(u, v, key) if g.is_multigraph() else g.get_edge_data(u, v)
                if data is None:
                    fail(f"{fmt}: no edge {u} -> {v} with key {key}")
            got = data.get(c["attr"])
            if isinstance(got, tuple) or (isinstance(got, list) and got and isinstance(got[0], tuple)):
                got = [list(x) for x in got]
            if got != c["value"]:
                fail(f"{fmt}: {c['on']} {c['id']} {c['attr']} = {got!r}, want {c['value']!r}")
        print(f"{fmt}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges, checks pass")


if __name__ == "__main__":
    main()
