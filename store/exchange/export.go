package exchange

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/ties-graph/ties/store"
)

// Scope selects the part of the graph an export covers.
type Scope struct {
	// From starts a subgraph at this entity id: everything within Depth
	// hops over relations that pass the filters. Empty exports the whole
	// graph.
	From  string
	Depth int
	// Types keeps relations of these types; empty keeps all.
	Types []string
	// EntityTypes keeps entities of these types, subtypes included, and
	// the relations between them; empty keeps all. A subgraph keeps its
	// start entity whatever its type.
	EntityTypes []string
	// ValidAt keeps relations valid at this date (partial dates compare as
	// intervals); zero keeps all. Entities are kept regardless.
	ValidAt store.Date

	// evidence adds to a subgraph, and to a whole graph under an entity
	// filter, the documents their facts cite. Export sets it for the
	// formats import reads (NDJSON, JSON, CSV), so that what one exports
	// loads elsewhere, where a source must cite an existing Document;
	// GraphML, GEXF and DOT only draw, and would only gain unconnected
	// document nodes.
	evidence bool
}

// ExportOptions configure Export.
type ExportOptions struct {
	Format Format
	Scope  Scope
	AsOf   time.Time // the recorded-time snapshot to export; zero = now
}

// ExportStats counts what an export wrote.
type ExportStats struct {
	Entities  int
	Relations int
	// AsText names the properties the format wrote as text though their
	// values are not, such as "country (entities)" in CSV when some
	// values are lists and others text: an import of the file reads them
	// back as text. Only CSV has such properties.
	AsText []string
}

// encoder writes one format. The export calls begin, entity for each entity,
// endEntities, relation for each relation, and end, always in this order.
type encoder interface {
	begin(s *schema) error
	entity(e *store.Entity) error
	endEntities() error
	relation(r *store.Relation) error
	end() error
}

// Export writes the scope of the graph to w in opts.Format, streaming from
// one consistent snapshot: memory holds a schema of property names and, for
// a subgraph, the set of reached entities, never the graph. Entities come
// in id order, then relations in id order. It returns Invalid errors for an
// unknown format or type name, NotFound when Scope.From does not exist, and
// the errors of the store and of w.
func Export(ctx context.Context, st *store.Store, w io.Writer, opts ExportOptions) (ExportStats, error) {
	enc, typed, err := newEncoder(opts.Format, w)
	if err != nil {
		return ExportStats{}, err
	}
	return run(ctx, st, enc, typed, opts)
}

// ExportCSVFiles writes the CSV export as two files, nodes and
// relationships, instead of a zip. Errors are those of Export.
func ExportCSVFiles(ctx context.Context, st *store.Store, nodes, relationships io.Writer, opts ExportOptions) (ExportStats, error) {
	opts.Format = CSV
	return run(ctx, st, newCSVWriter(nodes, relationships), true, opts)
}

func newEncoder(f Format, w io.Writer) (enc encoder, typed bool, err error) {
	switch f {
	case NDJSON:
		return newNDJSONWriter(w), false, nil
	case JSON:
		return newNodeLinkWriter(w), false, nil
	case CSV:
		return newCSVZipWriter(w, time.Now()), true, nil
	case GraphML:
		return newGraphMLWriter(w), true, nil
	case GEXF:
		return newGEXFWriter(w), true, nil
	case DOT:
		return newDOTWriter(w), false, nil
	}
	return nil, false, store.Errorf(store.Invalid, "cannot export format %q (use ndjson, json, csv, graphml, gexf or dot)", f)
}

func run(ctx context.Context, st *store.Store, enc encoder, typed bool, opts ExportOptions) (ExportStats, error) {
	var stats ExportStats
	opts.Scope.evidence = opts.Format.importable()
	err := st.View(ctx, store.ReadOptions{AsOf: opts.AsOf}, func(r *store.Reader) error {
		sel, err := selectScope(r, opts.Scope)
		if err != nil {
			return err
		}
		stats, err = write(cancellable(r.Context(), sel), r.Ontology(), enc, typed)
		return err
	})
	return stats, err
}

