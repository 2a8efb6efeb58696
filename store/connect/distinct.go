package connect

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ties-graph/ties/store"
)

// Distinct paths. An analyst asking how two entities are connected means
// routes through entities: Enschede and Dalian joined by a sister-city
// tie, a friendly cooperation and an invitation are one hop with three
// pieces of evidence, not three paths that crowd out every other route.
// With PathOptions.Distinct, Yen's algorithm treats a hop as the pair of
// entities it joins: a route is known by its entities alone (key), a spur
// bans every relation joining the pair the earlier paths took (ban), and
// each hop of a result carries all its parallel relations (evidence).

// key identifies a route: by its entities when distinct, else by its
// start and relations (routeKey).
func (ps *pathSearch) key(rt route) string {
	if !ps.distinct {
		return routeKey(rt)
	}
	var sb strings.Builder
	for i, n := range rt.nodes {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, "%d", n)
	}
	return sb.String()
}

// ban bans the hop i of p from a spur search: its relation, or when
// distinct every relation joining the same two entities.
func (ps *pathSearch) ban(banned map[store.RelID]bool, p route, i int) error {
	if !ps.distinct {
		banned[p.rels[i]] = true
		return nil
	}
	rels, err := ps.joining(p.nodes[i], p.nodes[i+1])
	if err != nil {
		return err
	}
	for _, r := range rels {
		banned[r] = true
	}
	banned[p.rels[i]] = true
	return nil
}

// joining returns the relations the walk may take from u to v, in
// adjacency order.
func (ps *pathSearch) joining(u, v store.NodeID) ([]store.RelID, error) {
	var rels []store.RelID
	err := ps.r.Edges(u, ps.fwd, func(e store.Edge) error {
		if e.Other == v {
			rels = append(rels, e.Relation)
		}
		return nil
	})
	return rels, err
}

// evidence returns, for each hop of rt, every relation joining its two
// entities, the one the search took (edges[i]) first.
func (ps *pathSearch) evidence(rt route, edges []*store.Relation) ([][]*store.Relation, error) {
	out := make([][]*store.Relation, len(rt.rels))
	for i, took := range rt.rels {
		rels, err := ps.joining(rt.nodes[i], rt.nodes[i+1])
		if err != nil {
			return nil, err
		}
		rels = slices.DeleteFunc(rels, func(r store.RelID) bool { return r == took })
		bodies, err := ps.r.Relations(rels)
		if err != nil {
			return nil, fmt.Errorf("read the evidence of a path: %w", err)
		}
		out[i] = append([]*store.Relation{edges[i]}, bodies...)
	}
	return out, nil
}
