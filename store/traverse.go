package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"

	"github.com/ties-graph/ties/store/kv"
)

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
	types     map[TypeID]bool // nil = any
	direction Direction
	// valid is the span of valid time a fact must overlap: a validAt
	// date is the span of that date, a during range itself; zero = any.
	valid      DateRange
	datedOnly  bool            // see RestrictDatedOnly
	otherTypes map[TypeID]bool // nil = any
	// scans are the prefix scans that find the edges, in key order.
	scans     []edgeScan
	symmetric map[TypeID]bool // the symmetric types among those admitted
}

// edgeScan is one prefix scan of a node's adjacency: one direction, and one
// relation type or (typ 0) all of them.
type edgeScan struct {
	dir byte
	typ TypeID
}

// compileFilter builds a filter; its scans and symmetric types come from
// the schema (filterScans), shared with other filters and never changed.
func compileFilter(sch *schema, types map[TypeID]bool, dir Direction, validAt Date, otherTypes map[TypeID]bool) *EdgeFilter {
	f := &EdgeFilter{types: types, direction: dir, valid: DateRange{validAt, validAt}, otherTypes: otherTypes}
	f.scans, f.symmetric = sch.filterScans(types, dir)
	return f
}

// admits reports whether an adjacency entry of scan sc passes the filter.
func (f *EdgeFilter) admits(sc edgeScan, typ TypeID, self, other NodeID, v adjValue) bool {
	// A self-loop has both of its keys under the node; when the out-scan
	// yields it, the in-scan must not yield it again.
	if self == other && sc.dir == pIn && (f.direction == Both || f.symmetric[typ]) {
		return false
	}
	if sc.typ == 0 && f.types != nil && !f.types[typ] {
		return false
	}
	if f.otherTypes != nil && !f.otherTypes[v.otherType] {
		return false
	}
	return f.Holds(v.validFrom, v.validTo)
}

// restrictDuring narrows f to facts that held at some time within d (a
// zero d changes nothing). It is an Invalid error for d to end before it
// begins, or to come with a validAt date: the two ask different questions.
func (f *EdgeFilter) restrictDuring(d DateRange) error {
	if d.IsZero() {
		return nil
	}
	if err := d.check("during"); err != nil {
		return err
	}
	if !f.valid.IsZero() {
		return FieldError("", "during", "give validAt or during, not both")
	}
	f.valid = d
	return nil
}

// View runs fn on a consistent read snapshot; see Reader. It returns fn's
// error, or the backend's wrapped.
func (s *Store) View(ctx context.Context, ro ReadOptions, fn func(r *Reader) error) error {
	tx, sch, err := s.snapshot(ctx, ro)
	if err != nil {
		return err
	}
	r := s.reader(ctx, tx, sch)
	defer r.close()
	return fn(r)
}

// Read runs fn on a read snapshot, as View does, and returns its answer:
// how a caller that holds the Store asks a query written over a Reader,
// such as those of package connect. It returns the errors of the snapshot
// and of fn, a passed deadline as a Timeout error (AsTimeout).
func Read[T any](ctx context.Context, s *Store, ro ReadOptions, fn func(r *Reader) (T, error)) (T, error) {
	var out T
	err := s.View(ctx, ro, func(r *Reader) error {
		var err error
		out, err = fn(r)
		return err
	})
	return out, AsTimeout(err)
}

// reader wraps a read snapshot begun by snapshot.
func (s *Store) reader(ctx context.Context, tx kv.Txn, sch *schema) *Reader {
	return &Reader{ctx: ctx, tx: tx, ts: tx.ReadTs(), sch: sch, cache: s.cache, distributed: s.db.Features().Distributed, nodeSets: &s.nodeSets, walkers: &s.walkers, heads: &s.heads}
}

