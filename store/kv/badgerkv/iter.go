package badgerkv

import (
	"bytes"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/ties-graph/ties/store/kv"
)

// iterator is a kv.Iterator over a badger iterator. It keeps every position
// inside its prefix itself, because badger's reverse iteration does not:
// a reverse Rewind in badger seeks to the prefix, the smallest key of the
// range, instead of its largest.
type iterator struct {
	owner     *txn
	it        *badger.Iterator // nil for an iterator of an ended transaction
	prefix    []byte
	end       []byte // smallest key above every key with prefix; nil if none
	reverse   bool
	exhausted bool
	buf       []byte
}

var _ kv.Iterator = (*iterator)(nil)

func newIterator(bt *badger.Txn, opts kv.IterOptions) *iterator {
	it := &iterator{
		prefix:  bytes.Clone(opts.Prefix),
		end:     kv.PrefixEnd(opts.Prefix),
		reverse: opts.Reverse,
	}
	bo := badger.IteratorOptions{
		PrefetchValues: !opts.KeysOnly,
		PrefetchSize:   32,
		Reverse:        opts.Reverse,
		Prefix:         it.prefix,
	}
	if opts.Reverse {
		// In reverse, badger's Prefix gets in the way: Rewind becomes a
		// seek to the prefix itself (its smallest key), and Valid hides
		// the key at end that a seek there must step over. The prefix
		// is checked here instead; badger still finds the right table
		// in each level by key range.
		bo.Prefix = nil
	}
	it.it = bt.NewIterator(bo)
	return it
}

// Seek moves to the first key >= key (<= key when reverse) within the
// prefix.
func (it *iterator) Seek(key []byte) {
	if it.it == nil {
		return
	}
	it.exhausted = false
	if !it.reverse {
		if bytes.Compare(key, it.prefix) < 0 {
			key = it.prefix
		}
		it.it.Seek(key)
		return
	}
	switch {
	case len(key) == 0:
		// No key is <= the empty key.
		it.exhausted = true
	case len(it.prefix) > 0 && !bytes.HasPrefix(key, it.prefix) && bytes.Compare(key, it.prefix) > 0:
		it.Rewind()
	default:
		it.it.Seek(key)
	}
}

// Rewind moves to the first key of the prefix in the iterator's direction.
func (it *iterator) Rewind() {
	if it.it == nil {
		return
	}
	it.exhausted = false
	if !it.reverse || it.end == nil {
		// Forward, badger's Prefix makes Rewind a seek to the prefix. A
		// reverse prefix of only 0xFF bytes (or none) has no end key to
		// seek back from, but its keys are the largest of all, so the
		// end of the whole keyspace is where it starts.
		it.it.Rewind()
		return
	}
	it.it.Seek(it.end)
	// The seek lands on end itself when that key exists; it is outside
	// the prefix and the only key between the prefix's range and end.
	// (Only end itself, of the keys <= end, starts with end.)
	if it.it.ValidForPrefix(it.end) {
		it.it.Next()
	}
}

// Valid reports whether the iterator is at a key of the prefix.
func (it *iterator) Valid() bool {
	if it.it == nil || it.exhausted {
		return false
	}
	return it.it.ValidForPrefix(it.prefix)
}

// Next moves to the next key.
func (it *iterator) Next() {
	if it.Valid() {
		it.it.Next()
	}
}

// Key returns the current key, valid until the iterator moves.
func (it *iterator) Key() []byte {
	if !it.Valid() {
		return nil
	}
	return it.it.Item().Key()
}

// Value returns the current value, valid until the iterator moves.
func (it *iterator) Value() ([]byte, error) {
	if !it.Valid() {
		return nil, kv.ErrNotFound
	}
	item := it.it.Item()
	v, err := item.ValueCopy(it.buf[:0])
	if err != nil {
		return nil, mapErr(fmt.Sprintf("value of %x", item.Key()), err)
	}
	it.buf = v
	return v, nil
}

// Close releases the iterator; closing twice is harmless.
func (it *iterator) Close() {
	if it.it == nil {
		return
	}
	it.it.Close()
	it.it = nil
	if it.owner != nil {
		it.owner.forget(it)
	}
}
