package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ties-graph/ties/store"
)

// writePauser is what the disk watch needs of the store.
type writePauser interface {
	PauseWrites(message string)
	ResumeWrites()
}

// diskWatch pauses the store's writes while the file system that holds
// the data directory has less than min bytes free, and resumes them once
// it has a quarter more than that again (so that a disk hovering at the
// line does not flap). Badger crashes the process with SIGBUS when a
// write to one of its memory-mapped files finds the disk full; a paused
// store refuses writes with UNAVAILABLE and a message instead, and reads
// go on.
type diskWatch struct {
	dir    string
	min    int64
	free   func(dir string) (int64, error)
	st     writePauser
	log    *slog.Logger
	paused bool
}

// check compares the free space with the limits once.
func (d *diskWatch) check() {
	free, err := d.free(d.dir)
	if err != nil {
		d.log.Warn("cannot read the free disk space; writes are not guarded", "dir", d.dir, "error", err)
		return
	}
	switch {
	case !d.paused && free < d.min:
		d.paused = true
		d.st.PauseWrites(fmt.Sprintf("writes are paused: the disk holding the data directory has %s free, less than the %s the service keeps (--min-free-disk); free some space and writes resume", formatBytes(free), formatBytes(d.min)))
		d.log.Error("disk nearly full: writes paused", "dir", d.dir, "free", free, "min", d.min)
	case d.paused && free >= d.min+d.min/4:
		d.paused = false
		d.st.ResumeWrites()
		d.log.Info("disk space recovered: writes resumed", "dir", d.dir, "free", free)
	}
}

// run checks at once and then every interval until ctx ends.
func (d *diskWatch) run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		d.check()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// checkFreeSpace is the store's SpaceCheck: an Unavailable error when the
// file system holding dir has less than min bytes free. It runs before
// every write reaches badger, so no write path (a mutation, an upload
// being spooled, a bulk load between chunks) waits for the watch's next
// look to find the disk full.
func checkFreeSpace(dir string, min int64, free func(string) (int64, error)) error {
	n, err := free(dir)
	if err != nil {
		// Unknown is not full: the watch logs the failure.
		return nil
	}
	if n < min {
		return store.Errorf(store.Unavailable, "writes are refused: the disk holding the data directory has %s free, less than the %s the service keeps (--min-free-disk); free some space and retry", formatBytes(n), formatBytes(min))
	}
	return nil
}

// formatBytes writes n in the largest binary unit that keeps it at 1 or
// more, as --min-free-disk and --memory-limit read them.
func formatBytes(n int64) string {
	for _, u := range []struct {
		name string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size {
			return fmt.Sprintf("%.1f %s", float64(n)/float64(u.size), u.name)
		}
	}
	return fmt.Sprintf("%d B", n)
}
