package store

import (
	"context"
	"fmt"
	"hash/maphash"
	"log/slog"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/ties-graph/ties/store/kv"
)

// Load validates every record of src, then writes them all through the
// backend's bulk path at one commit timestamp: readers see all of it or
// none. Records may come in any order (a relation may precede the entities
// it names); upserts by id make a re-run safe. Validation errors are Errors
// naming "<source>:<line>" and the field, sorted by line, up to
// opts.MaxErrors; with any of them nothing is written. Past MaxErrors the
// load reads on and counts problems without listing them, and the list
// ends with an entry saying how many more there are (Errors.Total,
// Error.Omitted).
//
// A record the store already holds exactly as the load would write it
// (the same encoded body, type and endpoints) is counted as unchanged and
// written not at all: no entry, no history key. A load that changes
// nothing makes no commit.
//
// An id given more than once in one source is written once, as its last
// occurrence (for relations without an id, the derived one counts, so the
// two sides of a symmetric pair are one relation).
//
// It makes two passes. The first reads src, keeping each record in a
// temporary file, and collects the ontology records and the id, type and
// line of every entity; the second reads the records back from that file
// (from src again for the rare record the file cannot hold exactly),
// validates relations and writes. Memory holds that table of entities
// (entityTable: a packed row, the id's bytes and an index slot each, with
// no pointer for the collector to scan) up to a budget, past which the
// load resolves its entities, and matches them and the endpoints with
// the store's, through external sorts instead (loadspill.go), a filter
// that spots relation ids
// given twice (exact up to 65,536 relations, then a fixed 8 MiB Bloom
// filter) and the few candidates it flags, and, in a store that holds
// data, the fixed budgets of the sorts that resolve relation ids
// (loadrelids.go), so it stays flat in the number of relations. The load holds the writer slot
// throughout, so other writes wait for it.
func (s *Store) Load(ctx context.Context, src RecordSource, opts LoadOptions) (LoadResult, error) {
	switch {
	case opts.MaxErrors <= 0:
		opts.MaxErrors = 100
	case opts.MaxErrors > MaxLoadErrors:
		opts.MaxErrors = MaxLoadErrors
	}
	var bt kv.Batch
	if !opts.DryRun {
		if err := s.WritesPaused(); err != nil {
			return LoadResult{}, err
		}
		defer s.load.begin(opts.Source)()
		var err error
		if bt, err = s.db.NewBatch(ctx); err != nil {
			return LoadResult{}, fmt.Errorf("load: %w", err)
		}
		defer func() {
			if bt != nil {
				bt.Cancel()
			}
		}()
	}
	// The batch holds the writer slot, so this snapshot stays the newest
	// state until the batch is flushed.
	tx, err := s.db.Begin(ctx, kv.TxnOptions{})
	if err != nil {
		return LoadResult{}, fmt.Errorf("load: %w", err)
	}
	defer tx.Discard()
	sch, err := s.schemaOf(tx)
	if err != nil {
		return LoadResult{}, fmt.Errorf("load: %w", err)
	}
	l := newLoader(ctx, tx, sch, opts)
	l.w.noHistory = s.opts.noHistoryIndex
	l.checkSpace = s.CheckSpace
	l.noIDs = noExternalIDs(tx)
	l.bulk.budget = s.opts.loadSortBudget
	l.entityBudget = s.entityBudget()
	if err := l.w.initialize(); err != nil {
		return LoadResult{}, fmt.Errorf("load: %w", err)
	}
	l.log = s.log
	if l.spool, err = NewSpool(); err != nil {
		s.log.Warn("load reads its source twice", "err", err)
	}
	defer l.dropSpool()
	defer l.dropBulkReads()
	defer l.dropSpilled()
	if err := l.run(src, bt); err != nil {
		return LoadResult{}, err
	}
	if len(l.w.errs) > 0 || l.srcErrs != nil {
		errs := l.w.errs
		sort.SliceStable(errs, func(i, j int) bool { return l.lineOf[errs[i]] < l.lineOf[errs[j]] })
		return LoadResult{}, l.withSourceErrors(errs)
	}
	res := l.res
	if opts.DryRun {
		res.CommitTs = s.db.LastCommit()
		return res, nil
	}
	if l.writes == 0 && len(l.w.ov) == 0 {
		// Every record was unchanged (or skipped): the load commits
		// nothing, so it leaves no version, history key or change-log
		// record, and CommitTs is the commit it read, which already holds
		// everything it loaded.
		res.CommitTs = tx.ReadTs()
		s.log.Info("loaded, nothing changed", "source", opts.Source, "entities", res.Entities, "relations", res.Relations, "ts", res.CommitTs)
		return res, nil
	}
	l.w.log.Principal = opts.Principal
	l.w.log.Prev = tx.ReadTs()
	l.w.log.Load = &LoadRecord{Source: opts.Source, Entities: res.Entities, Relations: res.Relations}
	bt.SetLog(l.w.log.encode())
	if err := s.CheckSpace(); err != nil {
		return LoadResult{}, err
	}
	// The flush, where badger builds its tables, is the peak of a large
	// load's memory: what the load kept of its source goes first.
	l.ents = nil
	l.dropSpilled()
	l.dropBulkReads()
	l.dropSpool()
	// The load may have written any key: the read cache starts afresh.
	s.cache.begin(true)
	flushStart := time.Now()
	res.CommitTs, err = bt.Flush()
	flushed := time.Since(flushStart)
	s.cache.end(s.db.LastCommit())
	s.commits.notify()
	bt = nil
	if err != nil {
		return LoadResult{}, fmt.Errorf("load: %w", err)
	}
	if l.w.ontologyChanged {
		s.mu.Lock()
		if s.schema == nil || l.w.sch.version > s.schema.version {
			s.schema = l.w.sch
		}
		s.mu.Unlock()
	}
	s.log.Info("loaded", "source", opts.Source, "entities", res.Entities, "relations", res.Relations, "ts", res.CommitTs,
		"pass1", l.pass1Took.Round(time.Millisecond), "pass2", l.pass2Took.Round(time.Millisecond), "write", flushed.Round(time.Millisecond))
	return res, nil
}

