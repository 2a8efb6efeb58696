package graph_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// entity(id:) (or node(id:)) with a name where the id belongs answers null, as for any
// unknown id, and warns which entities were likely meant: those named so,
// else those whose name is one typo away. An id that is only a word of a
// name, an id close to nothing, and an id that exists get no warning.
func TestUnknownEntityWarns(t *testing.T) {
	e := newEnv(t, mutationConfig)
	for _, tc := range []struct {
		name, query, data string
		want              []warning
	}{{
		name:  "NameForID",
		query: `{ entity(id: "Enschede") { id } }`,
		data:  `{"entity":null}`,
		want:  []warning{{`no entity "Enschede"; did you mean "enschede" (Enschede, City)?`, "UNKNOWN_ID", []any{"entity"}}},
	}, {
		// Once per id: the fields of a query run side by side, so the
		// warning is at the path of whichever of a and c asks first.
		name:  "Aliased",
		query: `{ a: entity(id: "Enschde") { id } b: entity(id: "enschede") { id } c: entity(id: "Enschde") { id } }`,
		data:  `{"a":null,"b":{"id":"enschede"},"c":null}`,
		want:  []warning{{`no entity "Enschde"; did you mean "enschede" (Enschede, City)?`, "UNKNOWN_ID", []any{"a|c"}}},
	}, {
		name:  "Node",
		query: `{ node(id: "Palo Alto") { id } }`,
		data:  `{"node":null}`,
		want:  []warning{{`no entity "Palo Alto"; did you mean "palo-alto" (Palo Alto, City)?`, "UNKNOWN_ID", []any{"node"}}},
	}, {
		// A word of a name is no warning: the memorandum is named
		// "Memorandum of Understanding between Enschede and Dalian".
		name:  "WordOfAName",
		query: `{ entity(id: "Memorandum") { id } }`,
		data:  `{"entity":null}`,
	}, {
		name:  "NothingClose",
		query: `{ entity(id: "atlantis") { id } }`,
		data:  `{"entity":null}`,
	}, {
		name:  "Known",
		query: `{ entity(id: "enschede") { id } }`,
		data:  `{"entity":{"id":"enschede"}}`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.at(t).post(tc.query, nil)
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %s", r.Raw)
			}
			if string(r.Data) != tc.data {
				t.Errorf("data: got %s, want %s", r.Data, tc.data)
			}
			got := warningsOf(t, r.Raw)
			for i := range min(len(got), len(tc.want)) {
				if p := tc.want[i].Path; len(p) == 1 && len(got[i].Path) == 1 && slices.Contains(strings.Split(p[0].(string), "|"), fmt.Sprint(got[i].Path[0])) {
					got[i].Path = p
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("warnings: got %+v, want %+v", got, tc.want)
			}
		})
	}
}
