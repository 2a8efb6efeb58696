package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// This file holds the admission of writes: the gate that refuses a
// mutation with Busy while a bulk load holds the writer, and the pause of
// every write when the disk is nearly full.

// BusyRetryAfter is how long a client refused with Busy is told to wait
// before it tries again.
const BusyRetryAfter = 5 * time.Second

// loadGate tells mutations that a bulk load holds, or is about to take,
// the single writer slot. A load may hold it for minutes; a mutation that
// queued behind it would time out with nothing to show for it, so it is
// refused at once with a Busy error and a time to retry, and commits
// before the load begins or after it ends, never inside it.
type loadGate struct {
	mu       sync.Mutex
	running  int       // loads announced and not yet finished
	source   string    // of the newest such load, for the message
	since    time.Time // when it was announced
	announce chan struct{}
}

var errLoadBegan = errors.New("a bulk load began")

// begin announces a load of source; the returned function ends it. Every
// mutation still waiting for the writer is told to give up.
func (g *loadGate) begin(source string) func() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.running++
	g.source, g.since = source, time.Now()
	if g.announce != nil {
		close(g.announce)
		g.announce = nil
	}
	return func() {
		g.mu.Lock()
		g.running--
		g.mu.Unlock()
	}
}

// busy returns the Busy error while a load runs, else nil.
func (g *loadGate) busy() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.busyLocked()
}

func (g *loadGate) busyLocked() error {
	if g.running == 0 {
		return nil
	}
	src := g.source
	if src == "" {
		src = "a bulk import"
	}
	return &Error{Code: Busy, Message: fmt.Sprintf(
		"%s has been loading since %s and holds the writer; mutations are refused until it finishes: retry in a few seconds",
		src, g.since.UTC().Format(time.RFC3339))}
}

// waitFor returns a context for taking the writer slot that ends when a
// load is announced, so that a mutation queued behind the writer does not
// wait out a whole load, and stop, to call once the slot is taken. It
// returns the Busy error instead when a load already runs.
func (g *loadGate) waitFor(ctx context.Context) (context.Context, func(), error) {
	g.mu.Lock()
	if err := g.busyLocked(); err != nil {
		g.mu.Unlock()
		return nil, nil, err
	}
	if g.announce == nil {
		g.announce = make(chan struct{})
	}
	ch := g.announce
	g.mu.Unlock()
	wctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	go func() {
		select {
		case <-ch:
			cancel(errLoadBegan)
		case <-done:
		}
	}()
	return wctx, func() { close(done) }, nil
}

// refusedForLoad turns the error of taking the writer slot into Busy when
// a load began while the mutation waited.
func (g *loadGate) refusedForLoad(wctx context.Context, err error) error {
	if err != nil && errors.Is(context.Cause(wctx), errLoadBegan) {
		if b := g.busy(); b != nil {
			return b
		}
		return &Error{Code: Busy, Message: "a bulk import took the writer; retry in a few seconds"}
	}
	return err
}

// writePause holds why writes are paused, or nil when they are not.
type writePause struct {
	reason atomic.Pointer[Error]
}

// PauseWrites makes every Apply and Load fail with an Unavailable error
// carrying message, until ResumeWrites; reads go on. A service pauses
// writes when the disk under its data directory is nearly full: badger
// crashes the process (SIGBUS on a memory-mapped file) when a write finds
// no space, and a paused store refuses the write with a message instead.
func (s *Store) PauseWrites(message string) {
	s.pause.reason.Store(&Error{Code: Unavailable, Message: message})
}

// ResumeWrites ends a PauseWrites.
func (s *Store) ResumeWrites() { s.pause.reason.Store(nil) }

// WritesPaused returns the error writes fail with while paused, or while
// Options.SpaceCheck finds too little room on the disk; nil otherwise.
func (s *Store) WritesPaused() error {
	if e := s.pause.reason.Load(); e != nil {
		return e
	}
	return s.CheckSpace()
}

// CheckSpace returns Options.SpaceCheck's verdict: an error when the disk
// has too little room to write, nil when it has or nothing checks. Code
// that writes into the data directory beside the store (an upload being
// spooled) asks it as it goes.
func (s *Store) CheckSpace() error {
	if s.opts.SpaceCheck == nil {
		return nil
	}
	return s.opts.SpaceCheck()
}
