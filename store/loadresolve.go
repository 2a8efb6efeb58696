package store

import (
	"bytes"
	"fmt"
	"maps"
	"slices"

	"github.com/ties-graph/ties/store/kv"
)

// A load into a store that holds data must know, for each entity of the
// source and each entity its relations name, whether the store has that
// id and, for an entity, its node's type. Asked one record at a time that
// was two point reads per id, in the random order of the source: each a
// search of badger's tables. Instead the first pass notes the endpoints
// the relations name, and at its end the load resolves every id at once,
// sorted, in one forward walk of the external-id index, then the types of
// the entities found in one forward walk of the node records (merge
// joins: an iterator that steps to the next wanted key, and seeks only
// when that is far). Memory holds one entry per entity id of the load and
// per endpoint (and per document cited), as the load's entity map already
// does. The relations' own ids, which may be as many as the records, and
// the stored bodies of what the load replaces or merges are resolved the
// same way through sorted runs on disk (loadrelids.go), so that a load
// into a store that holds data makes no point read per record.

// resolvedID is what the store holds under one id of a load.
type resolvedID struct {
	ref   extRef
	found bool
}

// noteEndpoints remembers the entities a relation of the first pass
// names, and the documents it cites, for resolve.
func (l *loader) noteEndpoints(r *Relation) {
	if l.noIDs || l.spilled != nil {
		return
	}
	if l.endpoints == nil {
		l.endpoints = map[string]struct{}{}
	}
	l.noteEndpoint(r.From)
	l.noteEndpoint(r.To)
	l.noteCited(r.Sources)
}

// endpointOverhead is about what an id noted for resolve costs beside its
// bytes: its entries in endpoints, then in the sorted list, resolved and
// nodeTypes. It counts towards the entity budget, so that a load of
// relations among stored entities, which adds no entity to the table,
// still moves to the sorts (loadspill.go) past it.
const endpointOverhead = 112

func (l *loader) noteEndpoint(id string) {
	if _, ok := l.endpoints[id]; !ok {
		l.endpoints[id] = struct{}{}
		l.endpointBytes += len(id) + endpointOverhead
	}
}

// noteCited remembers the documents sources cite, for resolve: the check
// of a citation asks for the type of each.
func (l *loader) noteCited(sources []Source) {
	if l.noIDs || l.spilled != nil || len(sources) == 0 {
		return
	}
	if l.endpoints == nil {
		l.endpoints = map[string]struct{}{}
	}
	for _, s := range sources {
		l.noteEndpoint(s.Document)
	}
}

// resolve looks up every entity id of the load and every endpoint noted,
// and the node types of the entities among them, by merge joins.
func (l *loader) resolve() error {
	if l.noIDs {
		return nil
	}
	var ids []string
	if l.spilled != nil {
		// Past the entity budget the entities and endpoints are matched
		// with the store's from the sorts (loadspill.go); only the
		// documents the records cite, which are few, are looked up here.
		ids = slices.Collect(maps.Keys(l.spilled.cited))
	} else {
		ids = make([]string, 0, l.ents.len()+len(l.endpoints))
		for i := range l.ents.len() {
			id, _ := l.ents.at(i)
			ids = append(ids, id)
		}
		for id := range l.endpoints {
			if !l.ents.has(id) {
				ids = append(ids, id)
			}
		}
	}
	l.endpoints = nil
	slices.Sort(ids)
	l.resolved = make(map[string]resolvedID, len(ids))
	var nodes []NodeID
	err := mergeJoin(l.tx, pExtID, len(ids), func(i int, k []byte) []byte {
		return appendExtKey(k, ids[i])
	}, func(i int, v []byte) error {
		r := resolvedID{}
		if v != nil {
			kind, id, err := parseExtValue(v)
			if err != nil {
				return fmt.Errorf("load: look up %q: %w", ids[i], err)
			}
			r = resolvedID{ref: extRef{kind, id}, found: true}
			if kind == kindEntity {
				nodes = append(nodes, NodeID(id))
			}
		}
		l.resolved[ids[i]] = r
		return nil
	})
	if err != nil {
		return err
	}
	slices.Sort(nodes)
	nodes = slices.Compact(nodes)
	l.nodeTypes = make(map[NodeID]TypeID, len(nodes))
	return mergeJoin(l.tx, pNode, len(nodes), func(i int, k []byte) []byte {
		return appendIDKey(k, pNode, uint64(nodes[i]))
	}, func(i int, v []byte) error {
		if v == nil {
			return fmt.Errorf("load: node %d: %w", nodes[i], kv.ErrNotFound)
		}
		t, _, err := parseNodeValue(v)
		if err != nil {
			return fmt.Errorf("load: node %d: %w", nodes[i], err)
		}
		l.nodeTypes[nodes[i]] = t
		return nil
	})
}

