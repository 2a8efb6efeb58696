package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ties-graph/ties/store/kv/pgkv"

	"github.com/ties-graph/ties/store/kv"
	"github.com/ties-graph/ties/store/kv/badgerkv"
)

// This file holds the Store itself: opening it over badger (Open), over
// PostgreSQL (OpenPostgres) or any kv backend (New), its snapshots and the
// ontology each sees, its counters, and the questions about the whole
// store (IsEmpty, NeverWritten, Stats, Features).

// Store is the graph store: entities, relations and the ontology over an
// ordered key-value backend (badger). It is safe for concurrent use; writes
// are serialized.
type Store struct {
	db   kv.Store
	opts Options
	log  *slog.Logger
	// readTsAt maps a recorded time to the read timestamp that sees every
	// commit made up to it, and timeOf a timestamp back to its time.
	readTsAt func(time.Time) uint64
	timeOf   func(uint64) time.Time

	mu     sync.Mutex
	schema *schema // newest ontology seen; immutable, replaced on change

	cache *readCache
	sync  *cacheSync // on a backend other processes write too
	// nodeSets lends the neighbourhood walks their visited sets.
	nodeSets nodeSets
	// walkers lends NeighborhoodHeads its walks' lists.
	walkers walkers
	// heads lends NeighborhoodHeads the lists of its answers.
	heads headsLender
	// commits wakes the change feed's followers (history.go).
	commits commitSignal
	pause   writePause
	load    loadGate

	// keyMu serializes the writes of API keys with the updates of the
	// keyring they make; keyring is nil until first needed.
	keyMu   sync.Mutex
	keyring atomic.Pointer[keyring]
}

// DefaultCacheSize is the size of the read cache when Options.CacheSize
// is 0.
const DefaultCacheSize = 256 << 20

// ErrLocked reports that another process, such as a running service, holds
// the data directory; Open wraps it. Test with errors.Is.
var ErrLocked = kv.ErrLocked

// Open opens (creating if needed) the store in dir. A new store has the
// default ontology. It returns an error wrapping ErrLocked when another
// process holds dir.
func Open(dir string, opts Options) (*Store, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	db, err := badgerkv.Open(badgerkv.Options{
		Dir:              dir,
		InMemory:         opts.InMemory,
		SyncWrites:       opts.SyncWrites,
		ReadOnly:         opts.ReadOnly,
		HistoryRetention: opts.HistoryRetention,
		Compression:      opts.Compression,
		LogKey:           logKey,
		Logger:           log,
	})
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	s, err := newStore(db, opts, badgerkv.ReadTsAt, badgerkv.TimeOf)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// New opens the store over a backend that is already open, such as
// PostgreSQL's (package pgkv), and takes it over: Close closes it. The
// backend's commit timestamps must be in badgerkv's hybrid logical format
// (TsOf), which asOf reads map times to. On a backend that several
// processes share (Features().Distributed), the read cache learns of the
// other processes' writes through kv.Changes (see cacheSync), and is off
// on one that does not implement it.
func New(db kv.Store, opts Options) (*Store, error) {
	changes, ok := db.(kv.Changes)
	if db.Features().Distributed && !ok {
		opts.CacheSize = -1
	}
	s, err := newStore(db, opts, badgerkv.ReadTsAt, badgerkv.TimeOf)
	if err != nil {
		return nil, err
	}
	if db.Features().Distributed && s.cache != nil {
		s.sync = &cacheSync{changes: changes}
		s.sync.synced.Store(s.cache.validTs)
	}
	return s, nil
}

// newStore wraps an open backend.
func newStore(db kv.Store, opts Options, readTsAt func(time.Time) uint64, timeOf func(uint64) time.Time) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBatchRecords <= 0 {
		opts.MaxBatchRecords = 100_000
	}
	if opts.CacheSize == 0 {
		opts.CacheSize = DefaultCacheSize
	}
	s := &Store{db: db, opts: opts, log: opts.Logger, readTsAt: readTsAt, timeOf: timeOf}
	if opts.CacheSize > 0 {
		s.cache = newReadCache(opts.CacheSize, db.LastCommit())
	}
	if err := s.init(context.Background()); err != nil {
		return nil, err
	}
	return s, nil
}

