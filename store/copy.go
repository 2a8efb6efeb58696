package store

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ties-graph/ties/store/kv/badgerkv"
	"github.com/ties-graph/ties/store/kv/pgkv"

	"github.com/ties-graph/ties/store/kv"
)

// This file holds CopyTo, the copy of a store into another, on the same
// backend or across badger and PostgreSQL: by the backend's backup stream
// with every version where both keep versions, else key by key.

// CopyResult says what CopyTo copied.
type CopyResult struct {
	// History says that every version was copied, through the backend's
	// own backup stream; Keys, SourceTs and CommitTs are then 0.
	History  bool
	Keys     int    // keys written, change-log records included
	SourceTs uint64 // the commit of s that was copied
	CommitTs uint64 // dst's commit that holds the copy
}

// CopyTo writes everything s holds at its newest commit into dst, key for
// key (the graph, its ontology, counters and change log), as one batch
// of dst: the copy becomes visible all at once, or not at all; dst's
// history then starts at the copy. That is the fallback for a backend
// that keeps no versions. Between two stores on the same backend, it
// streams the backend's backup of s into dst instead, and between badger
// and PostgreSQL it converts one's backup into the other's
// (copyVersions): every version, at its own commit timestamp, so the
// history and asOf reads move with the store. dst must
// never have been written;
// close it after the copy, since what it cached of its empty state is
// stale. Errors: an *Error with code Invalid when dst holds data.
func (s *Store) CopyTo(ctx context.Context, dst *Store) (CopyResult, error) {
	never, err := dst.NeverWritten(ctx)
	if err != nil {
		return CopyResult{}, fmt.Errorf("copy: %w", err)
	}
	if !never {
		return CopyResult{}, Errorf(Invalid, "the destination already holds a store; copy into an empty one")
	}
	if from, ok := s.db.(kv.Backuper); ok && s.db.Features().Name == dst.db.Features().Name {
		if to, ok := dst.db.(kv.Backuper); ok {
			return copyHistory(ctx, from, to, dst)
		}
	}
	if res, ok, err := copyVersions(ctx, s, dst); ok {
		return res, err
	}
	tx, err := s.db.Begin(ctx, kv.TxnOptions{})
	if err != nil {
		return CopyResult{}, fmt.Errorf("copy: begin read: %w", err)
	}
	defer tx.Discard()
	b, err := dst.db.NewBatch(ctx)
	if err != nil {
		return CopyResult{}, fmt.Errorf("copy: %w", err)
	}
	dst.cache.begin(true)
	defer func() { dst.cache.end(dst.db.LastCommit()) }()
	res := CopyResult{SourceTs: tx.ReadTs()}
	it := tx.Iterate(kv.IterOptions{})
	for it.Rewind(); it.Valid(); it.Next() {
		if err := ctx.Err(); err != nil {
			it.Close()
			b.Cancel()
			return CopyResult{}, err
		}
		v, err := it.Value()
		if err == nil {
			err = b.Set(it.Key(), v)
		}
		if err != nil {
			it.Close()
			b.Cancel()
			return CopyResult{}, fmt.Errorf("copy key %x: %w", it.Key(), err)
		}
		res.Keys++
	}
	it.Close()
	if res.Keys == 0 {
		b.Cancel()
		return CopyResult{}, errors.New("copy: the source store is empty")
	}
	if res.CommitTs, err = b.Flush(); err != nil {
		return CopyResult{}, fmt.Errorf("copy: %w", err)
	}
	return res, nil
}

// backupStream runs from's backup into a pipe, for a reader to consume as
// it is written; done has the backup's error once it ends, which it does
// early when the reader closes the pipe.
func backupStream(ctx context.Context, from kv.Backuper) (*io.PipeReader, <-chan error) {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := from.Backup(ctx, pw)
		pw.CloseWithError(err)
		done <- err
	}()
	return pr, done
}

// copyHistory streams from's backup into to, the backend of dst, through
// a pipe: every version, in constant memory.
func copyHistory(ctx context.Context, from, to kv.Backuper, dst *Store) (CopyResult, error) {
	pr, done := backupStream(ctx, from)
	dst.cache.begin(true)
	err := to.Restore(ctx, pr)
	pr.CloseWithError(errors.New("restore ended"))
	berr := <-done
	dst.cache.end(dst.db.LastCommit())
	if err != nil {
		if berr != nil {
			err = berr // the restore failed because the backup did
		}
		return CopyResult{}, fmt.Errorf("copy with history: %w", err)
	}
	return CopyResult{History: true}, nil
}

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
