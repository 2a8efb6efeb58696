package store

// SKELETON: these signatures are the contract. The engine replaces every
// body; nothing here may remain when the engine lands.

import (
	"context"
	"errors"
	"io"
)

var errUnimplemented = errors.New("unimplemented")

// Store is the graph store: entities, relations and the ontology over an
// ordered key-value backend (badger). It is safe for concurrent use; writes
// are serialized.
type Store struct{}

// Open opens (creating if needed) the store in dir.
func Open(dir string, opts Options) (*Store, error) { return nil, errUnimplemented }

// Close closes the store.
func (s *Store) Close() error { return errUnimplemented }

// IsEmpty reports whether the store holds no entities and no relations
// (used to decide whether to load the founding data).
func (s *Store) IsEmpty(ctx context.Context) (bool, error) { return false, errUnimplemented }

// Apply writes a batch atomically (see Batch). Validation errors are
// Errors (a list of *Error, each naming record and field, up to 100);
// nothing of a refused batch is written.
func (s *Store) Apply(ctx context.Context, b Batch) (BatchResult, error) {
	return BatchResult{}, errUnimplemented
}

// FindEntityByID returns the entity, or a NotFound error.
func (s *Store) FindEntityByID(ctx context.Context, id string, ro ReadOptions) (*Entity, error) {
	return nil, errUnimplemented
}

// FindEntitiesByIDs returns the entities in the order of ids, nil where one
// does not exist. One snapshot, one batched read: the dataloaders call it.
func (s *Store) FindEntitiesByIDs(ctx context.Context, ids []string, ro ReadOptions) ([]*Entity, error) {
	return nil, errUnimplemented
}

// FindRelationByID returns the relation, or a NotFound error.
func (s *Store) FindRelationByID(ctx context.Context, id string, ro ReadOptions) (*Relation, error) {
	return nil, errUnimplemented
}

// FindRelationsByIDs returns the relations in the order of ids, nil where
// one does not exist.
func (s *Store) FindRelationsByIDs(ctx context.Context, ids []string, ro ReadOptions) ([]*Relation, error) {
	return nil, errUnimplemented
}

// FindEntities pages through entities in id order, filtered by type.
func (s *Store) FindEntities(ctx context.Context, f EntityFilter, ro ReadOptions) (EntityPage, error) {
	return EntityPage{}, errUnimplemented
}

// FindRelations pages through the relations of entity id (NotFound when it
// does not exist), with the entity at the other end of each.
func (s *Store) FindRelations(ctx context.Context, id string, f RelationFilter, ro ReadOptions) (RelationPage, error) {
	return RelationPage{}, errUnimplemented
}

// Degree counts the relations of entity id that match f (First and After
// are ignored).
func (s *Store) Degree(ctx context.Context, id string, f RelationFilter, ro ReadOptions) (int, error) {
	return 0, errUnimplemented
}

// Neighborhood returns everything within opts.Depth hops of id, breadth
// first, capped at opts.Limit nodes.
func (s *Store) Neighborhood(ctx context.Context, id string, opts NeighborhoodOptions, ro ReadOptions) (*Subgraph, error) {
	return nil, errUnimplemented
}

// Search finds entities by name, label or alias, folding case, accents and
// width, by whole-string prefix and by token; exact matches rank first.
func (s *Store) Search(ctx context.Context, text string, types []string, limit int, ro ReadOptions) ([]SearchHit, error) {
	return nil, errUnimplemented
}

// GetOntology returns the ontology, types in name order.
func (s *Store) GetOntology(ctx context.Context) (Ontology, error) {
	return Ontology{}, errUnimplemented
}

// Stats counts entities and relations, in total and by type.
func (s *Store) Stats(ctx context.Context, ro ReadOptions) (Stats, error) {
	return Stats{}, errUnimplemented
}

// Check walks the whole store and verifies every invariant. It returns nil
// or an error listing the problems found.
func (s *Store) Check(ctx context.Context) error { return errUnimplemented }

// View runs fn on a consistent read snapshot; see Reader.
func (s *Store) View(ctx context.Context, ro ReadOptions, fn func(r *Reader) error) error {
	return errUnimplemented
}

