package badgerkv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"

	"github.com/ties-graph/ties/store/kv"
)

// ErrLocked reports that another process has the data directory open.
// Open wraps it; test with errors.Is. It is kv.ErrLocked, so that callers
// need not name the backend.
var ErrLocked = kv.ErrLocked

// ErrUnfinishedRestore reports that a Restore into the directory began
// and did not finish (it failed part-way, or the process was killed): the
// directory holds part of a backup, which no Open serves. Delete it and
// restore again.
var ErrUnfinishedRestore = errors.New("a restore into this directory did not finish: delete the directory and restore again")

// Defaults of Options, sized for a machine with a few cores and tens of
// gigabytes of memory.
const (
	// DefaultHistoryRetention is how long old versions stay readable when
	// no Options.HistoryRetention was ever given for a data directory.
	DefaultHistoryRetention = 30 * 24 * time.Hour
	// DefaultMemTableSize bounds one memtable; badger lets a transaction
	// write about 15% of it. Badger keeps up to numMemtables of them, and
	// builds a table from one in a buffer of twice its size.
	DefaultMemTableSize = 64 << 20
	// DefaultBlockCacheSize is the cache of table blocks read (and
	// decompressed, where they are compressed). The
	// store's own read cache keeps what reads fetch most, decoded; this
	// one serves the rest.
	DefaultBlockCacheSize = 256 << 20
	// DefaultValueThreshold keeps entity and relation bodies inside the
	// LSM tree (one read, no value-log GC) and sends only large values to
	// the value log.
	DefaultValueThreshold = 4 << 10
	// DefaultGCInterval is how often the retention horizon moves and the
	// value log is offered for garbage collection.
	DefaultGCInterval = time.Minute
)

// numMemtables is how many memtables badger keeps (the one written and
// those waiting to become tables) before it makes writes wait: enough for
// bursts, without holding five of them as badger's default does.
const numMemtables = 3

// Options configure Open.
type Options struct {
	// Dir is the data directory, created if needed. Ignored with InMemory.
	Dir string
	// InMemory keeps everything in memory (tests, benchmarks).
	InMemory bool
	// SyncWrites makes every commit durable before it returns.
	SyncWrites bool
	// ReadOnly opens without write access; another read-only process may
	// share the directory, a writer may not.
	ReadOnly bool
	// HistoryRetention is how long superseded versions stay readable at
	// old read timestamps; a negative value keeps history forever. The
	// data directory remembers the last one given, and 0 means that one
	// (DefaultHistoryRetention when none ever was): a process that does not
	// care, such as an offline import, must not discard history another
	// kept on purpose.
	HistoryRetention time.Duration
	// LogKey returns the key of the change-log record of the commit at ts.
	// Commit and Flush write the record given to SetLog there. A store
	// without LogKey refuses SetLog records at commit.
	LogKey func(ts uint64) []byte
	// Logger receives badger's warnings and errors, and the backend's own
	// events; nil discards them.
	Logger *slog.Logger

	// MemTableSize overrides DefaultMemTableSize (64 MiB in memory). It
	// also sets the largest transaction: about 15% of it.
	MemTableSize int64
	// BlockCacheSize overrides DefaultBlockCacheSize on disk.
	BlockCacheSize int64
	// ValueThreshold overrides DefaultValueThreshold on disk. In memory
	// every value stays in the LSM tree.
	ValueThreshold int64
	// GCInterval overrides DefaultGCInterval. A negative value turns the
	// background work off: history is then kept whatever the retention,
	// and the value log is never collected.
	GCInterval time.Duration
	// Compression is how the blocks of new tables are stored on disk;
	// the zero value means DefaultCompression. In memory nothing is
	// compressed.
	Compression Compression
}

// DB is a kv.Store over badger in managed mode. It is safe for concurrent
// use.
type DB struct {
	bdb      *badger.DB
	opts     Options
	log      *slog.Logger
	clock    clock
	maxBatch int64 // what one badger transaction may write
	// valueThreshold is the size from which badger keeps a value in the
	// value log rather than in the LSM tree.
	valueThreshold int64
	maxValue       int64

	// lastCommit is the newest finished commit: the read timestamp of new
	// transactions.
	lastCommit atomic.Uint64
	// commitMu is held by a transaction's commit from taking its
	// timestamp until lastCommit has moved to it, so that a read at a
	// timestamp past lastCommit can wait for the commit in flight.
	commitMu sync.Mutex
	// writer is the single writer slot, held from Begin (or NewBatch) to
	// the end of the transaction.
	writer chan struct{}

	// state holds the batch in progress and the timestamp ranges of
	// batches that were rolled back.
	state state
	// broken is set when a failed batch could not be rolled back: writing
	// more would make its partial data visible.
	broken atomic.Pointer[error]

	discardMu sync.Mutex
	discardTs uint64 // the last discard timestamp given to badger

	closeOnce sync.Once
	closing   chan struct{}
	active    gate           // open transactions, batches and backups
	bg        sync.WaitGroup // background goroutines

	// failFlush, when set by a test, replaces the outcome of a batch's
	// badger flush, to exercise the rollback.
	failFlush func() error
	// committed, when set by a test, runs after badger has a
	// transaction's commit and before it becomes readable.
	committed func()
}

