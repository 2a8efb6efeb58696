package store

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/ties-graph/ties/store/kv"
)

// A load into a store that holds data must know, for each relation of
// the source, whether the store holds its id and, to merge or replace it,
// the stored body. Asked as each relation came in the second pass that
// was a point read of the id (a miss answered by the tables' Bloom
// filters, a hit a table search) and one of the body, in the random order
// of the source. Instead the first pass writes each relation's candidate
// ids with its ordinal to an external sort (runsort.go): the real id of a
// relation without one depends on whether its type is symmetric, known
// only once the first pass has read the ontology, so both are noted. At
// the end of the first pass the candidates, sorted, are joined with the
// external-id index in one forward walk; the hits on relations are sorted
// by internal id and joined with the relation bodies in another; and
// every hit, with its body, goes through a last sort by ordinal so that
// the second pass, which replays the records in the same order, finds the
// answer for each relation at the head of a cursor. Memory holds the
// sorts' budgets, whatever the number of relations; the disk about the
// size of the bodies of the relations found. A load into an empty store
// pays for none of it.

// Which candidate id of a relation a record of the sorts is for.
const (
	relIDAsGiven   byte = 1 // its own id, or the one derived for an asymmetric type
	relIDSymmetric byte = 2 // the one derived for a symmetric type
)

// candidateFlags says which candidate cands[i] of a relation's n is
// (noteRelationIDs): its own id, or the one derived for an asymmetric
// type, or both when the endpoints are in canonical order and the two
// derived ids are one, or the one derived for a symmetric type.
func candidateFlags(i, n int, explicit bool) byte {
	switch {
	case !explicit && n == 1:
		return relIDAsGiven | relIDSymmetric
	case i == 1:
		return relIDSymmetric
	}
	return relIDAsGiven
}

// relIDSortBudget is how many bytes of records each sort of relation ids
// holds in memory before it writes a run.
const relIDSortBudget = 32 << 20

// bulkReads is what a load reads from the store in bulk at the end of
// its first pass for its second: relation ids, and the stored bodies of
// the relations and entities it replaces or merges.
type bulkReads struct {
	budget int
	cands  *runSort // pass 1: id | seq(8) | flags(1)
	hits   *runSort // seq(8) | flags(1) | kind(1) | internal id(8) | body
	cursor seqCursor
	// existing lists the existing entities of the load whose stored
	// bodies the second pass needs, node(8) | seq(8), as they are given
	// their node ids (noteExistingEntity).
	existing *runSort
	// entities holds the stored bodies of the existing entities of the
	// load, seq(8) | body, for the second pass; entityCursor reads them.
	entities     *runSort
	entityCursor seqCursor
	buf          []byte
}

// seqCursor hands the second pass the records of a sort by ordinal
// (their first 8 bytes), as it replays the source.
type seqCursor struct {
	it   *runIter // nil: no records were sorted
	head []byte   // the current record; nil: read the next
	done bool     // at the end
}

// next returns the next record of ordinal seq, skipping those before it
// (their records were not written); ok is false when there is none. The
// record is valid until the following call. The ordinals asked must not
// descend.
func (c *seqCursor) next(seq int64) (rec []byte, ok bool, err error) {
	for {
		if c.head == nil {
			if c.done || c.it == nil {
				return nil, false, nil
			}
			rec, ok, err := c.it.next()
			if err != nil {
				return nil, false, fmt.Errorf("load: %w", err)
			}
			if !ok {
				c.done = true
				continue
			}
			c.head = rec
		}
		at := int64(binary.BigEndian.Uint64(c.head))
		if at > seq {
			return nil, false, nil
		}
		rec, c.head = c.head, nil
		if at == seq {
			return rec, true, nil
		}
	}
}

// candidateOrder sorts candidate records by id, then ordinal.
func candidateOrder(a, b []byte) int {
	if c := bytes.Compare(a[:len(a)-9], b[:len(b)-9]); c != 0 {
		return c
	}
	return bytes.Compare(a[len(a)-9:], b[len(b)-9:])
}