// loadEntity is what a load keeps of each entity of the source.
type loadEntity struct {
	line   int64 // for errors only: several records may share a line
	seq    int64 // ordinal of its last record in the source, which wins
	node   NodeID
	typ    TypeID // after pass 1
	oldTyp TypeID // type in the store, 0 when new
	tname  int32  // index into loader.typeNames during pass 1
	bad    bool   // refused: its relations are not reported as dangling
}

// loadSuspect is a relation that may share its id with another of the
// source; what it holds is enough to derive the real id after pass 1.
type loadSuspect struct {
	seq                 int64
	id, typ, from, to   string
	validFrom           Date
	explicit, candidate bool
}

type loader struct {
	ctx    context.Context
	tx     kv.Txn
	opts   LoadOptions
	w      *writer // validation, counters, ontology and the change log
	lineOf map[*Error]int64
	res    LoadResult
	// pass1Took and pass2Took are how long each pass took, for the log: an
	// operator whose import is slow wants to know which part is.
	pass1Took, pass2Took time.Duration

	ents      *entityTable
	typeNames []string
	typeIndex map[string]int32

	ontology   ontologyChange
	relRecords []string
	dups       dupFilter
	suspects   []loadSuspect
	winners    map[string]int64 // relation id → ordinal of its last occurrence
	retyped    map[NodeID]string
	// retypedEnts holds what the load keeps of each entity in retyped, by
	// id: past the entity budget there is no table to ask.
	retypedEnts map[string]loadEntity
	// loadCiters says, past the entity budget, which of the stored
	// entities citing a document the load retypes are entities of the
	// load (citersInLoad).
	loadCiters map[string]bool
	touching   map[RelID]bool // written relations that touch a retyped node
	// retypedDocs are stored documents the load turns into something that
	// is not a Document, by id; rewritten, kept only while there are
	// some, holds the ids of the relations the load writes, whose stored
	// citations it replaces.
	retypedDocs map[string]int64
	rewritten   map[string]bool
	done        int64
	checkSpace  func() error // nil: nothing to check
	writeable   bool
	out         kv.Batch
	// writes counts the keys the load put to out or deleted from it
	// itself, beside the writer's overlay (flushed at the end).
	writes int
	// body is the buffer existingEntity and existingRelation encode the
	// body the load would write into, to compare with the stored one.
	body []byte

	// noIDs says the snapshot holds no external id at all (a load into an
	// empty store), so that every lookup would miss: none is made.
	noIDs bool
	// newEntities, newRelations and typeDelta count what pass 2 adds, for
	// the writer's counters at the end.
	newEntities, newRelations int64
	typeDelta                 map[TypeID]int64
	// index writes each record's entries to the batch.
	index *indexer
	// srcErrs are the problems the source found in its input (syntax,
	// bad values), reported with the load's own (see sourceErrors).
	srcErrs Errors
	// spool keeps the first pass's records for the second (loadspool.go);
	// nil: the second pass reads the source again.
	spool *Spool
	log   *slog.Logger
	// endpoints are the ids the first pass's relations name; resolved and
	// nodeTypes are what the store holds under the load's ids, resolved
	// at the end of the first pass (loadresolve.go).
	endpoints map[string]struct{}
	// endpointBytes is about the memory endpoints and what resolve makes
	// of them take (endpointOverhead).
	endpointBytes int
	resolved      map[string]resolvedID
	nodeTypes     map[NodeID]TypeID
	// bulk holds the relations' ids and the stored bodies the second
	// pass needs, read at the end of the first (loadrelids.go).
	bulk bulkReads
	// entityBudget is the memory ents may take; spilled, once it is
	// spent, holds the entities instead (loadspill.go), from the record
	// of ordinal spilledAt on; src is read again for the records before.
	entityBudget int
	spilled      *spilledEntities
	spilledAt    int64
	src          RecordSource
}

