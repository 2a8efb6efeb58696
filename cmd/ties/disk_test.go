package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
)

// The watch pauses writes below the minimum, keeps them paused until a
// quarter more is free again, and then resumes them; a store write in
// between is refused with UNAVAILABLE and a message that says why.
func TestDiskWatch(t *testing.T) {
	st, err := store.Open("", store.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const min = 100 << 20
	var free int64
	d := &diskWatch{dir: "data", min: min, st: st, log: slog.New(slog.DiscardHandler),
		free: func(string) (int64, error) { return free, nil }}
	write := func() error {
		_, err := st.Apply(context.Background(), store.Batch{Entities: []store.Entity{{ID: "x", Type: "City", Name: "X"}}})
		return err
	}
	for _, step := range []struct {
		free   int64
		paused bool
	}{
		{2 * min, false},
		{min - 1, true},
		{min + min/8, true}, // not yet a quarter above
		{min + min/4, false},
		{min, false}, // at the line is not below it
		{min / 2, true},
	} {
		free = step.free
		d.check()
		err := write()
		if got := err != nil; got != step.paused {
			t.Fatalf("free %d: write error %v, want paused=%v", step.free, err, step.paused)
		}
		if step.paused && (store.ErrorCode(err) != store.Unavailable || !strings.Contains(err.Error(), "--min-free-disk")) {
			t.Errorf("free %d: got %v (%s), want UNAVAILABLE naming --min-free-disk", step.free, err, store.ErrorCode(err))
		}
	}
}

func TestFreeDisk(t *testing.T) {
	n, err := freeDisk(t.TempDir())
	if err != nil {
		t.Skipf("free disk space unknown here: %v", err)
	}
	if n <= 0 {
		t.Errorf("free disk space %d, want more than 0 in a directory a test can write", n)
	}
}
