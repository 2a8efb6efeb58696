package store

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/ties-graph/ties/store/kv"
)

// This file holds how the read cache stays right when other processes
// commit to the same backend (cacheSync, below).

// cacheSync keeps the read cache correct on a backend that other
// processes write too. The cache's own rule (readCache) covers this
// process's writers, which forget their keys before committing. Another
// process's commits are learnt of when a reader begins at a snapshot newer
// than any the cache has caught up with: before it reads anything, the
// keys changed since (kv.Changes) are forgotten, as a writer would have,
// and the cache moves on to that snapshot, so that a slower reader of an
// older one can no longer add an entry. Readers of snapshots already
// caught up with pay nothing.
type cacheSync struct {
	changes kv.Changes
	mu      sync.Mutex    // one catch-up at a time
	synced  atomic.Uint64 // every commit up to here has been forgotten
}

// catchUp forgets what the commits after the last catch-up and up to ts
// changed.
func (s *Store) catchUp(ctx context.Context, ts uint64) error {
	cs := s.sync
	if cs == nil || ts <= cs.synced.Load() {
		return nil
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	since := cs.synced.Load()
	if ts <= since {
		return nil
	}
	s.cache.begin(false)
	err := cs.changes.ChangedKeys(ctx, since, ts, func(key []byte) error {
		s.cache.forget(string(key))
		return nil
	})
	if err != nil {
		s.cache.end(0)
		return fmt.Errorf("catch up with other processes' writes: %w", err)
	}
	s.cache.end(ts)
	cs.synced.Store(ts)
	return nil
}
