package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/ties-graph/ties/store/kv"
)

// maxErrors is how many problems a refused batch reports.
const maxErrors = 100

// Apply writes a batch atomically (see Batch). Validation errors are
// Errors (a list of *Error, each naming record and field, up to 100):
// Invalid for bad input, NotFound for deletions of unknown ids, Conflict
// for an id used by the other kind and for deleting an entity that has
// relations without Cascade. A batch of more than Options.MaxBatchRecords
// records is a TooLarge error. Nothing of a refused batch is written.
//
// An entity or relation given twice in one batch is written once, as its
// last occurrence; both places of the result show what was stored.
func (s *Store) Apply(ctx context.Context, b Batch) (BatchResult, error) {
	n, err := s.batchSize(b)
	if err != nil {
		return BatchResult{}, err
	}
	if n == 0 {
		return BatchResult{CommitTs: s.db.LastCommit()}, nil
	}
	b = b.normalizeIDs()
	tx, err := s.beginUpdate(ctx)
	if err != nil {
		return BatchResult{}, fmt.Errorf("apply: %w", err)
	}
	defer tx.Discard()
	w, res, err := s.prepare(tx, b)
	if err != nil {
		return BatchResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return BatchResult{}, err
	}
	if err := s.CheckSpace(); err != nil {
		return BatchResult{}, err
	}
	s.forgetWrites(w)
	defer func() {
		s.cache.end(s.db.LastCommit())
		s.commits.notify()
	}()
	ts, err := w.commitTxn(tx)
	if errors.Is(err, kv.ErrTooBig) {
		readTs := tx.ReadTs()
		tx.Discard()
		w, res, ts, err = s.applyBig(ctx, b, w, res, readTs)
	}
	if err != nil {
		return BatchResult{}, fmt.Errorf("apply: %w", err)
	}
	res.CommitTs = ts
	if w.ontologyChanged {
		s.mu.Lock()
		if s.schema == nil || w.sch.version > s.schema.version {
			s.schema = w.sch
		}
		s.mu.Unlock()
	}
	s.log.Debug("applied batch", "entities", len(b.Entities), "relations", len(b.Relations),
		"deletedEntities", res.DeletedEntities, "deletedRelations", res.DeletedRelations, "ts", ts)
	return res, nil
}

// batchSize counts the records of b; more than Options.MaxBatchRecords is
// a TooLarge error.
func (s *Store) batchSize(b Batch) (int, error) {
	n := len(b.EntityTypes) + len(b.RelationTypes) + len(b.Entities) + len(b.Relations) +
		len(b.DeleteRelations) + len(b.DeleteEntities)
	if n > s.opts.MaxBatchRecords {
		return n, Errorf(TooLarge, "a batch may hold at most %d records, this one has %d: split it or use a bulk load", s.opts.MaxBatchRecords, n)
	}
	return n, nil
}

