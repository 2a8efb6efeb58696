package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

// openTestStore opens an empty store (in memory, or see openBackend) whose
// cleanup checks every invariant and closes it.
func openTestStore(t testing.TB) *Store {
	t.Helper()
	s, err := openBackend(t)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Check(context.Background()); err != nil {
			t.Error(err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// mustOpen opens the store in dir, which the caller closes.
func mustOpen(t testing.TB, dir string, opts Options) *Store {
	t.Helper()
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open (read-only %v): %v", opts.ReadOnly, err)
	}
	return s
}

// twinCities is a small graph shaped like the founding data.
func twinCities() Batch {
	conf := 1.0
	return Batch{
		Entities: []Entity{
			{ID: "enschede", Type: "City", Name: "Enschede", Labels: []Label{{"nl", "Enschede"}, {"zh", "恩斯赫德"}}},
			{ID: "dalian", Type: "City", Name: "Dalian", Labels: []Label{{"zh", "大连"}}},
			{ID: "palo-alto", Type: "City", Name: "Palo Alto"},
			{ID: "munster", Type: "City", Name: "Münster", Aliases: []string{"Muenster"}},
			{ID: "netherlands", Type: "Country", Name: "Netherlands"},
			{ID: "eurocities", Type: "Network", Name: "Eurocities"},
			{ID: "onno", Type: "Person", Name: "Onno van Veldhuizen"},
			{ID: "report", Type: "Document", Name: "International report 2017"},
		},
		Relations: []Relation{
			{Type: "SISTER_CITY_OF", From: "enschede", To: "dalian", ValidFrom: MustParseDate("2017"),
				Sources: []Source{{Document: "report", Excerpt: "Dalian became a sister city.", Confidence: &conf}}},
			{Type: "FRIENDLY_COOPERATIVE_CITY_OF", From: "enschede", To: "dalian", ValidFrom: MustParseDate("2009"), ValidTo: MustParseDate("2017")},
			{Type: "SISTER_CITY_OF", From: "palo-alto", To: "enschede"},
			{Type: "LOCATED_IN", From: "enschede", To: "netherlands"},
			{Type: "MEMBER_OF", From: "enschede", To: "eurocities"},
			{ID: "onno-mayor", Type: "MAYOR_OF", From: "onno", To: "enschede", Properties: Properties{"term": Number(2)}},
		},
	}
}

func mustApply(t testing.TB, s *Store, b Batch) BatchResult {
	t.Helper()
	res, err := s.Apply(context.Background(), b)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return res
}

// entityIDs returns the ids of es, in order.
func entityIDs(es []*Entity) []string {
	var ids []string
	for _, e := range es {
		ids = append(ids, e.ID)
	}
	return ids
}

// findIDs returns the ids of the first page of FindEntities.
func findIDs(t *testing.T, s *Store, f EntityFilter) []string {
	t.Helper()
	p, err := s.FindEntities(context.Background(), f, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return entityIDs(p.Entities)
}

// mustEntity reads the entity id from s's latest snapshot.
func mustEntity(t testing.TB, s *Store, id string) *Entity {
	t.Helper()
	e, err := s.FindEntityByID(context.Background(), id, ReadOptions{})
	if err != nil {
		t.Fatalf("FindEntityByID(%s): %v", id, err)
	}
	return e
}

func neighborIDs(t testing.TB, s *Store, id string, f RelationFilter) []string {
	t.Helper()
	f.First = opt(1000)
	p, err := s.FindRelations(context.Background(), id, f, ReadOptions{})
	if err != nil {
		t.Fatalf("FindRelations(%s): %v", id, err)
	}
	var out []string
	for _, n := range p.Neighbors {
		out = append(out, n.ID)
	}
	sort.Strings(out)
	return out
}

func TestEndToEnd(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	res := mustApply(t, s, twinCities())
	if got, want := len(res.Relations), 6; got != want {
		t.Fatalf("relations stored: got %d, want %d", got, want)
	}
	if got, want := res.Relations[2].From, "enschede"; got != want {
		t.Errorf("symmetric relation stored from %q, want %q (canonical order)", got, want)
	}
	e := mustEntity(t, s, "munster")
	if got, want := e.Name, "Münster"; got != want {
		t.Errorf("name: got %q, want %q", got, want)
	}
	if got, want := e.Type, "City"; got != want {
		t.Errorf("type: got %q, want %q", got, want)
	}
	if _, err := s.FindEntityByID(ctx, "nowhere", ReadOptions{}); ErrorCode(err) != NotFound {
		t.Errorf("FindEntityByID(nowhere): got %v, want NotFound", err)
	}
	for _, tc := range []struct {
		name string
		id   string
		f    RelationFilter
		want []string
	}{
		{"SistersOut", "enschede", RelationFilter{Types: []string{"SISTER_CITY_OF"}, Direction: Out}, []string{"dalian", "palo-alto"}},
		{"SistersIn", "enschede", RelationFilter{Types: []string{"SISTER_CITY_OF"}, Direction: In}, []string{"dalian", "palo-alto"}},
		{"SistersFromDalian", "dalian", RelationFilter{Types: []string{"SISTER_CITY_OF"}, Direction: Out}, []string{"enschede"}},
		{"ValidIn2012", "dalian", RelationFilter{ValidAt: MustParseDate("2012")}, []string{"enschede"}},
		{"ValidIn2012Types", "dalian", RelationFilter{ValidAt: MustParseDate("2012"), Types: []string{"SISTER_CITY_OF"}}, nil},
		{"MayorIn", "enschede", RelationFilter{Types: []string{"MAYOR_OF"}, Direction: In}, []string{"onno"}},
		{"MayorOut", "enschede", RelationFilter{Types: []string{"MAYOR_OF"}, Direction: Out}, nil},
		{"Places", "enschede", RelationFilter{EntityTypes: []string{"Place"}}, []string{"dalian", "dalian", "netherlands", "palo-alto"}},
		{"All", "enschede", RelationFilter{}, []string{"dalian", "dalian", "eurocities", "netherlands", "onno", "palo-alto"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := neighborIDs(t, s, tc.id, tc.f); !slices.Equal(got, tc.want) {
				t.Errorf("neighbours: got %v, want %v", got, tc.want)
			}
		})
	}
	sg, err := s.Neighborhood(ctx, "onno", NeighborhoodOptions{Depth: 2}, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(sg.Nodes), 6; got != want {
		t.Errorf("neighbourhood nodes: got %d, want %d", got, want)
	}
	if got, want := sg.Nodes[0].ID, "onno"; got != want {
		t.Errorf("first node: got %q, want %q", got, want)
	}
	if got, want := len(sg.Edges), 6; got != want {
		t.Errorf("neighbourhood edges: got %d, want %d", got, want)
	}
}

// errorsOf returns the *Error list of err, failing the test when err is
// not an Errors.
func errorsOf(t testing.TB, err error) Errors {
	t.Helper()
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("got %T %v, want Errors", err, err)
	}
	return es
}

func errorSummary(es Errors) string {
	var b strings.Builder
	for _, e := range es {
		fmt.Fprintf(&b, "%s|%s|%s;", e.Code, e.Record, e.Field)
	}
	return b.String()
}

var _ = reflect.DeepEqual

// opt is a size option as the tables give it: 0 for "not given".
func opt(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}
