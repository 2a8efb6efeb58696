package store

import (
	"math/rand/v2"
	"testing"
)

// TestDenseIndexMirrorsTheMap puts, forgets and evicts at random, with
// ids inside and outside the dense range and ids that share a slot, and
// checks after each step that every key is found where the map says and
// that a lookup never answers with another key's entry.
func TestDenseIndexMirrorsTheMap(t *testing.T) {
	const size = 40 * (entryOverhead + 8) // a few dozen entries: eviction is frequent
	c := newReadCache(size, 1)
	rng := rand.New(rand.NewPCG(1, 2))
	kinds := []cacheKind{cacheEntity, cacheRelation, cacheAdj}
	key := func() cacheKey {
		k := cacheKey{kinds[rng.IntN(len(kinds))], uint64(rng.IntN(200))}
		switch rng.IntN(10) {
		case 0:
			k.id += c.dense.max - 100 // on both sides of the dense range's end
		case 1:
			k.id |= 1 << 56 // shares a slot with a dense key
		}
		return k
	}
	for step := range 3000 {
		k := key()
		switch rng.IntN(3) {
		case 0, 1:
			c.putBody(k, 1, "12345678")
		default:
			c.mu.Lock()
			if i, ok := c.index[k.slot()]; ok {
				c.remove(int(i))
			}
			c.mu.Unlock()
		}
		if got, want := len(c.index), len(c.entries); got != want {
			t.Fatalf("step %d: map holds %d entries, ring %d", step, got, want)
		}
		for i := range c.entries {
			ek := c.entries[i].key
			if j, ok := c.at(ek); !ok || int(j) != i {
				t.Fatalf("step %d: %v is at %d, found at %d (%v)", step, ek, i, j, ok)
			}
		}
		if body, ok := c.body(k, 1); ok && body != "12345678" {
			t.Fatalf("step %d: %v answered %q", step, k, body)
		}
		for _, kind := range kinds {
			for id, p := range c.dense.byKind[kind] {
				if p == 0 {
					continue
				}
				if got := c.entries[p-1].key; got != (cacheKey{kind, uint64(id)}) {
					t.Fatalf("step %d: dense index of %v points at %v", step, cacheKey{kind, uint64(id)}, got)
				}
			}
		}
	}
}
