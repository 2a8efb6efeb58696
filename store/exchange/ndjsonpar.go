package exchange

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/ties-graph/ties/store"
)

// Decoding NDJSON lines was the first pass of a bulk load's bottleneck:
// about three times the work the load does with a record once decoded.
// Lines are independent, so decodeNDJSON splits the work: one goroutine
// reads lines in batches, a few decode batches side by side, and the
// caller's goroutine takes the batches back in the order they were read,
// counting errors and yielding records exactly as a single loop would
// (same records, same lines, same errors in the same order, the same stop
// at the error limit). Batches in flight are bounded, so memory is too,
// and a batch whose records have been yielded is reused: allocating and
// growing each batch's text afresh cost as much as reading the lines.

// lineBatch is a run of consecutive lines of the input and, once decoded,
// what each gave.
type lineBatch struct {
	text    []byte  // the lines' bytes, one after the other
	ends    []int   // end of each line in text
	nums    []int64 // line number of each
	tooLong []bool  // the line was over the limit (its text is empty)
	// end, when set, is what ended the input after these lines: a read
	// failure to report (endErr) or the context's error (ctxErr).
	endErr *store.Error
	ctxErr error

	out  []lineResult
	done chan struct{} // closed once out is filled
}

// lineResult is what one line gave: a record or an error.
type lineResult struct {
	rec store.Record
	err *store.Error
}

const (
	linesPerBatch = 512
	// batchesAhead bounds the batches read and not yet yielded.
	batchesAhead = 8
)

// decodeNDJSON reads canonical NDJSON: one record object per line; blank
// lines are skipped.
func decodeNDJSON(ctx context.Context, r io.Reader, name string, opts DecodeOptions, errs *errorList, yield func(store.Record) error) error {
	workers := min(runtime.GOMAXPROCS(0), 4)
	ordered := make(chan *lineBatch, batchesAhead)
	work := make(chan *lineBatch, batchesAhead)
	// free holds batches done with; it has room for all there can be, so
	// that handing one back never waits.
	free := make(chan *lineBatch, 2*batchesAhead+workers+2)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(ordered)
		defer close(work)
		readLineBatches(ctx, newLineReader(r, opts.maxLine()), name, ordered, work, free, stop)
	})
	for range workers {
		wg.Go(func() {
			m := make(map[string]json.RawMessage, 16) // the members of a line, reused
			for b := range work {
				b.decode(name, opts.maxLine(), m)
			}
		})
	}
	err := yieldBatches(ordered, free, errs, yield)
	close(stop)
	// The reader and the decoders must be done with r before the caller
	// closes it; what they still hold is dropped.
	for range ordered {
	}
	wg.Wait()
	return err
}

// readLineBatches reads lines into batches and sends each to ordered (for
// the order) and to work (to be decoded), until the input ends or stop is
// closed. It takes batches from free before making new ones.
func readLineBatches(ctx context.Context, lr *lineReader, name string, ordered, work chan<- *lineBatch, free <-chan *lineBatch, stop <-chan struct{}) {
	b := reuseLineBatch(free)
	send := func() bool {
		select {
		case ordered <- b:
		case <-stop:
			return false
		}
		select {
		case work <- b:
		case <-stop:
			close(b.done) // not decoded: the consumer has stopped anyway
			return false
		}
		b = reuseLineBatch(free)
		return true
	}
	for {
		if lr.line%1024 == 0 {
			if err := ctx.Err(); err != nil {
				b.ctxErr = err
				send()
				return
			}
		}
		line, tooLong, err := lr.next()
		if errors.Is(err, io.EOF) {
			send()
			return
		}
		if err != nil {
			b.endErr = readFailure(name, lr.line, err)
			send()
			return
		}
		if !tooLong && len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		b.text = append(b.text, line...)
		b.ends = append(b.ends, len(b.text))
		b.nums = append(b.nums, lr.line)
		b.tooLong = append(b.tooLong, tooLong)
		if len(b.nums) == linesPerBatch && !send() {
			return
		}
	}
}

// reuseLineBatch returns a batch of free emptied, or a new one.
func reuseLineBatch(free <-chan *lineBatch) *lineBatch {
	select {
	case b := <-free:
		clear(b.out) // the records yielded, not to be kept alive
		*b = lineBatch{
			text: b.text[:0], ends: b.ends[:0], nums: b.nums[:0], tooLong: b.tooLong[:0],
			out: b.out[:0], done: make(chan struct{}),
		}
		return b
	default:
		return newLineBatch()
	}
}

func newLineBatch() *lineBatch {
	return &lineBatch{
		ends: make([]int, 0, linesPerBatch), nums: make([]int64, 0, linesPerBatch),
		tooLong: make([]bool, 0, linesPerBatch), done: make(chan struct{}),
	}
}

// decode fills b.out, reusing m for the members of each line; max is the
// longest line allowed.
func (b *lineBatch) decode(name string, max int, m map[string]json.RawMessage) {
	defer close(b.done)
	if cap(b.out) >= len(b.nums) {
		b.out = b.out[:len(b.nums)]
	} else {
		b.out = make([]lineResult, len(b.nums))
	}
	start := 0
	for i, end := range b.ends {
		line := b.text[start:end]
		start = end
		if b.tooLong[i] {
			b.out[i].err = store.FieldError(fmt.Sprintf("%s:%d", name, b.nums[i]), "", "line longer than %d bytes", max)
			continue
		}
		b.out[i].rec, b.out[i].err = decodeLine(line, name, b.nums[i], m)
	}
}

// yieldBatches takes the batches in the order they were read and reports
// their records and errors in that order, as a single loop over the lines
// would, and hands each batch it has done with to free. It returns nil at
// the end of the input or at the error limit, and yield's error or the
// context's otherwise.
func yieldBatches(ordered <-chan *lineBatch, free chan<- *lineBatch, errs *errorList, yield func(store.Record) error) error {
	for b := range ordered {
		<-b.done
		for _, res := range b.out {
			if res.err != nil {
				if errs.add(res.err) {
					return nil
				}
				continue
			}
			if err := yield(res.rec); err != nil {
				return err
			}
		}
		if b.ctxErr != nil {
			return b.ctxErr
		}
		if b.endErr != nil {
			errs.add(b.endErr)
			return nil
		}
		// The decoders copied what the records keep of the text.
		select {
		case free <- b:
		default:
		}
	}
	return nil
}
