package kvtest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"

	"github.com/ties-graph/ties/store/kv"
)

func testGetSetDelete(t *testing.T, open Opener) {
	s := open(t)
	commit(t, s, func(tx kv.Txn) {
		set(t, tx, "a", "1")
		set(t, tx, "b", "2")
		set(t, tx, "c", "3")
	})
	commit(t, s, func(tx kv.Txn) {
		set(t, tx, "b", "22")
		if err := tx.Delete([]byte("c")); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if err := tx.Delete([]byte("never")); err != nil {
			t.Fatalf("Delete of a missing key: %v", err)
		}
	})
	for _, tc := range []struct{ key, want string }{
		{"a", "1"},
		{"b", "22"},
		{"c", "<none>"},
		{"never", "<none>"},
	} {
		t.Run(tc.key, func(t *testing.T) {
			if got := get(t, s, 0, tc.key); got != tc.want {
				t.Errorf("Get %q = %q, want %q", tc.key, got, tc.want)
			}
		})
	}
	t.Run("ValueIsCallers", func(t *testing.T) {
		tx := begin(t, s, kv.TxnOptions{})
		v, err := tx.Get([]byte("a"))
		tx.Discard()
		if err != nil {
			t.Fatal(err)
		}
		v[0] = 'x'
		if got, want := get(t, s, 0, "a"), "1"; got != want {
			t.Errorf("after changing the returned slice, Get = %q, want %q", got, want)
		}
	})
}

func testOwnWrites(t *testing.T, open Opener) {
	s := open(t)
	commit(t, s, func(tx kv.Txn) { set(t, tx, "k1", "old") })
	commit(t, s, func(tx kv.Txn) {
		set(t, tx, "k1", "new")
		set(t, tx, "k2", "two")
		if got, want := getIn(t, tx, "k1"), "new"; got != want {
			t.Errorf("Get of own write = %q, want %q", got, want)
		}
		it := tx.Iterate(kv.IterOptions{Prefix: []byte("k")})
		defer it.Close()
		var got []string
		for it.Rewind(); it.Valid(); it.Next() {
			got = append(got, string(it.Key()))
		}
		if want := []string{"k1", "k2"}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("iteration over own writes = %q, want %q", got, want)
		}
	})
}

func testReadOnlyTxn(t *testing.T, open Opener) {
	s := open(t)
	ts := commit(t, s, func(tx kv.Txn) { set(t, tx, "a", "1") })
	tx := begin(t, s, kv.TxnOptions{})
	defer tx.Discard()
	if err := tx.Set([]byte("a"), []byte("2")); !errors.Is(err, kv.ErrReadOnly) {
		t.Errorf("Set in a read transaction: got %v, want %v", err, kv.ErrReadOnly)
	}
	if err := tx.Delete([]byte("a")); !errors.Is(err, kv.ErrReadOnly) {
		t.Errorf("Delete in a read transaction: got %v, want %v", err, kv.ErrReadOnly)
	}
	got, err := tx.Commit()
	if err != nil {
		t.Fatalf("Commit of a read transaction: %v", err)
	}
	if got != ts {
		t.Errorf("Commit of a read transaction = %d, want its read ts %d", got, ts)
	}
}

func testTxnEnded(t *testing.T, open Opener) {
	s := open(t)
	tx := begin(t, s, kv.TxnOptions{Update: true})
	set(t, tx, "a", "1")
	it := tx.Iterate(kv.IterOptions{})
	it.Rewind()
	if _, err := tx.Commit(); err != nil {
		t.Fatalf("Commit with an iterator left open: %v", err)
	}
	it.Close()
	tx.Discard() // safe after Commit
	if _, err := tx.Commit(); err == nil {
		t.Errorf("second Commit: got nil error")
	}
	if _, err := tx.Get([]byte("a")); err == nil {
		t.Errorf("Get after Commit: got nil error")
	}
	// The writer slot was released: another update can begin.
	commit(t, s, func(tx kv.Txn) { set(t, tx, "b", "2") })
}

