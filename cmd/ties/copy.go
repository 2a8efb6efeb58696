package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/ties-graph/ties/store"
)

const copyHelp = `
Copies a whole store from one place to another: a data directory (DIR) or
a PostgreSQL database (postgres://user@host:port/db), in any combination,
such as a data directory into PostgreSQL when one machine is no longer
enough. The copy carries the whole history, each version at its own
commit time, so asOf reads on the copy answer as on the source. The copy is checked before the command reports
success. The source must not be held
by a running service when it is a data directory; the destination must be
empty.
`

// runCopy copies a store between locations.
func runCopy(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flagSet("copy", "copy --from DIR|URL --to DIR|URL", copyHelp, stderr)
	var from, to string
	fs.StringVar(&from, "from", "", "the store to copy: a data directory or a postgres:// URL")
	fs.StringVar(&to, "to", "", "where to copy it: an empty or new data directory, or a postgres:// URL of a database without a store")
	if err := parseFlags(fs, args, getenv, map[string]string{}); err != nil {
		return err
	}
	if fs.NArg() > 0 || from == "" || to == "" {
		return usageError{"copy takes --from and --to, and no arguments"}
	}
	src, dst := parseLocation(from), parseLocation(to)
	if src == dst {
		return usageError{"--from and --to are the same store"}
	}
	fd, err := freshTarget(dst, "copy into")
	if err != nil {
		return err
	}
	in, err := src.openExisting(ctx, true)
	if err != nil {
		return inUse(err, src.data, "; stop it to copy it")
	}
	defer in.Close()
	out, err := dst.open(ctx, store.Options{SyncWrites: true})
	if err != nil {
		fd.undo()
		return err
	}
	fail := func(err error) error {
		out.Close()
		fd.undo()
		return err
	}
	start := time.Now()
	res, err := in.CopyTo(ctx, out)
	if err != nil {
		return fail(fmt.Errorf("copy into %s: %w", dst, err))
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	// Reopened, so that the check reads what was written, not a cache.
	check, err := dst.openExisting(ctx, true)
	if err != nil {
		return err
	}
	defer check.Close()
	if err := check.Check(ctx); err != nil {
		return fmt.Errorf("the copy in %s fails its check: %w", dst, err)
	}
	if res.History {
		fmt.Fprintf(stdout, "copied the store with its history from %s to %s in %s\n", src.name(), dst.name(), time.Since(start).Round(time.Millisecond))
	} else {
		fmt.Fprintf(stdout, "copied %d keys from %s to %s in %s\n", res.Keys, src.name(), dst.name(), time.Since(start).Round(time.Millisecond))
	}
	return nil
}