// write drives an encoder over a selection, reading it once. Typed
// formats declare their properties first: their records go to a spool
// while the schema is collected, and are written from it (spool.go).
func write(sel selection, o store.Ontology, enc encoder, typed bool) (ExportStats, error) {
	var stats ExportStats
	s := newSchema(o)
	if typed {
		sp, err := newSpool()
		if err != nil {
			return stats, err
		}
		defer sp.close()
		return writeWith(sel, s, enc, sp)
	}
	return writeWith(sel, s, enc, nil)
}

// writeWith reads the selection into enc, or, given a spool, into the
// spool and the schema first and from the spool into enc.
func writeWith(sel selection, s *schema, enc encoder, sp *spool) (ExportStats, error) {
	var stats ExportStats
	entity, endEntities, relation := enc.entity, enc.endEntities, enc.relation
	if sp != nil {
		entity = func(e *store.Entity) error { s.addEntity(e); return sp.entity(e) }
		endEntities = func() error { return nil }
		relation = func(r *store.Relation) error { s.addRelation(r); return sp.relation(r) }
	} else if err := enc.begin(s); err != nil {
		return stats, fmt.Errorf("export: %w", err)
	}
	err := sel.eachEntity(func(e *store.Entity) error {
		stats.Entities++
		return entity(e)
	})
	if err != nil {
		return stats, fmt.Errorf("export entities: %w", err)
	}
	if err := endEntities(); err != nil {
		return stats, fmt.Errorf("export: %w", err)
	}
	err = sel.eachRelation(func(r *store.Relation) error {
		stats.Relations++
		return relation(r)
	})
	if err != nil {
		return stats, fmt.Errorf("export relations: %w", err)
	}
	if sp != nil {
		if err := enc.begin(s); err != nil {
			return stats, fmt.Errorf("export: %w", err)
		}
		if t, ok := enc.(interface{ asText() []string }); ok {
			stats.AsText = t.asText()
		}
		ctx := context.Background()
		if c, ok := sel.(ctxSelection); ok {
			ctx = c.ctx // the replay too stops when the client goes away
		}
		if err := sp.replay(ctx, enc.entity, enc.endEntities, enc.relation); err != nil {
			return stats, fmt.Errorf("export: %w", err)
		}
	}
	if err := enc.end(); err != nil {
		return stats, fmt.Errorf("export: %w", err)
	}
	return stats, nil
}

// cancellable makes a selection stop when ctx ends, such as when the
// client of an HTTP export goes away.
func cancellable(ctx context.Context, sel selection) selection {
	return ctxSelection{ctx: ctx, sel: sel}
}

type ctxSelection struct {
	ctx context.Context
	sel selection
}

func (c ctxSelection) eachEntity(fn func(*store.Entity) error) error {
	return c.sel.eachEntity(untilDone(c.ctx, fn))
}

func (c ctxSelection) eachRelation(fn func(*store.Relation) error) error {
	return c.sel.eachRelation(untilDone(c.ctx, fn))
}

// untilDone returns fn, stopping with ctx's error once ctx is done; it
// looks at ctx every 1024 records, not at every one.
func untilDone[T any](ctx context.Context, fn func(T) error) func(T) error {
	n := 0
	return func(x T) error {
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		return fn(x)
	}
}

// selection iterates the entities and relations of a scope, each in id
// order, as many times as asked.
type selection interface {
	eachEntity(fn func(*store.Entity) error) error
	eachRelation(fn func(*store.Relation) error) error
}

func selectScope(r *store.Reader, sc Scope) (selection, error) {
	// Filter validates the type names against the snapshot's ontology.
	f, err := r.Filter(sc.Types, store.Both, sc.ValidAt, sc.EntityTypes)
	if err != nil {
		return nil, err
	}
	if sc.From != "" {
		return newSubgraph(r, f, sc)
	}
	if sc.Depth != 0 {
		return nil, store.FieldError("", "depth", "depth needs a start entity (from)")
	}
	w := &wholeGraph{r: r, validAt: sc.ValidAt, evidence: sc.evidence}
	if len(sc.Types) > 0 {
		w.types = map[string]bool{}
		for _, t := range sc.Types {
			w.types[t] = true
		}
	}
	if len(sc.EntityTypes) > 0 {
		w.entityTypes = subtypes(r.Ontology(), sc.EntityTypes)
		w.admitted = map[string]struct{}{}
	}
	return w, nil
}

