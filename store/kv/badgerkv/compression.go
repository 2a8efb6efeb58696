package badgerkv

import (
	"fmt"

	"github.com/dgraph-io/badger/v4/options"
)

// Compression is how the blocks of the tables that badger writes from now
// on are stored. Badger records the choice with every table in its
// manifest, so a directory may hold tables of either kind, and a store
// written with one opens and reads with the other: the option only decides
// what new tables (a bulk load's, compactions') are made of.
type Compression int

const (
	// CompressionDefault means DefaultCompression.
	CompressionDefault Compression = iota
	// CompressionNone stores blocks as they are: reads that miss the
	// block cache skip decompressing (a full scan, ties check, took about
	// a tenth less CPU), but tables take about twice the disk, and a bulk
	// load spends more CPU copying and syncing the larger tables than it
	// saves on compressing them (BENCHMARKS.md).
	CompressionNone
	// CompressionSnappy compresses every block with Snappy, badger's own
	// default and this package's: about half the disk, and the cheapest
	// bulk load measured.
	CompressionSnappy
	// CompressionZSTD compresses every block with Zstandard at level 1:
	// smaller tables than Snappy's, for more CPU at load and read.
	CompressionZSTD
)

// DefaultCompression is the compression of Options.Compression's zero
// value. Snappy measured cheaper for a bulk load than storing blocks as
// they are (the bytes saved cost less to compress than to copy into the
// table files and sync) and than ZSTD.
const DefaultCompression = CompressionSnappy

// String returns the name ParseCompression accepts.
func (c Compression) String() string {
	switch c {
	case CompressionDefault:
		return "default"
	case CompressionNone:
		return "none"
	case CompressionSnappy:
		return "snappy"
	case CompressionZSTD:
		return "zstd"
	}
	return fmt.Sprintf("Compression(%d)", int(c))
}

// ParseCompression returns the Compression that String names.
func ParseCompression(s string) (Compression, error) {
	for _, c := range []Compression{CompressionDefault, CompressionNone, CompressionSnappy, CompressionZSTD} {
		if c.String() == s {
			return c, nil
		}
	}
	return 0, fmt.Errorf("unknown table compression %q (want none, snappy, zstd or default)", s)
}

// badgerCompression is c in badger's terms.
func (c Compression) badgerCompression() (options.CompressionType, error) {
	if c == CompressionDefault {
		c = DefaultCompression
	}
	switch c {
	case CompressionNone:
		return options.None, nil
	case CompressionSnappy:
		return options.Snappy, nil
	case CompressionZSTD:
		return options.ZSTD, nil
	}
	return 0, fmt.Errorf("unknown table compression %v", c)
}
