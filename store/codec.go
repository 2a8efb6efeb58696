package store

// Bodies of entities and relations are a compact binary encoding: a format
// byte, then the fields in a fixed order, strings and lists with uvarint
// lengths. Type names are stored as interned type ids; relation endpoints as
// both node ids (for traversal and Check) and external ids (so that reading
// a relation needs no further lookups).

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

const bodyFormat byte = 1

var errShortBody = errors.New("truncated body")

type encoder struct{ b []byte }

func (e *encoder) byte(c byte)      { e.b = append(e.b, c) }
func (e *encoder) uvarint(x uint64) { e.b = binary.AppendUvarint(e.b, x) }
func (e *encoder) str(s string)     { e.uvarint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *encoder) float(f float64)  { e.b = binary.BigEndian.AppendUint64(e.b, math.Float64bits(f)) }
func (e *encoder) date(d Date) {
	var b [5]byte
	putDate(b[:], d)
	e.b = append(e.b, b[:]...)
}

func (e *encoder) props(p Properties) {
	e.uvarint(uint64(len(p)))
	for _, k := range p.Keys() {
		e.str(k)
		e.value(p[k])
	}
}

func (e *encoder) value(v Value) {
	e.byte(byte(v.Kind))
	switch v.Kind {
	case KindText:
		e.str(v.Text)
	case KindNumber:
		e.float(v.Num)
	case KindBool:
		if v.Bool {
			e.byte(1)
		} else {
			e.byte(0)
		}
	case KindDate:
		e.date(v.Date)
	case KindGeo:
		e.float(v.Geo.Lat)
		e.float(v.Geo.Lon)
	case KindList:
		e.uvarint(uint64(len(v.List)))
		for _, x := range v.List {
			e.value(x)
		}
	}
}

func (e *encoder) sources(ss []Source) {
	e.uvarint(uint64(len(ss)))
	for _, s := range ss {
		e.str(s.Document)
		e.str(s.Excerpt)
		e.str(s.Locator)
		var flags byte
		if s.Confidence != nil {
			flags |= 1
		}
		if s.RetrievedAt != nil {
			flags |= 2
		}
		e.byte(flags)
		if s.Confidence != nil {
			e.float(*s.Confidence)
		}
		if s.RetrievedAt != nil {
			// MarshalBinary keeps the instant and the zone offset; it
			// fails only for offsets that are not whole minutes, which
			// validation refuses.
			tb, _ := s.RetrievedAt.MarshalBinary()
			e.str(string(tb))
		}
	}
}

// decoder reads a body from a string: string fields are cut from it
// without copies, and a cached body is decoded without converting it.
type decoder struct {
	s   string // what is left
	err error
}

// format reads the format byte that starts the body of a what (entity,
// relation). It and end are small enough to inline into every decode; the
// errors are built out of line.
func (d *decoder) format(what string) error {
	if len(d.s) > 0 && d.s[0] == bodyFormat { // d is fresh: no error yet
		d.s = d.s[1:]
		return nil
	}
	return d.formatError(what)
}

func (d *decoder) formatError(what string) error {
	if f := d.byte(); d.err == nil && f != bodyFormat {
		return fmt.Errorf("%s body format %d, want %d", what, f, bodyFormat)
	}
	return nil // a short body: end reports it
}

// end returns the error of decoding the body of a what, which the whole
// string must be.
func (d *decoder) end(what string) error {
	if d.err == nil && len(d.s) == 0 {
		return nil
	}
	return d.endError(what)
}

func (d *decoder) endError(what string) error {
	if d.err == nil {
		d.fail(fmt.Errorf("%d bytes after the body", len(d.s)))
	}
	return fmt.Errorf("decode %s body: %w", what, d.err)
}

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *decoder) byte() byte {
	if d.err != nil || len(d.s) < 1 {
		d.fail(errShortBody)
		return 0
	}
	c := d.s[0]
	d.s = d.s[1:]
	return c
}

// uvarint reads what binary.AppendUvarint wrote, refusing what
// binary.Uvarint refuses.
func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	var x uint64
	var shift uint
	for i := 0; i < len(d.s); i++ {
		c := d.s[i]
		if i == binary.MaxVarintLen64 {
			break
		}
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				break
			}
			d.s = d.s[i+1:]
			return x | uint64(c)<<shift
		}
		x |= uint64(c&0x7f) << shift
		shift += 7
	}
	d.fail(errShortBody)
	return 0
}

// count reads a list length, refusing one that cannot fit in what is left
// (each element takes at least one byte), so corrupt data cannot make it
// allocate without bound.
func (d *decoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.s)) {
		d.fail(errShortBody)
		return 0
	}
	return int(n)
}

func (d *decoder) str() string {
	n := d.count()
	if d.err != nil {
		return ""
	}
	s := d.s[:n]
	d.s = d.s[n:]
	return s
}

