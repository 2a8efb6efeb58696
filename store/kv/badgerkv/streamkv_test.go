package badgerkv

import (
	"bytes"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/ristretto/v2/z"
)

// TestPutStreamKV checks that putStreamKV writes what badger.KVToBuffer
// writes for the same entry.
func TestPutStreamKV(t *testing.T) {
	long := []byte(strings.Repeat("v", 300))
	for _, tt := range []struct {
		key, value []byte
		version    uint64
	}{
		{[]byte("k"), []byte("v"), 1},
		{[]byte("k"), nil, 7},
		{[]byte("k"), []byte{}, 1 << 40},
		{bytes.Repeat([]byte{0xff}, 200), long, 127},
		{[]byte("k"), long, 128},
		{[]byte("k"), []byte("v"), 0},
	} {
		want := z.NewBuffer(1<<10, "test")
		badger.KVToBuffer(&pb.KV{Key: tt.key, Value: tt.value, Version: tt.version, StreamId: 1}, want)
		got := z.NewBuffer(1<<10, "test")
		putStreamKV(got, tt.key, tt.value, tt.version)
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("key %.10q, %d value bytes, version %d:\ngot  %x\nwant %x", tt.key, len(tt.value), tt.version, got.Bytes(), want.Bytes())
		}
		want.Release()
		got.Release()
	}
}
