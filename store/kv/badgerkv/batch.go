package badgerkv

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"

	"github.com/ties-graph/ties/store/kv"
)

// batch is a kv.Batch that writes every entry at the batch's one commit
// timestamp, so readers, whose read timestamp stays at the last finished
// commit until Flush returns, see all of it or none.
//
// It does not go through badger's WriteBatch. That one collects entries in
// a transaction's map and hands them to the memtable in map order, and a
// skiplist insert at a random place costs a cache miss per level: measured
// here, 6.1 µs a key for a million 29-byte keys, against 1.5 µs when the
// same keys arrive sorted. So the batch buffers entries in chunks of about
// one badger transaction, sorts each chunk by key and hands it to badger's
// KVLoader, which sends entries to the write channel in the order given.
type batch struct {
	db       *DB
	commitTs uint64
	loader   *badger.KVLoader // created with the first chunk sent
	chunk    chunk
	sent     int // entries handed to badger
	log      []byte
	hasLog   bool
	err      error // the first failed write; Flush then rolls back
	done     bool

	// streamable says the store was never written when the batch began:
	// a batch larger than one chunk then spills its chunks to runs and
	// streams them at Flush (see bulk.go).
	streamable bool
	// spilling says the batch's chunks go to run files until Flush, as a
	// streamable batch's do, on every store on disk: a batch cancelled
	// before Flush (a bulk load refused for an error on its last line)
	// then never reached badger, whose versions of it would otherwise stay
	// on disk for the whole history retention. At Flush the runs are
	// merged into badger in key order, which its memtables also take
	// faster than chunk after chunk.
	spilling bool
	spill    spill
	// inflight is the chunk being written as a run behind the one being
	// filled (spillahead.go); nil: none.
	inflight *spillTask
}

var _ kv.Batch = (*batch)(nil)

// chunk is a run of buffered entries: keys and values copied into one
// arena, so that a Set costs no allocation of its own. An arena handed
// to badger's loader belongs to badger (values are written from it) and is
// never reused; one spilled to a run file is, and so is the entry list.
type chunk struct {
	arena   []byte
	entries []chunkEntry
	size    int64 // badger's estimate of the chunk's size
}

// chunkEntry locates one entry in the arena. head holds the key's first
// sixteen bytes, big-endian (a prefix byte and a node id, for most keys
// of the graph), so that most comparisons of the sort need not touch the
// arena; equal keys keep their order by offset, which grows with each Set.
type chunkEntry struct {
	head     [2]uint64
	off      int // key at arena[off:off+keyLen], value right after it
	keyLen   uint32
	valueLen uint32
	del      bool
}

func (c *chunk) key(e *chunkEntry) []byte { return c.arena[e.off : e.off+int(e.keyLen)] }
func (c *chunk) value(e *chunkEntry) []byte {
	o := e.off + int(e.keyLen)
	return c.arena[o : o+int(e.valueLen)]
}

