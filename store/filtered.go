package store

import (
	"context"
	"slices"
)

// SearchWhere is Search keeping only the hits for which every filter of
// where holds. The filters are checked on the ranked candidates of the
// name index (at most searchScanCap per term), so a filter that keeps few
// of many name matches may miss some, as a rare type filter may.
// Errors: those of Search, and Invalid for an ill-typed filter.
func (s *Store) SearchWhere(ctx context.Context, text string, types []string, filters []PropertyFilter, n *int, ro ReadOptions) ([]SearchHit, error) {
	if len(filters) == 0 {
		return s.Search(ctx, text, types, n, ro)
	}
	limit, err := SizeOr(n, DefaultSearchLimit, "first")
	if err != nil {
		return nil, err
	}
	var w where
	var sch *schema
	err = s.View(ctx, ro, func(r *Reader) error {
		sch = r.sch
		w, err = compileWhere(r.sch, filters, true, "where")
		return err
	})
	if err != nil {
		return nil, err
	}
	all := searchScanCap
	hits, err := s.Search(ctx, text, types, &all, ro)
	if err != nil {
		return nil, err
	}
	out := hits[:0]
	for _, h := range hits {
		t, ok := sch.entityType(h.Entity.Type)
		if ok && w.matches(entityRecord(h.Entity, t)) {
			out = append(out, h)
		}
		if len(out) == limit {
			break
		}
	}
	return slices.Clip(out), nil
}

// FilterSubgraph keeps the nodes of g for which every filter of where
// holds, the first node (the start) always, and the edges between the
// nodes kept: the where of a neighbourhood, which the walk itself does
// not apply (it crosses every entity its filters admit). Errors: Invalid
// for an ill-typed filter.
func (s *Store) FilterSubgraph(ctx context.Context, g *Subgraph, where []PropertyFilter, ro ReadOptions) error {
	if len(where) == 0 {
		return nil
	}
	return s.View(ctx, ro, func(r *Reader) error {
		w, err := compileWhere(r.sch, where, true, "where")
		if err != nil {
			return err
		}
		kept := map[string]bool{}
		nodes := g.Nodes[:0]
		for i, e := range g.Nodes {
			t, ok := r.sch.entityType(e.Type)
			if i == 0 || ok && w.matches(entityRecord(e, t)) {
				nodes = append(nodes, e)
				kept[e.ID] = true
			}
		}
		g.Nodes = nodes
		edges := g.Edges[:0]
		for _, rel := range g.Edges {
			if kept[rel.From] && kept[rel.To] {
				edges = append(edges, rel)
			}
		}
		g.Edges = edges
		return nil
	})
}