var (
	_ kv.Store    = (*DB)(nil)
	_ kv.Backuper = (*DB)(nil)
)

// Open opens (creating if needed) the badger store in opts.Dir, or in
// memory. It returns an error wrapping ErrLocked when another process has
// the directory open.
func Open(opts Options) (*DB, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if !opts.InMemory && opts.Dir == "" {
		return nil, errors.New("open badger: no directory given")
	}
	bo, err := badgerOptions(opts, log)
	if err != nil {
		return nil, fmt.Errorf("open badger: %w", err)
	}
	bdb, err := badger.OpenManaged(bo)
	if err != nil && opts.ReadOnly && strings.Contains(err.Error(), badger.ErrTruncateNeeded.Error()) {
		// A writer that was killed leaves its write-ahead log unfinished,
		// and badger replays it only when it may also truncate it: every
		// read-only Open after a crash (ties check, ties export) would
		// fail until a writer had opened the directory. Recover as that
		// writer would (replay, truncate, roll back a pending batch),
		// then open for reading.
		log.Warn("recovering a data directory left by a crash before opening it read-only", "dir", opts.Dir)
		if rerr := recoverForReading(opts); errors.Is(rerr, ErrUnfinishedRestore) {
			return nil, rerr
		} else if rerr != nil {
			return nil, fmt.Errorf("open badger in %s read-only: %w (recovering it first failed: %v)", opts.Dir, err, rerr)
		}
		bdb, err = badger.OpenManaged(bo)
	}
	if err != nil {
		if strings.Contains(err.Error(), "Cannot acquire directory lock") {
			return nil, fmt.Errorf("open badger in %s: %w (%v)", opts.Dir, ErrLocked, err)
		}
		return nil, fmt.Errorf("open badger in %s: %w", opts.Dir, err)
	}
	// In memory, badger refuses values above the threshold it started with.
	maxValue := bo.ValueLogFileSize
	if opts.InMemory {
		maxValue = bo.ValueThreshold
	}
	db := &DB{
		bdb:            bdb,
		opts:           opts,
		log:            log,
		clock:          clock{now: time.Now},
		maxBatch:       bo.MemTableSize * 15 / 100,
		valueThreshold: bo.ValueThreshold,
		maxValue:       maxValue,
		writer:         make(chan struct{}, 1),
		closing:        make(chan struct{}),
	}
	if !opts.InMemory && !opts.ReadOnly {
		if err := removeStaleSpills(opts.Dir); err != nil {
			bdb.Close()
			return nil, fmt.Errorf("open badger in %s: %w", opts.Dir, err)
		}
	}
	if !opts.InMemory {
		if err := db.state.load(opts.Dir); err != nil {
			bdb.Close()
			return nil, fmt.Errorf("open badger in %s: %w", opts.Dir, err)
		}
		if db.state.isRestoring() {
			bdb.Close()
			return nil, fmt.Errorf("open badger in %s: %w", opts.Dir, ErrUnfinishedRestore)
		}
	}
	if r, ok := db.state.historyRetention(); ok && opts.HistoryRetention == 0 {
		db.opts.HistoryRetention = r
	} else if opts.HistoryRetention != 0 && !opts.InMemory && !opts.ReadOnly {
		if err := db.state.setHistoryRetention(opts.HistoryRetention); err != nil {
			bdb.Close()
			return nil, fmt.Errorf("open badger in %s: %w", opts.Dir, err)
		}
	}
	max := bdb.MaxVersion()
	db.clock.observe(max)
	if p := db.state.pendingTs(); opts.ReadOnly && p != 0 && max == p {
		// A crashed batch that only a writer can roll back: read below it.
		max = p - 1
	}
	db.lastCommit.Store(max)
	if !opts.ReadOnly {
		if err := db.recoverBatch(); err != nil {
			bdb.Close()
			return nil, fmt.Errorf("open badger in %s: %w", opts.Dir, err)
		}
		if opts.GCInterval >= 0 {
			db.bg.Add(1)
			go db.maintain()
		}
	}
	return db, nil
}

