package store

import (
	"slices"
	"testing"
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
// unchanged, types untouched.
func TestPackHeads(t *testing.T) {
	want := []EntityHead{
		{ID: "enschede", Type: "City", Name: "Enschede"},
		{ID: "", Type: "City", Name: ""},
		{ID: "münster", Type: "City", Name: "Münster"},
		{ID: "e\\1", Type: "Person", Name: "A \"name\""},
	}
	got := slices.Clone(want)
	packHeads(got)
	if !slices.Equal(got, want) {
		t.Fatalf("packHeads = %q, want %q", got, want)
	}
	packHeads(nil)
}
