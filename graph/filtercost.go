package graph

import (
	"github.com/ties-graph/ties/graph/model"
	"github.com/ties-graph/ties/store"
)

// Costs of the lists that filter or sort a whole type: a filter that a
// property index answers reads only its matches, like a traversal; any
// other filter, and any order, reads every record of the types, like a
// whole-graph computation.
const (
	indexedListCost = 100
	scanListCost    = 5_000
)

// scanCosts prices entity and relation lists by whether a property index
// answers their filters.
type scanCosts struct {
	// indexed reports whether every type of types (relation types when
	// relations, all when empty) has an index on key.
	indexed func(relations bool, types []string, key string) bool
}

func (s scanCosts) entities(types []string, where []*model.PropertyFilter, orderBy []*store.Order) int {
	return s.cost(false, types, where, orderBy)
}

func (s scanCosts) relations(types []string, where []*model.PropertyFilter, orderBy []*store.Order) int {
	return s.cost(true, types, where, orderBy)
}

func (s scanCosts) cost(relations bool, types []string, where []*model.PropertyFilter, orderBy []*store.Order) int {
	if len(where) == 0 && len(orderBy) == 0 {
		return 0
	}
	for _, f := range where {
		if f != nil && indexable(f) && s.indexed != nil && s.indexed(relations, types, f.Key) {
			return indexedListCost
		}
	}
	return scanListCost
}

// indexable reports whether f has an operator a property index answers.
func indexable(f *model.PropertyFilter) bool {
	return f.Eq != nil || f.In != nil || f.Gt != nil || f.Gte != nil || f.Lt != nil || f.Lte != nil
}
