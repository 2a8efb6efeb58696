package graph_test

import (
	"strconv"
	"testing"

	"github.com/ties-graph/ties/graph"
	"github.com/ties-graph/ties/store"
)

// TestSchemaDefaultsAreTheStores holds the defaults the schema declares
// for size arguments equal to the store's, which are their one home: a
// client that leaves an argument out and a Go caller that leaves an
// option nil get the same answer.
func TestSchemaDefaultsAreTheStores(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	for _, tc := range []struct {
		typ, field, arg string
		want            int
	}{
		{"Entity", "relations", "first", store.DefaultPageSize},
		{"Entity", "neighbors", "first", store.DefaultPageSize},
		{"Query", "entities", "first", store.DefaultPageSize},
		{"Query", "relations", "first", store.DefaultPageSize},
		{"Query", "search", "first", store.DefaultSearchLimit},
		{"Query", "neighborhood", "depth", store.DefaultNeighborhoodDepth},
		{"Query", "neighborhood", "limit", store.DefaultNeighborhoodLimit},
		{"Query", "path", "maxDepth", store.DefaultPathDepth},
		{"Query", "paths", "k", store.DefaultK},
		{"Query", "paths", "maxDepth", store.DefaultPathDepth},
		{"Query", "allPaths", "maxDepth", store.DefaultAllPathsDepth},
		{"Query", "allPaths", "limit", store.DefaultAllPathsLimit},
		{"Query", "commonNeighbors", "first", store.DefaultCommonLimit},
		{"Query", "centrality", "first", store.DefaultRankingLength},
	} {
		t.Run(tc.field+"."+tc.arg, func(t *testing.T) {
			def := schema.Types[tc.typ]
			if def == nil || def.Fields.ForName(tc.field) == nil || def.Fields.ForName(tc.field).Arguments.ForName(tc.arg) == nil {
				t.Fatalf("%s.%s(%s) is not in the schema", tc.typ, tc.field, tc.arg)
			}
			dv := def.Fields.ForName(tc.field).Arguments.ForName(tc.arg).DefaultValue
			if dv == nil {
				t.Fatalf("%s.%s(%s) has no default; want %d", tc.typ, tc.field, tc.arg, tc.want)
			}
			if got, err := strconv.Atoi(dv.Raw); err != nil || got != tc.want {
				t.Errorf("%s.%s(%s) defaults to %s; the store's default is %d", tc.typ, tc.field, tc.arg, dv.Raw, tc.want)
			}
		})
	}
}
