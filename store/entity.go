package store

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/ties-graph/ties/store/kv"
)

// This file holds the persistence of entities: reading them by id and in
// lists, writing and deleting them in a batch, and what a valid one is.
// Their keys are drawn in keys.go, their bodies coded in codec.go, their
// index entries written by index.go and checked by check.go.

// FindEntityByID returns the entity, or a NotFound error.
func (s *Store) FindEntityByID(ctx context.Context, id string, ro ReadOptions) (*Entity, error) {
	return findOne(id, "entity", func(ids []string) ([]*Entity, error) { return s.FindEntitiesByIDs(ctx, ids, ro) })
}

// FindEntitiesByIDs returns the entities in the order of ids, nil where one
// does not exist. One snapshot, one batched read: the dataloaders call it.
func (s *Store) FindEntitiesByIDs(ctx context.Context, ids []string, ro ReadOptions) ([]*Entity, error) {
	return findByIDs(ctx, s, ids, ro, func(r *Reader, id string) (*Entity, error) {
		n, ok, err := r.Lookup(id)
		if err != nil || !ok {
			return nil, err
		}
		return r.entity(n)
	})
}

// FindEntities pages through entities in id order, filtered by type
// (subtypes included). A cursor is the position of its entity (its id), so
// it stays valid whatever changes. TotalCount counts every entity of the
// types. With Where or OrderBy, see findEntitiesWhere. Errors: Invalid
// for an unknown type, a negative First, a cursor that is not one, or an
// ill-typed filter or order.
func (s *Store) FindEntities(ctx context.Context, f EntityFilter, ro ReadOptions) (EntityPage, error) {
	first, after, err := pageArgs(f.First, f.After)
	if err != nil {
		return EntityPage{}, err
	}
	if len(f.Where) > 0 || len(f.OrderBy) > 0 {
		return s.findEntitiesWhere(ctx, f, first, after, ro)
	}
	tx, sch, err := s.snapshot(ctx, ro)
	if err != nil {
		return EntityPage{}, err
	}
	defer tx.Discard()
	set, err := sch.entityTypeSet(f.Types, "types")
	if err != nil {
		return EntityPage{}, err
	}
	var types []TypeID
	for _, ti := range sch.types {
		if ti != nil && !ti.relation && (set == nil || set[ti.id]) {
			types = append(types, ti.id)
		}
	}
	page := EntityPage{HasPrevious: after != nil}
	// Merge the type index of each type, which is in id order: the
	// smallest id among the types' next entries comes next.
	type head struct {
		it  kv.Iterator
		ext string
		n   NodeID
	}
	var heads []*head
	defer func() {
		for _, h := range heads {
			h.it.Close()
		}
	}()
	advance := func(h *head) (bool, error) {
		if !h.it.Valid() {
			return false, nil
		}
		_, ext, err := parseTypeIdxKey(h.it.Key())
		if err != nil {
			return false, err
		}
		v, err := h.it.Value()
		if err != nil {
			return false, fmt.Errorf("read type index: %w", err)
		}
		n, err := parseUint64(v)
		if err != nil {
			return false, err
		}
		h.ext, h.n = ext, NodeID(n)
		return true, nil
	}
	for _, t := range types {
		c, err := readCounter(tx, typeCountKey(t))
		if err != nil {
			return EntityPage{}, err
		}
		if c == 0 {
			continue
		}
		page.TotalCount += int(c)
		p := typeIdxPrefix(t)
		it := tx.Iterate(kv.IterOptions{Prefix: p, KeysOnly: true})
		h := &head{it: it}
		heads = append(heads, h)
		// A date filter counts its matches before the cursor too.
		if after != nil && !f.hasValidity() {
			it.Seek(append(append(bytes.Clone(p), after...), 0))
		} else {
			it.Rewind()
		}
	}
	var live []*head
	for _, h := range heads {
		ok, err := advance(h)
		if err != nil {
			return EntityPage{}, err
		}
		if ok {
			live = append(live, h)
		}
	}
	r := s.reader(ctx, tx, sch)
	valid, err := f.validity()
	if err != nil {
		return EntityPage{}, err
	}
	if valid != nil {
		// The counters count every entity; a date filter counts its
		// matches as it reads them, to the end of the types.
		page.TotalCount = 0
	}
	var nodes []NodeID
scan:
	for len(live) > 0 {
		sort.Slice(live, func(i, j int) bool { return live[i].ext < live[j].ext })
		h := live[0]
		keep := true
		if valid != nil {
			if keep, err = valid.keeps(r, h.n); err != nil {
				return EntityPage{}, err
			}
			if keep {
				page.TotalCount++
			}
		}
		switch {
		case keep && after != nil && valid != nil && h.ext <= string(after):
			// Counted, before the page.
		case keep && len(nodes) == first:
			page.HasNext = true
			if valid == nil {
				break scan
			}
		case keep:
			nodes = append(nodes, h.n)
			page.Cursors = append(page.Cursors, encodeCursor([]byte(h.ext)))
		}
		h.it.Next()
		ok, err := advance(h)
		if err != nil {
			return EntityPage{}, err
		}
		if !ok {
			live = live[1:]
		}
	}
	page.Entities = make([]*Entity, len(nodes))
	for i, n := range nodes {
		if page.Entities[i], err = r.liveEntity(n, "type index"); err != nil {
			return EntityPage{}, err
		}
	}
	return page, nil
}

