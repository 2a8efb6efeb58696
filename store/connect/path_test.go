package connect

import (
	"context"
	"errors"
	"fmt"
	"github.com/ties-graph/ties/store"
	"slices"
	"strings"
	"testing"
)

// The connection tests draw small graphs in a line-based notation:
//
//	a LINK b            a relation a -LINK-> b, id r1, r2, ... in order
//	a TWIN b            a symmetric relation
//	a LINK b id=x w=3 from=2010 to=2012 cost=abc
//	x : Company         entity x has type Company (default Person)
//
// LINK and OTHER are directed, TWIN is symmetric, all between any types.
// Entities named only in "x : Type" lines exist without relations.

// connRelationTypes are the relation types of the drawings to the default
// ontology.
var connRelationTypes = []store.RelationType{
	{Name: "LINK", Inverse: "LINKED_FROM"},
	{Name: "OTHER", Inverse: "OTHER_FROM"},
	{Name: "TWIN", Inverse: "TWIN", Symmetric: true},
}

// drawing is a parsed graph drawing.
type drawing struct {
	entities  []store.Entity
	relations []store.Relation
}

func parseDrawing(t testing.TB, spec string) drawing {
	t.Helper()
	var d drawing
	types := map[string]string{}
	var order []string
	see := func(id string) {
		if _, ok := types[id]; !ok {
			types[id] = "Person"
			order = append(order, id)
		}
	}
	for _, line := range strings.Split(spec, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case len(f) == 3 && f[1] == ":":
			see(f[0])
			types[f[0]] = f[2]
		case len(f) >= 3:
			see(f[0])
			see(f[2])
			rel := store.Relation{ID: fmt.Sprintf("r%d", len(d.relations)+1), Type: f[1], From: f[0], To: f[2]}
			for _, kv := range f[3:] {
				k, v, _ := strings.Cut(kv, "=")
				switch k {
				case "id":
					rel.ID = v
				case "from":
					rel.ValidFrom = store.MustParseDate(v)
				case "to":
					rel.ValidTo = store.MustParseDate(v)
				case "w":
					var x float64
					if _, err := fmt.Sscan(v, &x); err != nil {
						t.Fatalf("bad weight in %q: %v", line, err)
					}
					rel.Properties = store.Properties{"w": store.Number(x)}
				case "cost":
					rel.Properties = store.Properties{"w": store.Text(v)}
				default:
					t.Fatalf("bad attribute in %q", line)
				}
			}
			d.relations = append(d.relations, rel)
		default:
			t.Fatalf("bad drawing line %q", line)
		}
	}
	for _, id := range order {
		d.entities = append(d.entities, store.Entity{ID: id, Type: types[id], Name: strings.ToUpper(id)})
	}
	return d
}

// drawStore stores a drawing in a new store.
func drawStore(t testing.TB, spec string) *store.Store {
	t.Helper()
	s := openTestStore(t)
	d := parseDrawing(t, spec)
	_, err := s.Apply(context.Background(), store.Batch{RelationTypes: connRelationTypes, Entities: d.entities, Relations: d.relations})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return s
}

// pathString renders a path as "a -r1- b -r2- c".
func pathString(p *store.Path) string {
	if p == nil {
		return "<nil>"
	}
	var sb strings.Builder
	for i, n := range p.Nodes {
		if i > 0 {
			fmt.Fprintf(&sb, " -%s- ", p.Edges[i-1].ID)
		}
		sb.WriteString(n.ID)
	}
	return sb.String()
}

func pathStrings(ps []store.Path) []string {
	out := make([]string, len(ps))
	for i := range ps {
		out[i] = pathString(&ps[i])
	}
	return out
}