func newLoader(ctx context.Context, tx kv.Txn, sch *schema, opts LoadOptions) *loader {
	w := newWriter(tx, sch)
	w.maxErrors = opts.MaxErrors
	w.keepOntology = opts.KeepOntology
	l := &loader{
		ctx: ctx, tx: tx, opts: opts, w: w,
		lineOf:      map[*Error]int64{},
		ents:        newEntityTable(),
		typeIndex:   map[string]int32{},
		dups:        newDupFilter(),
		winners:     map[string]int64{},
		retyped:     map[NodeID]string{},
		retypedEnts: map[string]loadEntity{},
		touching:    map[RelID]bool{},
		typeDelta:   map[TypeID]int64{},
	}
	l.index = &indexer{sink: batchSink{l}, indexed: func(t TypeID) []string { return l.w.sch.indexed(t) }}
	return l
}

func (l *loader) record(line int64) string {
	if l.opts.Source == "" {
		return fmt.Sprintf("line %d", line)
	}
	return fmt.Sprintf("%s:%d", l.opts.Source, line)
}

// failed notes the line of the problems recorded since n0 and reports
// whether any were found. Checks of records are given an empty record
// name, filled in here: formatting "<source>:<line>" for every record
// would cost more than the checks.
func (l *loader) failed(n0, e0 int, line int64) bool {
	for _, e := range l.w.errs[e0:] {
		l.lineOf[e] = line
		if e.Record == "" {
			e.Record = l.record(line)
		}
	}
	return l.w.nfail > n0
}

func (l *loader) tick() error {
	l.done++
	if l.done%1024 == 0 {
		if err := l.ctx.Err(); err != nil {
			return err
		}
		// Every 4,096 records written: a load must stop before the disk
		// fills, not crash the process when it does.
		if l.out != nil && l.done%4096 == 0 && l.checkSpace != nil {
			if err := l.checkSpace(); err != nil {
				return err
			}
		}
		if l.opts.Progress != nil && l.done%16384 == 0 {
			l.opts.Progress(l.done)
		}
	}
	// Past MaxErrors problems are counted, not listed: the load reads on
	// so that the answer can say how many there are in all.
	return nil
}

