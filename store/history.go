package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ties-graph/ties/store/kv"
)

// This file holds the change log and what is read from it: the record
// each commit writes (ChangeRecord), the log read whole (ChangeLog), the
// change feed (Changes) and its live followers (Follow), the history of
// one record (History, from the history keys) and a change's record
// before and after it. Writes append to the log through writer.logChange
// (batch.go) and Load (load.go).

// ChangeOp says what a change did to its record.
type ChangeOp string

// The change operations.
const (
	ChangeCreate ChangeOp = "CREATE"
	ChangeUpdate ChangeOp = "UPDATE"
	ChangeDelete ChangeOp = "DELETE"
	// ChangeLoad is a bulk load: in the feed one change naming the
	// source, in a record's history the load that wrote it.
	ChangeLoad ChangeOp = "LOAD"
)

// ChangeKind says what kind of record a change is about.
type ChangeKind string

// The kinds of changed records.
const (
	ChangeEntity       ChangeKind = "ENTITY"
	ChangeRelation     ChangeKind = "RELATION"
	ChangeEntityType   ChangeKind = "ENTITY_TYPE"
	ChangeRelationType ChangeKind = "RELATION_TYPE"
)

// Change is one record's change in one commit: the change log's record of
// the commit, taken apart (see ChangeRecord).
type Change struct {
	// Ts is the commit's timestamp and Index the change's place among
	// the commit's changes; together they order every change, and
	// Cursor spells them.
	Ts    uint64
	Index int
	// Prev is the commit before (0 for the first, or for records older
	// than the field): Before reads as of it.
	Prev      uint64
	At        time.Time
	Principal string
	Op        ChangeOp
	Kind      ChangeKind
	// ID is the record's id or type name; for a LOAD change of the feed,
	// the load's source.
	ID string
	// Load is the load, for op LOAD.
	Load *LoadRecord
	// loadSummary marks the one change of a load in the feed, which is
	// about the load, not a record.
	loadSummary bool
}

// IsLoadSummary reports whether c is the feed's one change for a whole
// bulk load (ID is its source; Load has its counts), rather than a
// record's change.
func (c Change) IsLoadSummary() bool { return c.loadSummary }

// Cursor returns the change's position for resuming after it.
func (c Change) Cursor() string { return formatCursor(c.Ts, c.Index) }

// cursorAll is the index past every change of a commit.
const cursorAll = 1<<31 - 1

// CheckCursor returns the Invalid error naming field that Changes and
// History return for s, when s is not a change cursor.
func CheckCursor(s, field string) error {
	_, _, err := parseCursor(s, field)
	return err
}

func formatCursor(ts uint64, i int) string {
	return strconv.FormatUint(ts, 10) + "-" + strconv.Itoa(i)
}

// parseCursor reads a cursor made by Change.Cursor; "" is before every
// change. A cursor that was not made here is an Invalid error naming
// field.
func parseCursor(s, field string) (ts uint64, i int, err error) {
	if s == "" {
		return 0, -1, nil
	}
	a, b, ok := strings.Cut(s, "-")
	if ok {
		ts, err = strconv.ParseUint(a, 10, 64)
	}
	if ok && err == nil {
		i, err = strconv.Atoi(b)
	}
	if !ok || err != nil || i < 0 {
		return 0, 0, &Error{Code: Invalid, Field: field, Message: fmt.Sprintf("%q is not a change cursor: give one that a Change returned", s)}
	}
	return ts, i, nil
}

// ChangeFilter selects changes of the feed (Store.Changes). Each non-empty
// list must match: Kinds the kind of record, Types its type (or, for a type
// change, its name; an entity type includes its subtypes), IDs its id. A
// LOAD change passes Kinds when the load wrote entities or relations of
// them, and Types always (a load may hold any); with IDs, a load becomes
// one change per listed id it wrote, found through the history keys.
type ChangeFilter struct {
	// Since is the cursor after which to begin; "" begins at the oldest
	// change kept.
	Since string
	// First is the most changes to return; nil means DefaultChangesFirst.
	// 0 returns none, and says in HasMore whether there are any.
	First *int
	Kinds []ChangeKind
	Types []string
	IDs   []string
}

// ChangePage is a page of changes.
type ChangePage struct {
	Changes []Change
	// HasMore says that more changes matched than the page holds.
	HasMore bool
	// Through is a cursor past every change the page's read covered,
	// matching or not: a follower resumes from it so as not to read the
	// same commits again. It is Since when nothing was read.
	Through string
}

