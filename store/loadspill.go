package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"runtime/debug"

	"github.com/ties-graph/ties/store/kv"
)

// A load keeps the entities of its source in a table in memory
// (entityTable), about 80 bytes each: at 10 million relations among 3.3
// million entities that table was the part of the load's memory that grew
// with the input (BENCHMARKS.md). In a store that holds data, the table
// also drove the lookups of the entities and the endpoints in the store
// (loadresolve.go), with a map of every id looked up beside it. Past a
// budget (entityBudget), a load stops growing the table and resolves
// everything it asked of it through external sorts instead (runsort.go),
// as loadrelids.go does for relation ids:
//
//   - pass 1 writes each entity record (id, the order of its id's first
//     appearance, ordinal, line, type name) to one sort, and each name a
//     relation gives (its two endpoints and its candidate ids) with the
//     relation's ordinal to another;
//   - at its end the entities, sorted by id, are grouped: the last record
//     of an id wins, as in the table; in a store that holds data, each id
//     is looked up as the groups come, by a forward walk of the
//     external-id index, and the stored entities' types by one of the node
//     records, in the order of their node ids; sorted by first appearance,
//     the entities are checked and given their node ids (the stored one or
//     a new one) in the order the table would give them
//     (TestLoadNodeOrder); sorted by id again, they are merge-joined with
//     the names the relations give, and the names that are not entities
//     of the load are looked up in the store by the same two walks; the
//     answers, and the winning record of each entity, are sorted by
//     ordinal, and the stored bodies of the entities the load merges or
//     replaces are read in the order of their keys (loadrelids.go);
//   - pass 2 replays the records and finds the answer for each at the head
//     of a cursor, as it does the relations' ids.
//
// Memory then holds the sorts' budgets and the documents the records cite
// (a map from id to type: citations are checked by the documents' types,
// and documents are few beside the entities), whatever the number of
// entities (at the end of pass 1, up to four sorts fill their budgets at
// once). The table's entities go to the sort at the switch, and the
// relations read before it are read again, from the spool, to note their
// names: a load over the budget pays for that and the sorts once, a load
// under it for none of it.
//
// Either way the load makes no point read per record, and the node ids,
// errors and stores are those of the table (FuzzLoadSpilled,
// FuzzLoadSpilledIntoData).

// DefaultLoadEntityBudget is the memory a load's table of entities may
// take when no soft memory limit is set (about 1.6 million entities).
const DefaultLoadEntityBudget = 128 << 20

// minLoadEntityBudget is the least a memory limit makes the budget.
const minLoadEntityBudget = 16 << 20

// entityBudget returns the memory a load's table of entities may take
// (0: no bound): Options.LoadEntityBudget when set, else an eighth of the
// process's soft memory limit (debug.SetMemoryLimit, GOMEMLIMIT, ties
// import's --memory-limit), else DefaultLoadEntityBudget. An eighth leaves the rest
// of the limit to what every load holds whatever its size (the batch's
// chunks, badger's memtables, the sorts' budgets) and to the collector.
func (s *Store) entityBudget() int {
	switch {
	case s.opts.LoadEntityBudget < 0:
		return 0
	case s.opts.LoadEntityBudget > 0:
		return s.opts.LoadEntityBudget
	}
	limit := debug.SetMemoryLimit(-1)
	if limit <= 0 || limit == math.MaxInt64 {
		return DefaultLoadEntityBudget
	}
	return int(max(limit/8, minLoadEntityBudget))
}

// Sizes of the fixed tails of the spilled records.
const (
	// entity records: id | order(8) | seq(8) | line(8) | tname(4) | bad(1)
	spillEntityTail = 29
	// entities by first appearance: order(8) | seq(8) | line(8) |
	// tname(4) | bad(1) | kind(1) | node(8) | stored type(4) | id, where
	// kind, node and the type are what the store holds under the id
	// (kind 0: nothing).
	spillFirstHead = 42
	// entities by id: id | node(8) | typ(4) | bad(1)
	spillByIDTail = 13
)