// Reader is a consistent read snapshot with access to internal ids, for
// traversals, algorithms and exports. It is valid only inside View's fn,
// and not safe for concurrent use.
type Reader struct {
	ctx         context.Context
	tx          kv.Txn
	ts          uint64 // the snapshot's read timestamp
	sch         *schema
	cache       *readCache // nil reads everything from tx
	distributed bool
	it          kv.Iterator  // key-only, reused by every scan
	busy        bool         // it is in use by a scan that is calling back
	nodeSets    *nodeSets    // the store's, for the walks' visited sets
	walkers     *walkers     // the store's, for NeighborhoodHeads' walks
	heads       *headsLender // the store's, for NeighborhoodHeads' answers
}

func (r *Reader) close() {
	if r.it != nil {
		r.it.Close()
	}
	r.tx.Discard()
}

func (r *Reader) iter() kv.Iterator {
	if r.it == nil {
		r.it = r.tx.Iterate(kv.IterOptions{KeysOnly: true})
	}
	return r.it
}

// Filter compiles relation type names (empty = any), a direction, a validity
// date and entity type names for the far end (subtypes included) into an
// EdgeFilter. Unknown type names are Invalid errors.
func (r *Reader) Filter(types []string, dir Direction, validAt Date, entityTypes []string) (*EdgeFilter, error) {
	ts, err := r.sch.relationTypeSet(types, "types")
	if err != nil {
		return nil, err
	}
	ets, err := r.sch.entityTypeSet(entityTypes, "entityTypes")
	if err != nil {
		return nil, err
	}
	return compileFilter(r.sch, ts, dir, validAt, ets), nil
}

// Edges calls fn for each edge of n that f admits, in key order (one
// key-only prefix scan per direction and relation type, with a reused
// iterator). A nil f admits everything. fn's error stops the scan and is
// returned.
func (r *Reader) Edges(n NodeID, f *EdgeFilter, fn func(Edge) error) error {
	if f == nil {
		f = compileFilter(r.sch, nil, Both, Date{}, nil)
	}
	w := r.acquire()
	defer w.release()
	return r.scanEdges(w, n, f, nil, fn)
}

// walkIter is the iterator of one walk over adjacency keys, opened only
// when a node's adjacency is not cached: a walk the cache answers opens
// none. It is the Reader's reused iterator, or a fresh one when a scan
// calls back into the Reader while the reused one is busy.
type walkIter struct {
	r   *Reader
	it  kv.Iterator
	own bool // it is this walk's own, closed by release
}

// acquire starts a walk; release must end it.
func (r *Reader) acquire() *walkIter {
	w := &walkIter{r: r, own: r.busy}
	r.busy = true
	return w
}

// get returns the walk's iterator, opening it on first use.
func (w *walkIter) get() kv.Iterator {
	if w.it == nil {
		if w.own {
			w.it = w.r.tx.Iterate(kv.IterOptions{KeysOnly: true})
		} else {
			w.it = w.r.iter()
		}
	}
	return w.it
}

// release ends the walk.
func (w *walkIter) release() {
	if !w.own {
		w.r.busy = false
	} else if w.it != nil {
		w.it.Close()
	}
}

// scanEdges walks n's adjacency for f from the position after `after` (an
// adjacency key; nil = from the start). A node whose adjacency is cached
// is walked in memory; a walk of all of a node's keys fills the cache.
func (r *Reader) scanEdges(w *walkIter, n NodeID, f *EdgeFilter, after []byte, fn func(Edge) error) error {
	if after == nil && r.cache != nil {
		if adj, ok := r.cache.adjacency(cacheKey{cacheAdj, uint64(n)}, r.ts); ok {
			return scanCached(n, adj, f, fn)
		}
		if f.fullScan() {
			return r.scanAndCache(w.get(), n, f, fn)
		}
	}
	it := w.get()
	var buf [adjPrefixLen + 4]byte
	for _, sc := range f.scans {
		p := adjPrefix(buf[:0], sc.dir, n)
		if sc.typ != 0 {
			p = adjTypePrefix(buf[:0], sc.dir, n, sc.typ)
		}
		start := p
		if after != nil {
			if bytes.Compare(after, p) >= 0 && !bytes.HasPrefix(after, p) {
				continue // this scan lies wholly before the cursor
			}
			if bytes.HasPrefix(after, p) {
				start = append(bytes.Clone(after), 0)
			}
		}
		for it.Seek(start); it.Valid(); it.Next() {
			e, v, ok, err := readAdj(it, p)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			if !f.admits(sc, e.typ, e.self, e.other, v) {
				continue
			}
			if err := fn(edgeOf(e, v)); err != nil {
				return err
			}
		}
	}
	return nil
}

