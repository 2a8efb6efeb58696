package store_test

import (
	"context"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/connect"
	"github.com/ties-graph/ties/store/storetest"
)

// TestUnknownIDSuggests requires the error for an id that names no
// entity to name the entities the caller most likely meant: a name typed
// where the id belongs, the id in other case, a typo in a name, an alias.
// Nothing is looked up in the id's place, and an id close to nothing
// gets the plain error.
func TestUnknownIDSuggests(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	_, err := s.Apply(ctx, store.Batch{
		Entities: []store.Entity{
			{ID: "enschede", Type: "City", Name: "Enschede"},
			{ID: "palo-alto", Type: "City", Name: "Palo Alto"},
			{ID: "eurocities", Type: "Network", Name: "Eurocities", Aliases: []string{"EUROCITIES network"}},
			{ID: "bestuur", Type: "Organization", Name: "Municipal Executive", Description: "Enschede's executive"},
		},
		Relations: []store.Relation{{ID: "r1", Type: "MEMBER_OF", From: "enschede", To: "eurocities"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ id, want string }{
		{"Enschede", `no entity "Enschede"; did you mean "enschede" (Enschede, City)?`},
		{"ENSCHEDE", `no entity "ENSCHEDE"; did you mean "enschede" (Enschede, City)?`},
		{"Enschde", `no entity "Enschde"; did you mean "enschede" (Enschede, City)?`},
		{"Palo Alto", `no entity "Palo Alto"; did you mean "palo-alto" (Palo Alto, City)?`},
		{"EUROCITIES network", `no entity "EUROCITIES network"; did you mean "eurocities" (Eurocities, Network)?`},
		{"atlantis", `no entity "atlantis"`},
	} {
		t.Run(tc.id, func(t *testing.T) {
			_, err := s.Neighborhood(ctx, tc.id, store.NeighborhoodOptions{Depth: 1}, store.ReadOptions{})
			if store.ErrorCode(err) != store.NotFound {
				t.Fatalf("Neighborhood(%q): %v, want NOT_FOUND", tc.id, err)
			}
			want := tc.want // it names the id once
			if got := store.ErrorMessage(err); got != want {
				t.Errorf("Neighborhood(%q):\n got %s\nwant %s", tc.id, got, want)
			}
			// The same for every question that starts from an id.
			_, err = store.Read(ctx, s, store.ReadOptions{}, func(r *store.Reader) (*store.Path, error) {
				return connect.ShortestPath(r, "enschede", tc.id, store.PathOptions{})
			})
			if got := store.ErrorMessage(err); got != want {
				t.Errorf("ShortestPath(enschede, %q):\n got %s\nwant %s", tc.id, got, want)
			}
		})
	}
}
