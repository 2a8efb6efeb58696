// Package kvtest is the conformance suite of the key-value boundary: every
// backend of package kv runs it from its own tests, so that the graph code,
// written once against kv, behaves the same on each.
//
// A backend under test must be opened with LogKey as its change-log key
// layout. The suite writes only keys that start with a byte of its own
// choosing per test and reads back nothing it did not write, except the
// change-log records under LogPrefix.
package kvtest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/ties-graph/ties/store/kv"
)

// LogPrefix starts every change-log key written under LogKey.
var LogPrefix = []byte{0x01, 'l', 'o', 'g'}

// LogKey is the change-log key layout the suite expects: LogPrefix and the
// commit timestamp, big-endian, so that log keys sort by commit time.
func LogKey(ts uint64) []byte {
	return binary.BigEndian.AppendUint64(bytes.Clone(LogPrefix), ts)
}

// Opener returns a fresh, empty store opened with LogKey, and closes it in
// t.Cleanup. Close must tolerate being called again by the test.
type Opener func(t *testing.T) kv.Store

// Run runs the conformance suite, one subtest per property, each on a
// fresh store from open.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"GetSetDelete", testGetSetDelete},
		{"OwnWrites", testOwnWrites},
		{"ReadOnlyTxn", testReadOnlyTxn},
		{"TxnEnded", testTxnEnded},
		{"Order", testOrder},
		{"PrefixEdge", testPrefixEdge},
		{"Seek", testSeek},
		{"KeysOnly", testKeysOnly},
		{"ScanPrefixes", testScanPrefixes},
		{"SnapshotIsolation", testSnapshotIsolation},
		{"VersionedReads", testVersionedReads},
		{"TimestampsIncrease", testTimestampsIncrease},
		{"ChangeLog", testChangeLog},
		{"Batch", testBatch},
		{"BatchCancel", testBatchCancel},
		{"LargeBatch", testLargeBatch},
		{"TooBig", testTooBig},
		{"WriterWaitsForContext", testWriterContext},
		{"Bank", testBank},
		{"BackupRestore", testBackupRestore},
		{"Closed", testClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

// Reopener is given a fresh location and returns a function that opens the
// store there; each store it opens is the test's to close.
type Reopener func(t *testing.T) func() kv.Store

// RunReopen checks what must survive closing and opening a store again:
// the data, and timestamps that keep increasing.
func RunReopen(t *testing.T, reopen Reopener) {
	t.Run("Persists", func(t *testing.T) {
		open := reopen(t)
		s := open()
		var last uint64
		for i := range 3 {
			last = commit(t, s, func(tx kv.Txn) {
				set(t, tx, fmt.Sprintf("p%d", i), fmt.Sprintf("v%d", i))
				tx.SetLog([]byte{byte(i)})
			})
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}

		s = open()
		defer s.Close()
		if got := s.LastCommit(); got < last {
			t.Errorf("LastCommit after reopen = %d, want >= %d", got, last)
		}
		for i := range 3 {
			if got, want := get(t, s, 0, fmt.Sprintf("p%d", i)), fmt.Sprintf("v%d", i); got != want {
				t.Errorf("p%d after reopen = %q, want %q", i, got, want)
			}
		}
		next := commit(t, s, func(tx kv.Txn) { set(t, tx, "p9", "x") })
		if next <= last {
			t.Errorf("commit after reopen at %d, want > %d", next, last)
		}
		if got, want := len(keys(t, s, kv.IterOptions{Prefix: LogPrefix}, nil)), 3; got != want {
			t.Errorf("change-log records after reopen = %d, want %d", got, want)
		}
	})
}

// --- helpers -------------------------------------------------------------

// begin begins a transaction of s; the caller discards it.
func begin(t *testing.T, s kv.Store, opts kv.TxnOptions) kv.Txn {
	t.Helper()
	tx, err := s.Begin(context.Background(), opts)
	if err != nil {
		t.Fatalf("Begin %+v: %v", opts, err)
	}
	return tx
}

// commit runs fn in an update transaction and commits it.
func commit(t *testing.T, s kv.Store, fn func(tx kv.Txn)) uint64 {
	t.Helper()
	tx := begin(t, s, kv.TxnOptions{Update: true})
	defer tx.Discard()
	fn(tx)
	ts, err := tx.Commit()
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return ts
}

func set(t *testing.T, tx kv.Txn, key, value string) {
	t.Helper()
	if err := tx.Set([]byte(key), []byte(value)); err != nil {
		t.Fatalf("Set %q: %v", key, err)
	}
}

// get reads key at readTs (0: latest); a missing key reads as "<none>".
func get(t *testing.T, s kv.Store, readTs uint64, key string) string {
	t.Helper()
	tx := begin(t, s, kv.TxnOptions{ReadTs: readTs})
	defer tx.Discard()
	return getIn(t, tx, key)
}

// getIn reads key in tx; a missing key reads as "<none>".
func getIn(t *testing.T, tx kv.Txn, key string) string {
	t.Helper()
	v, err := tx.Get([]byte(key))
	if errors.Is(err, kv.ErrNotFound) {
		return "<none>"
	}
	if err != nil {
		t.Fatalf("Get %q: %v", key, err)
	}
	return string(v)
}

// keys collects the keys an iterator visits from Rewind, or from Seek(seek)
// when seek is not nil.
func keys(t *testing.T, s kv.Store, opts kv.IterOptions, seek []byte) [][]byte {
	t.Helper()
	tx := begin(t, s, kv.TxnOptions{})
	defer tx.Discard()
	it := tx.Iterate(opts)
	defer it.Close()
	if seek != nil {
		it.Seek(seek)
	} else {
		it.Rewind()
	}
	var out [][]byte
	for ; it.Valid(); it.Next() {
		out = append(out, bytes.Clone(it.Key()))
	}
	return out
}

func setAll(t *testing.T, s kv.Store, ks [][]byte) uint64 {
	t.Helper()
	return commit(t, s, func(tx kv.Txn) {
		for _, k := range ks {
			if err := tx.Set(k, append([]byte("v:"), k...)); err != nil {
				t.Fatalf("Set %x: %v", k, err)
			}
		}
	})
}

func sorted(ks [][]byte, reverse bool) [][]byte {
	out := slices.Clone(ks)
	slices.SortFunc(out, bytes.Compare)
	if reverse {
		slices.Reverse(out)
	}
	return out
}

func withPrefix(ks [][]byte, p []byte) [][]byte {
	var out [][]byte
	for _, k := range ks {
		if bytes.HasPrefix(k, p) {
			out = append(out, k)
		}
	}
	return out
}

func equalKeys(got, want [][]byte) bool {
	return slices.EqualFunc(got, want, bytes.Equal)
}

// dump returns every key and value visible at readTs, as one string that
// compares and prints well.
func dump(t *testing.T, s kv.Store, readTs uint64) string {
	t.Helper()
	tx := begin(t, s, kv.TxnOptions{ReadTs: readTs})
	defer tx.Discard()
	it := tx.Iterate(kv.IterOptions{})
	defer it.Close()
	var b bytes.Buffer
	for it.Rewind(); it.Valid(); it.Next() {
		v, err := it.Value()
		if err != nil {
			t.Fatalf("Value %x: %v", it.Key(), err)
		}
		fmt.Fprintf(&b, "%x=%x\n", it.Key(), v)
	}
	return b.String()
}

// Dump returns every key and value of s visible at readTs (0: latest), one
// "key=value" line each in hex, for comparing whole stores in tests.
func Dump(t *testing.T, s kv.Store, readTs uint64) string {
	t.Helper()
	return dump(t, s, readTs)
}

// parallel runs fn n times concurrently and waits.
func parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(i)
		}()
	}
	wg.Wait()
}
