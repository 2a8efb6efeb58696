package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"unicode/utf8"
)

// This file holds the persistence of relations: reading them by id, in
// the lists of an entity and by type, how one reads from either end
// (label, direction), writing and deleting them in a batch, moving their
// adjacency when an end changes type, and what a valid one is. Their keys
// are drawn in keys.go, their bodies coded in codec.go, their index
// entries written by index.go and checked by check.go.

// FindRelationByID returns the relation, or a NotFound error.
func (s *Store) FindRelationByID(ctx context.Context, id string, ro ReadOptions) (*Relation, error) {
	return findOne(id, "relation", func(ids []string) ([]*Relation, error) { return s.FindRelationsByIDs(ctx, ids, ro) })
}

// FindRelationsByIDs returns the relations in the order of ids, nil where
// one does not exist.
func (s *Store) FindRelationsByIDs(ctx context.Context, ids []string, ro ReadOptions) ([]*Relation, error) {
	return findByIDs(ctx, s, ids, ro, func(r *Reader, id string) (*Relation, error) {
		ref, ok, err := r.lookupAny(id)
		if err != nil || !ok || ref.kind != kindRelation {
			return nil, err
		}
		return r.relation(RelID(ref.id))
	})
}

// relationFilter compiles a RelationFilter and finds the entity it starts
// from, or returns a NotFound error.
func relationFilter(r *Reader, id string, f RelationFilter) (NodeID, *EdgeFilter, error) {
	n, err := r.LookupEntity(id)
	if err != nil {
		return 0, nil, err
	}
	ef, err := r.Filter(f.Types, f.Direction, f.ValidAt, f.EntityTypes)
	if err != nil {
		return 0, nil, err
	}
	if err := ef.restrictDuring(f.During); err != nil {
		return 0, nil, err
	}
	if f.DatedOnly {
		ef.RestrictDatedOnly()
	}
	return n, ef, nil
}