// readAdj decodes the adjacency entry under it; ok is false once it has
// left prefix p.
func readAdj(it kv.Iterator, p []byte) (adjEntry, adjValue, bool, error) {
	k := it.Key()
	if !bytes.HasPrefix(k, p) {
		return adjEntry{}, adjValue{}, false, nil
	}
	e, ok := parseAdjKey(k)
	if !ok {
		return adjEntry{}, adjValue{}, false, fmt.Errorf("bad adjacency key %x", k)
	}
	val, err := it.Value()
	if err != nil {
		return adjEntry{}, adjValue{}, false, fmt.Errorf("read adjacency %x: %w", k, err)
	}
	v, ok := parseAdjValue(val)
	if !ok {
		return adjEntry{}, adjValue{}, false, fmt.Errorf("bad adjacency value %x at %x", val, k)
	}
	return e, v, true, nil
}

// adjItem is one adjacency key of a node with its value, as the cache
// keeps a node's adjacency: in key order, outgoing before incoming.
type adjItem struct {
	dir   byte
	typ   TypeID
	other NodeID
	rel   RelID
	v     adjValue
}

// adjItemSize is what the cache counts for one adjItem.
const adjItemSize = 40

// fullScan reports whether f scans all of a node's adjacency keys, both
// directions and every type (it may still filter what it passes on).
func (f *EdgeFilter) fullScan() bool {
	return len(f.scans) == 2 && f.scans[0] == edgeScan{dir: pOut} && f.scans[1] == edgeScan{dir: pIn}
}

// scanAndCache is scanEdges for a filter that reads every adjacency key
// of n: it keeps them all, and caches them when fn let the scan finish.
func (r *Reader) scanAndCache(it kv.Iterator, n NodeID, f *EdgeFilter, fn func(Edge) error) error {
	var items []adjItem
	var buf [adjPrefixLen]byte
	for _, sc := range f.scans {
		p := adjPrefix(buf[:0], sc.dir, n)
		for it.Seek(p); it.Valid(); it.Next() {
			e, v, ok, err := readAdj(it, p)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			items = append(items, adjItem{dir: e.dir, typ: e.typ, other: e.other, rel: e.rel, v: v})
			if !f.admits(sc, e.typ, e.self, e.other, v) {
				continue
			}
			if err := fn(edgeOf(e, v)); err != nil {
				return err
			}
		}
	}
	r.cache.putAdj(cacheKey{cacheAdj, uint64(n)}, r.ts, slices.Clip(items))
	return nil
}

// scanCached is scanEdges over a cached adjacency.
func scanCached(n NodeID, items []adjItem, f *EdgeFilter, fn func(Edge) error) error {
	if f.fullScan() {
		// The scans are all of the out-keys, then all of the in-keys: the
		// items in their order. A binary search per scan would touch
		// cache lines of a large adjacency that the walk never reads.
		for i := range items {
			it := &items[i]
			if !f.admits(edgeScan{dir: it.dir}, it.typ, n, it.other, it.v) {
				continue
			}
			if err := fn(edgeOf(adjEntry{dir: it.dir, self: n, typ: it.typ, other: it.other, rel: it.rel}, it.v)); err != nil {
				return err
			}
		}
		return nil
	}
	for _, sc := range f.scans {
		i := sort.Search(len(items), func(i int) bool {
			it := items[i]
			return it.dir > sc.dir || it.dir == sc.dir && it.typ >= sc.typ
		})
		for ; i < len(items); i++ {
			it := &items[i]
			if it.dir != sc.dir || sc.typ != 0 && it.typ != sc.typ {
				break
			}
			if !f.admits(sc, it.typ, n, it.other, it.v) {
				continue
			}
			if err := fn(edgeOf(adjEntry{dir: it.dir, self: n, typ: it.typ, other: it.other, rel: it.rel}, it.v)); err != nil {
				return err
			}
		}
	}
	return nil
}

