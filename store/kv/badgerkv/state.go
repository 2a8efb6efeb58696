package badgerkv

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// stateFile, in the data directory beside badger's files (which badger
// ignores), records what badger cannot: the batch in progress, for crash
// recovery, the timestamp ranges of rolled-back batches, and the history
// retention the directory was last opened with. It lives
// outside the keyspace so that the graph layer's keys, scans and backups
// never meet it.
const stateFile = "KVSTATE"

// hole is a range [from, to) of timestamps at which a rolled-back batch is
// partly visible: from is the batch's commit timestamp, to the rollback's.
type hole struct{ from, to uint64 }

// state is the backend's own bookkeeping, persisted in stateFile unless the
// store is in memory.
type state struct {
	mu      sync.Mutex
	dir     string // empty: in memory, nothing persisted
	pending uint64
	holes   []hole // sorted by from, not overlapping
	// retention is the history retention last given for the directory;
	// hasRetention says one was given at all.
	retention    time.Duration
	hasRetention bool
	// restoring is set while a Restore loads: a restore that did not
	// finish leaves part of a backup that nothing can tell from a store.
	restoring bool
}

// load reads the state file of dir, if any.
func (s *state) load(dir string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dir = dir
	data, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", stateFile, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		var a, b uint64
		var r int64
		switch {
		case len(sc.Bytes()) == 0:
		case scan(sc.Text(), "pending %d", &a):
			s.pending = a
		case scan(sc.Text(), "hole %d %d", &a, &b):
			s.holes = append(s.holes, hole{a, b})
		case scan(sc.Text(), "retention %d", &r):
			s.retention, s.hasRetention = time.Duration(r), true
		case sc.Text() == "restoring":
			s.restoring = true
		default:
			return fmt.Errorf("%s line %d: cannot parse %q", stateFile, line, sc.Text())
		}
	}
	sort.Slice(s.holes, func(i, j int) bool { return s.holes[i].from < s.holes[j].from })
	return nil
}

func scan(line, format string, args ...any) bool {
	n, err := fmt.Sscanf(line, format, args...)
	return err == nil && n == len(args)
}

// save writes the state file atomically: a crash leaves the old or the new
// file, never a torn one. Must be called with mu held.
func (s *state) save() error {
	if s.dir == "" {
		return nil
	}
	var buf bytes.Buffer
	if s.pending != 0 {
		fmt.Fprintf(&buf, "pending %d\n", s.pending)
	}
	for _, h := range s.holes {
		fmt.Fprintf(&buf, "hole %d %d\n", h.from, h.to)
	}
	if s.hasRetention {
		fmt.Fprintf(&buf, "retention %d\n", int64(s.retention))
	}
	if s.restoring {
		buf.WriteString("restoring\n")
	}
	path := filepath.Join(s.dir, stateFile)
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("write %s: %w", stateFile, err)
	}
	_, err = f.Write(buf.Bytes())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = syncDir(s.dir)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", stateFile, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// setPending records that a batch writes at ts.
func (s *state) setPending(ts uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = ts
	return s.save()
}

// clearPending records that no batch is in progress.
func (s *state) clearPending() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending == 0 {
		return nil
	}
	s.pending = 0
	return s.save()
}

// historyRetention returns the retention last recorded, if any.
func (s *state) historyRetention() (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.retention, s.hasRetention
}

// setHistoryRetention records the retention the directory is opened with.
func (s *state) setHistoryRetention(d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hasRetention && s.retention == d {
		return nil
	}
	s.retention, s.hasRetention = d, true
	return s.save()
}

// setRestoring records that a restore begins (true) or has finished.
func (s *state) setRestoring(on bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.restoring == on {
		return nil
	}
	s.restoring = on
	return s.save()
}

// isRestoring reports whether a restore was begun and not finished.
func (s *state) isRestoring() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.restoring
}

// pendingTs returns the timestamp of the batch in progress, or 0.
func (s *state) pendingTs() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pending
}

// addHole records a rolled-back batch.
func (s *state) addHole(from, to uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.holes = append(s.holes, hole{from, to})
	sort.Slice(s.holes, func(i, j int) bool { return s.holes[i].from < s.holes[j].from })
	return s.save()
}

// below returns ts, or the timestamp just before the hole that contains
// it, so that a versioned read never sees a rolled-back batch.
func (s *state) below(ts uint64) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := sort.Search(len(s.holes), func(i int) bool { return s.holes[i].to > ts })
	if i < len(s.holes) && s.holes[i].from <= ts {
		return s.holes[i].from - 1
	}
	return ts
}

// prune forgets holes entirely at or below the discard timestamp: badger
// no longer promises reads there.
func (s *state) prune(discardTs uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	keep := s.holes[:0]
	for _, h := range s.holes {
		if h.to > discardTs {
			keep = append(keep, h)
		}
	}
	if len(keep) == len(s.holes) {
		return nil
	}
	s.holes = keep
	return s.save()
}
