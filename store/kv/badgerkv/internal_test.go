package badgerkv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/ties-graph/ties/store/kv"
	"github.com/ties-graph/ties/store/kv/kvtest"
)

func TestClock(t *testing.T) {
	base := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		steps []time.Duration // wall clock offsets from base, in order
	}{
		{"Forward", []time.Duration{0, time.Millisecond, 2 * time.Millisecond}},
		{"SameMillisecond", []time.Duration{0, 0, 0, 0}},
		{"Backward", []time.Duration{time.Second, 0, -time.Hour, time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i := 0
			c := clock{now: func() time.Time { return base.Add(tc.steps[i]) }}
			var last uint64
			for i = range tc.steps {
				ts := c.next()
				if ts <= last {
					t.Fatalf("step %d: ts %d not after %d", i, ts, last)
				}
				if got, want := TimeOf(ts), base.Add(tc.steps[i]); got.Before(want) {
					t.Errorf("step %d: TimeOf(ts) = %v, before the wall clock %v", i, got, want)
				}
				last = ts
			}
		})
	}
	t.Run("Observe", func(t *testing.T) {
		c := clock{now: func() time.Time { return base }}
		future := TsOf(base.Add(time.Hour)) + 5
		c.observe(future)
		if got := c.next(); got != future+1 {
			t.Errorf("next after observing %d = %d, want %d", future, got, future+1)
		}
		c.observe(1) // never backwards
		if got := c.next(); got != future+2 {
			t.Errorf("next after observing an old ts = %d, want %d", got, future+2)
		}
	})
}

func TestTsOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    time.Time
	}{
		{"Epoch", time.UnixMilli(0)},
		{"Now", time.Now().Truncate(time.Millisecond)},
		{"Far", time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := TsOf(tc.t)
			if got := TimeOf(ts); !got.Equal(tc.t) {
				t.Errorf("TimeOf(TsOf(%v)) = %v", tc.t, got)
			}
			if got := TimeOf(ReadTsAt(tc.t)); !got.Equal(tc.t) {
				t.Errorf("TimeOf(ReadTsAt(%v)) = %v", tc.t, got)
			}
			if next := TsOf(tc.t.Add(time.Millisecond)); ReadTsAt(tc.t) != next-1 {
				t.Errorf("ReadTsAt(%v) = %d, want %d, just below the next millisecond", tc.t, ReadTsAt(tc.t), next-1)
			}
		})
	}
	if got := TsOf(time.UnixMilli(-5)); got != 0 {
		t.Errorf("TsOf before the epoch = %d, want 0", got)
	}
}

func TestOpenLocked(t *testing.T) {
	dir := t.TempDir()
	openTest(t, Options{Dir: dir})
	_, err := Open(Options{Dir: dir})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open of %s: got %v, want %v", dir, err, ErrLocked)
	}
	if !strings.Contains(err.Error(), dir) {
		t.Errorf("error %q does not name the directory", err)
	}
}

func TestReadOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(Options{Dir: dir, LogKey: kvtest.LogKey, MemTableSize: testMemTable})
	if err != nil {
		t.Fatal(err)
	}
	ts := mustCommit(t, db, map[string]string{"k": "v"})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	ro := openTest(t, Options{Dir: dir, ReadOnly: true})
	if got := ro.LastCommit(); got != ts {
		t.Errorf("LastCommit = %d, want %d", got, ts)
	}
	if got, want := read(t, ro, 0, "k"), "v"; got != want {
		t.Errorf("Get = %q, want %q", got, want)
	}
	if _, err := ro.Begin(ctx, kv.TxnOptions{Update: true}); !errors.Is(err, kv.ErrReadOnly) {
		t.Errorf("Begin update: got %v, want %v", err, kv.ErrReadOnly)
	}
	if _, err := ro.NewBatch(ctx); !errors.Is(err, kv.ErrReadOnly) {
		t.Errorf("NewBatch: got %v, want %v", err, kv.ErrReadOnly)
	}
	if _, err := Open(Options{Dir: dir}); !errors.Is(err, ErrLocked) {
		t.Errorf("writer Open beside a reader: got %v, want %v", err, ErrLocked)
	}
}

func TestBeginErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("UpdateAtReadTs", func(t *testing.T) {
		db := openTest(t, Options{InMemory: true})
		ts := mustCommit(t, db, map[string]string{"k": "v"})
		if _, err := db.Begin(ctx, kv.TxnOptions{Update: true, ReadTs: ts}); err == nil {
			t.Errorf("Begin update at a ReadTs: got nil error")
		}
		// The refused Begin did not keep the writer slot.
		mustCommit(t, db, map[string]string{"k": "w"})
	})
	t.Run("LogWithoutLogKey", func(t *testing.T) {
		db, err := Open(Options{InMemory: true, MemTableSize: testMemTable})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		tx, err := db.Begin(ctx, kv.TxnOptions{Update: true})
		if err != nil {
			t.Fatal(err)
		}
		tx.SetLog([]byte("x"))
		if _, err := tx.Commit(); err == nil {
			t.Errorf("Commit of a log record without LogKey: got nil error")
		}
		if got := db.LastCommit(); got != 0 {
			t.Errorf("LastCommit = %d after a refused commit, want 0", got)
		}
	})
}

func TestFeatures(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     Options
		maxValue int64
	}{
		{"Disk", Options{Dir: t.TempDir()}, 1<<30 - 1},
		{"InMemory", Options{InMemory: true}, testMemTable * 15 / 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := openTest(t, tc.opts).Features()
			if got, want := f.Name, "badger"; got != want {
				t.Errorf("Name = %q, want %q", got, want)
			}
			if !f.VersionedReads || f.Distributed {
				t.Errorf("VersionedReads %v, Distributed %v; want true, false", f.VersionedReads, f.Distributed)
			}
			if got, want := f.MaxTxnBytes, int64(testMemTable*15/100); got != want {
				t.Errorf("MaxTxnBytes = %d, want %d", got, want)
			}
			if got := f.MaxValueBytes; got != tc.maxValue {
				t.Errorf("MaxValueBytes = %d, want %d", got, tc.maxValue)
			}
		})
	}
	t.Run("InMemoryLargestValue", func(t *testing.T) {
		db := openTest(t, Options{InMemory: true})
		max := db.Features().MaxValueBytes
		for _, tc := range []struct {
			size int64
			ok   bool
		}{{max, true}, {max + 1, false}} {
			tx, err := db.Begin(context.Background(), kv.TxnOptions{Update: true})
			if err != nil {
				t.Fatal(err)
			}
			err = tx.Set([]byte("v"), make([]byte, tc.size))
			tx.Discard()
			if got := err == nil; got != tc.ok {
				t.Errorf("Set of %d bytes (MaxValueBytes %d): err %v", tc.size, max, err)
			}
		}
	})
}

// errInjected stands for a write failing inside badger.
var errInjected = errors.New("injected flush failure")

// TestBatchRollback makes Flush fail after badger has written the whole
// batch, across many internal commits, and checks that nothing of it is
// visible then, at its own timestamp, or after a restart.
func TestBatchRollback(t *testing.T) {
	for _, tc := range []struct {
		name string
		keys int
	}{
		{"Small", 10},
		{"ManyParts", 20000}, // several times the 300 KiB transaction limit
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db := openTest(t, Options{Dir: dir})
			mustCommit(t, db, map[string]string{"x/keep": "1", "x/over": "old", "x/gone": "old"})
			mustCommit(t, db, map[string]string{"x/over": "older?", "x/keep": "1"})
			mustCommit(t, db, map[string]string{"x/over": "old"})
			before := db.LastCommit()
			want := kvtest.Dump(t, db, 0)

			db.failFlush = func() error { return errInjected }
			b := newBatch(t, db)
			commitTs := b.commitTs
			setMany(t, b, "x/new/", tc.keys, bytes.Repeat([]byte{'n'}, 64))
			if err := b.Set([]byte("x/over"), []byte("batch")); err != nil {
				t.Fatal(err)
			}
			if err := b.Delete([]byte("x/gone")); err != nil {
				t.Fatal(err)
			}
			b.SetLog([]byte("failed batch"))
			_, err := b.Flush()
			if !errors.Is(err, errInjected) {
				t.Fatalf("Flush: got %v, want %v", err, errInjected)
			}
			db.failFlush = nil

			if got := kvtest.Dump(t, db, 0); got != want {
				t.Errorf("after a failed Flush the store differs:\n%.500s\nwant:\n%.500s", got, want)
			}
			if got := kvtest.Dump(t, db, commitTs); got != want {
				t.Errorf("a read at the failed batch's timestamp sees part of it")
			}
			if got := db.LastCommit(); got <= before {
				t.Errorf("LastCommit = %d, want past the rollback, after %d", got, before)
			}
			if got := db.state.pendingTs(); got != 0 {
				t.Errorf("pending batch marker %d left after rollback", got)
			}
			// The writer slot is free and writes go on.
			mustCommit(t, db, map[string]string{"x/after": "1"})
			want = kvtest.Dump(t, db, 0)
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}

			db = openTest(t, Options{Dir: dir})
			if got := kvtest.Dump(t, db, 0); got != want {
				t.Errorf("after reopening the store differs")
			}
			if got := read(t, db, commitTs, "x/over"); got != "old" {
				t.Errorf("after reopening, x/over at the failed batch's timestamp = %q, want %q", got, "old")
			}
		})
	}
}

