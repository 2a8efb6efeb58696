package exchange

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/ties-graph/ties/store"
)

// A CSV export is a zip of nodes.csv and relationships.csv, and a zip is
// what import takes back: expandZips turns a CSV input that is a zip into
// one input per CSV file in it, named "graph.zip/nodes.csv", so that errors
// name the member and its line.

// zipMagic starts every zip file.
var zipMagic = []byte("PK\x03\x04")

// maxZipInMemory bounds a zip input that is not a file on disk, which
// archive/zip must read at random.
const maxZipInMemory = 256 << 20

// expandZips returns inputs with every CSV input that is a zip replaced by
// the CSV files it holds.
func expandZips(inputs []Input) ([]Input, error) {
	var out []Input
	for _, in := range inputs {
		format := in.Format
		if format == "" {
			format, _ = DetectFormat(in.Name)
		}
		if format != CSV {
			out = append(out, in)
			continue
		}
		isZip, err := startsWithZip(in)
		if err != nil {
			return nil, err
		}
		if !isZip {
			out = append(out, in)
			continue
		}
		members, err := zipMembers(in)
		if err != nil {
			return nil, err
		}
		out = append(out, members...)
	}
	return out, nil
}

func startsWithZip(in Input) (bool, error) {
	rc, err := in.Open()
	if err != nil {
		return false, fmt.Errorf("open %s: %w", in.Name, err)
	}
	defer rc.Close()
	magic, _ := bufio.NewReaderSize(rc, 16).Peek(len(zipMagic))
	return bytes.Equal(magic, zipMagic), nil
}

// openZip opens in as a zip archive; release closes it.
func openZip(in Input) (zr *zip.Reader, release func(), err error) {
	rc, err := in.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", in.Name, err)
	}
	var (
		ra   io.ReaderAt
		size int64
	)
	if f, ok := rc.(*os.File); ok {
		fi, err := f.Stat()
		if err != nil {
			rc.Close()
			return nil, nil, fmt.Errorf("open %s: %w", in.Name, err)
		}
		ra, size = f, fi.Size()
	} else {
		b, err := io.ReadAll(io.LimitReader(rc, maxZipInMemory+1))
		if err != nil {
			rc.Close()
			return nil, nil, fmt.Errorf("read %s: %w", in.Name, err)
		}
		if len(b) > maxZipInMemory {
			rc.Close()
			return nil, nil, store.Errorf(store.TooLarge, "%s: a zip over %d bytes must be a file on disk", in.Name, maxZipInMemory)
		}
		ra, size = bytes.NewReader(b), int64(len(b))
	}
	zr, err = zip.NewReader(ra, size)
	if err != nil {
		rc.Close()
		return nil, nil, store.FieldError(in.Name, "", "not a valid zip file: %v", err)
	}
	return zr, func() { rc.Close() }, nil
}

// zipMembers lists the CSV files of the zip in, in archive order, as
// inputs that reopen the archive on each pass.
func zipMembers(in Input) ([]Input, error) {
	zr, closeZip, err := openZip(in)
	if err != nil {
		return nil, err
	}
	defer closeZip()
	var out []Input
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || !strings.EqualFold(path.Ext(f.Name), ".csv") {
			continue
		}
		name, member := in.Name+"/"+f.Name, f.Name
		limit := max(minBombLimit, bombRatio*int64(f.CompressedSize64))
		out = append(out, Input{
			Name:   name,
			Format: CSV,
			Size:   int64(f.UncompressedSize64),
			Open: func() (io.ReadCloser, error) {
				zr, closeZip, err := openZip(in)
				if err != nil {
					return nil, err
				}
				for _, f := range zr.File {
					if f.Name != member {
						continue
					}
					rc, err := f.Open()
					if err != nil {
						closeZip()
						return nil, store.FieldError(name, "", "cannot read from the zip: %v", err)
					}
					br := &boundedReader{r: rc, left: limit, limit: limit, name: name, what: "zip member"}
					return readCloser{Reader: br, close: func() error { rc.Close(); closeZip(); return nil }}, nil
				}
				closeZip()
				return nil, store.FieldError(name, "", "the zip no longer holds %s", member)
			},
		})
	}
	if len(out) == 0 {
		return nil, store.FieldError(in.Name, "", "the zip holds no .csv file (a Ties CSV export holds nodes.csv and relationships.csv)")
	}
	return out, nil
}

// readCloser closes with its own function.
type readCloser struct {
	io.Reader
	close func() error
}

func (r readCloser) Close() error { return r.close() }
