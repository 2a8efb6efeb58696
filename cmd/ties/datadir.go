package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// isFresh reports whether dir is missing or empty.
func isFresh(dir string) (bool, error) {
	g, err := watchFresh(dir)
	return g.fresh, err
}

// freshDir remembers whether a data directory was missing or empty before
// a command opened it, so that a command that leaves nothing in it (a
// failed restore or import, a dry run) can leave it as it found it rather
// than with an empty store in it.
type freshDir struct {
	dir            string
	fresh, existed bool
}

// watchTarget watches the data directory of l, the target of a command;
// a database is not a directory to leave as found, and gets the zero
// freshDir, whose undo does nothing.
func watchTarget(l location) (freshDir, error) {
	if l.postgres() {
		return freshDir{}, nil
	}
	return watchFresh(l.data)
}

// freshTarget is watchTarget for a command that writes a whole store and
// so refuses a data directory that holds anything; verb says what it does
// there, such as "restore into". A database is checked when it is opened.
func freshTarget(l location, verb string) (freshDir, error) {
	fd, err := watchTarget(l)
	if err == nil && !l.postgres() && !fd.fresh {
		err = fmt.Errorf("the data directory %s is not empty; %s a new or empty directory", l.data, verb)
	}
	return fd, err
}

func watchFresh(dir string) (freshDir, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return freshDir{dir: dir, fresh: true}, nil
	}
	if err != nil {
		return freshDir{dir: dir}, fmt.Errorf("read the data directory: %w", err)
	}
	return freshDir{dir: dir, fresh: len(entries) == 0, existed: true}, nil
}

// undo empties a directory that was fresh, or removes it if it was
// missing; it leaves any other directory alone. The store in it must be
// closed.
func (f freshDir) undo() {
	if !f.fresh {
		return
	}
	if !f.existed {
		os.RemoveAll(f.dir)
		return
	}
	if entries, err := os.ReadDir(f.dir); err == nil {
		for _, e := range entries {
			os.RemoveAll(filepath.Join(f.dir, e.Name()))
		}
	}
}
