package pgkv

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/ties-graph/ties/store/kv"
)

// ReadVersions reads a backup written by Backup and calls fn for every
// version in it, in key and timestamp order. It returns the newest commit
// timestamp the backup records, an error wrapping kv.ErrNotBackup for a
// stream that is not a whole backup of this backend, and fn's error.
func ReadVersions(r io.Reader, fn func(kv.Version) error) (last uint64, err error) {
	br := bufio.NewReaderSize(r, 1<<20)
	head := make([]byte, len(backupMagic))
	if _, err := io.ReadFull(br, head); err != nil || !bytes.Equal(head, backupMagic) {
		return 0, fmt.Errorf("read backup: %w: it does not start as a backup of the postgres backend", kv.ErrNotBackup)
	}
	cut := func(err error) error {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("read backup: %w: the backup is cut short or damaged: %w", kv.ErrNotBackup, err)
	}
	for {
		n, err := binary.ReadUvarint(br)
		if err != nil {
			return 0, cut(err)
		}
		if n == 0 {
			break
		}
		if n > maxKey {
			return 0, cut(fmt.Errorf("a key of %d bytes", n))
		}
		v := kv.Version{Key: make([]byte, n)}
		if _, err := io.ReadFull(br, v.Key); err != nil {
			return 0, cut(err)
		}
		if v.Ts, err = binary.ReadUvarint(br); err != nil {
			return 0, cut(err)
		}
		vn, err := binary.ReadUvarint(br)
		if err != nil {
			return 0, cut(err)
		}
		if vn == 0 {
			v.Deleted = true
		} else {
			if vn-1 > 1<<30 {
				return 0, cut(fmt.Errorf("a value of %d bytes", vn-1))
			}
			v.Value = make([]byte, vn-1)
			if _, err := io.ReadFull(br, v.Value); err != nil {
				return 0, cut(err)
			}
		}
		if err := fn(v); err != nil {
			return 0, err
		}
	}
	if last, err = binary.ReadUvarint(br); err != nil {
		return 0, cut(err)
	}
	return last, nil
}

// VersionWriter writes versions as a backup that Restore loads, with
// their timestamps: the way a history kept by another backend comes into
// PostgreSQL.
type VersionWriter struct {
	bw *bufio.Writer
}

// NewVersionWriter returns a VersionWriter writing to w; it writes the
// backup's header at once.
func NewVersionWriter(w io.Writer) *VersionWriter {
	vw := &VersionWriter{bw: bufio.NewWriterSize(w, 1<<20)}
	vw.bw.Write(backupMagic)
	return vw
}

func (vw *VersionWriter) uvarint(x uint64) {
	var num [binary.MaxVarintLen64]byte
	vw.bw.Write(binary.AppendUvarint(num[:0], x))
}

// Add writes one version. The versions of a key must come together and
// oldest first (Restore takes the last of a key's run as its newest);
// keys may come in any order.
func (vw *VersionWriter) Add(v kv.Version) error {
	vw.uvarint(uint64(len(v.Key)))
	vw.bw.Write(v.Key)
	vw.uvarint(v.Ts)
	if v.Deleted {
		vw.uvarint(0)
		return nil
	}
	vw.uvarint(uint64(len(v.Value)) + 1)
	_, err := vw.bw.Write(v.Value)
	return err
}

// Close ends the backup with last, the newest commit timestamp it holds,
// and flushes; it does not close the underlying writer.
func (vw *VersionWriter) Close(last uint64) error {
	vw.uvarint(0)
	vw.uvarint(last)
	return vw.bw.Flush()
}