// changes expands a commit's change-log record into its changes, in a
// fixed order that cursors rely on: type changes, then the load, or the
// entities, relations, deleted relations and deleted entities, each in the
// order written. An id listed twice in one list (written twice by one
// request) is one change.
func expandRecord(ts uint64, at time.Time, rec *ChangeRecord) []Change {
	created := map[string]bool{}
	for _, id := range rec.Created {
		created[id] = true
	}
	createdTypes := map[string]bool{}
	for _, id := range rec.CreatedTypes {
		createdTypes[id] = true
	}
	var out []Change
	add := func(ids []string, kind ChangeKind, op ChangeOp, isNew map[string]bool) {
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			o := op
			if isNew != nil && isNew[id] {
				o = ChangeCreate
			}
			out = append(out, Change{Ts: ts, Index: len(out), Prev: rec.Prev, At: at, Principal: rec.Principal, Op: o, Kind: kind, ID: id})
		}
	}
	add(rec.EntityTypes, ChangeEntityType, ChangeUpdate, createdTypes)
	add(rec.RelationTypes, ChangeRelationType, ChangeUpdate, createdTypes)
	if rec.Load != nil {
		kind := ChangeEntity
		if rec.Load.Entities == 0 && rec.Load.Relations > 0 {
			kind = ChangeRelation
		}
		out = append(out, Change{Ts: ts, Index: len(out), Prev: rec.Prev, At: at, Principal: rec.Principal, Op: ChangeLoad, Kind: kind, ID: rec.Load.Source, Load: rec.Load, loadSummary: true})
	}
	add(rec.Entities, ChangeEntity, ChangeUpdate, created)
	add(rec.Relations, ChangeRelation, ChangeUpdate, created)
	add(rec.DeletedRelations, ChangeRelation, ChangeDelete, nil)
	add(rec.DeletedEntities, ChangeEntity, ChangeDelete, nil)
	return out
}

// changesFirst reads the page size of Changes and History: nil is
// DefaultChangesFirst, and outside 0 to MaxChangesFirst is Invalid.
func changesFirst(first *int) (int, error) {
	switch {
	case first == nil:
		return DefaultChangesFirst, nil
	case *first < 0 || *first > MaxChangesFirst:
		return 0, &Error{Code: Invalid, Field: "first", Message: fmt.Sprintf("first must be between 0 and %d", MaxChangesFirst)}
	}
	return *first, nil
}

// Changes returns the changes after f.Since that f selects, in commit
// order (and in each commit in the order of expandRecord), read from one
// snapshot of the change log. Errors: Invalid for a cursor that is not one
// or an unknown type.
func (s *Store) Changes(ctx context.Context, f ChangeFilter) (ChangePage, error) {
	sinceTs, sinceIdx, err := parseCursor(f.Since, "since")
	if err != nil {
		return ChangePage{}, err
	}
	first, err := changesFirst(f.First)
	if err != nil {
		return ChangePage{}, err
	}
	tx, sch, err := s.snapshot(ctx, ReadOptions{})
	if err != nil {
		return ChangePage{}, err
	}
	defer tx.Discard()
	m, err := newChangeMatcher(s, sch, f)
	if err != nil {
		return ChangePage{}, err
	}
	page := ChangePage{Through: f.Since}
	it := tx.Iterate(kv.IterOptions{Prefix: []byte{pLog}})
	defer it.Close()
	for it.Seek(logKey(sinceTs)); it.Valid(); it.Next() {
		if err := ctx.Err(); err != nil {
			return ChangePage{}, err
		}
		ts, rec, err := s.logRecord(it)
		if err != nil {
			return ChangePage{}, err
		}
		if rec.Load == nil && len(rec.Entities)+len(rec.Relations)+len(rec.DeletedEntities)+len(rec.DeletedRelations)+len(rec.EntityTypes)+len(rec.RelationTypes) == 0 {
			page.Through = formatCursor(ts, cursorAll) // API keys only
			continue
		}
		all := expandRecord(ts, s.timeOf(ts), &rec)
		matched, err := m.match(ctx, tx, all)
		if err != nil {
			return ChangePage{}, err
		}
		for _, c := range matched {
			if ts == sinceTs && c.Index <= sinceIdx {
				continue
			}
			if len(page.Changes) == first {
				page.HasMore = true
				if first > 0 {
					page.Through = page.Changes[len(page.Changes)-1].Cursor()
				}
				return page, nil
			}
			page.Changes = append(page.Changes, c)
		}
		page.Through = formatCursor(ts, cursorAll)
	}
	return page, nil
}