// TestCrashRecovery leaves a batch written but unfinished, as a crash
// would, and checks that a read-only Open hides it and the next writable
// Open rolls it back.
func TestCrashRecovery(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(Options{Dir: dir, LogKey: kvtest.LogKey, MemTableSize: testMemTable})
	if err != nil {
		t.Fatal(err)
	}
	mustCommit(t, db, map[string]string{"k/a": "1", "k/b": "1"})
	want := kvtest.Dump(t, db, 0)
	b := newBatch(t, db)
	setMany(t, b, "k/", 5000, []byte("crash"))
	if err := b.Delete([]byte("k/a")); err != nil {
		t.Fatal(err)
	}
	// Badger has it all; the process dies before Flush returns.
	crash(t, db, b)

	ro := openTest(t, Options{Dir: dir, ReadOnly: true})
	if got := kvtest.Dump(t, ro, 0); got != want {
		t.Errorf("read-only Open shows the unfinished batch")
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}

	db = openTest(t, Options{Dir: dir})
	if got := kvtest.Dump(t, db, 0); got != want {
		t.Errorf("Open did not roll back the unfinished batch")
	}
	if _, err := os.Stat(filepath.Join(dir, stateFile)); err != nil {
		t.Fatalf("state file: %v", err)
	}
	if got := db.state.pendingTs(); got != 0 {
		t.Errorf("pending marker %d after recovery", got)
	}
}

// TestReadOnlyAfterKill opens read-only a copy of a directory taken while
// its writer was still running, with a batch half written: what a kill -9
// leaves. Badger refuses to replay such a write-ahead log read-only, so
// Open recovers the directory first.
func TestReadOnlyAfterKill(t *testing.T) {
	dir := t.TempDir()
	db := openTest(t, Options{Dir: dir, SyncWrites: true})
	mustCommit(t, db, map[string]string{"k/a": "1", "k/b": "1"})
	want := kvtest.Dump(t, db, 0)
	b := newBatch(t, db)
	setMany(t, b, "k/", 5000, []byte("crash"))
	if err := b.writeAll(); err != nil {
		t.Fatal(err)
	}
	killed := t.TempDir()
	copyDir(t, dir, killed)
	b.Cancel()

	ro, err := Open(Options{Dir: killed, ReadOnly: true, LogKey: kvtest.LogKey, MemTableSize: testMemTable})
	if err != nil {
		t.Fatalf("read-only Open after a kill: %v", err)
	}
	defer ro.Close()
	if got := kvtest.Dump(t, ro, 0); got != want {
		t.Errorf("read-only Open after a kill shows the unfinished batch")
	}
	if got := ro.state.pendingTs(); got != 0 {
		t.Errorf("pending marker %d after recovery", got)
	}
}

// copyDir copies the regular files of src into dst, as a disk holds them
// at the moment of a kill. Blocks of zeros become holes, since badger's
// files are preallocated and mostly empty.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		if err := copySparse(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
}