func edgeOf(e adjEntry, v adjValue) Edge {
	ed := Edge{
		Relation: e.rel, Type: e.typ, Other: e.other, OtherType: v.otherType,
		ValidFrom: v.validFrom, ValidTo: v.validTo,
	}
	if e.dir == pOut {
		ed.From, ed.To, ed.Outgoing = e.self, e.other, true
	} else {
		ed.From, ed.To = e.other, e.self
	}
	return ed
}

// Expand is Edges for a whole frontier; fn gets the index of the frontier
// node each edge belongs to. Edges come in frontier order, each node's in
// key order. On a distributed backend it is one batched prefix scan (one
// round trip); on an embedded one a single reused key-only iterator, which
// reads the small adjacency values without the backend's value prefetch.
func (r *Reader) Expand(frontier []NodeID, f *EdgeFilter, fn func(i int, e Edge) error) error {
	if f == nil {
		f = compileFilter(r.sch, nil, Both, Date{}, nil)
	}
	if r.distributed {
		return r.expandBatched(frontier, f, fn)
	}
	w := r.acquire()
	defer w.release()
	var cached [][]adjItem
	if r.cache != nil && len(frontier) > 1 {
		cached = make([][]adjItem, len(frontier))
		r.cache.adjacencies(frontier, r.ts, cached)
		runtime.KeepAlive(touchAdjacencies(cached))
	}
	for i, n := range frontier {
		emit := func(e Edge) error { return fn(i, e) }
		// An adjacency cached empty (nil) reads as not found here and
		// is found again by scanEdges: the same answer, one lookup more.
		if cached != nil && cached[i] != nil {
			if err := scanCached(n, cached[i], f, emit); err != nil {
				return err
			}
			continue
		}
		if err := r.scanEdges(w, n, f, nil, emit); err != nil {
			return err
		}
	}
	return nil
}

// expandBatched is Expand on a distributed backend. Nodes whose adjacency
// is cached are walked in memory; the others are scanned in one round
// trip, all of each node's keys when the cache is on, so that the next
// traversal through them finds them cached.
func (r *Reader) expandBatched(frontier []NodeID, f *EdgeFilter, fn func(i int, e Edge) error) error {
	if r.cache == nil {
		return r.expandScanned(frontier, f, fn)
	}
	adj := make([][]adjItem, len(frontier))
	var missing []int
	for i, n := range frontier {
		if a, ok := r.cache.adjacency(cacheKey{cacheAdj, uint64(n)}, r.ts); ok {
			adj[i] = a
		} else {
			missing = append(missing, i)
		}
	}
	if len(missing) > 0 {
		prefixes := make([][]byte, 0, 2*len(missing))
		for _, i := range missing {
			prefixes = append(prefixes, adjPrefix(nil, pOut, frontier[i]), adjPrefix(nil, pIn, frontier[i]))
		}
		err := r.tx.ScanPrefixes(prefixes, false, func(j int, k, val []byte) error {
			e, ok := parseAdjKey(k)
			if !ok {
				return fmt.Errorf("bad adjacency key %x", k)
			}
			v, ok := parseAdjValue(val)
			if !ok {
				return fmt.Errorf("bad adjacency value %x at %x", val, k)
			}
			i := missing[j/2]
			adj[i] = append(adj[i], adjItem{dir: e.dir, typ: e.typ, other: e.other, rel: e.rel, v: v})
			return nil
		})
		if err != nil {
			return err
		}
		for _, i := range missing {
			r.cache.putAdj(cacheKey{cacheAdj, uint64(frontier[i])}, r.ts, slices.Clip(adj[i]))
		}
	}
	for i, n := range frontier {
		if err := scanCached(n, adj[i], f, func(e Edge) error { return fn(i, e) }); err != nil {
			return err
		}
	}
	return nil
}

