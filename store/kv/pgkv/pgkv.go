// Package pgkv is the PostgreSQL backend of the key-value boundary
// (package kv): the graph in a database that several Ties processes share,
// that replicates to standbys and that an operations team backs up with
// its usual tools.
//
// # Versions
//
// Every key keeps its history, as with badger: ties_kv holds each key's
// newest version with its commit timestamp, and a write moves the version
// it supersedes to ties_kv_history (see schema.go). A read transaction
// does not hold a PostgreSQL transaction open: it reads at a commit
// timestamp, and each of its queries takes from ties_kv the rows committed
// at or before it, and from the history the others' older versions. So a
// snapshot costs no server resources however long it lives, asOf reads
// work as on badger, and a page of a scan is one query on the primary key.
//
// # Writers and timestamps
//
// Writers are serialized across every process sharing the database: an
// update transaction or a batch is a PostgreSQL transaction that first
// locks the one row of ties_clock (SELECT ... FOR UPDATE). Its commit
// timestamp comes from that row and the server's clock, in the hybrid
// logical format of badgerkv (unix milliseconds shifted left 16 bits, plus
// a counter), so timestamps are ordered across processes whatever their
// local clocks, and a store copied between the backends keeps them. The
// timestamp is taken when the writer begins, under the lock, so commit
// order is timestamp order. Commit writes the new newest timestamp to
// ties_clock in the same transaction, and notifies "ties_commit" with it.
//
// A read transaction begins at the newest commit, which it reads from
// ties_clock (one round trip), so a write through one process is read
// through another at once. A read at an older timestamp needs no round
// trip; one past the newest commit reads at the newest, and since every
// later writer takes a larger timestamp, repeating it gives the same
// answer.
//
// Writes of an update transaction are buffered and sent to the server in
// one round trip before the transaction's next read and at commit; reads
// then go through the writer's own PostgreSQL transaction, which sees its
// writes. A batch sends its entries in chunks as they come, inside one
// PostgreSQL transaction, so it becomes visible all at once at commit.
package pgkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ties-graph/ties/store/kv"
)

// Options configure Open.
type Options struct {
	// URL is the connection string: postgres://user@host:port/db?..., or
	// several hosts (host1:5432,host2:5432) with
	// target_session_attrs=read-write to follow a failover.
	URL string
	// ReadOnly refuses writes and does not create or migrate the tables.
	ReadOnly bool
	// LogKey returns the key of the change-log record of the commit at ts,
	// as in badgerkv.
	LogKey func(ts uint64) []byte
	// Logger receives the backend's events; nil discards them.
	Logger *slog.Logger
	// MaxConns bounds the connection pool; 0 means pgxpool's default
	// (the larger of 4 and the number of CPUs).
	MaxConns int32
}

// commitTimeout bounds the end of a commit, which no caller can cancel.
const commitTimeout = 30 * time.Second

// NotifyChannel is the channel every commit notifies, with its timestamp
// in decimal as the payload.
const NotifyChannel = "ties_commit"

// DB is a kv.Store over PostgreSQL. It is safe for concurrent use, and any
// number of processes may open the same database.
type DB struct {
	pool *pgxpool.Pool
	opts Options
	log  *slog.Logger

	// lastCommit is the newest commit this process knows of; read
	// transactions refresh it from the database.
	lastCommit atomic.Uint64
	// writer is this process's writer slot: a writer waits here, not on
	// the row lock, so that waiting writers do not hold connections.
	writer chan struct{}

	mu     sync.Mutex
	closed bool
	active sync.WaitGroup

	// listener wakes followers of the change log at other processes'
	// commits (CommitSignal).
	listener commitListener
}

var (
	_ kv.Store    = (*DB)(nil)
	_ kv.Backuper = (*DB)(nil)
	_ kv.Changes  = (*DB)(nil)
)