func (l *loader) run(src RecordSource, out kv.Batch) error {
	l.src = src
	start := time.Now()
	err := readAhead(src)(l.ctx, l.pass1)
	if l.sourceErrors(err) {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("load %s: %w", l.opts.Source, err)
	}
	if err := l.endPass1(); err != nil {
		return err
	}
	l.pass1Took = time.Since(start)
	start = time.Now()
	if len(l.w.errs) > 0 && l.ontologyFailed() {
		return nil
	}
	l.out = out
	l.writeable = out != nil && len(l.w.errs) == 0 && l.srcErrs == nil
	if l.writeable {
		if err := l.w.runReindex(batchSink{l}); err != nil {
			return err
		}
	}
	l.done = 0
	err = readAheadTouching(l.secondPass(src), l.touchEntities)(l.ctx, l.pass2)
	if l.srcErrs != nil && l.sourceErrors(err) {
		err = nil // the same as in pass 1
	}
	if err != nil {
		return fmt.Errorf("load %s: %w", l.opts.Source, err)
	}
	if err := l.retype(); err != nil {
		return err
	}
	if err := l.checkRetypedDocuments(); err != nil {
		return err
	}
	l.pass2Took = time.Since(start)
	if l.opts.Progress != nil {
		l.opts.Progress(l.done)
	}
	if len(l.w.errs) > 0 || l.srcErrs != nil || l.out == nil {
		return nil
	}
	l.w.count(counterKey(ctrEntities), l.newEntities)
	l.w.count(counterKey(ctrRelations), l.newRelations)
	for t, d := range l.typeDelta {
		l.w.count(typeCountKey(t), d)
	}
	if err := l.w.finishCounters(); err != nil {
		return err
	}
	// Counters and ontology definitions went to the writer's overlay; no
	// record wrote those keys, so they go to the batch once each.
	return l.w.flush(l.out)
}

func (l *loader) ontologyFailed() bool {
	for _, e := range l.w.errs {
		if l.lineOf[e] < 0 {
			return true
		}
	}
	return false
}

func (l *loader) pass1(rec Record) error {
	if err := l.tick(); err != nil {
		return err
	}
	if err := l.spoolRecord(rec); err != nil {
		return err
	}
	n0, e0 := l.w.nfail, len(l.w.errs)
	switch {
	case rec.EntityType != nil:
		l.ontology.entityTypes = append(l.ontology.entityTypes, *rec.EntityType)
		l.ontology.records = append(l.ontology.records, l.record(rec.Line))
		l.res.EntityTypes++
	case rec.RelationType != nil:
		// ontologyChange names entity types first, then relation types;
		// keep the relation types' names apart until endPass1 joins them.
		l.ontology.relationTypes = append(l.ontology.relationTypes, *rec.RelationType)
		l.relRecords = append(l.relRecords, l.record(rec.Line))
		l.res.RelationTypes++
	case rec.Entity != nil:
		e := rec.Entity
		e.normalizeIDs()
		c0 := len(l.w.cites)
		l.w.checkEntityFields(e, "")
		for i := c0; i < len(l.w.cites); i++ {
			l.w.cites[i].line = rec.Line // checked in endPass1, when every entity is known
		}
		if e.Type == "" || !utf8.ValidString(e.Type) {
			l.w.checkEntityType(e.Type, "")
		}
		ti, ok := l.typeIndex[e.Type]
		if !ok {
			ti = int32(len(l.typeNames))
			l.typeNames = append(l.typeNames, e.Type)
			l.typeIndex[e.Type] = ti
		}
		bad := l.failed(n0, e0, rec.Line)
		l.noteCited(e.Sources)
		l.noteCitedIDs(e.Sources)
		if e.ID != "" {
			if err := l.noteEntity(e, loadEntity{line: rec.Line, seq: l.done, tname: ti, bad: bad}); err != nil {
				return err
			}
		}
	case rec.Relation != nil:
		rec.Relation.normalizeIDs()
		if err := l.suspect(rec.Relation); err != nil {
			return err
		}
		l.noteEndpoints(rec.Relation)
		if l.overBudget() {
			if err := l.spillEntities(); err != nil {
				return err
			}
		}
		l.noteCitedIDs(rec.Relation.Sources)
	default:
		l.w.failf(Invalid, "", "", "empty record")
		l.failed(n0, e0, rec.Line)
	}
	return nil
}

// suspect notes a relation in the duplicate filter. The first occurrence
// of an id passes unnoticed; every later one is a suspect, as are the rare
// false positives. Without an explicit id the real one depends on whether
// the type is symmetric, which is known only after pass 1, so both
// candidate ids go into the filter, and to the sort that resolves them.
func (l *loader) suspect(r *Relation) error {
	cands := candidateIDs(r)
	hit := false
	for _, c := range cands {
		if l.dups.seen(c) {
			hit = true
		}
	}
	if hit {
		l.suspects = append(l.suspects, loadSuspect{seq: l.done, id: r.ID, typ: r.Type, from: r.From, to: r.To, validFrom: r.ValidFrom})
	}
	if err := l.noteRelationRefs(r, r.ID != "", cands); err != nil {
		return err
	}
	return l.noteRelationIDs(r.ID != "", cands)
}

