package badgerkv

import (
	"encoding/binary"

	"github.com/dgraph-io/ristretto/v2/z"
)

// putStreamKV adds the entry key = value at version, of stream 1, to buf
// as badger.KVToBuffer would: a pb.KV in protobuf's wire format, which
// StreamWriter.Write decodes. KVToBuffer goes through protobuf's
// reflection to size and marshal each entry, a twentieth of a 1M-relation
// import's CPU; the four fields a bulk entry has are written here by hand,
// in field order, empty fields left out, as protobuf's marshaler writes
// them (TestPutStreamKV compares the two byte for byte).
func putStreamKV(buf *z.Buffer, key, value []byte, version uint64) {
	n := 1 + uvarintLen(uint64(len(key))) + len(key) + 2 // key, stream id
	if len(value) > 0 {
		n += 1 + uvarintLen(uint64(len(value))) + len(value)
	}
	if version != 0 {
		n += 1 + uvarintLen(version)
	}
	b := buf.SliceAllocate(n)[:0]
	b = append(b, kvKeyTag)
	b = binary.AppendUvarint(b, uint64(len(key)))
	b = append(b, key...)
	if len(value) > 0 {
		b = append(b, kvValueTag)
		b = binary.AppendUvarint(b, uint64(len(value)))
		b = append(b, value...)
	}
	if version != 0 {
		b = append(b, kvVersionTag)
		b = binary.AppendUvarint(b, version)
	}
	_ = append(b, kvStreamIDTag, 1)
}

// The tags of pb.KV's fields (field number << 3 | wire type), from
// badger's pb/badgerpb4.proto: key = 1 and value = 2 are length-delimited
// (2), version = 4 and stream_id = 10 varints (0).
const (
	kvKeyTag      = 1<<3 | 2
	kvValueTag    = 2<<3 | 2
	kvVersionTag  = 4<<3 | 0
	kvStreamIDTag = 10<<3 | 0
)

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}
