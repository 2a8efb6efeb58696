package storetest

import (
	"os"
	"path/filepath"
	"testing"
)

// Shared returns the path of elem in the shared folder beside the
// repository (../shared from the module's root: the founding report and
// the real public data that tests check answers against). It is found
// from the module's root, not from the test's directory: a test whose file
// moved to a package one level deeper once looked one level too high, and
// skipped on every run since. The test is skipped when the shared folder
// is absent (a checkout without it), and fails when the folder is there
// but elem is not: a wrong path or a changed data set, which a skip would
// hide.
func Shared(tb testing.TB, elem ...string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatalf("shared data: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatalf("shared data: no go.mod above the test's directory")
		}
		dir = parent
	}
	shared := filepath.Join(filepath.Dir(dir), "shared")
	if _, err := os.Stat(shared); err != nil {
		tb.Skipf("%s is absent; skipping the test on shared data", shared)
	}
	path := filepath.Join(append([]string{shared}, elem...)...)
	if _, err := os.Stat(path); err != nil {
		tb.Fatalf("shared data: %v (the shared folder %s is there)", err, shared)
	}
	return path
}
