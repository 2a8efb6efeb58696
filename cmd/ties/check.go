package main

import (
	"context"
	"fmt"
	"io"
)

// runCheck opens the store read-only and verifies every invariant. It
// returns an error, and so a non-zero exit status, when it finds a
// problem.
func runCheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flagSet("check", "check [flags]", "", stderr)
	var loc location
	env := map[string]string{}
	addLocationFlags(fs, &loc, env, "data directory")
	if err := parseFlags(fs, args, getenv, env); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("check takes no arguments, got %q", fs.Args())}
	}
	st, err := loc.openExisting(ctx, true)
	if err != nil {
		return err
	}
	defer st.Close()
	name := loc.name()
	if err := st.Check(ctx); err != nil {
		fmt.Fprintf(stdout, "%s: problems found:\n%v\n", name, err)
		return fmt.Errorf("check %s failed", name)
	}
	fmt.Fprintf(stdout, "%s: ok\n", name)
	return nil
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
