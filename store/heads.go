package store

import (
	"context"
	"fmt"
	"runtime"
	"unsafe"
)

// EntityHead is an entity as a list or a chart shows it: id, type and
// name. They lead the stored body, so a head is read from the front of it
// without decoding labels, properties or sources. NeighborhoodHeads
// copies the ids and names of all its heads into one string.
type EntityHead struct {
	ID, Type, Name string
}

// RelationHead is a relation as a chart draws it: its type, the external
// ids of its endpoints and when it held. All of it comes from the
// adjacency keys the walk scans, so no relation body is read, except for
// the relation's own id when HeadOptions.RelationIDs asks for it.
type RelationHead struct {
	ID                 string // empty unless HeadOptions.RelationIDs
	Type               string
	From, To           string
	ValidFrom, ValidTo Date
}

// SubgraphHeads is a neighbourhood as heads: what Subgraph holds, for
// the callers that show ids, names, types and endpoints only (the
// GraphQL responses dashboards ask for most).
type SubgraphHeads struct {
	Nodes     []EntityHead
	Edges     []RelationHead
	Truncated bool
	// Links, LinkTypes and LinkIDs hold the relations instead of Edges
	// when HeadOptions.Links asks for them (see HeadLink).
	Links     []HeadLink
	LinkTypes []string // the relation types' names, HeadLink.Type's places
	LinkIDs   []string // with HeadOptions.RelationIDs, each link's id

	// lender takes the lists back on Release; idText is the room the
	// link ids are copied into (packIDsInto), nodeText that of the nodes'
	// ids and names (readCache.entityHeads).
	lender   *headsLender
	idText   []byte
	nodeText []byte
}

// HeadLink is a RelationHead by reference: its ends are places in
// SubgraphHeads.Nodes and its type a place in SubgraphHeads.LinkTypes.
// A writer that turns them into text anyway copies no string per
// relation, and a slice of them holds no pointer for the collector to
// follow: a third of a RelationHead's size for the thousands of relations
// of a large neighbourhood.
type HeadLink struct {
	From, To           int32
	Type               int32
	ValidFrom, ValidTo Date
}

// HeadOptions say which parts of a SubgraphHeads to produce.
type HeadOptions struct {
	// Edges asks for the relations between the nodes (the induced
	// subgraph, as Neighborhood returns it); without it the last level
	// is not scanned again.
	Edges bool
	// RelationIDs also reads each relation's id from its body.
	RelationIDs bool
	// Links gives the relations as Links (and their ids as LinkIDs),
	// leaving Edges empty.
	Links bool
}

// NeighborhoodHeads answers what Neighborhood answers, with the same
// options, order, limit and errors, as heads: an entity body is read only
// up to its name and a relation body only for its id, and only when
// ho.RelationIDs asks for it. opts.NodesOnly is ignored; ho.Edges says
// whether relations are wanted.
func (s *Store) NeighborhoodHeads(ctx context.Context, id string, opts NeighborhoodOptions, ho HeadOptions, ro ReadOptions) (*SubgraphHeads, error) {
	var sg *SubgraphHeads
	err := s.viewNeighborhood(ctx, id, opts, ro, func(r *Reader, start NodeID, f *EdgeFilter, limit int) (err error) {
		if limit == 0 {
			sg = &SubgraphHeads{Truncated: true}
			return nil
		}
		sg, err = r.neighborhoodHeads(start, f, opts.Depth, limit, ho)
		return err
	})
	if err != nil {
		return nil, err
	}
	return sg, nil
}