// expandScanned is expandBatched without a cache: only the keys f asks
// for are scanned.
func (r *Reader) expandScanned(frontier []NodeID, f *EdgeFilter, fn func(i int, e Edge) error) error {
	prefixes := make([][]byte, 0, len(frontier)*len(f.scans))
	type owner struct {
		i  int
		sc edgeScan
	}
	owners := make([]owner, 0, cap(prefixes))
	for i, n := range frontier {
		for _, sc := range f.scans {
			p := adjPrefix(nil, sc.dir, n)
			if sc.typ != 0 {
				p = adjTypePrefix(nil, sc.dir, n, sc.typ)
			}
			prefixes = append(prefixes, p)
			owners = append(owners, owner{i, sc})
		}
	}
	return r.tx.ScanPrefixes(prefixes, false, func(j int, k, val []byte) error {
		e, ok := parseAdjKey(k)
		if !ok {
			return fmt.Errorf("bad adjacency key %x", k)
		}
		v, ok := parseAdjValue(val)
		if !ok {
			return fmt.Errorf("bad adjacency value %x at %x", val, k)
		}
		o := owners[j]
		if !f.admits(o.sc, e.typ, e.self, e.other, v) {
			return nil
		}
		return fn(o.i, edgeOf(e, v))
	})
}