// recoverForReading opens the directory of opts for writing and closes it
// again, which replays and truncates badger's write-ahead log and rolls
// back a batch a crash left pending, so that it can be opened read-only.
// It fails, changing nothing, while another process holds the directory.
func recoverForReading(opts Options) error {
	opts.ReadOnly = false
	opts.SyncWrites = true
	opts.HistoryRetention = 0 // keep what the directory remembers
	opts.GCInterval = -1
	db, err := Open(opts)
	if err != nil {
		return err
	}
	return db.Close()
}

// badgerOptions translates Options into badger's, with the managed-mode
// settings this package depends on.
func badgerOptions(opts Options, log *slog.Logger) (badger.Options, error) {
	compression, err := opts.Compression.badgerCompression()
	if err != nil {
		return badger.Options{}, err
	}
	var bo badger.Options
	if opts.InMemory {
		bo = badger.DefaultOptions("").WithInMemory(true)
		bo.MemTableSize = 64 << 20
		// Nothing to save by compressing memory we already hold, and no
		// cache needed without compression.
		bo.Compression = options.None
		bo.BlockCacheSize = 0
	} else {
		bo = badger.DefaultOptions(opts.Dir)
		bo.Compression = compression
		bo.MemTableSize = DefaultMemTableSize
		bo.BlockCacheSize = DefaultBlockCacheSize
		if opts.BlockCacheSize > 0 {
			bo.BlockCacheSize = opts.BlockCacheSize
		}
	}
	if opts.MemTableSize > 0 {
		bo.MemTableSize = opts.MemTableSize
	}
	maxBatch := bo.MemTableSize * 15 / 100
	if opts.InMemory {
		// In memory badger refuses values above the threshold, so raise it
		// as far as badger allows.
		bo.ValueThreshold = min(1<<20, maxBatch)
	} else {
		bo.ValueThreshold = DefaultValueThreshold
		if opts.ValueThreshold > 0 {
			bo.ValueThreshold = opts.ValueThreshold
		}
		bo.ValueThreshold = min(bo.ValueThreshold, maxBatch)
	}
	bo.SyncWrites = opts.SyncWrites
	bo.ReadOnly = opts.ReadOnly
	// History is the point of managed mode, and the discard timestamp is
	// what bounds it: compaction keeps every version above it and, of
	// those at or below it, the newest (what a read at the horizon sees).
	// That last rule is NumVersionsToKeep = 1. A larger value would keep
	// every superseded version forever whatever the retention, since
	// badger counts versions only below the discard timestamp.
	bo.NumVersionsToKeep = 1
	// Writers are serialized and read at the last finished commit, so no
	// two transactions ever overlap and conflicts cannot happen. With
	// detection on, badger would also keep every commit's key hashes until
	// the discard timestamp moves, which with history kept forever is
	// never.
	bo.DetectConflicts = false
	// Two cores: more compactors than cores only contend.
	bo.NumCompactors = 2
	bo.NumMemtables = numMemtables
	// Tables of the same size at every level. Badger doubles the size
	// level by level by default, and a compaction or a bulk stream builds
	// each table in memory at twice its size, many at once: deep levels'
	// 32-64 MiB tables made a 10-million-relation import peak at 7 GiB of
	// heap. The number of tables grows instead, which costs nothing that
	// matters: their indexes and bloom filters take the same memory in
	// total, and a level is searched by binary search over its tables.
	bo.TableSizeMultiplier = 1
	bo.NumGoroutines = 4
	bo.Logger = slogLogger{log}
	return bo, nil
}

// Begin starts a transaction. An update transaction waits for the writer
// slot (or ctx) and returns ctx's error if it gives up. It returns
// kv.ErrClosed after Close and kv.ErrReadOnly for an update on a read-only
// store.
func (db *DB) Begin(ctx context.Context, opts kv.TxnOptions) (kv.Txn, error) {
	if !opts.Update {
		if err := db.enter(); err != nil {
			return nil, err
		}
		readTs := db.readTs(opts.ReadTs)
		return &txn{db: db, bt: db.bdb.NewTransactionAt(readTs, false), readTs: readTs}, nil
	}
	if opts.ReadTs != 0 {
		return nil, errors.New("begin: an update transaction reads at the latest commit, not at ReadTs")
	}
	if err := db.acquireWriter(ctx); err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	readTs := db.lastCommit.Load()
	return &txn{db: db, bt: db.bdb.NewTransactionAt(readTs, true), readTs: readTs, update: true}, nil
}