// candidateIDs returns the ids r may be stored under: its own, or those
// derived for an asymmetric and for a symmetric type when they differ.
func candidateIDs(r *Relation) []string {
	if r.ID != "" {
		return []string{r.ID}
	}
	c1 := RelationID(r.Type, r.From, r.To, r.ValidFrom, false)
	c2 := RelationID(r.Type, r.From, r.To, r.ValidFrom, true)
	if c2 != c1 {
		return []string{c1, c2}
	}
	return []string{c1}
}

// realRelationID is the id a relation is stored under: its own, or the one
// derived with the endpoints in canonical order for a symmetric type.
func realRelationID(sch *schema, id, typ, from, to string, validFrom Date) string {
	if id != "" {
		return id
	}
	sym := false
	if rt, ok := sch.relationType(typ); ok {
		sym = rt.def.Symmetric
	}
	return RelationID(typ, from, to, validFrom, sym)
}

func (l *loader) endPass1() error {
	// The ontology first: entity types need it.
	if n := len(l.ontology.entityTypes) + len(l.ontology.relationTypes); n > 0 {
		e0 := len(l.w.errs)
		ch := l.ontology
		ch.records = append(ch.records, l.relRecords...)
		if err := l.w.applyChange(ch); err != nil {
			return err
		}
		for _, e := range l.w.errs[e0:] {
			l.lineOf[e] = -1
		}
		if len(l.w.errs) > e0 {
			return nil
		}
	}
	if l.spilled != nil {
		if err := l.noteRefsBeforeSpill(); err != nil {
			return err
		}
	}
	if err := l.resolve(); err != nil {
		return err
	}
	if err := l.resolveRelationIDs(); err != nil {
		return err
	}
	sch := l.w.sch
	if l.spilled != nil {
		if err := l.endSpilledPass1(); err != nil {
			return err
		}
	}
	for i := range l.ents.len() {
		id, le := l.ents.at(i)
		if le.bad {
			continue
		}
		ref, found, err := l.lookup(id)
		if err != nil {
			return err
		}
		var storedTyp TypeID
		if found && ref.kind == kindEntity {
			if storedTyp, err = l.nodeType(NodeID(ref.id), id); err != nil {
				return err
			}
		}
		if err := l.settleEntity(id, &le, ref, found, storedTyp); err != nil {
			return err
		}
		l.ents.set(i, le)
	}
	if err := l.checkCites(); err != nil {
		return err
	}
	if err := l.readEntityBodies(); err != nil {
		return err
	}
	for _, sp := range l.suspects {
		from, to := sp.from, sp.to
		if rt, ok := sch.relationType(sp.typ); ok && rt.def.Symmetric && to < from {
			from, to = to, from
		}
		id := realRelationID(sch, sp.id, sp.typ, from, to, sp.validFrom)
		if sp.seq > l.winners[id] {
			l.winners[id] = sp.seq
		}
	}
	l.suspects = nil
	l.dups = dupFilter{}
	return nil
}

// settleEntity checks an entity of the load against the ontology and
// against what the store holds under its id (ref and found, as looked
// up; storedTyp, the type of a stored entity), and gives it its node id:
// the stored one, or a new one. The table's walk and the spilled one
// (loadspill.go) both call it in the order of the ids' first appearance,
// so that node ids and errors are the same either way.
func (l *loader) settleEntity(id string, le *loadEntity, ref extRef, found bool, storedTyp TypeID) error {
	if le.bad {
		return nil
	}
	n0, e0 := l.w.nfail, len(l.w.errs)
	tname := l.typeNames[le.tname]
	l.w.checkEntityType(tname, "")
	if l.failed(n0, e0, le.line) {
		le.bad = true
		return nil
	}
	le.typ, _ = l.w.sch.entityType(tname)
	switch {
	case found && ref.kind != kindEntity:
		l.w.failf(Conflict, "", "id", "id %q is already used by a relation; entities and relations share one id space", id)
		l.failed(n0, e0, le.line)
		le.bad = true
	case found:
		le.node, le.oldTyp = NodeID(ref.id), storedTyp
		switch l.opts.OnExisting {
		case OnExistingFail:
			l.refuseExisting("entity", id)
			l.failed(n0, e0, le.line)
			le.bad = true
		case OnExistingSkip:
			le.typ = le.oldTyp // kept as stored, type and all
		}
		if le.oldTyp != le.typ {
			l.retyped[le.node] = id
			l.retypedEnts[id] = *le
			l.noteRetypedDocument(id, *le)
		}
	default:
		nid, err := l.w.alloc(ctrNextNode)
		if err != nil {
			return err
		}
		le.node = NodeID(nid)
	}
	return l.noteExistingEntity(*le)
}

