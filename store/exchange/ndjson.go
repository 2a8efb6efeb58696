package exchange

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/ties-graph/ties/store"
)

// lineReader reads lines of at most max bytes. A longer line is skipped
// (its bytes discarded) and reported, so that one bad line does not hide the
// errors of the rest of the file.
type lineReader struct {
	r    *bufio.Reader
	max  int
	line int64
	buf  []byte
}

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 64<<10), max: max}
}

// next returns the next line without its line ending. tooLong is set when
// the line exceeded the limit (line is then nil). At the end it returns
// io.EOF.
func (lr *lineReader) next() (line []byte, tooLong bool, err error) {
	lr.buf = lr.buf[:0]
	for {
		chunk, err := lr.r.ReadSlice('\n')
		if !tooLong {
			// Keep up to two bytes more than the limit: the line ending.
			if len(lr.buf)+len(chunk) > lr.max+2 {
				tooLong = true
				lr.buf = lr.buf[:0]
			} else {
				lr.buf = append(lr.buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) && len(lr.buf) == 0 && !tooLong {
			return nil, false, io.EOF
		}
		lr.line++
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, false, err
		}
		if tooLong {
			return nil, true, nil
		}
		line = trimEOL(lr.buf)
		if len(line) > lr.max {
			return nil, true, nil
		}
		return line, false, nil
	}
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte{'\n'})
	return bytes.TrimSuffix(b, []byte{'\r'})
}

// decodeNDJSONLine decodes line n of the file name.
func decodeNDJSONLine(line []byte, name string, n int64) (store.Record, *store.Error) {
	return decodeLine(line, name, n, nil)
}

// decodeLine is decodeNDJSONLine with a map for the members (nil: a new
// one), which the caller may reuse once it returns. Entity and relation
// lines as this package writes them take decodeCanonicalLine, the rest
// decodeGeneralLine; both give the same record or error.
func decodeLine(line []byte, name string, n int64, m map[string]json.RawMessage) (store.Record, *store.Error) {
	if rec, ok := decodeCanonicalLine(line, n); ok {
		return rec, nil
	}
	return decodeGeneralLine(line, name, n, m)
}

// decodeGeneralLine decodes any line, through a map of its members (m,
// cleared first, or nil for a new one).
func decodeGeneralLine(line []byte, name string, n int64, m map[string]json.RawMessage) (store.Record, *store.Error) {
	clear(m)
	rec := name + ":" + strconv.FormatInt(n, 10)
	if !utf8.Valid(line) {
		return store.Record{}, store.FieldError(rec, "", "invalid UTF-8 at byte %d", invalidUTF8At(line)+1)
	}
	// The members are slices of line, which the reader reuses: the
	// decoders copy what they keep.
	m, ok := objectMembers(line, m)
	if !ok {
		m = nil
		if err := json.Unmarshal(line, &m); err != nil {
			return store.Record{}, jsonError(rec, line, err)
		}
		if m == nil {
			return store.Record{}, store.FieldError(rec, "", "want a JSON object, got null")
		}
	}
	return fieldDecoder{record: rec}.decodeWireRecord(m, n)
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// jsonError explains a JSON syntax or type error of one line.
func jsonError(rec string, line []byte, err error) *store.Error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		if int(se.Offset) >= len(bytes.TrimRight(line, " \t")) {
			return store.FieldError(rec, "", "incomplete JSON object (truncated file?)")
		}
		return store.FieldError(rec, "", "invalid JSON at byte %d: %v", se.Offset, err)
	case errors.As(err, &te):
		return store.FieldError(rec, "", "want a JSON object, got %s", te.Value)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return store.FieldError(rec, "", "incomplete JSON object (truncated file?)")
	}
	return store.FieldError(rec, "", "invalid JSON: %v", err)
}

// ndjsonWriter writes canonical NDJSON lines.
type ndjsonWriter struct {
	w   *bufio.Writer
	enc *json.Encoder
}

func newNDJSONWriter(w io.Writer) *ndjsonWriter {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &ndjsonWriter{w: bw, enc: enc}
}

func (n *ndjsonWriter) begin(s *schema) error {
	for _, t := range s.ontology.EntityTypes {
		if err := n.enc.Encode(toWireEntityType(t, kindEntityType)); err != nil {
			return err
		}
	}
	for _, t := range s.ontology.RelationTypes {
		if err := n.enc.Encode(toWireRelationType(t, kindRelationType)); err != nil {
			return err
		}
	}
	return nil
}

func (n *ndjsonWriter) entity(e *store.Entity) error     { return n.enc.Encode(toWireEntity(e)) }
func (n *ndjsonWriter) endEntities() error               { return nil }
func (n *ndjsonWriter) relation(r *store.Relation) error { return n.enc.Encode(toWireRelation(r)) }
func (n *ndjsonWriter) end() error                       { return n.w.Flush() }

// WriteNDJSON writes every record that each yields to w as canonical
// NDJSON lines, buffered; each is a record stream such as gen.Generate's.
// It returns the first error of each, of encoding or of w.
func WriteNDJSON(w io.Writer, each func(yield func(store.Record) error) error) error {
	n := newNDJSONWriter(w)
	err := each(func(r store.Record) error { return n.record(r) })
	if err != nil {
		return fmt.Errorf("write NDJSON: %w", err)
	}
	if err := n.end(); err != nil {
		return fmt.Errorf("write NDJSON: %w", err)
	}
	return nil
}

// record writes any record as one line.
func (n *ndjsonWriter) record(r store.Record) error {
	switch {
	case r.Entity != nil:
		return n.entity(r.Entity)
	case r.Relation != nil:
		return n.relation(r.Relation)
	case r.EntityType != nil:
		return n.enc.Encode(toWireEntityType(*r.EntityType, kindEntityType))
	case r.RelationType != nil:
		return n.enc.Encode(toWireRelationType(*r.RelationType, kindRelationType))
	}
	return store.Errorf(store.Invalid, "empty record")
}

// EncodeNDJSONRecord writes one record as a canonical NDJSON line. It
// returns the error of w, or of encoding/json for a value it cannot
// represent.
func EncodeNDJSONRecord(w io.Writer, r store.Record) error {
	n := newNDJSONWriter(w)
	if err := n.record(r); err != nil {
		return err
	}
	return n.end()
}
