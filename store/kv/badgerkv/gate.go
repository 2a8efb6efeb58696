package badgerkv

import (
	"sync"
	"time"
)

// gate counts the transactions, batches and backups in progress so that
// Close can wait for them, and refuses new ones once closing. (A WaitGroup
// would not do: its Add may not race with a Wait that found it at zero.)
type gate struct {
	mu     sync.Mutex
	n      int
	closed bool
	idle   chan struct{} // closed when closed and n is 0
}

// enter registers one more operation; it reports false after close.
func (g *gate) enter() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.n++
	return true
}

// leave ends an operation registered by enter.
func (g *gate) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n--
	if g.n == 0 && g.closed {
		close(g.idle)
	}
}

// isClosed reports whether close has been called.
func (g *gate) isClosed() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closed
}

// close refuses new operations and waits up to patience for the open ones
// to end; it reports whether they all did.
func (g *gate) close(patience time.Duration) bool {
	g.mu.Lock()
	g.closed = true
	g.idle = make(chan struct{})
	if g.n == 0 {
		close(g.idle)
	}
	idle := g.idle
	g.mu.Unlock()
	select {
	case <-idle:
		return true
	case <-time.After(patience):
		return false
	}
}
