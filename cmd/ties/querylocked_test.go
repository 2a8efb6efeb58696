package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
)

// A newcomer keeps "ties" serving in one terminal and runs "ties query" in
// another, as the README shows both: the refusal must say how to ask the
// running service instead, as import, export, backup and keys do.
func TestQueryLockedSuggestsURL(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	st, err := store.Open(data, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, _, err = cli(t, runQuery, "--data", data, `{ stats { entities } }`)
	if err == nil || !strings.Contains(err.Error(), "is in use by another process, such as a running ties service") || !strings.Contains(err.Error(), "--url") {
		t.Errorf("error: got %v, want one saying the directory is in use and suggesting --url", err)
	}
}