// orderKeys exercises byte order: 0x00 and 0xFF bytes, prefixes of other
// keys, and keys right at the end of a prefix's range.
var orderKeys = [][]byte{
	{'a'}, {'a', 0x00}, {'a', 0x01}, {'a', 0x7F}, {'a', 0x80}, {'a', 0xFF},
	{'a', 0xFF, 0x00}, {'a', 0xFF, 0xFF}, {'a', 0xFF, 0xFF, 0xFF},
	{'b'}, {'b', 0x00}, {'a' - 1, 0xFF},
	{0xFE, 0xFF}, {0xFF}, {0xFF, 0x00}, {0xFF, 0xFF}, {0xFF, 0xFF, 0x00},
	{0xFF, 0xFF, 0xFF}, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
}

func testOrder(t *testing.T, open Opener) {
	s := open(t)
	setAll(t, s, orderKeys)
	for _, tc := range []struct {
		name   string
		prefix []byte
	}{
		{"All", nil},
		{"A", []byte{'a'}},
		{"AFF", []byte{'a', 0xFF}},
		{"B", []byte{'b'}},
		{"Missing", []byte{'c'}},
	} {
		scanInOrder(t, s, tc.name, tc.prefix)
	}
}

// scanInOrder wants the keys of s under prefix, forward and in reverse,
// to be orderKeys' under it in byte order, in subtests name and
// name/Reverse.
func scanInOrder(t *testing.T, s kv.Store, name string, prefix []byte) {
	t.Helper()
	for _, reverse := range []bool{false, true} {
		sub := name
		if reverse {
			sub += "/Reverse"
		}
		t.Run(sub, func(t *testing.T) {
			got := keys(t, s, kv.IterOptions{Prefix: prefix, Reverse: reverse}, nil)
			want := sorted(withPrefix(orderKeys, prefix), reverse)
			if !equalKeys(got, want) {
				t.Errorf("keys = %x, want %x", got, want)
			}
		})
	}
}

// testPrefixEdge covers prefixes that have no successor key (all 0xFF),
// where "the end of the prefix" cannot be written as a key.
func testPrefixEdge(t *testing.T, open Opener) {
	s := open(t)
	setAll(t, s, orderKeys)
	for _, p := range [][]byte{{0xFF}, {0xFF, 0xFF}, {0xFF, 0xFF, 0xFF}, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}} {
		scanInOrder(t, s, fmt.Sprintf("%x", p), p)
	}
}

