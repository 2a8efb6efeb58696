package badgerkv

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestChunkSort checks that the radix sort of a chunk gives exactly the
// order of a comparison sort by key and then offset, on keys shaped like
// the graph's (a prefix byte and big-endian ids, most high bytes zero),
// keys shorter than the head (which pads them with zeros, so "a" and
// "a\x00" share a head), long keys that tie on the whole head and go on
// being sorted by the bytes after it, and keys set many times.
func TestChunkSort(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		key  func(r *rand.Rand) []byte
	}{
		{"GraphKeys", 20000, func(r *rand.Rand) []byte {
			k := []byte{byte(1 + r.IntN(6))}
			k = binary.BigEndian.AppendUint64(k, uint64(r.IntN(5000)))
			if r.IntN(2) == 0 {
				k = binary.BigEndian.AppendUint32(k, uint32(r.IntN(4)))
				k = binary.BigEndian.AppendUint64(k, uint64(r.IntN(5000)))
			}
			return k
		}},
		{"ShortAndPadded", 5000, func(r *rand.Rand) []byte {
			k := make([]byte, 1+r.IntN(17))
			for i := range k {
				k[i] = byte(r.IntN(3)) // zeros often: a key and its padded twin
			}
			return k
		}},
		{"TiesOnHead", 5000, func(r *rand.Rand) []byte {
			k := make([]byte, 16+r.IntN(8))
			k[0] = 9
			for i := 16; i < len(k); i++ {
				k[i] = byte(r.IntN(4))
			}
			return k
		}},
		{"LongSharedPrefixes", 20000, func(r *rand.Rand) []byte {
			k := make([]byte, 14+r.IntN(30))
			k[0] = 3
			for i := 14 + r.IntN(8); i < len(k); i++ {
				k[i] = byte(r.IntN(2)) // few values: equal keys and keys that end together
			}
			return k
		}},
		{"Random", 30000, func(r *rand.Rand) []byte {
			k := make([]byte, 1+r.IntN(40))
			for i := range k {
				k[i] = byte(r.Uint32())
			}
			return k
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(tc.n), 7))
			var c chunk
			for range tc.n {
				k := tc.key(r)
				off := len(c.arena)
				c.arena = append(c.arena, k...)
				c.entries = append(c.entries, chunkEntry{head: keyHead(k), off: off, keyLen: uint32(len(k))})
			}
			want := slices.Clone(c.entries)
			slices.SortFunc(want, func(x, y chunkEntry) int {
				if r := c.compareKeys(&x, &y); r != 0 {
					return r
				}
				return x.off - y.off
			})
			c.sortEntries(c.entries)
			for i := range want {
				if got, want := c.entries[i], want[i]; got != want {
					t.Fatalf("entry %d: got key %x (offset %d), want %x (offset %d)", i, c.key(&got), got.off, c.key(&want), want.off)
				}
				if i > 0 {
					x, y := &c.entries[i-1], &c.entries[i]
					if got, want := c.equalKeys(x, y), c.compareKeys(x, y) == 0; got != want {
						t.Fatalf("equalKeys(%x, %x) = %v, want %v", c.key(x), c.key(y), got, want)
					}
				}
			}
		})
	}
}

