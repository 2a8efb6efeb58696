package badgerkv

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/dgraph-io/badger/v4/pb"
	"google.golang.org/protobuf/proto"

	"github.com/ties-graph/ties/store/kv"
)

// ReadVersions reads a backup written by Backup and calls fn for every
// version in it, each key's versions oldest first and together (keys in
// no particular order). It returns the newest timestamp seen, an error
// wrapping kv.ErrNotBackup for a stream that is not such a backup, and
// fn's error.
func ReadVersions(r io.Reader, fn func(kv.Version) error) (last uint64, err error) {
	fr := &frameReader{r: r}
	var head [8]byte
	for {
		if _, err := io.ReadFull(fr, head[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return last, nil
			}
			return last, fmt.Errorf("read backup: %w", err)
		}
		buf := make([]byte, binary.LittleEndian.Uint64(head[:]))
		if _, err := io.ReadFull(fr, buf); err != nil {
			return last, fmt.Errorf("read backup: %w", err)
		}
		var list pb.KVList
		if err := proto.Unmarshal(buf, &list); err != nil {
			return last, fmt.Errorf("read backup: %w: %w", kv.ErrNotBackup, err)
		}
		// Backup lists each key's versions newest first, together.
		for i := 0; i < len(list.Kv); {
			j := i + 1
			for j < len(list.Kv) && string(list.Kv[j].Key) == string(list.Kv[i].Key) {
				j++
			}
			run := list.Kv[i:j]
			slices.SortFunc(run, func(a, b *pb.KV) int { return cmpUint(a.Version, b.Version) })
			for _, e := range run {
				v := kv.Version{Key: e.Key, Ts: e.Version, Value: e.Value}
				if len(e.Meta) > 0 && e.Meta[0]&deleteMeta != 0 {
					v.Value, v.Deleted = nil, true
				}
				last = max(last, e.Version)
				if err := fn(v); err != nil {
					return last, err
				}
			}
			i = j
		}
	}
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// VersionWriter writes versions as a backup that Restore loads, with
// their timestamps: the way a history kept by another backend comes into
// badger.
type VersionWriter struct {
	w     io.Writer
	list  pb.KVList
	bytes int
}

// NewVersionWriter returns a VersionWriter writing to w.
func NewVersionWriter(w io.Writer) *VersionWriter { return &VersionWriter{w: w} }

// versionFrame is about how much one record of the written backup holds.
const versionFrame = 4 << 20

// Add writes one version; the versions of a key may come in any order.
func (vw *VersionWriter) Add(v kv.Version) error {
	e := &pb.KV{Key: slices.Clone(v.Key), Version: v.Ts}
	if v.Deleted {
		e.Meta = []byte{deleteMeta}
	} else {
		e.Value = slices.Clone(v.Value)
	}
	vw.list.Kv = append(vw.list.Kv, e)
	vw.bytes += len(e.Key) + len(e.Value) + 16
	if vw.bytes >= versionFrame {
		return vw.flush()
	}
	return nil
}

func (vw *VersionWriter) flush() error {
	if len(vw.list.Kv) == 0 {
		return nil
	}
	err := writeKVList(vw.w, &vw.list)
	vw.list.Kv, vw.bytes = nil, 0
	return err
}

// Close writes what Add still holds; it does not close w.
func (vw *VersionWriter) Close() error { return vw.flush() }