// beginUpdate takes the writer slot for a mutation: Unavailable while
// writes are paused, Busy while a bulk load holds or is about to take it
// (see loadGate).
func (s *Store) beginUpdate(ctx context.Context) (kv.Txn, error) {
	if err := s.WritesPaused(); err != nil {
		return nil, err
	}
	wctx, taken, err := s.load.waitFor(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := s.db.Begin(wctx, kv.TxnOptions{Update: true})
	taken()
	if err != nil {
		return nil, s.load.refusedForLoad(wctx, err)
	}
	return tx, nil
}

// prepare validates b against tx's snapshot and computes its writes.
func (s *Store) prepare(tx kv.Txn, b Batch) (*writer, BatchResult, error) {
	sch, err := s.schemaOf(tx)
	if err != nil {
		return nil, BatchResult{}, err
	}
	w := newWriter(tx, sch)
	w.log.Principal = b.Principal
	w.noHistory = s.opts.noHistoryIndex
	if err := w.initialize(); err != nil {
		return nil, BatchResult{}, err
	}
	res, err := w.batch(b)
	if err != nil {
		return nil, BatchResult{}, err
	}
	return w, res, nil
}

// initialize writes the format marker and the default ontology with the
// first write to a new store.
func (w *writer) initialize() error {
	_, ok, err := w.get(metaKey(metaFormat))
	if err != nil || ok {
		return err
	}
	w.set(metaKey(metaFormat), []byte{formatVersion})
	w.sch = newSchema()
	if err := w.applyChange(defaultChange()); err != nil {
		return err
	}
	if len(w.errs) > 0 {
		return fmt.Errorf("write the default ontology: %w", w.errs)
	}
	return nil
}

// defaultChange is the default ontology as a change to an empty one.
func defaultChange() ontologyChange {
	def := DefaultOntology()
	ch := ontologyChange{entityTypes: def.EntityTypes, relationTypes: def.RelationTypes}
	for _, et := range def.EntityTypes {
		ch.records = append(ch.records, et.Name)
	}
	for _, rt := range def.RelationTypes {
		ch.records = append(ch.records, rt.Name)
	}
	return ch
}

// applyBig writes a batch too big for one transaction through the
// backend's bulk path, which is just as atomic for readers. The batch takes
// the writer slot; if another writer committed since the batch was
// validated, it is validated again on the new snapshot.
func (s *Store) applyBig(ctx context.Context, b Batch, w *writer, res BatchResult, readTs uint64) (*writer, BatchResult, uint64, error) {
	bt, err := s.db.NewBatch(ctx)
	if err != nil {
		return nil, BatchResult{}, 0, err
	}
	if s.db.LastCommit() != readTs {
		tx, err := s.db.Begin(ctx, kv.TxnOptions{})
		if err != nil {
			bt.Cancel()
			return nil, BatchResult{}, 0, err
		}
		w, res, err = s.prepare(tx, b)
		tx.Discard()
		if err != nil {
			bt.Cancel()
			return nil, BatchResult{}, 0, err
		}
		s.forgetWrites(w)
		defer func() { s.cache.end(s.db.LastCommit()) }()
	}
	if err := w.flush(bt); err != nil {
		bt.Cancel()
		return nil, BatchResult{}, 0, err
	}
	bt.SetLog(w.log.encode())
	ts, err := bt.Flush()
	if err != nil {
		return nil, BatchResult{}, 0, err
	}
	s.log.Info("applied a large batch through the bulk path", "records", len(b.Entities)+len(b.Relations))
	return w, res, ts, nil
}

// forgetWrites tells the read cache, before the commit can become
// visible, which keys w writes; the caller must call s.cache.end after the
// commit.
func (s *Store) forgetWrites(w *writer) {
	s.cache.begin(false)
	for k := range w.ov {
		s.cache.forget(k)
	}
}

// mutation is a pending write: a value, or a deletion.
type mutation struct {
	val []byte
	del bool
}

// writer computes the writes of a batch over a read snapshot, keeping them
// in an overlay that later reads of the same batch see. Nothing reaches the
// backend until commitTxn or flush, so a refused batch writes nothing, and
// the same writes can go to a transaction or to a bulk batch.
type writer struct {
	tx   kv.Txn
	sch  *schema
	ov   map[string]mutation
	errs Errors
	log  ChangeRecord
	// index writes each record's entries into the overlay.
	index *indexer

	// added lists the adjacency keys this batch set under each node, so
	// that scans of a node's relations see them.
	added    map[NodeID][]string
	deltas   map[string]int64   // counter key → change
	next     map[counter]uint64 // id counters, loaded on first use
	retyped  map[NodeID]string  // entities whose type changed → their id
	upserted map[RelID]bool     // relations written by this batch
	deleted  map[RelID]bool     // relations deleted by this batch
	// invalid holds the ids of refused entities, whose relations are not
	// reported as dangling on top.
	invalid    map[string]bool
	deletedExt map[string]bool // ids deleted by this batch
	// cites holds the document references of the sources checked so
	// far; see cite.go.
	cites       []citeCheck
	deletedDocs []deletedDocument // Document entities this batch deletes

	ontologyChanged bool
	// reindex lists the property indexes the ontology changes of this
	// write build or drop (propindex.go).
	reindex   []reindexJob
	noHistory bool // write no history keys (Options.noHistoryIndex)
	maxErrors int
	errsLost  bool // problems beyond maxErrors were not recorded
	nfail     int  // problems found, recorded or not
}

func newWriter(tx kv.Txn, sch *schema) *writer {
	w := &writer{
		tx: tx, sch: sch,
		ov:         map[string]mutation{},
		added:      map[NodeID][]string{},
		deltas:     map[string]int64{},
		next:       map[counter]uint64{},
		retyped:    map[NodeID]string{},
		upserted:   map[RelID]bool{},
		deleted:    map[RelID]bool{},
		invalid:    map[string]bool{},
		deletedExt: map[string]bool{},
		maxErrors:  maxErrors,
	}
	w.index = &indexer{sink: overlaySink{w}, indexed: func(t TypeID) []string { return w.sch.indexed(t) }}
	return w
}

// kvWriter is what both a transaction and a bulk batch accept.
type kvWriter interface {
	Set(key, value []byte) error
	Delete(key []byte) error
}

func (w *writer) set(k, v []byte) { w.ov[string(k)] = mutation{val: v} }
func (w *writer) del(k []byte)    { w.ov[string(k)] = mutation{del: true} }

// logChange records in the change log and in the history index that
// this batch writes (or deletes, for the deleted lists) the record id.
func (w *writer) logChange(list *[]string, kind byte, id string, created bool) {
	*list = append(*list, id)
	op := histUpdate
	switch {
	case list == &w.log.DeletedEntities || list == &w.log.DeletedRelations:
		op = histDelete
	case created && (kind == histEntityType || kind == histRelationType):
		op = histCreate
		w.log.CreatedTypes = append(w.log.CreatedTypes, id)
	case created:
		op = histCreate
		w.log.Created = append(w.log.Created, id)
	}
	w.log.Prev = w.tx.ReadTs()
	if !w.noHistory {
		w.set(histKey(kind, id, w.log.Prev), []byte{op})
	}
}

// get reads key as this batch sees it; ok is false when it does not exist.
func (w *writer) get(k []byte) (v []byte, ok bool, err error) {
	if m, found := w.ov[string(k)]; found {
		return m.val, !m.del, nil
	}
	v, err = w.tx.Get(k)
	if errors.Is(err, kv.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return v, true, nil
}

// fail records a problem; it reports whether there is room for more.
func (w *writer) fail(e *Error) {
	w.nfail++
	if len(w.errs) < w.maxErrors {
		w.errs = append(w.errs, e)
	} else {
		w.errsLost = true
	}
}

func (w *writer) failf(code Code, record, field, format string, args ...any) {
	w.fail(&Error{Code: code, Record: record, Field: field, Message: fmt.Sprintf(format, args...)})
}

// alloc hands out the next id of an id counter.
func (w *writer) alloc(c counter) (uint64, error) {
	n, ok := w.next[c]
	if !ok {
		var err error
		if n, err = readCounter(w.tx, counterKey(c)); err != nil {
			return 0, err
		}
	}
	n++
	w.next[c] = n
	return n, nil
}

func (w *writer) count(k []byte, d int64) { w.deltas[string(k)] += d }

// finish writes the counters and the change-log record into the overlay's
// companion state; it runs once, after every record.
func (w *writer) finishCounters() error {
	for c, n := range w.next {
		w.set(counterKey(c), uint64Value(n))
	}
	keys := make([]string, 0, len(w.deltas))
	for k := range w.deltas {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		d := w.deltas[k]
		if d == 0 {
			continue
		}
		cur, err := readCounter(w.tx, []byte(k))
		if err != nil {
			return err
		}
		n := int64(cur) + d
		if n < 0 {
			return fmt.Errorf("counter %x would go negative (%d%+d)", k, cur, d)
		}
		if n == 0 {
			w.del([]byte(k))
		} else {
			w.set([]byte(k), uint64Value(uint64(n)))
		}
	}
	return nil
}

// flush hands the overlay to dst in key order.
func (w *writer) flush(dst kvWriter) error {
	keys := make([]string, 0, len(w.ov))
	for k := range w.ov {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		m := w.ov[k]
		var err error
		if m.del {
			err = dst.Delete([]byte(k))
		} else {
			err = dst.Set([]byte(k), m.val)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) commitTxn(tx kv.Txn) (uint64, error) {
	if err := w.flush(tx); err != nil {
		return 0, err
	}
	tx.SetLog(w.log.encode())
	return tx.Commit()
}

// batch validates b and computes its writes, in the order Batch documents.
// Validation problems come back as Errors.
func (w *writer) batch(b Batch) (BatchResult, error) {
	var res BatchResult
	if len(b.EntityTypes)+len(b.RelationTypes) > 0 {
		if err := w.ontology(b.EntityTypes, b.RelationTypes); err != nil {
			return res, err
		}
		if len(w.errs) > 0 {
			return res, w.errs
		}
		if err := w.runReindex(overlaySink{w}); err != nil {
			return res, err
		}
		for _, et := range b.EntityTypes {
			res.EntityTypes = append(res.EntityTypes, w.sch.types[w.sch.entities[et.Name]].def.entityType())
		}
		for _, rt := range b.RelationTypes {
			res.RelationTypes = append(res.RelationTypes, w.sch.types[w.sch.relations[rt.Name]].def.relationType())
		}
	}
	ents, err := w.entities(b.Entities)
	if err != nil {
		return res, err
	}
	rels, err := w.relations(b.Relations)
	if err != nil {
		return res, err
	}
	for i, id := range b.DeleteRelations {
		n, err := w.deleteRelationByID(id, i)
		if err != nil {
			return res, err
		}
		res.DeletedRelations += n
	}
	for i, id := range b.DeleteEntities {
		ne, nr, err := w.deleteEntityByID(id, i, b.Cascade)
		if err != nil {
			return res, err
		}
		res.DeletedEntities += ne
		res.DeletedRelations += nr
	}
	if err := w.retypeAdjacency(); err != nil {
		return res, err
	}
	if err := w.checkCites(); err != nil {
		return res, err
	}
	if err := w.checkDeletedDocuments(); err != nil {
		return res, err
	}
	if len(w.errs) > 0 {
		sortByRecord(w.errs, b)
		return res, w.errs
	}
	if err := w.finishCounters(); err != nil {
		return res, err
	}
	res.Entities = make([]*Entity, len(b.Entities))
	for i, k := range ents {
		if res.Entities[i], err = w.storedEntity(k); err != nil {
			return res, err
		}
	}
	res.Relations = make([]*Relation, len(b.Relations))
	for i, k := range rels {
		if res.Relations[i], err = w.storedRelation(k); err != nil {
			return res, err
		}
	}
	return res, nil
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

// ontology validates and writes type definitions.
func (w *writer) ontology(ets []EntityType, rts []RelationType) error {
	ch := ontologyChange{entityTypes: ets, relationTypes: rts}
	for i, et := range ets {
		ch.records = append(ch.records, recordName(et.Name, "entityTypes", i))
	}
	for i, rt := range rts {
		ch.records = append(ch.records, recordName(rt.Name, "relationTypes", i))
	}
	return w.applyChange(ch)
}

// applyChange validates and writes the type definitions of ch, whose
// records name each definition in errors.
func (w *writer) applyChange(ch ontologyChange) error {
	var allocErr error
	next := func() TypeID {
		n, err := w.alloc(ctrNextType)
		if err != nil && allocErr == nil {
			allocErr = err
		}
		return TypeID(n)
	}
	sch, changed, errs := applyOntology(w.sch, ch, next)
	if allocErr != nil {
		return allocErr
	}
	if len(errs) > 0 {
		for _, e := range errs {
			w.fail(e)
		}
		return nil
	}
	ids := make([]TypeID, 0, len(changed))
	for t := range changed {
		ids = append(ids, t)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, t := range ids {
		d := changed[t]
		kind := kindEntity
		if d.Kind == defRelationType {
			kind = kindRelation
			_, known := w.sch.relations[d.Name]
			w.logChange(&w.log.RelationTypes, histRelationType, d.Name, !known)
		} else {
			_, known := w.sch.entities[d.Name]
			w.logChange(&w.log.EntityTypes, histEntityType, d.Name, !known)
		}
		w.set(typeNameKey(kind, d.Name), binary.BigEndian.AppendUint32(nil, uint32(t)))
		w.set(typeDefKey(t), mustJSON(d))
	}
	ver, err := readCounter(w.tx, counterKey(ctrOntologyVers))
	if err != nil {
		return err
	}
	sch.version = ver + 1
	w.set(counterKey(ctrOntologyVers), uint64Value(sch.version))
	w.noteReindex(w.sch, sch, changed)
	w.sch = sch
	w.ontologyChanged = true
	return nil
}

// sortByRecord puts errors in the order of the records they name in b,
// as an import sorts them by line: the checks run in phases, and a client
// fixing a batch reads its problems top to bottom. Errors naming no record
// of b keep their order, after the others.
func sortByRecord(errs Errors, b Batch) {
	pos := map[string]int{}
	note := func(rec string) {
		if _, ok := pos[rec]; !ok {
			pos[rec] = len(pos)
		}
	}
	for i, e := range b.Entities {
		note(recordName(e.ID, "entities", i))
	}
	for i, r := range b.Relations {
		note(recordName(r.ID, "relations", i))
	}
	for i, id := range b.DeleteRelations {
		note(recordName(id, "deleteRelations", i))
	}
	for i, id := range b.DeleteEntities {
		note(recordName(id, "deleteEntities", i))
	}
	at := func(e *Error) int {
		if p, ok := pos[e.Record]; ok {
			return p
		}
		return len(pos)
	}
	sort.SliceStable(errs, func(i, j int) bool { return at(errs[i]) < at(errs[j]) })
}

func recordName(id, list string, i int) string {
	if strings.TrimSpace(id) != "" && utf8.ValidString(id) && len(id) <= maxIDBytes {
		return id
	}
	return fmt.Sprintf("%s[%d]", list, i)
}

// nodeType returns the entity type of node n as the batch sees it.
func (w *writer) nodeType(n NodeID) (TypeID, bool, error) {
	v, ok, err := w.get(nodeKey(n))
	if err != nil || !ok {
		return 0, false, err
	}
	t, _, err := parseNodeValue(v)
	return t, err == nil, err
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

// storedBody reads the body at k as the batch sees it and decodes it. A
// missing body is an error: the id index said the record exists.
func storedBody[B any](w *writer, k []byte, decode func([]byte) (B, error)) (B, error) {
	var b B
	v, ok, err := w.get(k)
	switch {
	case err != nil:
		return b, err
	case !ok:
		return b, errors.New("no body")
	}
	return decode(v)
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
		ob, err := storedBody(w, entityKey(n), decodeEntity)
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
		ob, err := storedBody(w, relationKey(rid), decodeRelation)
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

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