// Open connects to the database in opts.URL, creating or migrating the
// tables when they are missing or older (see migrations). It returns an
// error wrapping ErrNewerSchema for tables made by a newer Ties, and one
// wrapping kv.ErrUnavailable when the server cannot be reached.
func Open(ctx context.Context, opts Options) (*DB, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "ties"
	// pgx prepares every statement, and after five runs PostgreSQL may
	// switch to a generic plan that ignores the bounds it is given: a
	// frontier scan then joined the prefixes to the whole table, taking
	// seconds instead of milliseconds. Planning each run costs far less.
	cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db := &DB{pool: pool, opts: opts, log: log, writer: make(chan struct{}, 1)}
	if err := migrate(ctx, pool, opts.ReadOnly); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres %s: %w", redact(cfg), err)
	}
	if _, err := db.refresh(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres %s: %w", redact(cfg), err)
	}
	return db, nil
}

// redact names the database for messages, without the password.
func redact(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	return fmt.Sprintf("%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}

// refresh reads the newest commit from the database and returns it.
func (db *DB) refresh(ctx context.Context) (uint64, error) {
	var last int64
	if err := db.pool.QueryRow(ctx, `SELECT last_ts FROM ties_clock`).Scan(&last); err != nil {
		return 0, mapErr("read the newest commit", err)
	}
	db.observe(uint64(last))
	return uint64(last), nil
}

// observe moves lastCommit forward to ts.
func (db *DB) observe(ts uint64) {
	for {
		cur := db.lastCommit.Load()
		if ts <= cur || db.lastCommit.CompareAndSwap(cur, ts) {
			return
		}
	}
}

// enter registers an operation, or fails after Close.
func (db *DB) enter() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return kv.ErrClosed
	}
	db.active.Add(1)
	return nil
}

func (db *DB) leave() { db.active.Done() }

// Begin starts a transaction. A read transaction at ReadTs 0 reads the
// newest commit from the database; an update transaction waits for the
// writer slot of this process (or ctx), then for the database's writer
// lock. Errors: kv.ErrClosed, kv.ErrReadOnly, ctx's error, or one wrapping
// kv.ErrUnavailable.
func (db *DB) Begin(ctx context.Context, opts kv.TxnOptions) (kv.Txn, error) {
	if !opts.Update {
		if err := db.enter(); err != nil {
			return nil, err
		}
		readTs := opts.ReadTs
		if readTs == 0 || readTs > db.lastCommit.Load() {
			// Like badger's, a read Begin does not fail for a context
			// that is already done; the transaction's queries will.
			last, err := db.refresh(context.WithoutCancel(ctx))
			if err != nil {
				db.leave()
				return nil, fmt.Errorf("begin: %w", err)
			}
			if readTs == 0 || readTs > last {
				readTs = last
			}
		}
		return &txn{db: db, ctx: ctx, q: db.pool, readTs: readTs, queryTs: readTs}, nil
	}
	if opts.ReadTs != 0 {
		return nil, errors.New("begin: an update transaction reads at the latest commit, not at ReadTs")
	}
	w, err := db.beginWriter(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &txn{db: db, ctx: ctx, q: w.tx, w: w, readTs: w.readTs, queryTs: w.commitTs, update: true}, nil
}

// writer is the PostgreSQL side of an update transaction or a batch: a
// transaction holding the lock on ties_clock.
type writer struct {
	db       *DB
	tx       pgx.Tx
	readTs   uint64 // the newest commit when the writer began
	commitTs uint64
	pending  pendingWrites
	log      []byte
	hasLog   bool
	wrote    bool // something was sent to the server
	sent     int  // entries sent
}

// beginWriter takes this process's writer slot, then the database's.
func (db *DB) beginWriter(ctx context.Context) (*writer, error) {
	if db.opts.ReadOnly {
		return nil, kv.ErrReadOnly
	}
	if err := db.enter(); err != nil {
		return nil, err
	}
	select {
	case db.writer <- struct{}{}:
	case <-ctx.Done():
		db.leave()
		return nil, ctx.Err()
	}
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		db.releaseWriter()
		return nil, mapErr("begin writer", err)
	}
	var last, next int64
	// The server's clock, in badgerkv's hybrid logical format, past the
	// newest commit.
	err = tx.QueryRow(ctx, `SELECT last_ts,
		greatest(last_ts + 1, (floor(extract(epoch FROM clock_timestamp()) * 1000))::bigint << 16)
		FROM ties_clock FOR UPDATE`).Scan(&last, &next)
	if err != nil {
		tx.Rollback(context.Background())
		db.releaseWriter()
		return nil, mapErr("lock the writer row", err)
	}
	db.observe(uint64(last))
	return &writer{db: db, tx: tx, readTs: uint64(last), commitTs: uint64(next)}, nil
}

