package badgerkv

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"github.com/ties-graph/ties/store/kv"
	"github.com/ties-graph/ties/store/kv/kvtest"
)

// writeStreamed fills a batch of a never-written store with keys in random
// order across many chunks: some written twice (the last wins), some
// written then deleted, and a change-log record. It returns what a reader
// must see afterwards, key by key.
func writeStreamed(t *testing.T, b *batch) map[string]string {
	t.Helper()
	if !b.spilling {
		t.Fatalf("a batch of a store on disk does not spill")
	}
	const n = 60000 // several times the 1.2 MiB chunk of the test's memtable size
	rng := rand.New(rand.NewPCG(1, 2))
	want := map[string]string{}
	for _, i := range rng.Perm(n) {
		k := fmt.Sprintf("s/%06d", i)
		v := strings.Repeat(string(rune('a'+i%26)), 64)
		if err := b.Set([]byte(k), []byte(v)); err != nil {
			t.Fatal(err)
		}
		want[k] = v
	}
	for i := 0; i < n; i += 7 {
		k := fmt.Sprintf("s/%06d", i)
		if i%2 == 0 {
			if err := b.Set([]byte(k), []byte("again")); err != nil {
				t.Fatal(err)
			}
			want[k] = "again"
		} else {
			if err := b.Delete([]byte(k)); err != nil {
				t.Fatal(err)
			}
			delete(want, k)
		}
	}
	b.SetLog([]byte("streamed"))
	// The last full chunk may still be on its way to a run.
	if _, err := b.settleSpill(); err != nil {
		t.Fatal(err)
	}
	if got := len(b.spill.runs); got < 2 {
		t.Fatalf("the batch spilled %d runs, want several", got)
	}
	return want
}