// Entities returns the entity bodies of ids, in order, nil for missing.
// The cached ones are looked up in runs (readCache.entityBodies).
func (r *Reader) Entities(ids []NodeID) ([]*Entity, error) {
	out := make([]*Entity, len(ids))
	bodies := make([]string, len(ids))
	r.cache.entityBodies(ids, r.ts, bodies)
	for i, n := range ids {
		var err error
		if bodies[i] != "" {
			out[i], err = entityFrom(r.sch, n, bodies[i])
		} else {
			out[i], err = r.entity(n)
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// entity reads the body of node n; nil when there is none.
func (r *Reader) entity(n NodeID) (*Entity, error) {
	v, ok, err := r.body(cacheEntity, pEntity, uint64(n))
	if err != nil || !ok {
		return nil, err
	}
	return entityFrom(r.sch, n, v)
}

// entityFrom decodes v, the body of node n, naming its type from sch.
func entityFrom(sch *schema, n NodeID, v string) (*Entity, error) {
	eb, err := decodeEntityString(v)
	if err != nil {
		return nil, fmt.Errorf("read entity %d: %w", n, err)
	}
	eb.e.Type = sch.name(eb.typ)
	return eb.e, nil
}

// relationFrom decodes v, the body of relation id, naming its type from
// sch.
func relationFrom(sch *schema, id RelID, v string) (*Relation, error) {
	rb, err := decodeRelationString(v)
	if err != nil {
		return nil, fmt.Errorf("read relation %d: %w", id, err)
	}
	rb.r.Type = sch.name(rb.typ)
	return rb.r, nil
}

// relation reads the body of relation id; nil when there is none.
func (r *Reader) relation(id RelID) (*Relation, error) {
	v, ok, err := r.body(cacheRelation, pRelation, uint64(id))
	if err != nil || !ok {
		return nil, err
	}
	return relationFrom(r.sch, id, v)
}

// body returns the stored body under prefix p and id, through the cache;
// ok is false when there is none. Bodies are strings, so that the cached
// ones are shared without copies and decoded without any.
func (r *Reader) body(kind cacheKind, p byte, id uint64) (string, bool, error) {
	ck := cacheKey{kind, id}
	if v, ok := r.cache.body(ck, r.ts); ok {
		return v, true, nil
	}
	var kb [9]byte
	v, err := r.tx.Get(appendIDKey(kb[:0], p, id))
	if errors.Is(err, kv.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read %x: %w", kb, err)
	}
	body := string(v)
	r.cache.putBody(ck, r.ts, body)
	return body, true, nil
}

// readEntity reads the body of node n past any cache (exports, checks);
// nil when there is none.
func readEntity(tx kv.Txn, sch *schema, n NodeID) (*Entity, error) {
	v, ok, err := readPast(tx, entityKey(n))
	if err != nil {
		return nil, fmt.Errorf("read entity %d: %w", n, err)
	}
	if !ok {
		return nil, nil
	}
	return entityFrom(sch, n, string(v))
}

// readRelation reads the body of relation id past any cache; nil when
// there is none.
func readRelation(tx kv.Txn, sch *schema, id RelID) (*Relation, error) {
	v, ok, err := readPast(tx, relationKey(id))
	if err != nil {
		return nil, fmt.Errorf("read relation %d: %w", id, err)
	}
	if !ok {
		return nil, nil
	}
	return relationFrom(sch, id, string(v))
}

// readPast reads key past any cache; ok is false when there is none.
func readPast(tx kv.Txn, key []byte) (v []byte, ok bool, err error) {
	v, err = tx.Get(key)
	if errors.Is(err, kv.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return v, true, nil
}

// Relations returns the relation bodies of ids, in order, nil for missing.
func (r *Reader) Relations(ids []RelID) ([]*Relation, error) {
	out := make([]*Relation, len(ids))
	for i, id := range ids {
		rel, err := r.relation(id)
		if err != nil {
			return nil, err
		}
		out[i] = rel
	}
	return out, nil
}

// EntityID returns the external id of n, or a NotFound error.
func (r *Reader) EntityID(n NodeID) (string, error) {
	v, err := r.tx.Get(nodeKey(n))
	if errors.Is(err, kv.ErrNotFound) {
		return "", Errorf(NotFound, "no entity with internal id %d", n)
	}
	if err != nil {
		return "", fmt.Errorf("read node %d: %w", n, err)
	}
	_, ext, err := parseNodeValue(v)
	if err != nil {
		return "", fmt.Errorf("read node %d: %w", n, err)
	}
	return ext, nil
}

// EachNode calls fn for every entity whose type is in types (subtypes
// included; empty = all), in NodeID order. Unknown types are Invalid
// errors; fn's error stops the walk and is returned.
func (r *Reader) EachNode(types []string, fn func(n NodeID, t TypeID) error) error {
	set, err := r.sch.entityTypeSet(types, "entityTypes")
	if err != nil {
		return err
	}
	it := r.tx.Iterate(kv.IterOptions{Prefix: []byte{pNode}, KeysOnly: true})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		n, err := parseIDKey(pNode, it.Key())
		if err != nil {
			return err
		}
		v, err := it.Value()
		if err != nil {
			return fmt.Errorf("read node %d: %w", n, err)
		}
		t, _, err := parseNodeValue(v)
		if err != nil {
			return err
		}
		if set != nil && !set[t] {
			continue
		}
		if err := fn(NodeID(n), t); err != nil {
			return err
		}
	}
	return nil
}

// EachEntity calls fn for every entity body, in id order (exports),
// reading the bodies once in sequence (sortedscan.go). fn's error stops
// the walk and is returned.
func (r *Reader) EachEntity(fn func(*Entity) error) error {
	return eachSorted(r.ctx, r.tx, pEntity, sortBudget, func(id uint64, v []byte) error {
		e, err := entityFrom(r.sch, NodeID(id), string(v))
		if err != nil {
			return err
		}
		return fn(e)
	})
}

// EachRelation calls fn for every relation body, in id order (exports),
// as EachEntity does. fn's error stops the walk and is returned.
func (r *Reader) EachRelation(fn func(*Relation) error) error {
	return eachSorted(r.ctx, r.tx, pRelation, sortBudget, func(id uint64, v []byte) error {
		rel, err := relationFrom(r.sch, RelID(id), string(v))
		if err != nil {
			return err
		}
		return fn(rel)
	})
}

// Ontology returns the ontology as of the snapshot.
func (r *Reader) Ontology() Ontology { return r.sch.ontology() }

// TypeName returns the name of an interned type ("" for an unknown one).
func (r *Reader) TypeName(t TypeID) string { return r.sch.name(t) }

// Context returns the context View was called with, so long traversals can
// stop when the request's deadline passes.
func (r *Reader) Context() context.Context { return r.ctx }

// Neighborhood walks breadth first from start up to depth hops over the
// edges f admits: the one definition of "the neighbourhood of X", which
// Store.Neighborhood answers and a subgraph export writes. It returns the
// nodes in the order the walk met them, the start first, at most limit of
// them (the start always; a negative limit is none), and truncated when the limit left one
// out; the walk then finishes the level at which it reached the limit and
// goes no further, since a further level could add no node. With
// relations, it also returns every relation f admits between two returned
// nodes (the induced subgraph), in the order the walk met them: those met
// on the way, and those between two nodes of the last level, which one
// more scan of that level finds. It returns the context's error when the
// request ends, and the snapshot's.
func (r *Reader) Neighborhood(start NodeID, f *EdgeFilter, depth, limit int, relations bool) (nodes []NodeID, rels []RelID, truncated bool, err error) {
	w, err := r.walkNeighborhood(start, f, depth, limit, relations)
	if err != nil {
		return nil, nil, false, err
	}
	if len(w.edges) > 0 {
		rels = make([]RelID, len(w.edges))
		for i, e := range w.edges {
			rels[i] = e.rel
		}
	}
	return w.nodes, rels, w.truncated, nil
}

// neighborhoodFilter is the edge filter of a neighbourhood's options, the
// one rule for which relations a neighbourhood walks in every shape it is
// read in.
func (r *Reader) neighborhoodFilter(opts NeighborhoodOptions) (*EdgeFilter, error) {
	f, err := r.Filter(opts.Types, opts.Direction, opts.ValidAt, opts.EntityTypes)
	if err != nil {
		return nil, err
	}
	if err := f.restrictDuring(opts.During); err != nil {
		return nil, err
	}
	if opts.DatedOnly {
		f.RestrictDatedOnly()
	}
	return f, nil
}

// viewNeighborhood runs fn on a snapshot with what every read shape of a
// neighbourhood starts from: the start entity, the edge filter of opts
// and its limit (fn answers a limit of 0 itself). Errors: NotFound for an
// unknown id, Invalid for unknown types or a negative limit.
func (s *Store) viewNeighborhood(ctx context.Context, id string, opts NeighborhoodOptions, ro ReadOptions, fn func(r *Reader, start NodeID, f *EdgeFilter, limit int) error) error {
	limit, err := SizeOr(opts.Limit, DefaultNeighborhoodLimit, "limit")
	if err != nil {
		return err
	}
	return s.View(ctx, ro, func(r *Reader) error {
		start, err := r.LookupEntity(id)
		if err != nil {
			return err
		}
		f, err := r.neighborhoodFilter(opts)
		if err != nil {
			return err
		}
		return fn(r, start, f, limit)
	})
}

// Neighborhood returns everything within opts.Depth hops of id, breadth
// first, capped at opts.Limit nodes (nil = DefaultNeighborhoodLimit; 0
// leaves even the start out, and says Truncated): the start first, then the
// nodes in the order the walk found them, and every relation that passes
// the filters between two returned nodes (the induced subgraph, as a chart
// of a partner network needs it: partners tied to each other, not only to
// the start), in the order the walk met them. Truncated says the limit
// left nodes out; the walk then finishes the level at which it reached the
// limit and goes no further, since a further level could add no node.
// The entities and relations share their Properties, Labels, Aliases and
// Sources with the read cache and other answers (wholeRecords): a caller
// may change their own fields, but must copy those before changing them.
// Unknown ids are NotFound errors, unknown type names Invalid ones.
func (s *Store) Neighborhood(ctx context.Context, id string, opts NeighborhoodOptions, ro ReadOptions) (*Subgraph, error) {
	var sg *Subgraph
	err := s.viewNeighborhood(ctx, id, opts, ro, func(r *Reader, start NodeID, f *EdgeFilter, limit int) error {
		if limit == 0 {
			sg = &Subgraph{Truncated: true}
			return nil
		}
		nodes, rels, truncated, err := r.Neighborhood(start, f, opts.Depth, limit, !opts.NodesOnly)
		if err != nil {
			return err
		}
		ents, err := wholeRecords(r, &entityDecoding, nodes)
		if err != nil {
			return err
		}
		rs, err := wholeRecords(r, &relationDecoding, rels)
		if err != nil {
			return err
		}
		sg = &Subgraph{Nodes: ents, Edges: rs, Truncated: truncated}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sg, nil
}