func (db *DB) releaseWriter() {
	<-db.writer
	db.leave()
}

// flush sends the pending writes to the server.
func (w *writer) flush(ctx context.Context) error {
	if w.pending.len() == 0 {
		return nil
	}
	keys, values := w.pending.take()
	w.wrote = true
	w.sent += len(keys)
	return w.db.write(ctx, w.tx, w.commitTs, keys, values)
}

// commit flushes, records the change log and the clock, and commits.
func (w *writer) commit(ctx context.Context) (uint64, error) {
	if w.hasLog {
		if w.db.opts.LogKey == nil {
			return 0, errors.New("change-log record given but no LogKey configured")
		}
		w.pending.set(w.db.opts.LogKey(w.commitTs), w.log)
	}
	if err := w.flush(ctx); err != nil {
		return 0, err
	}
	if !w.wrote {
		return w.readTs, w.rollback()
	}
	// From here the commit is under way: a caller giving up now must not
	// leave it half-known (a cancelled COMMIT may still have committed),
	// so it finishes whatever happens to ctx, within a bound of its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
	defer cancel()
	b := &pgx.Batch{}
	b.Queue(`UPDATE ties_clock SET last_ts = $1`, int64(w.commitTs))
	b.Queue(`SELECT pg_notify($1, $2)`, NotifyChannel, strconv.FormatUint(w.commitTs, 10))
	if err := w.tx.SendBatch(ctx, b).Close(); err != nil {
		w.rollback()
		return 0, mapErr("record the commit", err)
	}
	if err := w.tx.Commit(ctx); err != nil {
		// The server may have committed before the connection went.
		if isConnErr(err) {
			return 0, fmt.Errorf("commit at %d: %w (%w: %v)", w.commitTs, kv.ErrUnknownOutcome, kv.ErrUnavailable, err)
		}
		return 0, mapErr(fmt.Sprintf("commit at %d", w.commitTs), err)
	}
	w.db.observe(w.commitTs)
	return w.commitTs, nil
}

func (w *writer) rollback() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return w.tx.Rollback(ctx)
}

// write applies keys and values (nil: delete) at commitTs in tx: the
// versions they supersede move to the history, then the new ones replace
// them. keys must be distinct.
func (db *DB) write(ctx context.Context, tx pgx.Tx, commitTs uint64, keys, values [][]byte) error {
	const chunk = 5000
	for len(keys) > 0 {
		n := min(chunk, len(keys))
		b := &pgx.Batch{}
		b.Queue(`INSERT INTO ties_kv_history (key, ts, value)
			SELECT key, ts, value FROM ties_kv WHERE key = ANY($1::bytea[]) AND ts < $2
			ON CONFLICT (key, ts) DO NOTHING`, keys[:n], int64(commitTs))
		// A delete of a key that never existed writes nothing.
		b.Queue(`INSERT INTO ties_kv (key, ts, value)
			SELECT u.key, $3, u.value FROM unnest($1::bytea[], $2::bytea[]) AS u(key, value)
			WHERE u.value IS NOT NULL OR EXISTS (SELECT 1 FROM ties_kv k WHERE k.key = u.key)
			ON CONFLICT (key) DO UPDATE SET ts = excluded.ts, value = excluded.value`,
			keys[:n], values[:n], int64(commitTs))
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return mapErr("write", err)
		}
		keys, values = keys[n:], values[n:]
	}
	return nil
}

