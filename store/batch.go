package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/ties-graph/ties/store/kv"
)

// This file holds the machinery of writes: Apply of one atomic batch and
// WriteTxn of several in one commit, through the writer, which sees the
// snapshot plus its own overlay of writes, allocates ids, keeps counters
// and collects each record's errors. What it writes of each kind is the
// kind's own file's (entity.go, relation.go, ontology.go), and the index
// entries index.go's.

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
	if len(w.ov) == 0 {
		// Every record was already stored as given (or a deletion had
		// nothing left to delete): nothing to write, so no commit and no
		// change-log record, as for a load that changes nothing; the
		// commit read holds what the batch asked for.
		res.CommitTs = tx.ReadTs()
		return res, nil
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
	w.typeMsgs = nil
	// The default ontology is the store's own, which every reader already
	// sees (schemaOf), not a change the caller makes: a first import
	// without the admin scope (keepOntology) writes it too.
	keep := w.keepOntology
	w.keepOntology = false
	err = w.applyChange(defaultChange())
	w.keepOntology = keep
	if err != nil {
		return err
	}
	if len(w.errs) > 0 {
		return fmt.Errorf("write the default ontology: %w", w.errs)
	}
	return nil
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
	// far; see citation.go.
	cites       []citeCheck
	deletedDocs []deletedDocument // Document entities this batch deletes

	ontologyChanged bool
	// keepOntology refuses ontology changes (LoadOptions.KeepOntology).
	keepOntology bool
	// reindex lists the property indexes the ontology changes of this
	// write build or drop (propindex.go).
	reindex   []reindexJob
	noHistory bool // write no history keys (Options.noHistoryIndex)
	maxErrors int
	errsLost  bool // problems beyond maxErrors were not recorded
	nfail     int  // problems found, recorded or not
	// typeMsgs holds the messages of the unknown type names met so far,
	// at most maxTypeMsgs: a file whose every line names one misspelt
	// type would otherwise compare it with every type on every line.
	typeMsgs map[string]string
}

// maxTypeMsgs bounds writer.typeMsgs.
const maxTypeMsgs = 1000

