package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/exchange"
)

const backupHelp = `
Writes a backup of the whole store, history included, to -o (or standard
output when it is not a terminal). Restore it with "ties restore" into an
empty data directory. The store is checked first (as ties check does) and
a store that fails the check is not backed up. The backup carries a
SHA-256 digest of every 4 MiB and a manifest, which restore verifies: a
damaged or cut-short backup is refused and the directory left empty.

With --url it streams a consistent backup from a running service (its
GET /backup endpoint, for admin keys) while the service goes on serving
and writing; without it, the data directory must not be held by a service.
`

// runBackup writes a backup of the data directory.
func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flagSet("backup", "backup [flags]", backupHelp, stderr)
	var (
		loc         location
		out         string
		base, token string
		env         = map[string]string{"url": "TIES_URL"}
	)
	addLocationFlags(fs, &loc, env, "data directory")
	fs.StringVar(&out, "o", "", "write the backup to this file (default standard output)")
	fs.StringVar(&base, "url", "", "back up the running service at this URL instead, with an admin key (TIES_URL)")
	tokenFlag(fs, &token, env)
	if err := parseFlags(fs, args, getenv, env); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("backup takes no arguments, got %q (use -o FILE)", fs.Args())}
	}
	if (out == "" || out == "-") && isTerminal(stdout) {
		return usageError{"backup writes binary data: give -o FILE or redirect standard output"}
	}
	if base != "" {
		return backupRemote(ctx, base, token, out, stdout)
	}
	st, err := loc.openExisting(ctx, true)
	if err != nil {
		return inUse(err, loc.data, ": back it up through the service with --url http://HOST:PORT and an admin key, or stop it first")
	}
	defer st.Close()
	// A store that fails its check would give a backup that restore
	// refuses: say so now, with the problems, rather than write it.
	if err := st.Check(ctx); err != nil {
		return fmt.Errorf("no backup written: the store in %s fails its check (run ties check for the full list): %w", loc.name(), err)
	}
	return writeOutput(out, stdout, func(w io.Writer) error { return st.Backup(ctx, w) })
}

// backupRemote streams GET /backup of a running service to the output. A
// transfer that breaks off fails, and leaves no file behind.
func backupRemote(ctx context.Context, base, token, out string, stdout io.Writer) error {
	c, err := exchange.NewClient(base, nil)
	if err != nil {
		return usageError{fmt.Sprintf("--url %q is not an http(s) URL such as http://localhost:8080", base)}
	}
	body, err := c.WithToken(token).Backup(ctx)
	if err != nil {
		if advice := refusalAdvice(base, token, store.ErrorCode(err), store.ErrorMessage(err)); advice != nil {
			return advice
		}
		var refused *store.Error
		if errors.As(err, &refused) {
			return fmt.Errorf("backup through %s: %w", base, err)
		}
		return err // a transport error, which names the service already
	}
	defer body.Close()
	return writeOutput(out, stdout, func(w io.Writer) error {
		if _, err := io.Copy(w, body); err != nil {
			return fmt.Errorf("backup through %s broke off: %w", base, err)
		}
		return nil
	})
}

const restoreHelp = `
Restores a backup written by "ties backup" into an empty (or new) data
directory. It refuses a directory that holds anything.
`

// runRestore loads a backup into an empty data directory.
func runRestore(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flagSet("restore", "restore [flags] FILE", restoreHelp, stderr)
	var (
		loc location
		env = map[string]string{}
	)
	addLocationFlags(fs, &loc, env, "data directory to restore into; must be empty")
	if err := parseFlags(fs, args, getenv, env); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"restore takes one argument, the backup FILE (\"-\" for standard input)"}
	}
	fd, err := freshTarget(loc, "restore into")
	if err != nil {
		return err
	}
	var r io.Reader = os.Stdin
	if name := fs.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		defer f.Close()
		r = f
	}
	st, err := loc.open(ctx, store.Options{SyncWrites: true})
	if err != nil {
		return err
	}
	// A failed restore leaves the directory as it found it, so that the
	// next attempt is not refused as "not empty".
	fail := func(err error) error {
		st.Close()
		fd.undo()
		return err
	}
	if err := st.Restore(ctx, r); err != nil {
		return fail(err)
	}
	if err := st.Check(ctx); err != nil {
		return fail(fmt.Errorf("the restored store fails its check: %w", err))
	}
	if err := st.Close(); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(stdout, "restored %s into %s\n", fs.Arg(0), loc.name())
	return nil
}