// logRecord decodes the change-log record under it.
func (s *Store) logRecord(it kv.Iterator) (uint64, ChangeRecord, error) {
	ts, err := parseLogKey(it.Key())
	if err != nil {
		return 0, ChangeRecord{}, fmt.Errorf("read the change log: %w", err)
	}
	v, err := it.Value()
	if err != nil {
		return 0, ChangeRecord{}, fmt.Errorf("read the change log at %d: %w", ts, err)
	}
	var rec ChangeRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return 0, ChangeRecord{}, fmt.Errorf("read the change log at %d: %w", ts, err)
	}
	return ts, rec, nil
}

// changeMatcher applies a ChangeFilter.
type changeMatcher struct {
	s      *Store
	f      ChangeFilter
	kinds  map[ChangeKind]bool
	types  map[string]bool
	entSet map[TypeID]bool // entity types of f.Types with their subtypes
	ids    map[string]bool
}

func newChangeMatcher(s *Store, sch *schema, f ChangeFilter) (*changeMatcher, error) {
	m := &changeMatcher{s: s, f: f}
	if len(f.Kinds) > 0 {
		m.kinds = map[ChangeKind]bool{}
		for _, k := range f.Kinds {
			m.kinds[k] = true
		}
	}
	if len(f.Types) > 0 {
		m.types = map[string]bool{}
		m.entSet = map[TypeID]bool{}
		for _, t := range f.Types {
			m.types[t] = true
			if id, ok := sch.entities[t]; ok {
				for _, st := range sch.subtypes(id) {
					m.entSet[st] = true
					m.types[sch.name(st)] = true
				}
			}
		}
	}
	if len(f.IDs) > 0 {
		m.ids = map[string]bool{}
		for _, id := range f.IDs {
			m.ids[NormalizeID(id)] = true
		}
	}
	return m, nil
}

