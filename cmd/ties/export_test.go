package main

import (
	"archive/zip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/kv"
	"github.com/ties-graph/ties/store/kv/badgerkv"
	"github.com/ties-graph/ties/store/seed"
)

// foundingDir returns a data directory holding the founding data.
func foundingDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	file := writeFile(t, dir, seed.FileName, string(seed.NDJSON()))
	if _, _, err := cli(t, runImport, "--data", data, file); err != nil {
		t.Fatal(err)
	}
	return data
}

func TestExportCommand(t *testing.T) {
	data := foundingDir(t)
	out := t.TempDir()
	t.Run("FormatFromExtension", func(t *testing.T) {
		for _, tc := range []struct{ file, start string }{
			{"g.graphml", "<?xml"}, {"g.gexf", "<?xml"}, {"g.json", `{"directed":true`}, {"g.dot", "digraph"}, {"g.zip", "PK"}, {"g.ndjson", `{"kind":"entityType"`},
		} {
			path := filepath.Join(out, tc.file)
			if _, _, err := cli(t, runExport, "--data", data, "-o", path); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(b), tc.start) {
				t.Errorf("%s starts with %.30q, want %q", tc.file, b, tc.start)
			}
		}
	})
	t.Run("Zip", func(t *testing.T) {
		zr, err := zip.OpenReader(filepath.Join(out, "g.zip"))
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
		}
		if got, want := strings.Join(names, ","), "nodes.csv,relationships.csv"; got != want {
			t.Errorf("zip entries: got %s, want %s", got, want)
		}
	})
	t.Run("Split", func(t *testing.T) {
		dir := filepath.Join(out, "neo4j")
		if _, _, err := cli(t, runExport, "--data", data, "--format", "csv", "--split", "-o", dir); err != nil {
			t.Fatal(err)
		}
		nodes, err := os.ReadFile(filepath.Join(dir, "nodes.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(nodes), "id:ID,:LABEL,name,") {
			t.Errorf("nodes.csv header: %.60q", nodes)
		}
		if _, err := os.Stat(filepath.Join(dir, "relationships.csv")); err != nil {
			t.Error(err)
		}
	})
	t.Run("Subgraph", func(t *testing.T) {
		stdout, _, err := cli(t, runExport, "--data", data, "--from", "dalian", "--depth", "1", "--valid-at", "2012", "--types", "SISTER_CITY_OF,FRIENDLY_COOPERATIVE_CITY_OF")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stdout, `"type":"FRIENDLY_COOPERATIVE_CITY_OF"`) || strings.Contains(stdout, `"type":"SISTER_CITY_OF","from"`) {
			t.Errorf("Dalian in 2012 is a friendly cooperative city, not yet a sister city:\n%s", stdout)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		for _, args := range [][]string{
			{"--format", "xlsx"},
			{"--depth", "2"},
			{"--valid-at", "2017-13"},
			{"--split", "-o", out},
			{"extra"},
		} {
			if _, _, err := cli(t, runExport, append([]string{"--data", data}, args...)...); err == nil {
				t.Errorf("export %v: got no error", args)
			}
		}
		if _, _, err := cli(t, runExport, "--data", data, "--from", "atlantis"); err == nil || !strings.Contains(err.Error(), "atlantis") {
			t.Errorf("unknown --from: got %v", err)
		}
	})
	// Errors name the flag the user typed, not the store's field.
	t.Run("ErrorsNameTheFlag", func(t *testing.T) {
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"--types", "TWINNED"}, `--types: unknown relation type "TWINNED"`},
			{[]string{"--entity-types", "Town"}, `--entity-types: unknown entity type "Town"`},
			{[]string{"--from", "atlantis"}, `--from: `},
		} {
			_, _, err := cli(t, runExport, append([]string{"--data", data}, tc.args...)...)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("export %v: got %v, want an error starting %q", tc.args, err, tc.want)
			}
		}
	})
	// A zip named .csv would be read as text by ties import and by every
	// CSV reader, so it is refused before anything is written.
	t.Run("ZipNamedCSV", func(t *testing.T) {
		path := filepath.Join(out, "graph.csv")
		_, _, err := cli(t, runExport, "--data", data, "-o", path)
		if err == nil || !strings.Contains(err.Error(), "graph.zip") {
			t.Errorf("-o graph.csv: got %v, want an error pointing at graph.zip", err)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("-o graph.csv wrote %s", path)
		}
	})
	t.Run("FailedExportLeavesNoFile", func(t *testing.T) {
		path := filepath.Join(out, "missing.ndjson")
		if _, _, err := cli(t, runExport, "--data", data, "--from", "atlantis", "-o", path); err == nil {
			t.Fatal("got no error")
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("a failed export left %s behind", path)
		}
		entries, _ := os.ReadDir(out)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") {
				t.Errorf("temporary file %s left behind", e.Name())
			}
		}
	})
}

