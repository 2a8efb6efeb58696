package connect

import (
	"context"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/storetest"
)

// The store-level forms of this package's queries, as the tests call
// them.

func openTestStore(t testing.TB) *store.Store { return storetest.Open(t) }

// opt is a size option as the tables give it: 0 for "not given".
func opt(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

func viewShortestPath(ctx context.Context, s *store.Store, from, to string, opts store.PathOptions, ro store.ReadOptions) (*store.Path, error) {
	return store.Read(ctx, s, ro, func(r *store.Reader) (*store.Path, error) { return ShortestPath(r, from, to, opts) })
}

func viewKShortestPaths(ctx context.Context, s *store.Store, from, to string, k *int, opts store.PathOptions, ro store.ReadOptions) (store.PathsResult, error) {
	return store.Read(ctx, s, ro, func(r *store.Reader) (store.PathsResult, error) { return KShortestPaths(r, from, to, k, opts) })
}

func viewAllPaths(ctx context.Context, s *store.Store, from, to string, n *int, opts store.PathOptions, ro store.ReadOptions) (store.PathsResult, error) {
	return store.Read(ctx, s, ro, func(r *store.Reader) (store.PathsResult, error) { return AllPaths(r, from, to, n, opts) })
}

func viewCommonNeighbors(ctx context.Context, s *store.Store, ids []string, f store.RelationFilter, ro store.ReadOptions) ([]*store.Entity, error) {
	return store.Read(ctx, s, ro, func(r *store.Reader) ([]*store.Entity, error) { return CommonNeighbors(r, ids, f) })
}

func viewCentrality(ctx context.Context, s *store.Store, opts store.CentralityOptions, ro store.ReadOptions) (store.CentralityResult, error) {
	return store.Read(ctx, s, ro, func(r *store.Reader) (store.CentralityResult, error) { return Centrality(r, opts) })
}

func viewComponents(ctx context.Context, s *store.Store, opts store.ComponentsOptions, ro store.ReadOptions) (store.ComponentsResult, error) {
	return store.Read(ctx, s, ro, func(r *store.Reader) (store.ComponentsResult, error) { return Components(r, opts) })
}

func viewComponentOf(ctx context.Context, s *store.Store, id string, opts store.ComponentsOptions, ro store.ReadOptions) (string, error) {
	return store.Read(ctx, s, ro, func(r *store.Reader) (string, error) { return ComponentOf(r, id, opts) })
}
