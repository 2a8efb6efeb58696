package exchange

import (
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/ties-graph/ties/store"
)

// A bulk load spends most of its decoding on entity and relation lines in
// the form this package writes them. decodeCanonicalLine decodes exactly
// those without the general path's work per line: no map of members, no
// name for the record (it is only needed for errors), one string per
// line of which every text field is a substring, and a properties map
// only where the record has properties. It declines (ok false) anything
// it does not handle exactly as the general path does: another kind, an
// unknown or repeated member, an escaped string, a value that is not of
// the usual shape, and every record the general path would refuse. The
// caller then takes the general path, so what a line gives, record or
// error, is the same either way (FuzzCanonicalLine checks it).

// The members of entity and relation records, as slots of canonicalMembers.
const (
	slotKind = iota
	slotID
	slotType
	slotName
	slotDescription
	slotLabels
	slotAliases
	slotProperties
	slotValidFrom
	slotValidTo
	slotSources
	slotFrom
	slotTo
	slotCount
)

// canonicalSlot returns the slot of the member named k, or -1.
func canonicalSlot(k []byte) int {
	switch string(k) {
	case "kind":
		return slotKind
	case "id":
		return slotID
	case "type":
		return slotType
	case "name":
		return slotName
	case "description":
		return slotDescription
	case "labels":
		return slotLabels
	case "aliases":
		return slotAliases
	case "properties":
		return slotProperties
	case "validFrom":
		return slotValidFrom
	case "validTo":
		return slotValidTo
	case "sources":
		return slotSources
	case "from":
		return slotFrom
	case "to":
		return slotTo
	}
	return -1
}

// canonicalLine is one line being decoded: its text as one string, and
// the value of each member (nil: absent) as a slice of the line.
type canonicalLine struct {
	line  []byte
	text  string
	slots [slotCount][]byte
}

// str returns v, a slice of the line, as a substring of its text.
func (c *canonicalLine) str(v []byte) string {
	// v is a reslice of line, so its capacity says where it starts.
	off := cap(c.line) - cap(v)
	return c.text[off : off+len(v)]
}

// plain returns the contents of the JSON string v without escapes, or
// ok false for anything else.
func (c *canonicalLine) plain(v []byte) (string, bool) {
	if len(v) < 2 || v[0] != '"' {
		return "", false
	}
	for _, b := range v[1 : len(v)-1] {
		if b == '\\' {
			return "", false
		}
	}
	return c.str(v[1 : len(v)-1]), true
}

// optional returns the plain string of slot, "" when it is absent or
// null, or ok false.
func (c *canonicalLine) optional(slot int) (string, bool) {
	v := c.slots[slot]
	if isNull(v) {
		return "", true
	}
	return c.plain(v)
}

// required is optional, declining an empty string (an error of the
// general path).
func (c *canonicalLine) required(slot int) (string, bool) {
	s, ok := c.optional(slot)
	return s, ok && s != ""
}

// date decodes the partial date of slot, zero when absent or null.
func (c *canonicalLine) date(slot int) (store.Date, bool) {
	s, ok := c.optional(slot)
	if !ok {
		return store.Date{}, false
	}
	d, err := store.ParseDate(s)
	return d, err == nil
}

// decodeCanonicalLine decodes line n as an entity or relation record, or
// returns ok false for the general path to decode (see above).
func decodeCanonicalLine(line []byte, n int64) (rec store.Record, ok bool) {
	if !utf8.Valid(line) {
		return rec, false
	}
	// The members are scanned in the line's own bytes; their strings are
	// taken from one copy of it, made once the scan has succeeded.
	c := canonicalLine{line: line}
	clean := true
	if !members(line, func(k, v []byte) {
		slot := canonicalSlot(k)
		if slot < 0 || c.slots[slot] != nil {
			clean = false
			return
		}
		c.slots[slot] = v
	}) || !clean {
		return rec, false
	}
	switch string(c.slots[slotKind]) {
	case `"entity"`:
		if c.slots[slotFrom] != nil || c.slots[slotTo] != nil {
			return rec, false
		}
		c.text = string(line)
		e, ok := c.entity()
		if !ok {
			return rec, false
		}
		return store.Record{Line: n, Entity: e, Fields: c.carried()}, true
	case `"relation"`:
		for _, s := range []int{slotName, slotDescription, slotLabels, slotAliases} {
			if c.slots[s] != nil {
				return rec, false
			}
		}
		c.text = string(line)
		r, ok := c.relation()
		if !ok {
			return rec, false
		}
		return store.Record{Line: n, Relation: r, Fields: c.carried()}, true
	}
	return rec, false
}

// carried is carriedFields for the members of c.
func (c *canonicalLine) carried() store.Fields {
	fs := store.FieldsGiven
	for _, f := range []struct {
		slot  int
		field store.Fields
	}{{slotName, store.FieldName}, {slotDescription, store.FieldDescription}, {slotValidFrom, store.FieldValidFrom}, {slotValidTo, store.FieldValidTo}} {
		if c.slots[f.slot] != nil {
			fs |= f.field
		}
	}
	return fs
}

