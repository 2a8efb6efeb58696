package graph

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ties-graph/ties/store"
)

func TestHeavyWeight(t *testing.T) {
	const workers = 3
	for _, tc := range []struct {
		field string
		args  map[string]any
		want  int64
	}{
		{"entity", nil, 0},
		{"search", nil, 0},
		{"path", nil, 0},
		{"neighborhood", nil, 0},
		{"neighborhood", map[string]any{"depth": int64(2), "limit": int64(2000)}, 0},
		{"neighborhood", map[string]any{"depth": int64(3)}, 1},
		{"neighborhood", map[string]any{"limit": float64(5000)}, 1},
		{"paths", nil, 1},
		{"allPaths", nil, 1},
		{"components", nil, 1},
		{"centrality", nil, 1},
		{"centrality", map[string]any{"measure": "DEGREE"}, 1},
		{"centrality", map[string]any{"measure": "BETWEENNESS"}, workers},
		{"centrality", map[string]any{"measure": "PAGERANK"}, workers},
	} {
		if got := heavyWeight(tc.field, tc.args, workers); got != tc.want {
			t.Errorf("%s %v: weight %d, want %d", tc.field, tc.args, got, tc.want)
		}
	}
}

// TestAdmissionQueue: with one worker and room for one waiter, a second
// expensive query waits for the first, a third is refused at once with
// BUSY, and a waiter whose request times out gives up its place.
func TestAdmissionQueue(t *testing.T) {
	a := newAdmission(1, 1)
	ctx := context.Background()
	if err := a.acquire(ctx, 1); err != nil {
		t.Fatal(err)
	}
	admitted := make(chan error, 1)
	go func() { admitted <- a.acquire(ctx, 1) }()
	for a.waiting.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	if err := a.acquire(ctx, 1); store.ErrorCode(err) != store.Busy {
		t.Fatalf("third query: got %v, want BUSY", err)
	}
	select {
	case err := <-admitted:
		t.Fatalf("the waiter was admitted while the worker was busy: %v", err)
	default:
	}
	a.sem.Release(1)
	if err := <-admitted; err != nil {
		t.Fatalf("waiter: %v", err)
	}
	// The worker is taken again: a waiter that runs out of time leaves the
	// queue with a timeout, and the queue has room again.
	tctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := a.acquire(tctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("timed-out waiter: got %v, want a deadline error", err)
	}
	if got := a.waiting.Load(); got != 0 {
		t.Errorf("%d still waiting after the timeout", got)
	}
	a.sem.Release(1)
	if err := a.acquire(ctx, 1); err != nil {
		t.Fatalf("after release: %v", err)
	}
}
