package store

import (
	"context"
	"runtime"
)

// readAhead returns a RecordSource that runs src in a goroutine of its
// own, a few hundred records ahead of yield. A load is sequential but for
// this: decoding its input (NDJSON in the first pass, the spool's body
// codec in the second) took about a quarter of its CPU time, which the
// second core now spends while the loader validates and writes. Records
// reach yield in the order src gives them, each exactly once, with their
// lines as src set them, so nothing a load reports changes.
//
// The records in flight are bounded (aheadBatches batches of aheadBatch),
// so memory does not grow with the input. If yield fails, src is stopped
// through its context, and yield's error is returned; otherwise src's own
// error, after every record it yielded before it. Either way the goroutine
// has ended when the returned source returns, so src's state (errors it
// collected, files it opened) is the caller's again. Whatever src calls
// back (a progress function) runs on that goroutine.
func readAhead(src RecordSource) RecordSource { return readAheadTouching(src, nil) }

// readAheadTouching is readAhead calling touch, when not nil, with each
// batch of records before yield gets the first of them, on yield's
// goroutine: it reads what yield will look up for them (the second pass's
// endpoints in the table of entities), so that the cache misses of a
// batch overlap rather than come one after the other. Its result means
// nothing and is kept alive, so that the reads stay.
func readAheadTouching(src RecordSource, touch func([]Record) byte) RecordSource {
	return func(ctx context.Context, yield func(Record) error) error {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		full := make(chan []Record, aheadBatches)
		// Every batch is in free, in full, or held by one side: sends to
		// free never block.
		free := make(chan []Record, aheadBatches+2)
		for range aheadBatches + 2 {
			free <- make([]Record, 0, aheadBatch)
		}
		srcErr := make(chan error, 1)
		go func() {
			defer close(full)
			buf := <-free
			send := func() error {
				// Checked first: once the loader has stopped, select
				// would still pick a ready send now and then.
				if err := ctx.Err(); err != nil {
					return err
				}
				select {
				case full <- buf:
				case <-ctx.Done():
					return ctx.Err()
				}
				select {
				case buf = <-free:
				case <-ctx.Done():
					return ctx.Err()
				}
				return nil
			}
			err := src(ctx, func(r Record) error {
				buf = append(buf, r)
				if len(buf) < aheadBatch {
					return nil
				}
				return send()
			})
			// The records before an error count: a source reports the
			// problems of its input at the end, after every good record.
			if len(buf) > 0 {
				if serr := send(); err == nil {
					err = serr
				}
			}
			srcErr <- err
		}()
		var err error
		for b := range full {
			if err != nil {
				continue // drained, not handed back: the source stops
			}
			if touch != nil {
				runtime.KeepAlive(touch(b))
			}
			for i := 0; i < len(b) && err == nil; i++ {
				if err = yield(b[i]); err != nil {
					cancel()
				}
			}
			clear(b) // the records belong to the loader now
			free <- b[:0]
		}
		if serr := <-srcErr; err == nil {
			err = serr
		}
		return err
	}
}

const (
	aheadBatch   = 256 // records handed over at once: a channel operation per record would cost more than it saves
	aheadBatches = 4   // batches decoded ahead of the loader
)