// keyHead returns the first sixteen bytes of k as two big-endian
// numbers, padded with zeros.
func keyHead(k []byte) [2]uint64 {
	var b [16]byte
	copy(b[:], k)
	return [2]uint64{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
}

// compareKeys orders x and y by key.
func (c *chunk) compareKeys(x, y *chunkEntry) int {
	switch {
	case x.head[0] != y.head[0]:
		return cmp.Compare(x.head[0], y.head[0])
	case x.head[1] != y.head[1]:
		return cmp.Compare(x.head[1], y.head[1])
	case x.keyLen <= 16 && y.keyLen <= 16:
		return cmp.Compare(x.keyLen, y.keyLen)
	}
	return bytes.Compare(c.key(x), c.key(y))
}

// equalKeys reports whether x and y have the same key.
func (c *chunk) equalKeys(x, y *chunkEntry) bool {
	return x.head == y.head && x.keyLen == y.keyLen &&
		(x.keyLen <= 16 || bytes.Equal(c.key(x)[16:], c.key(y)[16:]))
}

// badgerDelete is badger's bitDelete entry flag (value.go in badger), which
// a KVLoader entry carries in its Meta to be a deletion. It is part of
// badger's on-disk format, so it does not change.
const badgerDelete = 1 << 0

// maxPendingChunks bounds the chunks handed to badger and not yet written.
// Badger writes one at a time, so two keep it busy while the caller fills
// the next; more would only hold memory.
const maxPendingChunks = 2

// NewBatch starts a bulk write holding the writer slot until Flush or
// Cancel. It waits for the slot like Begin and returns the same errors.
//
// Badger writes a large batch in several requests as it goes, all at the
// batch's timestamp. Should the batch fail or be cancelled, those writes
// are undone by writing, at a later timestamp, each key's previous version
// (or a delete); the keys are found again by a scan restricted to the
// batch's timestamp, so a batch of millions of keys needs no memory for
// them. A batch that was in progress when the process died is undone the
// same way by the next Open.
func (db *DB) NewBatch(ctx context.Context) (kv.Batch, error) {
	if err := db.acquireWriter(ctx); err != nil {
		return nil, fmt.Errorf("new batch: %w", err)
	}
	ts := db.clock.next()
	if err := db.state.setPending(ts); err != nil {
		db.releaseWriter()
		return nil, fmt.Errorf("new batch: %w", err)
	}
	return &batch{db: db, commitTs: ts, streamable: db.streamable(), spilling: !db.opts.InMemory}, nil
}

// Set writes key. Key and value are copied: the caller may reuse its
// buffers at once. It refuses what badger would: an empty key, a key
// longer than 65,000 bytes or in badger's reserved "!badger!" space, a
// value larger than Features().MaxValueBytes.
func (b *batch) Set(key, value []byte) error { return b.add(key, value, false) }

// Delete removes key.
func (b *batch) Delete(key []byte) error { return b.add(key, nil, true) }

func (b *batch) add(key, value []byte, del bool) error {
	if b.done {
		return errTxnDone
	}
	if b.err != nil {
		return b.err
	}
	if err := b.db.checkEntry(key, value); err != nil {
		b.err = err
		return err
	}
	return b.put(key, value, del)
}

// put buffers a checked entry, sending the chunk first when the entry
// would make it larger than one badger transaction.
func (b *batch) put(key, value []byte, del bool) error {
	c := &b.chunk
	// Badger's own estimate (Entry.estimateSizeAndSetThreshold), with the
	// 8-byte version it appends to the key.
	size := int64(len(key)+8) + 2
	if int64(len(value)) < b.db.valueThreshold {
		size += int64(len(value))
	} else {
		size += 12
	}
	limit := b.db.maxBatch
	if b.spilling {
		limit = spillChunkFactor * b.db.maxBatch
	}
	if len(c.entries) > 0 && c.size+size > limit {
		if err := b.send(); err != nil {
			return err
		}
	}
	if c.arena == nil {
		// Grown by append: a small batch should not cost a chunk's worth.
		// A batch into a store never written is a bulk load: growing its
		// first chunk by doubling cost a tenth of a 300k-relation import's
		// CPU (copies into fresh pages), so it gets the whole chunk now.
		n := min(limit, 4<<20)
		if b.streamable && b.spilling {
			n = limit
			c.entries = make([]chunkEntry, 0, n/40)
		}
		c.arena = make([]byte, 0, n)
	}
	off := len(c.arena)
	c.arena = append(append(c.arena, key...), value...)
	c.entries = append(c.entries, chunkEntry{
		head: keyHead(key), off: off, keyLen: uint32(len(key)), valueLen: uint32(len(value)), del: del,
	})
	c.size += size
	return nil
}

// checkEntry refuses an entry badger would refuse, with the error
// badger's transactions give.
func (db *DB) checkEntry(key, value []byte) error {
	var err error
	switch {
	case len(key) == 0:
		err = badger.ErrEmptyKey
	case len(key) > 65000:
		err = fmt.Errorf("key with size %d exceeded 65000 limit", len(key))
	case bytes.HasPrefix(key, badgerPrefix):
		err = badger.ErrInvalidKey
	case int64(len(value)) > db.maxValue:
		err = fmt.Errorf("value with size %d exceeded %d limit", len(value), db.maxValue)
	default:
		return nil
	}
	return mapErr(fmt.Sprintf("batch write %.40x", key), err)
}

// badgerPrefix is the key space badger reserves for itself.
var badgerPrefix = []byte("!badger!")

// spillChunkFactor sizes a streamable batch's chunks, in badger
// transactions: larger chunks make fewer runs to merge.
const spillChunkFactor = 4

// sorted calls fn for c's entries in key order, leaving out every entry a
// later one of the same key supersedes.
func (c *chunk) sorted(fn func(e *chunkEntry) error) error {
	c.sortEntries(c.entries)
	touched := c.touch(c.entries)
	for i := range c.entries {
		if i%touchAhead == 0 && i+touchAhead < len(c.entries) {
			touched ^= c.touch(c.entries[i+touchAhead:])
		}
		e := &c.entries[i]
		if i+1 < len(c.entries) && c.equalKeys(e, &c.entries[i+1]) {
			continue
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	runtime.KeepAlive(touched)
	return nil
}

// touchAhead is how many entries ahead of the writer sorted reads, a
// batch of that many at a time. In key order the entries lie
// all over the arena, and the copy of each key and value waited for its
// own cache miss; read in a loop of their own, the misses of a batch
// overlap, as the walks' touches of cached entries do (store/touch.go).
const touchAhead = 128

// touch reads the first and the last byte of up to touchAhead entries of
// es (a key and its value often straddle two cache lines). Its result
// means nothing; it is kept alive so that the reads stay.
func (c *chunk) touch(es []chunkEntry) byte {
	var x byte
	for i := range min(len(es), touchAhead) {
		e := &es[i]
		x ^= c.arena[e.off] ^ c.arena[e.off+int(e.keyLen)+int(e.valueLen)-1]
	}
	return x
}

// send hands the buffered chunk to badger sorted by key, or spills it to
// a run in a spilling batch.
func (b *batch) send() error {
	c := b.chunk
	b.chunk = chunk{entries: c.entries[:0]}
	if len(c.entries) == 0 {
		return nil
	}
	if b.spilling {
		free, err := b.spillBehind(c)
		if err != nil {
			b.err = err
			return err
		}
		// c is the spilling goroutine's now. A run file holds the entries
		// of the chunk before, so its arena and entry list are free: the
		// next chunk reuses them rather than growing new ones by doubling
		// (a tenth of a 1M-relation import's time went to that copying).
		b.chunk = free
		return nil
	}
	if b.loader == nil {
		b.loader = b.db.bdb.NewKVLoader(maxPendingChunks)
	}
	var pkv pb.KV
	del := []byte{badgerDelete}
	err := c.sorted(func(e *chunkEntry) error {
		// The loader copies the key and keeps the value, which stays in
		// the arena, and does not keep pkv.
		pkv = pb.KV{Key: c.key(e), Value: c.value(e), Version: b.commitTs}
		if e.del {
			pkv.Meta = del
		}
		if err := b.loader.Set(&pkv); err != nil {
			return mapErr("batch write", err)
		}
		b.sent++
		return nil
	})
	if err != nil {
		b.err = err
	}
	return err
}

// writeAll hands everything buffered to badger and waits until badger has
// written all of it.
func (b *batch) writeAll() error {
	if b.err != nil {
		return b.err
	}
	if b.hasLog {
		if b.db.opts.LogKey == nil {
			return errors.New("change-log record given but no LogKey configured")
		}
		k := b.db.opts.LogKey(b.commitTs)
		err := b.db.checkEntry(k, b.log)
		if err == nil {
			err = b.put(k, b.log, false)
		}
		if err != nil {
			return fmt.Errorf("write change log: %w", err)
		}
	}
	if _, err := b.settleSpill(); err != nil {
		b.err = err
		return err
	}
	if b.spilling && len(b.spill.runs) == 0 {
		// Small enough for one chunk: the memtables take it at once.
		b.spilling, b.streamable = false, false
	}
	if err := b.send(); err != nil {
		return err
	}
	if _, err := b.settleSpill(); err != nil {
		b.err = err
		return err
	}
	switch {
	case b.streamable:
		return b.stream()
	case b.spilling:
		return b.mergeRuns()
	}
	return b.finishLoader()
}

// finishLoader waits for the chunks badger has not written yet.
func (b *batch) finishLoader() error {
	if b.loader == nil {
		return nil
	}
	l := b.loader
	b.loader = nil
	if err := l.Finish(); err != nil {
		return mapErr("batch write", err)
	}
	return nil
}

// SetLog attaches the change-log record written with the batch.
func (b *batch) SetLog(record []byte) {
	b.log = bytes.Clone(record)
	b.hasLog = true
}

// Flush writes the rest of the batch and makes all of it visible at its
// commit timestamp. On error, whatever badger had already written is
// rolled back before Flush returns, and the error says what failed. An
// empty batch commits nothing and returns the last commit.
func (b *batch) Flush() (uint64, error) {
	if b.done {
		return 0, errTxnDone
	}
	if _, err := b.settleSpill(); err != nil && b.err == nil {
		b.err = err
	}
	if len(b.chunk.entries) == 0 && len(b.spill.runs) == 0 && b.sent == 0 && !b.hasLog && b.err == nil {
		b.Cancel()
		return b.db.lastCommit.Load(), nil
	}
	b.done = true
	defer b.db.releaseWriter()
	err := b.writeAll()
	if err == nil && b.db.failFlush != nil {
		err = b.db.failFlush()
	}
	if err != nil {
		b.removeSpill()
		if ferr := b.finishLoader(); ferr != nil {
			b.db.log.Error("finish a failed batch", "ts", b.commitTs, "err", ferr)
		}
		if rerr := b.db.rollback(b.commitTs); rerr != nil {
			return 0, fmt.Errorf("flush batch at %d: %w (and its rollback failed: %v)", b.commitTs, mapErr("flush", err), rerr)
		}
		return 0, fmt.Errorf("flush batch at %d: %w", b.commitTs, mapErr("flush", err))
	}
	b.db.lastCommit.Store(b.commitTs)
	if err := b.db.state.clearPending(); err != nil {
		// The batch is committed; a stale marker would only make the next
		// Open roll back a batch that succeeded, so say so loudly.
		b.db.log.Error("clear pending batch marker", "ts", b.commitTs, "err", err)
		return b.commitTs, fmt.Errorf("flush batch at %d: committed, but %w", b.commitTs, err)
	}
	return b.commitTs, nil
}

// Cancel abandons the batch, undoing anything badger already wrote.
func (b *batch) Cancel() {
	if b.done {
		return
	}
	b.done = true
	defer b.db.releaseWriter()
	b.chunk = chunk{}
	b.settleSpill() // its run goes with the others: the error does not matter
	b.removeSpill()
	if b.sent == 0 {
		// Badger cannot have written anything.
		if err := b.db.state.clearPending(); err != nil {
			b.db.log.Error("clear pending batch marker", "ts", b.commitTs, "err", err)
		}
		return
	}
	if err := b.finishLoader(); err != nil {
		b.db.log.Error("finish a cancelled batch", "ts", b.commitTs, "err", err)
	}
	if err := b.db.rollback(b.commitTs); err != nil {
		b.db.log.Error("roll back cancelled batch", "ts", b.commitTs, "err", err)
	}
}

// rollback undoes every write made at commitTs by writing, at a fresh
// timestamp, the version each key had before (or a delete where it had
// none), then records [commitTs, rollback ts) as a hole that versioned
// reads step below. The caller holds the writer slot. If rollback fails,
// the store refuses further writes: the next commit would otherwise expose
// the partial batch. The pending marker stays, so the next Open retries.
func (db *DB) rollback(commitTs uint64) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("roll back batch at %d: %w", commitTs, err)
			db.broken.Store(&err)
		}
	}()
	n, rbTs, err := db.undo(commitTs)
	if err != nil {
		return err
	}
	if n > 0 {
		if err := db.state.addHole(commitTs, rbTs); err != nil {
			return err
		}
		db.lastCommit.Store(rbTs)
		db.log.Warn("rolled back batch", "ts", commitTs, "keys", n, "rollbackTs", rbTs)
	}
	return db.state.clearPending()
}

