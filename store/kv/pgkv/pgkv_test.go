package pgkv_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ties-graph/ties/store/kv"
	"github.com/ties-graph/ties/store/kv/kvtest"
	"github.com/ties-graph/ties/store/kv/pgkv"
	"github.com/ties-graph/ties/store/kv/pgkv/pgcluster"
	"github.com/ties-graph/ties/store/kv/pgkv/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func open(t *testing.T, url string) *pgkv.DB {
	t.Helper()
	db, err := pgkv.Open(context.Background(), pgkv.Options{URL: url, LogKey: kvtest.LogKey})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return db
}

func TestConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	kvtest.Run(t, func(t *testing.T) kv.Store {
		db := open(t, pgtest.NewSchema(t))
		t.Cleanup(func() { db.Close() })
		return db
	})
	t.Run("Reopen", func(t *testing.T) {
		kvtest.RunReopen(t, func(t *testing.T) func() kv.Store {
			url := pgtest.NewSchema(t)
			return func() kv.Store { return open(t, url) }
		})
	})
}

// TestSchemaVersion: the first open creates the tables at SchemaVersion;
// a database whose schema is newer than this binary knows is refused, and
// a read-only open creates nothing.
func TestSchemaVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	ctx := context.Background()
	url := pgtest.NewSchema(t)
	if _, err := pgkv.Open(ctx, pgkv.Options{URL: url, ReadOnly: true}); err == nil {
		t.Fatal("a read-only open of an empty database: got nil error")
	}
	db := open(t, url)
	var version int
	if err := db.Pool().QueryRow(ctx, `SELECT max(version) FROM ties_schema`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != pgkv.SchemaVersion {
		t.Errorf("schema version %d, want %d", version, pgkv.SchemaVersion)
	}
	if _, err := db.Pool().Exec(ctx, `INSERT INTO ties_schema (version) VALUES ($1)`, pgkv.SchemaVersion+1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, readOnly := range []bool{false, true} {
		_, err := pgkv.Open(ctx, pgkv.Options{URL: url, ReadOnly: readOnly})
		if !errors.Is(err, pgkv.ErrNewerSchema) {
			t.Errorf("open (read-only %v) of a newer schema: got %v, want %v", readOnly, err, pgkv.ErrNewerSchema)
		}
	}
}

// TestUnavailable: a server that cannot be reached is kv.ErrUnavailable,
// which the API answers as UNAVAILABLE.
func TestUnavailable(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	ctx := context.Background()
	c, err := pgcluster.Start(ctx, pgcluster.Config{})
	if errors.Is(err, pgcluster.ErrNotInstalled) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	db := open(t, c.DSN("postgres"))
	defer db.Close()
	c.Kill()
	if conn, err := pgx.Connect(ctx, c.DSN("postgres")); err == nil {
		var dir string
		conn.QueryRow(ctx, `SELECT current_setting('data_directory')`).Scan(&dir)
		conn.Close(ctx)
		t.Fatalf("a server still answers on port %d after the kill: %s (ours: %s)", c.Port, dir, c.DataDir())
	}
	for _, opts := range []kv.TxnOptions{{}, {Update: true}} {
		tx, err := db.Begin(ctx, opts)
		if err == nil {
			tx.Discard()
		}
		if !errors.Is(err, kv.ErrUnavailable) {
			t.Errorf("Begin %+v with the server gone: got %v, want %v", opts, err, kv.ErrUnavailable)
		}
	}
}

// TestCommitSignal: a commit through one process's DB wakes a follower of
// another's, through the database's notifications rather than its poll.
func TestCommitSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	ctx := context.Background()
	url := pgtest.NewSchema(t)
	a, b := open(t, url), open(t, url)
	defer a.Close()
	defer b.Close()
	wait := func(ch <-chan struct{}, what string) {
		t.Helper()
		select {
		case <-ch:
		case <-time.After(30 * time.Second): // a bound on a hang, not a measurement
			t.Fatalf("no signal %s", what)
		}
	}
	// The first signal says the listener is connected.
	wait(a.CommitSignal(), "when the listener connected")
	next := a.CommitSignal()
	tx, err := b.Begin(ctx, kv.TxnOptions{Update: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Set([]byte("k"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	wait(next, "after the other process's commit")
}
