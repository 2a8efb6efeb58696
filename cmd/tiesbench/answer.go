package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// The GraphQL client of the comparison reads a neighbourhood's answer as
// PostgreSQL's client reads its rows: the node ids as strings and nothing
// else decoded. encoding/json's Unmarshal into structs validates the whole
// document once and then decodes it again by reflection, field by field;
// on a depth-3 answer of 500 entities that was as much CPU as the server's
// walk, and it was charged to Ties alone. The reader below still scans
// every byte of the response (a malformed one is an error) and skips the
// fields it does not keep (names, types, edges), so the server's larger
// answers still cost the client what reading them costs.

// neighborhoodAnswer is what the comparison keeps of a neighbourhood.
type neighborhoodAnswer struct {
	ids       []string
	truncated bool
	// relations counts the elements of edges (or nodeLink's links), the
	// relations among the nodes; hasRelations says the answer held them.
	relations    int
	hasRelations bool
}

// errGraphQL says the response carried errors; the caller decodes them
// with encoding/json to report them.
var errGraphQL = errors.New("the response holds errors")

// readNeighborhood reads {"data":{"neighborhood":{...}}} where the
// neighbourhood object holds nodes [{id ...}] and truncated, directly or
// inside nodeLink.
func readNeighborhood(b []byte) (neighborhoodAnswer, error) {
	var a neighborhoodAnswer
	p := jsonScanner{b: b}
	err := p.object(func(key []byte) error {
		switch string(key) {
		case "errors":
			if !p.null() {
				return errGraphQL
			}
			return nil
		case "data":
			return p.object(func(key []byte) error {
				if string(key) != "neighborhood" {
					return p.skip()
				}
				return p.subgraph(&a)
			})
		}
		return p.skip()
	})
	if err == nil {
		p.space()
		if p.i != len(p.b) {
			err = p.errorf("data after the response")
		}
	}
	return a, err
}

// subgraph reads a Subgraph object (or a nodeLink document) into a,
// counting its relations without decoding them.
func (p *jsonScanner) subgraph(a *neighborhoodAnswer) error {
	return p.object(func(key []byte) error {
		switch string(key) {
		case "nodes":
			return p.array(func() error {
				return p.object(func(key []byte) error {
					if string(key) != "id" {
						return p.skip()
					}
					id, err := p.str()
					if err != nil {
						return err
					}
					a.ids = append(a.ids, id)
					return nil
				})
			})
		case "truncated":
			t, err := p.boolean()
			a.truncated = a.truncated || t
			return err
		case "edges", "links":
			a.hasRelations = true
			return p.array(func() error {
				a.relations++
				return p.skip()
			})
		case "nodeLink":
			return p.subgraph(a)
		}
		return p.skip()
	})
}

// jsonScanner reads JSON from b at i, validating as it goes.
type jsonScanner struct {
	b []byte
	i int
}

func (p *jsonScanner) errorf(format string, args ...any) error {
	return fmt.Errorf("response at byte %d: %s", p.i, fmt.Sprintf(format, args...))
}

func (p *jsonScanner) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, 0 at the end.
func (p *jsonScanner) peek() byte {
	p.space()
	if p.i == len(p.b) {
		return 0
	}
	return p.b[p.i]
}

func (p *jsonScanner) expect(c byte) error {
	if p.peek() != c {
		return p.errorf("want %q", c)
	}
	p.i++
	return nil
}

// object reads an object, calling member for each key with the scanner
// at its value, which member must read.
func (p *jsonScanner) object(member func(key []byte) error) error {
	if err := p.expect('{'); err != nil {
		return err
	}
	if p.peek() == '}' {
		p.i++
		return nil
	}
	for {
		key, err := p.rawString()
		if err != nil {
			return err
		}
		if err := p.expect(':'); err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
		switch p.peek() {
		case ',':
			p.i++
		case '}':
			p.i++
			return nil
		default:
			return p.errorf("want , or }")
		}
	}
}

// array reads an array, calling elem with the scanner at each element.
func (p *jsonScanner) array(elem func() error) error {
	if err := p.expect('['); err != nil {
		return err
	}
	if p.peek() == ']' {
		p.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch p.peek() {
		case ',':
			p.i++
		case ']':
			p.i++
			return nil
		default:
			return p.errorf("want , or ]")
		}
	}
}

// rawString reads a string and returns it as it stands between its quotes
// (escapes not undone: keys of this schema have none).
func (p *jsonScanner) rawString() ([]byte, error) {
	if err := p.expect('"'); err != nil {
		return nil, err
	}
	start := p.i
	for p.i < len(p.b) {
		switch c := p.b[p.i]; {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			return s, nil
		case c == '\\':
			p.i += 2
		case c < 0x20:
			return nil, p.errorf("control character in a string")
		default:
			p.i++
		}
	}
	return nil, p.errorf("unterminated string")
}

// str reads a string value, undoing its escapes.
func (p *jsonScanner) str() (string, error) {
	start := p.i
	raw, err := p.rawString()
	if err != nil {
		return "", err
	}
	for _, c := range raw {
		if c == '\\' {
			var s string
			if err := json.Unmarshal(p.b[start:p.i], &s); err != nil {
				return "", p.errorf("%v", err)
			}
			return s, nil
		}
	}
	return string(raw), nil
}

func (p *jsonScanner) literal(word string) bool {
	p.space()
	if len(p.b)-p.i >= len(word) && string(p.b[p.i:p.i+len(word)]) == word {
		p.i += len(word)
		return true
	}
	return false
}

func (p *jsonScanner) null() bool { return p.literal("null") }

func (p *jsonScanner) boolean() (bool, error) {
	switch {
	case p.literal("true"):
		return true, nil
	case p.literal("false"):
		return false, nil
	}
	return false, p.errorf("want a boolean")
}

// skip reads any value and drops it.
func (p *jsonScanner) skip() error {
	switch c := p.peek(); {
	case c == '{':
		return p.object(func([]byte) error { return p.skip() })
	case c == '[':
		return p.array(p.skip)
	case c == '"':
		_, err := p.rawString()
		return err
	case c == 't' || c == 'f':
		_, err := p.boolean()
		return err
	case c == 'n':
		if p.null() {
			return nil
		}
	case c == '-' || c >= '0' && c <= '9':
		start := p.i
		for p.i < len(p.b) && (p.b[p.i] == '-' || p.b[p.i] == '+' || p.b[p.i] == '.' || p.b[p.i] == 'e' || p.b[p.i] == 'E' || p.b[p.i] >= '0' && p.b[p.i] <= '9') {
			p.i++
		}
		if _, err := strconv.ParseFloat(string(p.b[start:p.i]), 64); err != nil {
			return p.errorf("bad number %q", p.b[start:p.i])
		}
		return nil
	}
	return p.errorf("want a value")
}