func testSeek(t *testing.T, open Opener) {
	s := open(t)
	setAll(t, s, orderKeys)
	for _, tc := range []struct {
		name    string
		prefix  []byte
		reverse bool
		seek    []byte
		want    [][]byte
	}{
		{"Exact", []byte{'a'}, false, []byte{'a', 0x80}, [][]byte{{'a', 0x80}, {'a', 0xFF}, {'a', 0xFF, 0x00}, {'a', 0xFF, 0xFF}, {'a', 0xFF, 0xFF, 0xFF}}},
		{"Between", []byte{'a'}, false, []byte{'a', 0xFE}, [][]byte{{'a', 0xFF}, {'a', 0xFF, 0x00}, {'a', 0xFF, 0xFF}, {'a', 0xFF, 0xFF, 0xFF}}},
		{"BeforePrefix", []byte{'a'}, false, []byte{0x00}, withPrefix(sorted(orderKeys, false), []byte{'a'})},
		{"AfterPrefix", []byte{'a'}, false, []byte{'b'}, nil},
		{"ReverseExact", []byte{'a'}, true, []byte{'a', 0x01}, [][]byte{{'a', 0x01}, {'a', 0x00}, {'a'}}},
		{"ReverseBetween", []byte{'a'}, true, []byte{'a', 0x02}, [][]byte{{'a', 0x01}, {'a', 0x00}, {'a'}}},
		{"ReverseAfterPrefix", []byte{'a'}, true, []byte{'b', 0x00}, withPrefix(sorted(orderKeys, true), []byte{'a'})},
		{"ReverseBeforePrefix", []byte{'a'}, true, []byte{'a' - 1, 0xFF}, nil},
		{"ReverseAllFF", []byte{0xFF, 0xFF}, true, []byte{0xFF, 0xFF, 0xFF, 0x00}, [][]byte{{0xFF, 0xFF, 0xFF}, {0xFF, 0xFF, 0x00}, {0xFF, 0xFF}}},
		{"ReverseNoPrefix", nil, true, []byte{'a', 0x01}, [][]byte{{'a', 0x01}, {'a', 0x00}, {'a'}, {'a' - 1, 0xFF}}},
		{"ReverseNoPrefixEnd", nil, true, []byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, sorted(orderKeys, true)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := keys(t, s, kv.IterOptions{Prefix: tc.prefix, Reverse: tc.reverse}, tc.seek)
			if !equalKeys(got, tc.want) {
				t.Errorf("Seek(%x) then Next: keys = %x, want %x", tc.seek, got, tc.want)
			}
		})
	}
	t.Run("Reuse", func(t *testing.T) {
		tx := begin(t, s, kv.TxnOptions{})
		defer tx.Discard()
		it := tx.Iterate(kv.IterOptions{Prefix: []byte{'a'}, KeysOnly: true})
		defer it.Close()
		for _, seek := range [][]byte{{'a', 0xFF}, {'a'}, {'a', 0x7F}, {'a', 0xFF, 0xFF, 0xFF}, {'a', 0x00}} {
			it.Seek(seek)
			if !it.Valid() {
				t.Fatalf("Seek(%x): not valid", seek)
			}
			if got := it.Key(); !bytes.Equal(got, seek) {
				t.Errorf("Seek(%x) landed on %x", seek, got)
			}
		}
		it.Seek([]byte{'b'})
		if it.Valid() {
			t.Errorf("Seek past the prefix: valid at %x", it.Key())
		}
		it.Rewind()
		if !it.Valid() || !bytes.Equal(it.Key(), []byte{'a'}) {
			t.Errorf("Rewind after running out: not back at the first key")
		}
	})
}

func testKeysOnly(t *testing.T, open Opener) {
	s := open(t)
	big := bytes.Repeat([]byte{'x'}, 100<<10)
	commit(t, s, func(tx kv.Txn) {
		set(t, tx, "k1", "small")
		if err := tx.Set([]byte("k2"), big); err != nil {
			t.Fatal(err)
		}
	})
	tx := begin(t, s, kv.TxnOptions{})
	defer tx.Discard()
	it := tx.Iterate(kv.IterOptions{Prefix: []byte("k"), KeysOnly: true})
	defer it.Close()
	var got []int
	for it.Rewind(); it.Valid(); it.Next() {
		v, err := it.Value()
		if err != nil {
			t.Fatalf("Value of %q: %v", it.Key(), err)
		}
		got = append(got, len(v))
	}
	if want := []int{5, len(big)}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("value lengths = %v, want %v", got, want)
	}
}

