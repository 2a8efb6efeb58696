//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestExportIntoNamedPipe exports with -o naming a named pipe, as
// -o /dev/stdout or -o /dev/null name a device: the export is written
// into it, and it stays a pipe. Writing a temporary file and renaming it
// over the name replaced the pipe, or as root the device, with a file.
func TestExportIntoNamedPipe(t *testing.T) {
	data := foundingDir(t)
	fifo := filepath.Join(t.TempDir(), "graph.ndjson")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := make(chan string, 1)
	go func() {
		b, err := os.ReadFile(fifo)
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		got <- string(b)
	}()
	if _, _, err := cli(t, runExport, "--data", data, "-o", fifo); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(fifo)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("%s is now %v, not the named pipe it was", fifo, fi.Mode())
	}
	if b := <-got; !strings.HasPrefix(b, `{"kind":"entityType"`) {
		t.Errorf("the pipe's reader got %.40q, want the NDJSON export", b)
	}
}

// TestExportThroughSymlink exports with -o naming a symbolic link: the
// file it points to gets the export, and the link stays a link.
func TestExportThroughSymlink(t *testing.T) {
	data := foundingDir(t)
	dir := t.TempDir()
	target := filepath.Join(dir, "exports", "graph.ndjson")
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "latest.ndjson")
	if err := os.Symlink(filepath.Join("exports", "graph.ndjson"), link); err != nil {
		t.Skipf("symlink: %v", err)
	}
	if _, _, err := cli(t, runExport, "--data", data, "-o", link); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(link)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("%s is now %v, not the link it was", link, fi.Mode())
	}
	b, err := os.ReadFile(target)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), `{"kind":"entityType"`) {
		t.Errorf("the link's target holds %.40q, want the NDJSON export", b)
	}
}
