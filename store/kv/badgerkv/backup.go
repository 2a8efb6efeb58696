package badgerkv

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/ristretto/v2/z"
	"google.golang.org/protobuf/proto"

	"github.com/ties-graph/ties/store/kv"
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
	if err := db.state.setRestoring(true); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fr := &frameReader{r: ctxReader{ctx, r}}
	if err := db.bdb.Load(fr, 16); err != nil {
		if fr.err != nil {
			err = fr.err
		} else {
			err = mapErr("load", err)
		}
		err = fmt.Errorf("restore: %w", err)
		if fr.records == 0 {
			// Load writes a record only once it has read all of it, so
			// nothing was written: the store is as it was. (Whether badger
			// holds anything cannot tell: Load leaves writes in flight.)
			if serr := db.state.setRestoring(false); serr != nil {
				return fmt.Errorf("%w (and %v)", err, serr)
			}
			return err
		}
		// Part of the backup is in the store, and nothing can take it
		// out again: refuse writes now, and Open refuses the directory.
		db.broken.Store(&err)
		return err
	}
	max := db.bdb.MaxVersion()
	db.clock.observe(max)
	db.lastCommit.Store(max)
	if err := db.state.setRestoring(false); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}

// maxBackupFrame bounds one record of a backup. Backup writes batches of
// about 100 MB (badger's stream batch size, a soft limit); anything near a
// gigabyte is not a backup.
const maxBackupFrame = 1 << 30

// frameReader passes a backup stream through, checking the length that
// starts each record: badger's Load allocates whatever length the first
// eight bytes of its input spell, and panics when that is beyond a slice,
// so a restore of the wrong file crashed the process.
type frameReader struct {
	r    io.Reader
	left uint64 // bytes of the current record still to pass
	head []byte // a length read ahead, still to pass
	err  error  // why the stream was refused
	// records counts the records passed whole.
	records int
}

func (f *frameReader) Read(p []byte) (int, error) {
	if len(f.head) == 0 && f.left == 0 {
		var h [8]byte
		n, err := io.ReadFull(f.r, h[:])
		switch {
		case n == 0 && errors.Is(err, io.EOF):
			return 0, io.EOF
		case errors.Is(err, io.ErrUnexpectedEOF):
			f.err = fmt.Errorf("%w: it ends inside a record length", kv.ErrNotBackup)
			return 0, f.err
		case err != nil:
			return 0, err
		}
		sz := binary.LittleEndian.Uint64(h[:])
		if sz > maxBackupFrame {
			f.err = fmt.Errorf("%w: a record of %d bytes", kv.ErrNotBackup, sz)
			return 0, f.err
		}
		f.head, f.left = h[:], sz
	}
	if len(f.head) > 0 {
		n := copy(p, f.head)
		f.head = f.head[n:]
		return n, nil
	}
	if uint64(len(p)) > f.left {
		p = p[:f.left]
	}
	n, err := f.r.Read(p)
	f.left -= uint64(n)
	if f.left == 0 {
		f.records++
	}
	if errors.Is(err, io.EOF) && f.left > 0 {
		f.err = fmt.Errorf("%w: it ends inside a record", kv.ErrNotBackup)
		return n, f.err
	}
	if errors.Is(err, io.EOF) {
		err = nil // the next Read reads the next length, or ends
	}
	return n, err
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
