package store

import (
	"bytes"
	"encoding/binary"
)

// This file is the one place that says which entries a record has beside
// its body: its external id, its node record (entities), its type index
// entry, its name- and text-search entries (entities), its adjacency both
// ways (relations), the citation entries of its sources and its property
// index entries (propindex.go). The key layouts are drawn in keys.go; here
// they are put together for a record, old version to new. Apply's writer
// (batch.go),
// Load's loader (load.go) and Check (check.go) all go through it, each
// with its own sink: a new index is one edit here, and the check follows.

// indexSink takes the entries one record's change puts and deletes, and
// the changes to the per-type counts.
type indexSink interface {
	// set puts k = v. k and v are reused once it returns.
	set(k, v []byte) error
	del(k []byte) error
	// typeCount changes the count of type t by d.
	typeCount(t TypeID, d int64)
}

// indexer writes the entries of records to its sink, reusing its buffers.
type indexer struct {
	sink indexSink
	// indexed returns the properties of type t that have a property
	// index, as the writer's ontology says now.
	indexed func(t TypeID) []string
	k, v    []byte
}

func (x *indexer) put() error { return x.sink.set(x.k, x.v) }

// entity writes the entries of entity e, stored as node n of type t, in
// place of old (nil for a new entity): the external id, node record, body,
// type index entry and name-search entries, deleting those of old that e
// no longer has. It returns the sink's error.
func (x *indexer) entity(n NodeID, e *Entity, t TypeID, old *entityBody) error {
	if old == nil {
		x.k, x.v = appendExtKey(x.k[:0], e.ID), appendExtValue(x.v[:0], kindEntity, uint64(n))
		if err := x.put(); err != nil {
			return err
		}
	}
	x.k, x.v = appendIDKey(x.k[:0], pNode, uint64(n)), appendNodeValue(x.v[:0], t, e.ID)
	if err := x.put(); err != nil {
		return err
	}
	x.k, x.v = appendIDKey(x.k[:0], pEntity, uint64(n)), appendEntity(x.v[:0], e, t)
	if err := x.put(); err != nil {
		return err
	}
	if old == nil || old.typ != t {
		if old != nil {
			if err := x.sink.del(typeIdxKey(old.typ, e.ID)); err != nil {
				return err
			}
			x.sink.typeCount(old.typ, -1)
		}
		x.k, x.v = appendTypeIdxKey(x.k[:0], t, e.ID), binary.BigEndian.AppendUint64(x.v[:0], uint64(n))
		if err := x.put(); err != nil {
			return err
		}
		x.sink.typeCount(t, 1)
	}
	if old == nil {
		if err := x.entityTerms(n, e, t, nil); err != nil {
			return err
		}
		return x.props(uint64(n), e.ID, t, e.Properties, 0, nil)
	}
	if err := x.entityTerms(n, e, t, old.e); err != nil {
		return err
	}
	return x.props(uint64(n), e.ID, t, e.Properties, old.typ, old.e.Properties)
}

// entityTerms writes the entries of entity e (node n, type t) that are
// derived from its content, in place of those of old (nil for a new
// entity): its name-search, text-search and citation entries.
func (x *indexer) entityTerms(n NodeID, e *Entity, t TypeID, old *Entity) error {
	nv := nameValueOf(e, t)
	names, texts := nameKeys(e, n), textKeys(e, n)
	cites := citeKeys(kindEntity, uint64(n), e.Sources)
	if old != nil {
		if err := x.replaced(names, nameKeys(old, n)); err != nil {
			return err
		}
		if err := x.replaced(texts, textKeys(old, n)); err != nil {
			return err
		}
		if err := x.replaced(cites, citeKeys(kindEntity, uint64(n), old.Sources)); err != nil {
			return err
		}
	}
	for _, ks := range [][][]byte{names, texts} {
		for _, k := range ks {
			if err := x.sink.set(k, nv); err != nil {
				return err
			}
		}
	}
	for _, k := range cites {
		if err := x.sink.set(k, []byte(e.ID)); err != nil {
			return err
		}
	}
	return nil
}

