//go:build unix

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Exports get the permissions of any new file (0666 less the umask), not
// the owner-only 0600 of a temporary file.
func TestExportPermissions(t *testing.T) {
	data := foundingDir(t)
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	out := filepath.Join(t.TempDir(), "g.graphml")
	if _, errOut, err := cli(t, runExport, "--data", data, "-o", out); err != nil {
		t.Fatalf("export: %v\n%s", err, errOut)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fi.Mode().Perm(), os.FileMode(0o644); got != want {
		t.Errorf("export created %v, want %v", got, want)
	}
}
