package badgerkv

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"sync"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/ristretto/v2/z"
	"google.golang.org/protobuf/proto"
)

// Backup streams every version of every key, up to the last finished
// commit, to w while the store keeps serving. Cancelling ctx stops it at
// the next write to w. The stream is badger's backup format, which
// badger's Load (and Restore) reads.
func (db *DB) Backup(ctx context.Context, w io.Writer) error {
	if err := db.enter(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer db.active.leave()
	// DB.Backup panics in managed mode, and badger's Stream.Backup stops
	// at a key's newest delete, dropping the history behind it. A stream
	// at the last finished commit that sends every version keeps it all.
	stream := db.bdb.NewStreamAt(db.lastCommit.Load())
	stream.LogPrefix = "backup"
	stream.NumGo = 2
	stream.KeyToList = allVersions
	var mu sync.Mutex // Send is called from one goroutine, but be sure
	stream.Send = func(buf *z.Buffer) error {
		list, err := badger.BufferToKVList(buf)
		if err != nil {
			return err
		}
		out := list.Kv[:0]
		for _, kv := range list.Kv {
			if !kv.StreamDone {
				out = append(out, kv)
			}
		}
		list.Kv = out
		mu.Lock()
		defer mu.Unlock()
		return writeKVList(w, list)
	}
	if err := stream.Orchestrate(ctx); err != nil {
		return mapErr("backup", err)
	}
	return nil
}

// deleteMeta is badger's bitDelete, the meta byte of a delete marker in
// its backup format.
const deleteMeta = 1 << 0

// allVersions lists every version of key, deletes included, newest first.
func allVersions(key []byte, it *badger.Iterator) (*pb.KVList, error) {
	list := &pb.KVList{}
	for ; it.Valid(); it.Next() {
		item := it.Item()
		if !bytes.Equal(item.Key(), key) {
			break
		}
		kv := &pb.KV{Key: item.KeyCopy(nil), Version: item.Version()}
		if item.IsDeletedOrExpired() {
			kv.Meta = []byte{deleteMeta}
		} else {
			v, err := item.ValueCopy(nil)
			if err != nil {
				return nil, fmt.Errorf("read %x at %d: %w", key, item.Version(), err)
			}
			kv.Value = v
		}
		list.Kv = append(list.Kv, kv)
	}
	return list, nil
}

// writeKVList writes one record of badger's backup format: the length of
// the marshalled list, little-endian, then the list.
func writeKVList(w io.Writer, list *pb.KVList) error {
	buf, err := proto.Marshal(list)
	if err != nil {
		return err
	}
	if err := binary.Write(w, binary.LittleEndian, uint64(len(buf))); err != nil {
		return err
	}
	_, err = w.Write(buf)
	return err
}

// Restore loads a backup made by Backup into this store, which must be
// empty. It holds the writer slot throughout; afterwards the clock and the
// last commit stand at the newest restored version, so new commits come
// after everything restored.
func (db *DB) Restore(ctx context.Context, r io.Reader) error {
	if err := db.acquireWriter(ctx); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer db.releaseWriter()
	empty, err := db.empty()
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if !empty {
		return fmt.Errorf("restore: the store is not empty")
	}
	if err := db.bdb.Load(ctxReader{ctx, r}, 16); err != nil {
		return mapErr("restore", err)
	}
	max := db.bdb.MaxVersion()
	db.clock.observe(max)
	db.lastCommit.Store(max)
	return nil
}

// empty reports whether the store holds no version of any key.
func (db *DB) empty() (bool, error) {
	t := db.bdb.NewTransactionAt(^uint64(0), false)
	defer t.Discard()
	it := t.NewIterator(badger.IteratorOptions{AllVersions: true})
	defer it.Close()
	it.Rewind()
	return !it.Valid(), nil
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
