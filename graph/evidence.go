package graph

import "github.com/ties-graph/ties/store"

// pathEvidence is Path.evidence: the store's, for distinct paths, else
// each edge on its own.
func pathEvidence(p *store.Path) [][]*store.Relation {
	if p.Evidence != nil {
		return p.Evidence
	}
	out := make([][]*store.Relation, len(p.Edges))
	for i, e := range p.Edges {
		out[i] = []*store.Relation{e}
	}
	return out
}
