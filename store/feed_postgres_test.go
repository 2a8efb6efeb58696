package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestFollowAcrossProcesses follows the change feed through each of two
// stores over one PostgreSQL database, as two services would, while both
// write: each follower sees every change of either, exactly once, in the
// order of the log.
func TestFollowAcrossProcesses(t *testing.T) {
	a, b := openPostgresPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	mustApply(t, a, twinCities())
	start, err := a.Changes(ctx, ChangeFilter{First: new(MaxChangesFirst)})
	if err != nil {
		t.Fatal(err)
	}
	since := start.Through
	const writes = 20
	got := make([][]string, 2)
	var wg sync.WaitGroup
	for i, s := range []*Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fctx, stop := context.WithCancel(ctx)
			defer stop()
			err := s.Follow(fctx, ChangeFilter{Since: since}, func(c Change) error {
				got[i] = append(got[i], c.Cursor())
				if len(got[i]) == 2*writes {
					stop()
				}
				return nil
			})
			if len(got[i]) != 2*writes {
				t.Errorf("follower %d: %d changes of %d: %v", i, len(got[i]), 2*writes, err)
			}
		}()
	}
	var ww sync.WaitGroup
	for i, s := range []*Store{a, b} {
		ww.Add(1)
		go func() {
			defer ww.Done()
			for j := range writes {
				if _, err := s.Apply(ctx, Batch{Entities: []Entity{{ID: fmt.Sprintf("p%d-%d", i, j), Type: "City", Name: "P"}}}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	ww.Wait()
	wg.Wait()
	want, err := b.Changes(ctx, ChangeFilter{Since: since, First: new(MaxChangesFirst)})
	if err != nil {
		t.Fatal(err)
	}
	var cursors []string
	for _, c := range want.Changes {
		cursors = append(cursors, c.Cursor())
	}
	for i := range got {
		if strings.Join(got[i], " ") != strings.Join(cursors, " ") {
			t.Errorf("follower %d:\ngot  %v\nwant %v", i, got[i], cursors)
		}
	}
}