// FindRelations pages through the relations of entity id (NotFound when it
// does not exist), with the entity at the other end of each. The order is
// that of the adjacency keys: outgoing before incoming, then by relation
// type, other end and relation, in internal ids; a cursor is the position
// of its adjacency key, so it stays valid while the data it points past is
// unchanged. TotalCount counts every match. With Where, NeighborWhere or
// OrderBy, or without id (every relation of f.Types, which it then needs),
// see findRelationsWhere. Errors: Invalid for unknown types, a negative
// First, a bad cursor or an ill-typed filter.
func (s *Store) FindRelations(ctx context.Context, id string, f RelationFilter, ro ReadOptions) (RelationPage, error) {
	if id == "" || f.wantsWhere() {
		return s.findRelationsWhere(ctx, id, f, ro)
	}
	first, after, err := pageArgs(f.First, f.After)
	if err != nil {
		return RelationPage{}, err
	}
	if after != nil {
		if _, ok := parseAdjKey(after); !ok {
			return RelationPage{}, &Error{Code: Invalid, Field: "after", Message: fmt.Sprintf("invalid cursor %q", f.After)}
		}
	}
	var page RelationPage
	err = s.View(ctx, ro, func(r *Reader) error {
		n, ef, err := relationFilter(r, id, f)
		if err != nil {
			return err
		}
		if after != nil {
			if e, _ := parseAdjKey(after); e.self != n {
				return &Error{Code: Invalid, Field: "after", Message: "the cursor belongs to another entity's relations"}
			}
		}
		// The total needs a full count; the page, the entries after the
		// cursor.
		err = r.Edges(n, ef, func(Edge) error { page.TotalCount++; return nil })
		if err != nil {
			return err
		}
		var edges []Edge
		w := r.acquire()
		defer w.release()
		err = r.scanEdges(w, n, ef, after, func(e Edge) error {
			if len(edges) == first {
				page.HasNext = true
				return errStop
			}
			edges = append(edges, e)
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			return err
		}
		page.HasPrevious = after != nil
		rels := make([]RelID, len(edges))
		others := make([]NodeID, len(edges))
		for i, e := range edges {
			rels[i], others[i] = e.Relation, e.Other
			d := pOut
			if !e.Outgoing {
				d = pIn
			}
			page.Cursors = append(page.Cursors, encodeCursor(adjKey(nil, d, n, e.Type, e.Other, e.Relation)))
			page.Directions = append(page.Directions, directionOf(e))
			page.Labels = append(page.Labels, r.RelationLabel(e.Type, e.Outgoing))
		}
		if page.Relations, err = r.Relations(rels); err != nil {
			return err
		}
		page.Neighbors, err = r.Entities(others)
		return err
	})
	if err != nil {
		return RelationPage{}, err
	}
	return page, nil
}

// Degree counts the relations of entity id that match f (First and After
// are ignored). Errors: NotFound for an unknown entity, Invalid for unknown
// types.
func (s *Store) Degree(ctx context.Context, id string, f RelationFilter, ro ReadOptions) (int, error) {
	var d int
	err := s.View(ctx, ro, func(r *Reader) error {
		n, ef, err := relationFilter(r, id, f)
		if err != nil {
			return err
		}
		return r.Edges(n, ef, func(Edge) error { d++; return nil })
	})
	return d, err
}

// wantsWhere reports whether FindRelations must take the path of
// findRelationsWhere.
func (f RelationFilter) wantsWhere() bool {
	return len(f.Where) > 0 || len(f.NeighborWhere) > 0 || len(f.OrderBy) > 0
}

// findRelationsWhere is FindRelations for a filtered or ordered list, or
// for the relations of given types when id is empty.
func (s *Store) findRelationsWhere(ctx context.Context, id string, f RelationFilter, ro ReadOptions) (RelationPage, error) {
	first, after, err := pageArgs(f.First, f.After)
	if err != nil {
		return RelationPage{}, err
	}
	var page RelationPage
	err = s.View(ctx, ro, func(r *Reader) error {
		if id == "" {
			return r.relationsOfTypes(f, first, after, &page)
		}
		return r.relationsWhere(id, f, first, after, &page)
	})
	if err != nil {
		return RelationPage{}, err
	}
	return page, nil
}

// relationsWhere pages through the relations of entity id under f.
func (r *Reader) relationsWhere(id string, f RelationFilter, first int, after []byte, page *RelationPage) error {
	q, err := r.compileRelations(id, f)
	if err != nil {
		return err
	}
	n, ef, w, nw := q.n, q.ef, q.w, q.nw
	sk, err := orderFor(f.OrderBy, true, after)
	if err != nil {
		return err
	}
	if sk == nil && after != nil {
		if e, ok := parseAdjKey(after); !ok || e.self != n {
			return &Error{Code: Invalid, Field: "after", Message: "the cursor belongs to another list"}
		}
	}
	var edges []Edge
	if err := r.Edges(n, ef, func(e Edge) error { edges = append(edges, e); return nil }); err != nil {
		return err
	}
	needOther := nw != nil || (sk != nil && (f.OrderNeighbors || sk.needs(OrderName) || sk.needs(OrderDegree)))
	needRel := w != nil || (sk != nil && !f.OrderNeighbors)
	var items []ranked
	for _, e := range edges {
		var rel *Relation
		var other *Entity
		if needRel {
			if rel, err = r.liveRelation(e.Relation, "adjacency"); err != nil {
				return err
			}
			if !w.matches(relationRecord(rel, e.Type)) {
				continue
			}
		}
		if needOther {
			if other, err = r.liveEntity(e.Other, "adjacency"); err != nil {
				return err
			}
			if !nw.matches(entityRecord(other, e.OtherType)) {
				continue
			}
		}
		var key []byte
		if sk == nil {
			d := pOut
			if !e.Outgoing {
				d = pIn
			}
			key = adjKey(nil, d, n, e.Type, e.Other, e.Relation)
		} else {
			var st sortable
			if f.OrderNeighbors {
				st = sortable{id: other.ID, name: other.Name, rec: entityRecord(other, e.OtherType)}
				if rel, err = r.relation(e.Relation); err != nil {
					return err
				}
				st.tieID = rel.ID
			} else {
				st = sortable{id: rel.ID, rec: relationRecord(rel, e.Type)}
				if other != nil {
					st.name = other.Name
				}
			}
			if sk.needs(OrderDegree) {
				if st.degree, err = r.entityDegree(e.Other); err != nil {
					return err
				}
			}
			key = sk.key(st)
		}
		items = append(items, ranked{key: key, edge: e})
	}
	items, page.TotalCount, page.HasNext, page.HasPrevious = pageOf(items, first, after)
	rels := make([]RelID, len(items))
	others := make([]NodeID, len(items))
	for i, it := range items {
		rels[i], others[i] = it.edge.Relation, it.edge.Other
		page.Cursors = append(page.Cursors, encodeCursor(it.key))
		page.Directions = append(page.Directions, directionOf(it.edge))
		page.Labels = append(page.Labels, r.RelationLabel(it.edge.Type, it.edge.Outgoing))
	}
	if page.Relations, err = r.Relations(rels); err != nil {
		return err
	}
	page.Neighbors, err = r.Entities(others)
	return err
}

// relationsOfTypes pages through every relation of the types of f,
// without a start entity: in relation id order unless ordered, each with
// its to end as the neighbour.
func (r *Reader) relationsOfTypes(f RelationFilter, first int, after []byte, page *RelationPage) error {
	if len(f.Types) == 0 {
		return FieldError("", "types", "give the relation types to list, or the id of an entity whose relations to list")
	}
	if len(f.EntityTypes) > 0 {
		return FieldError("", "entityTypes", "entityTypes filters the other end of an entity's relations; give id, or filter with where")
	}
	if len(f.NeighborWhere) > 0 {
		return FieldError("", "where", "these relations have no other end to filter")
	}
	set, err := r.sch.relationTypeSet(f.Types, "types")
	if err != nil {
		return err
	}
	validity, err := EntityFilter{ValidAt: f.ValidAt, During: f.During, DatedOnly: f.DatedOnly}.validity()
	if err != nil {
		return err
	}
	var valid *EdgeFilter
	if validity != nil {
		valid = &validity.f
	}
	w, err := compileWhere(r.sch, f.Where, false, "where")
	if err != nil {
		return err
	}
	sk, err := orderFor(f.OrderBy, false, after)
	if err != nil {
		return err
	}
	var items []ranked
	err = r.eachRelationMatch(set, valid, w, func(id RelID, t TypeID, rel *Relation) error {
		key := []byte(rel.ID)
		if sk != nil {
			key = sk.key(sortable{id: rel.ID, rec: relationRecord(rel, t)})
		}
		items = append(items, ranked{key: key, id: uint64(id)})
		return nil
	})
	if err != nil {
		return err
	}
	items, page.TotalCount, page.HasNext, page.HasPrevious = pageOf(items, first, after)
	page.Relations = make([]*Relation, len(items))
	page.Neighbors = make([]*Entity, len(items))
	for i, it := range items {
		rel, err := r.relation(RelID(it.id))
		if err != nil {
			return err
		}
		to, ok, err := r.Lookup(rel.To)
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("relation " + rel.ID + " ends at a missing entity")
		}
		page.Relations[i] = rel
		if page.Neighbors[i], err = r.entity(to); err != nil {
			return err
		}
		page.Cursors = append(page.Cursors, encodeCursor(it.key))
		// Read from its from end, as the neighbour (its to end) implies.
		page.Directions = append(page.Directions, Out)
		page.Labels = append(page.Labels, rel.Type)
	}
	return nil
}