// neighborhoodHeads is Reader.Neighborhood keeping the edges themselves,
// not only their relation ids, and turning the result into heads.
// The walker is the store's, lent for the call: nothing of it is in the
// answer.
func (r *Reader) neighborhoodHeads(start NodeID, f *EdgeFilter, depth, limit int, ho HeadOptions) (*SubgraphHeads, error) {
	wk := r.walkers.get()
	defer r.walkers.put(wk)
	if err := r.walkInto(wk, start, f, depth, limit, ho.Edges, ho.RelationIDs); err != nil {
		return nil, err
	}
	w := &wk.walk
	var err error
	sg := r.heads.get()
	sg.lender = r.heads // nil without one: Release then leaves sg to the collector
	sg.Nodes, sg.Truncated = grown(sg.Nodes, len(w.nodes)), w.truncated
	wk.found, wk.places = grown(wk.found, len(w.nodes)), grown(wk.places, len(w.nodes))
	found, places := wk.found, wk.places
	var missing int
	sg.nodeText, missing = r.cache.entityHeads(w.nodes, r.ts, r.sch, sg.Nodes, places, found, sg.nodeText)
	pointHeads(sg.Nodes, places, found, sg.nodeText)
	if missing > 0 {
		if err := r.headsFromBodies(wk, sg.Nodes, found, missing); err != nil {
			return nil, err
		}
		// The heads read from bodies lie in them, scattered.
		packHeads(sg.Nodes)
	}
	if len(w.edges) > 0 {
		var linkIDs []string
		if ho.RelationIDs {
			if linkIDs, sg.idText, err = r.linkIDs(w, sg.LinkIDs, sg.idText); err != nil {
				return nil, err
			}
		}
		if ho.Links {
			sg.Links, sg.LinkTypes = r.headLinks(w.edges, sg.Links, sg.LinkTypes)
			sg.LinkIDs = linkIDs
			return sg, nil
		}
		sg.Edges = make([]RelationHead, len(w.edges))
		for i, e := range w.edges {
			h := RelationHead{
				Type: r.sch.name(e.typ), From: sg.Nodes[e.from].ID, To: sg.Nodes[e.to].ID,
				ValidFrom: e.validFrom, ValidTo: e.validTo,
			}
			if linkIDs != nil {
				h.ID = linkIDs[i]
			}
			sg.Edges[i] = h
		}
	}
	return sg, nil
}

// headsFromBodies sets the heads of the walk's nodes that the cache's
// head table did not have (found false, missing of them) from their
// bodies, cached or read.
func (r *Reader) headsFromBodies(wk *walker, heads []EntityHead, found []bool, missing int) error {
	nodes := wk.walk.nodes
	missed := grown(wk.missed, missing)
	wk.missed = missed
	k := 0
	for i, n := range nodes {
		if !found[i] {
			missed[k] = n
			k++
		}
	}
	bodies := wk.bodyRoom(missing)
	r.cache.entityBodies(missed, r.ts, bodies)
	runtime.KeepAlive(touchBodies(bodies))
	k = 0
	for i, n := range nodes {
		if found[i] {
			continue
		}
		var err error
		if b := bodies[k]; b == "" {
			heads[i], err = r.entityHead(n)
		} else {
			heads[i], err = r.headOf(n, b)
		}
		k++
		if err != nil {
			return err
		}
	}
	return nil
}

// packHeadsMin is the fewest nodes whose heads packHeads copies.
const packHeadsMin = 1024

// packHeads copies the ids and names of nodes into one string, in their
// order, and points the heads at it.
//
// Read from the front of the cached bodies, they lay one per body, each
// a cache line somewhere in the read cache; by the time a writer got to
// them, after the relations' ids and the answer's other work, the lines
// of a large answer (the power law's depth 3 has 6,000 nodes) were out of
// the CPU's cache again, and each node's id and name cost a miss, a
// tenth of a chart answer's CPU. Copied here, where the bodies were just
// read, the writer reads them as one sequential run.
//
// A small answer's bodies are still in the CPU's cache when it is
// written, and the copy would be all cost: the heads of fewer than
// packHeadsMin nodes stay where they are.
func packHeads(nodes []EntityHead) {
	if len(nodes) < packHeadsMin {
		return
	}
	n := 0
	for i := range nodes {
		n += len(nodes[i].ID) + len(nodes[i].Name)
	}
	text := make([]byte, 0, n)
	for i := range nodes {
		text = append(text, nodes[i].ID...)
		text = append(text, nodes[i].Name...)
	}
	all := unsafe.String(unsafe.SliceData(text), len(text))
	at := 0
	for i := range nodes {
		h := &nodes[i]
		h.ID, at = all[at:at+len(h.ID)], at+len(h.ID)
		h.Name, at = all[at:at+len(h.Name)], at+len(h.Name)
	}
}

