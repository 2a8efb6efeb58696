package graph_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ties-graph/ties/graph"
)

// The founding story as a diff: between 2015 and 2018 Dalian's friendly
// cooperation with Enschede ended and its sister-city tie began.
func TestDiffGolden(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	for _, q := range []struct{ name, query string }{
		{"diff-enschede-2015-2018", `{ diff(id: "enschede", from: "2015", to: "2018") {
		    began { id type fromId toId validFrom validTo } ended { id type fromId toId validFrom validTo }
		    entered { id name type } left { id name type } changedRelations { id } changedEntities { id } } }`},
		{"diff-enschede-2015-2018-dated", `{ diff(id: "enschede", from: "2015", to: "2018", datedOnly: true) {
		    began { id type fromId toId validFrom validTo } ended { id type fromId toId validFrom validTo }
		    entered { id name type } left { id name type } } }`},
	} {
		t.Run(q.name, func(t *testing.T) {
			r := e.at(t).post(q.query, nil)
			if r.Status != http.StatusOK || len(r.Errors) > 0 {
				t.Fatalf("status %d: %s", r.Status, r.Raw)
			}
			golden(t, q.name, r.Raw)
		})
	}
}

func TestDiffArguments(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	recent := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	later := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	tests := []struct {
		name, args string
		code       string
		field      string
	}{
		{"OK", `from: "2015", to: "2018"`, "", ""},
		{"OKRecordedTime", `asOfFrom: "` + recent + `"`, "", ""},
		{"OKBoth", `from: "2015", to: "2018", asOfFrom: "` + recent + `", asOfTo: "` + later + `"`, "", ""},
		{"ErrAsOfFromTooOld", `asOfFrom: "1990-01-01T00:00:00Z"`, "INVALID_ARGUMENT", "asOfFrom"},
		{"ErrAsOfToTooOld", `asOfFrom: "` + recent + `", asOfTo: "1990-01-01T00:00:00Z"`, "INVALID_ARGUMENT", "asOfTo"},
		{"ErrNothing", ``, "INVALID_ARGUMENT", "from"},
		{"ErrFromOnly", `from: "2015"`, "INVALID_ARGUMENT", "to"},
		{"ErrToOnly", `to: "2015"`, "INVALID_ARGUMENT", "from"},
		{"ErrAsOfToOnly", `asOfTo: "` + recent + `"`, "INVALID_ARGUMENT", "asOfFrom"},
		{"ErrDatedOnlyWithoutDates", `asOfFrom: "` + recent + `", datedOnly: true`, "INVALID_ARGUMENT", "datedOnly"},
		{"ErrDate", `from: "2015-13", to: "2018"`, "INVALID_ARGUMENT", ""},
		{"ErrDepth", `from: "2015", to: "2018", depth: -1`, "INVALID_ARGUMENT", "depth"},
		{"ErrNotFound", `from: "2015", to: "2018", id: "nowhere"`, "NOT_FOUND", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.HasSuffix(tt.name, "TooOld") && e.store.Features().AllHistory {
				t.Skip("the backend keeps every version: no instant is older than its history")
			}
			id := `id: "enschede", `
			if slices.Contains([]string{"ErrNotFound"}, tt.name) {
				id = ""
			}
			r := e.at(t).post(`{ diff(`+id+tt.args+`) { began { id } } }`, nil)
			if got, want := r.Code(), tt.code; got != want {
				t.Fatalf("code: got %q, want %q: %s", got, want, r.Raw)
			}
			if tt.field != "" {
				if got, want := r.Errors[0].Extensions["field"], tt.field; got != want {
					t.Errorf("field: got %v, want %q: %s", got, want, r.Raw)
				}
			}
		})
	}
}

// On recorded time, a diff is what changed in the store between two
// instants; the ends of an ended relation are read as they were.
func TestDiffRecordedTime(t *testing.T) {
	e := newEnv(t, mutationConfig)
	// Commit timestamps have millisecond resolution.
	time.Sleep(3 * time.Millisecond)
	before := time.Now().UTC().Format(time.RFC3339Nano)
	time.Sleep(3 * time.Millisecond)
	e.ok(`mutation {
	  upsertEntities(input: [{id: "enschede", type: "City", name: "Enschede (NL)"}, {id: "gronau", type: "City", name: "Gronau"}]) { id }
	  upsertRelations(input: [{type: "LOCATED_IN", from: "gronau", to: "enschede"}]) { id } }`, nil, nil)
	e.ok(`mutation { deleteEntities(ids: ["palo-alto"], cascade: true) }`, nil, nil)
	var d struct {
		Diff struct {
			Began []struct{ FromID, ToID string }
			Ended []struct {
				Type string
				To   struct{ Name string }
			}
			Entered, Left   []struct{ ID string }
			ChangedEntities []struct{ ID, Name string }
		}
	}
	e.ok(`query($at: DateTime) { diff(id: "enschede", asOfFrom: $at) {
	  began { fromId toId } ended { type to { name } } entered { id } left { id } changedEntities { id name } } }`,
		map[string]any{"at": before}, &d)
	if got := d.Diff.Began; len(got) != 1 || got[0].FromID != "gronau" {
		t.Errorf("began: got %+v, want the new tie of gronau", got)
	}
	if got, want := ids(d.Diff.Entered), []string{"gronau"}; !slices.Equal(got, want) {
		t.Errorf("entered: got %q, want %q", got, want)
	}
	if got, want := ids(d.Diff.Left), []string{"palo-alto"}; !slices.Equal(got, want) {
		t.Errorf("left: got %q, want %q", got, want)
	}
	var endedPaloAlto bool
	for _, r := range d.Diff.Ended {
		// The deleted end is read from the snapshot the relation came from.
		endedPaloAlto = endedPaloAlto || (r.Type == "SISTER_CITY_OF" && r.To.Name == "Palo Alto")
	}
	if !endedPaloAlto {
		t.Errorf("ended: got %+v, want the sister-city tie of Palo Alto with its name", d.Diff.Ended)
	}
	if got := d.Diff.ChangedEntities; len(got) != 1 || got[0].Name != "Enschede (NL)" {
		t.Errorf("changedEntities: got %+v, want enschede renamed", got)
	}
}

func ids(xs []struct{ ID string }) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = x.ID
	}
	return out
}