func TestShortestPath(t *testing.T) {
	tests := []struct {
		name    string
		graph   string
		from    string
		to      string
		opts    store.PathOptions
		want    string // pathString, "<nil>" for none
		anyOf   []string
		wantErr store.Code
	}{
		{name: "DirectEdge", graph: "a LINK b", from: "a", to: "b", want: "a -r1- b"},
		{name: "Chain", graph: "a LINK b\nb LINK c\nc LINK d", from: "a", to: "d", want: "a -r1- b -r2- c -r3- d"},
		{name: "FromEqualsTo", graph: "a LINK b", from: "a", to: "a", want: "a"},
		{name: "Unreachable", graph: "a LINK b\nc LINK d", from: "a", to: "d", want: "<nil>"},
		{name: "Isolated", graph: "a LINK b\nz : Person", from: "a", to: "z", want: "<nil>"},
		{name: "OutFollowsEdges", graph: "a LINK b\nb LINK c", from: "a", to: "c", opts: store.PathOptions{Direction: store.Out}, want: "a -r1- b -r2- c"},
		{name: "OutAgainstEdges", graph: "a LINK b\nb LINK c", from: "c", to: "a", opts: store.PathOptions{Direction: store.Out}, want: "<nil>"},
		{name: "InAgainstEdges", graph: "a LINK b\nb LINK c", from: "c", to: "a", opts: store.PathOptions{Direction: store.In}, want: "c -r2- b -r1- a"},
		{name: "InAlongEdges", graph: "a LINK b\nb LINK c", from: "a", to: "c", opts: store.PathOptions{Direction: store.In}, want: "<nil>"},
		{name: "BothIgnoresDirection", graph: "a LINK b\nc LINK b", from: "a", to: "c", want: "a -r1- b -r2- c"},
		{name: "OutMixedDirections", graph: "a LINK b\nc LINK b", from: "a", to: "c", opts: store.PathOptions{Direction: store.Out}, want: "<nil>"},
		{name: "SymmetricFromEitherEnd", graph: "a TWIN b\nc TWIN b", from: "a", to: "c", opts: store.PathOptions{Direction: store.Out}, want: "a -r1- b -r2- c"},
		{name: "SymmetricIn", graph: "a TWIN b\nc TWIN b", from: "c", to: "a", opts: store.PathOptions{Direction: store.In}, want: "c -r2- b -r1- a"},
		{name: "Cycle", graph: "a LINK b\nb LINK c\nc LINK a\nc LINK d", from: "a", to: "d", opts: store.PathOptions{Direction: store.Out}, want: "a -r1- b -r2- c -r4- d"},
		{name: "CycleBackwards", graph: "a LINK b\nb LINK c\nc LINK a\nc LINK d", from: "a", to: "d", want: "a -r3- c -r4- d"},
		{name: "SelfLoop", graph: "a LINK a\na LINK b\nb LINK b", from: "a", to: "b", want: "a -r2- b"},
		{name: "TypesFilter", graph: "a LINK b\na OTHER c\nc OTHER b", from: "a", to: "b", opts: store.PathOptions{Types: []string{"OTHER"}}, want: "a -r2- c -r3- b"},
		{name: "TypesFilterNone", graph: "a LINK b", from: "a", to: "b", opts: store.PathOptions{Types: []string{"OTHER"}}, want: "<nil>"},
		{name: "MaxDepthTooShort", graph: "a LINK b\nb LINK c\nc LINK d", from: "a", to: "d", opts: store.PathOptions{MaxDepth: opt(2)}, want: "<nil>"},
		{name: "MaxDepthExact", graph: "a LINK b\nb LINK c\nc LINK d", from: "a", to: "d", opts: store.PathOptions{MaxDepth: opt(3)}, want: "a -r1- b -r2- c -r3- d"},
		{name: "DefaultMaxDepth", graph: "a LINK b\nb LINK c\nc LINK d\nd LINK e\ne LINK f\nf LINK g\ng LINK h", from: "a", to: "h", want: "<nil>"},
		{name: "ValidAtOld", graph: "a LINK b from=2010 to=2012\na LINK c\nc LINK b", from: "a", to: "b", opts: store.PathOptions{ValidAt: store.MustParseDate("2011-05")}, want: "a -r1- b"},
		{name: "ValidAtNew", graph: "a LINK b from=2010 to=2012\na LINK c\nc LINK b", from: "a", to: "b", opts: store.PathOptions{ValidAt: store.MustParseDate("2015")}, want: "a -r2- c -r3- b"},
		{name: "ValidAtNotYet", graph: "a LINK b from=2017", from: "a", to: "b", opts: store.PathOptions{ValidAt: store.MustParseDate("2016-12-31")}, want: "<nil>"},
		{name: "EntityTypesPerson", graph: "a : City\nb : City\nx : Company\na LINK x\nx LINK b\na LINK y\ny LINK z\nz LINK b", from: "a", to: "b", opts: store.PathOptions{EntityTypes: []string{"Person"}}, want: "a -r3- y -r4- z -r5- b"},
		{name: "EntityTypesSubtype", graph: "a : City\nb : City\nx : Company\na LINK x\nx LINK b\na LINK y\ny LINK z\nz LINK b", from: "a", to: "b", opts: store.PathOptions{EntityTypes: []string{"Organization"}}, want: "a -r1- x -r2- b"},
		{name: "EntityTypesEndsExempt", graph: "a : City\nb : City\na LINK b", from: "a", to: "b", opts: store.PathOptions{EntityTypes: []string{"Company"}}, want: "a -r1- b"},
		{name: "EntityTypesBlocks", graph: "a : City\nb : City\nx : Company\na LINK x\nx LINK b", from: "a", to: "b", opts: store.PathOptions{EntityTypes: []string{"Person"}}, want: "<nil>"},
		{name: "MultiEdge", graph: "a LINK b id=m1\na LINK b id=m2", from: "a", to: "b", anyOf: []string{"a -m1- b", "a -m2- b"}},
		{name: "Diamond", graph: "a LINK b\na LINK c\nb LINK d\nc LINK d", from: "a", to: "d", anyOf: []string{"a -r1- b -r3- d", "a -r2- c -r4- d"}},
		{name: "ErrUnknownFrom", graph: "a LINK b", from: "nope", to: "b", wantErr: store.NotFound},
		{name: "ErrUnknownTo", graph: "a LINK b", from: "a", to: "nope", wantErr: store.NotFound},
		{name: "ErrUnknownRelationType", graph: "a LINK b", from: "a", to: "b", opts: store.PathOptions{Types: []string{"NOPE"}}, wantErr: store.Invalid},
		{name: "ErrUnknownEntityType", graph: "a LINK b", from: "a", to: "b", opts: store.PathOptions{EntityTypes: []string{"Nope"}}, wantErr: store.Invalid},
		{name: "ErrNegativeDepth", graph: "a LINK b", from: "a", to: "b", opts: store.PathOptions{MaxDepth: opt(-1)}, wantErr: store.Invalid},
		{name: "ErrVisitedCap", graph: "a LINK b\nb LINK c\nc LINK d\nd LINK e", from: "a", to: "e", opts: store.PathOptions{MaxVisited: 3}, wantErr: store.TooComplex},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := drawStore(t, tt.graph)
			p, err := viewShortestPath(context.Background(), s, tt.from, tt.to, tt.opts, store.ReadOptions{})
			if errored(t, err, tt.wantErr) {
				return
			}
			got := pathString(p)
			switch {
			case tt.anyOf != nil:
				if !slices.Contains(tt.anyOf, got) {
					t.Errorf("path: got %s, want one of %q", got, tt.anyOf)
				}
			case got != tt.want:
				t.Errorf("path: got %s, want %s", got, tt.want)
			}
			if p != nil {
				if got, want := p.Cost, float64(len(p.Edges)); got != want {
					t.Errorf("cost: got %v, want %v", got, want)
				}
				if got, want := len(p.Nodes), len(p.Edges)+1; got != want {
					t.Errorf("nodes: got %d, want %d", got, want)
				}
			}
		})
	}
}