func copySparse(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	defer out.Close()
	buf := make([]byte, 1<<20)
	zero := make([]byte, len(buf))
	var size int64
	for {
		n, err := io.ReadFull(in, buf)
		if n > 0 {
			if bytes.Equal(buf[:n], zero[:n]) {
				_, werr := out.Seek(int64(n), io.SeekCurrent)
				if werr != nil {
					return werr
				}
			} else if _, werr := out.Write(buf[:n]); werr != nil {
				return werr
			}
			size += int64(n)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return out.Truncate(size)
		}
		if err != nil {
			return err
		}
	}
}

// TestAsOfReadRepeats reads at an instant past the last finished commit
// and checks that the same read gives the same answer after later
// commits: one made within the same millisecond, and one that had its
// timestamp but was still being written when the first read ran.
func TestAsOfReadRepeats(t *testing.T) {
	t.Run("SameMillisecond", func(t *testing.T) {
		db := openTest(t, Options{InMemory: true, GCInterval: -1})
		now := time.Now()
		db.clock.now = func() time.Time { return now }
		mustCommit(t, db, map[string]string{"k": "1"})
		at := ReadTsAt(now)
		if got, want := read(t, db, at, "k"), "1"; got != want {
			t.Fatalf("read at %d: got %q, want %q", at, got, want)
		}
		mustCommit(t, db, map[string]string{"k": "2"})
		if got, want := read(t, db, at, "k"), "1"; got != want {
			t.Errorf("read at %d again, after a commit in the same millisecond: got %q, want %q", at, got, want)
		}
	})
	t.Run("CommitInFlight", func(t *testing.T) {
		db := openTest(t, Options{InMemory: true, GCInterval: -1})
		mustCommit(t, db, map[string]string{"k": "1"})
		inFlight, release := make(chan struct{}), make(chan struct{})
		db.committed = func() {
			close(inFlight)
			<-release
		}
		committed := make(chan error, 1)
		go func() {
			tx, err := db.Begin(context.Background(), kv.TxnOptions{Update: true})
			if err == nil {
				if err = tx.Set([]byte("k"), []byte("2")); err == nil {
					_, err = tx.Commit()
				}
			}
			committed <- err
		}()
		<-inFlight
		at := ReadTsAt(time.Now())
		first := make(chan string, 1)
		go func() {
			tx, err := db.Begin(context.Background(), kv.TxnOptions{ReadTs: at})
			if err != nil {
				first <- err.Error()
				return
			}
			defer tx.Discard()
			v, err := tx.Get([]byte("k"))
			if err != nil {
				first <- err.Error()
				return
			}
			first <- string(v)
		}()
		// Give the read the chance to run while the commit is in flight;
		// it must wait for it rather than read below it.
		var got string
		select {
		case got = <-first:
		case <-time.After(100 * time.Millisecond):
		}
		close(release)
		if err := <-committed; err != nil {
			t.Fatal(err)
		}
		if got == "" {
			got = <-first
		}
		if again := read(t, db, at, "k"); got != again {
			t.Errorf("read at %d during a commit at or below it got %q, the same read after it %q", at, got, again)
		}
	})
}

