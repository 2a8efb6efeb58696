package connect

import (
	"context"
	"slices"
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

// errored fails t at once unless err carries the code want ("" for no
// error), and reports whether there was an error: a case that wanted one
// has no result left to check.
func errored(t testing.TB, err error, want store.Code) bool {
	t.Helper()
	if got := store.ErrorCode(err); got != want {
		t.Fatalf("error code: got %q (%v), want %q", got, err, want)
	}
	return err != nil
}

// pathsCase is a query for several paths between two entities of a drawn
// graph, and what it must answer.
type pathsCase struct {
	name     string
	graph    string
	from, to string
	n        int // k of KShortestPaths, the limit of AllPaths; 0 for not given
	opts     store.PathOptions
	// want are the paths in order, drawn by pathString, or with
	// opts.Distinct by evidenceString, since only then do hops carry
	// evidence.
	want      []string
	truncated bool
	wantErr   store.Code
}

// pathsQuery is viewKShortestPaths or viewAllPaths.
type pathsQuery func(ctx context.Context, s *store.Store, from, to string, n *int, opts store.PathOptions, ro store.ReadOptions) (store.PathsResult, error)

// testPaths runs each case against a store of its drawing.
func testPaths(t *testing.T, query pathsQuery, tests []pathsCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := drawStore(t, tt.graph)
			res, err := query(context.Background(), s, tt.from, tt.to, opt(tt.n), tt.opts, store.ReadOptions{})
			if errored(t, err, tt.wantErr) {
				return
			}
			draw := pathString
			if tt.opts.Distinct {
				draw = evidenceString
			}
			got := make([]string, len(res.Paths))
			for i := range res.Paths {
				got[i] = draw(&res.Paths[i])
			}
			if want := tt.want; !slices.Equal(got, want) {
				t.Errorf("paths:\n got %q\nwant %q", got, want)
			}
			if got, want := res.Truncated, tt.truncated; got != want {
				t.Errorf("truncated: got %v, want %v", got, want)
			}
		})
	}
}
