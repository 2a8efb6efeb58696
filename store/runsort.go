package store

import (
	"bufio"
	"container/heap"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// runSort sorts records (byte strings) by cmp with memory bounded by a
// budget: the records are held back to back in blocks until they fill
// the budget, then written sorted as a run to a temporary file; reading
// them back merges the runs. A load uses it for what it must know per
// relation, which would otherwise grow with the source (loadrelids.go).
// A run is a sequence of records, each a length and the bytes.
type runSort struct {
	cmp func(a, b []byte) int
	// distinct says no two records compare equal, so the order of equal
	// ones need not be kept: a plain sort does, which costs less.
	distinct bool
	budget   int
	blocks   [][]byte  // the records held, in blocks that never move
	recs     []recSpan // where each record held is
	held     int       // bytes held, with each record's span
	runs     []*os.File
}

// recSpan places a record in the blocks. It holds no pointer, so that the
// garbage collector has no list of a million pointers to scan while a
// sort holds its budget: with slices of the blocks instead, a 10M-relation
// GraphML export peaked at 1,036 MiB instead of 760.
type recSpan struct{ blk, off, n uint32 }

// runRecordOverhead is what holding one record costs beside its bytes:
// its span.
const runRecordOverhead = 12

func (s *runSort) rec(r recSpan) []byte {
	return s.blocks[r.blk][r.off : r.off+r.n : r.off+r.n]
}

func newRunSort(budget int, cmp func(a, b []byte) int) *runSort {
	return &runSort{cmp: cmp, budget: budget}
}

// add copies rec into the sort; it returns the error of writing a run.
func (s *runSort) add(rec []byte) error {
	last := len(s.blocks) - 1
	if last < 0 || cap(s.blocks[last])-len(s.blocks[last]) < len(rec) {
		s.blocks = append(s.blocks, make([]byte, 0, max(min(sortBlock, s.budget), len(rec))))
		last++
	}
	b := s.blocks[last]
	start := len(b)
	s.blocks[last] = append(b, rec...)
	s.recs = append(s.recs, recSpan{blk: uint32(last), off: uint32(start), n: uint32(len(rec))})
	s.held += len(rec) + runRecordOverhead
	if s.held >= s.budget {
		return s.spill()
	}
	return nil
}

func (s *runSort) sortHeld() {
	cmp := func(a, b recSpan) int { return s.cmp(s.rec(a), s.rec(b)) }
	if s.distinct {
		slices.SortFunc(s.recs, cmp)
	} else {
		slices.SortStableFunc(s.recs, cmp)
	}
}

// spill writes the records held, sorted, as a run.
func (s *runSort) spill() error {
	s.sortHeld()
	f, err := os.CreateTemp("", "ties-run-*")
	if err != nil {
		return fmt.Errorf("run sort: %w", err)
	}
	s.runs = append(s.runs, f)
	w := bufio.NewWriterSize(f, 256<<10)
	var n [binary.MaxVarintLen64]byte
	for _, sp := range s.recs {
		r := s.rec(sp)
		w.Write(n[:binary.PutUvarint(n[:], uint64(len(r)))])
		w.Write(r)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("run sort: write run: %w", err)
	}
	for i := range s.blocks {
		s.blocks[i] = s.blocks[i][:0]
	}
	s.blocks = s.blocks[:min(len(s.blocks), 1)]
	s.recs, s.held = s.recs[:0], 0
	return nil
}

// sorted ends the adding and returns the records in order, to be read
// with next. The records held in memory are read from memory; once any
// run was written, the rest is written as one too and the runs are
// merged, each read through a small buffer.
func (s *runSort) sorted() (*runIter, error) {
	if len(s.runs) == 0 {
		s.sortHeld()
		return &runIter{mem: s}, nil
	}
	if len(s.recs) > 0 {
		if err := s.spill(); err != nil {
			return nil, err
		}
	}
	s.blocks, s.recs = nil, nil
	it := &runIter{merging: true, heap: runRecHeap{cmp: s.cmp}}
	for i, f := range s.runs {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("run sort: %w", err)
		}
		r := &runRecReader{r: bufio.NewReaderSize(f, 64<<10), order: i}
		ok, err := r.next()
		if err != nil {
			return nil, err
		}
		if ok {
			it.heap.rs = append(it.heap.rs, r)
		}
	}
	heap.Init(&it.heap)
	return it, nil
}

// close removes the runs.
func (s *runSort) close() error {
	var errs []error
	for _, f := range s.runs {
		errs = append(errs, f.Close(), os.Remove(f.Name()))
	}
	s.runs, s.blocks, s.recs = nil, nil, nil
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("run sort: remove runs: %w", err)
	}
	return nil
}

// runIter reads the records of a runSort in order.
type runIter struct {
	mem     *runSort // the sort, when its records stayed in memory
	memAt   int      // the next of them
	merging bool     // the records are in runs, merged through heap
	heap    runRecHeap
	started bool
}

// next returns the next record, valid until the following call; ok is
// false at the end.
func (it *runIter) next() (rec []byte, ok bool, err error) {
	if !it.merging {
		if it.mem == nil || it.memAt == len(it.mem.recs) {
			return nil, false, nil
		}
		it.memAt++
		return it.mem.rec(it.mem.recs[it.memAt-1]), true, nil
	}
	// The head was handed out by the previous call: advance it first.
	if it.started && len(it.heap.rs) > 0 {
		r := it.heap.rs[0]
		ok, err := r.next()
		if err != nil {
			return nil, false, err
		}
		if ok {
			heap.Fix(&it.heap, 0)
		} else {
			heap.Pop(&it.heap)
		}
	}
	it.started = true
	if len(it.heap.rs) == 0 {
		return nil, false, nil
	}
	return it.heap.rs[0].rec, true, nil
}

// each calls fn with every record left, in order, and checks ctx every
// 1,024 records: the loop of every reader of a sort but the load's
// cursors. fn's record is valid only during the call; its error stops
// the loop.
func (it *runIter) each(ctx context.Context, fn func(rec []byte) error) error {
	for i := 0; ; i++ {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec, ok, err := it.next()
		if err != nil || !ok {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
}

// runRecReader reads one run a record at a time.
type runRecReader struct {
	r     *bufio.Reader
	rec   []byte
	order int // the run's place, so that equal records keep the order they were added in
}

func (r *runRecReader) next() (bool, error) {
	n, err := binary.ReadUvarint(r.r)
	if errors.Is(err, io.EOF) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("run sort: read run: %w", err)
	}
	if uint64(cap(r.rec)) < n {
		r.rec = make([]byte, n)
	}
	r.rec = r.rec[:n]
	if _, err := io.ReadFull(r.r, r.rec); err != nil {
		return false, fmt.Errorf("run sort: read run: %w", err)
	}
	return true, nil
}

type runRecHeap struct {
	rs  []*runRecReader
	cmp func(a, b []byte) int
}

func (h runRecHeap) Len() int { return len(h.rs) }
func (h runRecHeap) Less(i, j int) bool {
	if c := h.cmp(h.rs[i].rec, h.rs[j].rec); c != 0 {
		return c < 0
	}
	return h.rs[i].order < h.rs[j].order
}
func (h runRecHeap) Swap(i, j int) { h.rs[i], h.rs[j] = h.rs[j], h.rs[i] }
func (h *runRecHeap) Push(x any)   { h.rs = append(h.rs, x.(*runRecReader)) }
func (h *runRecHeap) Pop() any {
	r := h.rs[len(h.rs)-1]
	h.rs = h.rs[:len(h.rs)-1]
	return r
}