// LastCommit returns the newest commit this process knows of: its own,
// or one read from the database by a transaction's Begin.
func (db *DB) LastCommit() uint64 { return db.lastCommit.Load() }

// Horizon returns 0: every version is kept.
func (db *DB) Horizon() uint64 { return 0 }

// Features describes the PostgreSQL backend.
func (db *DB) Features() kv.Features {
	return kv.Features{
		Name:           "postgres",
		Distributed:    true,
		VersionedReads: true,
		AllHistory:     true,
		// PostgreSQL bounds a transaction by disk, not memory; the limit
		// that matters is a value, 1 GB for bytea.
		MaxTxnBytes:   0,
		MaxKeyBytes:   2000, // a btree entry must fit a third of a page
		MaxValueBytes: 256 << 20,
	}
}

// Pool returns the connection pool, for LISTEN and for tools.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Close waits up to 10 s for open transactions to end and closes the
// pool. A second Close returns nil.
func (db *DB) Close() error {
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return nil
	}
	db.closed = true
	db.mu.Unlock()
	db.listener.stop()
	done := make(chan struct{})
	go func() {
		db.active.Wait()
		close(done)
	}()
	select {
	case <-done:
		db.pool.Close()
	case <-time.After(10 * time.Second):
		// pgxpool's Close waits for every connection to come back, which
		// a transaction never ended would make forever: close the idle
		// ones now and the rest as they are released.
		db.log.Warn("closing postgres with transactions still open")
		go db.pool.Close()
	}
	return nil
}

// mapErr translates PostgreSQL's errors into the kv vocabulary.
func mapErr(what string, err error) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "40001", "40P01": // serialization failure, deadlock
			return fmt.Errorf("%s: %w (%v)", what, kv.ErrConflict, err)
		case "25006": // read-only transaction: a standby, or one being promoted
			return fmt.Errorf("%s: %w (%v)", what, kv.ErrUnavailable, err)
		case "54000": // program_limit_exceeded: a key too long for the index
			return fmt.Errorf("%s: %w (%v)", what, kv.ErrTooBig, err)
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", what, err)
	}
	if isConnErr(err) {
		return fmt.Errorf("%s: %w (%v)", what, kv.ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// isConnErr reports whether err says the server is unreachable or going
// away, rather than that a statement failed.
func isConnErr(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case len(pgErr.Code) == 5 && pgErr.Code[:2] == "08": // connection exception
			return true
		case pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03": // shutdown, crash, starting
			return true
		}
		return false
	}
	var (
		connErr *pgconn.ConnectError
		netErr  net.Error
	)
	switch {
	case errors.As(err, &connErr), errors.As(err, &netErr), pgconn.SafeToRetry(err), pgconn.Timeout(err),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EPIPE):
		return true
	}
	// pgx says so in words when a connection it had has gone.
	return strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "conn busy")
}

// ChangedKeys calls fn with every key written by a commit after since, in
// no particular order: the keys whose newest version is newer, which
// includes every key a commit in (since, upTo] wrote (a key written again
// later comes too, which a cache forgetting keys does not mind).
func (db *DB) ChangedKeys(ctx context.Context, since, upTo uint64, fn func(key []byte) error) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	rows, err := db.pool.Query(ctx, `SELECT key FROM ties_kv WHERE ts > $1`, int64(since))
	if err != nil {
		return mapErr("changed keys", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key []byte
		if err := rows.Scan(&key); err != nil {
			return mapErr("changed keys", err)
		}
		if err := fn(key); err != nil {
			return err
		}
	}
	return mapErr("changed keys", rowsErr(rows))
}
