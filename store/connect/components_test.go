package connect

import (
	"context"
	"fmt"
	"github.com/ties-graph/ties/store"
	"slices"
	"testing"
)

func TestComponents(t *testing.T) {
	const graph = "a LINK b\nb LINK c\nc LINK a\nd TWIN e\ne OTHER f from=2001 to=2002\nz : Person\nx : Company\nx LINK a"
	tests := []struct {
		name    string
		opts    store.ComponentsOptions
		want    store.ComponentsResult
		wantErr store.Code
	}{
		{name: "All", want: store.ComponentsResult{Count: 3, Largest: 4, Sizes: []int{4, 3, 1}}},
		{name: "Types", opts: store.ComponentsOptions{Types: []string{"LINK"}}, want: store.ComponentsResult{Count: 5, Largest: 4, Sizes: []int{4, 1, 1, 1, 1}}},
		{name: "ValidAt", opts: store.ComponentsOptions{ValidAt: store.MustParseDate("2010")}, want: store.ComponentsResult{Count: 4, Largest: 4, Sizes: []int{4, 2, 1, 1}}},
		{name: "EntityTypes", opts: store.ComponentsOptions{EntityTypes: []string{"Person"}}, want: store.ComponentsResult{Count: 3, Largest: 3, Sizes: []int{3, 3, 1}}},
		{name: "ErrType", opts: store.ComponentsOptions{Types: []string{"NOPE"}}, wantErr: store.Invalid},
	}
	s := drawStore(t, graph)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := viewComponents(context.Background(), s, tt.opts, store.ReadOptions{})
			if errored(t, err, tt.wantErr) {
				return
			}
			if got, want := fmt.Sprint(got), fmt.Sprint(tt.want); got != want {
				t.Errorf("components: got %s, want %s", got, want)
			}
		})
	}
}

func TestComponentOf(t *testing.T) {
	const graph = "b LINK c\nc LINK d\nq TWIN p\np OTHER a from=2001 to=2002\nz : Person\nx : Company\nx LINK b"
	tests := []struct {
		name    string
		id      string
		opts    store.ComponentsOptions
		want    string
		wantErr store.Code
	}{
		{name: "SmallestID", id: "d", want: "b"},
		{name: "AcrossCompany", id: "d", opts: store.ComponentsOptions{}, want: "b"},
		{name: "Symmetric", id: "q", want: "a"},
		{name: "ValidAtSplits", id: "q", opts: store.ComponentsOptions{ValidAt: store.MustParseDate("2005")}, want: "p"},
		{name: "TypesSplit", id: "q", opts: store.ComponentsOptions{Types: []string{"TWIN"}}, want: "p"},
		{name: "Isolated", id: "z", want: "z"},
		{name: "EntityTypes", id: "c", opts: store.ComponentsOptions{EntityTypes: []string{"Person"}}, want: "b"},
		{name: "ErrOutsideEntityTypes", id: "x", opts: store.ComponentsOptions{EntityTypes: []string{"Person"}}, wantErr: store.Invalid},
		{name: "ErrNotFound", id: "nope", wantErr: store.NotFound},
	}
	s := drawStore(t, graph)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := viewComponentOf(context.Background(), s, tt.id, tt.opts, store.ReadOptions{})
			errored(t, err, tt.wantErr)
			if got != tt.want {
				t.Errorf("ComponentOf(%s): got %q, want %q", tt.id, got, tt.want)
			}
		})
	}
}

func TestComponentsMatchReference(t *testing.T) {
	ctx := context.Background()
	forRandomGraphs(t, 8, 60, 50, func(t *testing.T, rc randomCase) {
		// Reference: repeated depth-first search over the undirected
		// relations.
		comp := map[string]string{} // entity -> smallest id in its component
		var sizes []int
		for _, id := range rc.g.ids { // sorted, so the first seen is the smallest
			if _, ok := comp[id]; ok {
				continue
			}
			stack, size := []string{id}, 0
			comp[id] = id
			for len(stack) > 0 {
				u := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				size++
				for _, st := range rc.g.steps(u, store.Both) {
					if _, ok := comp[st.to]; !ok {
						comp[st.to] = id
						stack = append(stack, st.to)
					}
				}
			}
			sizes = append(sizes, size)
		}
		slices.SortFunc(sizes, func(a, b int) int { return b - a })
		res, err := viewComponents(ctx, rc.s, store.ComponentsOptions{}, store.ReadOptions{})
		if err != nil {
			t.Fatalf("Components: %v", err)
		}
		want := store.ComponentsResult{Count: len(sizes), Largest: sizes[0], Sizes: sizes}
		if got, want := fmt.Sprint(res), fmt.Sprint(want); got != want {
			t.Errorf("components: got %s, want %s", got, want)
		}
		for _, id := range rc.g.ids {
			got, err := viewComponentOf(ctx, rc.s, id, store.ComponentsOptions{}, store.ReadOptions{})
			if err != nil {
				t.Fatalf("ComponentOf(%s): %v", id, err)
			}
			if want := comp[id]; got != want {
				t.Errorf("ComponentOf(%s): got %s, want %s", id, got, want)
			}
		}
	})
}
