package graph

import (
	"encoding/json"
	"io"
	"unicode/utf8"
)

// readBody reads a request body of length n (-1: unknown) in one
// allocation of its size when n is known and at most preallocatedBody;
// io.ReadAll starts at 512 bytes and grows by copying. A larger body is
// read as it arrives, so that a client cannot make the server hold
// memory by announcing a length it does not send. It reads on to the
// body's end, as io.ReadAll does, so that the server and the body-rate
// check see it end.
func readBody(body io.Reader, n int64) ([]byte, error) {
	if n <= 0 || n > preallocatedBody {
		return io.ReadAll(body)
	}
	// One byte more, to read the end into without a buffer of its own.
	b := make([]byte, n, n+1)
	if _, err := io.ReadFull(body, b); err != nil {
		return nil, err
	}
	switch k, err := body.Read(b[n : n+1]); {
	case k > 0:
		// More than Content-Length said: not a body net/http passes on.
		rest, err := io.ReadAll(body)
		return append(b[:n+1], rest...), err
	case err != nil && err != io.EOF:
		return nil, err
	}
	return b, nil
}

// decodeRequestBody decodes a POST body of the usual shape, an object of
// query, operationName, variables and extensions, into what
// encoding/json with UseNumber gives requestBody, without its reflection
// and its copy of the body: a fifth of a small request's decoding and
// most of its allocations went there. ok is false for anything else
// (another key, a key twice, a key in another case, which encoding/json
// matches, invalid JSON, more than one value, very deep nesting), which
// the caller then decodes with encoding/json, so that the errors, and the
// rare shapes, are encoding/json's own. FuzzDecodeRequestBody holds it
// to that.
func decodeRequestBody(b []byte) (rb requestBody, ok bool) {
	d := bodyDecoder{b: b}
	d.space()
	if !d.byte('{') {
		return rb, false
	}
	var seen [4]bool
	d.space()
	if d.byte('}') {
		return rb, d.end()
	}
	for {
		d.space()
		key, ok := d.plainString()
		if !ok {
			return rb, false
		}
		var slot *any
		var i int
		switch string(key) { // compared without a copy
		case "query":
			slot, i = &rb.Query, 0
		case "operationName":
			slot, i = &rb.OperationName, 1
		case "variables":
			slot, i = &rb.Variables, 2
		case "extensions":
			slot, i = &rb.Extensions, 3
		default:
			return rb, false
		}
		if seen[i] {
			return rb, false
		}
		seen[i] = true
		d.space()
		if !d.byte(':') {
			return rb, false
		}
		if *slot, ok = d.value(0); !ok {
			return rb, false
		}
		d.space()
		if d.byte(',') {
			continue
		}
		if d.byte('}') {
			return rb, d.end()
		}
		return rb, false
	}
}

// preallocatedBody is the largest announced body readBody allocates
// whole before it arrives: far above the queries dashboards send.
const preallocatedBody = 64 << 10

// plainMedia reports whether a Content-Type is the one nearly every
// client sends, which needs no parsing (mime.ParseMediaType builds a map
// of its parameters): application/json, bare or in UTF-8.
func plainMedia(ct string) bool {
	return ct == mediaJSON || ct == mediaJSON+"; charset=utf-8" || ct == mediaJSON+";charset=utf-8" || ct == mediaJSON+"; charset=UTF-8"
}

// maxBodyDepth is the nesting the fast decoder takes; deeper values go to
// encoding/json, whose own limit is far above anything a variable needs.
const maxBodyDepth = 100

// bodyDecoder reads JSON from b at i.
type bodyDecoder struct {
	b []byte
	i int
}

// space skips JSON whitespace.
func (d *bodyDecoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// byte consumes c if it is next.
func (d *bodyDecoder) byte(c byte) bool {
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// end reports whether only whitespace follows.
func (d *bodyDecoder) end() bool {
	d.space()
	return d.i == len(d.b)
}

// value reads one JSON value.
func (d *bodyDecoder) value(depth int) (any, bool) {
	d.space()
	if d.i >= len(d.b) || depth > maxBodyDepth {
		return nil, false
	}
	switch c := d.b[d.i]; {
	case c == '"':
		s, ok := d.string()
		return s, ok
	case c == '{':
		d.i++
		m := map[string]any{}
		d.space()
		if d.byte('}') {
			return m, true
		}
		for {
			d.space()
			k, ok := d.string()
			if !ok {
				return nil, false
			}
			d.space()
			if !d.byte(':') {
				return nil, false
			}
			v, ok := d.value(depth + 1)
			if !ok {
				return nil, false
			}
			m[k] = v // the last of a repeated key, as encoding/json
			d.space()
			if d.byte(',') {
				continue
			}
			if d.byte('}') {
				return m, true
			}
			return nil, false
		}
	case c == '[':
		d.i++
		list := []any{}
		d.space()
		if d.byte(']') {
			return list, true
		}
		for {
			v, ok := d.value(depth + 1)
			if !ok {
				return nil, false
			}
			list = append(list, v)
			d.space()
			if d.byte(',') {
				continue
			}
			if d.byte(']') {
				return list, true
			}
			return nil, false
		}
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || ('0' <= c && c <= '9'):
		return d.number()
	}
	return nil, false
}

func (d *bodyDecoder) literal(s string) bool {
	if len(d.b)-d.i >= len(s) && string(d.b[d.i:d.i+len(s)]) == s {
		d.i += len(s)
		return true
	}
	return false
}

// number reads a number by JSON's grammar as a json.Number.
func (d *bodyDecoder) number() (any, bool) {
	start := d.i
	d.byte('-')
	digits := func() int {
		n := 0
		for d.i < len(d.b) && '0' <= d.b[d.i] && d.b[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	if d.byte('0') {
		// no more digits may follow a leading zero
	} else if digits() == 0 {
		return nil, false
	}
	if d.byte('.') && digits() == 0 {
		return nil, false
	}
	if d.byte('e') || d.byte('E') {
		if !d.byte('+') {
			d.byte('-')
		}
		if digits() == 0 {
			return nil, false
		}
	}
	return json.Number(d.b[start:d.i]), true
}

// plainString reads a string without escapes, as the keys of the body
// are, and returns its bytes; ok is false for any other.
func (d *bodyDecoder) plainString() ([]byte, bool) {
	start, plain, ok := d.scanString()
	if !ok || !plain {
		return nil, false
	}
	return d.b[start+1 : d.i-1], true
}

// string reads a string. One with escapes or bytes that are not UTF-8 is
// unquoted by encoding/json, whose rules for both (surrogates, U+FFFD)
// it then follows exactly.
func (d *bodyDecoder) string() (string, bool) {
	start, plain, ok := d.scanString()
	if !ok {
		return "", false
	}
	if plain {
		return string(d.b[start+1 : d.i-1]), true
	}
	var s string
	if json.Unmarshal(d.b[start:d.i], &s) != nil {
		return "", false
	}
	return s, true
}

// scanString moves past the string at d.i. plain says it holds neither
// escapes nor bytes that are not UTF-8; ok is false for a string that
// is not valid JSON (a control character, an end missing).
func (d *bodyDecoder) scanString() (start int, plain, ok bool) {
	start = d.i
	if !d.byte('"') {
		return start, false, false
	}
	plain = true
	ascii := true
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			if !ascii && plain && !utf8.Valid(d.b[start+1:d.i-1]) {
				plain = false
			}
			return start, plain, true
		case c == '\\':
			plain = false
			d.i += 2
			continue
		case c < 0x20:
			return start, false, false
		case c >= 0x80:
			ascii = false
		}
		d.i++
	}
	return start, false, false
}