func TestShortestPathIsDeterministic(t *testing.T) {
	s := drawStore(t, "a LINK b\na LINK c\nb LINK d\nc LINK d\na LINK e\ne LINK d\nd LINK f\nc LINK f")
	first, err := viewShortestPath(context.Background(), s, "a", "f", store.PathOptions{}, store.ReadOptions{})
	if err != nil {
		t.Fatalf("ShortestPath: %v", err)
	}
	for range 5 {
		p, err := viewShortestPath(context.Background(), s, "a", "f", store.PathOptions{}, store.ReadOptions{})
		if err != nil {
			t.Fatalf("ShortestPath: %v", err)
		}
		if got, want := pathString(p), pathString(first); got != want {
			t.Errorf("path: got %s, want %s as before", got, want)
		}
	}
}

func TestShortestPathCarriesBodies(t *testing.T) {
	s := openTestStore(t)
	conf := 0.9
	_, err := s.Apply(context.Background(), store.Batch{
		RelationTypes: connRelationTypes,
		Entities: []store.Entity{
			{ID: "doc", Type: "Document", Name: "Report"},
			{ID: "a", Type: "Person", Name: "A"},
			{ID: "b", Type: "Person", Name: "B"},
		},
		Relations: []store.Relation{{ID: "ab", Type: "LINK", From: "a", To: "b", Sources: []store.Source{{Document: "doc", Excerpt: "A links B.", Confidence: &conf}}}},
	})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	p, err := viewShortestPath(context.Background(), s, "b", "a", store.PathOptions{}, store.ReadOptions{})
	if err != nil || p == nil {
		t.Fatalf("ShortestPath: %v, %v", p, err)
	}
	if got, want := p.Nodes[0].Name, "B"; got != want {
		t.Errorf("first node name: got %q, want %q", got, want)
	}
	if got, want := len(p.Edges[0].Sources), 1; got != want {
		t.Fatalf("sources: got %d, want %d", got, want)
	}
	if got, want := p.Edges[0].Sources[0].Excerpt, "A links B."; got != want {
		t.Errorf("excerpt: got %q, want %q", got, want)
	}
	if got, want := p.Edges[0].From, "a"; got != want {
		t.Errorf("edge from: got %q, want %q (as stored)", got, want)
	}
}

