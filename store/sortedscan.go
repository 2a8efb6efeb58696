package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ties-graph/ties/store/kv"
)

// Exports list records in id order, but bodies are keyed by internal id,
// the order records were created in. Walking the id map and reading each
// body by a point read cost a table lookup per record and, once the store
// outgrows the block cache, a random read each. A sorted scan instead
// reads the bodies once, sequentially, and sorts them by the id at the
// front of each body: in memory while they fit in a budget, else as sorted
// runs in temporary files merged at the end, so memory stays bounded
// whatever the size of the store.

// sortBudget is how many bytes of bodies a sorted scan holds in memory
// before it writes them out as a sorted run.
const sortBudget = 64 << 20

// sortBlock is the size of a block of records held by a runSort: small
// enough that a small store's scan allocates little, large enough to be
// few.
const sortBlock = 4 << 20

// eachSorted calls fn with every body of prefix p (pEntity or pRelation)
// and its internal id, in the byte order of the external ids the bodies
// begin with, which is the order of the id map. The body passed to fn is
// valid only during the call. fn's error, the context's and the
// snapshot's stop the scan. The sort is runSort's: each record is the
// body followed by its internal id in 8 bytes.
func eachSorted(ctx context.Context, tx kv.Txn, p byte, budget int, fn func(id uint64, body []byte) error) (err error) {
	s := newRunSort(budget, compareBodyIDs)
	s.distinct = true // one body per id
	defer func() {
		if cerr := s.close(); err == nil {
			err = cerr
		}
	}()
	var rec []byte
	err = eachBody(ctx, tx, p, func(id uint64, v []byte) error {
		if _, _, err := bodyID(v); err != nil {
			return fmt.Errorf("sort body %d: %w", id, err)
		}
		rec = binary.BigEndian.AppendUint64(append(rec[:0], v...), id)
		return s.add(rec)
	})
	if err != nil {
		return err
	}
	it, err := s.sorted()
	if err != nil {
		return err
	}
	return it.each(ctx, func(r []byte) error {
		n := len(r) - 8
		return fn(binary.BigEndian.Uint64(r[n:]), r[:n])
	})
}

// compareBodyIDs orders eachSorted's records by the ids their bodies
// begin with; add checked that every body has one.
func compareBodyIDs(a, b []byte) int {
	ao, an, _ := bodyID(a)
	bo, bn, _ := bodyID(b)
	return bytes.Compare(a[ao:ao+an], b[bo:bo+bn])
}

// bodyID returns where the id at the front of a body is: after the format
// byte, a length and the bytes.
func bodyID(body []byte) (off, n int, err error) {
	if len(body) < 2 || body[0] != bodyFormat {
		return 0, 0, errors.New("not a body of this format")
	}
	l, k := binary.Uvarint(body[1:])
	if k <= 0 || uint64(len(body)-1-k) < l {
		return 0, 0, errors.New("body id out of range")
	}
	return 1 + k, int(l), nil
}