func (c *canonicalLine) entity() (*store.Entity, bool) {
	e := &store.Entity{}
	var ok [4]bool
	e.ID, ok[0] = c.required(slotID)
	e.Type, ok[1] = c.required(slotType)
	e.Name, ok[2] = c.optional(slotName)
	e.Description, ok[3] = c.optional(slotDescription)
	if ok != [4]bool{true, true, true, true} {
		return nil, false
	}
	if c.slots[slotName] == nil {
		e.Name = e.ID // as defaultName
	}
	var plain bool
	if v := c.slots[slotLabels]; !isNull(v) {
		if e.Labels, plain = plainLabels(v); !plain {
			return nil, false
		}
	}
	if v := c.slots[slotAliases]; !isNull(v) {
		if e.Aliases, plain = plainStrings(v); !plain {
			return nil, false
		}
	}
	if !c.fact(&e.Properties, &e.ValidFrom, &e.ValidTo, &e.Sources) {
		return nil, false
	}
	return e, true
}

func (c *canonicalLine) relation() (*store.Relation, bool) {
	r := &store.Relation{}
	var ok [4]bool
	r.ID, ok[0] = c.optional(slotID)
	r.Type, ok[1] = c.required(slotType)
	r.From, ok[2] = c.required(slotFrom)
	r.To, ok[3] = c.required(slotTo)
	if ok != [4]bool{true, true, true, true} || !c.fact(&r.Properties, &r.ValidFrom, &r.ValidTo, &r.Sources) {
		return nil, false
	}
	return r, true
}

// fact decodes what entities and relations share, as fieldReader.fact.
func (c *canonicalLine) fact(props *store.Properties, validFrom, validTo *store.Date, sources *[]store.Source) bool {
	var ok bool
	if *props, ok = c.properties(c.slots[slotProperties]); !ok {
		return false
	}
	if *validFrom, ok = c.date(slotValidFrom); !ok {
		return false
	}
	if *validTo, ok = c.date(slotValidTo); !ok {
		return false
	}
	if v := c.slots[slotSources]; !isNull(v) {
		if string(v) == "[]" {
			*sources = []store.Source{}
			return true
		}
		// Sources are rarer than the rest and have more ways to go
		// wrong: the general decoder reads them, and any error sends the
		// whole line down the general path, which reports it.
		s, err := fieldDecoder{}.sources(v, "sources")
		if err != nil {
			return false
		}
		*sources = s
	}
	return true
}

// properties decodes an object of up to 16 property values of the usual
// shapes (plain text, numbers, booleans, dates) with distinct names, nil
// when it is absent, null or holds only nulls, as
// fieldDecoder.properties does.
func (c *canonicalLine) properties(raw []byte) (store.Properties, bool) {
	if isNull(raw) {
		return nil, true
	}
	type member struct{ k, v []byte }
	var buf [16]member
	ms := buf[:0]
	given := 0
	clean := true
	if !members(raw, func(k, v []byte) {
		if len(ms) == cap(ms) {
			clean = false
			return
		}
		ms = append(ms, member{k, v})
		if !isNull(v) {
			given++
		}
	}) || !clean {
		return nil, false
	}
	for i, m := range ms {
		for _, later := range ms[i+1:] {
			if string(later.k) == string(m.k) {
				return nil, false
			}
		}
	}
	if given == 0 {
		return nil, true
	}
	props := make(store.Properties, given)
	for _, m := range ms {
		if isNull(m.v) {
			continue
		}
		v, ok := c.value(m.v)
		if !ok {
			return nil, false
		}
		props[c.str(m.k)] = v
	}
	return props, true
}

// value decodes a property value of the usual shapes, as
// fieldDecoder.value does; ok is false for anything else.
func (c *canonicalLine) value(raw []byte) (store.Value, bool) {
	switch b := raw[0]; {
	case b == '"':
		s, ok := c.plain(raw)
		return store.Text(s), ok
	case b == 't':
		return store.Bool(true), true
	case b == 'f':
		return store.Bool(false), true
	case b == '-' || b >= '0' && b <= '9':
		f, err := strconv.ParseFloat(string(raw), 64)
		return store.Number(f), err == nil && !math.IsInf(f, 0)
	case b == '{':
		// {"date":"YYYY[-MM[-DD]]"}, exactly that one member.
		var date []byte
		count := 0
		if !members(raw, func(k, v []byte) {
			count++
			if string(k) == "date" {
				date = v
			}
		}) || count != 1 || date == nil {
			return store.Value{}, false
		}
		s, ok := c.plain(date)
		if !ok {
			return store.Value{}, false
		}
		d, err := store.ParseDate(s)
		return store.DateValue(d), err == nil
	}
	return store.Value{}, false
}