func testScanPrefixes(t *testing.T, open Opener) {
	s := open(t)
	setAll(t, s, orderKeys)
	scan := func(t *testing.T, prefixes [][]byte, keysOnly bool, fn func(i int, key []byte) error) (string, error) {
		t.Helper()
		tx := begin(t, s, kv.TxnOptions{})
		defer tx.Discard()
		var b bytes.Buffer
		err := tx.ScanPrefixes(prefixes, keysOnly, func(i int, key, value []byte) error {
			if !keysOnly && !bytes.Equal(value, append([]byte("v:"), key...)) {
				t.Errorf("value of %x = %q", key, value)
			}
			fmt.Fprintf(&b, "%d:%x ", i, key)
			if fn != nil {
				return fn(i, key)
			}
			return nil
		})
		return b.String(), err
	}
	want := func(prefixes [][]byte, limit int) string {
		var b bytes.Buffer
		for i, p := range prefixes {
			for j, k := range withPrefix(sorted(orderKeys, false), p) {
				if limit > 0 && j == limit {
					break
				}
				fmt.Fprintf(&b, "%d:%x ", i, k)
			}
		}
		return b.String()
	}
	prefixes := [][]byte{{'b'}, {'a', 0xFF}, {'c'}, {0xFF, 0xFF}, {'a', 0x01}}
	for _, keysOnly := range []bool{false, true} {
		t.Run(fmt.Sprintf("KeysOnly=%v", keysOnly), func(t *testing.T) {
			got, err := scan(t, prefixes, keysOnly, nil)
			if err != nil {
				t.Fatal(err)
			}
			if w := want(prefixes, 0); got != w {
				t.Errorf("scan = %s, want %s", got, w)
			}
		})
	}
	t.Run("ErrStop", func(t *testing.T) {
		seen := map[int]int{}
		got, err := scan(t, prefixes, true, func(i int, key []byte) error {
			seen[i]++
			if seen[i] == 2 {
				return kv.ErrStop
			}
			return nil
		})
		if err != nil {
			t.Fatalf("ErrStop ended the scan with %v", err)
		}
		if w := want(prefixes, 2); got != w {
			t.Errorf("scan = %s, want %s", got, w)
		}
	})
	t.Run("Error", func(t *testing.T) {
		boom := errors.New("boom")
		got, err := scan(t, prefixes, true, func(i int, key []byte) error { return boom })
		if !errors.Is(err, boom) {
			t.Errorf("error = %v, want %v", err, boom)
		}
		if w := "0:62 "; got != w {
			t.Errorf("scan = %s, want only %s", got, w)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		got, err := scan(t, nil, true, nil)
		if err != nil || got != "" {
			t.Errorf("scan of no prefixes = %q, %v", got, err)
		}
	})
}

func testSnapshotIsolation(t *testing.T, open Opener) {
	s := open(t)
	commit(t, s, func(tx kv.Txn) { set(t, tx, "k", "old") })
	r := begin(t, s, kv.TxnOptions{})
	defer r.Discard()
	commit(t, s, func(tx kv.Txn) {
		set(t, tx, "k", "new")
		set(t, tx, "k2", "added")
	})
	if got, want := getIn(t, r, "k"), "old"; got != want {
		t.Errorf("older reader sees %q, want %q", got, want)
	}
	if _, err := r.Get([]byte("k2")); !errors.Is(err, kv.ErrNotFound) {
		t.Errorf("older reader Get of a later key: got %v, want %v", err, kv.ErrNotFound)
	}
	if got, want := get(t, s, 0, "k"), "new"; got != want {
		t.Errorf("new reader sees %q, want %q", got, want)
	}

	// A reader during an open update transaction sees nothing of it.
	w := begin(t, s, kv.TxnOptions{Update: true})
	set(t, w, "k", "pending")
	if got, want := get(t, s, 0, "k"), "new"; got != want {
		t.Errorf("reader during an update sees %q, want %q", got, want)
	}
	w.Discard()
	if got, want := get(t, s, 0, "k"), "new"; got != want {
		t.Errorf("after Discard, reader sees %q, want %q", got, want)
	}
}

func testVersionedReads(t *testing.T, open Opener) {
	s := open(t)
	if !s.Features().VersionedReads {
		t.Skip("backend has no versioned reads")
	}
	ts1 := commit(t, s, func(tx kv.Txn) { set(t, tx, "k", "v1") })
	ts2 := commit(t, s, func(tx kv.Txn) { set(t, tx, "k", "v2") })
	ts3 := commit(t, s, func(tx kv.Txn) {
		if err := tx.Delete([]byte("k")); err != nil {
			t.Fatal(err)
		}
	})
	for _, tc := range []struct {
		name string
		ts   uint64
		want string
	}{
		{"BeforeFirst", ts1 - 1, "<none>"},
		{"First", ts1, "v1"},
		{"Second", ts2, "v2"},
		{"Deleted", ts3, "<none>"},
		{"Latest", 0, "<none>"},
		{"Future", ts3 + 1000, "<none>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := get(t, s, tc.ts, "k"); got != tc.want {
				t.Errorf("Get at %d = %q, want %q", tc.ts, got, tc.want)
			}
		})
	}
	t.Run("ReadTs", func(t *testing.T) {
		tx := begin(t, s, kv.TxnOptions{ReadTs: ts2})
		defer tx.Discard()
		if got, want := tx.ReadTs(), ts2; got != want {
			t.Errorf("ReadTs = %d, want %d", got, want)
		}
		tx2 := begin(t, s, kv.TxnOptions{ReadTs: ts3 + 1000})
		defer tx2.Discard()
		if got, want := tx2.ReadTs(), s.LastCommit(); got != want {
			t.Errorf("ReadTs of a future read = %d, want the last commit %d", got, want)
		}
	})
}

