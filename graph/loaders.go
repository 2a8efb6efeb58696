package graph

import (
	"context"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

	"github.com/ties-graph/ties/store"
)

// loadKey names an entity or relation as of a recorded time (the zero
// time for now; see asOfTime), so that one request may read several
// snapshots.
type loadKey struct {
	id   string
	asOf time.Time
}

// loaders batch the entity and relation reads of one request: the from and
// to of a page of 50 relations cost one store read, not 50.
type loaders struct {
	entities  *dataloadgen.Loader[loadKey, *store.Entity]
	relations *dataloadgen.Loader[loadKey, *store.Relation]
	// changes keeps the records read for Change.before, after and fields,
	// which a query asking for all three would otherwise read twice.
	changes changeRecords
}

type loadersKey struct{}

// finders are the batched store reads behind the loaders.
type finders struct {
	entities  func(context.Context, []string, store.ReadOptions) ([]*store.Entity, error)
	relations func(context.Context, []string, store.ReadOptions) ([]*store.Relation, error)
}

// storeFinders reads from st.
func storeFinders(st *store.Store) finders {
	return finders{entities: st.FindEntitiesByIDs, relations: st.FindRelationsByIDs}
}

// newLoaders returns the loaders of one request. wait is how long a loader
// collects keys before it reads them.
func newLoaders(f finders, wait time.Duration) *loaders {
	return &loaders{
		entities: dataloadgen.NewLoader(func(ctx context.Context, keys []loadKey) ([]*store.Entity, []error) {
			return fetchByKeys(ctx, keys, f.entities)
		}, dataloadgen.WithWait(wait)),
		relations: dataloadgen.NewLoader(func(ctx context.Context, keys []loadKey) ([]*store.Relation, []error) {
			return fetchByKeys(ctx, keys, f.relations)
		}, dataloadgen.WithWait(wait)),
	}
}

// fetchByKeys reads a batch with one store call per snapshot asked for
// (nearly always one). A snapshot that cannot be read (an asOf older than
// the history kept) fails only the keys that asked for it: the batch
// gathers the reads of unrelated fields, which must not share its error.
func fetchByKeys[T any](ctx context.Context, keys []loadKey, find func(context.Context, []string, store.ReadOptions) ([]*T, error)) ([]*T, []error) {
	out := make([]*T, len(keys))
	var errs []error
	groups := map[time.Time][]int{}
	for i, k := range keys {
		groups[k.asOf] = append(groups[k.asOf], i)
	}
	for asOf, idx := range groups {
		ids := make([]string, len(idx))
		for j, i := range idx {
			ids[j] = keys[i].id
		}
		found, err := find(ctx, ids, readOptions(asOf))
		if err != nil {
			if errs == nil {
				errs = make([]error, len(keys))
			}
			for _, i := range idx {
				errs[i] = err
			}
			continue
		}
		for j, i := range idx {
			if j < len(found) {
				out[i] = found[j]
			}
		}
	}
	return out, errs
}

// readOptions turns a load key's time into store.ReadOptions.
func readOptions(asOf time.Time) store.ReadOptions {
	return store.ReadOptions{AsOf: asOf}
}

// epoch is the earliest recorded time: nothing was recorded before it.
var epoch = time.Unix(0, 0).UTC()

// asOfTime returns an asOf argument as a load key time: the zero time when
// none is given, and an instant in UTC without a monotonic reading
// otherwise, so that equal instants are equal keys. Any instant before
// 1970 (the zero time included) is read as 1970, which is older than every
// history, so the store answers with the oldest instant it can read
// instead of mistaking it for "now".
func asOfTime(t *time.Time) time.Time {
	switch {
	case t == nil:
		return time.Time{}
	case t.Before(epoch):
		return epoch
	}
	return t.UTC().Round(0)
}

// loadersFor returns the loaders of the request ctx belongs to.
func loadersFor(ctx context.Context) *loaders {
	switch l := ctx.Value(loadersKey{}).(type) {
	case *loaders:
		return l
	case *lazyLoaders:
		return l.get()
	}
	return nil
}

// lazyLoaders makes a request's loaders when a resolver first asks for
// them. Most requests a dashboard sends (a neighbourhood, a search, one
// entity) never do, and making the two loaders cost a dozen allocations
// on every request.
type lazyLoaders struct {
	once    sync.Once
	finders finders
	wait    time.Duration
	loaders *loaders
}

func newLazyLoaders(f finders, wait time.Duration) *lazyLoaders {
	return &lazyLoaders{finders: f, wait: wait}
}

func (z *lazyLoaders) get() *loaders {
	z.once.Do(func() { z.loaders = newLoaders(z.finders, z.wait) })
	return z.loaders
}

// inheritedAsOf returns the asOf argument of the nearest enclosing field
// that has one, so that the entities a relation points at are read from
// the same snapshot as the relation.
func inheritedAsOf(ctx context.Context) time.Time {
	var child *graphql.FieldContext // the nearest field below fc
	for fc := graphql.GetFieldContext(ctx); fc != nil; fc = fc.Parent {
		if t, ok := fc.Args["asOf"].(*time.Time); ok && t != nil {
			return asOfTime(t)
		}
		if t, ok := diffSideAsOf(fc, child); ok {
			return t
		}
		if fc.Field.Field != nil { // not a list element
			child = fc
		}
	}
	return time.Time{}
}
