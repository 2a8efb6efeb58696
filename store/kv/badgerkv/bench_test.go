package badgerkv

import (
	"bytes"
	"context"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/ties-graph/ties/store/kv"
	"github.com/ties-graph/ties/store/kv/kvtest"
)

// benchKey is a 13-byte key shaped like an adjacency key: a prefix byte,
// a big-endian owner id and a big-endian position.
func benchKey(dst []byte, owner uint64, i uint32) []byte {
	dst = append(dst[:0], 'o')
	dst = binary.BigEndian.AppendUint64(dst, owner)
	return binary.BigEndian.AppendUint32(dst, i)
}

func openBench(b *testing.B) *DB {
	b.Helper()
	db, err := Open(Options{Dir: b.TempDir(), LogKey: kvtest.LogKey, BlockCacheSize: 256 << 20})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// load writes owners × perOwner keys with 64-byte values in one batch,
// the owners numbered from first.
func load(b *testing.B, db *DB, first, owners uint64, perOwner uint32) {
	b.Helper()
	batch, err := db.NewBatch(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	value := make([]byte, 64)
	var key []byte
	for o := first; o < first+owners; o++ {
		for i := range perOwner {
			key = benchKey(key, o, i)
			if err := batch.Set(key, value); err != nil {
				b.Fatal(err)
			}
		}
	}
	if _, err := batch.Flush(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkGet reads random keys of 100,000, in one read transaction and
// with a transaction per read.
func BenchmarkGet(b *testing.B) {
	db := openBench(b)
	load(b, db, 0, 1000, 100)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	var key []byte
	b.Run("SharedTxn", func(b *testing.B) {
		tx, err := db.Begin(ctx, kv.TxnOptions{})
		if err != nil {
			b.Fatal(err)
		}
		defer tx.Discard()
		for b.Loop() {
			key = benchKey(key, rng.Uint64N(1000), rng.Uint32N(100))
			if _, err := tx.Get(key); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("TxnPerGet", func(b *testing.B) {
		for b.Loop() {
			tx, err := db.Begin(ctx, kv.TxnOptions{})
			if err != nil {
				b.Fatal(err)
			}
			key = benchKey(key, rng.Uint64N(1000), rng.Uint32N(100))
			if _, err := tx.Get(key); err != nil {
				b.Fatal(err)
			}
			tx.Discard()
		}
	})
}

// BenchmarkScanPrefix scans the 1,000 keys of one owner among 100 owners,
// keys only, as a one-hop neighbour scan does.
func BenchmarkScanPrefix(b *testing.B) {
	db := openBench(b)
	load(b, db, 0, 100, 1000)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	tx, err := db.Begin(ctx, kv.TxnOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Discard()
	prefix := make([]byte, 9)
	prefix[0] = 'o'
	b.Run("Iterator", func(b *testing.B) {
		// One iterator for the whole run, as for a traversal.
		it := tx.Iterate(kv.IterOptions{Prefix: []byte{'o'}, KeysOnly: true})
		defer it.Close()
		for b.Loop() {
			binary.BigEndian.PutUint64(prefix[1:], rng.Uint64N(100))
			n := 0
			for it.Seek(prefix); it.Valid() && bytes.HasPrefix(it.Key(), prefix); it.Next() {
				n++
			}
			if n != 1000 {
				b.Fatalf("scanned %d keys, want 1000", n)
			}
		}
	})
	b.Run("ScanPrefixes", func(b *testing.B) {
		for b.Loop() {
			binary.BigEndian.PutUint64(prefix[1:], rng.Uint64N(100))
			n := 0
			err := tx.ScanPrefixes([][]byte{prefix}, true, func(int, []byte, []byte) error {
				n++
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			if n != 1000 {
				b.Fatalf("scanned %d keys, want 1000", n)
			}
		}
	})
}

// BenchmarkBatch writes 100,000 keys with 64-byte values per batch.
func BenchmarkBatch(b *testing.B) {
	db := openBench(b)
	var owner uint64
	for b.Loop() {
		load(b, db, owner, 1, 100_000)
		owner++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100_000, "ns/key")
}