// relationQuery is a RelationFilter compiled against one snapshot: the
// entity, the filter its adjacency is walked with, and the property
// filters on each relation (w) and on the entity at its far end (nw).
type relationQuery struct {
	n     NodeID
	ef    *EdgeFilter
	w, nw where
}

// compileRelations compiles f for the relations of entity id.
func (r *Reader) compileRelations(id string, f RelationFilter) (q relationQuery, err error) {
	if q.n, q.ef, err = relationFilter(r, id, f); err != nil {
		return q, err
	}
	if q.w, err = compileWhere(r.sch, f.Where, false, "where"); err != nil {
		return q, err
	}
	if q.nw, err = compileWhere(r.sch, f.NeighborWhere, true, "where"); err != nil {
		return q, err
	}
	return q, nil
}

func (w *writer) storedRelation(k []byte) (*Relation, error) {
	v, ok, err := w.get(k)
	if err != nil || !ok {
		return nil, err
	}
	rb, err := decodeRelation(v)
	if err != nil {
		return nil, err
	}
	rb.r.Type = w.sch.name(rb.typ)
	return rb.r, nil
}

// relations validates and writes relation upserts; it returns the body key
// of each input relation.
func (w *writer) relations(rs []Relation) ([][]byte, error) {
	keys := make([][]byte, len(rs))
	// Ids first (derived ones need the endpoints in canonical order), so
	// that duplicates resolve to their last occurrence.
	canon := make([]Relation, len(rs))
	ok := make([]bool, len(rs))
	// swapped marks relations whose endpoints were put in canonical
	// order, so that errors name the field as given.
	swapped := make([]bool, len(rs))
	last := map[string]int{}
	for i := range rs {
		r := rs[i]
		rec := recordName(r.ID, "relations", i)
		n0 := w.nfail
		w.checkRelation(&r, rec)
		if w.nfail > n0 {
			continue
		}
		if rt, _ := w.sch.relationType(r.Type); rt.def.Symmetric && r.To < r.From {
			r.From, r.To = r.To, r.From
			swapped[i] = true
		}
		if r.ID == "" {
			rt, _ := w.sch.relationType(r.Type)
			r.ID = RelationID(r.Type, r.From, r.To, r.ValidFrom, rt.def.Symmetric)
		}
		canon[i], ok[i] = r, true
		last[r.ID] = i
	}
	rels := map[string]RelID{}
	for i := range canon {
		if !ok[i] || last[canon[i].ID] != i {
			continue
		}
		rec := recordName(rs[i].ID, "relations", i)
		rid, err := w.putRelation(&canon[i], rec, swapped[i])
		if err != nil {
			return nil, err
		}
		if rid != 0 {
			rels[canon[i].ID] = rid
		}
	}
	for i := range canon {
		if rid, found := rels[canon[i].ID]; ok[i] && found {
			keys[i] = relationKey(rid)
		}
	}
	return keys, nil
}

