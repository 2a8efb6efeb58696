package store

import (
	"slices"
	"testing"
)

// TestNodeSet requires the set to hold what was added, near and far ids
// alike, and to be empty again after reset.
func TestNodeSet(t *testing.T) {
	var s nodeSet
	nodes := []NodeID{0, 1, 63, 64, 4095, 70_000, maxSetID - 1, maxSetID, maxSetID + 12345}
	for _, n := range nodes {
		if s.has(n) {
			t.Fatalf("has(%d) before add", n)
		}
		s.add(n)
		if !s.has(n) {
			t.Fatalf("has(%d) = false after add", n)
		}
	}
	for _, n := range []NodeID{2, 65, 69_999, maxSetID + 1} {
		if s.has(n) {
			t.Fatalf("has(%d), never added", n)
		}
	}
	if got, want := len(s.words), maxSetID/64; got != want {
		t.Fatalf("bitmap of %d words, want %d (capped)", got, want)
	}
	for _, few := range []bool{false, true} {
		s.reset(nodes)
		for _, n := range nodes {
			if s.has(n) {
				t.Fatalf("has(%d) after reset", n)
			}
		}
		if few {
			break
		}
		// Again with a member list short for the bitmap: reset clears
		// word by word.
		nodes = nodes[:3]
		for _, n := range nodes {
			s.add(n)
		}
	}
	if slices.ContainsFunc(s.words, func(w uint64) bool { return w != 0 }) {
		t.Fatal("a word left set after reset")
	}
}