// undo writes the pre-commitTs version of every key that has a version at
// commitTs, at a new timestamp it returns with the number of keys.
func (db *DB) undo(commitTs uint64) (int, uint64, error) {
	at := db.bdb.NewTransactionAt(commitTs, false)
	defer at.Discard()
	before := db.bdb.NewTransactionAt(commitTs-1, false)
	defer before.Discard()
	it := at.NewIterator(badger.IteratorOptions{
		AllVersions: true,
		// Only versions above SinceTs are read, and badger skips whole
		// tables older than it: the scan sees exactly the batch.
		SinceTs: commitTs - 1,
	})
	defer it.Close()
	var (
		wb   *badger.WriteBatch
		rbTs uint64
		n    int
	)
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		if item.Version() != commitTs {
			continue
		}
		if wb == nil {
			rbTs = db.clock.next()
			wb = db.bdb.NewWriteBatchAt(rbTs)
			defer wb.Cancel()
		}
		key := item.KeyCopy(nil)
		prev, err := before.Get(key)
		switch {
		case errors.Is(err, badger.ErrKeyNotFound):
			err = wb.Delete(key)
		case err != nil:
			return 0, 0, fmt.Errorf("read previous version of %x: %w", key, err)
		default:
			var v []byte
			if v, err = prev.ValueCopy(nil); err != nil {
				return 0, 0, fmt.Errorf("read previous version of %x: %w", key, err)
			}
			err = wb.Set(key, v)
		}
		if err != nil {
			return 0, 0, fmt.Errorf("restore %x: %w", key, err)
		}
		n++
	}
	if wb == nil {
		return 0, 0, nil
	}
	if err := wb.Flush(); err != nil {
		return 0, 0, fmt.Errorf("write rollback at %d: %w", rbTs, err)
	}
	return n, rbTs, nil
}

// recoverBatch undoes a batch that was in progress when the store was last
// closed without finishing it (a crash).
func (db *DB) recoverBatch() error {
	ts := db.state.pendingTs()
	if ts == 0 {
		return nil
	}
	db.log.Warn("rolling back a batch left unfinished by the last run", "ts", ts)
	if err := db.rollback(ts); err != nil {
		return err
	}
	return nil
}