// entityDegree counts every relation of n, for DEGREE orders.
func (r *Reader) entityDegree(n NodeID) (int, error) {
	f := compileFilter(r.sch, nil, Both, Date{}, nil)
	d := 0
	err := r.Edges(n, f, func(Edge) error { d++; return nil })
	return d, err
}

// findEntitiesWhere is FindEntities for a filtered or ordered list. The
// cursor is the sort key of the last entity of the page: its id in id
// order (the same cursor as the unfiltered list's), else the key of
// sortKey.
func (s *Store) findEntitiesWhere(ctx context.Context, f EntityFilter, first int, after []byte, ro ReadOptions) (EntityPage, error) {
	var page EntityPage
	err := s.View(ctx, ro, func(r *Reader) error {
		set, err := r.sch.entityTypeSet(f.Types, "types")
		if err != nil {
			return err
		}
		w, err := compileWhere(r.sch, f.Where, true, "where")
		if err != nil {
			return err
		}
		sk, err := orderFor(f.OrderBy, true, after)
		if err != nil {
			return err
		}
		valid, err := f.validity()
		if err != nil {
			return err
		}
		var items []ranked
		err = r.eachEntityMatch(set, w, func(n NodeID, t TypeID, e *Entity) error {
			if valid != nil && !valid.f.Holds(e.ValidFrom, e.ValidTo) {
				return nil
			}
			var key []byte
			if sk == nil {
				key = []byte(e.ID)
			} else {
				st := sortable{id: e.ID, name: e.Name, rec: entityRecord(e, t)}
				if sk.needs(OrderDegree) {
					if st.degree, err = r.entityDegree(n); err != nil {
						return err
					}
				}
				key = sk.key(st)
			}
			items = append(items, ranked{key: key, id: uint64(n), e: e})
			return nil
		})
		if err != nil {
			return err
		}
		items, page.TotalCount, page.HasNext, page.HasPrevious = pageOf(items, first, after)
		page.Entities = make([]*Entity, len(items))
		page.Cursors = make([]string, len(items))
		for i, it := range items {
			page.Entities[i] = it.e
			page.Cursors[i] = encodeCursor(it.key)
		}
		return nil
	})
	return page, err
}

// storedEntity decodes the body this batch wrote at key k; nil when the
// batch deleted it again.
func (w *writer) storedEntity(k []byte) (*Entity, error) {
	v, ok, err := w.get(k)
	if err != nil || !ok {
		return nil, err
	}
	eb, err := decodeEntity(v)
	if err != nil {
		return nil, err
	}
	eb.e.Type = w.sch.name(eb.typ)
	return eb.e, nil
}

// entities validates and writes entity upserts; it returns the body key of
// each input entity.
func (w *writer) entities(es []Entity) ([][]byte, error) {
	keys := make([][]byte, len(es))
	last := map[string]int{}
	for i := range es {
		last[es[i].ID] = i
	}
	nodes := map[string]NodeID{}
	for i := range es {
		e := &es[i]
		if e.ID != "" && last[e.ID] != i {
			continue
		}
		rec := recordName(e.ID, "entities", i)
		n0 := w.nfail
		w.checkEntity(e, rec)
		if w.nfail > n0 {
			w.invalid[e.ID] = true
			continue
		}
		n, err := w.putEntity(e, rec)
		if err != nil {
			return nil, err
		}
		nodes[e.ID] = n
	}
	for i := range es {
		if n, ok := nodes[es[i].ID]; ok {
			keys[i] = entityKey(n)
		}
	}
	return keys, nil
}

// putEntity writes the upsert of a valid entity and returns its node.
func (w *writer) putEntity(e *Entity, rec string) (NodeID, error) {
	t, _ := w.sch.entityType(e.Type)
	ref, exists, err := w.lookup(e.ID)
	if err != nil {
		return 0, err
	}
	kind, id := ref.kind, ref.id
	var n NodeID
	var old *entityBody
	switch {
	case exists && kind != kindEntity:
		w.failf(Conflict, rec, "id", "id %q is already used by a relation; entities and relations share one id space", e.ID)
		return 0, nil
	case exists:
		n = NodeID(id)
		v, err := storedBytes(w, entityKey(n))
		if err != nil {
			return 0, fmt.Errorf("entity %q (node %d): %w", e.ID, n, err)
		}
		// Stored byte for byte as it would be written: nothing changes,
		// so nothing is written and history gains no version, as for a
		// load (the body holds every field and the type; every other
		// entry of an entity is derived from it and its node).
		if bytes.Equal(appendEntity(nil, e, t), v) {
			return n, nil
		}
		ob, err := decodeEntity(v)
		if err != nil {
			return 0, fmt.Errorf("entity %q (node %d): %w", e.ID, n, err)
		}
		old = &ob
	default:
		nid, err := w.alloc(ctrNextNode)
		if err != nil {
			return 0, err
		}
		n = NodeID(nid)
		w.count(counterKey(ctrEntities), 1)
	}
	if old != nil && old.typ != t {
		w.retyped[n] = e.ID
		w.noteRetypedDocument(old.typ, t, e.ID, rec)
	}
	if err := w.index.entity(n, e, t, old); err != nil {
		return 0, err
	}
	w.logChange(&w.log.Entities, histEntity, e.ID, old == nil)
	return n, nil
}