func testTimestampsIncrease(t *testing.T, open Opener) {
	s := open(t)
	var last uint64
	for i := range 50 {
		ts := commit(t, s, func(tx kv.Txn) { set(t, tx, "k", fmt.Sprint(i)) })
		if ts <= last {
			t.Fatalf("commit %d at %d, not after %d", i, ts, last)
		}
		if got := s.LastCommit(); got != ts {
			t.Fatalf("LastCommit = %d, want %d", got, ts)
		}
		last = ts
	}
	// An update that writes nothing does not commit.
	if ts := commit(t, s, func(kv.Txn) {}); ts != last || s.LastCommit() != last {
		t.Errorf("empty commit moved the clock: ts %d, LastCommit %d, want %d", ts, s.LastCommit(), last)
	}
}

func testChangeLog(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	var want bytes.Buffer
	for i := range 5 {
		rec := fmt.Sprintf("change %d", i)
		ts := commit(t, s, func(tx kv.Txn) {
			set(t, tx, fmt.Sprintf("k%d", i), "v")
			tx.SetLog([]byte(rec))
		})
		fmt.Fprintf(&want, "%d=%s\n", ts, rec)
	}
	// A log record alone is a commit too.
	ts := commit(t, s, func(tx kv.Txn) { tx.SetLog([]byte("log only")) })
	fmt.Fprintf(&want, "%d=%s\n", ts, "log only")
	b, err := s.NewBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Set([]byte("kb"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	b.SetLog([]byte("batch"))
	ts, err = b.Flush()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&want, "%d=%s\n", ts, "batch")
	// A transaction without a record writes none.
	commit(t, s, func(tx kv.Txn) { set(t, tx, "k9", "v") })

	tx := begin(t, s, kv.TxnOptions{})
	defer tx.Discard()
	it := tx.Iterate(kv.IterOptions{Prefix: LogPrefix})
	defer it.Close()
	var got bytes.Buffer
	for it.Rewind(); it.Valid(); it.Next() {
		v, err := it.Value()
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&got, "%d=%s\n", binary.BigEndian.Uint64(it.Key()[len(LogPrefix):]), v)
	}
	if got.String() != want.String() {
		t.Errorf("change log:\n%s\nwant:\n%s", got.String(), want.String())
	}
}

