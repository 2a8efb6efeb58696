package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/ties-graph/ties/store"
)

// location is where a command's store is: a data directory (--data, the
// default) or a PostgreSQL database (--store).
type location struct {
	data string
	url  string
}

// storeHelp is the help of --store, the same on every command.
const storeHelp = "a PostgreSQL database to use instead of --data, such as postgres://user@host:5432/ties; several hosts with target_session_attrs=read-write follow a failover"

// addLocationFlags declares --data and --store on fs and records their
// environment variables in env.
func addLocationFlags(fs *flag.FlagSet, l *location, env map[string]string, dataHelp string) {
	fs.StringVar(&l.data, "data", "./ties-data", dataHelp+" (TIES_DATA)")
	fs.StringVar(&l.url, "store", "", storeHelp+" (TIES_STORE)")
	env["data"] = "TIES_DATA"
	env["store"] = "TIES_STORE"
}

// parseLocation reads a --from or --to of ties copy: a postgres:// URL or
// a directory.
func parseLocation(s string) location {
	if isPostgresURL(s) {
		return location{url: s}
	}
	return location{data: s}
}

func isPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// check refuses a --store that is not a PostgreSQL URL.
func (l location) check() error {
	if l.url != "" && !isPostgresURL(l.url) {
		return usageError{fmt.Sprintf("--store takes a postgres:// URL, got %q (a directory goes in --data)", redactURL(l.url))}
	}
	return nil
}

func (l location) postgres() bool { return l.url != "" }

// String names the location for messages, without a password.
func (l location) String() string {
	if l.postgres() {
		return "the database " + redactURL(l.url)
	}
	return "the data directory " + l.data
}

// name is the directory, or the URL without a password.
func (l location) name() string {
	if l.postgres() {
		return redactURL(l.url)
	}
	return l.data
}

// redactURL drops the password from a connection URL.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// open opens (creating if needed) the store at l.
func (l location) open(ctx context.Context, opts store.Options) (*store.Store, error) {
	if err := l.check(); err != nil {
		return nil, err
	}
	var (
		st  *store.Store
		err error
	)
	if l.postgres() {
		st, err = store.OpenPostgres(ctx, l.url, opts)
	} else {
		st, err = store.Open(l.data, opts)
	}
	if errors.Is(err, store.ErrLocked) {
		return nil, lockedError{dir: l.data, err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", l, err)
	}
	return st, nil
}

// openExisting opens the store at l, which must exist: the tools that
// read a store must not create an empty one where a path was mistyped. (A
// read-only open of a database never creates the tables.)
// inUse rewords err, when a running service holds the data directory
// dir, as advice on what to do instead (such as ": export through it with
// --url http://HOST:PORT"); any other error passes unchanged.
func inUse(err error, dir, advice string) error {
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("the data directory %s is in use by a running ties service%s", dir, advice)
	}
	return err
}

func (l location) openExisting(ctx context.Context, readOnly bool) (*store.Store, error) {
	if !l.postgres() {
		if _, err := os.Stat(l.data); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
	}
	return l.open(ctx, store.Options{ReadOnly: readOnly, SyncWrites: !readOnly})
}
