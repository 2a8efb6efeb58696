package store

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"

	"github.com/ties-graph/ties/store/kv"
)

// This file holds backups: Backup and Restore of a whole store through
// the backend's own stream, and the framed, checksummed file format both
// write and read.

// A backup file is the backend's backup stream cut into frames, each with
// its SHA-256 digest, followed by a manifest:
//
//	"TIES-BACKUP/1\n"
//	frame*:   uint32 length (big-endian, > 0) | 32-byte SHA-256 | data
//	end:      uint32 0
//	manifest: JSON {"format":1,"frames":N,"bytes":B,"sha256":"<hex of all data>"} "\n"
//
// Restore checks every frame before its bytes reach the store, and the
// manifest at the end, so a damaged or truncated backup is refused with
// where it is damaged, instead of restoring into something Check fails
// or that cannot be read.
const backupMagic = "TIES-BACKUP/1\n"

const backupFrameSize = 4 << 20

type backupManifest struct {
	Format int    `json:"format"`
	Frames int64  `json:"frames"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// frameWriter cuts what is written to it into digested frames.
type frameWriter struct {
	w     *bufio.Writer
	buf   []byte
	total hash.Hash
	m     backupManifest
}

func newFrameWriter(w io.Writer) (*frameWriter, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString(backupMagic); err != nil {
		return nil, err
	}
	return &frameWriter{w: bw, buf: make([]byte, 0, backupFrameSize), total: sha256.New(), m: backupManifest{Format: 1}}, nil
}

func (f *frameWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := min(len(p), backupFrameSize-len(f.buf))
		f.buf = append(f.buf, p[:k]...)
		p = p[k:]
		if len(f.buf) == backupFrameSize {
			if err := f.flushFrame(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

func (f *frameWriter) flushFrame() error {
	if len(f.buf) == 0 {
		return nil
	}
	var hdr [4 + sha256.Size]byte
	binary.BigEndian.PutUint32(hdr[:4], uint32(len(f.buf)))
	sum := sha256.Sum256(f.buf)
	copy(hdr[4:], sum[:])
	if _, err := f.w.Write(hdr[:]); err != nil {
		return err
	}
	if _, err := f.w.Write(f.buf); err != nil {
		return err
	}
	f.total.Write(f.buf)
	f.m.Frames++
	f.m.Bytes += int64(len(f.buf))
	f.buf = f.buf[:0]
	return nil
}

// close writes the last frame, the end mark and the manifest.
func (f *frameWriter) close() error {
	if err := f.flushFrame(); err != nil {
		return err
	}
	f.m.SHA256 = hex.EncodeToString(f.total.Sum(nil))
	if _, err := f.w.Write([]byte{0, 0, 0, 0}); err != nil {
		return err
	}
	b, _ := json.Marshal(f.m)
	if _, err := f.w.Write(append(b, '\n')); err != nil {
		return err
	}
	return f.w.Flush()
}

// frameReader yields the data of a backup file's frames, each checked
// against its digest, and io.EOF only after the manifest has been checked.
type frameReader struct {
	r     *bufio.Reader
	cur   []byte
	total hash.Hash
	seen  backupManifest
	err   error
}

// openBackup recognises a framed backup; legacy is true for a stream
// written before backups had checksums, returned whole in r.
func openBackup(src io.Reader) (r io.Reader, legacy bool, err error) {
	br := bufio.NewReaderSize(src, 64<<10)
	head, err := br.Peek(len(backupMagic))
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, false, fmt.Errorf("read the backup: %w", err)
	}
	if !bytes.Equal(head, []byte(backupMagic)) {
		return br, true, nil
	}
	br.Discard(len(backupMagic))
	return &frameReader{r: br, total: sha256.New()}, false, nil
}

func damaged(format string, args ...any) error {
	return &Error{Code: Invalid, Message: "the backup is damaged: " + fmt.Sprintf(format, args...)}
}

func (f *frameReader) Read(p []byte) (int, error) {
	for len(f.cur) == 0 {
		if f.err != nil {
			return 0, f.err
		}
		f.err = f.next()
	}
	n := copy(p, f.cur)
	f.cur = f.cur[n:]
	return n, nil
}

// next reads and checks one frame, or the end and the manifest.
func (f *frameReader) next() error {
	var hdr [4]byte
	if _, err := io.ReadFull(f.r, hdr[:]); err != nil {
		return damaged("it ends after %d frames (%d bytes) without its manifest: it was cut short", f.seen.Frames, f.seen.Bytes)
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n == 0 {
		return f.checkManifest()
	}
	if n > backupFrameSize {
		return damaged("frame %d claims %d bytes, more than a frame holds", f.seen.Frames+1, n)
	}
	buf := make([]byte, sha256.Size+int(n))
	if _, err := io.ReadFull(f.r, buf); err != nil {
		return damaged("frame %d (from byte %d) is cut short", f.seen.Frames+1, f.seen.Bytes)
	}
	want, data := buf[:sha256.Size], buf[sha256.Size:]
	if got := sha256.Sum256(data); !bytes.Equal(got[:], want) {
		return damaged("frame %d (bytes %d to %d) does not match its SHA-256 digest", f.seen.Frames+1, f.seen.Bytes, f.seen.Bytes+int64(n))
	}
	f.total.Write(data)
	f.seen.Frames++
	f.seen.Bytes += int64(n)
	f.cur = data
	return nil
}

func (f *frameReader) checkManifest() error {
	line, err := f.r.ReadBytes('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return damaged("its manifest cannot be read: %v", err)
	}
	var m backupManifest
	if err := json.Unmarshal(bytes.TrimSpace(line), &m); err != nil {
		return damaged("its manifest is not valid JSON")
	}
	sum := hex.EncodeToString(f.total.Sum(nil))
	switch {
	case m.Format != 1:
		return &Error{Code: Invalid, Message: fmt.Sprintf("the backup has format %d, which this version of Ties does not know", m.Format)}
	case m.Frames != f.seen.Frames || m.Bytes != f.seen.Bytes:
		return damaged("its manifest lists %d frames of %d bytes, the file holds %d of %d", m.Frames, m.Bytes, f.seen.Frames, f.seen.Bytes)
	case m.SHA256 != sum:
		return damaged("the SHA-256 of its data is %s, its manifest says %s", sum, m.SHA256)
	}
	return io.EOF
}

// Backup writes an online backup of the whole store to w: the backend's
// backup stream (badger's, history included) in frames with SHA-256
// digests and a manifest (the file format above), which Restore checks. It
// returns an Unavailable error when the backend cannot back up.
func (s *Store) Backup(ctx context.Context, w io.Writer) error {
	b, ok := s.db.(kv.Backuper)
	if !ok {
		return Errorf(Unavailable, "the %s backend does not support backups", s.db.Features().Name)
	}
	fw, err := newFrameWriter(w)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := b.Backup(ctx, fw); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := fw.close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// Restore loads a backup written by Backup into a store that holds no
// entities and no relations. It returns a Conflict error for a store with
// data and an Unavailable error when the backend cannot restore.
func (s *Store) Restore(ctx context.Context, r io.Reader) error {
	b, ok := s.db.(kv.Backuper)
	if !ok {
		return Errorf(Unavailable, "the %s backend does not support restoring backups", s.db.Features().Name)
	}
	empty, err := s.IsEmpty(ctx)
	if err != nil {
		return err
	}
	if !empty {
		return Errorf(Conflict, "restore needs an empty store; this one has data")
	}
	br, legacy, err := openBackup(r)
	if err != nil {
		return err
	}
	if legacy {
		s.log.Warn("restoring a backup without checksums, written before backups had them: it cannot be verified")
	}
	s.cache.begin(true)
	err = b.Restore(ctx, br)
	s.cache.end(s.db.LastCommit())
	s.commits.notify()
	s.mu.Lock()
	s.schema = nil
	s.mu.Unlock()
	s.keyring.Store(nil) // the backup brought its own keys
	if errors.Is(err, kv.ErrNotBackup) {
		msg := "the input is not a backup written by ties backup"
		if _, why, ok := strings.Cut(err.Error(), kv.ErrNotBackup.Error()+": "); ok {
			msg += ": " + why
		}
		return &Error{Code: Invalid, Message: msg}
	}
	var damage *Error
	if errors.As(err, &damage) {
		return damage
	}
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}
