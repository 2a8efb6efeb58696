package connect

// This file holds what the connection queries (path.go, common.go,
// centrality.go, components.go) share: the work budget that
// honours the request's deadline and the visited-set cap, and the type
// lookups they memoise per call.

import (
	"context"
	"errors"
	"fmt"
	"github.com/ties-graph/ties/store"
)

// errStop ends a scan early from inside its callback; it never leaves
// this package.
var errStop = errors.New("stop scan")

// checkEvery is how many steps a traversal takes between looks at its
// context: often enough to stop within a millisecond or so, rarely enough
// that ctx.Err's lock does not show in profiles.
const checkEvery = 256

// budget meters one traversal: it looks at the request's context every
// checkEvery steps and counts the entities visited against a cap.
type budget struct {
	ctx       context.Context
	steps     int
	visited   int
	max       int
	truncated bool
}

func newBudget(ctx context.Context, maxVisited int) *budget {
	if maxVisited <= 0 {
		maxVisited = store.DefaultMaxVisited
	}
	return &budget{ctx: ctx, max: maxVisited}
}

// step counts one unit of work and returns the context's error once it has
// one.
func (b *budget) step() error {
	b.steps++
	if b.steps%checkEvery != 0 {
		return nil
	}
	return stopped(b.ctx)
}

// visit counts one more visited entity and reports whether the cap still
// allows it; once it does not, the traversal is truncated.
func (b *budget) visit() bool {
	b.visited++
	if b.visited > b.max {
		b.truncated = true
		return false
	}
	return true
}

// stopped returns the context's error, wrapped, once it has one.
func stopped(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("traversal stopped: %w", err)
	}
	return nil
}

// wrap names the query in the error *err that ended it, and gives a
// query stopped by a passed deadline the error users see
// (store.AsTimeout). Each query defers it after checking its arguments,
// whose errors need no such context.
func wrap(err *error, format string, args ...any) {
	if *err != nil {
		*err = store.AsTimeout(fmt.Errorf(format+": %w", append(args, *err)...))
	}
}

// reverse returns the direction that walks the same edges backwards.
func reverse(d store.Direction) store.Direction {
	switch d {
	case store.Out:
		return store.In
	case store.In:
		return store.Out
	}
	return store.Both
}

// typeSet answers "is an entity of this type among the requested types,
// subtypes included?" for interned type ids, memoised per call.
type typeSet struct {
	r      *store.Reader
	want   map[string]bool // nil = every type
	parent map[string]string
	memo   map[store.TypeID]bool
}

// newTypeSet compiles entity type names. Unknown names are Invalid errors
// (Reader.Filter reports them).
func newTypeSet(r *store.Reader, names []string) (*typeSet, error) {
	ts := &typeSet{r: r}
	if len(names) == 0 {
		return ts, nil
	}
	if _, err := r.Filter(nil, store.Both, store.Date{}, names); err != nil {
		return nil, err
	}
	ts.want = make(map[string]bool, len(names))
	for _, n := range names {
		ts.want[n] = true
	}
	ont := r.Ontology()
	ts.parent = make(map[string]string, len(ont.EntityTypes))
	for _, et := range ont.EntityTypes {
		ts.parent[et.Name] = et.Parent
	}
	ts.memo = make(map[store.TypeID]bool)
	return ts, nil
}

// has reports whether type t is wanted.
func (ts *typeSet) has(t store.TypeID) bool {
	if ts.want == nil {
		return true
	}
	if ok, seen := ts.memo[t]; seen {
		return ok
	}
	ok := ts.hasName(ts.r.TypeName(t))
	ts.memo[t] = ok
	return ok
}

// hasName reports whether the type named name is wanted.
func (ts *typeSet) hasName(name string) bool {
	if ts.want == nil {
		return true
	}
	// The bound guards against a parent cycle in a corrupt ontology.
	for hops := 0; name != "" && hops < 64; name, hops = ts.parent[name], hops+1 {
		if ts.want[name] {
			return true
		}
	}
	return false
}

// symmetricTypes answers "is this relation type symmetric?" for interned
// type ids, memoised per call.
type symmetricTypes struct {
	r    *store.Reader
	sym  map[string]bool
	memo map[store.TypeID]bool
}

func newSymmetricTypes(r *store.Reader) *symmetricTypes {
	st := &symmetricTypes{r: r, sym: make(map[string]bool), memo: make(map[store.TypeID]bool)}
	for _, rt := range r.Ontology().RelationTypes {
		if rt.Symmetric {
			st.sym[rt.Name] = true
		}
	}
	return st
}

func (st *symmetricTypes) has(t store.TypeID) bool {
	if ok, seen := st.memo[t]; seen {
		return ok
	}
	ok := st.sym[st.r.TypeName(t)]
	st.memo[t] = ok
	return ok
}

// entityIDs caches the external ids of nodes, which order results and break
// ties the way users see them.
type entityIDs struct {
	r  *store.Reader
	id map[store.NodeID]string
}

func newEntityIDs(r *store.Reader) *entityIDs {
	return &entityIDs{r: r, id: make(map[store.NodeID]string)}
}

func (c *entityIDs) get(n store.NodeID) (string, error) {
	if s, ok := c.id[n]; ok {
		return s, nil
	}
	s, err := c.r.EntityID(n)
	if err != nil {
		return "", fmt.Errorf("entity id of node %d: %w", n, err)
	}
	c.id[n] = s
	return s, nil
}

// expandChunk is how many nodes a whole-graph pass hands to one Expand: big
// enough to amortise a batched scan, small enough to keep its callback's
// bookkeeping in cache.
const expandChunk = 1024

// expandAll calls fn for every edge of every node in nodes that f admits,
// one batched Expand per chunk of nodes, with fn told the index in nodes of
// the node expanded.
func expandAll(r *store.Reader, nodes []store.NodeID, f *store.EdgeFilter, b *budget, fn func(i int, e store.Edge) error) error {
	for lo := 0; lo < len(nodes); lo += expandChunk {
		hi := min(lo+expandChunk, len(nodes))
		if err := stopped(b.ctx); err != nil {
			return err
		}
		err := r.Expand(nodes[lo:hi], f, func(i int, e store.Edge) error {
			if err := b.step(); err != nil {
				return err
			}
			return fn(lo+i, e)
		})
		if err != nil {
			return fmt.Errorf("expand nodes %d to %d: %w", lo, hi, err)
		}
	}
	return nil
}

// eachNode lists the nodes of the given entity types in NodeID order, with
// a map from node to its index in the list.
func eachNode(r *store.Reader, entityTypes []string, b *budget) ([]store.NodeID, map[store.NodeID]int32, error) {
	var nodes []store.NodeID
	err := r.EachNode(entityTypes, func(n store.NodeID, _ store.TypeID) error {
		nodes = append(nodes, n)
		return b.step()
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list entities: %w", err)
	}
	index := make(map[store.NodeID]int32, len(nodes))
	for i, n := range nodes {
		index[n] = int32(i)
	}
	return nodes, index, nil
}
