#!/usr/bin/env python3
"""Load a Ties node-link export in NetworkX and summarise it.

Usage: partner_network.py GRAPH.json [ENTITY_ID]

GRAPH.json is an export in the json format (GET /export?format=json, or
ties export --format json). Prints the size of the graph, the entities with
most relations, and, when ENTITY_ID is given, that entity's partners with the
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


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    g = load(sys.argv[1])
    print(f"{g.number_of_nodes()} entities, {g.number_of_edges()} relations")
    # Symmetric ties such as SISTER_CITY_OF are stored once, in one
    # direction: count them without regard to direction. A MultiGraph keeps
    # every relation, so that Dalian, a friendly cooperative city and then a
    # sister city, counts twice, as Ties' degree counts it.
    u = nx.MultiGraph(g)
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