// subtypes returns the names of the given entity types and all their
// descendants.
func subtypes(o store.Ontology, names []string) map[string]bool {
	set := map[string]bool{}
	for _, n := range names {
		set[n] = true
	}
	for changed := true; changed; {
		changed = false
		for _, t := range o.EntityTypes {
			if t.Parent != "" && set[t.Parent] && !set[t.Name] {
				set[t.Name] = true
				changed = true
			}
		}
	}
	return set
}

// wholeGraph streams the store's entities and relations, filtered.
type wholeGraph struct {
	r           *store.Reader
	types       map[string]bool // nil = all
	entityTypes map[string]bool // nil = all
	validAt     store.Date
	// admitted holds the ids of the entities that passed the entity filter,
	// so that relations to the others are dropped; it exists only when an
	// entity filter does, and is filled by the first entity pass.
	admitted map[string]struct{}
	filled   bool
	// evidence adds, under an entity filter, the documents the exported
	// facts cite (as a subgraph export does), so that an NDJSON export of
	// the people of a graph still loads on its own. cited holds their ids;
	// their own relations stay out unless they pass the filter.
	evidence bool
	cited    map[string]struct{}
}

func (w *wholeGraph) eachEntity(fn func(*store.Entity) error) error {
	if err := w.fillOnce(); err != nil {
		return err
	}
	return w.r.EachEntity(func(e *store.Entity) error {
		if w.entityTypes != nil && !w.entityTypes[e.Type] {
			if _, ok := w.cited[e.ID]; !ok {
				return nil
			}
		}
		return fn(e)
	})
}

// fillOnce fills the admitted entities before the first pass that needs
// them.
func (w *wholeGraph) fillOnce() error {
	if w.admitted == nil || w.filled {
		return nil
	}
	return w.fill()
}

// fill records the entities that pass the entity filter and, for
// evidence, the documents cited by them and by the relations exported.
func (w *wholeGraph) fill() error {
	var cited []string
	note := func(ss []store.Source) {
		for _, s := range ss {
			cited = append(cited, s.Document)
		}
	}
	err := w.r.EachEntity(func(e *store.Entity) error {
		if w.entityTypes[e.Type] {
			w.admitted[e.ID] = struct{}{}
			note(e.Sources)
		}
		return nil
	})
	if err != nil {
		return err
	}
	w.filled = true
	if !w.evidence {
		return nil
	}
	if err := w.eachRelation(func(rel *store.Relation) error { note(rel.Sources); return nil }); err != nil {
		return err
	}
	w.cited = map[string]struct{}{}
	for len(cited) > 0 {
		var ids []store.NodeID
		for _, id := range cited {
			_, in := w.admitted[id]
			_, done := w.cited[id]
			if in || done {
				continue
			}
			n, ok, err := w.r.Lookup(id)
			if err != nil {
				return err
			}
			if ok {
				w.cited[id] = struct{}{}
				ids = append(ids, n)
			}
		}
		cited = cited[:0]
		// Documents cite documents too.
		if err := eachBody(ids, w.r.Entities, func(_ store.NodeID, e *store.Entity) error { note(e.Sources); return nil }); err != nil {
			return err
		}
	}
	return nil
}

func (w *wholeGraph) eachRelation(fn func(*store.Relation) error) error {
	if err := w.fillOnce(); err != nil {
		return err
	}
	return w.r.EachRelation(func(rel *store.Relation) error {
		if w.types != nil && !w.types[rel.Type] {
			return nil
		}
		if !store.ValidAt(rel.ValidFrom, rel.ValidTo, w.validAt) {
			return nil
		}
		if w.admitted != nil {
			if _, ok := w.admitted[rel.From]; !ok {
				return nil
			}
			if _, ok := w.admitted[rel.To]; !ok {
				return nil
			}
		}
		return fn(rel)
	})
}

// subgraph is the neighbourhood of one entity, found breadth first over the
// snapshot's adjacency keys. It keeps internal ids only (sorted by external
// id), and reads bodies in batches on each pass.
type subgraph struct {
	r     *store.Reader
	nodes []store.NodeID
	rels  []store.RelID
}

const bodyBatch = 512

