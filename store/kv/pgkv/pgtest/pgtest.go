// Package pgtest gives tests a throwaway PostgreSQL cluster (package
// pgcluster). A package's TestMain starts one cluster and its tests share
// it, each in a schema of its own (NewSchema), so that a test costs a
// CREATE SCHEMA rather than a cluster. When PostgreSQL is not installed,
// the tests that need it skip.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ties-graph/ties/store/kv/pgkv/pgcluster"
)

// Shared is the cluster a package's tests share, started by Main.
type Shared struct {
	once    sync.Once
	cluster *pgcluster.Cluster
	err     error
	n       atomic.Int64
}

// shared is set by Main for the package's tests; a test binary is one
// package, so one value serves it.
var shared Shared

// Main runs a package's tests with a shared cluster started on first use
// and stopped after the last test. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	StopShared()
	os.Exit(code)
}

// StopShared stops the shared cluster if one was started; a TestMain that
// does more than Main calls it after m.Run.
func StopShared() {
	if shared.cluster != nil {
		shared.cluster.Stop()
	}
}

// NewSchema returns a connection string to a new, empty schema of the
// shared cluster (as search_path), started on first use. It skips t when
// PostgreSQL is not installed; tests that should not start a cluster under
// -short skip themselves.
func NewSchema(t testing.TB) string {
	t.Helper()
	c := SharedCluster(t)
	name := fmt.Sprintf("t%d_%d", os.Getpid(), shared.n.Add(1))
	conn, err := pgx.Connect(context.Background(), c.DSN("postgres"))
	if err != nil {
		t.Fatalf("connect to the test cluster: %v", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	return c.DSN("postgres") + "&search_path=" + name
}

// SharedCluster returns the package's shared cluster, starting it on first
// use; it skips t when PostgreSQL is absent.
func SharedCluster(t testing.TB) *pgcluster.Cluster {
	t.Helper()
	shared.once.Do(func() {
		shared.cluster, shared.err = pgcluster.Start(context.Background(), pgcluster.Config{})
	})
	if errors.Is(shared.err, pgcluster.ErrNotInstalled) {
		t.Skip(shared.err)
	}
	if shared.err != nil {
		t.Fatalf("start PostgreSQL: %v", shared.err)
	}
	return shared.cluster
}