func checkStreamed(t *testing.T, db *DB, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for _, k := range kvtestKeys(t, db, "s/") {
		got[k] = read(t, db, 0, k)
	}
	if len(got) != len(want) {
		t.Errorf("%d keys, want %d", len(got), len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func kvtestKeys(t *testing.T, db *DB, prefix string) []string {
	t.Helper()
	tx, err := db.Begin(context.Background(), kv.TxnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Discard()
	it := tx.Iterate(kv.IterOptions{Prefix: []byte(prefix), KeysOnly: true})
	defer it.Close()
	var keys []string
	for it.Rewind(); it.Valid(); it.Next() {
		keys = append(keys, string(it.Key()))
	}
	return keys
}

// noRunsLeft fails t if a batch's spilled runs remain in dir.
func noRunsLeft(t *testing.T, dir string) {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, spillPrefix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 0 {
		t.Errorf("runs left behind: %v", m)
	}
}

func TestBatchStream(t *testing.T) {
	t.Run("Flush", func(t *testing.T) {
		dir := t.TempDir()
		db := openTest(t, Options{Dir: dir})
		b := newBatch(t, db)
		want := writeStreamed(t, b)
		if got := kvtest.Dump(t, db, 0); got != "" {
			t.Errorf("readers see the batch before Flush: %.200s", got)
		}
		ts, err := b.Flush()
		if err != nil {
			t.Fatal(err)
		}
		if got := db.LastCommit(); got != ts {
			t.Errorf("LastCommit %d, want the batch's %d", got, ts)
		}
		checkStreamed(t, db, want)
		if got := read(t, db, 0, string(kvtest.LogKey(ts))); got != "streamed" {
			t.Errorf("change log = %q, want %q", got, "streamed")
		}
		noRunsLeft(t, dir)
		// The store has been written: the next large batch goes through
		// the memtables.
		b2 := newBatch(t, db)
		if b2.streamable {
			t.Errorf("a batch of a written store is streamable")
		}
		b2.Cancel()
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db = openTest(t, Options{Dir: dir})
		checkStreamed(t, db, want)
	})
	t.Run("MergeInSteps", func(t *testing.T) {
		// More runs than one merge reads at once: they are merged in
		// rounds (with a fan-in of 2, more than one), and what readers
		// see must not change (later writes and deletes still win).
		for _, fanIn := range []int{2, 3} {
			t.Run(fmt.Sprintf("fanIn=%d", fanIn), func(t *testing.T) {
				dir := t.TempDir()
				db := openTest(t, Options{Dir: dir})
				b := newBatch(t, db)
				want := writeStreamed(t, b)
				if n := len(b.spill.runs); n <= fanIn {
					t.Fatalf("%d runs: too few to merge in steps with fan-in %d", n, fanIn)
				}
				b.spill.fanIn = fanIn
				if _, err := b.Flush(); err != nil {
					t.Fatal(err)
				}
				checkStreamed(t, db, want)
				noRunsLeft(t, dir)
			})
		}
	})
	t.Run("Cancel", func(t *testing.T) {
		dir := t.TempDir()
		db := openTest(t, Options{Dir: dir})
		b := newBatch(t, db)
		writeStreamed(t, b)
		b.Cancel()
		if got := kvtest.Dump(t, db, 0); got != "" {
			t.Errorf("a cancelled batch left data: %.200s", got)
		}
		noRunsLeft(t, dir)
		if !db.streamable() {
			t.Errorf("a cancelled stream wrote to badger")
		}
	})
	t.Run("FlushFails", func(t *testing.T) {
		dir := t.TempDir()
		db := openTest(t, Options{Dir: dir})
		b := newBatch(t, db)
		writeStreamed(t, b)
		db.failFlush = func() error { return errInjected }
		if _, err := b.Flush(); !errors.Is(err, errInjected) {
			t.Fatalf("Flush: got %v, want %v", err, errInjected)
		}
		db.failFlush = nil
		if got := kvtest.Dump(t, db, 0); got != "" {
			t.Errorf("a failed stream left data: %.200s", got)
		}
		if got := db.state.pendingTs(); got != 0 {
			t.Errorf("pending marker %d left after the rollback", got)
		}
	})
	t.Run("Crash", func(t *testing.T) {
		dir := t.TempDir()
		db, err := Open(Options{Dir: dir, LogKey: kvtest.LogKey, MemTableSize: testMemTable})
		if err != nil {
			t.Fatal(err)
		}
		b := newBatch(t, db)
		writeStreamed(t, b)
		// Badger has it all; the process dies before Flush returns, and a
		// half-written run directory stays behind too.
		crash(t, db, b)
		if err := os.Mkdir(filepath.Join(dir, spillPrefix+"1"), 0o700); err != nil {
			t.Fatal(err)
		}
		db = openTest(t, Options{Dir: dir})
		if got := kvtest.Dump(t, db, 0); got != "" {
			t.Errorf("Open did not roll back the streamed batch: %.200s", got)
		}
		noRunsLeft(t, dir)
	})
	t.Run("SmallBatch", func(t *testing.T) {
		db := openTest(t, Options{Dir: t.TempDir()})
		b := newBatch(t, db)
		if err := b.Set([]byte("s/one"), []byte("1")); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Flush(); err != nil {
			t.Fatal(err)
		}
		if got := read(t, db, 0, "s/one"); got != "1" {
			t.Errorf("s/one = %q, want 1", got)
		}
	})
}

// TestBatchSpillsIntoWrittenStore: a batch into a store that holds data
// spills its chunks to runs too, so that one cancelled before Flush (a
// bulk load refused late) never reached badger: no version of it, no
// rollback hole, no runs left; one flushed is merged in through the
// memtables and reads back whole, later writes and deletes winning.
func TestBatchSpillsIntoWrittenStore(t *testing.T) {
	written := func(t *testing.T) (*DB, string) {
		dir := t.TempDir()
		db := openTest(t, Options{Dir: dir})
		mustCommit(t, db, map[string]string{"a": "before"})
		return db, dir
	}
	t.Run("Cancel", func(t *testing.T) {
		db, dir := written(t)
		before := kvtest.Dump(t, db, 0)
		b := newBatch(t, db)
		if b.streamable {
			t.Fatal("a batch of a written store is streamable")
		}
		writeStreamed(t, b)
		ts := b.commitTs
		if sent := b.sent; sent != 0 {
			t.Errorf("%d entries reached badger before Flush", sent)
		}
		b.Cancel()
		if got := kvtest.Dump(t, db, 0); got != before {
			t.Errorf("a cancelled batch changed what readers see")
		}
		if len(db.state.holes) != 0 {
			t.Errorf("a cancelled batch left rollback holes %v: it had reached badger", db.state.holes)
		}
		err := db.bdb.View(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{AllVersions: true})
			defer it.Close()
			for it.Rewind(); it.Valid(); it.Next() {
				if it.Item().Version() >= ts {
					t.Errorf("key %q has a version at or after the cancelled batch's %d", it.Item().Key(), ts)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		noRunsLeft(t, dir)
	})
	t.Run("Flush", func(t *testing.T) {
		db, dir := written(t)
		b := newBatch(t, db)
		want := writeStreamed(t, b)
		if _, err := b.Flush(); err != nil {
			t.Fatal(err)
		}
		checkStreamed(t, db, want)
		if got := read(t, db, 0, "a"); got != "before" {
			t.Errorf("the key written before the batch: %q", got)
		}
		noRunsLeft(t, dir)
	})
}

// TestMergeRound checks the plan of the merges: each round's groups
// cover the runs in order and read at most fanIn runs each, the rounds
// end with at most fanIn runs, each run is merged at most once a round,
// and there are no more rounds than log(runs)/log(fanIn) rounded up.
func TestMergeRound(t *testing.T) {
	for fanIn := 2; fanIn <= 9; fanIn++ {
		for n := 1; n <= 400; n++ {
			runs, rounds := n, 0
			for runs > fanIn {
				groups := mergeRound(runs, fanIn)
				sum, after := 0, 0
				for _, k := range groups {
					if k < 1 || k > fanIn {
						t.Fatalf("n=%d fanIn=%d: group of %d", n, fanIn, k)
					}
					sum += k
					after++
				}
				if sum != runs {
					t.Fatalf("n=%d fanIn=%d: groups %v cover %d of %d runs", n, fanIn, groups, sum, runs)
				}
				if after >= runs {
					t.Fatalf("n=%d fanIn=%d: a round of %v merges nothing", n, fanIn, groups)
				}
				runs = after
				rounds++
			}
			want, c := 0, 1
			for c < n {
				c *= fanIn
				want++
			}
			if want > 0 {
				want-- // the last merge is the flush's own
			}
			if rounds > want {
				t.Errorf("n=%d fanIn=%d: %d rounds, want at most %d", n, fanIn, rounds, want)
			}
		}
	}
}