// readTs returns the timestamp a read transaction asking for want reads
// at: the last finished commit, or want if older, moved below any batch
// that was rolled back around it.
//
// A read at a time past the last finished commit (an asOf of a moment
// ago) must give the same answer when repeated. So it waits for a commit
// that has taken a timestamp at or below want and is still being written,
// and moves the clock past want, so that no later commit takes such a
// timestamp. A want beyond the present is not held to that: the future is
// not recorded yet. Nor is a bulk batch, whose timestamp is taken when it
// begins (see NewBatch).
func (db *DB) readTs(want uint64) uint64 {
	last := db.lastCommit.Load()
	if want == 0 {
		return last
	}
	if want > last {
		db.commitMu.Lock()
		if want <= ReadTsAt(db.clock.now()) {
			db.clock.observe(want)
		}
		last = db.lastCommit.Load()
		db.commitMu.Unlock()
		if want > last {
			return last
		}
	}
	return db.state.below(want)
}

// enter registers an open transaction, or fails after Close.
func (db *DB) enter() error {
	if !db.active.enter() {
		return kv.ErrClosed
	}
	return nil
}

// acquireWriter takes the writer slot and registers an open transaction.
func (db *DB) acquireWriter(ctx context.Context) error {
	if db.opts.ReadOnly {
		return kv.ErrReadOnly
	}
	if err := db.enter(); err != nil {
		return err
	}
	select {
	case db.writer <- struct{}{}:
	case <-ctx.Done():
		db.active.leave()
		return ctx.Err()
	case <-db.closing:
		db.active.leave()
		return kv.ErrClosed
	}
	if p := db.broken.Load(); p != nil {
		db.releaseWriter()
		return *p
	}
	return nil
}

func (db *DB) releaseWriter() {
	<-db.writer
	db.active.leave()
}

// LastCommit returns the timestamp of the newest finished commit.
func (db *DB) LastCommit() uint64 { return db.lastCommit.Load() }

// Features describes the badger backend and its limits.
func (db *DB) Features() kv.Features {
	return kv.Features{
		Name:           "badger",
		VersionedReads: true,
		MaxTxnBytes:    db.maxBatch,
		MaxKeyBytes:    65000,
		MaxValueBytes:  db.maxValue,
	}
}

// Close stops the background work, waits briefly for open transactions to
// end and closes badger. A second Close returns nil.
func (db *DB) Close() error {
	var err error
	db.closeOnce.Do(func() {
		close(db.closing)
		db.bg.Wait()
		if !db.active.close(10 * time.Second) {
			db.log.Warn("closing badger with transactions still open")
		}
		if cerr := db.bdb.Close(); cerr != nil {
			err = fmt.Errorf("close badger: %w", cerr)
		}
	})
	return err
}

// mapErr translates badger's errors into the kv vocabulary, wrapping
// anything else with what was being done.
func mapErr(what string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, badger.ErrKeyNotFound):
		return kv.ErrNotFound
	case errors.Is(err, badger.ErrConflict):
		return fmt.Errorf("%s: %w", what, kv.ErrConflict)
	case errors.Is(err, badger.ErrTxnTooBig):
		return fmt.Errorf("%s: %w", what, kv.ErrTooBig)
	case errors.Is(err, badger.ErrDBClosed), errors.Is(err, badger.ErrBlockedWrites):
		return fmt.Errorf("%s: %w", what, kv.ErrClosed)
	case errors.Is(err, badger.ErrReadOnlyTxn):
		return fmt.Errorf("%s: %w", what, kv.ErrReadOnly)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// slogLogger adapts badger's logger to slog. Badger's info and debug chatter
// (compactions, flushes) goes to Debug so that only warnings and errors
// show at the service's usual level.
type slogLogger struct{ log *slog.Logger }

func (l slogLogger) Errorf(f string, args ...any)   { l.emit(slog.LevelError, f, args) }
func (l slogLogger) Warningf(f string, args ...any) { l.emit(slog.LevelWarn, f, args) }
func (l slogLogger) Infof(f string, args ...any)    { l.emit(slog.LevelDebug, f, args) }
func (l slogLogger) Debugf(f string, args ...any)   { l.emit(slog.LevelDebug, f, args) }

func (l slogLogger) emit(level slog.Level, f string, args []any) {
	ctx := context.Background()
	if !l.log.Enabled(ctx, level) {
		return
	}
	l.log.Log(ctx, level, strings.TrimSpace(fmt.Sprintf(f, args...)), "component", "badger")
}