func (d *decoder) float() float64 {
	if d.err != nil || len(d.s) < 8 {
		d.fail(errShortBody)
		return 0
	}
	var u uint64
	for i := range 8 {
		u = u<<8 | uint64(d.s[i])
	}
	d.s = d.s[8:]
	return math.Float64frombits(u)
}

func (d *decoder) date() Date {
	if d.err != nil || len(d.s) < 5 {
		d.fail(errShortBody)
		return Date{}
	}
	var b [5]byte
	copy(b[:], d.s)
	v, ok := getDate(b[:])
	if !ok {
		d.fail(fmt.Errorf("bad date %x", b))
	}
	d.s = d.s[5:]
	return v
}

// props decodes a property map. An empty one is an empty map, never nil:
// every entity and relation the store hands out has its Properties, so
// that no caller (the GraphQL API promises an object) patches them in.
func (d *decoder) props() Properties {
	n := d.count()
	p := make(Properties, n)
	for i := 0; i < n && d.err == nil; i++ {
		k := d.str()
		p[k] = d.value(0)
	}
	return p
}

// rawProps checks a property map as props does and returns its encoding
// (from its count on) rather than the map.
func (d *decoder) rawProps() string {
	start := d.s
	n := d.count()
	for i := 0; i < n && d.err == nil; i++ {
		d.str()
		d.value(0)
	}
	return start[:len(start)-len(d.s)]
}

func (d *decoder) value(depth int) Value {
	var v Value
	v.Kind = Kind(d.byte())
	switch v.Kind {
	case KindNull:
	case KindText:
		v.Text = d.str()
	case KindNumber:
		v.Num = d.float()
	case KindBool:
		v.Bool = d.byte() == 1
	case KindDate:
		v.Date = d.date()
	case KindGeo:
		v.Geo.Lat = d.float()
		v.Geo.Lon = d.float()
	case KindList:
		if depth > 0 {
			d.fail(errors.New("nested list"))
			return v
		}
		n := d.count()
		v.List = make([]Value, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			v.List = append(v.List, d.value(depth+1))
		}
	default:
		d.fail(fmt.Errorf("bad value kind %d", v.Kind))
	}
	return v
}

func (d *decoder) sources() []Source {
	n := d.count()
	if n == 0 {
		return nil
	}
	ss := make([]Source, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		var s Source
		s.Document = d.str()
		s.Excerpt = d.str()
		s.Locator = d.str()
		flags := d.byte()
		if flags&1 != 0 {
			c := d.float()
			s.Confidence = &c
		}
		if flags&2 != 0 {
			var t time.Time
			if err := t.UnmarshalBinary([]byte(d.str())); err != nil {
				d.fail(fmt.Errorf("bad retrieval time: %w", err))
			}
			s.RetrievedAt = &t
		}
		ss = append(ss, s)
	}
	return ss
}

// recordBody is what the body of an entity and of a relation both hold:
// the indexes over both kinds (properties, citations) need no more.
type recordBody struct {
	typ     TypeID
	ext     string
	props   Properties
	sources []Source
}

// bodyKey returns the key of the body of the entity (kindEntity) or
// relation with internal id id.
func bodyKey(kind byte, id uint64) []byte {
	if kind == kindRelation {
		return relationKey(RelID(id))
	}
	return entityKey(NodeID(id))
}

// decodeBody decodes an entity (kindEntity) or relation body into what
// both kinds hold.
func decodeBody(kind byte, b []byte) (recordBody, error) {
	if kind == kindRelation {
		rb, err := decodeRelation(b)
		if err != nil {
			return recordBody{}, err
		}
		return recordBody{typ: rb.typ, ext: rb.r.ID, props: rb.r.Properties, sources: rb.r.Sources}, nil
	}
	eb, err := decodeEntity(b)
	if err != nil {
		return recordBody{}, err
	}
	return recordBody{typ: eb.typ, ext: eb.e.ID, props: eb.e.Properties, sources: eb.e.Sources}, nil
}

// kindName names a kind in messages: entity or relation.
func kindName(kind byte) string {
	if kind == kindRelation {
		return "relation"
	}
	return "entity"
}

// entityBody is a stored entity: the Entity with its type interned.
type entityBody struct {
	typ TypeID
	e   *Entity // e.Type is filled in by the reader from the ontology
}

func encodeEntity(e *Entity, t TypeID) []byte {
	return appendEntity(make([]byte, 0, 64+len(e.Name)+len(e.Description)), e, t)
}

// appendEntity appends the body of e to dst.
func appendEntity(dst []byte, e *Entity, t TypeID) []byte {
	enc := encoder{b: dst}
	enc.byte(bodyFormat)
	enc.str(e.ID)
	enc.uvarint(uint64(t))
	enc.str(e.Name)
	enc.str(e.Description)
	enc.uvarint(uint64(len(e.Labels)))
	for _, l := range e.Labels {
		enc.str(l.Lang)
		enc.str(l.Value)
	}
	enc.uvarint(uint64(len(e.Aliases)))
	for _, a := range e.Aliases {
		enc.str(a)
	}
	enc.props(e.Properties)
	enc.date(e.ValidFrom)
	enc.date(e.ValidTo)
	enc.sources(e.Sources)
	return enc.b
}

