package badgerkv

import (
	"strings"
	"testing"

	"github.com/ties-graph/ties/store/kv/kvtest"
)

// TestCompressionPerTable writes a store's tables with Snappy (a bulk
// stream), opens it without compression and writes more through the
// memtables: badger records the compression of every table in its
// manifest, so the old tables must read as before beside the new ones,
// and opened with the default (Snappy) again, all of them.
func TestCompressionPerTable(t *testing.T) {
	dir := t.TempDir()
	open := func(c Compression) *DB {
		t.Helper()
		db, err := Open(Options{Dir: dir, LogKey: kvtest.LogKey, MemTableSize: testMemTable, BlockCacheSize: 8 << 20, Compression: c})
		if err != nil {
			t.Fatalf("Open with %v: %v", c, err)
		}
		return db
	}
	closeDB := func(db *DB) {
		t.Helper()
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}

	db := open(CompressionSnappy)
	b := newBatch(t, db)
	want := writeStreamed(t, b)
	if _, err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := tablesCompressed(t, db, true); n == 0 || n != len(db.bdb.Tables()) {
		t.Fatalf("%d of the bulk stream's %d tables compressed, want all", n, len(db.bdb.Tables()))
	}
	closeDB(db)

	db = open(CompressionNone)
	checkStreamed(t, db, want)
	b = newBatch(t, db)
	setMany(t, b, "n/", moreKeys, []byte(strings.Repeat("b", 64)))
	if _, err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	closeDB(db) // the memtable becomes a table, uncompressed

	db = open(CompressionNone)
	if n := tablesCompressed(t, db, false); n == 0 {
		t.Fatalf("no uncompressed table after writing without compression")
	}
	checkStreamed(t, db, want)
	if got := len(kvtestKeys(t, db, "n/")); got != moreKeys {
		t.Errorf("%d keys written uncompressed read back, want %d", got, moreKeys)
	}
	closeDB(db)

	db = open(CompressionDefault)
	defer closeDB(db)
	checkStreamed(t, db, want)
	if got := len(kvtestKeys(t, db, "n/")); got != moreKeys {
		t.Errorf("%d keys written uncompressed read back with the default, want %d", got, moreKeys)
	}
}

// moreKeys is how many keys the test writes uncompressed: more than a
// memtable of the test's size holds, so that some become a table before
// Close.
const moreKeys = 40000

// tablesCompressed counts the tables of db whose blocks are compressed
// (compressed is true) or stored as they are: the test's values repeat
// one letter, so Snappy shrinks a table to a fraction of its blocks'
// size, and a table stored as it is never is smaller than them.
func tablesCompressed(t *testing.T, db *DB, compressed bool) int {
	t.Helper()
	n := 0
	for _, ti := range db.bdb.Tables() {
		if (ti.OnDiskSize < ti.UncompressedSize/2) == compressed {
			n++
		}
	}
	return n
}

func TestParseCompression(t *testing.T) {
	for _, c := range []Compression{CompressionDefault, CompressionNone, CompressionSnappy, CompressionZSTD} {
		got, err := ParseCompression(c.String())
		if err != nil || got != c {
			t.Errorf("ParseCompression(%q) = %v, %v; want %v", c.String(), got, err, c)
		}
	}
	if _, err := ParseCompression("lz4"); err == nil {
		t.Errorf("ParseCompression(lz4): no error")
	}
	if _, err := Open(Options{Dir: t.TempDir(), Compression: Compression(99)}); err == nil {
		t.Errorf("Open with an unknown compression: no error")
	}
}
