package store

import (
	"bufio"
	"bytes"
	"container/heap"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

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

// sortedScan sorts the bodies of one key prefix by the external id each
// begins with.
type sortedScan struct {
	budget int
	blocks [][]byte   // the bodies held, back to back in blocks that never move
	held   int        // their bytes
	spans  []bodySpan // where each is, and its id
	runs   []*os.File // sorted runs written so far
}

// sortBlock is the size of a block of bodies: small enough that a small
// store's scan allocates little, large enough to be few.
const sortBlock = 4 << 20

type bodySpan struct {
	id           uint64 // the record's internal id, for messages
	blk          uint32 // the block
	off, n       uint32 // the body in it
	idOff, idLen uint32 // its id, in the same block
}

// eachSorted calls fn with every body of prefix p (pEntity or pRelation)
// and its internal id, in the byte order of the external ids the bodies
// begin with, which is the order of the id map. The body passed to fn is
// valid only during the call. fn's error, the context's and the
// snapshot's stop the scan.
func eachSorted(ctx context.Context, tx kv.Txn, p byte, budget int, fn func(id uint64, body []byte) error) (err error) {
	s := &sortedScan{budget: budget}
	defer func() {
		if cerr := s.close(); err == nil {
			err = cerr
		}
	}()
	err = eachBody(ctx, tx, p, func(id uint64, v []byte) error {
		if err := s.add(id, v); err != nil {
			return fmt.Errorf("sort body %d: %w", id, err)
		}
		if s.held >= s.budget {
			return s.spill()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(s.runs) == 0 {
		s.sort()
		for i, sp := range s.spans {
			if i%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if err := fn(sp.id, s.body(sp)); err != nil {
				return err
			}
		}
		return nil
	}
	if len(s.spans) > 0 {
		if err := s.spill(); err != nil {
			return err
		}
	}
	return s.merge(ctx, fn)
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

func (s *sortedScan) add(id uint64, body []byte) error {
	off, n, err := bodyID(body)
	if err != nil {
		return err
	}
	last := len(s.blocks) - 1
	if last < 0 || cap(s.blocks[last])-len(s.blocks[last]) < len(body) {
		s.blocks = append(s.blocks, make([]byte, 0, max(sortBlock, len(body))))
		last++
	}
	b := s.blocks[last]
	start := len(b)
	s.blocks[last] = append(b, body...)
	s.held += len(body)
	s.spans = append(s.spans, bodySpan{
		id:  id,
		blk: uint32(last), off: uint32(start), n: uint32(len(body)),
		idOff: uint32(start + off), idLen: uint32(n),
	})
	return nil
}

func (s *sortedScan) body(sp bodySpan) []byte { return s.blocks[sp.blk][sp.off : sp.off+sp.n] }

func (s *sortedScan) id(sp bodySpan) []byte {
	return s.blocks[sp.blk][sp.idOff : sp.idOff+sp.idLen]
}

func (s *sortedScan) sort() {
	slices.SortFunc(s.spans, func(a, b bodySpan) int { return bytes.Compare(s.id(a), s.id(b)) })
}

// spill writes the bodies held, sorted, as a run: each its internal id,
// a length and the bytes.
func (s *sortedScan) spill() error {
	s.sort()
	f, err := os.CreateTemp("", "ties-sort-*")
	if err != nil {
		return fmt.Errorf("sorted scan: %w", err)
	}
	s.runs = append(s.runs, f)
	w := bufio.NewWriterSize(f, 1<<20)
	var n [binary.MaxVarintLen64]byte
	for _, sp := range s.spans {
		w.Write(n[:binary.PutUvarint(n[:], sp.id)])
		w.Write(n[:binary.PutUvarint(n[:], uint64(sp.n))])
		w.Write(s.body(sp))
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("sorted scan: write run: %w", err)
	}
	// The blocks are kept for the next run.
	for i := range s.blocks {
		s.blocks[i] = s.blocks[i][:0]
	}
	s.blocks = s.blocks[:min(len(s.blocks), 1)]
	s.held, s.spans = 0, s.spans[:0]
	return nil
}

// merge calls fn with the bodies of every run in id order.
func (s *sortedScan) merge(ctx context.Context, fn func(id uint64, body []byte) error) error {
	// The runs' buffers replace the blocks.
	s.blocks, s.spans = nil, nil
	h := make(runHeap, 0, len(s.runs))
	for _, f := range s.runs {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("sorted scan: %w", err)
		}
		r := &runReader{r: bufio.NewReaderSize(f, 256<<10)}
		ok, err := r.next()
		if err != nil {
			return err
		}
		if ok {
			h = append(h, r)
		}
	}
	heap.Init(&h)
	for i := 0; len(h) > 0; i++ {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		r := h[0]
		if err := fn(r.rid, r.body); err != nil {
			return err
		}
		ok, err := r.next()
		if err != nil {
			return err
		}
		if ok {
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
	}
	return nil
}

func (s *sortedScan) close() error {
	var errs []error
	for _, f := range s.runs {
		errs = append(errs, f.Close(), os.Remove(f.Name()))
	}
	s.runs = nil
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sorted scan: remove runs: %w", err)
	}
	return nil
}

// runReader reads one sorted run a body at a time.
type runReader struct {
	r    *bufio.Reader
	rid  uint64 // the current body's internal id
	body []byte // the current body
	id   []byte // its id
}

// next reads the next body; ok is false at the end of the run.
func (r *runReader) next() (ok bool, err error) {
	rid, err := binary.ReadUvarint(r.r)
	if errors.Is(err, io.EOF) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sorted scan: read run: %w", err)
	}
	n, err := binary.ReadUvarint(r.r)
	if err != nil {
		return false, fmt.Errorf("sorted scan: read run: %w", err)
	}
	r.rid = rid
	if uint64(cap(r.body)) < n {
		r.body = make([]byte, n)
	}
	r.body = r.body[:n]
	if _, err := io.ReadFull(r.r, r.body); err != nil {
		return false, fmt.Errorf("sorted scan: read run: %w", err)
	}
	off, l, err := bodyID(r.body)
	if err != nil {
		return false, fmt.Errorf("sorted scan: read run: %w", err)
	}
	r.id = r.body[off : off+l]
	return true, nil
}

type runHeap []*runReader

func (h runHeap) Len() int           { return len(h) }
func (h runHeap) Less(i, j int) bool { return bytes.Compare(h[i].id, h[j].id) < 0 }
func (h runHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)        { *h = append(*h, x.(*runReader)) }
func (h *runHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	*h = old[:len(old)-1]
	return r
}
