package exchange

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// This file is a fast path for splitting JSON objects and arrays into their
// members, which encoding/json does through a byte-by-byte state machine,
// allocating a copy of every member: measured, most of the time of an
// NDJSON import went there. The scanner here validates exactly the JSON
// grammar (RFC 8259) and hands out the members as slices of the input. It
// gives up (ok false) on anything it does not handle, keys with escapes
// included, and on anything invalid; the caller then takes the
// encoding/json path, which reports the error. So the fast path changes
// no result and no message, only the time.

// members calls fn for each member of the JSON object raw, in order, with
// the key and the value (without surrounding white space). ok is false
// when raw is not exactly one valid JSON object whose keys are valid UTF-8
// without escapes (then fn may have been called for some members already).
func members(raw []byte, fn func(key, value []byte)) bool {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return false
	}
	end, ok := scanObject(raw, i, 0, fn)
	return ok && skipSpace(raw, end) == len(raw)
}

// elements calls fn for each element of the JSON array raw, in order. ok
// is false when raw is not exactly one valid JSON array.
func elements(raw []byte, fn func(value []byte)) bool {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return false
	}
	end, ok := scanArray(raw, i, 0, fn)
	return ok && skipSpace(raw, end) == len(raw)
}

// objectMembers puts the members of the JSON object raw into m (nil: a new
// map), with values that are slices of raw, or returns ok false (see
// members). Keys the canonical formats use are not allocated.
func objectMembers(raw []byte, m map[string]json.RawMessage) (map[string]json.RawMessage, bool) {
	if m == nil {
		m = map[string]json.RawMessage{}
	}
	ok := members(raw, func(k, v []byte) { m[internKey(k)] = v })
	return m, ok
}

// internKey returns k as a string, without allocating for the member
// names of the canonical formats.
func internKey(k []byte) string {
	for _, s := range knownKeys {
		if string(k) == s {
			return s
		}
	}
	return string(k)
}

var knownKeys = [...]string{
	"kind", "id", "type", "name", "description", "labels", "aliases", "properties",
	"validFrom", "validTo", "sources", "from", "to", "parent", "inverse", "symmetric",
	"document", "excerpt", "locator", "confidence", "retrievedAt", "weight",
}

func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// maxDepth bounds the nesting the fast path follows; deeper input takes
// the encoding/json path.
const maxDepth = 64

// skipValue returns the end of the JSON value that starts at b[i].
func skipValue(b []byte, i, depth int) (int, bool) {
	if i >= len(b) || depth > maxDepth {
		return 0, false
	}
	switch c := b[i]; {
	case c == '"':
		end, _, ok := scanString(b, i)
		return end, ok
	case c == '{':
		return scanObject(b, i, depth+1, nil)
	case c == '[':
		return scanArray(b, i, depth+1, nil)
	case c == 't':
		return literal(b, i, "true")
	case c == 'f':
		return literal(b, i, "false")
	case c == 'n':
		return literal(b, i, "null")
	case c == '-' || c >= '0' && c <= '9':
		return scanNumber(b, i)
	}
	return 0, false
}

// scanObject returns the end of the JSON object that starts at b[i] (a
// '{'), scanning its members' values at nesting depth. With fn it calls fn
// for each member, in order, and gives up on a key with escapes or invalid
// UTF-8, which it could not hand out as it stands (encoding/json would
// unescape it or replace the bad bytes); without fn it only skips.
func scanObject(b []byte, i, depth int, fn func(key, value []byte)) (int, bool) {
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	for more := true; more; {
		if i >= len(b) || b[i] != '"' {
			return 0, false
		}
		end, escaped, ok := scanString(b, i)
		if !ok {
			return 0, false
		}
		key := b[i+1 : end-1]
		if fn != nil && (escaped || !utf8.Valid(key)) {
			return 0, false
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return 0, false
		}
		i = skipSpace(b, i+1)
		if end, ok = skipValue(b, i, depth); !ok {
			return 0, false
		}
		if fn != nil {
			fn(key, b[i:end])
		}
		if i, more, ok = afterItem(b, end, '}'); !ok {
			return 0, false
		}
	}
	return i, true
}

// scanArray returns the end of the JSON array that starts at b[i] (a '['),
// scanning its elements at nesting depth and calling fn, when not nil,
// for each, in order.
func scanArray(b []byte, i, depth int, fn func(value []byte)) (int, bool) {
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, true
	}
	for more := true; more; {
		end, ok := skipValue(b, i, depth)
		if !ok {
			return 0, false
		}
		if fn != nil {
			fn(b[i:end])
		}
		if i, more, ok = afterItem(b, end, ']'); !ok {
			return 0, false
		}
	}
	return i, true
}

// afterItem steps over the white space and the comma or the closing
// bracket after a member or element that ends at b[i]: after a comma more
// is true and next is the start of the following item; after the closing
// bracket more is false and next is just past it.
func afterItem(b []byte, i int, closing byte) (next int, more, ok bool) {
	i = skipSpace(b, i)
	if i >= len(b) {
		return 0, false, false
	}
	switch b[i] {
	case ',':
		return skipSpace(b, i+1), true, true
	case closing:
		return i + 1, false, true
	}
	return 0, false, false
}

func literal(b []byte, i int, lit string) (int, bool) {
	if bytes.HasPrefix(b[i:], []byte(lit)) {
		return i + len(lit), true
	}
	return 0, false
}

// scanString returns the end (past the closing quote) of the JSON string
// that starts at b[i], and whether it has escapes.
func scanString(b []byte, i int) (end int, escaped, ok bool) {
	i++
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			return i + 1, escaped, true
		case c == '\\':
			escaped = true
			if i+1 >= len(b) {
				return 0, false, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) {
					return 0, false, false
				}
				for _, h := range b[i+2 : i+6] {
					if !isHex(h) {
						return 0, false, false
					}
				}
				i += 6
			default:
				return 0, false, false
			}
		case c < 0x20:
			return 0, false, false
		default:
			i++
		}
	}
	return 0, false, false
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// scanNumber returns the end of the JSON number that starts at b[i]:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func scanNumber(b []byte, i int) (int, bool) {
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return 0, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return 0, false
		}
		i = j
	}
	return i, true
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}
