//go:build linux

package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// smallDisk mounts a tmpfs of size bytes for the test, or skips: it needs
// root (as CI runs) and mount(8).
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small file system needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// TestE2EFullDisk: on a 256 MiB file system with 128 MiB kept free, an
// upload larger than the room left is refused with UNAVAILABLE while it is
// spooled, a mutation on a nearly full disk is refused the same way, the
// service stays up and serves reads throughout, and a service started on a
// disk that is already full starts read-only instead of crashing.
func TestE2EFullDisk(t *testing.T) {
	bin := e2eBinary(t)
	disk := smallDisk(t, "256m")
	data := filepath.Join(disk, "data")
	p := serveTies(t, bin, data, nil, "--min-free-disk", "128MiB", "--memory-limit", "0")

	// An upload of 200 MB: far more than the disk has above the margin.
	pr, pw := io.Pipe()
	go func() {
		line := []byte(`{"kind":"entity","id":"x","type":"City","name":"` + strings.Repeat("x", 900) + `"}` + "\n")
		for written := 0; written < 200<<20; written += len(line) {
			if _, err := pw.Write(line); err != nil {
				return
			}
		}
		pw.Close()
	}()
	req, _ := http.NewRequest(http.MethodPost, p.url+"/import?format=ndjson", pr)
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := p.client.Do(req)
	if err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "UNAVAILABLE") {
			t.Fatalf("a too large upload: status %d: %s", resp.StatusCode, body)
		}
	} // a connection closed mid-upload is an answer too: the server stopped reading
	pr.Close()
	if p.exited() {
		t.Fatalf("ties serve died on a full disk: %v\n%s", p.err, p.logs)
	}
	var d struct{ Entity struct{ Name string } }
	if err := p.query(context.Background(), `{ entity(id: "enschede") { name } }`, nil, &d); err != nil || d.Entity.Name != "Enschede" {
		t.Fatalf("a read after the refused upload: %v %+v", err, d)
	}

	// Fill the disk to below the margin: a mutation is refused, reads go on.
	filler := filepath.Join(disk, "filler")
	fillTo(t, filler, disk, 100<<20)
	err = p.query(context.Background(), `mutation { upsertEntities(input: [{id: "gronau", type: "City", name: "Gronau"}]) { id } }`, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "UNAVAILABLE") {
		t.Fatalf("a mutation on a nearly full disk: got %v", err)
	}
	if err := p.query(context.Background(), `{ entity(id: "enschede") { name } }`, nil, &d); err != nil {
		t.Fatalf("a read on a nearly full disk: %v", err)
	}
	p.stop(t)

	// Started on the full disk: read-only, not a crash.
	p = serveTies(t, bin, data, nil, "--min-free-disk", "128MiB", "--memory-limit", "0")
	if err := p.query(context.Background(), `{ entity(id: "enschede") { name } }`, nil, &d); err != nil {
		t.Fatalf("a read from a service started on a full disk: %v", err)
	}
	err = p.query(context.Background(), `mutation { upsertEntities(input: [{id: "gronau", type: "City", name: "Gronau"}]) { id } }`, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "FORBIDDEN") {
		t.Fatalf("a mutation on a service started read-only: got %v", err)
	}
	if !strings.Contains(p.logs.String(), "serving read-only") {
		t.Errorf("the log does not say why the service is read-only:\n%s", p.logs)
	}
}

// fillTo writes a file in dir until the file system has about free bytes
// left.
func fillTo(t *testing.T, path, dir string, free int64) {
	t.Helper()
	now, err := freeDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	if now <= free {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for n := now - free; n > 0; n -= int64(len(buf)) {
		if _, err := f.Write(buf[:min(int64(len(buf)), n)]); err != nil {
			t.Fatal(err)
		}
	}
}
