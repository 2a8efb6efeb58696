package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/ties-graph/ties/store"
)

// runCheck opens the store read-only and verifies every invariant. It
// returns an error, and so a non-zero exit status, when it finds a
// problem.
func runCheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flagSet("check", "check [flags]", stderr)
	var data string
	fs.StringVar(&data, "data", "./ties-data", "data directory (TIES_DATA)")
	if err := parseFlags(fs, args, getenv, map[string]string{"data": "TIES_DATA"}); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("check takes no arguments, got %q", fs.Args())}
	}
	st, err := openExisting(data, true)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Check(ctx); err != nil {
		fmt.Fprintf(stdout, "%s: problems found:\n%v\n", data, err)
		return fmt.Errorf("check %s failed", data)
	}
	fmt.Fprintf(stdout, "%s: ok\n", data)
	return nil
}

// openExisting opens the store in dir, which must exist: the tools that
// read a store must not create an empty one where a path was mistyped.
func openExisting(dir string, readOnly bool) (*store.Store, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	st, err := store.Open(dir, store.Options{ReadOnly: readOnly, SyncWrites: !readOnly})
	if err != nil {
		return nil, fmt.Errorf("open the data directory %s: %w", dir, err)
	}
	return st, nil
}
