package store

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// Spool is a temporary file of records, read back in the order they were
// added. A load keeps the records of its first pass in one for its
// second, so that it reads and decodes its source once (decoding NDJSON
// was about two fifths of a load's CPU time, paid twice); a typed export
// keeps its records in one while it collects the properties it must
// declare first. A spooled record comes back through the body codec
// (codec.go), which costs a fraction of decoding NDJSON. Memory holds the
// buffers only; the disk about the size of the bodies. Close removes it.
//
// A record is its kind (loadSpoolOther for the ontology's records, which
// come back empty but for their line), its line, then for an entity or a
// relation the fields it carries (Record.Fields, for a merge), its type name and its body as appendEntity or appendRelation
// encode it, with no interned type or endpoints. Records the codec cannot
// hold exactly (Spoolable) must not be added.
type Spool struct {
	f   *os.File
	w   *bufio.Writer
	buf []byte
}

const (
	loadSpoolOther byte = iota
	loadSpoolEntity
	loadSpoolRelation
)

// NewSpool creates a spool in the system's temporary directory; it
// returns the error of creating the file.
func NewSpool() (*Spool, error) {
	f, err := os.CreateTemp("", "ties-spool-*")
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	return &Spool{f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

// Add appends rec; it returns the error of writing the file.
func (sp *Spool) Add(rec Record) error {
	enc := encoder{b: sp.buf[:0]}
	switch {
	case rec.Entity != nil:
		enc.byte(loadSpoolEntity)
		enc.uvarint(uint64(rec.Line))
		enc.byte(byte(rec.Fields))
		enc.str(rec.Entity.Type)
		enc.b = appendEntity(enc.b, rec.Entity, 0)
	case rec.Relation != nil:
		enc.byte(loadSpoolRelation)
		enc.uvarint(uint64(rec.Line))
		enc.byte(byte(rec.Fields))
		enc.str(rec.Relation.Type)
		enc.b = appendRelation(enc.b, rec.Relation, 0, 0, 0)
	default:
		enc.byte(loadSpoolOther)
		enc.uvarint(uint64(rec.Line))
	}
	sp.buf = enc.b
	var n [binary.MaxVarintLen64]byte
	if _, err := sp.w.Write(binary.AppendUvarint(n[:0], uint64(len(sp.buf)))); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if _, err := sp.w.Write(sp.buf); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	return nil
}

// Replay is a RecordSource over the spooled records, from the first. It
// returns yield's error, or the error of reading the file.
func (sp *Spool) Replay(ctx context.Context, yield func(Record) error) error {
	if err := sp.w.Flush(); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if _, err := sp.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	r := bufio.NewReaderSize(sp.f, 1<<20)
	for i := 1; ; i++ {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		n, err := binary.ReadUvarint(r)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("spool: %w", err)
		}
		if uint64(cap(sp.buf)) < n {
			sp.buf = make([]byte, n)
		}
		b := sp.buf[:n]
		if _, err := io.ReadFull(r, b); err != nil {
			return fmt.Errorf("spool: %w", err)
		}
		rec, err := decodeSpooled(b)
		if err != nil {
			return err
		}
		if err := yield(rec); err != nil {
			return err
		}
	}
}

// decodeSpooled decodes one spooled record; its strings are copied out of
// b, which the spool reuses.
func decodeSpooled(b []byte) (Record, error) {
	d := decoder{s: string(b)}
	kind := d.byte()
	rec := Record{Line: int64(d.uvarint())}
	switch kind {
	case loadSpoolEntity:
		rec.Fields = Fields(d.byte())
		typ := d.str()
		if d.err != nil {
			break
		}
		eb, err := decodeEntityString(d.s)
		if err != nil {
			return Record{}, fmt.Errorf("spool: %w", err)
		}
		eb.e.Type = typ
		rec.Entity = eb.e
	case loadSpoolRelation:
		rec.Fields = Fields(d.byte())
		typ := d.str()
		if d.err != nil {
			break
		}
		rb, err := decodeRelationString(d.s)
		if err != nil {
			return Record{}, fmt.Errorf("spool: %w", err)
		}
		rb.r.Type = typ
		rec.Relation = rb.r
	}
	if d.err != nil {
		return Record{}, fmt.Errorf("spool: %w", d.err)
	}
	return rec, nil
}

// Close removes the spool.
func (sp *Spool) Close() error {
	return errors.Join(sp.f.Close(), os.Remove(sp.f.Name()))
}

// spoolRecord keeps rec for the second pass. A record the body codec
// would not give back as it came (a list nested in a list, an unknown
// kind of value, a retrieval time it cannot encode: all refused by
// validation, which must see them as they were) ends the spool, as does
// a failure to write it, and the second pass reads the source again.
func (l *loader) spoolRecord(rec Record) error {
	if l.spool == nil {
		return nil
	}
	if !Spoolable(rec) {
		l.dropSpool()
		return nil
	}
	if err := l.spool.Add(rec); err != nil {
		// A full temporary directory costs the load its second read of
		// the source, not its success.
		l.log.Warn("load reads its source twice", "err", err)
		l.dropSpool()
	}
	return nil
}

// dropSpool abandons the spool, if any.
func (l *loader) dropSpool() {
	if l.spool != nil {
		l.spool.Close()
		l.spool = nil
	}
}

// secondPass returns what the second pass reads: the spool, or the source.
func (l *loader) secondPass(src RecordSource) RecordSource {
	if l.spool != nil {
		return l.spool.Replay
	}
	return src
}

// Spoolable reports whether a Spool gives rec back exactly: not for a
// list nested in a list, an unknown kind of value or a retrieval time
// the codec cannot encode, all of which validation refuses (records read
// from a store are always spoolable).
func Spoolable(rec Record) bool {
	var props Properties
	var sources []Source
	switch {
	case rec.Entity != nil:
		props, sources = rec.Entity.Properties, rec.Entity.Sources
	case rec.Relation != nil:
		props, sources = rec.Relation.Properties, rec.Relation.Sources
	}
	for _, v := range props {
		if !codecValue(v, 0) {
			return false
		}
	}
	for _, s := range sources {
		if s.RetrievedAt != nil {
			if _, err := s.RetrievedAt.MarshalBinary(); err != nil {
				return false
			}
		}
	}
	return true
}

// codecValue reports whether the body codec encodes v losslessly.
func codecValue(v Value, depth int) bool {
	switch v.Kind {
	case KindNull, KindText, KindNumber, KindBool, KindDate, KindGeo:
		return true
	case KindList:
		if depth > 0 {
			return false
		}
		for _, x := range v.List {
			if !codecValue(x, depth+1) {
				return false
			}
		}
		return true
	}
	return false
}