// Reader is a consistent read snapshot with access to internal ids, for
// traversals, algorithms and exports. It is valid only inside View's fn.
type Reader struct{}

// NodeID is the internal id of an entity.
type NodeID uint64

// RelID is the internal id of a relation.
type RelID uint64

// TypeID is the interned id of an entity or relation type.
type TypeID uint32

// Edge is one adjacency entry as a traversal sees it, from the point of view
// of the node being expanded: no relation body is read to produce it.
type Edge struct {
	Relation  RelID
	Type      TypeID
	From, To  NodeID // as stored (for symmetric types, in stored order)
	Other     NodeID // the node at the far end from the expanded one
	OtherType TypeID // entity type of Other
	Outgoing  bool   // the expanded node is From
	ValidFrom Date
	ValidTo   Date
}

// EdgeFilter is a compiled traversal filter (see Reader.Filter).
type EdgeFilter struct {
	types      map[TypeID]bool // nil = any
	direction  Direction
	validAt    Date
	otherTypes map[TypeID]bool // nil = any
}

// Filter compiles relation type names (empty = any), a direction, a validity
// date and entity type names for the far end (subtypes included) into an
// EdgeFilter. Unknown type names are Invalid errors.
func (r *Reader) Filter(types []string, dir Direction, validAt Date, entityTypes []string) (*EdgeFilter, error) {
	return nil, errUnimplemented
}

// Lookup resolves an entity id to its NodeID; ok is false when there is none.
func (r *Reader) Lookup(id string) (NodeID, bool, error) { return 0, false, errUnimplemented }

// Edges calls fn for each edge of n that f admits, in key order (one
// key-only prefix scan per direction with a reused iterator).
func (r *Reader) Edges(n NodeID, f *EdgeFilter, fn func(Edge) error) error { return errUnimplemented }

// Expand is Edges for a whole frontier in one batched scan; fn gets the
// index of the frontier node each edge belongs to.
func (r *Reader) Expand(frontier []NodeID, f *EdgeFilter, fn func(i int, e Edge) error) error {
	return errUnimplemented
}

// Entities returns the entity bodies of ids, in order, nil for missing.
func (r *Reader) Entities(ids []NodeID) ([]*Entity, error) { return nil, errUnimplemented }

// Relations returns the relation bodies of ids, in order, nil for missing.
func (r *Reader) Relations(ids []RelID) ([]*Relation, error) { return nil, errUnimplemented }

// EntityID returns the external id of n.
func (r *Reader) EntityID(n NodeID) (string, error) { return "", errUnimplemented }

// EachNode calls fn for every entity whose type is in types (subtypes
// included; empty = all), in NodeID order.
func (r *Reader) EachNode(types []string, fn func(n NodeID, t TypeID) error) error {
	return errUnimplemented
}

// EachEntity calls fn for every entity body, in id order (exports).
func (r *Reader) EachEntity(fn func(*Entity) error) error { return errUnimplemented }

// EachRelation calls fn for every relation body, in id order (exports).
func (r *Reader) EachRelation(fn func(*Relation) error) error { return errUnimplemented }

// Ontology returns the ontology as of the snapshot.
func (r *Reader) Ontology() Ontology { return Ontology{} }

// TypeName returns the name of an interned type.
func (r *Reader) TypeName(t TypeID) string { return "" }

// Context returns the context View was called with, so long traversals can
// stop when the request's deadline passes.
func (r *Reader) Context() context.Context { return context.Background() }

// Load validates every record of src, then writes them all through the
// backend's bulk path at one commit timestamp: readers see all of it or
// none. Records may come in any order (a relation may precede the entities
// it names); upserts by id make a re-run safe. Validation errors are Errors
// naming "<source>:<line>" and the field; with any of them nothing is
// written.
func (s *Store) Load(ctx context.Context, src RecordSource, opts LoadOptions) (LoadResult, error) {
	return LoadResult{}, errUnimplemented
}

// Backup writes an online backup of the whole store to w (badger's backup
// stream, including history).
func (s *Store) Backup(ctx context.Context, w io.Writer) error { return errUnimplemented }

// Restore loads a backup written by Backup into an empty store.
func (s *Store) Restore(ctx context.Context, r io.Reader) error { return errUnimplemented }