// endpoint resolves one end of a relation to its node and type, recording
// a problem when there is no such entity.
func (w *writer) endpoint(ext, rec, field string) (NodeID, TypeID, bool, error) {
	ref, ok, err := w.lookup(ext)
	if err != nil {
		return 0, 0, false, err
	}
	kind, id := ref.kind, ref.id
	if !ok && w.invalid[ext] {
		return 0, 0, false, nil
	}
	if !ok || kind != kindEntity {
		what := "no entity"
		if ok {
			what = "is a relation, not an entity:"
		}
		w.failf(Invalid, rec, field, "%s %q", what, ext)
		return 0, 0, false, nil
	}
	t, ok, err := w.nodeType(NodeID(id))
	if err != nil || !ok {
		return 0, 0, false, fmt.Errorf("entity %q: node %d: no node record (%v)", ext, id, err)
	}
	return NodeID(id), t, true, nil
}

// putRelation writes the upsert of a valid relation whose endpoints are in
// canonical order and whose id is set. It returns 0 when the relation is
// refused.
func (w *writer) putRelation(r *Relation, rec string, swapped bool) (RelID, error) {
	rt, _ := w.sch.relationType(r.Type)
	fromField, toField := "from", "to"
	if swapped {
		fromField, toField = toField, fromField
	}
	fromN, fromT, ok1, err := w.endpoint(r.From, rec, fromField)
	if err != nil {
		return 0, err
	}
	toN, toT, ok2, err := w.endpoint(r.To, rec, toField)
	if err != nil {
		return 0, err
	}
	if !ok1 || !ok2 {
		return 0, nil
	}
	bad := false
	if why := w.sch.endTypeError(rt, "from", fromT); why != "" {
		w.failf(Invalid, rec, fromField, "%s", why)
		bad = true
	}
	if why := w.sch.endTypeError(rt, "to", toT); why != "" {
		w.failf(Invalid, rec, toField, "%s", why)
		bad = true
	}
	ref, exists, err := w.lookup(r.ID)
	if err != nil {
		return 0, err
	}
	kind, id := ref.kind, ref.id
	if exists && kind != kindRelation {
		w.failf(Conflict, rec, "id", "id %q is already used by an entity; entities and relations share one id space", r.ID)
		bad = true
	}
	if bad {
		return 0, nil
	}
	var rid RelID
	var old *relationBody
	if exists {
		rid = RelID(id)
		v, err := storedBytes(w, relationKey(rid))
		if err != nil {
			return 0, fmt.Errorf("relation %q (%d): %w", r.ID, rid, err)
		}
		// Unchanged, as putEntity: the body holds the type and both
		// endpoints too.
		if bytes.Equal(appendRelation(nil, r, rt.id, fromN, toN), v) {
			return rid, nil
		}
		ob, err := decodeRelation(v)
		if err != nil {
			return 0, fmt.Errorf("relation %q (%d): %w", r.ID, rid, err)
		}
		old = &ob
	} else {
		nid, err := w.alloc(ctrNextRel)
		if err != nil {
			return 0, err
		}
		rid = RelID(nid)
		w.count(counterKey(ctrRelations), 1)
	}
	if err := w.index.relation(rid, r, rt.id, fromN, toN, fromT, toT, old); err != nil {
		return 0, err
	}
	w.added[fromN] = append(w.added[fromN], string(adjKey(nil, pOut, fromN, rt.id, toN, rid)))
	w.added[toN] = append(w.added[toN], string(adjKey(nil, pIn, toN, rt.id, fromN, rid)))
	w.upserted[rid] = true
	delete(w.deleted, rid)
	w.logChange(&w.log.Relations, histRelation, r.ID, old == nil)
	return rid, nil
}