// mergeJoin walks the keys under prefix p forward, calling found with the
// value of each of n wanted keys, or nil where the store has none. key
// appends the i-th wanted key to its argument; the keys must ascend.
func mergeJoin(tx kv.Txn, p byte, n int, key func(i int, k []byte) []byte, found func(i int, v []byte) error) error {
	if n == 0 {
		return nil
	}
	j := newForwardJoin(tx, p)
	defer j.close()
	var k []byte
	for i := range n {
		k = key(i, k[:0])
		v, err := j.get(k)
		if err != nil {
			return err
		}
		if err := found(i, v); err != nil {
			return err
		}
	}
	return nil
}

// forwardJoin answers point reads of ascending keys under one prefix by
// one forward walk: an iterator that steps to the next wanted key, and
// seeks only when that is far.
type forwardJoin struct {
	it kv.Iterator
}

func newForwardJoin(tx kv.Txn, p byte) *forwardJoin {
	it := tx.Iterate(kv.IterOptions{Prefix: []byte{p}})
	it.Rewind()
	return &forwardJoin{it: it}
}

// get returns the value under k, or nil where the store has none; the
// value is valid until the next call. Each k must be at or after the
// previous one.
func (j *forwardJoin) get(k []byte) ([]byte, error) {
	it := j.it
	for step := 0; it.Valid() && bytes.Compare(it.Key(), k) < 0; step++ {
		if step == 16 {
			it.Seek(k)
			break
		}
		it.Next()
	}
	if !it.Valid() || !bytes.Equal(it.Key(), k) {
		return nil, nil
	}
	v, err := it.Value()
	if err != nil {
		return nil, fmt.Errorf("read %x: %w", k, err)
	}
	return v, nil
}

func (j *forwardJoin) close() { j.it.Close() }

// storedEndpoint returns what the store holds under ext, the name the
// current relation of the second pass gives as field ("from" or "to", as
// the source gives it), and for an entity its type: from the sorts past
// the entity budget (loadspill.go), else resolved at the end of the first
// pass.
func (l *loader) storedEndpoint(ext, field string) (extRef, bool, TypeID, error) {
	if l.spilled != nil {
		a, err := l.spilled.answer(l.done, refOfField(field))
		if err != nil || !a.stored {
			return extRef{}, false, 0, err
		}
		if a.relation {
			return extRef{kind: kindRelation}, true, 0, nil
		}
		return extRef{kind: kindEntity, id: uint64(a.node)}, true, a.typ, nil
	}
	ref, ok, err := l.lookup(ext)
	if err != nil || !ok || ref.kind != kindEntity {
		return ref, ok, 0, err
	}
	t, err := l.nodeType(NodeID(ref.id), ext)
	return ref, true, t, err
}

// nodeType returns the type of the store's node n: resolved, or read.
func (l *loader) nodeType(n NodeID, what string) (TypeID, error) {
	if t, ok := l.nodeTypes[n]; ok {
		return t, nil
	}
	v, err := l.tx.Get(nodeKey(n))
	if err != nil {
		return 0, fmt.Errorf("load: node of %q: %w", what, err)
	}
	t, _, err := parseNodeValue(v)
	if err != nil {
		return 0, fmt.Errorf("load: node of %q: %w", what, err)
	}
	return t, nil
}