// touchEntities reads, for a batch of pass 2's records, the table
// entries that pass2 looks their ids up in: the relations' two ends, the
// entities' own ids. A lookup is three dependent cache misses (the
// index's slot, the row, the id's bytes) in a table of hundreds of
// megabytes at 10M relations; read here, in a loop of their own, the
// misses of a batch overlap instead of each being waited for in turn.
// With the table spilled to disk there is nothing to read ahead.
func (l *loader) touchEntities(b []Record) byte {
	if l.spilled != nil {
		return 0
	}
	var x byte
	for i := range b {
		switch r := &b[i]; {
		case r.Relation != nil:
			x ^= l.ents.touch(r.Relation.From) ^ l.ents.touch(r.Relation.To)
		case r.Entity != nil:
			x ^= l.ents.touch(r.Entity.ID)
		}
	}
	return x
}

func (l *loader) pass2(rec Record) error {
	if err := l.tick(); err != nil {
		return err
	}
	switch {
	case rec.Entity != nil:
		rec.Entity.normalizeIDs()
		le, ok, err := l.winningEntity(rec.Entity.ID)
		if err != nil || !ok || le.seq != l.done || le.bad {
			return err
		}
		e, old, unchanged, err := l.existingEntity(rec.Entity, le, rec.Fields, rec.Line)
		if e == nil || err != nil {
			return err
		}
		l.res.Entities++
		if l.writeable && !unchanged {
			return l.writeEntity(e, le, old)
		}
	case rec.Relation != nil:
		rec.Relation.normalizeIDs()
		return l.relation(*rec.Relation, rec.Line, rec.Fields)
	}
	return nil
}

// set and del write one key of a record straight to the batch: each key is
// written at most once per load.
func (l *loader) set(k, v []byte) error {
	l.writes++
	if err := l.out.Set(k, v); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	return nil
}

func (l *loader) del(k []byte) error {
	l.writes++
	if err := l.out.Delete(k); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	return nil
}

// writeEntity writes e in place of old, the stored body existingEntity
// read (nil for a new entity).
func (l *loader) writeEntity(e *Entity, le loadEntity, old *entityBody) error {
	if old == nil {
		l.newEntities++
	}
	if err := l.index.entity(le.node, e, le.typ, old); err != nil {
		return err
	}
	if l.w.noHistory {
		return nil
	}
	return l.set(histKey(histEntity, e.ID, l.tx.ReadTs()), []byte{histLoad})
}

// endpoint resolves one end of a relation of the load: an entity of the
// source, or one in the store.
func (l *loader) endpoint(ext, name, field string) (NodeID, TypeID, bool, error) {
	if le, ok, err := l.loadEntityNamed(ext, field); err != nil {
		return 0, 0, false, err
	} else if ok {
		if le.bad {
			return 0, 0, false, nil
		}
		return le.node, le.typ, true, nil
	}
	ref, ok, t, err := l.storedEndpoint(ext, field)
	if err != nil {
		return 0, 0, false, err
	}
	if !ok || ref.kind != kindEntity {
		what := "no entity"
		if ok {
			what = "is a relation, not an entity:"
		}
		l.w.failf(Invalid, name, field, "%s %q", what, ext)
		return 0, 0, false, nil
	}
	return NodeID(ref.id), t, true, nil
}

