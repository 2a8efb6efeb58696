package store

import (
	"context"
	"sync"
	"time"
)

// commitSignal wakes the followers of the change feed when this process
// commits. A follower takes the channel before it reads the log, so that
// a commit made after its read closes the channel it then waits on: no
// commit is missed between reading and waiting.
type commitSignal struct {
	mu sync.Mutex
	ch chan struct{}
}

// wait returns a channel that is closed by the next commit.
func (c *commitSignal) wait() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ch == nil {
		c.ch = make(chan struct{})
	}
	return c.ch
}

// notify wakes every follower waiting. Called after every commit of this
// process (also after a failed one: a spurious wake-up costs one read).
func (c *commitSignal) notify() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ch != nil {
		close(c.ch)
		c.ch = nil
	}
}

// FollowPoll is how often a follower on a backend that several processes
// share (PostgreSQL) reads the change log for the other processes' commits,
// which no local commit announces.
const FollowPoll = 500 * time.Millisecond

// commitSignaler is implemented by backends that hear of every process's
// commits (pgkv, by LISTEN): a follower wakes at once at another service's
// commit, and polls only while the backend cannot listen.
type commitSignaler interface {
	CommitSignal() <-chan struct{}
}

// followPage is how many changes a follower reads at a time: its memory
// does not grow with how far behind it is.
const followPage = 256

// Follow calls fn with every change after f.Since that f selects, in
// commit order, exactly once: first the changes already committed, then
// each new commit's as it comes, until ctx ends (returning its error) or
// fn returns an error (returned as it is). f.Since "" follows from the
// newest commit on. Follow reads the change log itself, a page at a time,
// so a slow fn makes it fall behind, never buffer: a follower costs the
// same memory however far behind it is. It is woken by this process's
// commits, by other processes' where the backend signals them
// (commitSignaler), and on a backend other processes write too it also
// polls every FollowPoll, in case a signal was lost.
func (s *Store) Follow(ctx context.Context, f ChangeFilter, fn func(Change) error) error {
	if f.Since == "" {
		f.Since = formatCursor(s.db.LastCommit(), cursorAll)
	} else if _, _, err := parseCursor(f.Since, "since"); err != nil {
		return err
	}
	f.First = followPage
	var poll <-chan time.Time
	if s.db.Features().Distributed {
		t := time.NewTicker(FollowPoll)
		defer t.Stop()
		poll = t.C
	}
	signals, _ := s.db.(commitSignaler)
	for {
		woken := s.commits.wait()
		var remote <-chan struct{}
		if signals != nil {
			remote = signals.CommitSignal()
		}
		page, err := s.Changes(ctx, f)
		if err != nil {
			return err
		}
		for _, c := range page.Changes {
			if err := fn(c); err != nil {
				return err
			}
		}
		f.Since = page.Through
		if page.HasMore {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-woken:
		case <-remote:
		case <-poll:
		}
	}
}
