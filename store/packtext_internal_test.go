package store

import (
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// TestPackIDs holds packIDs to its input: the same strings in the same
// order, empty ones included, all lying in one run.
func TestPackIDs(t *testing.T) {
	for _, tc := range []struct {
		name string
		ids  []string
	}{
		{"Empty", nil},
		{"One", []string{"r1"}},
		{"Mixed", []string{"r00000001", "", "a \"quoted\" id", "r2", "ünïcode", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := slices.Clone(tc.ids)
			got := packIDs(in)
			if !slices.Equal(got, tc.ids) {
				t.Fatalf("packIDs(%q) = %q", tc.ids, got)
			}
		})
	}
}

// TestPackHeads holds packHeads to the heads it was given: ids and names
// unchanged, types untouched; an answer of packHeadsMin nodes or more
// has them in one run, in node order, and a smaller one keeps its own.
func TestPackHeads(t *testing.T) {
	some := []EntityHead{
		{ID: "enschede", Type: "City", Name: "Enschede"},
		{ID: "", Type: "City", Name: ""},
		{ID: "münster", Type: "City", Name: "Münster"},
		{ID: "e\\1", Type: "Person", Name: "A \"name\""},
	}
	for _, n := range []int{len(some), packHeadsMin - 1, packHeadsMin, packHeadsMin + 3} {
		want := make([]EntityHead, n)
		for i := range want {
			want[i] = some[i%len(some)]
			want[i].ID = strings.Clone(want[i].ID)
		}
		got := slices.Clone(want)
		packHeads(got)
		if !slices.Equal(got, want) {
			t.Fatalf("%d heads: packHeads changed them", n)
		}
		packed := n >= packHeadsMin
		var next unsafe.Pointer
		for i := range got {
			for _, s := range []string{got[i].ID, got[i].Name} {
				if s == "" {
					continue
				}
				if p := unsafe.Pointer(unsafe.StringData(s)); next != nil && packed && p != next {
					t.Fatalf("%d heads: head %d does not follow the one before it", n, i)
				}
				next = unsafe.Add(unsafe.Pointer(unsafe.StringData(s)), len(s))
			}
			if !packed && got[i].ID != "" && unsafe.StringData(got[i].ID) != unsafe.StringData(want[i].ID) {
				t.Fatalf("%d heads, fewer than %d: head %d was copied", n, packHeadsMin, i)
			}
		}
	}
	packHeads(nil)
}