// adjacency returns the adjacency entries of node n as the batch sees
// them: the snapshot's, less those deleted, plus those added.
func (w *writer) adjacency(n NodeID) ([]adjEntry, error) {
	seen := map[string]bool{}
	var out []adjEntry
	prefixes := [][]byte{adjPrefix(nil, pOut, n), adjPrefix(nil, pIn, n)}
	err := w.tx.ScanPrefixes(prefixes, true, func(_ int, k, _ []byte) error {
		ks := string(k)
		if m, ok := w.ov[ks]; ok && m.del {
			return nil
		}
		e, ok := parseAdjKey(k)
		if !ok {
			return fmt.Errorf("bad adjacency key %x", k)
		}
		seen[ks] = true
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan relations of node %d: %w", n, err)
	}
	for _, ks := range w.added[n] {
		if seen[ks] {
			continue
		}
		if m := w.ov[ks]; m.del {
			continue
		}
		seen[ks] = true
		e, _ := parseAdjKey([]byte(ks))
		out = append(out, e)
	}
	return out, nil
}

func (w *writer) deleteRelationByID(id string, i int) (int, error) {
	rec := recordName(id, "deleteRelations", i)
	ref, ok, err := w.lookup(id)
	if err != nil {
		return 0, err
	}
	kind, rid := ref.kind, ref.id
	if !ok || kind != kindRelation {
		if !ok && w.deletedExt[id] {
			return 0, nil
		}
		w.failf(NotFound, rec, "", "no relation %q", id)
		return 0, nil
	}
	return 1, w.deleteRelation(RelID(rid))
}

// deleteRelation removes relation rid and every key that names it.
func (w *writer) deleteRelation(rid RelID) error {
	if w.deleted[rid] {
		return nil
	}
	rb, err := storedBody(w, relationKey(rid), decodeRelation)
	if err != nil {
		return fmt.Errorf("relation %d: %w", rid, err)
	}
	w.del(relationKey(rid))
	w.del(extKey(rb.r.ID))
	w.del(typeIdxKey(rb.typ, rb.r.ID))
	w.del(adjKey(nil, pOut, rb.from, rb.typ, rb.to, rid))
	w.del(adjKey(nil, pIn, rb.to, rb.typ, rb.from, rid))
	for _, k := range relationTermKeys(rb.r, rid) {
		w.del(k)
	}
	if err := w.index.unprops(rb.r.ID, rb.typ, rb.r.Properties); err != nil {
		return err
	}
	w.count(counterKey(ctrRelations), -1)
	w.count(typeCountKey(rb.typ), -1)
	w.deleted[rid] = true
	w.deletedExt[rb.r.ID] = true
	delete(w.upserted, rid)
	w.logChange(&w.log.DeletedRelations, histRelation, rb.r.ID, false)
	return nil
}

// retypeAdjacency brings the adjacency values that name the type of an
// entity whose type changed up to date, and checks that every relation the
// batch did not itself rewrite still fits the ontology.
func (w *writer) retypeAdjacency() error {
	nodes := make([]NodeID, 0, len(w.retyped))
	for n := range w.retyped {
		nodes = append(nodes, n)
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i] < nodes[j] })
	for _, n := range nodes {
		broken, first := 0, ""
		id := w.retyped[n]
		t, _, err := w.nodeType(n)
		if err != nil {
			return err
		}
		adj, err := w.adjacency(n)
		if err != nil {
			return err
		}
		for _, e := range adj {
			m := e.mirror().key()
			v, ok, err := w.get(m)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("adjacency key %x has no mirror", e.key())
			}
			av, okv := parseAdjValue(v)
			if !okv {
				return fmt.Errorf("bad adjacency value at %x", m)
			}
			if err := w.index.retypedEnd(m, av, t); err != nil {
				return err
			}
			if w.upserted[e.rel] {
				continue
			}
			otherT, _, err := w.nodeType(e.other)
			if err != nil {
				return err
			}
			rt := w.sch.info(e.typ)
			fromT, toT := t, otherT
			if e.dir == pIn {
				fromT, toT = otherT, t
			}
			why := w.sch.endpointError(rt, "from", fromT)
			if why == "" {
				why = w.sch.endpointError(rt, "to", toT)
			}
			if why != "" {
				if broken == 0 {
					first = why
				}
				broken++
			}
		}
		if broken > 0 {
			w.failf(Invalid, id, "type", "%s", retypeError(id, broken, first))
		}
	}
	return nil
}