func TestBackupRestore(t *testing.T) {
	data := foundingDir(t)
	want, _, err := cli(t, runExport, "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "ties.backup")
	if _, _, err := cli(t, runBackup, "--data", data, "-o", file); err != nil {
		t.Fatal(err)
	}
	restored := filepath.Join(t.TempDir(), "restored")
	if _, _, err := cli(t, runRestore, "--data", restored, file); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := cli(t, runExport, "--data", restored); got != want {
		t.Errorf("the restored store exports differently")
	}
	if _, _, err := cli(t, runRestore, "--data", restored, file); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("restore into a non-empty directory: got %v", err)
	}
}

// Restoring the wrong file says so, and leaves no half-made directory
// behind, new or empty before, so that the right file can follow.
func TestRestoreWrongFile(t *testing.T) {
	dir := t.TempDir()
	notBackup := writeFile(t, dir, "dump.ndjson", twoCities)
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, data := range []string{filepath.Join(dir, "new"), empty} {
		_, _, err := cli(t, runRestore, "--data", data, notBackup)
		if err == nil || !strings.Contains(err.Error(), "not a backup written by ties backup") {
			t.Errorf("%s: got %v", data, err)
		}
		if entries, err := os.ReadDir(data); data == empty && (err != nil || len(entries) > 0) {
			t.Errorf("%s: left %d entries (%v)", data, len(entries), err)
		} else if data != empty && !os.IsNotExist(err) {
			t.Errorf("%s: left behind (%v)", data, err)
		}
	}
}

// A data directory held by a running service is named in one line that
// says what to do, by every command that reads it.
func TestLockedDataDirectory(t *testing.T) {
	data := foundingDir(t)
	st, err := store.Open(data, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, tc := range []struct {
		name string
		run  func(context.Context, []string, func(string) string, io.Writer, io.Writer) error
		args []string
	}{
		{"query", runQuery, []string{"--data", data, `{ stats { entities } }`}},
		{"check", runCheck, []string{"--data", data}},
		{"serve", runServe, []string{"--data", data, "--addr", "127.0.0.1:0"}},
	} {
		_, _, err := cli(t, tc.run, tc.args...)
		if err == nil || !strings.Contains(err.Error(), "is in use by another process, such as a running ties service") || strings.Contains(err.Error(), "badger") {
			t.Errorf("%s: got %v, want one line saying the directory is in use", tc.name, err)
		}
	}
}

// A store that fails its check is not backed up (its backup could not be
// restored), and a damaged backup file is refused by restore, which leaves
// no directory behind.
func TestBackupChecksAndRestoreVerifies(t *testing.T) {
	t.Run("CorruptStore", func(t *testing.T) {
		data := foundingDir(t)
		db, err := badgerkv.Open(badgerkv.Options{Dir: data})
		if err != nil {
			t.Fatal(err)
		}
		tx, err := db.Begin(context.Background(), kv.TxnOptions{Update: true})
		if err != nil {
			t.Fatal(err)
		}
		// A key under no prefix the store knows: Check reports it.
		if err := tx.Set([]byte{0x7f, 1}, []byte{1}); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		db.Close()
		file := filepath.Join(t.TempDir(), "ties.backup")
		_, _, err = cli(t, runBackup, "--data", data, "-o", file)
		if err == nil || !strings.Contains(err.Error(), "fails its check") {
			t.Fatalf("backup of a corrupt store: got %v", err)
		}
		if _, err := os.Stat(file); !os.IsNotExist(err) {
			t.Errorf("a backup file was written (%v)", err)
		}
	})
	t.Run("DamagedBackup", func(t *testing.T) {
		data := foundingDir(t)
		file := filepath.Join(t.TempDir(), "ties.backup")
		if _, _, err := cli(t, runBackup, "--data", data, "-o", file); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)/2] ^= 1
		if err := os.WriteFile(file, b, 0o644); err != nil {
			t.Fatal(err)
		}
		restored := filepath.Join(t.TempDir(), "restored")
		_, _, err = cli(t, runRestore, "--data", restored, file)
		if err == nil || !strings.Contains(err.Error(), "damaged") {
			t.Fatalf("restore of a damaged backup: got %v", err)
		}
		if _, err := os.Stat(restored); !os.IsNotExist(err) {
			t.Errorf("the refused restore left %s behind (%v)", restored, err)
		}
	})
}
