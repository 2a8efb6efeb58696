package badgerkv

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/ties-graph/ties/store/kv"
)

// errTxnDone is returned by operations on a transaction that has ended.
var errTxnDone = errors.New("transaction already ended")

// txn is a kv.Txn over a badger transaction read at a fixed timestamp.
type txn struct {
	db     *DB
	bt     *badger.Txn
	readTs uint64
	update bool
	writes int
	log    []byte
	hasLog bool
	iters  []*iterator // open iterators, closed before the badger txn ends
	done   bool
}

var _ kv.Txn = (*txn)(nil)

// Get returns a copy of the value of key, or kv.ErrNotFound.
func (t *txn) Get(key []byte) ([]byte, error) {
	if t.done {
		return nil, errTxnDone
	}
	item, err := t.bt.Get(key)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("get %x", key), err)
	}
	v, err := item.ValueCopy(nil)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("get %x", key), err)
	}
	return v, nil
}

// Set writes key. It returns kv.ErrReadOnly in a read transaction and
// kv.ErrTooBig when the transaction outgrows what badger commits at once.
func (t *txn) Set(key, value []byte) error {
	if err := t.writable(); err != nil {
		return err
	}
	if err := t.bt.Set(key, value); err != nil {
		return mapErr(fmt.Sprintf("set %x", key), err)
	}
	t.writes++
	return nil
}

// Delete removes key, with the errors of Set.
func (t *txn) Delete(key []byte) error {
	if err := t.writable(); err != nil {
		return err
	}
	if err := t.bt.Delete(key); err != nil {
		return mapErr(fmt.Sprintf("delete %x", key), err)
	}
	t.writes++
	return nil
}

func (t *txn) writable() error {
	if t.done {
		return errTxnDone
	}
	if !t.update {
		return kv.ErrReadOnly
	}
	return nil
}

// Iterate opens an ordered scan over the transaction's snapshot (and, in an
// update transaction, its own writes made before the call).
func (t *txn) Iterate(opts kv.IterOptions) kv.Iterator {
	if t.done {
		return &iterator{}
	}
	it := newIterator(t.bt, opts)
	it.owner = t
	t.iters = append(t.iters, it)
	return it
}

// forget drops a closed iterator from the open list.
func (t *txn) forget(it *iterator) {
	for i, o := range t.iters {
		if o == it {
			t.iters = append(t.iters[:i], t.iters[i+1:]...)
			return
		}
	}
}

// ScanPrefixes visits every key under each prefix with one badger iterator,
// seeking from prefix to prefix.
func (t *txn) ScanPrefixes(prefixes [][]byte, keysOnly bool, fn func(i int, key, value []byte) error) error {
	if t.done {
		return errTxnDone
	}
	if len(prefixes) == 0 {
		return nil
	}
	it := t.bt.NewIterator(badger.IteratorOptions{
		PrefetchValues: !keysOnly,
		PrefetchSize:   16,
		// Restricting the iterator to what all prefixes share lets badger
		// skip tables outside it.
		Prefix: commonPrefix(prefixes),
	})
	defer it.Close()
	for i, p := range prefixes {
		for it.Seek(p); it.ValidForPrefix(p); it.Next() {
			item := it.Item()
			var err error
			if keysOnly {
				err = fn(i, item.Key(), nil)
			} else {
				// fn may not keep the value, so it can see badger's own
				// buffer instead of a copy.
				var fnErr error
				err = item.Value(func(v []byte) error {
					fnErr = fn(i, item.Key(), v)
					return nil
				})
				if err != nil {
					return mapErr(fmt.Sprintf("scan %x", item.Key()), err)
				}
				err = fnErr
			}
			if errors.Is(err, kv.ErrStop) {
				break
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// commonPrefix returns the longest prefix shared by all of ps.
func commonPrefix(ps [][]byte) []byte {
	c := ps[0]
	for _, p := range ps[1:] {
		n := 0
		for n < len(c) && n < len(p) && c[n] == p[n] {
			n++
		}
		c = c[:n]
	}
	return bytes.Clone(c)
}

// SetLog attaches the change-log record written at commit; a later call
// replaces an earlier one.
func (t *txn) SetLog(record []byte) {
	t.log = record
	t.hasLog = true
}

// Commit writes the transaction at a fresh timestamp from the hybrid
// logical clock and returns it. A read transaction, or an update that wrote
// nothing, returns its read timestamp. Errors: kv.ErrTooBig when the change
// log record does not fit, kv.ErrClosed, or badger's error wrapped; the
// transaction has ended either way.
func (t *txn) Commit() (uint64, error) {
	if t.done {
		return 0, errTxnDone
	}
	if !t.update {
		t.Discard()
		return t.readTs, nil
	}
	if t.writes == 0 && !t.hasLog {
		t.Discard()
		return t.readTs, nil
	}
	defer t.Discard()
	t.closeIters()
	t.db.commitMu.Lock()
	defer t.db.commitMu.Unlock()
	ts := t.db.clock.next()
	if t.hasLog {
		if t.db.opts.LogKey == nil {
			return 0, errors.New("commit: change-log record given but no LogKey configured")
		}
		if err := t.bt.Set(t.db.opts.LogKey(ts), t.log); err != nil {
			return 0, mapErr("commit: write change log", err)
		}
	}
	if err := t.bt.CommitAt(ts, nil); err != nil {
		return 0, mapErr(fmt.Sprintf("commit at %d", ts), err)
	}
	if t.db.committed != nil {
		t.db.committed()
	}
	t.db.lastCommit.Store(ts)
	return ts, nil
}

// Discard ends the transaction, closing iterators left open and releasing
// the writer slot. It is safe to call more than once.
func (t *txn) Discard() {
	if t.done {
		return
	}
	t.done = true
	t.closeIters()
	t.bt.Discard()
	if t.update {
		t.db.releaseWriter()
	} else {
		t.db.active.leave()
	}
}

func (t *txn) closeIters() {
	for len(t.iters) > 0 {
		t.iters[len(t.iters)-1].Close()
	}
}

// ReadTs returns the timestamp the transaction reads at.
func (t *txn) ReadTs() uint64 { return t.readTs }