// retypeError says that changing an entity's type would break n of its
// relations, the first for the reason given.
func retypeError(id string, n int, first string) string {
	if n == 1 {
		return fmt.Sprintf("changing the type of %q would break one of its relations: %s", id, first)
	}
	return fmt.Sprintf("changing the type of %q would break %d of its relations, the first: %s", id, n, first)
}

func (w *writer) checkRelation(r *Relation, rec string) {
	w.checkID(r.ID, rec, false)
	switch {
	case r.Type == "":
		w.failf(Invalid, rec, "type", "type is empty")
	case !utf8.ValidString(r.Type):
		w.failf(Invalid, rec, "type", "invalid UTF-8")
	default:
		if _, ok := w.sch.relationType(r.Type); !ok {
			if _, isEnt := w.sch.entities[r.Type]; isEnt {
				w.failf(Invalid, rec, "type", "%s is an entity type, not a relation type", r.Type)
			} else {
				w.failf(Invalid, rec, "type", "%s", w.unknownTypeMessage(r.Type, true))
			}
		}
	}
	for _, f := range []struct{ name, v string }{{"from", r.From}, {"to", r.To}} {
		switch {
		case f.v == "":
			w.failf(Invalid, rec, f.name, "%s is empty", f.name)
		case !utf8.ValidString(f.v):
			w.failf(Invalid, rec, f.name, "invalid UTF-8")
		}
	}
	w.checkProps(r.Properties, rec)
	w.checkInterval(r.ValidFrom, r.ValidTo, rec)
	w.checkSources(r.Sources, rec)
}

// RelationLabel is how a relation of type t reads from one of its ends:
// its own type name from the entity it starts at (outgoing), and the
// ontology's inverse name from the entity it ends at (HAS_MAYOR for
// MAYOR_OF seen from the city), or the type name again when the ontology
// gives no inverse, so that a client can always print "X label Y" with
// the direction beside it. A symmetric type is its own inverse.
func (r *Reader) RelationLabel(t TypeID, outgoing bool) string {
	return r.sch.relationLabel(t, outgoing)
}

func (sch *schema) relationLabel(t TypeID, outgoing bool) string {
	ti := sch.info(t)
	if ti == nil {
		return ""
	}
	if !outgoing && ti.def.Inverse != "" {
		return ti.def.Inverse
	}
	return ti.def.Name
}

// directionOf is the direction of an edge seen from the node it was
// expanded from: Out when that node is where the relation starts (a
// self-loop included), In when it is where the relation ends.
func directionOf(e Edge) Direction {
	if e.Outgoing {
		return Out
	}
	return In
}

// RelationByID returns the relation with external id id as the snapshot
// has it, or nil when there is none (or id names an entity). It returns
// the snapshot's errors.
func (r *Reader) RelationByID(id string) (*Relation, error) {
	ref, ok, err := r.lookupAny(id)
	if err != nil {
		return nil, fmt.Errorf("look up relation %s: %w", id, err)
	}
	if !ok || ref.kind != kindRelation {
		return nil, nil
	}
	return r.relation(RelID(ref.id))
}