func TestWeightedShortestPath(t *testing.T) {
	tests := []struct {
		name      string
		graph     string
		from, to  string
		maxDepth  int
		want      string
		wantCost  float64
		wantErr   store.Code
		wantField string
	}{
		{name: "CheaperDetour", graph: "a LINK b w=5\na LINK c w=1\nc LINK b w=1", from: "a", to: "b", want: "a -r2- c -r3- b", wantCost: 2},
		{name: "MissingCostsOne", graph: "a LINK b\na LINK c w=0.5\nc LINK b w=0.7", from: "a", to: "b", want: "a -r1- b", wantCost: 1},
		{name: "ZeroWeights", graph: "a LINK b w=0\nb LINK c w=0\na LINK c w=0.1", from: "a", to: "c", want: "a -r1- b -r2- c", wantCost: 0},
		{name: "HopBoundKeepsExpensive", graph: "a LINK b w=10\na LINK c w=1\nc LINK d w=1\nd LINK b w=1", from: "a", to: "b", maxDepth: 2, want: "a -r1- b", wantCost: 10},
		{name: "HopBoundAllowsDetour", graph: "a LINK b w=10\na LINK c w=1\nc LINK d w=1\nd LINK b w=1", from: "a", to: "b", maxDepth: 3, want: "a -r2- c -r3- d -r4- b", wantCost: 3},
		// The cheapest way to x takes three hops, which leaves none for
		// the last edge: x must be settled again by its dearer one-hop way.
		{name: "HopBoundRevisits", graph: "a LINK p w=1\np LINK q w=1\nq LINK x w=1\na LINK x w=5\nx LINK b w=1", from: "a", to: "b", maxDepth: 3, want: "a -r4- x -r5- b", wantCost: 6},
		{name: "HopBoundLifted", graph: "a LINK p w=1\np LINK q w=1\nq LINK x w=1\na LINK x w=5\nx LINK b w=1", from: "a", to: "b", maxDepth: 4, want: "a -r1- p -r2- q -r3- x -r5- b", wantCost: 4},
		{name: "Unreachable", graph: "a LINK b w=1\nc : Person", from: "a", to: "c", want: "<nil>"},
		{name: "FromEqualsTo", graph: "a LINK b w=1", from: "a", to: "a", want: "a", wantCost: 0},
		{name: "ErrNegative", graph: "a LINK b w=-1", from: "a", to: "b", wantErr: store.Invalid, wantField: "properties.w"},
		{name: "ErrText", graph: "a LINK b cost=cheap", from: "a", to: "b", wantErr: store.Invalid, wantField: "properties.w"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := drawStore(t, tt.graph)
			p, err := viewShortestPath(context.Background(), s, tt.from, tt.to, store.PathOptions{Weight: "w", MaxDepth: opt(tt.maxDepth)}, store.ReadOptions{})
			if errored(t, err, tt.wantErr) {
				var e *store.Error
				errors.As(err, &e)
				if got, want := e.Field, tt.wantField; got != want {
					t.Errorf("error field: got %q, want %q", got, want)
				}
				if got, want := e.Record, "r1"; got != want {
					t.Errorf("error record: got %q, want %q", got, want)
				}
				return
			}
			if got, want := pathString(p), tt.want; got != want {
				t.Fatalf("path: got %s, want %s", got, want)
			}
			if p != nil {
				if got, want := p.Cost, tt.wantCost; got != want {
					t.Errorf("cost: got %v, want %v", got, want)
				}
			}
		})
	}
}