func newSubgraph(r *store.Reader, f *store.EdgeFilter, sc Scope) (*subgraph, error) {
	start, ok, err := r.Lookup(sc.From)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &store.Error{Code: store.NotFound, Field: "from", Message: fmt.Sprintf("no entity %q", sc.From)}
	}
	if sc.Depth < 0 {
		return nil, store.FieldError("", "depth", "depth must be 0 or more, got %d", sc.Depth)
	}
	// The neighbourhood a query answers, unbounded, with the relations
	// among the reached entities; those relations are seen from either
	// end, since the entity-type filter applies to the far end only and
	// the start entity need not pass it.
	order, relIDs, _, err := r.Neighborhood(start, f, sc.Depth, -1, true)
	if err != nil {
		return nil, err
	}
	visited := make(map[store.NodeID]struct{}, len(order))
	for _, n := range order {
		visited[n] = struct{}{}
	}
	if sc.evidence {
		if order, err = withCitedDocuments(r, order, visited, relIDs); err != nil {
			return nil, err
		}
	}
	sg := &subgraph{r: r}
	if sg.nodes, err = sortByID(order, r.Entities, func(e *store.Entity) string { return e.ID }); err != nil {
		return nil, err
	}
	if sg.rels, err = sortByID(relIDs, r.Relations, func(rel *store.Relation) string { return rel.ID }); err != nil {
		return nil, err
	}
	return sg, nil
}

// withCitedDocuments adds to a subgraph's entities the documents its
// entities and relations cite, and the documents those cite, so that a
// subgraph export carries its evidence and loads into an empty store
// (a source must cite an existing Document).
func withCitedDocuments(r *store.Reader, order []store.NodeID, visited map[store.NodeID]struct{}, rels []store.RelID) ([]store.NodeID, error) {
	var cited []string
	note := func(ss []store.Source) {
		for _, s := range ss {
			cited = append(cited, s.Document)
		}
	}
	if err := eachBody(rels, r.Relations, func(_ store.RelID, rel *store.Relation) error { note(rel.Sources); return nil }); err != nil {
		return nil, err
	}
	for todo := order; len(todo) > 0 || len(cited) > 0; {
		if err := eachBody(todo, r.Entities, func(_ store.NodeID, e *store.Entity) error { note(e.Sources); return nil }); err != nil {
			return nil, err
		}
		todo = nil
		for _, id := range cited {
			n, ok, err := r.Lookup(id)
			if err != nil {
				return nil, err
			}
			if _, in := visited[n]; ok && !in {
				visited[n] = struct{}{}
				order = append(order, n)
				todo = append(todo, n)
			}
		}
		cited = cited[:0]
	}
	return order, nil
}

// eachBody reads the records of ids through read (Reader.Entities or
// Reader.Relations) in batches of bodyBatch, and calls fn, in the order
// of ids, for each that exists, with its internal id.
func eachBody[ID, T any](ids []ID, read func([]ID) ([]*T, error), fn func(ID, *T) error) error {
	for i := 0; i < len(ids); i += bodyBatch {
		batch := ids[i:min(i+bodyBatch, len(ids))]
		xs, err := read(batch)
		if err != nil {
			return err
		}
		for j, x := range xs {
			if x == nil {
				continue
			}
			if err := fn(batch[j], x); err != nil {
				return err
			}
		}
	}
	return nil
}

// sortByID returns the internal ids of the records that exist, in the
// order of their external ids (idOf), which is the order of an export.
func sortByID[ID, T any](ids []ID, read func([]ID) ([]*T, error), idOf func(*T) string) ([]ID, error) {
	type pair struct {
		id string
		n  ID
	}
	pairs := make([]pair, 0, len(ids))
	err := eachBody(ids, read, func(n ID, x *T) error {
		pairs = append(pairs, pair{idOf(x), n})
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].id < pairs[j].id })
	out := make([]ID, len(pairs))
	for i, p := range pairs {
		out[i] = p.n
	}
	return out, nil
}

func (sg *subgraph) eachEntity(fn func(*store.Entity) error) error {
	return eachBody(sg.nodes, sg.r.Entities, func(_ store.NodeID, e *store.Entity) error { return fn(e) })
}

func (sg *subgraph) eachRelation(fn func(*store.Relation) error) error {
	return eachBody(sg.rels, sg.r.Relations, func(_ store.RelID, rel *store.Relation) error { return fn(rel) })
}
