package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store/kv/pgkv/pgtest"
)

// runOK runs one ties command in process and returns its standard output;
// it fails the test unless the command succeeds.
func runOK(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), args, env(nil), &out, &errOut); err != nil {
		t.Fatalf("ties %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String()
}

// TestPostgres runs the commands on a PostgreSQL database: two services
// over one database, then check, copy both ways, backup and restore.
func TestPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	url := pgtest.NewSchema(t)

	// Two services over one database: the first loads the founding data,
	// the second finds it there and loads nothing.
	a := startServe(t, env(map[string]string{"TIES_STORE": url}))
	b := startServe(t, env(map[string]string{"TIES_STORE": url}))
	if got, want := b.query(t, `{ entity(id: "enschede") { name } }`), `{"data":{"entity":{"name":"Enschede"}}}`; got != want {
		t.Errorf("second service: got %s, want %s", got, want)
	}
	// A write through one is read through the other at once, both ways.
	a.query(t, `mutation { upsertEntities(input: [{id: "hengelo", type: "City", name: "Hengelo"}]) { id } }`)
	if got, want := b.query(t, `{ entity(id: "hengelo") { name } }`), `{"data":{"entity":{"name":"Hengelo"}}}`; got != want {
		t.Errorf("write through a, read through b: got %s, want %s", got, want)
	}
	b.query(t, `mutation { upsertEntities(input: [{id: "hengelo", type: "City", name: "Hengelo (Ov.)"}]) { id } }`)
	if got, want := a.query(t, `{ entity(id: "hengelo") { name } }`), `{"data":{"entity":{"name":"Hengelo (Ov.)"}}}`; got != want {
		t.Errorf("write through b, read through a: got %s, want %s", got, want)
	}
	b.query(t, `mutation { deleteEntities(ids: ["tesla-motors"], cascade: true) }`)
	if got, want := a.query(t, `{ entity(id: "tesla-motors") { name } }`), `{"data":{"entity":null}}`; got != want {
		t.Errorf("delete through b, read through a: got %s, want %s", got, want)
	}
	for _, s := range []*served{a, b} {
		if err := s.stop(t); err != nil {
			t.Fatalf("serve: %v\n%s", err, s.logs.String())
		}
	}
	if got := runOK(t, "check", "--store", url); !strings.HasSuffix(got, ": ok\n") {
		t.Errorf("check: %q", got)
	}

	// PostgreSQL to a directory and back into another database.
	dir := filepath.Join(t.TempDir(), "copy")
	runOK(t, "copy", "--from", url, "--to", dir)
	const q = `{ entity(id: "hengelo") { name } tesla: entity(id: "tesla-motors") { name } }`
	const want = `"name": "Hengelo (Ov.)"`
	if got := runOK(t, "query", "--data", dir, q); !strings.Contains(got, want) || !strings.Contains(got, `"tesla": null`) {
		t.Errorf("query of the copy in a directory: %s", got)
	}
	// Between two directories, the copy carries the history.
	dir2 := filepath.Join(t.TempDir(), "copy2")
	if got := runOK(t, "copy", "--from", dir, "--to", dir2); !strings.Contains(got, "with its history") {
		t.Errorf("copy between directories: %q, want it with its history", got)
	}
	if got := runOK(t, "query", "--data", dir2, q); !strings.Contains(got, want) {
		t.Errorf("query of the copy of the copy: %s", got)
	}
	url2 := pgtest.NewSchema(t)
	runOK(t, "copy", "--from", dir, "--to", url2)
	if got := runOK(t, "query", "--store", url2, q); !strings.Contains(got, want) {
		t.Errorf("query of the copy in a database: %s", got)
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"copy", "--from", dir, "--to", url2}, env(nil), &out, &errOut); err == nil {
		t.Errorf("copy into a database that holds a store: got nil error")
	}

	// A backup of a database, with history, restored into another.
	backup := filepath.Join(t.TempDir(), "ties.backup")
	runOK(t, "backup", "--store", url, "-o", backup)
	url3 := pgtest.NewSchema(t)
	runOK(t, "restore", "--store", url3, backup)
	if got := runOK(t, "query", "--store", url3, q); !strings.Contains(got, want) {
		t.Errorf("query of the restored database: %s", got)
	}
}
