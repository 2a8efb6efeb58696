package store

import (
	"math/rand/v2"
	"testing"
)

// TestNodePlaces checks the table against a map over ids both dense and
// scattered, through many doublings.
func TestNodePlaces(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, spread := range []uint64{1, 1000, 1 << 40} {
		tab := newNodePlaces()
		want := map[NodeID]int32{}
		for i := range 20_000 {
			n := NodeID(rng.Uint64N(30_000 * spread))
			if _, ok := want[n]; ok {
				continue
			}
			if _, ok := tab.get(n); ok {
				t.Fatalf("spread %d: %d found before it was put", spread, n)
			}
			want[n] = int32(i)
			tab.put(n, int32(i))
		}
		for n, p := range want {
			if got, ok := tab.get(n); !ok || got != p {
				t.Fatalf("spread %d: get(%d) = %d %v, want %d", spread, n, got, ok, p)
			}
		}
		if got, want := tab.n, len(want); got != want {
			t.Errorf("spread %d: %d entries, want %d", spread, got, want)
		}
	}
}