// props writes the property index entries of the record ext (internal id
// id) of type t with properties p, deleting those of its old version (of
// type oldT with properties oldP; oldT 0 for none) that it no longer has.
func (x *indexer) props(id uint64, ext string, t TypeID, p Properties, oldT TypeID, oldP Properties) error {
	if x.indexed == nil {
		return nil
	}
	keys := propKeys(t, ext, p, x.indexed(t))
	if oldT != 0 {
		keep := make(map[string]bool, len(keys))
		for _, k := range keys {
			keep[string(k)] = true
		}
		for _, k := range propKeys(oldT, ext, oldP, x.indexed(oldT)) {
			if !keep[string(k)] {
				if err := x.sink.del(k); err != nil {
					return err
				}
			}
		}
	}
	for _, e := range propEntries(t, ext, p, x.indexed(t)) {
		if err := x.sink.set(e.k, propValue(id, e.v)); err != nil {
			return err
		}
	}
	return nil
}

// replaced deletes the keys of was that keys, their replacement, lacks.
func (x *indexer) replaced(keys, was [][]byte) error {
	keep := make(map[string]bool, len(keys))
	for _, k := range keys {
		keep[string(k)] = true
	}
	for _, k := range was {
		if !keep[string(k)] {
			if err := x.sink.del(k); err != nil {
				return err
			}
		}
	}
	return nil
}

// entityTermKeys are the keys entityTerms writes for e: what deleting the
// entity deletes besides its body, node record, id and type entry.
func entityTermKeys(e *Entity, n NodeID) [][]byte {
	return append(append(nameKeys(e, n), textKeys(e, n)...), citeKeys(kindEntity, uint64(n), e.Sources)...)
}

// relationTermKeys are the content-derived keys of relation r (its
// citations): what deleting it deletes besides its body, id, type entry
// and adjacency.
func relationTermKeys(r *Relation, rid RelID) [][]byte {
	return citeKeys(kindRelation, uint64(rid), r.Sources)
}

// relation writes the entries of relation r, stored as rid of type t from
// node from (of type fromT) to node to (of type toT), in place of old (nil
// for a new relation): the external id, body, type index entry and the
// adjacency keys both ways, deleting old's adjacency when the relation
// moved and its type index entry when it changed type. It returns the
// sink's error.
func (x *indexer) relation(rid RelID, r *Relation, t TypeID, from, to NodeID, fromT, toT TypeID, old *relationBody) error {
	switch {
	case old == nil:
		x.k, x.v = appendExtKey(x.k[:0], r.ID), appendExtValue(x.v[:0], kindRelation, uint64(rid))
		if err := x.put(); err != nil {
			return err
		}
		x.sink.typeCount(t, 1)
	default:
		if old.typ != t || old.from != from || old.to != to {
			if err := x.sink.del(adjKey(nil, pOut, old.from, old.typ, old.to, rid)); err != nil {
				return err
			}
			if err := x.sink.del(adjKey(nil, pIn, old.to, old.typ, old.from, rid)); err != nil {
				return err
			}
		}
		if old.typ != t {
			if err := x.sink.del(typeIdxKey(old.typ, r.ID)); err != nil {
				return err
			}
			x.sink.typeCount(old.typ, -1)
			x.sink.typeCount(t, 1)
		}
	}
	x.k, x.v = appendIDKey(x.k[:0], pRelation, uint64(rid)), appendRelation(x.v[:0], r, t, from, to)
	if err := x.put(); err != nil {
		return err
	}
	x.k, x.v = appendTypeIdxKey(x.k[:0], t, r.ID), binary.BigEndian.AppendUint64(x.v[:0], uint64(rid))
	if err := x.put(); err != nil {
		return err
	}
	x.k, x.v = adjKey(x.k[:0], pOut, from, t, to, rid), adjValue{toT, r.ValidFrom, r.ValidTo}.append(x.v[:0])
	if err := x.put(); err != nil {
		return err
	}
	x.k, x.v = adjKey(x.k[:0], pIn, to, t, from, rid), adjValue{fromT, r.ValidFrom, r.ValidTo}.append(x.v[:0])
	if err := x.put(); err != nil {
		return err
	}
	cites := relationTermKeys(r, rid)
	if old != nil {
		if err := x.replaced(cites, relationTermKeys(old.r, rid)); err != nil {
			return err
		}
	}
	for _, k := range cites {
		if err := x.sink.set(k, []byte(r.ID)); err != nil {
			return err
		}
	}
	if old == nil {
		return x.props(uint64(rid), r.ID, t, r.Properties, 0, nil)
	}
	return x.props(uint64(rid), r.ID, t, r.Properties, old.typ, old.r.Properties)
}

