package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/connect"
	"github.com/ties-graph/ties/store/gen"
)

// loadTies opens a store in dir, with a read cache of cacheBytes (0: the
// store's default), and bulk-loads the generated graph, through
// Store.Load (the path `ties import` takes) or, with via "apply", through
// Store.Apply in batches of batch records, as a client upserting over the
// API would; with via "none" it reuses a directory that already holds the
// graph and reports no load time.
func loadTies(ctx context.Context, log *slog.Logger, dir string, cfg gen.Config, via string, batch int, cacheBytes int64) (*store.Store, time.Duration, error) {
	s, err := store.Open(dir, store.Options{Logger: log, CacheSize: cacheBytes})
	if err != nil {
		return nil, 0, fmt.Errorf("open store: %w", err)
	}
	return loadInto(ctx, log, s, dir, cfg, via, batch)
}

// loadInto is loadTies on a store already open (on any backend); where
// names it in messages. It closes s when it fails.
func loadInto(ctx context.Context, log *slog.Logger, s *store.Store, dir string, cfg gen.Config, via string, batch int) (*store.Store, time.Duration, error) {
	var err error
	start := time.Now()
	var entities, relations int
	switch via {
	case "none":
		// The directory already holds the graph; check that it is the
		// right size rather than trust the caller.
		st, err := s.Stats(ctx, store.ReadOptions{})
		if err != nil {
			s.Close()
			return nil, 0, fmt.Errorf("stats of %s: %w", dir, err)
		}
		if st.Relations != cfg.Relations {
			s.Close()
			return nil, 0, fmt.Errorf("%s holds %d relations, not the %d generated with these flags", dir, st.Relations, cfg.Relations)
		}
		log.Info("reusing loaded Ties store", "dir", dir, "entities", st.Entities, "relations", st.Relations)
		return s, 0, nil
	case "load":
		var res store.LoadResult
		res, err = s.Load(ctx, gen.Source(cfg), store.LoadOptions{Source: "generated"})
		entities, relations = res.Entities, res.Relations
	case "apply":
		entities, relations, err = applyInBatches(ctx, s, cfg, batch)
	default:
		err = fmt.Errorf("unknown load path %q (use load, apply or none)", via)
	}
	took := time.Since(start)
	if err != nil {
		s.Close()
		return nil, 0, fmt.Errorf("load store: %w", err)
	}
	log.Info("loaded Ties", "via", via, "entities", entities, "relations", relations, "took", took.Round(time.Millisecond))
	return s, took, nil
}