func (l *loader) relation(r Relation, line int64, fs Fields) error {
	w := l.w
	n0, e0 := w.nfail, len(w.errs)
	defer l.failed(n0, e0, line)
	w.checkRelation(&r, "")
	for i := range w.cites {
		w.cites[i].line = line
	}
	if err := l.checkCites(); err != nil {
		return err
	}
	if w.nfail > n0 {
		l.writeable = false
		return nil
	}
	rt, _ := w.sch.relationType(r.Type)
	// Errors name the field as the source gave it, before the endpoints
	// of a symmetric relation are put in canonical order.
	fromField, toField := "from", "to"
	if rt.def.Symmetric && r.To < r.From {
		r.From, r.To = r.To, r.From
		fromField, toField = toField, fromField
	}
	derivedSym := r.ID == "" && rt.def.Symmetric
	r.ID = realRelationID(w.sch, r.ID, r.Type, r.From, r.To, r.ValidFrom)
	if last, ok := l.winners[r.ID]; ok && last != l.done {
		return nil // a later record gives this relation again
	}
	if l.rewritten != nil {
		l.rewritten[r.ID] = true
	}
	fromN, fromT, ok1, err := l.endpoint(r.From, "", fromField)
	if err != nil {
		return err
	}
	toN, toT, ok2, err := l.endpoint(r.To, "", toField)
	if err != nil {
		return err
	}
	if ok1 {
		if why := w.sch.endTypeError(rt, "from", fromT); why != "" {
			w.failf(Invalid, "", fromField, "%s", why)
		}
	}
	if ok2 {
		if why := w.sch.endTypeError(rt, "to", toT); why != "" {
			w.failf(Invalid, "", toField, "%s", why)
		}
	}
	if isEnt, err := l.isLoadEntity(r.ID, derivedSym); err != nil {
		return err
	} else if isEnt {
		w.failf(Conflict, "", "id", "id %q is also an entity of this load; entities and relations share one id space", r.ID)
	}
	ref, exists, stored, err := l.relationRef(r.ID, derivedSym)
	if err != nil {
		return err
	}
	if exists && ref.kind != kindRelation {
		w.failf(Conflict, "", "id", "id %q is already used by an entity; entities and relations share one id space", r.ID)
	} else if exists && l.opts.OnExisting == OnExistingFail {
		l.refuseExisting("relation", r.ID)
	}
	if w.nfail > n0 || !ok1 || !ok2 {
		l.writeable = false
		return nil
	}
	if exists && l.opts.OnExisting == OnExistingSkip {
		l.res.Report.Relations.Skipped++
		return nil
	}
	if !exists {
		l.tally(&l.res.Report.Relations, "relation", r.ID, line, nil, true)
	}
	var rid RelID
	var old *relationBody
	var oldFrom, oldTo NodeID
	if exists {
		rid = RelID(ref.id)
		if stored == nil {
			if stored, err = l.tx.Get(relationKey(rid)); err != nil {
				return fmt.Errorf("load: body of relation %q: %w", r.ID, err)
			}
		}
		ob, err := decodeRelation(stored)
		if err != nil {
			return fmt.Errorf("load: body of relation %q: %w", r.ID, err)
		}
		old, oldFrom, oldTo = &ob, ob.from, ob.to
		nr, unchanged := l.existingRelation(&r, ob, stored, rt.id, fromN, toN, fs, line)
		if w.nfail > n0 {
			l.writeable = false
			return nil
		}
		r = *nr
		if unchanged {
			// Not in touching: if an end's entity is retyped, the retype
			// pass rewrites the one adjacency value that names its type.
			l.res.Relations++
			return nil
		}
	}
	l.res.Relations++
	if !l.writeable {
		return nil
	}
	if !exists {
		nid, err := w.alloc(ctrNextRel)
		if err != nil {
			return err
		}
		rid = RelID(nid)
		l.newRelations++
	}
	if len(l.retyped) > 0 {
		for _, n := range []NodeID{fromN, toN, oldFrom, oldTo} {
			if _, ok := l.retyped[n]; ok {
				l.touching[rid] = true
			}
		}
	}
	if err := l.index.relation(rid, &r, rt.id, fromN, toN, fromT, toT, old); err != nil {
		return err
	}
	if l.w.noHistory {
		return nil
	}
	return l.set(histKey(histRelation, r.ID, l.tx.ReadTs()), []byte{histLoad})
}