// init checks the format of an existing store. A new one stays empty until
// its first write, which writes the format marker and the default
// ontology (see writer.initialize), so that a backup can still be restored
// into it; until then reads see the default ontology.
func (s *Store) init(ctx context.Context) error {
	tx, err := s.db.Begin(ctx, kv.TxnOptions{})
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer tx.Discard()
	v, err := tx.Get(metaKey(metaFormat))
	switch {
	case errors.Is(err, kv.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("open store: read format: %w", err)
	case len(v) == 1 && v[0] == 1 && formatVersion == 2:
		tx.Discard()
		if s.opts.ReadOnly {
			// Reads work; search misses descriptions and citedBy misses
			// citations until a writable open upgrades the store.
			s.log.Warn("the store has data format 1: open it once writable (ties serve, ties import) to build its text and citation indexes")
			return nil
		}
		return s.upgradeFrom1(ctx)
	case len(v) != 1 || v[0] != formatVersion:
		return fmt.Errorf("open store: data format %x, this version reads %d", v, formatVersion)
	}
	return nil
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

// snapshot begins a read transaction at ro's recorded time and returns it
// with the ontology it sees.
func (s *Store) snapshot(ctx context.Context, ro ReadOptions) (kv.Txn, *schema, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	ts := ro.commit
	if ts != 0 && ts < s.db.Horizon() {
		return nil, nil, &Error{Code: Invalid, Message: fmt.Sprintf(
			"the versions of %s are older than the history kept", s.timeOf(ts).Format(time.RFC3339Nano))}
	}
	if !ro.AsOf.IsZero() {
		ts = s.readTsAt(ro.AsOf)
		// Below the horizon compaction may have dropped the versions
		// such a read needs: refuse rather than answer a wrong past.
		if h := s.db.Horizon(); ts < h {
			return nil, nil, &Error{Code: Invalid, Field: "asOf", Message: fmt.Sprintf(
				"%s is older than the history kept: the oldest instant that can be read is %s (the history retention ago; it moves forward with the clock)",
				ro.AsOf.UTC().Format(time.RFC3339Nano), s.timeOf(h).Format(time.RFC3339Nano))}
		}
	}
	tx, err := s.db.Begin(ctx, kv.TxnOptions{ReadTs: ts})
	if err != nil {
		return nil, nil, fmt.Errorf("begin read: %w", err)
	}
	if err := s.catchUp(ctx, tx.ReadTs()); err != nil {
		tx.Discard()
		return nil, nil, err
	}
	sch, ok := s.cache.ontology(tx.ReadTs())
	if !ok {
		if sch, err = s.schemaOf(tx); err != nil {
			tx.Discard()
			return nil, nil, err
		}
		s.cache.putOntology(tx.ReadTs(), sch)
	}
	if !ro.AsOf.IsZero() || ro.commit != 0 {
		sch = s.withLaterTypes(sch)
	}
	return tx, sch, nil
}

// withLaterTypes returns the ontology of a read in the past with the names
// of the types defined since marked, so that asking for entities of a type
// that did not exist yet finds none instead of failing. The newest
// ontology is the one this process last saw.
func (s *Store) withLaterTypes(sch *schema) *schema {
	s.mu.Lock()
	cur := s.schema
	s.mu.Unlock()
	if cur == nil || cur.version <= sch.version {
		return sch
	}
	since := func(now, then map[string]TypeID) map[string]bool {
		later := map[string]bool{}
		for n := range now {
			if _, ok := then[n]; !ok {
				later[n] = true
			}
		}
		return later
	}
	c := *sch
	c.laterEntities, c.laterRelations = since(cur.entities, sch.entities), since(cur.relations, sch.relations)
	return &c
}

// schemaOf returns the ontology tx sees: the cached one when its version
// matches, which costs one Get.
func (s *Store) schemaOf(tx kv.Txn) (*schema, error) {
	ver, err := readCounter(tx, counterKey(ctrOntologyVers))
	if err != nil {
		return nil, fmt.Errorf("read ontology: %w", err)
	}
	s.mu.Lock()
	c := s.schema
	s.mu.Unlock()
	if c != nil && c.version == ver {
		return c, nil
	}
	sch, err := loadSchema(tx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.schema == nil || sch.version > s.schema.version {
		s.schema = sch
	}
	s.mu.Unlock()
	return sch, nil
}

// readCounter returns a counter's value, 0 when unset.
func readCounter(tx kv.Txn, key []byte) (uint64, error) {
	v, err := tx.Get(key)
	if errors.Is(err, kv.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read counter %x: %w", key, err)
	}
	n, err := parseUint64(v)
	if err != nil {
		return 0, fmt.Errorf("read counter %x: %w", key, err)
	}
	return n, nil
}

// IsEmpty reports whether the store holds no entities and no relations.
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	st, err := s.Stats(ctx, ReadOptions{})
	if err != nil {
		return false, err
	}
	return st.Entities == 0 && st.Relations == 0, nil
}

// NeverWritten reports whether no write was ever committed to the store:
// it is new, or every batch written to it was rolled back (a load that was
// refused, or killed half-way). The first write of a store also writes its
// format marker, and a rollback takes the marker away with the rest, so
// its absence is the test. A store emptied by deletions was written.
func (s *Store) NeverWritten(ctx context.Context) (bool, error) {
	tx, err := s.db.Begin(ctx, kv.TxnOptions{})
	if err != nil {
		return false, fmt.Errorf("read format: %w", err)
	}
	defer tx.Discard()
	_, err = tx.Get(metaKey(metaFormat))
	switch {
	case errors.Is(err, kv.ErrNotFound):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("read format: %w", err)
	}
	return false, nil
}

// CacheStats describes the read cache (Options.CacheSize): its size,
// and how many entries it has taken in and evicted since the store
// opened. A store without one reports zeros.
func (s *Store) CacheStats() CacheStats { return s.cache.stats() }

// Stats counts entities and relations, in total and by type (types with
// none are left out; each list in type name order), from the counters
// that every write keeps.
func (s *Store) Stats(ctx context.Context, ro ReadOptions) (Stats, error) {
	tx, sch, err := s.snapshot(ctx, ro)
	if err != nil {
		return Stats{}, err
	}
	defer tx.Discard()
	var st Stats
	n, err := readCounter(tx, counterKey(ctrEntities))
	if err != nil {
		return Stats{}, err
	}
	st.Entities = int(n)
	if n, err = readCounter(tx, counterKey(ctrRelations)); err != nil {
		return Stats{}, err
	}
	st.Relations = int(n)
	for _, ti := range sch.types {
		if ti == nil {
			continue
		}
		n, err := readCounter(tx, typeCountKey(ti.id))
		if err != nil {
			return Stats{}, err
		}
		if n == 0 {
			continue
		}
		tc := TypeCount{Type: ti.def.Name, Count: int(n)}
		if ti.relation {
			st.ByRelationType = append(st.ByRelationType, tc)
		} else {
			st.ByEntityType = append(st.ByEntityType, tc)
		}
	}
	if st.AsOfFrom, st.ChangesFrom, err = s.retained(tx); err != nil {
		return Stats{}, err
	}
	sort.Slice(st.ByEntityType, func(i, j int) bool { return st.ByEntityType[i].Type < st.ByEntityType[j].Type })
	sort.Slice(st.ByRelationType, func(i, j int) bool { return st.ByRelationType[i].Type < st.ByRelationType[j].Type })
	return st, nil
}

// Features describes the backend the store runs on, for callers (and
// tests) whose answer depends on what it can do: whether it keeps every
// version, whether several processes share it.
func (s *Store) Features() kv.Features { return s.db.Features() }

// OpenPostgres opens the store in the PostgreSQL database at url
// (postgres://user@host:port/db; several hosts with
// target_session_attrs=read-write follow a failover), creating its tables
// on first use. Several processes may open the same database at once.
// Every version is kept there: opts.HistoryRetention does not apply, and
// durability is the server's (synchronous_commit), not opts.SyncWrites.
// It returns an error wrapping pgkv.ErrNewerSchema for a database set up
// by a newer Ties.
func OpenPostgres(ctx context.Context, url string, opts Options) (*Store, error) {
	db, err := pgkv.Open(ctx, pgkv.Options{URL: url, ReadOnly: opts.ReadOnly, LogKey: logKey, Logger: opts.Logger})
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	s, err := New(db, opts)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}