// noteRelationIDs writes the candidate ids of the relation of the
// current record to the sort: its own id, or the ids derived for an
// asymmetric and for a symmetric type (c1, c2; equal when the endpoints
// are in canonical order).
func (l *loader) noteRelationIDs(explicit bool, cands []string) error {
	if l.noIDs {
		return nil
	}
	ri := &l.bulk
	if ri.cands == nil {
		if ri.budget == 0 {
			ri.budget = relIDSortBudget
		}
		ri.cands = newRunSort(ri.budget, candidateOrder)
	}
	for i, c := range cands {
		flags := candidateFlags(i, len(cands), explicit)
		b := append(ri.buf[:0], c...)
		b = binary.BigEndian.AppendUint64(b, uint64(l.done))
		ri.buf = append(b, flags)
		if err := ri.cands.add(ri.buf); err != nil {
			return fmt.Errorf("load: %w", err)
		}
	}
	return nil
}

// resolveRelationIDs joins the sorted candidates with the external-id
// index and, for a merge or a replace, the relations found with their
// bodies, and leaves the answers sorted by ordinal for the second pass.
func (l *loader) resolveRelationIDs() error {
	ri := &l.bulk
	if ri.cands == nil {
		return nil
	}
	cands, err := ri.cands.sorted()
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	bodies := l.opts.OnExisting == OnExistingReplace || l.opts.OnExisting == OnExistingMerge
	var byRel *runSort // internal id(8) | seq(8) | flags(1) | kind(1)
	if bodies {
		byRel = newRunSort(ri.budget, bytes.Compare)
		defer byRel.close()
	}
	ri.hits = newRunSort(ri.budget, bytes.Compare)
	j := newForwardJoin(l.tx, pExtID)
	var k []byte
	err = cands.each(l.ctx, func(rec []byte) error {
		id, tail := rec[:len(rec)-9], rec[len(rec)-9:]
		k = append(append(k[:0], pExtID), id...)
		v, err := j.get(k)
		if err != nil {
			return fmt.Errorf("load: look up %q: %w", id, err)
		}
		if v == nil {
			return nil
		}
		kind, n, err := parseExtValue(v)
		if err != nil {
			return fmt.Errorf("load: look up %q: %w", id, err)
		}
		var b []byte
		if bodies && kind == kindRelation {
			b = binary.BigEndian.AppendUint64(ri.buf[:0], n)
			b = append(append(b, tail...), kind)
			err = byRel.add(b)
		} else {
			b = append(ri.buf[:0], tail...)
			b = binary.BigEndian.AppendUint64(append(b, kind), n)
			err = ri.hits.add(b)
		}
		ri.buf = b
		if err != nil {
			return fmt.Errorf("load: %w", err)
		}
		return nil
	})
	j.close()
	if err != nil {
		return err
	}
	if err := ri.cands.close(); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	ri.cands = nil
	if bodies {
		if err := l.joinRelationBodies(byRel); err != nil {
			return err
		}
	}
	if ri.cursor.it, err = ri.hits.sorted(); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	return nil
}

// joinRelationBodies reads the bodies of the relations found, in the
// order of their keys, into the hits.
func (l *loader) joinRelationBodies(byRel *runSort) error {
	ri := &l.bulk
	found, err := byRel.sorted()
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	j := newForwardJoin(l.tx, pRelation)
	defer j.close()
	var k []byte
	return found.each(l.ctx, func(rec []byte) error {
		rid := RelID(binary.BigEndian.Uint64(rec))
		k = appendIDKey(k[:0], pRelation, uint64(rid))
		v, err := j.get(k)
		if err != nil {
			return fmt.Errorf("load: body of relation %d: %w", rid, err)
		}
		if v == nil {
			return fmt.Errorf("load: body of relation %d: %w", rid, kv.ErrNotFound)
		}
		b := append(ri.buf[:0], rec[8:]...)
		b = append(append(b, rec[:8]...), v...)
		ri.buf = b
		if err := ri.hits.add(b); err != nil {
			return fmt.Errorf("load: %w", err)
		}
		return nil
	})
}