// Which name of a relation a record of the references is: one of its
// endpoints as the source gives them, or else the flags of a candidate id
// (relIDAsGiven, relIDSymmetric).
const (
	refFrom byte = 0x10
	refTo   byte = 0x20
)

// spilledEntities is what a load keeps of its entities past the budget.
type spilledEntities struct {
	budget int
	ents   *runSort // pass 1: entity records
	refs   *runSort // pass 1: name | seq(8) | ref(1)
	// cited are the documents the records cite, with their types, filled
	// at the end of pass 1.
	cited map[string]citedDoc
	// answers: seq(8) | ref(1) | flags(1) | node(8) | typ(4), for the
	// names that are entities of the load or of the store (flags:
	// answerBad, answerStored, answerRelation); winners: seq(8) |
	// node(8) | typ(4) | bad(1) | stored type(4), the winning record of
	// each entity.
	answers, winners           *runSort
	answerCursor, winnerCursor seqCursor
	at                         int64 // the ordinal whose answers are in ans
	ans                        [4]refAnswer
	buf                        []byte
}

// citedDoc is a cited id that is an entity of the load.
type citedDoc struct {
	tname int32
	bad   bool
	known bool // an entity of the load
}

// refAnswer is what a name of the current relation is: found, one of the
// load's entities; stored, not one of them but an id the store holds (an
// entity, or a relation when relation is set).
type refAnswer struct {
	found, bad       bool
	stored, relation bool
	node             NodeID
	typ              TypeID
}

// The flags of an answer.
const (
	answerBad      byte = 1
	answerStored   byte = 2
	answerRelation byte = 4
)

// refOfField is the reference of a relation's end named field ("from" or
// "to", as the source gives it).
func refOfField(field string) byte {
	if field == "to" {
		return refTo
	}
	return refFrom
}

// spillOrder sorts records by the bytes before their tail of n bytes,
// then by the tail.
func spillOrder(n int) func(a, b []byte) int {
	return func(a, b []byte) int {
		if c := bytes.Compare(a[:len(a)-n], b[:len(b)-n]); c != 0 {
			return c
		}
		return bytes.Compare(a[len(a)-n:], b[len(b)-n:])
	}
}

// overBudget reports whether the load should stop growing its table of
// entities: past the budget, which the ids noted for lookups in a store
// that holds data share with the table.
func (l *loader) overBudget() bool {
	return l.spilled == nil && l.entityBudget > 0 && l.ents.bytes()+l.endpointBytes > l.entityBudget
}

// spillEntities moves the table's entities to the sorts; the load notes
// its entities there from now on.
func (l *loader) spillEntities() error {
	sp := &spilledEntities{
		budget: l.bulkBudget(),
		cited:  map[string]citedDoc{},
	}
	sp.ents = newRunSort(sp.budget, spillOrder(spillEntityTail))
	sp.ents.distinct = true
	sp.refs = newRunSort(sp.budget, candidateOrder)
	l.spilled, l.spilledAt = sp, l.done
	// The table is in the order of first appearance, so its row numbers
	// order its ids among themselves; every id first seen later has an
	// ordinal past the table's length.
	for i := range l.ents.len() {
		id, le := l.ents.at(i)
		if err := sp.addEntity(id, int64(i), le); err != nil {
			return err
		}
	}
	l.ents = newEntityTable()
	// The names noted for loadresolve.go so far are noted again in the
	// sorts, from the spool, at the end of the pass.
	l.endpoints, l.endpointBytes = nil, 0
	return nil
}

func (l *loader) bulkBudget() int {
	if l.bulk.budget > 0 {
		return l.bulk.budget
	}
	return relIDSortBudget
}