func (w *writer) deleteEntityByID(id string, i int, cascade bool) (entities, relations int, err error) {
	rec := recordName(id, "deleteEntities", i)
	ref, ok, err := w.lookup(id)
	if err != nil {
		return 0, 0, err
	}
	kind, nid := ref.kind, ref.id
	if !ok || kind != kindEntity {
		if !ok && w.deletedExt[id] {
			return 0, 0, nil
		}
		w.failf(NotFound, rec, "", "no entity %q", id)
		return 0, 0, nil
	}
	n := NodeID(nid)
	adj, err := w.adjacency(n)
	if err != nil {
		return 0, 0, err
	}
	rels := map[RelID]bool{}
	for _, e := range adj {
		rels[e.rel] = true
	}
	if len(rels) > 0 && !cascade {
		w.failf(Conflict, rec, "", "entity %q has %d relations: delete them first, or delete with cascade", id, len(rels))
		return 0, 0, nil
	}
	for _, e := range adj {
		if !w.deleted[e.rel] {
			if err := w.deleteRelation(e.rel); err != nil {
				return 0, 0, err
			}
			relations++
		}
	}
	eb, err := storedBody(w, entityKey(n), decodeEntity)
	if err != nil {
		return 0, 0, fmt.Errorf("entity %q (node %d): %w", id, n, err)
	}
	w.del(extKey(id))
	w.del(nodeKey(n))
	w.del(entityKey(n))
	w.del(typeIdxKey(eb.typ, id))
	for _, k := range entityTermKeys(eb.e, n) {
		w.del(k)
	}
	if err := w.index.unprops(id, eb.typ, eb.e.Properties); err != nil {
		return 0, 0, err
	}
	w.count(counterKey(ctrEntities), -1)
	w.count(typeCountKey(eb.typ), -1)
	delete(w.retyped, n)
	w.deletedExt[id] = true
	w.logChange(&w.log.DeletedEntities, histEntity, id, false)
	if doc, ok := w.sch.entityType(documentType); ok && w.sch.isA(eb.typ, doc) {
		w.deletedDocs = append(w.deletedDocs, deletedDocument{id: id, rec: rec})
	}
	return 1, relations, nil
}

// checkEntity records every problem of e.
func (w *writer) checkEntity(e *Entity, rec string) {
	w.checkEntityType(e.Type, rec)
	w.checkEntityFields(e, rec)
}

// checkEntityType records a problem with an entity's type name.
func (w *writer) checkEntityType(typ, rec string) {
	switch {
	case typ == "":
		w.failf(Invalid, rec, "type", "type is empty")
	case !utf8.ValidString(typ):
		w.failf(Invalid, rec, "type", "invalid UTF-8")
	default:
		if _, ok := w.sch.entityType(typ); !ok {
			if _, isRel := w.sch.relations[typ]; isRel {
				w.failf(Invalid, rec, "type", "%s is a relation type, not an entity type", typ)
			} else {
				w.failf(Invalid, rec, "type", "%s", w.unknownTypeMessage(typ, false))
			}
		}
	}
}

// checkEntityFields records every problem of e's fields but its type.
func (w *writer) checkEntityFields(e *Entity, rec string) {
	w.checkID(e.ID, rec, true)
	switch {
	case !utf8.ValidString(e.Name):
		w.failf(Invalid, rec, "name", "invalid UTF-8")
	case strings.TrimSpace(e.Name) == "":
		w.failf(Invalid, rec, "name", "name is empty")
	case len(e.Name) > maxNameBytes:
		w.failf(Invalid, rec, "name", "name is longer than %d bytes", maxNameBytes)
	}
	w.checkText(e.Description, rec, "description")
	for _, l := range e.Labels {
		// Labels are an object keyed by language in every format but
		// GraphQL input, and sorted by language in the store, so a path
		// by position would point at the wrong label: the path is
		// labels.<lang>, as properties.<name> is.
		switch {
		case l.Lang == "":
			w.failf(Invalid, rec, "labels", "label language is empty")
			continue
		case !utf8.ValidString(l.Lang):
			w.failf(Invalid, rec, "labels", "label language is not valid UTF-8")
			continue
		}
		w.checkName(l.Value, rec, "labels."+l.Lang)
	}
	for i, a := range e.Aliases {
		w.checkName(a, rec, fmt.Sprintf("aliases[%d]", i))
	}
	w.checkProps(e.Properties, rec)
	w.checkInterval(e.ValidFrom, e.ValidTo, rec)
	w.checkSources(e.Sources, rec)
}
