package store

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestFindEntitiesByIDs(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	mustApply(t, s, twinCities())
	es, err := s.FindEntitiesByIDs(ctx, []string{"dalian", "ghost", "onno-mayor", "enschede"}, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		if e == nil {
			got = append(got, "<nil>")
		} else {
			got = append(got, e.ID)
		}
	}
	if want := []string{"dalian", "<nil>", "<nil>", "enschede"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	rs, err := s.FindRelationsByIDs(ctx, []string{"onno-mayor", "dalian", "ghost"}, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rs[0] == nil || rs[0].Type != "MAYOR_OF" || rs[1] != nil || rs[2] != nil {
		t.Errorf("FindRelationsByIDs: got %v", rs)
	}
	if _, err := s.FindRelationByID(ctx, "dalian", ReadOptions{}); ErrorCode(err) != NotFound {
		t.Errorf("FindRelationByID of an entity id: got %v, want NotFound", err)
	}
}

func TestFindEntities(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	mustApply(t, s, twinCities())
	mustApply(t, s, Batch{Entities: []Entity{{ID: "aa-municipality", Type: "Municipality", Name: "A"}}})
	for _, tc := range []struct {
		name  string
		f     EntityFilter
		pages [][]string
		total int
	}{
		{"All", EntityFilter{First: opt(4)}, [][]string{{"aa-municipality", "dalian", "enschede", "eurocities"}, {"munster", "netherlands", "onno", "palo-alto"}, {"report"}}, 9},
		{"CitiesWithSubtypes", EntityFilter{Types: []string{"City"}, First: opt(2)}, [][]string{{"aa-municipality", "dalian"}, {"enschede", "munster"}, {"palo-alto"}}, 5},
		{"Places", EntityFilter{Types: []string{"Country", "Municipality"}}, [][]string{{"aa-municipality", "netherlands"}}, 2},
		{"Empty", EntityFilter{Types: []string{"Event"}}, [][]string{nil}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			for i, want := range tc.pages {
				p, err := s.FindEntities(ctx, f, ReadOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if got := entityIDs(p.Entities); !slices.Equal(got, want) {
					t.Errorf("page %d: got %v, want %v", i, got, want)
				}
				if got, want := p.TotalCount, tc.total; got != want {
					t.Errorf("page %d: total %d, want %d", i, got, want)
				}
				if got, want := p.HasNext, i < len(tc.pages)-1; got != want {
					t.Errorf("page %d: hasNext %v, want %v", i, got, want)
				}
				if got, want := p.HasPrevious, i > 0; got != want {
					t.Errorf("page %d: hasPrevious %v, want %v", i, got, want)
				}
				if len(p.Cursors) != len(p.Entities) {
					t.Fatalf("page %d: %d cursors for %d entities", i, len(p.Cursors), len(p.Entities))
				}
				if len(p.Cursors) > 0 {
					f.After = p.Cursors[len(p.Cursors)-1]
				}
			}
		})
	}
	t.Run("CursorSurvivesDeletion", func(t *testing.T) {
		p, err := s.FindEntities(ctx, EntityFilter{First: opt(2)}, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		mustApply(t, s, Batch{DeleteEntities: []string{"dalian"}, Cascade: true})
		p2, err := s.FindEntities(ctx, EntityFilter{First: opt(1), After: p.Cursors[1]}, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := p2.Entities[0].ID, "enschede"; got != want {
			t.Errorf("after a deleted entity's cursor: got %q, want %q", got, want)
		}
	})
	for _, tc := range []struct {
		name string
		f    EntityFilter
	}{
		{"ErrType", EntityFilter{Types: []string{"Nope"}}},
		{"ErrFirst", EntityFilter{First: opt(-1)}},
		{"ErrCursor", EntityFilter{After: "!!"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.FindEntities(ctx, tc.f, ReadOptions{}); ErrorCode(err) != Invalid {
				t.Errorf("got %v, want Invalid", err)
			}
		})
	}
}

func TestFindRelationsPaging(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	mustApply(t, s, twinCities())
	all, err := s.FindRelations(ctx, "enschede", RelationFilter{First: opt(100)}, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := all.TotalCount, 6; got != want {
		t.Fatalf("total: got %d, want %d", got, want)
	}
	for first := 1; first <= 4; first++ {
		var ids []string
		f := RelationFilter{First: opt(first)}
		for {
			p, err := s.FindRelations(ctx, "enschede", f, ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := p.TotalCount, 6; got != want {
				t.Errorf("total: got %d, want %d", got, want)
			}
			for i, r := range p.Relations {
				ids = append(ids, r.ID)
				if p.Neighbors[i] == nil || (p.Neighbors[i].ID != r.From && p.Neighbors[i].ID != r.To) {
					t.Errorf("neighbour %v is not an end of %s", p.Neighbors[i], r.ID)
				}
			}
			if !p.HasNext {
				break
			}
			f.After = p.Cursors[len(p.Cursors)-1]
		}
		var want []string
		for _, r := range all.Relations {
			want = append(want, r.ID)
		}
		if !slices.Equal(ids, want) {
			t.Errorf("pages of %d: got %v, want %v", first, ids, want)
		}
	}
	t.Run("ErrCursorOfOtherEntity", func(t *testing.T) {
		p, err := s.FindRelations(ctx, "dalian", RelationFilter{First: opt(1)}, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.FindRelations(ctx, "enschede", RelationFilter{After: p.Cursors[0]}, ReadOptions{})
		if got, want := ErrorCode(err), Invalid; got != want {
			t.Errorf("got %v, want %s", err, want)
		}
	})
	for _, tc := range []struct {
		name string
		id   string
		f    RelationFilter
		want Code
	}{
		{"ErrNotFound", "ghost", RelationFilter{}, NotFound},
		{"ErrRelationID", "onno-mayor", RelationFilter{}, NotFound},
		{"ErrType", "enschede", RelationFilter{Types: []string{"NOPE"}}, Invalid},
		{"ErrEntityType", "enschede", RelationFilter{EntityTypes: []string{"Nope"}}, Invalid},
		{"ErrCursor", "enschede", RelationFilter{After: "abc"}, Invalid},
		{"ErrFirst", "enschede", RelationFilter{First: opt(-2)}, Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.FindRelations(ctx, tc.id, tc.f, ReadOptions{})
			if got := ErrorCode(err); got != tc.want {
				t.Errorf("got %v, want %s", err, tc.want)
			}
		})
	}
}

func TestDegree(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	mustApply(t, s, twinCities())
	mustApply(t, s, Batch{Relations: []Relation{{ID: "loop", Type: "COOPERATES_WITH", From: "enschede", To: "enschede"}}})
	for _, tc := range []struct {
		name string
		f    RelationFilter
		want int
	}{
		{"All", RelationFilter{}, 7},
		{"Out", RelationFilter{Direction: Out}, 6},
		{"In", RelationFilter{Direction: In}, 5},
		{"InNoSymmetricLoopTwice", RelationFilter{Direction: In, Types: []string{"COOPERATES_WITH", "MAYOR_OF"}}, 2},
		{"SymmetricBothWays", RelationFilter{Types: []string{"SISTER_CITY_OF"}, Direction: In}, 2},
		{"SelfLoopOnce", RelationFilter{Types: []string{"COOPERATES_WITH"}}, 1},
		{"SelfLoopOut", RelationFilter{Types: []string{"COOPERATES_WITH"}, Direction: Out}, 1},
		{"ValidAt2012", RelationFilter{ValidAt: MustParseDate("2012")}, 6},
		{"ValidAt2018", RelationFilter{ValidAt: MustParseDate("2018"), Types: []string{"FRIENDLY_COOPERATIVE_CITY_OF", "SISTER_CITY_OF"}}, 2},
		{"EntityTypes", RelationFilter{EntityTypes: []string{"Person", "Network"}}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := s.Degree(ctx, "enschede", tc.f, ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if d != tc.want {
				t.Errorf("degree: got %d, want %d", d, tc.want)
			}
		})
	}
}

func TestNeighborhood(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	mustApply(t, s, twinCities())
	for _, tc := range []struct {
		name      string
		id        string
		opts      NeighborhoodOptions
		nodes     []string
		edges     int
		truncated bool
	}{
		{"Depth0", "dalian", NeighborhoodOptions{}, []string{"dalian"}, 0, false},
		{"Depth1", "dalian", NeighborhoodOptions{Depth: 1}, []string{"dalian", "enschede"}, 2, false},
		{"Depth1Types", "dalian", NeighborhoodOptions{Depth: 2, Types: []string{"SISTER_CITY_OF"}}, []string{"dalian", "enschede", "palo-alto"}, 2, false},
		{"ValidAt", "dalian", NeighborhoodOptions{Depth: 1, ValidAt: MustParseDate("2012")}, []string{"dalian", "enschede"}, 1, false},
		// Symmetric pairs are stored in id order, so Enschede meets Palo
		// Alto in its out-keys but Dalian in its in-keys, which come after.
		{"EntityTypes", "enschede", NeighborhoodOptions{Depth: 1, EntityTypes: []string{"City"}}, []string{"enschede", "palo-alto", "dalian"}, 3, false},
		{"Limit", "enschede", NeighborhoodOptions{Depth: 1, Limit: opt(3)}, []string{"enschede", "palo-alto", "eurocities"}, 2, true},
		// The limit is reached in the first level: the walk goes no deeper.
		{"LimitStopsTheWalk", "enschede", NeighborhoodOptions{Depth: 3, Limit: opt(3)}, []string{"enschede", "palo-alto", "eurocities"}, 2, true},
		{"DirectionIn", "enschede", NeighborhoodOptions{Depth: 1, Direction: In}, []string{"enschede", "palo-alto", "dalian", "onno"}, 4, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sg, err := s.Neighborhood(ctx, tc.id, tc.opts, ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range sg.Nodes {
				got = append(got, n.ID)
			}
			if !slices.Equal(got, tc.nodes) {
				t.Errorf("nodes: got %v, want %v", got, tc.nodes)
			}
			if len(sg.Edges) != tc.edges {
				t.Errorf("edges: got %d, want %d", len(sg.Edges), tc.edges)
			}
			if sg.Truncated != tc.truncated {
				t.Errorf("truncated: got %v, want %v", sg.Truncated, tc.truncated)
			}
			in := map[string]bool{}
			for _, n := range sg.Nodes {
				in[n.ID] = true
			}
			for _, e := range sg.Edges {
				if !in[e.From] || !in[e.To] {
					t.Errorf("edge %s joins %s and %s, not both returned", e.ID, e.From, e.To)
				}
			}
		})
	}
	if _, err := s.Neighborhood(ctx, "ghost", NeighborhoodOptions{Depth: 1}, ReadOptions{}); ErrorCode(err) != NotFound {
		t.Errorf("unknown id: got %v, want NotFound", err)
	}
	t.Run("NodesOnly", func(t *testing.T) {
		opts := NeighborhoodOptions{Depth: 2}
		full, err := s.Neighborhood(ctx, "dalian", opts, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		opts.NodesOnly = true
		nodes, err := s.Neighborhood(ctx, "dalian", opts, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ids := func(sg *Subgraph) (out []string) {
			for _, n := range sg.Nodes {
				out = append(out, n.ID)
			}
			return out
		}
		if !slices.Equal(ids(nodes), ids(full)) || len(full.Edges) == 0 || len(nodes.Edges) != 0 {
			t.Errorf("NodesOnly: nodes %v and %d edges; without it: nodes %v and %d edges", ids(nodes), len(nodes.Edges), ids(full), len(full.Edges))
		}
	})
	t.Run("TiesAmongTheOutermost", func(t *testing.T) {
		// Two partners of Enschede twinned with each other: the tie
		// between them is part of the partner network, though no walk
		// from Enschede within one hop follows it.
		s := openTestStore(t)
		mustApply(t, s, twinCities())
		mustApply(t, s, Batch{Relations: []Relation{{Type: "SISTER_CITY_OF", From: "palo-alto", To: "dalian"}}})
		sg, err := s.Neighborhood(ctx, "enschede", NeighborhoodOptions{Depth: 1, Types: []string{"SISTER_CITY_OF"}}, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range sg.Edges {
			got = append(got, e.From+"-"+e.To)
		}
		slices.Sort(got)
		if want := []string{"dalian-enschede", "dalian-palo-alto", "enschede-palo-alto"}; !slices.Equal(got, want) {
			t.Errorf("edges: got %v, want %v", got, want)
		}
	})
}

func TestAsOf(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	// Commit timestamps have millisecond resolution: keep the writes in
	// distinct milliseconds.
	before := time.Now()
	time.Sleep(3 * time.Millisecond)
	mustApply(t, s, twinCities())
	time.Sleep(3 * time.Millisecond)
	mid := time.Now()
	time.Sleep(3 * time.Millisecond)
	mustApply(t, s, Batch{
		Entities:       []Entity{{ID: "dalian", Type: "City", Name: "Dalian City"}},
		DeleteEntities: []string{"palo-alto"}, Cascade: true,
	})
	past := ReadOptions{AsOf: mid}
	e, err := s.FindEntityByID(ctx, "dalian", past)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.Name, "Dalian"; got != want {
		t.Errorf("name as of before the rename: got %q, want %q", got, want)
	}
	if _, err := s.FindEntityByID(ctx, "palo-alto", past); err != nil {
		t.Errorf("deleted entity as of before the deletion: %v", err)
	}
	if got, want := degreeAt(t, s, "enschede", RelationFilter{}, past), 6; got != want {
		t.Errorf("enschede's relations in the past: got %d, want %d", got, want)
	}
	if got, want := degreeAt(t, s, "enschede", RelationFilter{}, ReadOptions{}), 5; got != want {
		t.Errorf("enschede's relations now: got %d, want %d", got, want)
	}
	st, err := s.Stats(ctx, ReadOptions{AsOf: before})
	if err != nil {
		t.Fatal(err)
	}
	if st.Entities != 0 {
		t.Errorf("entities before the first write: got %d, want 0", st.Entities)
	}
	future, err := s.Stats(ctx, ReadOptions{AsOf: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := future.Entities, 7; got != want {
		t.Errorf("entities an hour from now: got %d, want %d (as now)", got, want)
	}
	if got, want := dump(t, s, past), dump(t, s, past); got != want {
		t.Errorf("two reads of the same past differ")
	}
}

// A read in the past that names a type defined since finds nothing of it,
// as there was nothing then, rather than failing as an unknown type.
func TestAsOfTypeDefinedLater(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	mustApply(t, s, twinCities())
	time.Sleep(3 * time.Millisecond)
	before := ReadOptions{AsOf: time.Now()}
	time.Sleep(3 * time.Millisecond)
	mustApply(t, s, Batch{
		EntityTypes:   []EntityType{{Name: "Village", Parent: "City"}},
		RelationTypes: []RelationType{{Name: "NEIGHBOUR_OF", Symmetric: true}},
		Entities:      []Entity{{ID: "lonneker", Type: "Village", Name: "Lonneker"}},
		Relations:     []Relation{{Type: "NEIGHBOUR_OF", From: "lonneker", To: "enschede"}},
	})
	page, err := s.FindEntities(ctx, EntityFilter{Types: []string{"Village"}, First: opt(10)}, before)
	if err != nil {
		t.Fatalf("entities of a type defined later, as of before: %v", err)
	}
	if got := len(page.Entities); got != 0 {
		t.Errorf("villages as of before: got %d, want 0", got)
	}
	if got, want := degreeAt(t, s, "enschede", RelationFilter{Types: []string{"NEIGHBOUR_OF"}, Direction: Both}, before), 0; got != want {
		t.Errorf("NEIGHBOUR_OF relations as of before: got %d, want %d", got, want)
	}
	if got, want := degreeAt(t, s, "enschede", RelationFilter{Types: []string{"NEIGHBOUR_OF"}, Direction: Both}, ReadOptions{}), 1; got != want {
		t.Errorf("NEIGHBOUR_OF relations now: got %d, want %d", got, want)
	}
	// A name that never was a type is still an error, then as now.
	if _, err := s.FindEntities(ctx, EntityFilter{Types: []string{"Hamlet"}}, before); ErrorCode(err) != Invalid {
		t.Errorf("an unknown type as of before: got %v, want INVALID_ARGUMENT", err)
	}
	// An entity type defined later is not a relation type then either.
	if _, err := s.Degree(ctx, "enschede", RelationFilter{Types: []string{"Village"}}, before); ErrorCode(err) != Invalid {
		t.Errorf("an entity type as a relation type as of before: got %v, want INVALID_ARGUMENT", err)
	}
}

// An asOf older than the history retention is refused, naming the
// oldest instant that can be read, rather than answered from a past that
// compaction may have thinned.
func TestAsOfBeyondRetention(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		retention time.Duration
		asOf      time.Duration // before now
		refused   bool
	}{
		{"Within", time.Hour, 30 * time.Minute, false},
		{"Beyond", time.Hour, 2 * time.Hour, true},
		{"DefaultBeyond", 0, 31 * 24 * time.Hour, true},
		{"Before1970", time.Hour, time.Since(time.Unix(0, 0)) + time.Hour, true},
		{"Forever", -1, 10 * 365 * 24 * time.Hour, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open("", Options{InMemory: true, HistoryRetention: tc.retention})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			mustApply(t, s, twinCities())
			at := time.Now().Add(-tc.asOf)
			_, err = s.Stats(ctx, ReadOptions{AsOf: at})
			if !tc.refused {
				if err != nil {
					t.Fatalf("asOf %s: %v", at, err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("asOf %s: got %v, want an *Error", at, err)
			}
			if got, want := e.Code, Invalid; got != want {
				t.Errorf("code: got %s, want %s", got, want)
			}
			if got, want := e.Field, "asOf"; got != want {
				t.Errorf("field: got %q, want %q", got, want)
			}
			// The message names the horizon, and asking for it works.
			i := strings.Index(e.Message, "can be read is ")
			if i < 0 {
				t.Fatalf("message %q does not name the horizon", e.Message)
			}
			h, err := time.Parse(time.RFC3339Nano, strings.Fields(e.Message[i+len("can be read is "):])[0])
			if err != nil {
				t.Fatalf("horizon in %q: %v", e.Message, err)
			}
			// The horizon moves with the clock (now minus the retention),
			// so the instant named is past by the time it is asked for;
			// a second after it is readable for a second more.
			if _, err := s.Stats(ctx, ReadOptions{AsOf: h.Add(time.Second)}); err != nil {
				t.Errorf("asOf a second after the horizon named, %s: %v", h, err)
			}
			if _, err := s.Stats(ctx, ReadOptions{AsOf: h.Add(-time.Second)}); ErrorCode(err) != Invalid {
				t.Errorf("asOf a second before the horizon: got %v, want INVALID_ARGUMENT", err)
			}
		})
	}
}

func TestStatsAndIsEmpty(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	empty, err := s.IsEmpty(ctx)
	if err != nil || !empty {
		t.Fatalf("IsEmpty of a new store: got %v %v, want true", empty, err)
	}
	o, err := s.Ontology(ctx, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(o.EntityTypes), len(DefaultOntology().EntityTypes); got != want {
		t.Errorf("entity types of a new store: got %d, want %d", got, want)
	}
	mustApply(t, s, twinCities())
	if empty, _ := s.IsEmpty(ctx); empty {
		t.Errorf("IsEmpty after a write: got true")
	}
	st, err := s.Stats(ctx, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := [2]int{st.Entities, st.Relations}, [2]int{8, 6}; got != want {
		t.Errorf("totals: got %v, want %v", got, want)
	}
	want := []TypeCount{{"City", 4}, {"Country", 1}, {"Document", 1}, {"Network", 1}, {"Person", 1}}
	if !slices.Equal(st.ByEntityType, want) {
		t.Errorf("by entity type: got %v, want %v", st.ByEntityType, want)
	}
	wantR := []TypeCount{{"FRIENDLY_COOPERATIVE_CITY_OF", 1}, {"LOCATED_IN", 1}, {"MAYOR_OF", 1}, {"MEMBER_OF", 1}, {"SISTER_CITY_OF", 2}}
	if !slices.Equal(st.ByRelationType, wantR) {
		t.Errorf("by relation type: got %v, want %v", st.ByRelationType, wantR)
	}
}

func TestNeverWritten(t *testing.T) {
	ctx := context.Background()
	never := func(s *Store) bool {
		t.Helper()
		ok, err := s.NeverWritten(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	s := openTestStore(t)
	if !never(s) {
		t.Errorf("NeverWritten of a new store: got false")
	}
	// Refused in pass 2, after the entities went to the batch: rolled back.
	b := twinCities()
	b.Relations = append(b.Relations, Relation{Type: "LOCATED_IN", From: "enschede", To: "atlantis"})
	if _, err := s.Load(ctx, sourceOf(recordsOf(b)), LoadOptions{}); err == nil {
		t.Fatal("load naming an unknown entity: no error")
	}
	if !never(s) {
		t.Errorf("NeverWritten after a refused load: got false")
	}
	mustApply(t, s, Batch{Entities: []Entity{{ID: "x", Type: "City", Name: "X"}}})
	if never(s) {
		t.Errorf("NeverWritten after a write: got true")
	}
	mustApply(t, s, Batch{DeleteEntities: []string{"x"}})
	if never(s) {
		t.Errorf("NeverWritten of a store emptied by deletion: got true")
	}
}

func TestReader(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	mustApply(t, s, twinCities())
	err := s.View(ctx, ReadOptions{}, func(r *Reader) error {
		n, ok, err := r.Lookup("enschede")
		if err != nil || !ok {
			t.Fatalf("Lookup: %v %v", ok, err)
		}
		if _, ok, _ := r.Lookup("onno-mayor"); ok {
			t.Errorf("Lookup of a relation id: got ok")
		}
		if id, err := r.EntityID(n); err != nil || id != "enschede" {
			t.Errorf("EntityID: got %q %v", id, err)
		}
		if _, err := r.EntityID(9999); ErrorCode(err) != NotFound {
			t.Errorf("EntityID of nothing: got %v, want NotFound", err)
		}
		var cities []NodeID
		err = r.EachNode([]string{"City"}, func(n NodeID, t TypeID) error {
			cities = append(cities, n)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(cities) != 4 || !slices.IsSorted(cities) {
			t.Errorf("EachNode(City): got %v, want 4 in order", cities)
		}
		f, err := r.Filter([]string{"SISTER_CITY_OF"}, Out, Date{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var edges []Edge
		if err := r.Edges(n, f, func(e Edge) error { edges = append(edges, e); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(edges) != 2 {
			t.Fatalf("sister edges: got %d, want 2", len(edges))
		}
		for _, e := range edges {
			if got, want := r.TypeName(e.Type), "SISTER_CITY_OF"; got != want {
				t.Errorf("TypeName: got %q, want %q", got, want)
			}
			if got, want := r.TypeName(e.OtherType), "City"; got != want {
				t.Errorf("other type: got %q, want %q", got, want)
			}
			if (e.From == n) != e.Outgoing || (e.Other == n) {
				t.Errorf("edge %+v seen from %d", e, n)
			}
		}
		// Expand over a frontier sees what Edges sees for each node.
		front := append([]NodeID{n}, cities...)
		byNode := make([][]Edge, len(front))
		if err := r.Expand(front, nil, func(i int, e Edge) error { byNode[i] = append(byNode[i], e); return nil }); err != nil {
			t.Fatal(err)
		}
		for i, m := range front {
			var want []Edge
			if err := r.Edges(m, nil, func(e Edge) error { want = append(want, e); return nil }); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(byNode[i], want) {
				t.Errorf("Expand of node %d: got %v, want %v", m, byNode[i], want)
			}
		}
		// A callback may start another scan.
		nested := 0
		err = r.Edges(n, nil, func(e Edge) error {
			return r.Edges(e.Other, nil, func(Edge) error { nested++; return nil })
		})
		if err != nil || nested == 0 {
			t.Errorf("nested Edges: %d edges, %v", nested, err)
		}
		rels, err := r.Relations([]RelID{edges[0].Relation, 9999})
		if err != nil || rels[0] == nil || rels[1] != nil {
			t.Errorf("Relations: got %v %v", rels, err)
		}
		if _, err := r.Filter([]string{"NOPE"}, Both, Date{}, nil); ErrorCode(err) != Invalid {
			t.Errorf("Filter with an unknown type: got %v, want Invalid", err)
		}
		if r.Context() != ctx {
			t.Errorf("Context: not the one given to View")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestBackupRestore(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	mustApply(t, s, twinCities())
	mustApply(t, s, Batch{EntityTypes: []EntityType{{Name: "Village", Parent: "City"}}, Entities: []Entity{{ID: "v", Type: "Village", Name: "V"}}})
	var buf bytes.Buffer
	if err := s.Backup(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	s2 := openTestStore(t)
	if err := s2.Restore(ctx, bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	if got, want := dump(t, s2, ReadOptions{}), dump(t, s, ReadOptions{}); got != want {
		t.Errorf("restored dump differs:\n%s\nwant\n%s", got, want)
	}
	if got, want := rawDump(t, s2), rawDump(t, s); got != want {
		t.Errorf("restored store differs byte for byte")
	}
	// The restored store takes writes after what it restored.
	mustApply(t, s2, Batch{DeleteEntities: []string{"v"}})
	if err := s2.Restore(ctx, bytes.NewReader(buf.Bytes())); ErrorCode(err) != Conflict {
		t.Errorf("Restore into a store with data: got %v, want Conflict", err)
	}
}

// Restoring something that is not a backup, such as an NDJSON dump, is an
// Invalid error that says so; badger's loader alone panicked on it.
func TestRestoreNotABackup(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ name, in string }{
		{"NDJSON", `{"kind":"entity","id":"a","type":"City","name":"A"}` + "\n"},
		{"ShortLength", "abc"},
		{"TruncatedRecord", "\x10\x00\x00\x00\x00\x00\x00\x00abc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openTestStore(t)
			err := s.Restore(ctx, strings.NewReader(tc.in))
			if got, want := ErrorCode(err), Invalid; got != want {
				t.Fatalf("code: got %s (%v), want %s", got, err, want)
			}
			if got := ErrorMessage(err); !strings.HasPrefix(got, "the input is not a backup written by ties backup") {
				t.Errorf("message: %q", got)
			}
		})
	}
}

func degreeAt(t *testing.T, s *Store, id string, f RelationFilter, ro ReadOptions) int {
	t.Helper()
	d, err := s.Degree(context.Background(), id, f, ro)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// During keeps the facts that held at some time within a span; the span's
// ends are partial dates and either may be open.
func TestDuring(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	mustApply(t, s, twinCities())
	d := func(from, to string) DateRange {
		var r DateRange
		if from != "" {
			r.From = MustParseDate(from)
		}
		if to != "" {
			r.To = MustParseDate(to)
		}
		return r
	}
	types := func(p RelationPage) []string {
		var out []string
		for _, r := range p.Relations {
			out = append(out, r.Type)
		}
		slices.Sort(out)
		return out
	}
	// Dalian: a friendly cooperative city 2009-2017, a sister city from 2017.
	for _, tc := range []struct {
		name   string
		during DateRange
		want   []string
	}{
		{"Before", d("2000", "2008"), nil},
		{"FriendlyOnly", d("2010", "2012"), []string{"FRIENDLY_COOPERATIVE_CITY_OF"}},
		{"Both", d("2016", "2018"), []string{"FRIENDLY_COOPERATIVE_CITY_OF", "SISTER_CITY_OF"}},
		{"SameYearBothEnds", d("2017-06", "2017-06"), []string{"FRIENDLY_COOPERATIVE_CITY_OF", "SISTER_CITY_OF"}},
		{"OpenEnd", d("2018", ""), []string{"SISTER_CITY_OF"}},
		{"OpenStart", d("", "2009-03"), []string{"FRIENDLY_COOPERATIVE_CITY_OF"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := s.FindRelations(ctx, "dalian", RelationFilter{Types: []string{"SISTER_CITY_OF", "FRIENDLY_COOPERATIVE_CITY_OF"}, During: tc.during}, ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := types(p); !slices.Equal(got, tc.want) {
				t.Errorf("relations: got %v, want %v", got, tc.want)
			}
			sg, err := s.Neighborhood(ctx, "dalian", NeighborhoodOptions{Depth: 1, Types: []string{"SISTER_CITY_OF", "FRIENDLY_COOPERATIVE_CITY_OF"}, During: tc.during}, ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(sg.Edges), len(tc.want); got != want {
				t.Errorf("neighborhood edges: got %d, want %d", got, want)
			}
		})
	}
	for _, tc := range []struct {
		name string
		f    RelationFilter
	}{
		{"Backwards", RelationFilter{During: d("2018", "2010")}},
		{"WithValidAt", RelationFilter{During: d("2010", "2012"), ValidAt: MustParseDate("2011")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.FindRelations(ctx, "dalian", tc.f, ReadOptions{})
			var e *Error
			if !errors.As(err, &e) || e.Code != Invalid || e.Field != "during" {
				t.Errorf("got %v, want an Invalid error on field during", err)
			}
		})
	}
}

// TestRestoreDamagedBackup: every frame of a backup carries its SHA-256
// and the file ends with a manifest, so a flipped byte, a cut-short file
// or a frame left out is refused with where the damage is, and the store
// stays empty.
func TestRestoreDamagedBackup(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	mustApply(t, s, twinCities())
	var buf bytes.Buffer
	if err := s.Backup(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	if !bytes.HasPrefix(good, []byte(backupMagic)) {
		t.Fatalf("backup does not start with %q", backupMagic)
	}
	firstData := len(backupMagic) + 4 + 32
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x40
		return b
	}
	end := bytes.LastIndex(good, []byte{0, 0, 0, 0, '{'})
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"FlippedData", flip(firstData + 10), "does not match its SHA-256"},
		{"FlippedDigest", flip(len(backupMagic) + 4 + 3), "does not match its SHA-256"},
		{"CutShort", good[:firstData+20], "cut short"},
		{"NoManifest", good[:end], "without its manifest"},
		{"WrongManifest", bytes.Replace(bytes.Clone(good), []byte(`"frames":1`), []byte(`"frames":2`), 1), "manifest lists"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s2 := openTestStore(t)
			err := s2.Restore(ctx, bytes.NewReader(tc.in))
			if ErrorCode(err) != Invalid || !strings.Contains(ErrorMessage(err), tc.want) {
				t.Fatalf("got %v, want INVALID_ARGUMENT saying %q", err, tc.want)
			}
		})
	}
	// A backup written before backups had checksums still restores.
	s3 := openTestStore(t)
	fr, legacy, err := openBackup(bytes.NewReader(good))
	if err != nil || legacy {
		t.Fatalf("openBackup: legacy %v, %v", legacy, err)
	}
	raw, err := io.ReadAll(fr)
	if err != nil {
		t.Fatal(err)
	}
	if err := s3.Restore(ctx, bytes.NewReader(raw)); err != nil {
		t.Fatalf("legacy backup: %v", err)
	}
	if got, want := dump(t, s3, ReadOptions{}), dump(t, s, ReadOptions{}); got != want {
		t.Errorf("legacy restore differs")
	}
}

func TestFindEntitiesValidTime(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	d := MustParseDate
	mustApply(t, s, Batch{Entities: []Entity{
		{ID: "a-old", Type: "City", Name: "Old", ValidFrom: d("1200"), ValidTo: d("1800")},
		{ID: "b-new", Type: "City", Name: "New", ValidFrom: d("2001-05")},
		{ID: "c-undated", Type: "City", Name: "Undated"},
		{ID: "d-ended", Type: "City", Name: "Ended", ValidTo: d("1990")},
		{ID: "e-span", Type: "City", Name: "Span", ValidFrom: d("1950"), ValidTo: d("2001-04")},
	}})
	tests := []struct {
		name      string
		f         EntityFilter
		want      []string
		wantTotal int
		wantNext  bool
		wantErr   Code
	}{
		{name: "All", f: EntityFilter{}, want: []string{"a-old", "b-new", "c-undated", "d-ended", "e-span"}, wantTotal: 5},
		{name: "ValidAt", f: EntityFilter{ValidAt: d("2001")}, want: []string{"b-new", "c-undated", "e-span"}, wantTotal: 3},
		{name: "ValidAtMonth", f: EntityFilter{ValidAt: d("2001-05")}, want: []string{"b-new", "c-undated"}, wantTotal: 2},
		{name: "ValidAtDatedOnly", f: EntityFilter{ValidAt: d("2001"), DatedOnly: true}, want: []string{"b-new", "e-span"}, wantTotal: 2},
		{name: "During", f: EntityFilter{During: DateRange{d("1700"), d("1960")}}, want: []string{"a-old", "c-undated", "d-ended", "e-span"}, wantTotal: 4},
		{name: "DuringDatedOnly", f: EntityFilter{During: DateRange{d("1700"), d("1960")}, DatedOnly: true}, want: []string{"a-old", "e-span"}, wantTotal: 2},
		{name: "DatedOnlyAlone", f: EntityFilter{DatedOnly: true}, want: []string{"a-old", "b-new", "e-span"}, wantTotal: 3},
		{name: "PageCountsAll", f: EntityFilter{ValidAt: d("2001"), First: new(1)}, want: []string{"b-new"}, wantTotal: 3, wantNext: true},
		{name: "AfterCursor", f: EntityFilter{ValidAt: d("2001"), After: encodeCursor([]byte("b-new"))}, want: []string{"c-undated", "e-span"}, wantTotal: 3},
		{name: "ErrBoth", f: EntityFilter{ValidAt: d("2001"), During: DateRange{From: d("2000")}}, wantErr: Invalid},
		{name: "ErrBackwards", f: EntityFilter{During: DateRange{d("2001"), d("2000")}}, wantErr: Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := s.FindEntities(ctx, tt.f, ReadOptions{})
			if got, want := ErrorCode(err), tt.wantErr; got != want {
				t.Fatalf("error code: got %q (%v), want %q", got, err, want)
			}
			if err != nil {
				return
			}
			if got := entityIDs(page.Entities); !slices.Equal(got, tt.want) {
				t.Errorf("entities: got %q, want %q", got, tt.want)
			}
			if got, want := page.TotalCount, tt.wantTotal; got != want {
				t.Errorf("totalCount: got %d, want %d", got, want)
			}
			if got, want := page.HasNext, tt.wantNext; got != want {
				t.Errorf("hasNext: got %v, want %v", got, want)
			}
		})
	}
}
