package store

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ties-graph/ties/store/kv"
	"github.com/ties-graph/ties/store/kv/badgerkv"
	"github.com/ties-graph/ties/store/kv/pgkv"
)

// versionCodec reads and writes one backend's backup as a stream of
// versions.
type versionCodec struct {
	read  func(io.Reader, func(kv.Version) error) (uint64, error)
	write func(io.Writer) (add func(kv.Version) error, close func(last uint64) error)
}

// versionCodecOf returns the codec of the backend named name, for the
// backends whose backups carry every version with its commit timestamp.
// Both take timestamps in badgerkv's hybrid logical format (see New), so a
// version keeps its recorded time across them.
func versionCodecOf(name string) (versionCodec, bool) {
	switch name {
	case "badger":
		return versionCodec{
			read: badgerkv.ReadVersions,
			write: func(w io.Writer) (func(kv.Version) error, func(uint64) error) {
				vw := badgerkv.NewVersionWriter(w)
				return vw.Add, func(uint64) error { return vw.Close() }
			},
		}, true
	case "postgres":
		return versionCodec{
			read: pgkv.ReadVersions,
			write: func(w io.Writer) (func(kv.Version) error, func(uint64) error) {
				vw := pgkv.NewVersionWriter(w)
				return vw.Add, vw.Close
			},
		}, true
	}
	return versionCodec{}, false
}

// errStageEnded closes a pipe whose other end stopped: an error it causes
// upstream is a consequence, not the cause.
var errStageEnded = errors.New("the next stage of the copy ended")

// copyVersions copies every version of s into dst when their backends
// differ but both keep history: s's backup, read as versions, is written
// as a backup of dst's backend and restored there, each version at its own
// commit timestamp, so asOf reads of dst answer as those of s did. It
// streams through two pipes, in constant memory. ok is false when either
// backend has no such backup.
func copyVersions(ctx context.Context, s, dst *Store) (_ CopyResult, ok bool, _ error) {
	from, fok := s.db.(kv.Backuper)
	to, tok := dst.db.(kv.Backuper)
	src, sok := versionCodecOf(s.db.Features().Name)
	out, dok := versionCodecOf(dst.db.Features().Name)
	if !fok || !tok || !sok || !dok || !s.db.Features().VersionedReads || !dst.db.Features().VersionedReads {
		return CopyResult{}, false, nil
	}
	backupR, backupDone := backupStream(ctx, from)
	restoreR, restoreW := io.Pipe()
	convertDone := make(chan error, 1)
	go func() {
		add, closeOut := out.write(restoreW)
		last, err := src.read(backupR, add)
		if err == nil {
			err = closeOut(last)
		}
		backupR.CloseWithError(errStageEnded)
		restoreW.CloseWithError(err)
		convertDone <- err
	}()
	dst.cache.begin(true)
	err := to.Restore(ctx, restoreR)
	restoreR.CloseWithError(errStageEnded)
	cerr, berr := <-convertDone, <-backupDone
	dst.cache.end(dst.db.LastCommit())
	// The first stage that failed of its own accord says why: a later
	// one fails when its input breaks, an earlier one when its output
	// is closed.
	cause := func(err error) bool {
		return err != nil && !errors.Is(err, errStageEnded) && !errors.Is(err, io.ErrClosedPipe)
	}
	for _, e := range []error{berr, cerr, err} {
		if cause(e) {
			err = e
			break
		}
	}
	if err != nil {
		return CopyResult{}, true, fmt.Errorf("copy with history: %w", err)
	}
	return CopyResult{History: true}, true, nil
}
