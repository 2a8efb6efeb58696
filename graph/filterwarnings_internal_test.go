package graph

import (
	"context"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/storetest"
)

// TestNeighborhoodAdviceLazy: a filtered neighbourhood gathers the kinds
// of its nodes only when the filter kept the start alone, and then from
// the nodes it dropped.
func TestNeighborhoodAdviceLazy(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	d, err := store.ParseDate("1975-03-01")
	if err != nil {
		t.Fatal(err)
	}
	b := store.Batch{
		Entities: []store.Entity{
			{ID: "ann", Type: "Person", Name: "Ann", Properties: store.Properties{"birthday": store.DateValue(d)}},
			{ID: "bob", Type: "Person", Name: "Bob", Properties: store.Properties{"birthday": store.Text("unknown")}},
			{ID: "testville", Type: "City", Name: "Testville"},
		},
		Relations: []store.Relation{
			{Type: "MAYOR_OF", From: "ann", To: "testville"},
			{Type: "MAYOR_OF", From: "bob", To: "testville"},
		},
	}
	if _, err := st.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	num := store.Number(1975)
	for _, tc := range []struct {
		name     string
		where    []store.PropertyFilter
		nodes    int
		gathered int
		warnings int
	}{
		{"Kept", []store.PropertyFilter{{Key: "birthday", Eq: new(store.Text("unknown"))}}, 2, 0, 0},
		{"EmptyTwoFilters", []store.PropertyFilter{{Key: "birthday", Eq: new(store.Text("unknown"))}, {Key: "birthday", Gte: &num}}, 1, 2, 1},
		{"Empty", []store.PropertyFilter{{Key: "birthday", Gte: &num}}, 1, 1, 1},
		{"EmptyBuiltin", []store.PropertyFilter{{Key: "validFrom", Gte: new(store.Text("2999"))}}, 1, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := st.Neighborhood(ctx, "testville", store.NeighborhoodOptions{Depth: 1}, store.ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			advice := newNeighborhoodAdvice(tc.where, g)
			if err := st.FilterSubgraph(ctx, g, tc.where, store.ReadOptions{}); err != nil {
				t.Fatal(err)
			}
			ws := &warnings{}
			advice.warn(context.WithValue(ctx, warningsKey{}, ws), g)
			if got, want := len(g.Nodes), tc.nodes; got != want {
				t.Fatalf("nodes kept: got %d, want %d", got, want)
			}
			if got, want := advice.gathered, tc.gathered; got != want {
				t.Errorf("keys whose kinds were gathered: got %d, want %d", got, want)
			}
			if got, want := len(ws.list), tc.warnings; got != want {
				t.Errorf("warnings: got %+v, want %d", ws.list, want)
			}
		})
	}
}
