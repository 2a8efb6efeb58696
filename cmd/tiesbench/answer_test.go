package main

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"
)

func TestReadNeighborhood(t *testing.T) {
	for _, tc := range []struct {
		name      string
		in        string
		ids       []string
		truncated bool
		relations int // -1: the answer holds none
	}{
		{"Nodes", `{"data":{"neighborhood":{"truncated":false,"nodes":[{"id":"a","name":"A \"x\"","type":"City"},{"name":"B","id":"b"}]}}}`, []string{"a", "b"}, false, -1},
		{"Edges", `{"data":{"neighborhood":{"nodes":[{"id":"a"}],"edges":[{"fromId":"a","toId":"a","type":"T"},{"fromId":"a","toId":"a","type":"U"}],"truncated":true}}}`, []string{"a"}, true, 2},
		{"NoEdges", `{"data":{"neighborhood":{"nodes":[{"id":"a"}],"edges":[]}}}`, []string{"a"}, false, 0},
		{"NodeLink", `{"data":{"neighborhood":{"nodeLink":{"directed":true,"nodes":[{"id":"a","w":1.5e3},{"id":"b\u00e9"}],"links":[{"source":"a","target":"b","weight":-2,"x":null}],"truncated":false}}}}`, []string{"a", "bé"}, false, 1},
		{"Spaces", " {\n \"data\" : { \"neighborhood\" : { \"nodes\" : [ ] } } } ", nil, false, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := readNeighborhood([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.ids, tc.ids) || a.truncated != tc.truncated {
				t.Errorf("got %q truncated %v, want %q truncated %v", a.ids, a.truncated, tc.ids, tc.truncated)
			}
			if got, want := a.hasRelations, tc.relations >= 0; got != want {
				t.Errorf("hasRelations %v, want %v", got, want)
			}
			if got, want := a.relations, max(tc.relations, 0); got != want {
				t.Errorf("relations %d, want %d", got, want)
			}
		})
	}
	t.Run("ErrGraphQL", func(t *testing.T) {
		_, err := readNeighborhood([]byte(`{"errors":[{"message":"no"}],"data":null}`))
		if !errors.Is(err, errGraphQL) {
			t.Errorf("got %v, want errGraphQL", err)
		}
	})
	for _, bad := range []string{``, `{`, `{"data":{"neighborhood":{"nodes":[{"id":1}]}}}`, `{"data":{"neighborhood":{"nodes":[{"id":"a"}]}}} x`, `{"data":{"neighborhood":{"nodes":[{"id":"a"},]}}}`, `{"data":{"neighborhood":{"truncated":nope}}}`} {
		if _, err := readNeighborhood([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestNeighborhoodRequest checks the hand-encoded request against
// encoding/json's, with an id that needs escaping.
func TestNeighborhoodRequest(t *testing.T) {
	h := &tiesHTTP{query: gqlNeighborhoodNodes, limit: 1000}
	for _, id := range []string{"e-1", `quo"te\\ é`} {
		var got, want any
		if err := json.Unmarshal(h.neighborhoodRequest(id, 3), &got); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(map[string]any{"query": h.query, "variables": map[string]any{"id": id, "depth": 3, "limit": 1000}})
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	}
}