func (sp *spilledEntities) addEntity(id string, order int64, le loadEntity) error {
	b := append(sp.buf[:0], id...)
	b = binary.BigEndian.AppendUint64(b, uint64(order))
	b = binary.BigEndian.AppendUint64(b, uint64(le.seq))
	b = binary.BigEndian.AppendUint64(b, uint64(le.line))
	b = binary.BigEndian.AppendUint32(b, uint32(le.tname))
	b = append(b, boolByte(le.bad))
	sp.buf = b
	if err := sp.ents.add(b); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	return nil
}

func (sp *spilledEntities) addRef(name string, seq int64, ref byte) error {
	b := append(sp.buf[:0], name...)
	b = binary.BigEndian.AppendUint64(b, uint64(seq))
	sp.buf = append(b, ref)
	if err := sp.refs.add(sp.buf); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	return nil
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// noteRelationRefs writes the names the relation of the current record
// of pass 1 gives to the references, once the entities are spilled.
func (l *loader) noteRelationRefs(r *Relation, explicit bool, cands []string) error {
	if l.spilled == nil {
		return nil
	}
	return l.spilled.addRelationRefs(r, l.done, explicit, cands)
}

// noteRelationRefsAt notes the names of a relation read again, of
// ordinal seq.
func (l *loader) noteRelationRefsAt(r *Relation, seq int64) error {
	return l.spilled.addRelationRefs(r, seq, r.ID != "", candidateIDs(r))
}

func (sp *spilledEntities) addRelationRefs(r *Relation, seq int64, explicit bool, cands []string) error {
	if err := sp.addRef(r.From, seq, refFrom); err != nil {
		return err
	}
	if err := sp.addRef(r.To, seq, refTo); err != nil {
		return err
	}
	for i, c := range cands {
		flags := candidateFlags(i, len(cands), explicit)
		if err := sp.addRef(c, seq, flags); err != nil {
			return err
		}
	}
	return nil
}

// noteCitedIDs remembers the documents sources cite once the entities
// are spilled, so that the walk of the entities keeps their types.
func (l *loader) noteCitedIDs(sources []Source) {
	if l.spilled == nil {
		return
	}
	for _, s := range sources {
		if _, ok := l.spilled.cited[s.Document]; !ok {
			l.spilled.cited[s.Document] = citedDoc{}
		}
	}
}

// endSpilledPass1 is endPass1's walk of the entities once they are
// spilled: it checks them and allocates their node ids in the order of
// first appearance, then answers the relations' names and sorts the
// answers and the winning records by ordinal for pass 2.
func (l *loader) endSpilledPass1() error {
	sp := l.spilled
	byFirst := newRunSort(sp.budget, bytes.Compare) // see spillFirstHead
	defer byFirst.close()
	if err := l.groupEntities(byFirst); err != nil {
		return err
	}
	byID := newRunSort(sp.budget, spillOrder(spillByIDTail))
	byID.distinct = true
	defer byID.close()
	sp.winners = newRunSort(sp.budget, bytes.Compare)
	sp.winners.distinct = true
	first, err := byFirst.sorted()
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	err = first.each(l.ctx, func(rec []byte) error {
		id := string(rec[spillFirstHead:])
		le := loadEntity{
			seq:   int64(binary.BigEndian.Uint64(rec[8:])),
			line:  int64(binary.BigEndian.Uint64(rec[16:])),
			tname: int32(binary.BigEndian.Uint32(rec[24:])),
			bad:   rec[28] != 0,
		}
		ref := extRef{kind: rec[29], id: binary.BigEndian.Uint64(rec[30:])}
		storedTyp := TypeID(binary.BigEndian.Uint32(rec[38:]))
		if err := l.settleEntity(id, &le, ref, ref.kind != 0, storedTyp); err != nil {
			return err
		}
		if d, ok := sp.cited[id]; ok {
			d.known, d.tname, d.bad = true, le.tname, le.bad
			sp.cited[id] = d
		}
		b := append(sp.buf[:0], id...)
		b = binary.BigEndian.AppendUint64(b, uint64(le.node))
		b = binary.BigEndian.AppendUint32(b, uint32(le.typ))
		b = append(b, boolByte(le.bad))
		sp.buf = b
		if err := byID.add(b); err != nil {
			return fmt.Errorf("load: %w", err)
		}
		b = binary.BigEndian.AppendUint64(sp.buf[:0], uint64(le.seq))
		b = binary.BigEndian.AppendUint64(b, uint64(le.node))
		b = binary.BigEndian.AppendUint32(b, uint32(le.typ))
		b = append(b, boolByte(le.bad))
		sp.buf = binary.BigEndian.AppendUint32(b, uint32(le.oldTyp))
		if err := sp.winners.add(sp.buf); err != nil {
			return fmt.Errorf("load: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(l.retypedDocs) > 0 {
		if err := l.citersInLoad(byID); err != nil {
			return err
		}
	}
	if err := l.answerRefs(byID); err != nil {
		return err
	}
	if sp.winnerCursor.it, err = sp.winners.sorted(); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	sp.at = -1
	return nil
}

// groupEntities walks the entity records by id and writes, for each id,
// its last record with the order of its first appearance to byFirst, and
// what the store holds under the id.
func (l *loader) groupEntities(byFirst *runSort) error {
	sp := l.spilled
	it, err := sp.ents.sorted()
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	var look *storeLookup
	if !l.noIDs {
		look = newStoreLookup(l, sp.budget)
		defer look.close()
	}
	var cur, out []byte // the group's id, and its record for byFirst
	flush := func() error {
		if out == nil {
			return nil
		}
		if look != nil {
			// The stored entities wait for their types, in node order.
			if kept, err := look.add(cur, out, 29); err != nil || kept {
				return err
			}
		}
		if err := byFirst.add(out); err != nil {
			return fmt.Errorf("load: %w", err)
		}
		return nil
	}
	err = it.each(l.ctx, func(rec []byte) error {
		id, tail := rec[:len(rec)-spillEntityTail], rec[len(rec)-spillEntityTail:]
		if out != nil && bytes.Equal(id, cur) {
			copy(out[8:29], tail[8:]) // a later record of the id wins
			return nil
		}
		if err := flush(); err != nil {
			return err
		}
		cur = append(cur[:0], id...)
		var stored [spillFirstHead - spillEntityTail]byte // filled by the lookup
		out = append(append(append(out[:0], tail...), stored[:]...), id...)
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return err
	}
	if err := sp.ents.close(); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	sp.ents = nil
	if look != nil {
		return look.typed(byFirst.add)
	}
	return nil
}

// storeLookup looks up ids of a load, given in ascending order, in a
// store that holds data: a forward walk of the external-id index, and,
// for the entities found, one of the node records in the order of their
// node ids for their types. Each record the caller hands it carries a
// kind(1) | node(8) | type(4) field at an offset that the lookup fills.
type storeLookup struct {
	l      *loader
	ext    *forwardJoin
	byNode *runSort // node(8) | off(2) | record, for the stored entities
	key    []byte
	buf    []byte
}

func newStoreLookup(l *loader, budget int) *storeLookup {
	return &storeLookup{l: l, ext: newForwardJoin(l.tx, pExtID), byNode: newRunSort(budget, bytes.Compare)}
}

// add looks id up and fills rec's field at off with what the store holds
// under it: nothing (kind 0) or a relation (kind and id), when it returns
// false for the caller to keep rec; or an entity, when it keeps rec
// itself until typed.
func (s *storeLookup) add(id, rec []byte, off int) (bool, error) {
	s.key = append(append(s.key[:0], pExtID), id...)
	v, err := s.ext.get(s.key)
	if err != nil {
		return false, fmt.Errorf("load: look up %q: %w", id, err)
	}
	if v == nil {
		return false, nil
	}
	kind, n, err := parseExtValue(v)
	if err != nil {
		return false, fmt.Errorf("load: look up %q: %w", id, err)
	}
	rec[off] = kind
	binary.BigEndian.PutUint64(rec[off+1:], n)
	if kind != kindEntity {
		return false, nil
	}
	b := binary.BigEndian.AppendUint64(s.buf[:0], n)
	b = binary.BigEndian.AppendUint16(b, uint16(off))
	s.buf = append(b, rec...)
	if err := s.byNode.add(s.buf); err != nil {
		return false, fmt.Errorf("load: %w", err)
	}
	return true, nil
}

// typed reads the types of the stored entities that add kept, in the
// order of their node ids, and hands each record, complete, to out.
func (s *storeLookup) typed(out func(rec []byte) error) error {
	it, err := s.byNode.sorted()
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	j := newForwardJoin(s.l.tx, pNode)
	defer j.close()
	return it.each(s.l.ctx, func(rec []byte) error {
		n := binary.BigEndian.Uint64(rec)
		s.key = appendIDKey(s.key[:0], pNode, n)
		v, err := j.get(s.key)
		if err != nil {
			return fmt.Errorf("load: node %d: %w", n, err)
		}
		if v == nil {
			return fmt.Errorf("load: node %d: %w", n, kv.ErrNotFound)
		}
		t, _, err := parseNodeValue(v)
		if err != nil {
			return fmt.Errorf("load: node %d: %w", n, err)
		}
		off := int(binary.BigEndian.Uint16(rec[8:]))
		r := rec[10:]
		binary.BigEndian.PutUint32(r[off+9:], uint32(t))
		if err := out(r); err != nil {
			return fmt.Errorf("load: %w", err)
		}
		return nil
	})
}

func (s *storeLookup) close() {
	s.ext.close()
	s.byNode.close()
}

// answerRefs merge-joins the relations' names with the entities by id
// and sorts the answers by ordinal.
func (l *loader) answerRefs(byID *runSort) error {
	sp := l.spilled
	ents, err := byID.sorted()
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	refs, err := sp.refs.sorted()
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	sp.answers = newRunSort(sp.budget, bytes.Compare)
	// Ends that are not entities of the load are looked up in the store.
	var look *storeLookup
	if !l.noIDs {
		look = newStoreLookup(l, sp.budget)
		defer look.close()
	}
	ent, ok, err := ents.next()
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	err = refs.each(l.ctx, func(rec []byte) error {
		name, tail := rec[:len(rec)-9], rec[len(rec)-9:]
		for ok && bytes.Compare(ent[:len(ent)-spillByIDTail], name) < 0 {
			if ent, ok, err = ents.next(); err != nil {
				return fmt.Errorf("load: %w", err)
			}
		}
		b := append(sp.buf[:0], tail...) // seq | ref
		if ok && bytes.Equal(ent[:len(ent)-spillByIDTail], name) {
			et := ent[len(ent)-spillByIDTail:]
			if et[12] != 0 {
				b = append(b, answerBad)
			} else {
				b = append(b, 0)
			}
			sp.buf = append(b, et[:12]...) // node | typ
			return sp.addAnswer(sp.buf)
		}
		if look == nil || tail[8] != refFrom && tail[8] != refTo {
			return nil // the store answers for the relation ids elsewhere
		}
		// seq | ref | flags | kind(1) | node(8) | typ(4): the lookup
		// fills kind, node and typ.
		var stored [13]byte
		sp.buf = append(append(b, answerStored), stored[:]...)
		kept, err := look.add(name, sp.buf, 10)
		if err != nil || kept || sp.buf[10] == 0 {
			return err // an error, to be typed, or not in the store
		}
		return sp.addAnswer(sp.buf)
	})
	if err != nil {
		return err
	}
	if look != nil {
		if err := look.typed(sp.addAnswer); err != nil {
			return err
		}
	}
	if err := sp.refs.close(); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	sp.refs = nil
	if sp.answerCursor.it, err = sp.answers.sorted(); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	return nil
}

// addAnswer adds an answer to the sort, from a record that may carry the
// kind of a stored id at its tenth byte (see answerRefs): the answer
// keeps only that it is a relation, as a flag.
func (sp *spilledEntities) addAnswer(rec []byte) error {
	if rec[9]&answerStored != 0 {
		if rec[10] != kindEntity {
			rec[9] |= answerRelation
		}
		rec = append(rec[:10], rec[11:]...)
	}
	if err := sp.answers.add(rec); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	return nil
}

// citersInLoad finds, for checkRetypedDocuments, which of the stored
// entities that cite the documents the load retypes are entities of the
// load: the table answers that from memory; past the budget, the entities
// citing them are gathered from the citation index (documents are few,
// and a retyped one rarer) and joined with the load's entities by id.
func (l *loader) citersInLoad(byID *runSort) error {
	want := map[string]bool{}
	it := l.tx.Iterate(kv.IterOptions{})
	for doc := range l.retypedDocs {
		prefix := citePrefix(nil, doc)
		for it.Seek(prefix); it.Valid() && bytes.HasPrefix(it.Key(), prefix); it.Next() {
			ct, err := parseCiteKey(it.Key())
			if err != nil {
				it.Close()
				return fmt.Errorf("load: %w", err)
			}
			if ct.kind == kindRelation {
				continue
			}
			v, err := it.Value()
			if err != nil {
				it.Close()
				return fmt.Errorf("load: %w", err)
			}
			want[string(v)] = false
		}
	}
	it.Close()
	ents, err := byID.sorted()
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	err = ents.each(l.ctx, func(rec []byte) error {
		id := string(rec[:len(rec)-spillByIDTail])
		if _, ok := want[id]; ok {
			want[id] = true
		}
		return nil
	})
	l.loadCiters = want
	return err
}

// winner returns the entity of the current record of pass 2 when the
// record is the one of its id that wins.
func (sp *spilledEntities) winner(seq int64) (loadEntity, bool, error) {
	rec, ok, err := sp.winnerCursor.next(seq)
	if err != nil || !ok {
		return loadEntity{}, false, err
	}
	return loadEntity{
		seq:    seq,
		node:   NodeID(binary.BigEndian.Uint64(rec[8:])),
		typ:    TypeID(binary.BigEndian.Uint32(rec[16:])),
		bad:    rec[20] != 0,
		oldTyp: TypeID(binary.BigEndian.Uint32(rec[21:])),
	}, true, nil
}

// answer returns what the name ref of the relation of ordinal seq is
// among the load's entities, or for an end in a store that holds data,
// among the store's ids; for a candidate id, ref is the flag wanted.
func (sp *spilledEntities) answer(seq int64, ref byte) (refAnswer, error) {
	if sp.at != seq {
		sp.at, sp.ans = seq, [4]refAnswer{}
		for {
			rec, ok, err := sp.answerCursor.next(seq)
			if err != nil {
				return refAnswer{}, err
			}
			if !ok {
				break
			}
			f := rec[9]
			a := refAnswer{
				found:    f&answerStored == 0,
				bad:      f&answerBad != 0,
				stored:   f&answerStored != 0,
				relation: f&answerRelation != 0,
				node:     NodeID(binary.BigEndian.Uint64(rec[10:])),
				typ:      TypeID(binary.BigEndian.Uint32(rec[18:])),
			}
			switch r := rec[8]; {
			case r == refFrom:
				sp.ans[0] = a
			case r == refTo:
				sp.ans[1] = a
			default:
				if r&relIDAsGiven != 0 {
					sp.ans[2] = a
				}
				if r&relIDSymmetric != 0 {
					sp.ans[3] = a
				}
			}
		}
	}
	switch ref {
	case refFrom:
		return sp.ans[0], nil
	case refTo:
		return sp.ans[1], nil
	case relIDSymmetric:
		return sp.ans[3], nil
	}
	return sp.ans[2], nil
}

// close removes the sorts' runs.
func (sp *spilledEntities) close() {
	for _, s := range []*runSort{sp.ents, sp.refs, sp.answers, sp.winners} {
		if s != nil {
			s.close()
		}
	}
}

// noteEntity keeps what pass 1 knows of an entity: in the table, or once
// the table has spent its budget, in the sort.
func (l *loader) noteEntity(e *Entity, le loadEntity) error {
	if l.spilled != nil {
		return l.spilled.addEntity(e.ID, l.done, le)
	}
	l.ents.put(e.ID, le)
	if l.overBudget() {
		return l.spillEntities()
	}
	return nil
}

// errSpillReplayed stops the reading of the records before the spill.
var errSpillReplayed = errors.New("records before the spill noted")

// noteRefsBeforeSpill notes the names the relations before the spill
// give, and the documents the records before it cite, reading them
// again: while the table held the entities, nothing noted them.
func (l *loader) noteRefsBeforeSpill() error {
	var seq int64
	err := l.secondPass(l.src)(l.ctx, func(rec Record) error {
		seq++
		switch {
		case rec.Entity != nil:
			l.noteCitedIDs(rec.Entity.Sources)
		case rec.Relation != nil:
			r := *rec.Relation
			r.normalizeIDs()
			if err := l.noteRelationRefsAt(&r, seq); err != nil {
				return err
			}
			l.noteCitedIDs(r.Sources)
		}
		if seq >= l.spilledAt {
			return errSpillReplayed
		}
		return nil
	})
	if err != nil && !errors.Is(err, errSpillReplayed) {
		return fmt.Errorf("load %s: %w", l.opts.Source, err)
	}
	return nil
}

// winningEntity returns what the load keeps of the entity of the current
// record of pass 2.
func (l *loader) winningEntity(id string) (loadEntity, bool, error) {
	if l.spilled != nil {
		return l.spilled.winner(l.done)
	}
	le, ok := l.ents.get(id)
	return le, ok, nil
}

// loadEntityNamed returns the entity of the load that the current
// relation of pass 2 names as field ("from" or "to", as the source gives
// it), if any.
func (l *loader) loadEntityNamed(id, field string) (loadEntity, bool, error) {
	if l.spilled == nil {
		le, ok := l.ents.get(id)
		return le, ok, nil
	}
	a, err := l.spilled.answer(l.done, refOfField(field))
	if err != nil || !a.found {
		return loadEntity{}, false, err
	}
	return loadEntity{node: a.node, typ: a.typ, bad: a.bad}, true, nil
}

// isLoadEntity reports whether the id of the current relation of pass 2
// is also an entity of the load; derivedSym says it was derived for a
// symmetric type.
func (l *loader) isLoadEntity(id string, derivedSym bool) (bool, error) {
	if l.spilled == nil {
		return l.ents.has(id), nil
	}
	ref := relIDAsGiven
	if derivedSym {
		ref = relIDSymmetric
	}
	a, err := l.spilled.answer(l.done, ref)
	return a.found, err
}

// citedEntity returns what the load knows of a cited id that is one of
// its entities: bad and tname are set.
func (l *loader) citedEntity(id string) (loadEntity, bool) {
	if l.spilled == nil {
		return l.ents.get(id)
	}
	d, ok := l.spilled.cited[id]
	if !ok || !d.known {
		return loadEntity{}, false
	}
	return loadEntity{tname: d.tname, bad: d.bad}, true
}

// dropSpilled removes the sorts of the spilled entities, if any.
func (l *loader) dropSpilled() {
	if l.spilled != nil {
		l.spilled.close()
		l.spilled = nil
	}
}
