package store

// This file fixes the public API of the graph store: the filters and pages
// that the GraphQL layer, the import/export code and the algorithms consume.
// The methods are implemented in the file of the noun they serve
// (entity.go, relation.go, ontology.go, citation.go, history.go,
// search.go, ...), the writes' machinery in batch.go, the Reader in
// traverse.go and Check in check.go.

import (
	"context"
	"log/slog"
	"time"

	"github.com/ties-graph/ties/store/kv/badgerkv"
)

// Options configure Open.
type Options struct {
	// InMemory keeps everything in memory (tests, benchmarks); Dir is then
	// ignored.
	InMemory bool
	// SyncWrites makes every commit durable before it returns (an
	// acknowledged write survives kill -9). On by default in the service.
	SyncWrites bool
	// HistoryRetention is how long old versions stay readable for asOf
	// queries and history; a negative value keeps history forever. The data
	// directory remembers the last one given, and 0 means that one (30
	// days when none ever was).
	HistoryRetention time.Duration
	// ReadOnly opens the store without write access (ties check).
	ReadOnly bool
	// Logger receives store events; nil discards them.
	Logger *slog.Logger
	// SpaceCheck, when set, is asked before every write reaches the
	// backend (each Apply and WriteTxn commit, a bulk load at its start
	// and every few thousand records as it writes, and by CheckSpace) and
	// returns an error (Unavailable) when the disk has too little room:
	// badger crashes the process when a write finds the disk full, so a
	// write refused beforehand is the only safe kind.
	SpaceCheck func() error
	// MaxBatchRecords caps the records of one Apply; 0 means 100,000.
	MaxBatchRecords int
	// CacheSize bounds the memory, in bytes, of the cache of entity and
	// relation bodies and of adjacency that reads at the newest commit
	// share; 0 means DefaultCacheSize, a negative value turns it off.
	// Bodies kept decoded for reads of whole entities take up to a
	// quarter of it more, beside it.
	CacheSize int64
	// LoadEntityBudget bounds the memory, in bytes, of a load's table of
	// the entities of its source: past it, a load sorts them on disk
	// instead, and matches them with the store's there (loadspill.go).
	// 0 means an eighth of the
	// process's soft memory limit when one is set, else
	// DefaultLoadEntityBudget; a negative value keeps the table whatever
	// its size.
	LoadEntityBudget int
	// Compression is how the blocks of the tables written from now on
	// are stored on disk; the zero value means badgerkv's
	// DefaultCompression (Snappy). CompressionNone trades about twice the
	// disk and a slower bulk load for less CPU on reads that miss badger's
	// block cache. Tables keep the compression they were written with,
	// so a store opens and reads whatever its tables were written with.
	Compression badgerkv.Compression
	// noHistoryIndex writes no history keys, for benchmarks that measure
	// what they cost (BENCHMARKS.md); history then finds nothing.
	noHistoryIndex bool
	// loadSortBudget, when set, is the memory budget of each of the
	// sorts of a load's bulk reads (loadrelids.go), so that tests make
	// them write runs.
	loadSortBudget int
}

// Batch is a set of writes applied atomically by Store.Apply: either all of
// it is written, or nothing is and the error says which records are wrong.
// Within a batch, ontology definitions come first, then entity upserts,
// relation upserts, relation deletions and entity deletions, so a relation
// may name an entity upserted by the same batch.
type Batch struct {
	EntityTypes     []EntityType
	RelationTypes   []RelationType
	Entities        []Entity
	Relations       []Relation
	DeleteRelations []string
	DeleteEntities  []string
	// Cascade deletes the relations of deleted entities; without it,
	// deleting an entity that has relations is refused.
	Cascade bool
	// Principal is who writes the batch, for the change log (an API
	// key's name, PrincipalAnonymous or PrincipalCLI).
	Principal string
}

// BatchResult reports what Apply did.
type BatchResult struct {
	Entities  []*Entity   // as stored, in input order
	Relations []*Relation // as stored, ids filled in, in input order
	// EntityTypes and RelationTypes are the defined types as stored, in
	// input order: a redefinition that leaves out an inverse keeps the
	// stored one, and a symmetric type is its own inverse.
	EntityTypes      []EntityType
	RelationTypes    []RelationType
	DeletedEntities  int
	DeletedRelations int // including those removed by Cascade
	CommitTs         uint64
}

// EntityFilter selects entities for Store.FindEntities.
type EntityFilter struct {
	Types []string // entity types, subtypes included; empty = all
	First *int     // page size; nil = DefaultPageSize
	After string   // cursor from a previous page

	// ValidAt, During and DatedOnly keep the entities whose own validity
	// (ValidFrom, ValidTo) passes them, as the same filters of a
	// RelationFilter keep relations. With any of them, every entity of the
	// types is read: no index holds entity dates.
	ValidAt   Date
	During    DateRange
	DatedOnly bool
	// Where keeps the entities every filter of which holds.
	Where []PropertyFilter
	// OrderBy sorts the page; id order when empty.
	OrderBy []Order
}