// match returns the changes of one commit that the filter selects.
func (m *changeMatcher) match(ctx context.Context, tx kv.Txn, all []Change) ([]Change, error) {
	if m.kinds == nil && m.types == nil && m.ids == nil {
		return all, nil
	}
	var out []Change
	for _, c := range all {
		if c.Op == ChangeLoad {
			lc, err := m.load(tx, c, len(all))
			if err != nil {
				return nil, err
			}
			out = append(out, lc...)
			continue
		}
		if m.kinds != nil && !m.kinds[c.Kind] {
			continue
		}
		if m.ids != nil && !m.ids[c.ID] {
			continue
		}
		if m.types != nil {
			t, err := m.s.changeType(ctx, c)
			if err != nil {
				return nil, err
			}
			if !m.types[t] {
				continue
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// load filters a LOAD change; n is the number of changes of its commit,
// past which the per-id changes of a load are placed.
func (m *changeMatcher) load(tx kv.Txn, c Change, n int) ([]Change, error) {
	if m.kinds != nil {
		ents, rels := c.Load.Entities > 0 && m.kinds[ChangeEntity], c.Load.Relations > 0 && m.kinds[ChangeRelation]
		if !ents && !rels {
			return nil, nil
		}
	}
	if m.ids == nil {
		return []Change{c}, nil
	}
	var out []Change
	for i, id := range m.f.IDs {
		id = NormalizeID(id)
		for _, kind := range []ChangeKind{ChangeEntity, ChangeRelation} {
			if m.kinds != nil && !m.kinds[kind] {
				continue
			}
			_, err := tx.Get(histKey(histKindOf(kind), id, c.Prev))
			if errors.Is(err, kv.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("read the history of %q: %w", id, err)
			}
			lc := c
			lc.Index, lc.Kind, lc.ID, lc.loadSummary = n+i, kind, id, false
			out = append(out, lc)
		}
	}
	return out, nil
}

// changeType returns the type of the record c changed (as it was after
// the change, or before a deletion); a type change's type is its name.
func (s *Store) changeType(ctx context.Context, c Change) (string, error) {
	if c.Kind == ChangeEntityType || c.Kind == ChangeRelationType {
		return c.ID, nil
	}
	rec, err := s.ChangeAfter(ctx, c)
	if err == nil && rec == nil {
		rec, err = s.ChangeBefore(ctx, c)
	}
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Code == Invalid {
			return "", nil // beyond the versions kept: no type to match
		}
		return "", err
	}
	switch r := rec.(type) {
	case *Entity:
		return r.Type, nil
	case *Relation:
		return r.Type, nil
	}
	return "", nil
}

func histKindOf(k ChangeKind) byte {
	switch k {
	case ChangeRelation:
		return histRelation
	case ChangeEntityType:
		return histEntityType
	case ChangeRelationType:
		return histRelationType
	}
	return histEntity
}

// ChangeBefore returns the record c changed as it was before the change,
// nil if it did not exist: an *Entity, a *Relation, an *EntityType or a
// *RelationType. Versions older than the history retention are gone: an
// Invalid error says so.
func (s *Store) ChangeBefore(ctx context.Context, c Change) (any, error) {
	prev := c.Prev
	if prev == 0 {
		if c.Ts <= 1 || c.Op == ChangeCreate {
			return nil, nil
		}
		prev = c.Ts - 1
	}
	return s.recordAt(ctx, c, prev)
}

// ChangeAfter returns the record c changed as the change left it, nil
// when it deleted it (see ChangeBefore).
func (s *Store) ChangeAfter(ctx context.Context, c Change) (any, error) {
	if c.Op == ChangeDelete {
		return nil, nil
	}
	return s.recordAt(ctx, c, c.Ts)
}

// recordAt reads the record c is about as of commit ts.
func (s *Store) recordAt(ctx context.Context, c Change, ts uint64) (any, error) {
	if c.loadSummary {
		return nil, nil
	}
	ro := ReadOptions{commit: ts}
	var (
		rec any
		err error
	)
	switch c.Kind {
	case ChangeEntity:
		rec, err = s.FindEntityByID(ctx, c.ID, ro)
	case ChangeRelation:
		rec, err = s.FindRelationByID(ctx, c.ID, ro)
	default:
		var tx kv.Txn
		var sch *schema
		tx, sch, err = s.snapshot(ctx, ro)
		if err != nil {
			return nil, err
		}
		tx.Discard()
		if c.Kind == ChangeEntityType {
			if t, ok := sch.entities[c.ID]; ok {
				et := sch.types[t].def.entityType()
				return &et, nil
			}
		} else if ti, ok := sch.relationType(c.ID); ok {
			rt := ti.def.relationType()
			return &rt, nil
		}
		return nil, nil
	}
	var e *Error
	if errors.As(err, &e) && e.Code == NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// A typed nil in an interface is not nil.
	switch r := rec.(type) {
	case *Entity:
		if r == nil {
			return nil, nil
		}
	case *Relation:
		if r == nil {
			return nil, nil
		}
	}
	return rec, nil
}

// retained returns how far back asOf reads and the change log reach (see
// Stats.AsOfFrom and Stats.ChangesFrom).
func (s *Store) retained(tx kv.Txn) (asOf, changes time.Time, err error) {
	if h := s.db.Horizon(); h > 0 {
		asOf = s.timeOf(h)
	}
	it := tx.Iterate(kv.IterOptions{Prefix: []byte{pLog}, KeysOnly: true})
	defer it.Close()
	it.Rewind()
	if it.Valid() {
		ts, err := parseLogKey(it.Key())
		if err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("read the change log: %w", err)
		}
		changes = s.timeOf(ts)
	}
	return asOf, changes, nil
}

// HistoryOptions page the history of one record.
type HistoryOptions struct {
	First *int   // nil means DefaultChangesFirst; 0 returns none
	After string // a cursor of a change of this history; "" starts at the newest
}

// History returns the changes of one record, newest first: an entity or a
// relation by id, or an entity or relation type by name, depending on
// kind. It reads the history keys of the record (histKey), not the whole
// log: one seek in the log per change. Errors: Invalid for a bad cursor or
// page size.
func (s *Store) History(ctx context.Context, kind ChangeKind, id string, o HistoryOptions) (ChangePage, error) {
	afterTs, _, err := parseCursor(o.After, "after")
	if err != nil {
		return ChangePage{}, err
	}
	first, err := changesFirst(o.First)
	if err != nil {
		return ChangePage{}, err
	}
	if kind == ChangeEntity || kind == ChangeRelation {
		id = NormalizeID(id)
	}
	tx, _, err := s.snapshot(ctx, ReadOptions{})
	if err != nil {
		return ChangePage{}, err
	}
	defer tx.Discard()
	hk := histKindOf(kind)
	hit := tx.Iterate(kv.IterOptions{Prefix: histPrefix(hk, id), Reverse: true})
	defer hit.Close()
	lit := tx.Iterate(kv.IterOptions{Prefix: []byte{pLog}})
	defer lit.Close()
	if o.After != "" {
		hit.Seek(histKey(hk, id, afterTs-1))
	} else {
		hit.Seek(histKey(hk, id, ^uint64(0)))
	}
	var page ChangePage
	for ; hit.Valid(); hit.Next() {
		_, _, prev, err := parseHistKey(hit.Key())
		if err != nil {
			return ChangePage{}, fmt.Errorf("history of %q: %w", id, err)
		}
		v, err := hit.Value()
		if err != nil {
			return ChangePage{}, fmt.Errorf("history of %q: %w", id, err)
		}
		op := byte(0)
		if len(v) > 0 {
			op = v[0]
		}
		lit.Seek(logKey(prev + 1))
		if !lit.Valid() {
			return ChangePage{}, fmt.Errorf("history of %q: no change-log record after %d", id, prev)
		}
		ts, rec, err := s.logRecord(lit)
		if err != nil {
			return ChangePage{}, err
		}
		if o.After != "" && ts >= afterTs {
			continue
		}
		if rec.Prev != 0 && rec.Prev != prev {
			continue // the record of its commit is no longer in the log
		}
		c, ok := historyChange(ts, s.timeOf(ts), &rec, kind, id, op)
		if !ok {
			continue // the log was cut (Truncated) or the key is stale
		}
		if len(page.Changes) == first {
			page.HasMore = true
			break
		}
		page.Changes = append(page.Changes, c)
	}
	if n := len(page.Changes); n > 0 {
		page.Through = page.Changes[n-1].Cursor()
	}
	return page, nil
}

// historyChange finds the change of record id of kind in the commit rec.
func historyChange(ts uint64, at time.Time, rec *ChangeRecord, kind ChangeKind, id string, op byte) (Change, bool) {
	all := expandRecord(ts, at, rec)
	if op == histLoad && rec.Load != nil {
		i := slices.IndexFunc(all, func(c Change) bool { return c.Op == ChangeLoad })
		c := all[i]
		c.Kind, c.ID, c.loadSummary = kind, id, false
		return c, true
	}
	// A record deleted by the same request that wrote it is last deleted.
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Kind == kind && all[i].ID == id {
			return all[i], true
		}
	}
	return Change{}, false
}

// ChangeRecord is the change-log entry of one commit, stored under the
// commit's timestamp. It lists every id the commit wrote or deleted
// (records written before the lists were complete may have been cut at
// 1,000 ids each, and say so with Truncated); a bulk load records its
// source and counts instead, and each record it wrote has a history key
// (keys.go) that leads back to it.
type ChangeRecord struct {
	// Principal is who made the change: an API key's name,
	// PrincipalAnonymous or PrincipalCLI.
	Principal string `json:"principal,omitempty"`
	// Prev is the commit the writer read at: writers are serialized, so
	// it is the commit just before this one, and the history keys of
	// this commit's ids name it (see histKey).
	Prev             uint64   `json:"prev,omitempty"`
	Entities         []string `json:"entities,omitempty"`
	Relations        []string `json:"relations,omitempty"`
	DeletedEntities  []string `json:"deletedEntities,omitempty"`
	DeletedRelations []string `json:"deletedRelations,omitempty"`
	EntityTypes      []string `json:"entityTypes,omitempty"`
	RelationTypes    []string `json:"relationTypes,omitempty"`
	// Created lists the entities and relations of Entities and Relations
	// that did not exist before the commit; CreatedTypes the same for
	// the types.
	Created      []string `json:"created,omitempty"`
	CreatedTypes []string `json:"createdTypes,omitempty"`
	Truncated    bool     `json:"truncated,omitempty"`
	// APIKeys and RevokedAPIKeys name the API keys created or revoked.
	APIKeys        []string `json:"apiKeys,omitempty"`
	RevokedAPIKeys []string `json:"revokedApiKeys,omitempty"`
	// Load is set for a bulk load.
	Load *LoadRecord `json:"load,omitempty"`
}

// LoadRecord summarises a bulk load in the change log.
type LoadRecord struct {
	Source    string `json:"source,omitempty"`
	Entities  int    `json:"entities"`
	Relations int    `json:"relations"`
}

func (c *ChangeRecord) encode() []byte {
	b, err := json.Marshal(c)
	if err != nil {
		// Only strings and ints: cannot fail.
		panic(err)
	}
	return b
}

// merge adds o's ids to c.
func (c *ChangeRecord) merge(o *ChangeRecord) {
	for _, l := range []struct{ dst, src *[]string }{
		{&c.Entities, &o.Entities}, {&c.Relations, &o.Relations},
		{&c.DeletedEntities, &o.DeletedEntities}, {&c.DeletedRelations, &o.DeletedRelations},
		{&c.EntityTypes, &o.EntityTypes}, {&c.RelationTypes, &o.RelationTypes},
		{&c.Created, &o.Created}, {&c.CreatedTypes, &o.CreatedTypes},
	} {
		*l.dst = append(*l.dst, *l.src...)
	}
	c.Truncated = c.Truncated || o.Truncated
	if c.Principal == "" {
		c.Principal = o.Principal
	}
	if c.Prev == 0 {
		c.Prev = o.Prev
	}
}

// ChangeLog calls fn with every change-log record, oldest first, with the
// time of its commit; it stops at fn's first error and returns it.
func (s *Store) ChangeLog(ctx context.Context, fn func(at time.Time, rec ChangeRecord) error) error {
	tx, err := s.db.Begin(ctx, kv.TxnOptions{})
	if err != nil {
		return fmt.Errorf("read the change log: %w", err)
	}
	defer tx.Discard()
	it := tx.Iterate(kv.IterOptions{Prefix: []byte{pLog}})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		ts, err := parseLogKey(it.Key())
		if err != nil {
			return fmt.Errorf("read the change log: %w", err)
		}
		v, err := it.Value()
		if err != nil {
			return fmt.Errorf("read the change log: %w", err)
		}
		var rec ChangeRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("read the change log at %d: %w", ts, err)
		}
		if err := fn(s.timeOf(ts), rec); err != nil {
			return err
		}
	}
	return nil
}