func TestKShortestPaths(t *testing.T) {
	tests := []pathsCase{
		{
			name:  "DirectThenTiesByID",
			graph: "a LINK d\na LINK c\nc LINK d\na LINK b\nb LINK d",
			from:  "a", to: "d", n: 3,
			want: []string{"a -r1- d", "a -r4- b -r5- d", "a -r2- c -r3- d"},
		},
		{
			name:  "DefaultK",
			graph: "a LINK e\na LINK b\nb LINK e\na LINK c\nc LINK e\na LINK d\nd LINK e",
			from:  "a", to: "e",
			want: []string{"a -r1- e", "a -r2- b -r3- e", "a -r4- c -r5- e"},
		},
		{
			name:  "MultiEdgesAreTwoPaths",
			graph: "a LINK b id=m1\na LINK b id=m2\nb LINK c id=m3",
			from:  "a", to: "c", n: 5,
			want: []string{"a -m1- b -m3- c", "a -m2- b -m3- c"},
		},
		{
			name:  "FewerThanK",
			graph: "a LINK b\nb LINK c\na LINK c",
			from:  "a", to: "c", n: 10,
			want: []string{"a -r3- c", "a -r1- b -r2- c"},
		},
		{
			name:  "OnlySimplePaths",
			graph: "a LINK b\nb LINK a\nb LINK c\nc LINK b",
			from:  "a", to: "c", n: 10, opts: store.PathOptions{Direction: store.Out},
			want: []string{"a -r1- b -r3- c"},
		},
		{
			name:  "Direction",
			graph: "a LINK b\nb LINK c\na LINK x\nc LINK x",
			from:  "a", to: "c", n: 5, opts: store.PathOptions{Direction: store.Out},
			want: []string{"a -r1- b -r2- c"},
		},
		{
			name:  "SpurRespectsDepth",
			graph: "a LINK b\nb LINK c\na LINK x\nx LINK y\ny LINK c",
			from:  "a", to: "c", n: 5, opts: store.PathOptions{MaxDepth: opt(2)},
			want: []string{"a -r1- b -r2- c"},
		},
		{
			name:  "Weighted",
			graph: "a LINK d w=10\na LINK b w=1\nb LINK d w=1\na LINK c w=2\nc LINK d w=2",
			from:  "a", to: "d", n: 3, opts: store.PathOptions{Weight: "w"},
			want: []string{"a -r2- b -r3- d", "a -r4- c -r5- d", "a -r1- d"},
		},
		{
			name:  "Unreachable",
			graph: "a LINK b\nc : Person",
			from:  "a", to: "c", n: 3,
			want: []string{},
		},
		{
			name:  "FromEqualsTo",
			graph: "a LINK b",
			from:  "a", to: "a", n: 3,
			want: []string{"a"},
		},
		{
			name:  "VisitedCapTruncates",
			graph: "a LINK b\nb LINK c\nc LINK d\na LINK x\nx LINK y\ny LINK d",
			from:  "a", to: "d", n: 5, opts: store.PathOptions{MaxVisited: 8},
			want: []string{"a -r1- b -r2- c -r3- d"}, truncated: true,
		},
		{name: "ErrNegativeK", graph: "a LINK b", from: "a", to: "b", n: -1, wantErr: store.Invalid},
		{name: "ErrNotFound", graph: "a LINK b", from: "a", to: "zz", n: 2, wantErr: store.NotFound},
	}
	testPaths(t, viewKShortestPaths, tests)
}

