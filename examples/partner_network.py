#!/usr/bin/env python3
"""Load a Ties node-link export in NetworkX and summarise it.

Usage: partner_network.py GRAPH.json [ENTITY_ID]

GRAPH.json is an export in the json format (GET /export?format=json, or
ties export --format json). Prints the size of the graph (the documents an
export holds because its facts cite them are counted apart), the entities
with most relations, and, when ENTITY_ID is given, that entity's partners with the
type and validity of each tie. Needs NetworkX (pip install networkx, or
apt-get install python3-networkx).
"""
import json
import sys
import warnings

import networkx as nx


def load(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        try:
            return nx.node_link_graph(data, edges="links")
        except TypeError:  # NetworkX before 3.4
            return nx.node_link_graph(data)


def document_types(g):
    """Document and its subtypes (Agreement, ...), from the types the export lists."""
    parent = {t["name"]: t.get("parent") for t in g.graph.get("entityTypes", [])}
    docs = {"Document"}
    for name in parent:
        seen, t = set(), name
        while t and t not in seen:
            if t == "Document":
                docs.add(name)
                break
            seen.add(t)
            t = parent.get(t)
    return docs


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    g = load(sys.argv[1])
    # An export of a subgraph also holds the documents its facts cite, so
    # that it imports on its own; those without a relation in it are
    # evidence, not part of the network.
    docs = document_types(g)
    cited = [n for n, d in g.nodes(data=True) if d.get("type") in docs and g.degree(n) == 0]
    line = f"{g.number_of_nodes() - len(cited)} entities, {g.number_of_edges()} relations"
    if cited:
        line += f", citing {len(cited)} document{'s' if len(cited) != 1 else ''}"
    print(line)
    # Symmetric ties such as SISTER_CITY_OF are stored once, in one
    # direction: count them without regard to direction. A MultiGraph keeps
    # every relation, so that Dalian, a friendly cooperative city and then a
    # sister city, counts twice, as Ties' degree counts it.
    u = nx.MultiGraph(g)
    u.remove_nodes_from(cited)
    print("\nMost relations:")
    for node, degree in sorted(u.degree, key=lambda x: (-x[1], x[0]))[:10]:
        print(f"  {g.nodes[node].get('name', node):40} {degree}")
    if len(sys.argv) == 3:
        me = sys.argv[2]
        print(f"\nPartners of {g.nodes[me].get('name', me)}:")
        ties = [(v, d) for _, v, d in g.out_edges(me, data=True)] + [(v, d) for v, _, d in g.in_edges(me, data=True)]
        for other, d in sorted(ties, key=lambda x: (x[1].get("type", ""), x[0])):
            span = f"{d.get('validFrom', '?')}..{d.get('validTo', '')}"
            print(f"  {d.get('type', ''):32} {g.nodes[other].get('name', other):30} {span}")


if __name__ == "__main__":
    main()