// unprops deletes the property index entries of the deleted record ext of
// type t with properties p.
func (x *indexer) unprops(ext string, t TypeID, p Properties) error {
	if x.indexed == nil {
		return nil
	}
	for _, k := range propKeys(t, ext, p, x.indexed(t)) {
		if err := x.sink.del(k); err != nil {
			return err
		}
	}
	return nil
}

// retypedEnd rewrites the adjacency entry m, whose value av names the
// type of the entity at its other end, for that entity's new type t: the
// one entry of a relation that an entity's change of type touches.
func (x *indexer) retypedEnd(m []byte, av adjValue, t TypeID) error {
	av.otherType = t
	x.v = av.append(x.v[:0])
	return x.sink.set(m, x.v)
}

// overlaySink is the sink of Apply's writer: its overlay, which keeps the
// entries until the batch commits, and its counter deltas.
type overlaySink struct{ w *writer }

func (s overlaySink) set(k, v []byte) error { s.w.set(k, bytes.Clone(v)); return nil }
func (s overlaySink) del(k []byte) error    { s.w.del(k); return nil }
func (s overlaySink) typeCount(t TypeID, d int64) {
	s.w.count(typeCountKey(t), d)
}

// batchSink is the sink of Load: a batch, which copies what it is given,
// and the load's per-type deltas.
type batchSink struct{ l *loader }

func (s batchSink) set(k, v []byte) error       { return s.l.set(k, v) }
func (s batchSink) del(k []byte) error          { return s.l.del(k) }
func (s batchSink) typeCount(t TypeID, d int64) { s.l.typeDelta[t] += d }

// expectSink is the sink of Check: it collects the entries a stored record
// should have, to compare with what is stored.
type expectSink struct{ entries []indexEntry }

// indexEntry is one key and value an expectSink collected.
type indexEntry struct{ k, v []byte }

func (s *expectSink) set(k, v []byte) error {
	s.entries = append(s.entries, indexEntry{bytes.Clone(k), bytes.Clone(v)})
	return nil
}
func (s *expectSink) del([]byte) error        { return nil }
func (s *expectSink) typeCount(TypeID, int64) {}

// expectedEntity returns the entries a stored entity should have under
// the ontology sch.
func expectedEntity(sch *schema, n NodeID, e *Entity, t TypeID) []indexEntry {
	var s expectSink
	x := indexer{sink: &s, indexed: sch.indexed}
	x.entity(n, e, t, nil)
	return s.entries
}

// expectedRelation returns the entries a stored relation should have
// under the ontology sch.
func expectedRelation(sch *schema, rid RelID, r *Relation, t TypeID, from, to NodeID, fromT, toT TypeID) []indexEntry {
	var s expectSink
	x := indexer{sink: &s, indexed: sch.indexed}
	x.relation(rid, r, t, from, to, fromT, toT, nil)
	return s.entries
}
