package badgerkv

import (
	"errors"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// maintain runs until Close: it moves badger's discard timestamp to the
// retention horizon, so that compaction may drop versions nobody may read
// any more, and offers the value log for garbage collection.
func (db *DB) maintain() {
	defer db.bg.Done()
	every := db.opts.GCInterval
	if every <= 0 {
		every = DefaultGCInterval
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		db.advanceDiscardTs(time.Now())
		db.collectValueLog()
		select {
		case <-db.closing:
			return
		case <-t.C:
		}
	}
}

// advanceDiscardTs sets badger's discard timestamp to the retention horizon
// as of now. It never passes the last commit, nor the read timestamp of a
// batch in progress, whose rollback needs the versions before it.
func (db *DB) advanceDiscardTs(now time.Time) {
	db.discardMu.Lock()
	defer db.discardMu.Unlock()
	ts := db.horizon(now)
	if p := db.state.pendingTs(); p != 0 {
		ts = min(ts, p-1)
	}
	if ts <= db.discardTs {
		return
	}
	db.discardTs = ts
	db.bdb.SetDiscardTs(ts)
	if err := db.state.prune(ts); err != nil {
		db.log.Warn("prune rolled-back batch ranges", "err", err)
	}
}

// Horizon returns the oldest read timestamp that reads history completely
// as of now: the retention horizon, never past the last commit (nothing
// changed after it, so a read there is still exact). Versions that a read
// below it needs may have been compacted away, by this process or by an
// earlier one with the same retention. It is 0 when history is kept
// forever.
func (db *DB) Horizon() uint64 {
	return db.horizon(time.Now())
}

// horizon is Horizon at the given now; the discard timestamp never passes
// it.
func (db *DB) horizon(now time.Time) uint64 {
	retention := db.opts.HistoryRetention
	if retention < 0 {
		return 0
	}
	if retention == 0 {
		retention = DefaultHistoryRetention
	}
	return min(TsOf(now.Add(-retention)), db.lastCommit.Load())
}

// collectValueLog rewrites value-log files that are mostly garbage, a few
// at a time, so that one pass never runs long.
func (db *DB) collectValueLog() {
	if db.opts.InMemory {
		return
	}
	for range 4 {
		err := db.bdb.RunValueLogGC(0.5)
		if errors.Is(err, badger.ErrNoRewrite) || errors.Is(err, badger.ErrRejected) {
			return
		}
		if err != nil {
			db.log.Warn("value log garbage collection", "err", err)
			return
		}
	}
}