// unknownTypeMessage returns the message for an unknown entity type
// (relation false) or relation type name.
func (w *writer) unknownTypeMessage(name string, relation bool) string {
	key := "e" + name
	if relation {
		key = "r" + name
	}
	if m, ok := w.typeMsgs[key]; ok {
		return m
	}
	var m string
	if relation {
		m = w.sch.unknownRelationType(name, "and swap from and to")
	} else {
		m = w.sch.unknownEntityType(name)
	}
	if len(w.typeMsgs) < maxTypeMsgs {
		if w.typeMsgs == nil {
			w.typeMsgs = map[string]string{}
		}
		w.typeMsgs[key] = m
	}
	return m
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
	keys := slices.Sorted(maps.Keys(w.deltas))
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
	keys := slices.Sorted(maps.Keys(w.ov))
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

// storedBody reads the body at k as the batch sees it and decodes it. A
// missing body is an error: the id index said the record exists.
func storedBody[B any](w *writer, k []byte, decode func([]byte) (B, error)) (B, error) {
	v, err := storedBytes(w, k)
	if err != nil {
		var b B
		return b, err
	}
	return decode(v)
}

// storedBytes is the body stored at k as it is stored, for a writer that
// compares it with the one it would write before decoding it.
func storedBytes(w *writer, k []byte) ([]byte, error) {
	v, ok, err := w.get(k)
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return nil, errors.New("no body")
	}
	return v, nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// WriteTxn applies several batches as one transaction: each batch sees the
// writes of those before it, and either all of them are committed or none
// is. The GraphQL layer gives each request that runs more than one
// mutation field one WriteTxn, so that a request is all or nothing. It
// holds the writer slot from BeginWrite until Commit or Discard: keep it
// short.
type WriteTxn struct {
	s      *Store
	tx     kv.Txn
	log    ChangeRecord
	keys   map[string]struct{} // every key written, for the read cache
	sch    *schema             // newest ontology of the transaction
	failed bool
	done   bool
}

// BeginWrite starts a WriteTxn. It returns the errors of Apply before any
// record is looked at: Unavailable while writes are paused, Busy while a
// bulk load holds the writer.
func (s *Store) BeginWrite(ctx context.Context) (*WriteTxn, error) {
	tx, err := s.beginUpdate(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin write: %w", err)
	}
	return &WriteTxn{s: s, tx: tx, keys: map[string]struct{}{}}, nil
}

// Apply validates b against everything the transaction has written so far
// and adds its writes, returning what Store.Apply would return. After an
// error the transaction can only be discarded: its earlier batches were
// accepted on the understanding that the whole would commit.
func (t *WriteTxn) Apply(b Batch) (BatchResult, error) {
	if t.done {
		return BatchResult{}, errors.New("apply: the write transaction has ended")
	}
	if t.failed {
		return BatchResult{}, Errorf(Conflict, "an earlier part of this request failed, so nothing of it is written")
	}
	n, err := t.s.batchSize(b)
	if err != nil {
		t.failed = true
		return BatchResult{}, err
	}
	if n == 0 {
		return BatchResult{}, nil
	}
	b = b.normalizeIDs()
	sch := t.sch
	if sch == nil {
		var err error
		if sch, err = t.s.schemaOf(t.tx); err != nil {
			t.failed = true
			return BatchResult{}, err
		}
	}
	w := newWriter(t.tx, sch)
	w.log.Principal = b.Principal
	w.noHistory = t.s.opts.noHistoryIndex
	if err := w.initialize(); err != nil {
		t.failed = true
		return BatchResult{}, err
	}
	res, err := w.batch(b)
	if err != nil {
		t.failed = true
		return BatchResult{}, err
	}
	// The writes go into the transaction, where the next batch's writer
	// reads them; nothing is visible to others before Commit.
	if err := w.flush(t.tx); err != nil {
		t.failed = true
		return BatchResult{}, fmt.Errorf("apply: %w", err)
	}
	for k := range w.ov {
		t.keys[k] = struct{}{}
	}
	if w.ontologyChanged {
		t.sch = w.sch
	}
	t.log.merge(&w.log)
	return res, nil
}

// Commit writes every batch at one commit timestamp and returns it. It
// returns TooLarge when the batches together are more than one
// transaction can hold (Store.Apply would have fallen back to a bulk
// write; split the request instead).
func (t *WriteTxn) Commit() (uint64, error) {
	if t.done || t.failed {
		t.Discard()
		return 0, errors.New("commit: the write transaction failed or has ended")
	}
	t.done = true
	s := t.s
	if len(t.keys) == 0 {
		// Nothing to write (see Apply): no commit.
		ts := t.tx.ReadTs()
		t.tx.Discard()
		return ts, nil
	}
	if err := s.CheckSpace(); err != nil {
		t.tx.Discard()
		return 0, err
	}
	s.cache.begin(false)
	for k := range t.keys {
		s.cache.forget(k)
	}
	defer func() {
		s.cache.end(s.db.LastCommit())
		s.commits.notify()
	}()
	t.tx.SetLog(t.log.encode())
	ts, err := t.tx.Commit()
	t.tx.Discard()
	if errors.Is(err, kv.ErrTooBig) {
		return 0, Errorf(TooLarge, "the mutations of this request are too large for one transaction together; send them in separate requests")
	}
	if err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	if t.sch != nil {
		s.mu.Lock()
		if s.schema == nil || t.sch.version > s.schema.version {
			s.schema = t.sch
		}
		s.mu.Unlock()
	}
	return ts, nil
}

// Discard ends the transaction without writing anything. It is safe to
// call after Commit.
func (t *WriteTxn) Discard() {
	if !t.done {
		t.done = true
		t.tx.Discard()
	}
}