// linkIDs returns the external ids of w's edges: those the walk found
// beside the cached adjacencies, the others read from the relations'
// bodies, in the room of ids, copied into that of text (packIDsInto),
// which it returns. It then adds the ids of the adjacencies the walk met
// without them to the cache, so that the next walk over them reads no
// body.
func (r *Reader) linkIDs(w *walk, ids []string, text []byte) ([]string, []byte, error) {
	ids = grown(ids, len(w.edges))
	if len(w.idRefs) == len(w.edges) {
		w.gatherIDs(ids)
	}
	var rels []RelID
	for i, id := range ids {
		if id == "" {
			rels = append(rels, w.edges[i].rel)
		}
	}
	if len(rels) > 0 {
		found := make([]string, len(rels))
		if err := r.relationIDsInto(rels, found); err != nil {
			return nil, text, err
		}
		j := 0
		for i, id := range ids {
			if id == "" {
				ids[i] = found[j]
				j++
			}
		}
	}
	r.nameAdjacencies(w.unnamed)
	text = packIDsInto(ids, text)
	return ids, text, nil
}

// headLinks returns edges as links, and the names of their types, in the
// room of links and types.
func (r *Reader) headLinks(edges []walkEdge, links []HeadLink, types []string) ([]HeadLink, []string) {
	links = grown(links, len(edges))
	types = grown(types, len(r.sch.types))
	for i := range edges {
		e := &edges[i]
		if int(e.typ) >= len(types) {
			types = append(types, make([]string, int(e.typ)+1-len(types))...)
		}
		if types[e.typ] == "" {
			types[e.typ] = r.sch.name(e.typ)
		}
		links[i] = HeadLink{From: e.from, To: e.to, Type: int32(e.typ), ValidFrom: e.validFrom, ValidTo: e.validTo}
	}
	return links, types
}

// walk is the result of walkNeighborhood.
type walk struct {
	nodes     []NodeID
	at        nodePlaces // the place of each node in nodes, when relations are wanted
	edges     []walkEdge
	truncated bool
	// With walker.ids: idRefs[i] says where the external id of edges[i]
	// lies, idLists[place] being the cached ids of the adjacency of
	// nodes[place] (nil where the walk found none), and unnamed the
	// cached adjacencies it met without ids.
	idRefs  []idRef
	idLists [][]string
	unnamed []unnamedAdj
}

// walkEdge is a relation the walk keeps: what a RelationHead needs, with
// its ends as places in walk.nodes, known when the walk meets it, so that
// no lookup by NodeID is needed afterwards. It is less than half an Edge,
// which the walk of a large neighbourhood appends thousands of.
type walkEdge struct {
	rel                RelID
	typ                TypeID
	from, to           int32
	validFrom, validTo Date
}

// walkNeighborhood is the breadth-first walk behind Reader.Neighborhood
// (see there for its order, limit and induced subgraph) and
// NeighborhoodHeads, returning the edges found: each relation once, as
// the first scan that met it.
//
// Each level's frontier is the run of nodes it added, so a node's place in
// nodes is also the order in which it is expanded. When the walk follows
// both directions, every relation between two nodes of the set is met
// once from each end (an entity type filter admits none towards a start
// of another type, and the start is expanded first), so the first meeting
// is the one from the end expanded first: no set of the relations seen is
// needed. Other directions keep that set.
func (r *Reader) walkNeighborhood(start NodeID, f *EdgeFilter, depth, limit int, relations bool) (walk, error) {
	return r.walkNeighborhoodIDs(start, f, depth, limit, relations, false)
}

// walkNeighborhoodIDs is walkNeighborhood, also collecting the relations'
// ids the cache holds beside their adjacencies when ids asks for them.
func (r *Reader) walkNeighborhoodIDs(start NodeID, f *EdgeFilter, depth, limit int, relations, ids bool) (walk, error) {
	wk := &walker{}
	if err := r.walkInto(wk, start, f, depth, limit, relations, ids); err != nil {
		return walk{}, err
	}
	return wk.walk, nil
}