// retype updates the adjacency values naming the type of each entity whose
// type the load changed, for the relations the load did not itself write,
// and checks that those relations still fit the ontology.
func (l *loader) retype() error {
	nodes := make([]NodeID, 0, len(l.retyped))
	for n := range l.retyped {
		nodes = append(nodes, n)
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i] < nodes[j] })
	sch := l.w.sch
	for _, n := range nodes {
		id := l.retyped[n]
		le := l.retypedEnts[id]
		var entries []adjEntry
		prefixes := [][]byte{adjPrefix(nil, pOut, n), adjPrefix(nil, pIn, n)}
		err := l.tx.ScanPrefixes(prefixes, true, func(_ int, k, _ []byte) error {
			e, ok := parseAdjKey(k)
			if !ok {
				return fmt.Errorf("bad adjacency key %x", k)
			}
			if !l.touching[e.rel] {
				entries = append(entries, e)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("load: relations of %q: %w", id, err)
		}
		broken, first := 0, ""
		for _, e := range entries {
			otherT, err := l.typeOf(e.other)
			if err != nil {
				return err
			}
			rt := sch.info(e.typ)
			fromT, toT := le.typ, otherT
			if e.dir == pIn {
				fromT, toT = otherT, le.typ
			}
			why := sch.endpointError(rt, "from", fromT)
			if why == "" {
				why = sch.endpointError(rt, "to", toT)
			}
			if why != "" {
				if broken == 0 {
					first = why
				}
				broken++
				l.writeable = false
				continue
			}
			if !l.writeable {
				continue
			}
			m := e.mirror().key()
			v, err := l.tx.Get(m)
			if err != nil {
				return fmt.Errorf("load: mirror of %x: %w", e.key(), err)
			}
			av, ok := parseAdjValue(v)
			if !ok {
				return fmt.Errorf("load: bad adjacency value at %x", m)
			}
			if err := l.index.retypedEnd(m, av, le.typ); err != nil {
				return err
			}
		}
		if broken > 0 {
			n0, e0 := l.w.nfail, len(l.w.errs)
			l.w.failf(Invalid, l.record(le.line), "type", "%s", retypeError(id, broken, first))
			l.failed(n0, e0, le.line)
		}
	}
	return nil
}

// typeOf returns the entity type of node n after the load.
func (l *loader) typeOf(n NodeID) (TypeID, error) {
	if id, ok := l.retyped[n]; ok {
		return l.retypedEnts[id].typ, nil
	}
	if t, ok := l.nodeTypes[n]; ok {
		return t, nil // resolved at the end of the first pass
	}
	v, err := l.tx.Get(nodeKey(n))
	if err != nil {
		return 0, fmt.Errorf("load: node %d: %w", n, err)
	}
	t, _, err := parseNodeValue(v)
	return t, err
}

// dupFilter answers "seen before?" for relation ids: exactly for the first
// exactLimit ids, then through a fixed-size Bloom filter that may say yes
// wrongly (rarely), but never no wrongly.
type dupFilter struct {
	exact map[string]struct{}
	limit int // ids kept exactly before the switch to the Bloom filter
	bits  int // size of the Bloom filter
	bloom *bloom
}

func newDupFilter() dupFilter {
	return dupFilter{exact: map[string]struct{}{}, limit: exactLimit, bits: bloomBits}
}

const (
	exactLimit = 1 << 16
	bloomBits  = 1 << 26 // 8 MiB: about 5% false positives at 10 million ids
)

// seen reports whether s may have been seen before, and notes it.
func (d *dupFilter) seen(s string) bool {
	if d.bloom == nil {
		if _, ok := d.exact[s]; ok {
			return true
		}
		d.exact[s] = struct{}{}
		if len(d.exact) < d.limit {
			return false
		}
		b := newBloom(d.bits)
		for k := range d.exact {
			b.add(k)
		}
		d.bloom, d.exact = &b, nil
		return false
	}
	hit := d.bloom.has(s)
	d.bloom.add(s)
	return hit
}

// bloom is a Bloom filter over strings with four probes.
type bloom struct {
	bits []uint64
	seed maphash.Seed
}

func newBloom(nbits int) bloom {
	return bloom{bits: make([]uint64, nbits/64), seed: maphash.MakeSeed()}
}

func (b *bloom) probes(s string) [4]uint64 {
	h := maphash.String(b.seed, s)
	h1, h2 := h, h>>32|h<<32|1
	m := uint64(len(b.bits) * 64)
	var p [4]uint64
	for i := range p {
		p[i] = (h1 + uint64(i)*h2) % m
	}
	return p
}

func (b *bloom) add(s string) {
	for _, p := range b.probes(s) {
		b.bits[p/64] |= 1 << (p % 64)
	}
}

func (b *bloom) has(s string) bool {
	for _, p := range b.probes(s) {
		if b.bits[p/64]&(1<<(p%64)) == 0 {
			return false
		}
	}
	return true
}
