package main

import (
	"context"
	"errors"
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
	if errors.Is(err, store.ErrLocked) {
		return nil, lockedError{dir: dir, err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("open the data directory %s: %w", dir, err)
	}
	return st, nil
}

// lockedError says that another process holds the data directory, in one
// line instead of badger's, while errors.Is still finds ErrLocked for the
// commands that suggest --url.
type lockedError struct {
	dir string
	err error
}

func (e lockedError) Error() string {
	return fmt.Sprintf("the data directory %s is in use by another process, such as a running ties service: stop it, or send the request to the service over HTTP", e.dir)
}

func (e lockedError) Unwrap() error { return e.err }