// walkInto is walkNeighborhoodIDs building the walk in wk, a new walker
// or one of the store's walkers: its lists are empty, their room is used.
func (r *Reader) walkInto(wk *walker, start NodeID, f *EdgeFilter, depth, limit int, relations, ids bool) error {
	if f == nil {
		f = compileFilter(r.sch, nil, Both, Date{}, nil)
	}
	wk.nodes = append(wk.nodes[:0], start)
	wk.seen, wk.limit, wk.relations, wk.ids = r.nodeSets.get(), limit, relations, relations && ids
	defer func() { r.nodeSets.put(wk.seen, wk.nodes) }()
	wk.seen.add(start)
	if relations {
		wk.at.restart()
		wk.at.put(start, 0)
		if f.direction != Both {
			wk.seenRel = map[RelID]struct{}{}
		} else {
			wk.expanded = r.nodeSets.get()
			defer func() { r.nodeSets.put(wk.expanded, wk.nodes) }()
		}
	}
	lo, hi := 0, 1 // the frontier is nodes[lo:hi]
	for d := 0; d < depth && lo < hi && !wk.truncated; d++ {
		if err := r.expandLevel(wk, f, lo, hi, false); err != nil {
			return err
		}
		if err := r.ctx.Err(); err != nil {
			return err
		}
		lo, hi = hi, len(wk.nodes)
	}
	if lo < hi && relations {
		if err := r.expandLevel(wk, f, lo, hi, true); err != nil {
			return err
		}
	}
	return nil
}

// entityHead reads the head of node n's body, through the cache.
func (r *Reader) entityHead(n NodeID) (EntityHead, error) {
	v, ok, err := r.body(cacheEntity, pEntity, uint64(n))
	if err != nil {
		return EntityHead{}, err
	}
	if !ok {
		return EntityHead{}, fmt.Errorf("entity %d: no body", n)
	}
	return r.headOf(n, v)
}

// headOf decodes the head at the front of node n's body v.
func (r *Reader) headOf(n NodeID, v string) (EntityHead, error) {
	id, name, t, err := decodeHead(v)
	if err != nil {
		return EntityHead{}, fmt.Errorf("entity %d: %w", n, err)
	}
	return EntityHead{ID: id, Name: name, Type: r.sch.name(t)}, nil
}

// decodeHead decodes the head at the front of an entity body: its id,
// type and name, the rest left unread.
func decodeHead(v string) (id, name string, t TypeID, err error) {
	d := decoder{s: v}
	if f := d.byte(); d.err == nil && f != bodyFormat {
		return "", "", 0, fmt.Errorf("body format %d, want %d", f, bodyFormat)
	}
	id = d.str()
	t = TypeID(d.uvarint())
	name = d.str()
	if d.err != nil {
		return "", "", 0, fmt.Errorf("decode body: %w", d.err)
	}
	return id, name, t, nil
}

// relationHeadID reads the id at the front of relation id's body, through
// the cache.
func (r *Reader) relationHeadID(id RelID) (string, error) {
	v, ok, err := r.body(cacheRelation, pRelation, uint64(id))
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("relation %d: no body", id)
	}
	return relationIDOf(id, v)
}

// relationIDPast is relationHeadID reading the body from the backend
// without adding it to the cache.
func (r *Reader) relationIDPast(id RelID) (string, error) {
	v, ok, err := readPast(r.tx, relationKey(id))
	if err != nil {
		return "", fmt.Errorf("read relation %d: %w", id, err)
	}
	if !ok {
		return "", fmt.Errorf("relation %d: no body", id)
	}
	return relationIDOf(id, string(v))
}

// relationIDOf decodes the id at the front of v, the body of relation id.
func relationIDOf(id RelID, v string) (string, error) {
	d := decoder{s: v}
	if f := d.byte(); d.err == nil && f != bodyFormat {
		return "", fmt.Errorf("relation %d: body format %d, want %d", id, f, bodyFormat)
	}
	ext := d.str()
	if d.err != nil {
		return "", fmt.Errorf("relation %d: decode body: %w", id, d.err)
	}
	return ext, nil
}
