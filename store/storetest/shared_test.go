package storetest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// recorder is a testing.TB whose Fatalf and Skipf end the calling
// goroutine and say which was called.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Skipf(format string, args ...any) {
	r.skip = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// call runs Shared on a recorder in a goroutine of its own.
func call(t *testing.T, elem ...string) (string, *recorder) {
	r := &recorder{TB: t}
	var path string
	done := make(chan struct{})
	go func() {
		defer close(done)
		path = Shared(r, elem...)
	}()
	<-done
	return path, r
}

// Shared finds the shared folder from the module's root wherever the test
// runs, and fails, rather than skips, a test whose file is missing from a
// shared folder that is there.
func TestShared(t *testing.T) {
	path, r := call(t, "seed")
	if r.skip != "" {
		t.Skipf("no shared folder here: %s", r.skip)
	}
	if r.fatal != "" {
		t.Fatalf("Shared(seed): %s", r.fatal)
	}
	if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
		t.Fatalf("Shared(seed) = %s: %v", path, err)
	}
	if got, want := filepath.Base(filepath.Dir(path)), "shared"; got != want {
		t.Errorf("Shared(seed) = %s, want a folder named %s above seed", path, want)
	}
	if _, r := call(t, "seed", "no-such-file.txt"); r.fatal == "" || r.skip != "" {
		t.Errorf("a missing file in the shared folder: fatal %q, skip %q; want it to fail", r.fatal, r.skip)
	}
}