// relationRef returns what the store holds under the id of the relation
// of the current record of the second pass, and the stored body of a
// relation when the first pass read it (nil otherwise: the caller reads
// it). symmetric says the id was derived for a symmetric type.
func (l *loader) relationRef(id string, symmetric bool) (extRef, bool, []byte, error) {
	ri := &l.bulk
	if ri.hits == nil {
		ref, ok, err := l.lookup(id)
		return ref, ok, nil, err
	}
	want := relIDAsGiven
	if symmetric {
		want = relIDSymmetric
	}
	for {
		rec, ok, err := ri.cursor.next(l.done)
		if err != nil || !ok {
			return extRef{}, false, nil, err
		}
		if rec[8]&want == 0 {
			continue // the other candidate
		}
		ref := extRef{kind: rec[9], id: binary.BigEndian.Uint64(rec[10:18])}
		var body []byte
		if len(rec) > 18 {
			body = rec[18:]
		}
		return ref, true, body, nil
	}
}

// dropBulkReads removes the sorts' runs.
func (l *loader) dropBulkReads() {
	ri := &l.bulk
	for _, s := range []*runSort{ri.cands, ri.hits, ri.existing, ri.entities} {
		if s != nil {
			s.close()
		}
	}
	*ri = bulkReads{budget: ri.budget}
}

// readEntityBodies reads the stored bodies of the entities of the load
// that the store holds, in the order of their keys, for a merge or a
// replace, and sorts them by ordinal for the second pass (storedEntity).
func (l *loader) readEntityBodies() error {
	ri := &l.bulk
	if ri.existing == nil {
		return nil
	}
	byNode := ri.existing
	defer func() {
		byNode.close()
		ri.existing = nil
	}()
	found, err := byNode.sorted()
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	ri.entities = newRunSort(ri.budget, bytes.Compare)
	j := newForwardJoin(l.tx, pEntity)
	defer j.close()
	var k []byte
	err = found.each(l.ctx, func(rec []byte) error {
		node := binary.BigEndian.Uint64(rec)
		k = appendIDKey(k[:0], pEntity, node)
		v, err := j.get(k)
		if err != nil {
			return fmt.Errorf("load: body of entity %d: %w", node, err)
		}
		if v == nil {
			return fmt.Errorf("load: body of entity %d: %w", node, kv.ErrNotFound)
		}
		ri.buf = append(append(ri.buf[:0], rec[8:16]...), v...)
		if err := ri.entities.add(ri.buf); err != nil {
			return fmt.Errorf("load: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if ri.entityCursor.it, err = ri.entities.sorted(); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	return nil
}

// readsBodies says whether the load merges or replaces stored records,
// and so needs their bodies.
func (l *loader) readsBodies() bool {
	return !l.noIDs && (l.opts.OnExisting == OnExistingReplace || l.opts.OnExisting == OnExistingMerge)
}

// noteExistingEntity notes an entity of the load that the store holds,
// once it has its node id, for readEntityBodies to read its stored body.
func (l *loader) noteExistingEntity(le loadEntity) error {
	if le.bad || le.oldTyp == 0 || !l.readsBodies() {
		return nil
	}
	ri := &l.bulk
	if ri.existing == nil {
		if ri.budget == 0 {
			ri.budget = relIDSortBudget
		}
		ri.existing = newRunSort(ri.budget, bytes.Compare)
	}
	b := binary.BigEndian.AppendUint64(ri.buf[:0], uint64(le.node))
	ri.buf = binary.BigEndian.AppendUint64(b, uint64(le.seq))
	if err := ri.existing.add(ri.buf); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	return nil
}

// storedEntity returns the stored body of the existing entity le of the
// current record of the second pass: read in bulk at the end of the
// first, or by a point read.
func (l *loader) storedEntity(le loadEntity) ([]byte, error) {
	ri := &l.bulk
	if ri.entities != nil {
		rec, ok, err := ri.entityCursor.next(l.done)
		if err != nil {
			return nil, err
		}
		if ok {
			return rec[8:], nil
		}
	}
	return l.tx.Get(entityKey(le.node))
}
