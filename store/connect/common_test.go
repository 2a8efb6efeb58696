package connect

import (
	"context"
	"github.com/ties-graph/ties/store"
	"slices"
	"testing"
)

func entityIDsOf(es []*store.Entity) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func TestCommonNeighbors(t *testing.T) {
	const graph = "a LINK c\nb LINK c\na LINK d\nd LINK b\na LINK e\nb LINK f\na TWIN g\ng TWIN b\nh : Company\na LINK h\nb LINK h\na LINK b\na LINK k from=2001 to=2002\nb LINK k from=2005"
	tests := []struct {
		name    string
		ids     []string
		f       store.RelationFilter
		want    []string
		wantErr store.Code
	}{
		{name: "Both", ids: []string{"a", "b"}, want: []string{"c", "d", "g", "h", "k"}},
		{name: "OrderOfIDsIrrelevant", ids: []string{"b", "a"}, want: []string{"c", "d", "g", "h", "k"}},
		{name: "Out", ids: []string{"a", "b"}, f: store.RelationFilter{Direction: store.Out}, want: []string{"c", "g", "h", "k"}},
		{name: "In", ids: []string{"c", "h"}, f: store.RelationFilter{Direction: store.In}, want: []string{"a", "b"}},
		{name: "Types", ids: []string{"a", "b"}, f: store.RelationFilter{Types: []string{"TWIN"}}, want: []string{"g"}},
		{name: "EntityTypes", ids: []string{"a", "b"}, f: store.RelationFilter{EntityTypes: []string{"Organization"}}, want: []string{"h"}},
		{name: "ValidAt", ids: []string{"a", "b"}, f: store.RelationFilter{ValidAt: store.MustParseDate("2010")}, want: []string{"c", "d", "g", "h"}},
		{name: "First", ids: []string{"a", "b"}, f: store.RelationFilter{First: opt(2)}, want: []string{"c", "d"}},
		{name: "One", ids: []string{"b"}, want: []string{"a", "c", "d", "f", "g", "h", "k"}},
		{name: "Duplicates", ids: []string{"a", "b", "a"}, want: []string{"c", "d", "g", "h", "k"}},
		{name: "Three", ids: []string{"a", "b", "c"}, want: []string{}},
		{name: "None", ids: []string{"e", "f"}, want: []string{}},
		{name: "ErrEmpty", ids: nil, wantErr: store.Invalid},
		{name: "ErrNotFound", ids: []string{"a", "nope"}, wantErr: store.NotFound},
		{name: "ErrFirst", ids: []string{"a"}, f: store.RelationFilter{First: opt(-2)}, wantErr: store.Invalid},
		{name: "ErrType", ids: []string{"a"}, f: store.RelationFilter{Types: []string{"NOPE"}}, wantErr: store.Invalid},
	}
	s := drawStore(t, graph)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := viewCommonNeighbors(context.Background(), s, tt.ids, tt.f, store.ReadOptions{})
			if errored(t, err, tt.wantErr) {
				return
			}
			if got, want := entityIDsOf(got), tt.want; !slices.Equal(got, want) {
				t.Errorf("common neighbours of %v: got %q, want %q", tt.ids, got, want)
			}
		})
	}
}

func TestCommonNeighborsMatchReference(t *testing.T) {
	ctx := context.Background()
	forRandomGraphs(t, 8, 25, 80, func(t *testing.T, rc randomCase) {
		for range 20 {
			var ids []string
			for range 1 + rc.rng.IntN(3) {
				ids = append(ids, rc.g.ids[rc.rng.IntN(len(rc.g.ids))])
			}
			dir := store.Direction(rc.rng.IntN(3))
			var want []string
			for _, cand := range rc.g.ids {
				all := !slices.Contains(ids, cand)
				for _, id := range ids {
					tied := false
					for _, st := range rc.g.steps(id, dir) {
						tied = tied || st.to == cand
					}
					all = all && tied
				}
				if all {
					want = append(want, cand)
				}
			}
			got, err := viewCommonNeighbors(ctx, rc.s, ids, store.RelationFilter{Direction: dir, First: opt(1000)}, store.ReadOptions{})
			if err != nil {
				t.Fatalf("CommonNeighbors: %v", err)
			}
			if got := entityIDsOf(got); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("CommonNeighbors(%v, %s): got %q, want %q", ids, dir, got, want)
			}
		}
	})
}