// applyInBatches writes the graph with one Store.Apply per batch records.
// The generator yields all entities before any relation, so every batch
// refers only to entities already written.
func applyInBatches(ctx context.Context, s *store.Store, cfg gen.Config, batch int) (entities, relations int, err error) {
	var b store.Batch
	flush := func() error {
		if len(b.Entities)+len(b.Relations) == 0 {
			return nil
		}
		res, err := s.Apply(ctx, b)
		if err != nil {
			return err
		}
		entities += len(res.Entities)
		relations += len(res.Relations)
		b = store.Batch{}
		return nil
	}
	err = gen.Source(cfg)(ctx, func(r store.Record) error {
		switch {
		case r.Entity != nil:
			b.Entities = append(b.Entities, *r.Entity)
		case r.Relation != nil:
			b.Relations = append(b.Relations, *r.Relation)
		}
		if len(b.Entities)+len(b.Relations) >= batch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return entities, relations, err
}

// tiesStore answers through the store's public API, as the GraphQL
// resolvers do: Neighborhood reads the entity and relation bodies of the
// subgraph, ShortestPath those of the path.
type tiesStore struct {
	s     *store.Store
	limit int
	name  string // "ties" when empty
	// heads asks for NeighborhoodHeads, what the resolvers call for
	// nodes { id name type }, instead of whole entities.
	heads bool
}

var _ system = (*tiesStore)(nil)

func (t *tiesStore) Name() string {
	if t.name == "" {
		return "ties"
	}
	return t.name
}

func (t *tiesStore) Close() error { return nil }

func (t *tiesStore) Neighborhood(ctx context.Context, id string, depth int) (int, error) {
	// The query is the node set, as the other systems answer it, and as
	// the resolver asks for it when a query selects nodes alone.
	opts := store.NeighborhoodOptions{Depth: depth, Direction: store.Both, Limit: new(t.limit), NodesOnly: true}
	if t.heads {
		h, err := t.s.NeighborhoodHeads(ctx, id, opts, store.HeadOptions{}, store.ReadOptions{})
		if err != nil {
			return 0, err
		}
		// As the server does once it has written the answer: the lists go
		// back to the store for the next walk.
		n, truncated := len(h.Nodes), h.Truncated
		h.Release()
		if truncated {
			return n, errTruncated
		}
		return n, nil
	}
	g, err := t.s.Neighborhood(ctx, id, opts, store.ReadOptions{})
	if err != nil {
		return 0, err
	}
	if g.Truncated {
		return len(g.Nodes), errTruncated
	}
	return len(g.Nodes), nil
}

func (t *tiesStore) ShortestPath(ctx context.Context, from, to string, maxDepth int) (int, error) {
	opts := store.PathOptions{Direction: store.Both, MaxDepth: new(maxDepth)}
	p, err := store.Read(ctx, t.s, store.ReadOptions{}, func(r *store.Reader) (*store.Path, error) {
		return connect.ShortestPath(r, from, to, opts)
	})
	if err != nil {
		return 0, err
	}
	if p == nil {
		return -1, nil
	}
	return len(p.Edges), nil
}

// tiesReader walks the store's adjacency keys through Reader.Expand and
// reads no bodies: the traversal engine alone, the fair match for the
// in-memory adjacency array.
type tiesReader struct {
	s *store.Store
}

var _ system = (*tiesReader)(nil)

func (t *tiesReader) Name() string { return "ties-reader" }

func (t *tiesReader) Close() error { return nil }

func (t *tiesReader) Neighborhood(ctx context.Context, id string, depth int) (int, error) {
	var count int
	err := t.s.View(ctx, store.ReadOptions{}, func(r *store.Reader) error {
		n, ok, err := r.Lookup(id)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("entity %s not found", id)
		}
		f, err := r.Filter(nil, store.Both, store.Date{}, nil)
		if err != nil {
			return err
		}
		seen := map[store.NodeID]struct{}{n: {}}
		frontier := []store.NodeID{n}
		for d := 0; d < depth && len(frontier) > 0; d++ {
			var next []store.NodeID
			err := r.Expand(frontier, f, func(_ int, e store.Edge) error {
				if _, ok := seen[e.Other]; !ok {
					seen[e.Other] = struct{}{}
					next = append(next, e.Other)
				}
				return nil
			})
			if err != nil {
				return err
			}
			frontier = next
		}
		count = len(seen)
		return nil
	})
	return count, err
}

// ShortestPath is a bidirectional breadth-first search over Expand that
// expands the smaller frontier, returning the length only.
func (t *tiesReader) ShortestPath(ctx context.Context, from, to string, maxDepth int) (int, error) {
	length := -1
	err := t.s.View(ctx, store.ReadOptions{}, func(r *store.Reader) error {
		a, ok1, err := r.Lookup(from)
		if err != nil {
			return err
		}
		b, ok2, err := r.Lookup(to)
		if err != nil {
			return err
		}
		if !ok1 || !ok2 {
			return fmt.Errorf("entity %s or %s not found", from, to)
		}
		if a == b {
			length = 0
			return nil
		}
		f, err := r.Filter(nil, store.Both, store.Date{}, nil)
		if err != nil {
			return err
		}
		seenA := map[store.NodeID]struct{}{a: {}}
		seenB := map[store.NodeID]struct{}{b: {}}
		fa, fb := []store.NodeID{a}, []store.NodeID{b}
		da, db := 0, 0
		for da+db < maxDepth && len(fa) > 0 && len(fb) > 0 {
			mine, other, frontier := seenA, seenB, fa
			if len(fb) < len(fa) {
				mine, other, frontier = seenB, seenA, fb
			}
			var next []store.NodeID
			met := false
			err := r.Expand(frontier, f, func(_ int, e store.Edge) error {
				if met {
					return nil
				}
				if _, ok := other[e.Other]; ok {
					met = true
					return nil
				}
				if _, ok := mine[e.Other]; !ok {
					mine[e.Other] = struct{}{}
					next = append(next, e.Other)
				}
				return nil
			})
			if err != nil {
				return err
			}
			if met {
				length = da + db + 1
				return nil
			}
			if len(fb) < len(fa) {
				fb, db = next, db+1
			} else {
				fa, da = next, da+1
			}
		}
		return nil
	})
	return length, err
}
