package store

import (
	"context"
	"errors"
	"testing"
)

// TestReadAhead checks that a source read ahead gives the same records in
// the same order, then its error, and stops when yield fails.
func TestReadAhead(t *testing.T) {
	counting := func(n int, end error) RecordSource {
		return func(ctx context.Context, yield func(Record) error) error {
			for i := 1; i <= n; i++ {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := yield(Record{Line: int64(i)}); err != nil {
					return err
				}
			}
			return end
		}
	}
	for _, n := range []int{0, 1, aheadBatch - 1, aheadBatch, aheadBatch*aheadBatches*3 + 7} {
		var got int64
		errEnd := errors.New("bad input")
		err := readAhead(counting(n, errEnd))(t.Context(), func(r Record) error {
			got++
			if r.Line != got {
				t.Fatalf("n=%d: record %d has line %d", n, got, r.Line)
			}
			return nil
		})
		if !errors.Is(err, errEnd) {
			t.Errorf("n=%d: err = %v, want %v", n, err, errEnd)
		}
		if got != int64(n) {
			t.Errorf("n=%d: got %d records", n, got)
		}
	}
	t.Run("YieldFails", func(t *testing.T) {
		stop := errors.New("stop")
		var got int
		produced := 0
		src := func(ctx context.Context, yield func(Record) error) error {
			for {
				produced++
				if err := yield(Record{}); err != nil {
					return err
				}
			}
		}
		err := readAhead(src)(t.Context(), func(Record) error {
			got++
			if got == 1000 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) {
			t.Errorf("err = %v, want %v", err, stop)
		}
		if got != 1000 {
			t.Errorf("yield called %d times after failing at 1000", got)
		}
		if limit := 1000 + (aheadBatches+2)*aheadBatch; produced > limit {
			t.Errorf("source made %d records, more than the %d it may run ahead", produced, limit)
		}
	})
	t.Run("Cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		var got int
		err := readAhead(counting(1<<20, nil))(ctx, func(Record) error {
			got++
			if got == 10 {
				cancel()
			}
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
}
