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
	retention := db.opts.HistoryRetention
	if retention < 0 {
		return
	}
	if retention == 0 {
		retention = DefaultHistoryRetention
	}
	db.discardMu.Lock()
	defer db.discardMu.Unlock()
	ts := TsOf(now.Add(-retention))
	ts = min(ts, db.lastCommit.Load())
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