// TestMergeRandomRuns merges random sorted runs and checks every key comes
// out once, in order, with the value of the latest run that has it, keys
// that share their head or are prefixes of each other included.
func TestMergeRandomRuns(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 20 {
		s := spill{dir: t.TempDir()}
		want := map[string]string{}
		var runs []string
		for run := range 1 + r.IntN(9) {
			keys := map[string]bool{}
			for range r.IntN(300) {
				k := make([]byte, 1+r.IntN(24))
				for i := range k {
					k[i] = byte(r.IntN(3))
				}
				keys[string(k)] = true
			}
			sorted := slices.Sorted(maps.Keys(keys))
			name, err := s.writeRun(func(w *runWriter) error {
				for _, k := range sorted {
					v := fmt.Sprintf("run %d", run)
					want[k] = v
					if err := w.write([]byte(k), []byte(v), false); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			runs = append(runs, name)
		}
		m, err := openMerge(runs)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for {
			e, ok, err := m.next()
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
			if v := want[string(e.key)]; string(e.value) != v {
				t.Fatalf("round %d: key %x = %q, want %q", round, e.key, e.value, v)
			}
			got = append(got, string(e.key))
		}
		m.close()
		if keys := slices.Sorted(maps.Keys(want)); !slices.Equal(got, keys) {
			t.Fatalf("round %d: merged %d keys, want %d in order", round, len(got), len(keys))
		}
	}
}

// BenchmarkChunkSort sorts a chunk of 200,000 keys shaped like the
// graph's: a prefix byte, a node id, and for half of them a type and
// another node id.
func BenchmarkChunkSort(b *testing.B) {
	c := graphChunk(rand.New(rand.NewPCG(5, 6)), 200000, 100000, 0)
	es := make([]chunkEntry, len(c.entries))
	for b.Loop() {
		copy(es, c.entries)
		c.sortEntries(es)
	}
}

// TestMergeLargeRecords merges runs whose records are larger than a run
// reader's buffer, between small ones: those are copied out of the
// buffer, the rest read where they lie in it.
func TestMergeLargeRecords(t *testing.T) {
	s := spill{dir: t.TempDir()}
	big := func(c byte, n int) []byte { return bytes.Repeat([]byte{c}, n) }
	want := map[string][]byte{}
	var runs []string
	for run, sizes := range [][]int{{10, 300 << 10, 20, 1 << 20, 5}, {256 << 10, 7, 600 << 10}} {
		name, err := s.writeRun(func(w *runWriter) error {
			for i, n := range sizes {
				k := fmt.Appendf(nil, "k%02d", 2*i+run)
				v := big(byte('a'+i), n)
				want[string(k)] = v
				if err := w.write(k, v, false); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, name)
	}
	m, err := openMerge(runs)
	if err != nil {
		t.Fatal(err)
	}
	defer m.close()
	var got []string
	for {
		e, ok, err := m.next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		if w := want[string(e.key)]; !bytes.Equal(e.value, w) {
			t.Fatalf("key %s: %d bytes, want %d", e.key, len(e.value), len(w))
		}
		got = append(got, string(e.key))
	}
	if keys := slices.Sorted(maps.Keys(want)); !slices.Equal(got, keys) {
		t.Fatalf("merged %q, want %q", got, keys)
	}
}

// BenchmarkChunkSpill sorts a chunk of 1,000,000 entries shaped like a
// bulk load's (keys as in BenchmarkChunkSort, values of 4 to 60 bytes, an
// arena of about 45 MB, more than the CPU's caches) and writes it as a
// run, as spillChunk does, to a discarding writer: the sort and the
// copies of the keys and values, whose places in the arena the key order
// scatters.
func BenchmarkChunkSpill(b *testing.B) {
	c := graphChunk(rand.New(rand.NewPCG(7, 8)), 1000000, 300000, 60)
	orig := slices.Clone(c.entries)
	w := newRunWriter(io.Discard)
	for b.Loop() {
		copy(c.entries, orig)
		err := c.sorted(func(e *chunkEntry) error {
			return w.write(c.key(e), c.value(e), e.del)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// graphChunk returns a chunk of n entries whose keys are shaped like the
// graph's: a prefix byte, a node id below nodes, and for half of them a
// type and another node id. With maxValue above 0, each has a value of 4
// to maxValue bytes; else none.
func graphChunk(r *rand.Rand, n, nodes, maxValue int) *chunk {
	c := &chunk{}
	for range n {
		k := []byte{byte(1 + r.IntN(6))}
		k = binary.BigEndian.AppendUint64(k, uint64(r.IntN(nodes)))
		if r.IntN(2) == 0 {
			k = binary.BigEndian.AppendUint32(k, uint32(r.IntN(8)))
			k = binary.BigEndian.AppendUint64(k, uint64(r.IntN(nodes)))
		}
		var v []byte
		if maxValue > 0 {
			v = make([]byte, 4+r.IntN(maxValue-3))
		}
		off := len(c.arena)
		c.arena = append(append(c.arena, k...), v...)
		c.entries = append(c.entries, chunkEntry{head: keyHead(k), off: off, keyLen: uint32(len(k)), valueLen: uint32(len(v))})
	}
	return c
}