// EntityPage is one page of entities.
type EntityPage struct {
	Entities    []*Entity
	Cursors     []string // one opaque cursor per entity
	HasNext     bool
	HasPrevious bool
	TotalCount  int
}

// RelationFilter selects the relations of one entity.
type RelationFilter struct {
	Types       []string // relation types; empty = all
	Direction   Direction
	ValidAt     Date      // keep facts valid at this date; zero = all
	During      DateRange // keep facts valid at some time in this span; zero = all; not with ValidAt
	DatedOnly   bool      // keep only facts whose dates show they held (EdgeFilter.RestrictDatedOnly)
	EntityTypes []string  // type of the entity at the other end, subtypes included; empty = all
	First       *int      // page size (for CommonNeighbors, the most entities); nil = the default
	After       string
	// Where keeps the relations every filter of which holds;
	// NeighborWhere, those whose entity at the other end passes its
	// filters (the where of Entity.neighbors).
	Where, NeighborWhere []PropertyFilter
	// OrderBy sorts the page; adjacency order when empty (see
	// FindRelations). NAME and DEGREE order by the entity at the other
	// end; with OrderNeighbors, ID, VALID_FROM, VALID_TO and PROPERTY do
	// too (a list of neighbours), rather than by the relation.
	OrderBy        []Order
	OrderNeighbors bool
}

// RelationPage is one page of an entity's relations; Neighbors gives the
// entity at the other end of each, in the same order.
type RelationPage struct {
	Relations   []*Relation
	Neighbors   []*Entity
	Cursors     []string
	HasNext     bool
	HasPrevious bool
	TotalCount  int
	// Directions and Labels say, per relation, how it reads from the
	// entity whose relations these are (see Reader.RelationLabel).
	Directions []Direction
	Labels     []string
}

// NeighborhoodOptions bound Store.Neighborhood.
type NeighborhoodOptions struct {
	Depth       int
	Types       []string
	Direction   Direction
	EntityTypes []string
	ValidAt     Date
	During      DateRange // facts valid at some time in this span; not with ValidAt
	DatedOnly   bool      // only facts whose dates show they held (EdgeFilter.RestrictDatedOnly)
	Limit       *int      // most nodes returned; Truncated says when hit; nil = DefaultNeighborhoodLimit
	// NodesOnly leaves Subgraph.Edges empty, for a caller that wants the
	// entities alone: no relation body is read, and the last level is not
	// scanned again for the ties among its nodes. Nodes and Truncated are
	// the same either way.
	NodesOnly bool
}

// ReadOptions choose the recorded-time snapshot a read sees.
type ReadOptions struct {
	AsOf time.Time // zero = now
	// commit reads as of exactly this commit timestamp (a change's before
	// and after, history.go); AsOf, a time, may hold several commits.
	commit uint64
}

// Record is one item of a bulk load: exactly one of its pointers is set.
// Line is where it came from (1-based; 0 when unknown), so that errors can
// name it.
type Record struct {
	Line         int64
	EntityType   *EntityType
	RelationType *RelationType
	Entity       *Entity
	Relation     *Relation
	// Fields says which fields of Entity or Relation the record carries,
	// for OnExistingMerge; zero: all of them.
	Fields Fields
}

// RecordSource yields the records of a bulk load by calling yield for each;
// it stops and returns yield's error if yield fails. Store.Load calls it
// once, or twice (validate, then write) when a record cannot be kept for
// the second pass, so it must yield the same records each time: callers
// spool non-seekable input (an HTTP upload) to a temporary file. Load
// runs it on a goroutine of its own, ahead of validation, so anything it
// calls back (a progress function) must be safe beside LoadOptions.Progress.
type RecordSource func(ctx context.Context, yield func(Record) error) error

// MaxLoadErrors is the most errors a load reports: a client that asks for
// more gets this many. A file with an error on every line would otherwise
// keep the writer busy, and the client's memory, for as long as it has
// lines.
const MaxLoadErrors = 1000

// LoadOptions configure Store.Load.
type LoadOptions struct {
	DryRun    bool             // validate and report only
	MaxErrors int              // stop after this many errors; 0 = 100, at most MaxLoadErrors
	Progress  func(done int64) // called now and then with records processed
	Source    string           // name used in errors, such as the file name
	Principal string           // who loads, for the change log (see Batch.Principal)
	// OnExisting is what to do with a record whose id the store holds;
	// the zero value replaces it.
	OnExisting OnExisting
	// KeepOntology refuses, with a Forbidden error per record, type
	// definitions that would change the ontology (a new type, a widened
	// one): the loader may not define types. Definitions as stored pass,
	// so that a dump loads again.
	KeepOntology bool
}

// LoadResult reports a bulk load.
type LoadResult struct {
	EntityTypes   int
	RelationTypes int
	// Entities and Relations count the records loaded: new, changed and
	// unchanged ones (Report tells them apart), not skipped ones. An
	// unchanged record is loaded without a write.
	Entities  int
	Relations int
	// CommitTs is the commit that holds the load: the load's own, or,
	// when it changed nothing, the one it read.
	CommitTs uint64
	// Report counts new, changed, unchanged and skipped records and lists
	// the first changed ones (see merge.go).
	Report LoadReport
}