func testBatch(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	before := commit(t, s, func(tx kv.Txn) {
		set(t, tx, "b/keep", "old")
		set(t, tx, "b/gone", "old")
	})
	b, err := s.NewBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	key := []byte("b/000")
	for i := range 1000 {
		copy(key[2:], fmt.Sprintf("%03d", i))
		// The batch must not keep the caller's buffers.
		if err := b.Set(key, key); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Delete([]byte("b/gone")); err != nil {
		t.Fatal(err)
	}
	if err := b.Set([]byte("b/keep"), []byte("new")); err != nil {
		t.Fatal(err)
	}
	if got, want := dump(t, s, 0), dump(t, s, before); got != want {
		t.Errorf("readers see the batch before Flush")
	}
	if got, want := s.LastCommit(), before; got != want {
		t.Errorf("LastCommit before Flush = %d, want %d", got, want)
	}
	ts, err := b.Flush()
	if err != nil {
		t.Fatalf("Flush: %v", err)
	}
	if ts <= before || s.LastCommit() != ts {
		t.Errorf("Flush at %d, LastCommit %d, earlier commit %d", ts, s.LastCommit(), before)
	}
	for _, tc := range []struct{ key, want string }{
		{"b/000", "b/000"}, {"b/999", "b/999"}, {"b/gone", "<none>"}, {"b/keep", "new"},
	} {
		if got := get(t, s, 0, tc.key); got != tc.want {
			t.Errorf("after Flush, %s = %q, want %q", tc.key, got, tc.want)
		}
	}
	if got := len(keys(t, s, kv.IterOptions{Prefix: []byte("b/")}, nil)); got != 1001 {
		t.Errorf("after Flush, %d keys, want 1001", got)
	}
	if _, err := b.Flush(); err == nil {
		t.Errorf("second Flush: got nil error")
	}
	// The writer slot was released.
	commit(t, s, func(tx kv.Txn) { set(t, tx, "after", "1") })
}

func testBatchCancel(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	commit(t, s, func(tx kv.Txn) { set(t, tx, "c/keep", "old") })
	before := dump(t, s, 0)
	b, err := s.NewBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if err := b.Set([]byte(fmt.Sprintf("c/%03d", i)), []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Delete([]byte("c/keep")); err != nil {
		t.Fatal(err)
	}
	b.Cancel()
	b.Cancel() // harmless
	if got := dump(t, s, 0); got != before {
		t.Errorf("after Cancel:\n%s\nwant:\n%s", got, before)
	}
	commit(t, s, func(tx kv.Txn) { set(t, tx, "after", "1") })
}

// testLargeBatch writes a batch larger than one transaction, which a
// backend must still commit or cancel as a whole.
func testLargeBatch(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	limit := s.Features().MaxTxnBytes
	if limit <= 0 || limit > 8<<20 {
		limit = 8 << 20
	}
	value := bytes.Repeat([]byte{'v'}, 256)
	n := int(3*limit)/len(value) + 1
	write := func(t *testing.T, b kv.Batch) {
		key := make([]byte, 10)
		copy(key, "L/")
		for i := range n {
			binary.BigEndian.PutUint64(key[2:], uint64(i))
			if err := b.Set(key, value); err != nil {
				t.Fatalf("Set %d: %v", i, err)
			}
		}
	}
	t.Run("Cancel", func(t *testing.T) {
		before := dump(t, s, 0)
		b, err := s.NewBatch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		write(t, b)
		b.Cancel()
		if got := dump(t, s, 0); got != before {
			t.Errorf("a cancelled large batch left %d bytes of dump, want %d", len(got), len(before))
		}
	})
	t.Run("Flush", func(t *testing.T) {
		b, err := s.NewBatch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		write(t, b)
		if _, err := b.Flush(); err != nil {
			t.Fatal(err)
		}
		if got := len(keys(t, s, kv.IterOptions{Prefix: []byte("L/"), KeysOnly: true}, nil)); got != n {
			t.Errorf("after Flush, %d keys, want %d", got, n)
		}
	})
}

func testTooBig(t *testing.T, open Opener) {
	s := open(t)
	limit := s.Features().MaxTxnBytes
	if limit <= 0 || limit > 16<<20 {
		t.Skipf("MaxTxnBytes %d: too big to provoke in a test", limit)
	}
	before := dump(t, s, 0)
	tx := begin(t, s, kv.TxnOptions{Update: true})
	defer tx.Discard()
	value := bytes.Repeat([]byte{'v'}, 1000)
	var written int64
	var err error
	for i := 0; ; i++ {
		err = tx.Set([]byte(fmt.Sprintf("big/%08d", i)), value)
		if err != nil {
			break
		}
		written += int64(len(value))
		if written > 2*limit {
			_, err = tx.Commit()
			break
		}
	}
	if !errors.Is(err, kv.ErrTooBig) {
		t.Fatalf("after writing %d bytes (limit %d): got %v, want %v", written, limit, err, kv.ErrTooBig)
	}
	if written < limit/2 {
		t.Errorf("ErrTooBig after %d bytes, far below MaxTxnBytes %d", written, limit)
	}
	tx.Discard()
	if got := dump(t, s, 0); got != before {
		t.Errorf("a transaction refused as too big changed the store")
	}
}

// testWriterContext checks that waiting for the writer slot gives up with
// the caller's context.
func testWriterContext(t *testing.T, open Opener) {
	s := open(t)
	w := begin(t, s, kv.TxnOptions{Update: true})
	defer w.Discard()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Begin(ctx, kv.TxnOptions{Update: true}); !errors.Is(err, context.Canceled) {
		t.Errorf("Begin update while another writer is open, cancelled: got %v, want %v", err, context.Canceled)
	}
	if _, err := s.NewBatch(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("NewBatch while a writer is open, cancelled: got %v, want %v", err, context.Canceled)
	}
	// Readers do not wait for the writer.
	r, err := s.Begin(ctx, kv.TxnOptions{})
	if err != nil {
		t.Errorf("read Begin while a writer is open: %v", err)
	} else {
		r.Discard()
	}
}

// testBank moves amounts between accounts from many goroutines, while
// readers check that every snapshot holds the same total: no update is lost
// and no reader sees half a transfer.
func testBank(t *testing.T, open Opener) {
	const (
		accounts  = 10
		initial   = 1000
		writers   = 8
		transfers = 40
		readers   = 4
	)
	s := open(t)
	account := func(i int) []byte { return []byte(fmt.Sprintf("acct/%02d", i)) }
	commit(t, s, func(tx kv.Txn) {
		for i := range accounts {
			if err := tx.Set(account(i), binary.BigEndian.AppendUint64(nil, initial)); err != nil {
				t.Fatal(err)
			}
		}
	})
	total := func(tx kv.Txn) (uint64, error) {
		var sum uint64
		err := tx.ScanPrefixes([][]byte{[]byte("acct/")}, false, func(_ int, _, v []byte) error {
			sum += binary.BigEndian.Uint64(v)
			return nil
		})
		return sum, err
	}
	errs := make(chan error, writers+readers)
	done := make(chan struct{})
	var readersDone = make(chan struct{})
	go func() {
		parallel(readers, func(int) {
			for {
				select {
				case <-done:
					return
				default:
				}
				tx, err := s.Begin(context.Background(), kv.TxnOptions{})
				if err != nil {
					errs <- err
					return
				}
				sum, err := total(tx)
				tx.Discard()
				if err != nil {
					errs <- err
					return
				}
				if sum != accounts*initial {
					errs <- fmt.Errorf("reader saw a total of %d, want %d", sum, accounts*initial)
					return
				}
			}
		})
		close(readersDone)
	}()
	transfer := func(g, n int) error {
		from, to := (g+n)%accounts, (g*7+n*3+1)%accounts
		if from == to {
			to = (to + 1) % accounts
		}
		for {
			tx, err := s.Begin(context.Background(), kv.TxnOptions{Update: true})
			if err != nil {
				return err
			}
			a, err := tx.Get(account(from))
			if err != nil {
				tx.Discard()
				return err
			}
			b, err := tx.Get(account(to))
			if err != nil {
				tx.Discard()
				return err
			}
			amount := uint64(n%7 + 1)
			av, bv := binary.BigEndian.Uint64(a), binary.BigEndian.Uint64(b)
			if av < amount {
				amount = av
			}
			if err := tx.Set(account(from), binary.BigEndian.AppendUint64(nil, av-amount)); err != nil {
				tx.Discard()
				return err
			}
			if err := tx.Set(account(to), binary.BigEndian.AppendUint64(nil, bv+amount)); err != nil {
				tx.Discard()
				return err
			}
			_, err = tx.Commit()
			if errors.Is(err, kv.ErrConflict) {
				continue
			}
			return err
		}
	}
	parallel(writers, func(g int) {
		for n := range transfers {
			if err := transfer(g, n); err != nil {
				errs <- fmt.Errorf("writer %d transfer %d: %w", g, n, err)
				return
			}
		}
	})
	close(done)
	<-readersDone
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	tx := begin(t, s, kv.TxnOptions{})
	defer tx.Discard()
	sum, err := total(tx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sum, uint64(accounts*initial); got != want {
		t.Errorf("total after %d transfers = %d, want %d", writers*transfers, got, want)
	}
}

func testBackupRestore(t *testing.T, open Opener) {
	ctx := context.Background()
	src := open(t)
	if _, ok := src.(kv.Backuper); !ok {
		t.Skip("backend has no backup")
	}
	ts1 := commit(t, src, func(tx kv.Txn) {
		set(t, tx, "r/a", "1")
		set(t, tx, "r/b", "1")
		tx.SetLog([]byte("first"))
	})
	commit(t, src, func(tx kv.Txn) {
		set(t, tx, "r/a", "2")
		if err := tx.Delete([]byte("r/b")); err != nil {
			t.Fatal(err)
		}
		if err := tx.Set([]byte{0xFF, 0xFF}, []byte{0x00}); err != nil {
			t.Fatal(err)
		}
	})
	var buf bytes.Buffer
	if err := src.(kv.Backuper).Backup(ctx, &buf); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	// Writes after the backup started are not in it, and do not disturb it.
	commit(t, src, func(tx kv.Txn) { set(t, tx, "r/c", "after") })

	dst := open(t)
	if err := dst.(kv.Backuper).Restore(ctx, bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	for _, tc := range []struct {
		name string
		ts   uint64
		key  string
		want string
	}{
		{"Latest", 0, "r/a", "2"},
		{"Deleted", 0, "r/b", "<none>"},
		{"AfterBackup", 0, "r/c", "<none>"},
		{"HistoryA", ts1, "r/a", "1"},
		{"HistoryB", ts1, "r/b", "1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := get(t, dst, tc.ts, tc.key); got != tc.want {
				t.Errorf("restored %s at %d = %q, want %q", tc.key, tc.ts, got, tc.want)
			}
		})
	}
	if got := get(t, dst, 0, "\xff\xff"); got != "\x00" {
		t.Errorf("restored ffff = %q, want 00", got)
	}
	if got, want := len(keys(t, dst, kv.IterOptions{Prefix: LogPrefix}, nil)), 1; got != want {
		t.Errorf("restored change-log records = %d, want %d", got, want)
	}
	last := dst.LastCommit()
	if last < ts1 {
		t.Errorf("LastCommit after Restore = %d, below the restored commit %d", last, ts1)
	}
	if ts := commit(t, dst, func(tx kv.Txn) { set(t, tx, "r/d", "new") }); ts <= last {
		t.Errorf("commit after Restore at %d, want > %d", ts, last)
	}
	t.Run("NotEmpty", func(t *testing.T) {
		if err := dst.(kv.Backuper).Restore(ctx, bytes.NewReader(buf.Bytes())); err == nil {
			t.Errorf("Restore into a store with data: got nil error")
		}
	})
}

func testClosed(t *testing.T, open Opener) {
	s := open(t)
	commit(t, s, func(tx kv.Txn) { set(t, tx, "k", "v") })
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	ctx := context.Background()
	if _, err := s.Begin(ctx, kv.TxnOptions{}); !errors.Is(err, kv.ErrClosed) {
		t.Errorf("Begin after Close: got %v, want %v", err, kv.ErrClosed)
	}
	if _, err := s.Begin(ctx, kv.TxnOptions{Update: true}); !errors.Is(err, kv.ErrClosed) {
		t.Errorf("Begin update after Close: got %v, want %v", err, kv.ErrClosed)
	}
	if _, err := s.NewBatch(ctx); !errors.Is(err, kv.ErrClosed) {
		t.Errorf("NewBatch after Close: got %v, want %v", err, kv.ErrClosed)
	}
}