func TestAllPaths(t *testing.T) {
	const square = "a LINK b\nb LINK d\na LINK c\nc LINK d\nb LINK c\na LINK d"
	// every path from a to d in the square, shortest first, then by id.
	every := []string{
		"a -r6- d",
		"a -r1- b -r2- d",
		"a -r3- c -r4- d",
		"a -r1- b -r5- c -r4- d",
		"a -r3- c -r5- b -r2- d",
	}
	tests := []pathsCase{
		{
			name: "ShortestFirstThenByID", graph: square, from: "a", to: "d",
			want: every,
		},
		{
			name: "Limit", graph: square, from: "a", to: "d", n: 2,
			want:      []string{"a -r6- d", "a -r1- b -r2- d"},
			truncated: true,
		},
		{
			name: "LimitExact", graph: square, from: "a", to: "d", n: 5,
			want: every,
		},
		{
			name: "MaxDepth", graph: square, from: "a", to: "d", opts: store.PathOptions{MaxDepth: opt(2)},
			want: []string{"a -r6- d", "a -r1- b -r2- d", "a -r3- c -r4- d"},
		},
		{
			name: "Out", graph: square, from: "a", to: "d", opts: store.PathOptions{Direction: store.Out},
			want: []string{"a -r6- d", "a -r1- b -r2- d", "a -r3- c -r4- d", "a -r1- b -r5- c -r4- d"},
		},
		{
			name: "MultiEdges", graph: "a LINK b id=m1\na LINK b id=m2\nb TWIN c id=m3", from: "a", to: "c",
			want: []string{"a -m1- b -m3- c", "a -m2- b -m3- c"},
		},
		{
			name: "EntityTypes", graph: square + "\nc : Company", from: "a", to: "d", opts: store.PathOptions{EntityTypes: []string{"Person"}},
			want: []string{"a -r6- d", "a -r1- b -r2- d"},
		},
		{
			name: "ValidAt", graph: "a LINK b from=2009 to=2010\nb LINK c\na LINK c from=2011", from: "a", to: "c", opts: store.PathOptions{ValidAt: store.MustParseDate("2012")},
			want: []string{"a -r3- c"},
		},
		{name: "FromEqualsTo", graph: square, from: "b", to: "b", want: []string{"b"}},
		{name: "Unreachable", graph: "a LINK b\nc : Person", from: "a", to: "c", want: []string{}},
		{
			name: "VisitedCap", graph: square, from: "a", to: "d", opts: store.PathOptions{MaxVisited: 5},
			want: []string{"a -r6- d", "a -r1- b -r2- d", "a -r3- c -r4- d"}, truncated: true,
		},
		{name: "ErrNegativeLimit", graph: square, from: "a", to: "d", n: -1, wantErr: store.Invalid},
		{name: "ErrNotFound", graph: square, from: "zz", to: "d", wantErr: store.NotFound},
	}
	testPaths(t, viewAllPaths, tests)
}

func TestAllPathsWeightFillsCost(t *testing.T) {
	s := drawStore(t, "a LINK b w=2\nb LINK c w=3\na LINK c")
	res, err := viewAllPaths(context.Background(), s, "a", "c", opt(0), store.PathOptions{Weight: "w"}, store.ReadOptions{})
	if err != nil {
		t.Fatalf("AllPaths: %v", err)
	}
	var costs []float64
	for _, p := range res.Paths {
		costs = append(costs, p.Cost)
	}
	if got, want := costs, []float64{1, 5}; !slices.Equal(got, want) {
		t.Errorf("costs: got %v, want %v", got, want)
	}
}
