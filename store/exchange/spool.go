package exchange

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ties-graph/ties/store"
)

// spool keeps the records of a typed export (CSV, GraphML, GEXF), which
// must declare every property before the first record, while the graph is
// read: one read of the store collects the schema and fills the spool,
// and the records are then written from it. Reading the store twice
// instead cost a second walk of point reads, which at 10 million
// relations took as long as the first. The spool is a temporary file,
// removed by close, so memory holds its buffers only, whatever the size of the
// graph; the disk holds an NDJSON export of the scope, the lossless
// format, whose decoder reads it back.
type spool struct {
	f *os.File
	w *ndjsonWriter
	// entities and relations count the records written, in that order.
	entities, relations int
}

func newSpool() (*spool, error) {
	f, err := os.CreateTemp("", "ties-export-*")
	if err != nil {
		return nil, fmt.Errorf("export spool: %w", err)
	}
	return &spool{f: f, w: newNDJSONWriter(f)}, nil
}

func (s *spool) entity(e *store.Entity) error {
	s.entities++
	return s.w.entity(e)
}

func (s *spool) relation(r *store.Relation) error {
	s.relations++
	return s.w.relation(r)
}

// replay calls entity for every entity spooled, then relation for every
// relation, in the order they were spooled.
func (s *spool) replay(entity func(*store.Entity) error, endEntities func() error, relation func(*store.Relation) error) error {
	if err := s.w.end(); err != nil {
		return fmt.Errorf("export spool: %w", err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("export spool: %w", err)
	}
	r := bufio.NewReaderSize(s.f, 1<<20)
	var m map[string]json.RawMessage
	var line int64
	next := func() (store.Record, error) {
		b, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A record longer than the buffer: read the rest of it.
			var rest []byte
			rest, err = r.ReadBytes('\n')
			b = append(bytes.Clone(b), rest...)
		}
		if err != nil {
			return store.Record{}, fmt.Errorf("export spool: %w", err)
		}
		line++
		rec, perr := decodeLine(b, "spool", line, m)
		if perr != nil {
			return store.Record{}, fmt.Errorf("export spool: %w", perr)
		}
		return rec, nil
	}
	for range s.entities {
		rec, err := next()
		if err != nil {
			return err
		}
		if rec.Entity == nil {
			return fmt.Errorf("export spool: line %d is no entity", line)
		}
		if err := entity(rec.Entity); err != nil {
			return err
		}
	}
	if err := endEntities(); err != nil {
		return err
	}
	for range s.relations {
		rec, err := next()
		if err != nil {
			return err
		}
		if rec.Relation == nil {
			return fmt.Errorf("export spool: line %d is no relation", line)
		}
		if err := relation(rec.Relation); err != nil {
			return err
		}
	}
	return nil
}

// close removes the spool.
func (s *spool) close() error {
	return errors.Join(s.f.Close(), os.Remove(s.f.Name()))
}
