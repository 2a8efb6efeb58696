package pgkv

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// commitListener turns the NotifyChannel notifications of every process's
// commits into a signal, so that a follower of the change log wakes as
// soon as another service commits instead of at its next poll. It holds
// one connection of the pool, LISTENing, from the first call to
// CommitSignal until Close.
type commitListener struct {
	once   sync.Once
	cancel context.CancelFunc
	done   chan struct{}

	mu   sync.Mutex
	next chan struct{} // closed at the next notification
}

// CommitSignal returns a channel that is closed when any process's next
// commit is notified. It starts listening on first use; while the listener
// is not connected (the server restarting, a failover), no signal comes,
// and followers fall back to polling.
func (db *DB) CommitSignal() <-chan struct{} {
	l := &db.listener
	l.once.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		l.mu.Lock()
		l.cancel, l.done = cancel, make(chan struct{})
		l.next = make(chan struct{})
		l.mu.Unlock()
		go l.run(ctx, db.pool, db)
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.next
}

// fire wakes everyone waiting on the current signal and arms the next.
func (l *commitListener) fire() {
	l.mu.Lock()
	close(l.next)
	l.next = make(chan struct{})
	l.mu.Unlock()
}

// run listens until ctx ends, reconnecting after a second when the
// connection is lost. A reconnect fires once, since commits may have
// been missed meanwhile.
func (l *commitListener) run(ctx context.Context, pool *pgxpool.Pool, db *DB) {
	defer close(l.done)
	for ctx.Err() == nil {
		err := l.listen(ctx, pool)
		if ctx.Err() != nil {
			return
		}
		db.log.Debug("commit listener lost its connection; reconnecting", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (l *commitListener) listen(ctx context.Context, pool *pgxpool.Pool) error {
	pc, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// A connection that LISTENed is not given back to the pool: its
	// session would keep the subscription.
	conn := pc.Hijack()
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+NotifyChannel); err != nil {
		return err
	}
	l.fire()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		l.fire()
	}
}

// stop ends the listener, if it was started, and waits for it.
func (l *commitListener) stop() {
	l.mu.Lock()
	cancel, done := l.cancel, l.done
	l.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}
