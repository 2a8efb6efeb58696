package connect

import (
	"fmt"
	"github.com/ties-graph/ties/store"
	"slices"
)

// maxComponentSizes is how many component sizes Components lists.
const maxComponentSizes = 100

// unionFind is a disjoint-set forest over dense indices with union by size
// and path halving.
type unionFind struct {
	parent []int32
	size   []int32
}

func newUnionFind(n int) *unionFind {
	uf := &unionFind{parent: make([]int32, n), size: make([]int32, n)}
	for i := range uf.parent {
		uf.parent[i], uf.size[i] = int32(i), 1
	}
	return uf
}

func (uf *unionFind) find(x int32) int32 {
	for uf.parent[x] != x {
		uf.parent[x] = uf.parent[uf.parent[x]]
		x = uf.parent[x]
	}
	return x
}

func (uf *unionFind) union(a, b int32) {
	a, b = uf.find(a), uf.find(b)
	if a == b {
		return
	}
	if uf.size[a] < uf.size[b] {
		a, b = b, a
	}
	uf.parent[b] = a
	uf.size[a] += uf.size[b]
}

// Components counts the connected components of the graph of the entities
// of opts.EntityTypes (all when empty) and the relations among them that
// match opts.Types and opts.ValidAt, taken as undirected. An entity without
// such relations is a component of its own. Sizes lists the largest 100
// sizes, largest first. Errors: Invalid for an unknown type name; Timeout
// when the request's deadline passes.
func Components(r *store.Reader, opts store.ComponentsOptions) (_ store.ComponentsResult, err error) {
	var res store.ComponentsResult
	defer wrap(&err, "components")
	// Every relation is stored with an outgoing key at its from, so
	// walking OUT from every entity meets each relation at least once.
	f, err := filterOf(r, opts.Types, store.Out, opts.ValidAt, opts.DatedOnly, opts.EntityTypes)
	if err != nil {
		return store.ComponentsResult{}, err
	}
	b := newBudget(r.Context(), 0)
	nodes, index, err := eachNode(r, opts.EntityTypes, b)
	if err != nil {
		return store.ComponentsResult{}, err
	}
	uf := newUnionFind(len(nodes))
	err = expandAll(r, nodes, f, b, func(i int, e store.Edge) error {
		if j, ok := index[e.Other]; ok {
			uf.union(int32(i), j)
		}
		return nil
	})
	if err != nil {
		return store.ComponentsResult{}, err
	}
	var sizes []int
	for i := range nodes {
		if uf.find(int32(i)) == int32(i) {
			sizes = append(sizes, int(uf.size[i]))
		}
	}
	slices.SortFunc(sizes, func(a, b int) int { return b - a })
	res.Count = len(sizes)
	if len(sizes) > 0 {
		res.Largest = sizes[0]
	}
	res.Sizes = sizes[:min(len(sizes), maxComponentSizes)]
	return res, nil
}

// ComponentOf returns the id of the component that entity id belongs to
// under opts (as for Components): the smallest entity id in it, so it is
// stable while the component is. It walks the component breadth first and
// reads the id of every entity in it, so on a graph that is one big
// component it costs a pass over the graph. Errors: NotFound for an
// unknown id; Invalid for an unknown type name or an entity outside
// opts.EntityTypes; Timeout when the request's deadline passes.
func ComponentOf(r *store.Reader, id string, opts store.ComponentsOptions) (_ string, err error) {
	var out string
	defer wrap(&err, "component of %s", id)
	f, err := filterOf(r, opts.Types, store.Both, opts.ValidAt, opts.DatedOnly, opts.EntityTypes)
	if err != nil {
		return "", err
	}
	start, err := r.LookupEntity(id)
	if err != nil {
		return "", err
	}
	if len(opts.EntityTypes) > 0 {
		ents, err := r.Entities([]store.NodeID{start})
		if err != nil {
			return out, fmt.Errorf("read entity %s: %w", id, err)
		}
		ts, err := newTypeSet(r, opts.EntityTypes)
		if err != nil {
			return out, err
		}
		if len(ents) != 1 || ents[0] == nil || !ts.hasName(ents[0].Type) {
			return out, store.FieldError(id, "type", "entity is not among the entity types %v", opts.EntityTypes)
		}
	}
	b := newBudget(r.Context(), 0)
	seen := map[store.NodeID]bool{start: true}
	out = id
	for front := []store.NodeID{start}; len(front) > 0; {
		var next []store.NodeID
		err := r.Expand(front, f, func(_ int, e store.Edge) error {
			if err := b.step(); err != nil {
				return err
			}
			if !seen[e.Other] {
				seen[e.Other] = true
				next = append(next, e.Other)
			}
			return nil
		})
		if err != nil {
			return out, fmt.Errorf("expand %d nodes: %w", len(front), err)
		}
		for _, n := range next {
			other, err := r.EntityID(n)
			if err != nil {
				return out, fmt.Errorf("entity id of node %d: %w", n, err)
			}
			out = min(out, other)
		}
		front = next
	}
	return out, nil
}
