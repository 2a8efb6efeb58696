package store

import "sync/atomic"

// writePause holds why writes are paused, or nil when they are not.
type writePause struct {
	reason atomic.Pointer[Error]
}

// PauseWrites makes every Apply and Load fail with an Unavailable error
// carrying message, until ResumeWrites; reads go on. A service pauses
// writes when the disk under its data directory is nearly full: badger
// crashes the process (SIGBUS on a memory-mapped file) when a write finds
// no space, and a paused store refuses the write with a message instead.
func (s *Store) PauseWrites(message string) {
	s.pause.reason.Store(&Error{Code: Unavailable, Message: message})
}

// ResumeWrites ends a PauseWrites.
func (s *Store) ResumeWrites() { s.pause.reason.Store(nil) }

// WritesPaused returns the error writes fail with while paused, or while
// Options.SpaceCheck finds too little room on the disk; nil otherwise.
func (s *Store) WritesPaused() error {
	if e := s.pause.reason.Load(); e != nil {
		return e
	}
	return s.CheckSpace()
}

// CheckSpace returns Options.SpaceCheck's verdict: an error when the disk
// has too little room to write, nil when it has or nothing checks. Code
// that writes into the data directory beside the store (an upload being
// spooled) asks it as it goes.
func (s *Store) CheckSpace() error {
	if s.opts.SpaceCheck == nil {
		return nil
	}
	return s.opts.SpaceCheck()
}
