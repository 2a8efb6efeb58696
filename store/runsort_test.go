package store

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestRunSort sorts random records held in memory and spread over many
// runs, and expects what sorting them in memory gives, equal records in
// the order they were added.
func TestRunSort(t *testing.T) {
	for _, tc := range []struct {
		name    string
		n       int
		budget  int
		maxRuns int
	}{
		{"Empty", 0, 1 << 20, 0},
		{"InMemory", 1000, 1 << 20, 0},
		{"Runs", 1000, 512, 1000},
		{"RunPerRecord", 50, 1, 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(tc.n)))
			// Compare by the first byte only: the rest tells equal
			// records apart, to check that they keep their order.
			cmp := func(a, b []byte) int { return int(a[0]) - int(b[0]) }
			s := newRunSort(tc.budget, cmp)
			defer s.close()
			var want [][]byte
			for i := range tc.n {
				rec := fmt.Appendf([]byte{byte(rng.IntN(16))}, "%d", i)
				want = append(want, rec)
				if err := s.add(rec); err != nil {
					t.Fatal(err)
				}
			}
			if got := len(s.runs); got > tc.maxRuns || tc.maxRuns > 0 && got == 0 {
				t.Errorf("%d runs, want between 1 and %d", got, tc.maxRuns)
			}
			slices.SortStableFunc(want, cmp)
			it, err := s.sorted()
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; ; i++ {
				rec, ok, err := it.next()
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					if i != len(want) {
						t.Fatalf("%d records, want %d", i, len(want))
					}
					break
				}
				if i >= len(want) || !bytes.Equal(rec, want[i]) {
					t.Fatalf("record %d: got %q, want %q", i, rec, want[min(i, len(want)-1)])
				}
			}
			if tc.maxRuns == 0 && len(s.runs) != 0 {
				t.Errorf("%d runs, want none", len(s.runs))
			}
		})
	}
}
