package exchange

import (
	"encoding/json"

	"github.com/ties-graph/ties/store"
)

// fieldReader reads the members of one JSON object field after field,
// keeping the first error: after it every read is skipped and returns the
// zero value. A record's decoder is then the list of its fields in the
// order they are checked, and which error a bad record reports (the first
// field in that order) is the same as when each read was checked in turn.
type fieldReader struct {
	d   fieldDecoder
	m   map[string]json.RawMessage
	err *store.Error
}

// fields returns a reader of the members of m whose errors name the record
// and field path of d.
func (d fieldDecoder) fields(m map[string]json.RawMessage) *fieldReader {
	return &fieldReader{d: d, m: m}
}

// read decodes the member named field with decode, unless an earlier read
// failed.
func read[T any](r *fieldReader, field string, decode func(fieldDecoder, json.RawMessage, string) (T, *store.Error)) T {
	var v T
	if r.err == nil {
		v, r.err = decode(r.d, r.m[field], field)
	}
	return v
}

func (r *fieldReader) str(field string) string { return read(r, field, fieldDecoder.str) }

func (r *fieldReader) strings(field string) []string { return read(r, field, fieldDecoder.strings) }

// need returns v; when v is empty and no earlier read failed, message
// (such as "missing type name") becomes the error of field. The message is
// a constant: formatting one for every record would cost an allocation
// even when nothing is missing.
func (r *fieldReader) need(v, field, message string) string {
	if r.err == nil && v == "" {
		r.err = r.d.errorf(field, "%s", message)
	}
	return v
}