// TestUnfinishedRestore restores a backup cut short: part of it is
// written, so the store refuses writes and the directory is refused by
// every later Open. A stream refused before anything was written leaves
// the directory as it was.
func TestUnfinishedRestore(t *testing.T) {
	ctx := context.Background()
	// Two backups one after the other are a stream of two records, and
	// Restore writes the first before it reads the second.
	var backup bytes.Buffer
	for _, part := range []string{"a", "b"} {
		src := openTest(t, Options{InMemory: true})
		for i := range 5 {
			kvs := map[string]string{}
			for j := range 1000 {
				kvs[fmt.Sprintf("k/%s/%d/%04d", part, i, j)] = strings.Repeat("v", 100)
			}
			mustCommit(t, src, kvs)
		}
		if err := src.Backup(ctx, &backup); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("PartWritten", func(t *testing.T) {
		dir := t.TempDir()
		// The cut is inside the second record: badger has the first
		// (with a small memtable, written before it reads the second).
		db, err := Open(Options{Dir: dir, LogKey: kvtest.LogKey, MemTableSize: testMemTable})
		if err != nil {
			t.Fatal(err)
		}
		cut := bytes.NewReader(backup.Bytes()[:backup.Len()*3/4])
		if err := db.Restore(ctx, cut); err == nil {
			t.Fatal("restore of a cut backup: no error")
		}
		if tx, err := db.Begin(ctx, kv.TxnOptions{Update: true}); err == nil {
			tx.Discard()
			t.Errorf("a write after a restore that failed part-way: no error")
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		for _, ro := range []bool{false, true} {
			if db, err := Open(Options{Dir: dir, ReadOnly: ro}); !errors.Is(err, ErrUnfinishedRestore) {
				if err == nil {
					db.Close()
				}
				t.Errorf("Open (read-only %v) after an unfinished restore: got %v, want %v", ro, err, ErrUnfinishedRestore)
			}
		}
	})
	t.Run("NothingWritten", func(t *testing.T) {
		dir := t.TempDir()
		db, err := Open(Options{Dir: dir, LogKey: kvtest.LogKey})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Restore(ctx, strings.NewReader("not a backup")); err == nil {
			t.Fatal("restore of a text: no error")
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db, err = Open(Options{Dir: dir, LogKey: kvtest.LogKey})
		if err != nil {
			t.Fatalf("Open after a restore that wrote nothing: %v", err)
		}
		defer db.Close()
		if err := db.Restore(ctx, bytes.NewReader(backup.Bytes())); err != nil {
			t.Fatalf("restore after a refused one: %v", err)
		}
	})
}

func TestState(t *testing.T) {
	t.Run("RoundTrip", func(t *testing.T) {
		dir := t.TempDir()
		var s state
		if err := s.load(dir); err != nil {
			t.Fatal(err)
		}
		if err := s.setPending(42); err != nil {
			t.Fatal(err)
		}
		if err := s.addHole(300, 310); err != nil {
			t.Fatal(err)
		}
		if err := s.addHole(100, 105); err != nil {
			t.Fatal(err)
		}
		var r state
		if err := r.load(dir); err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(r.pending, r.holes), "42 [{100 105} {300 310}]"; got != want {
			t.Errorf("loaded state = %s, want %s", got, want)
		}
		if err := r.prune(200); err != nil {
			t.Fatal(err)
		}
		if err := r.clearPending(); err != nil {
			t.Fatal(err)
		}
		var p state
		if err := p.load(dir); err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(p.pending, p.holes), "0 [{300 310}]"; got != want {
			t.Errorf("state after prune = %s, want %s", got, want)
		}
	})
	t.Run("Corrupt", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, stateFile), []byte("pending 1\nwhat\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		var s state
		if err := s.load(dir); err == nil || !strings.Contains(err.Error(), "line 2") {
			t.Errorf("load of a corrupt file: got %v, want an error naming line 2", err)
		}
	})
	t.Run("Below", func(t *testing.T) {
		s := state{holes: []hole{{100, 105}, {200, 201}}}
		for _, tc := range []struct{ ts, want uint64 }{
			{50, 50}, {99, 99}, {100, 99}, {104, 99}, {105, 105}, {199, 199}, {200, 199}, {201, 201},
		} {
			if got := s.below(tc.ts); got != tc.want {
				t.Errorf("below(%d) = %d, want %d", tc.ts, got, tc.want)
			}
		}
	})
}

func TestRetention(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		name      string
		retention time.Duration
		at        time.Time
		pending   bool
		want      func(last uint64) uint64
	}{
		{"Horizon", time.Hour, now, false, func(uint64) uint64 { return TsOf(now.Add(-time.Hour)) }},
		{"Default", 0, now, false, func(uint64) uint64 { return TsOf(now.Add(-DefaultHistoryRetention)) }},
		{"CappedAtLastCommit", time.Hour, now.Add(2 * time.Hour), false, func(last uint64) uint64 { return last }},
		{"CappedAtBatch", time.Hour, now.Add(2 * time.Hour), true, func(last uint64) uint64 { return last }},
		{"Forever", -1, now.Add(2 * time.Hour), false, func(uint64) uint64 { return 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openTest(t, Options{InMemory: true, HistoryRetention: tc.retention, GCInterval: -1})
			mustCommit(t, db, map[string]string{"k": "v"})
			last := db.LastCommit()
			if tc.pending {
				b, err := db.NewBatch(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				defer b.Cancel()
			}
			db.advanceDiscardTs(tc.at)
			db.discardMu.Lock()
			got := db.discardTs
			db.discardMu.Unlock()
			if want := tc.want(last); got != want {
				t.Errorf("discard ts = %d, want %d", got, want)
			}
		})
	}
	t.Run("Remembered", func(t *testing.T) {
		// The directory keeps the retention last given; an open that
		// gives none (an offline import) uses it rather than the default,
		// so it cannot discard history a service keeps on purpose.
		dir := t.TempDir()
		steps := []struct {
			name     string
			given    time.Duration
			readOnly bool
			want     time.Duration
		}{
			{"FirstWithout", 0, false, 0},
			{"Forever", -1, false, -1},
			{"Without", 0, false, -1},
			{"ReadOnlyWithout", 0, true, -1},
			{"ReadOnlyGiven", time.Hour, true, time.Hour},
			{"AfterReadOnly", 0, false, -1},
			{"Changed", 48 * time.Hour, false, 48 * time.Hour},
			{"WithoutAgain", 0, false, 48 * time.Hour},
		}
		for _, st := range steps {
			db, err := Open(Options{Dir: dir, MemTableSize: testMemTable, HistoryRetention: st.given, ReadOnly: st.readOnly, GCInterval: -1})
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if got := db.opts.HistoryRetention; got != st.want {
				t.Errorf("%s: retention %v, want %v", st.name, got, st.want)
			}
			if err := db.Close(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
		}
	})
	t.Run("Background", func(t *testing.T) {
		db := openTest(t, Options{InMemory: true, HistoryRetention: time.Millisecond, GCInterval: time.Millisecond})
		mustCommit(t, db, map[string]string{"k": "v"})
		// Generous: this waits for the goroutine to run, not for a speed.
		deadline := time.Now().Add(30 * time.Second)
		for {
			db.discardMu.Lock()
			got := db.discardTs
			db.discardMu.Unlock()
			if got > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the background goroutine never moved the discard timestamp")
			}
			time.Sleep(time.Millisecond)
		}
	})
	t.Run("Compaction", func(t *testing.T) {
		// Each reopen flushes the memtable into a level-0 table of its
		// own, so that compaction has versions in several tables to merge.
		dir := t.TempDir()
		reopen := func(db *DB) *DB {
			t.Helper()
			if db != nil {
				if err := db.Close(); err != nil {
					t.Fatal(err)
				}
			}
			db, err := Open(Options{Dir: dir, MemTableSize: testMemTable, HistoryRetention: -1})
			if err != nil {
				t.Fatal(err)
			}
			return db
		}
		db := reopen(nil)
		ts1 := mustCommit(t, db, map[string]string{"k": "v1"})
		db = reopen(db)
		ts2 := mustCommit(t, db, map[string]string{"k": "v2"})
		db = reopen(db)
		// Flatten leaves level 0 alone until it holds more tables than
		// badger's NumLevelZeroTables (5).
		for i := range 5 {
			mustCommit(t, db, map[string]string{fmt.Sprint("filler", i): "x"})
			db = reopen(db)
		}
		if err := db.bdb.Flatten(2); err != nil {
			t.Fatal(err)
		}
		if got, want := versions(t, db, "k"), 2; got != want {
			t.Errorf("with history kept forever, %d versions of k after compaction, want %d", got, want)
		}
		if got := read(t, db, ts1, "k"); got != "v1" {
			t.Errorf("with history kept forever, k at %d = %q after compaction, want v1", ts1, got)
		}
		ts3 := mustCommit(t, db, map[string]string{"k": "v3"})
		db = reopen(db)
		defer db.Close()
		// The horizon between v2 and v3: v2 is what a read at the horizon
		// sees, so it stays; v1 goes.
		db.bdb.SetDiscardTs(ts2)
		if err := db.bdb.Flatten(2); err != nil {
			t.Fatal(err)
		}
		if got, want := versions(t, db, "k"), 2; got != want {
			t.Errorf("after moving the horizon to v2, %d versions of k, want %d", got, want)
		}
		for _, tc := range []struct {
			ts   uint64
			want string
		}{{ts2, "v2"}, {ts3, "v3"}} {
			if got := read(t, db, tc.ts, "k"); got != tc.want {
				t.Errorf("after compaction, k at %d = %q, want %q", tc.ts, got, tc.want)
			}
		}
	})
}

func TestLogger(t *testing.T) {
	var buf bytes.Buffer
	l := slogLogger{slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	l.Errorf("broken %d\n", 1)
	l.Warningf("careful %s", "x")
	l.Infof("compacting")
	l.Debugf("detail")
	got := buf.String()
	for _, want := range []string{"level=ERROR msg=\"broken 1\"", "level=WARN msg=\"careful x\"", "component=badger"} {
		if !strings.Contains(got, want) {
			t.Errorf("log output %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "compacting") || strings.Contains(got, "detail") {
		t.Errorf("badger's info chatter reached the Warn level: %q", got)
	}
}

// --- helpers -------------------------------------------------------------

func mustCommit(t *testing.T, db *DB, kvs map[string]string) uint64 {
	t.Helper()
	tx, err := db.Begin(context.Background(), kv.TxnOptions{Update: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Discard()
	for k, v := range kvs {
		if err := tx.Set([]byte(k), []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	ts, err := tx.Commit()
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func read(t *testing.T, db *DB, ts uint64, key string) string {
	t.Helper()
	tx, err := db.Begin(context.Background(), kv.TxnOptions{ReadTs: ts})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Discard()
	v, err := tx.Get([]byte(key))
	if errors.Is(err, kv.ErrNotFound) {
		return "<none>"
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(v)
}

// versions counts the versions of key badger still holds.
func versions(t *testing.T, db *DB, key string) int {
	t.Helper()
	tx := db.bdb.NewTransactionAt(db.LastCommit(), false)
	defer tx.Discard()
	it := tx.NewIterator(badger.IteratorOptions{AllVersions: true, Prefix: []byte(key)})
	defer it.Close()
	n := 0
	for it.Rewind(); it.ValidForPrefix([]byte(key)); it.Next() {
		n++
	}
	return n
}

func TestEmptyBatch(t *testing.T) {
	db := openTest(t, Options{Dir: t.TempDir()})
	last := mustCommit(t, db, map[string]string{"k": "v"})
	b := newBatch(t, db)
	ts, err := b.Flush()
	if err != nil {
		t.Fatalf("Flush of an empty batch: %v", err)
	}
	if ts != last || db.LastCommit() != last {
		t.Errorf("empty batch: Flush = %d, LastCommit %d; want both %d", ts, db.LastCommit(), last)
	}
	if got := db.state.pendingTs(); got != 0 {
		t.Errorf("pending marker %d after an empty batch", got)
	}
	mustCommit(t, db, map[string]string{"k": "w"}) // the writer slot is free
}

func TestCloseWaitsForTransactions(t *testing.T) {
	db, err := Open(Options{InMemory: true, MemTableSize: testMemTable})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.Begin(context.Background(), kv.TxnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	it := tx.Iterate(kv.IterOptions{})
	it.Rewind()
	closed := make(chan error)
	go func() { closed <- db.Close() }()
	// Close is waiting for the reader; new work is refused meanwhile.
	for !db.active.isClosed() {
		time.Sleep(time.Millisecond)
	}
	if _, err := db.Begin(context.Background(), kv.TxnOptions{}); !errors.Is(err, kv.ErrClosed) {
		t.Errorf("Begin while closing: got %v, want %v", err, kv.ErrClosed)
	}
	tx.Discard() // closes the iterator left open, then lets Close go on
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestMapErr(t *testing.T) {
	other := errors.New("disk on fire")
	for _, tc := range []struct {
		name string
		in   error
		want error
	}{
		{"NotFound", badger.ErrKeyNotFound, kv.ErrNotFound},
		{"Conflict", badger.ErrConflict, kv.ErrConflict},
		{"TooBig", badger.ErrTxnTooBig, kv.ErrTooBig},
		{"Closed", badger.ErrDBClosed, kv.ErrClosed},
		{"BlockedWrites", badger.ErrBlockedWrites, kv.ErrClosed},
		{"ReadOnly", badger.ErrReadOnlyTxn, kv.ErrReadOnly},
		{"Wrapped", fmt.Errorf("deep: %w", badger.ErrTxnTooBig), kv.ErrTooBig},
		{"Other", other, other},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mapErr("set 01", tc.in)
			if !errors.Is(got, tc.want) {
				t.Errorf("mapErr(%v) = %v, want it to wrap %v", tc.in, got, tc.want)
			}
			if tc.want != kv.ErrNotFound && !strings.HasPrefix(got.Error(), "set 01: ") {
				t.Errorf("mapErr(%v) = %q, want the context first", tc.in, got)
			}
		})
	}
	if got := mapErr("x", nil); got != nil {
		t.Errorf("mapErr(nil) = %v", got)
	}
}

// FuzzStateLoad feeds the state file parser arbitrary bytes: it must not
// panic, and what it accepts must survive a save and a load unchanged.
func FuzzStateLoad(f *testing.F) {
	f.Add([]byte("pending 7\nhole 1 2\nhole 10 20\n"))
	f.Add([]byte("\n\nhole 5 6\n"))
	f.Add([]byte("pending x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, stateFile), data, 0o644); err != nil {
			t.Fatal(err)
		}
		var s state
		if err := s.load(dir); err != nil {
			return
		}
		s.mu.Lock()
		err := s.save()
		s.mu.Unlock()
		if err != nil {
			t.Fatal(err)
		}
		var r state
		if err := r.load(dir); err != nil {
			t.Fatalf("reloading a saved state: %v", err)
		}
		if got, want := fmt.Sprint(r.pending, r.holes), fmt.Sprint(s.pending, s.holes); got != want {
			t.Errorf("state after save and load = %s, want %s", got, want)
		}
	})
}

// TestBatchOrder checks what the sorting of a batch's chunks must keep:
// of several writes of one key the last wins, within one chunk and across
// chunks, whether it is a value or a delete.
func TestBatchOrder(t *testing.T) {
	for _, tc := range []struct {
		name   string
		filler int // keys written between the first and the last writes
	}{
		{"OneChunk", 10},
		{"ManyChunks", 20000}, // several times the 300 KiB chunk
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openTest(t, Options{Dir: t.TempDir()})
			mustCommit(t, db, map[string]string{"o/del-set": "old", "o/set-del": "old"})
			b := newBatch(t, db)
			set := func(k, v string) {
				t.Helper()
				if err := b.Set([]byte(k), []byte(v)); err != nil {
					t.Fatal(err)
				}
			}
			del := func(k string) {
				t.Helper()
				if err := b.Delete([]byte(k)); err != nil {
					t.Fatal(err)
				}
			}
			set("o/set-set", "first")
			del("o/del-set")
			set("o/set-del", "first")
			set("o/twice", "1")
			set("o/twice", "2")
			for i := range tc.filler {
				set(fmt.Sprintf("o/filler/%06d", tc.filler-i), strings.Repeat("f", 64))
			}
			set("o/set-set", "last")
			set("o/del-set", "last")
			del("o/set-del")
			set("o/twice", "3")
			if _, err := b.Flush(); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct{ key, want string }{
				{"o/set-set", "last"},
				{"o/del-set", "last"},
				{"o/set-del", "<none>"},
				{"o/twice", "3"},
				{"o/filler/000001", strings.Repeat("f", 64)},
			} {
				if got := read(t, db, 0, c.key); got != c.want {
					t.Errorf("%s = %q, want %q", c.key, got, c.want)
				}
			}
		})
	}
}

// TestBatchRefuses checks that a batch refuses what badger would, with
// the first error kept for Flush, which then writes nothing.
func TestBatchRefuses(t *testing.T) {
	db := openTest(t, Options{InMemory: true})
	for _, tc := range []struct {
		name       string
		key, value []byte
	}{
		{"EmptyKey", nil, []byte("v")},
		{"LongKey", bytes.Repeat([]byte{'k'}, 65001), nil},
		{"ReservedKey", []byte("!badger!x"), nil},
		{"LargeValue", []byte("v"), make([]byte, db.Features().MaxValueBytes+1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := kvtest.Dump(t, db, 0)
			b := newBatch(t, db)
			if err := b.Set([]byte("fine"), []byte("v")); err != nil {
				t.Fatal(err)
			}
			if err := b.Set(tc.key, tc.value); err == nil {
				t.Errorf("Set: got nil error")
			}
			if _, err := b.Flush(); err == nil {
				t.Errorf("Flush after a refused Set: got nil error")
			}
			if got := kvtest.Dump(t, db, 0); got != before {
				t.Errorf("the refused batch changed the store")
			}
		})
	}
}