// decodeEntity decodes an entity body; the caller names the type.
func decodeEntity(b []byte) (entityBody, error) { return decodeEntityString(string(b)) }

// decodeEntityString is decodeEntity of a body held as a string.
func decodeEntityString(b string) (entityBody, error) {
	e := &Entity{}
	t, err := decodeEntityInto(b, e)
	if err != nil {
		return entityBody{}, err
	}
	return entityBody{typ: t, e: e}, nil
}

// decodeEntityInto decodes the entity body b into *e, which must be
// zero, and returns its type: for a caller that allocates the entities
// of an answer together.
func decodeEntityInto(b string, e *Entity) (TypeID, error) {
	t, _, err := decodeEntityFields(b, e, false)
	return t, err
}

// decodeEntityFields is decodeEntityInto that, with rawProps, leaves
// e.Properties nil and returns the encoded properties instead, checked,
// for decodeProps to make the map of later (cachedecoded.go).
func decodeEntityFields(b string, e *Entity, rawProps bool) (TypeID, string, error) {
	d := decoder{s: b}
	if err := d.format("entity"); err != nil {
		return 0, "", err
	}
	e.ID = d.str()
	t := TypeID(d.uvarint())
	e.Name = d.str()
	e.Description = d.str()
	if n := d.count(); n > 0 {
		e.Labels = make([]Label, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			e.Labels = append(e.Labels, Label{Lang: d.str(), Value: d.str()})
		}
	}
	if n := d.count(); n > 0 {
		e.Aliases = make([]string, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			e.Aliases = append(e.Aliases, d.str())
		}
	}
	var raw string
	if rawProps {
		raw = d.rawProps()
	} else {
		e.Properties = d.props()
	}
	e.ValidFrom = d.date()
	e.ValidTo = d.date()
	e.Sources = d.sources()
	if err := d.end("entity"); err != nil {
		return 0, "", err
	}
	return t, raw, nil
}

// relationBody is a stored relation with its type and endpoints interned.
type relationBody struct {
	typ      TypeID
	from, to NodeID
	r        *Relation // r.Type is filled in by the reader
}

func encodeRelation(r *Relation, t TypeID, from, to NodeID) []byte {
	return appendRelation(make([]byte, 0, 64+len(r.ID)+len(r.From)+len(r.To)), r, t, from, to)
}

// appendRelation appends the body of r to dst.
func appendRelation(dst []byte, r *Relation, t TypeID, from, to NodeID) []byte {
	enc := encoder{b: dst}
	enc.byte(bodyFormat)
	enc.str(r.ID)
	enc.uvarint(uint64(t))
	enc.uvarint(uint64(from))
	enc.uvarint(uint64(to))
	enc.str(r.From)
	enc.str(r.To)
	enc.props(r.Properties)
	enc.date(r.ValidFrom)
	enc.date(r.ValidTo)
	enc.sources(r.Sources)
	return enc.b
}

func decodeRelation(b []byte) (relationBody, error) { return decodeRelationString(string(b)) }

// decodeRelationString is decodeRelation of a body held as a string.
func decodeRelationString(b string) (relationBody, error) {
	rb := relationBody{r: &Relation{}}
	var err error
	if rb.typ, rb.from, rb.to, err = decodeRelationInto(b, rb.r); err != nil {
		return relationBody{}, err
	}
	return rb, nil
}

// decodeRelationInto decodes the relation body b into *r, which must be
// zero, and returns its type and endpoints, as decodeEntityInto does.
func decodeRelationInto(b string, r *Relation) (t TypeID, from, to NodeID, err error) {
	t, from, to, _, err = decodeRelationFields(b, r, false)
	return t, from, to, err
}

// decodeRelationFields is decodeRelationInto with rawProps as in
// decodeEntityFields.
func decodeRelationFields(b string, r *Relation, rawProps bool) (t TypeID, from, to NodeID, raw string, err error) {
	d := decoder{s: b}
	if err := d.format("relation"); err != nil {
		return 0, 0, 0, "", err
	}
	r.ID = d.str()
	t = TypeID(d.uvarint())
	from = NodeID(d.uvarint())
	to = NodeID(d.uvarint())
	r.From = d.str()
	r.To = d.str()
	if rawProps {
		raw = d.rawProps()
	} else {
		r.Properties = d.props()
	}
	r.ValidFrom = d.date()
	r.ValidTo = d.date()
	r.Sources = d.sources()
	if err := d.end("relation"); err != nil {
		return 0, 0, 0, "", err
	}
	return t, from, to, raw, nil
}
