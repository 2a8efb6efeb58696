package pgkv

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrations create and change the tables, in order: migrations[i] takes
// the schema from version i to i+1. The version a database is at is kept
// in ties_schema; a database at a version this binary does not know
// (written by a newer Ties) is refused rather than misread.
//
// Version 1:
//
//	ties_kv          key → the newest version: its commit ts and value
//	                 (NULL: deleted). Reads at the latest commit, nearly
//	                 all of them, are plain primary-key lookups and
//	                 range scans here.
//	ties_kv_history  (key, ts) → every superseded version, moved here by
//	                 the write that supersedes it. A read at an older
//	                 snapshot finds a row of ties_kv newer than it and
//	                 looks the key up here instead.
//	ties_clock       one row: the newest commit timestamp. Writers lock it
//	                 (SELECT ... FOR UPDATE), which serializes them across
//	                 every process sharing the database, and take their
//	                 commit timestamp from it and the server's clock.
//
// Version 2 indexes ties_kv by ts, for ChangedKeys.
var migrations = []string{
	`CREATE TABLE ties_kv (
		key   bytea PRIMARY KEY,
		ts    bigint NOT NULL,
		value bytea
	);
	CREATE TABLE ties_kv_history (
		key   bytea NOT NULL,
		ts    bigint NOT NULL,
		value bytea,
		PRIMARY KEY (key, ts)
	);
	CREATE TABLE ties_clock (
		one     boolean PRIMARY KEY DEFAULT true CHECK (one),
		last_ts bigint NOT NULL
	);
	INSERT INTO ties_clock (last_ts) VALUES (0);`,
	// Version 2: which keys changed since a commit, for the caches of the
	// processes that did not write them (DB.ChangedKeys).
	`CREATE INDEX ties_kv_ts ON ties_kv (ts);`,
}

// SchemaVersion is the version of the tables this package reads and writes.
var SchemaVersion = len(migrations)

// ErrNewerSchema reports a database whose tables were made by a newer
// version of Ties than this one.
var ErrNewerSchema = errors.New("the database was set up by a newer version of Ties")

// schemaLock is the advisory lock key that makes concurrent first opens
// (several services starting at once) create the tables once.
const schemaLock = 0x7469657300000001 // "ties" and 1

// migrate brings the database's tables to SchemaVersion, creating them on
// first use. It reads the version only when the database is not writable
// (a read-only open, or a standby).
func migrate(ctx context.Context, pool *pgxpool.Pool, readOnly bool) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return mapErr("begin migration", err)
	}
	defer tx.Rollback(context.Background())
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT to_regclass('ties_schema') IS NOT NULL`).Scan(&exists); err != nil {
		return mapErr("read schema version", err)
	}
	if !exists && readOnly {
		return errors.New("the database has no Ties tables yet, and a read-only open does not create them")
	}
	if !readOnly {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(schemaLock)); err != nil {
			return mapErr("lock schema", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS ties_schema (
			version    int NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
			return mapErr("create ties_schema", err)
		}
	}
	var version int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM ties_schema`).Scan(&version); err != nil {
		return mapErr("read schema version", err)
	}
	if version > SchemaVersion {
		return fmt.Errorf("%w: its schema is version %d, this binary knows up to %d; upgrade ties", ErrNewerSchema, version, SchemaVersion)
	}
	if version < SchemaVersion && readOnly {
		return fmt.Errorf("the database's schema is version %d and needs migrating to %d: open it once for writing (ties serve, ties import)", version, SchemaVersion)
	}
	if readOnly || version == SchemaVersion {
		return nil
	}
	for v := version; v < SchemaVersion; v++ {
		if _, err := tx.Exec(ctx, migrations[v]); err != nil {
			return mapErr(fmt.Sprintf("migrate schema to version %d", v+1), err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO ties_schema (version) VALUES ($1)`, v+1); err != nil {
			return mapErr(fmt.Sprintf("record schema version %d", v+1), err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return mapErr("commit migration", err)
	}
	return nil
}

// rowsErr returns the error of rows after it is closed.
func rowsErr(rows pgx.Rows) error {
	rows.Close()
	return rows.Err()
}