// commitSignal wakes the followers of the change feed when this process
// commits. A follower takes the channel before it reads the log, so that
// a commit made after its read closes the channel it then waits on: no
// commit is missed between reading and waiting.
type commitSignal struct {
	mu sync.Mutex
	ch chan struct{}
}

// wait returns a channel that is closed by the next commit.
func (c *commitSignal) wait() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ch == nil {
		c.ch = make(chan struct{})
	}
	return c.ch
}

// notify wakes every follower waiting. Called after every commit of this
// process (also after a failed one: a spurious wake-up costs one read).
func (c *commitSignal) notify() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ch != nil {
		close(c.ch)
		c.ch = nil
	}
}

// commitSignaler is implemented by backends that hear of every process's
// commits (pgkv, by LISTEN): a follower wakes at once at another service's
// commit, and polls only while the backend cannot listen.
type commitSignaler interface {
	CommitSignal() <-chan struct{}
}

// Follow calls fn with every change after f.Since that f selects, in
// commit order, exactly once: first the changes already committed, then
// each new commit's as it comes, until ctx ends (returning its error) or
// fn returns an error (returned as it is). f.Since "" follows from the
// newest commit on. Follow reads the change log itself, a page at a time,
// so a slow fn makes it fall behind, never buffer: a follower costs the
// same memory however far behind it is. It is woken by this process's
// commits, by other processes' where the backend signals them
// (commitSignaler), and on a backend other processes write too it also
// polls every FollowPoll, in case a signal was lost.
func (s *Store) Follow(ctx context.Context, f ChangeFilter, fn func(Change) error) error {
	if f.Since == "" {
		f.Since = formatCursor(s.db.LastCommit(), cursorAll)
	} else if _, _, err := parseCursor(f.Since, "since"); err != nil {
		return err
	}
	f.First = new(followPage)
	var poll <-chan time.Time
	if s.db.Features().Distributed {
		t := time.NewTicker(FollowPoll)
		defer t.Stop()
		poll = t.C
	}
	signals, _ := s.db.(commitSignaler)
	for {
		woken := s.commits.wait()
		var remote <-chan struct{}
		if signals != nil {
			remote = signals.CommitSignal()
		}
		page, err := s.Changes(ctx, f)
		if err != nil {
			return err
		}
		for _, c := range page.Changes {
			if err := fn(c); err != nil {
				return err
			}
		}
		f.Since = page.Through
		if page.HasMore {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-woken:
		case <-remote:
		case <-poll:
		}
	}
}

// FollowPoll is how often a follower on a backend that several processes
// share (PostgreSQL) reads the change log for the other processes' commits,
// which no local commit announces.
const FollowPoll = 500 * time.Millisecond

// followPage is how many changes a follower reads at a time: its memory
// does not grow with how far behind it is.
const followPage = 256
