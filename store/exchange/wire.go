package exchange

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ties-graph/ties/store"
)

// This file holds the canonical JSON forms of records, shared by the NDJSON
// codec and the node-link codec: the wire structs the encoders marshal (their
// field order is the canonical order) and the field decoders that turn raw
// JSON members into model values with errors that name the field.

type wireSource struct {
	Document    string     `json:"document"`
	Excerpt     string     `json:"excerpt,omitempty"`
	Locator     string     `json:"locator,omitempty"`
	Confidence  *float64   `json:"confidence,omitempty"`
	RetrievedAt *time.Time `json:"retrievedAt,omitempty"`
}

type wireEntity struct {
	Kind        string            `json:"kind"`
	ID          string            `json:"id"`
	Type        string            `json:"type"`
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	Labels      map[string]string `json:"labels"`
	Aliases     []string          `json:"aliases"`
	Properties  store.Properties  `json:"properties"`
	ValidFrom   string            `json:"validFrom,omitempty"`
	ValidTo     string            `json:"validTo,omitempty"`
	Sources     []wireSource      `json:"sources"`
}

type wireRelation struct {
	Kind       string           `json:"kind"`
	ID         string           `json:"id"`
	Type       string           `json:"type"`
	From       string           `json:"from"`
	To         string           `json:"to"`
	Properties store.Properties `json:"properties"`
	ValidFrom  string           `json:"validFrom,omitempty"`
	ValidTo    string           `json:"validTo,omitempty"`
	Sources    []wireSource     `json:"sources"`
}

type wireEntityType struct {
	Kind        string   `json:"kind,omitempty"`
	Name        string   `json:"name"`
	Parent      string   `json:"parent,omitempty"`
	Description string   `json:"description,omitempty"`
	Indexed     []string `json:"indexed,omitempty"`
}

type wireRelationType struct {
	Kind        string   `json:"kind,omitempty"`
	Name        string   `json:"name"`
	Inverse     string   `json:"inverse,omitempty"`
	Symmetric   bool     `json:"symmetric,omitempty"`
	From        []string `json:"from,omitempty"`
	To          []string `json:"to,omitempty"`
	Description string   `json:"description,omitempty"`
	Indexed     []string `json:"indexed,omitempty"`
}

// The record kinds of the canonical format.
const (
	kindEntity       = "entity"
	kindRelation     = "relation"
	kindEntityType   = "entityType"
	kindRelationType = "relationType"
)

// The members each kind of record may have; anything else is an error.
var (
	entityFields       = []string{"kind", "id", "type", "name", "description", "labels", "aliases", "properties", "validFrom", "validTo", "sources"}
	relationFields     = []string{"kind", "id", "type", "from", "to", "properties", "validFrom", "validTo", "sources"}
	entityTypeFields   = []string{"kind", "name", "parent", "description", "indexed"}
	relationTypeFields = []string{"kind", "name", "inverse", "symmetric", "from", "to", "description", "indexed"}
)

func toWireSources(src []store.Source) []wireSource {
	out := make([]wireSource, len(src))
	for i, s := range src {
		out[i] = wireSource{Document: s.Document, Excerpt: s.Excerpt, Locator: s.Locator, Confidence: s.Confidence, RetrievedAt: s.RetrievedAt}
	}
	return out
}

func toWireLabels(ls []store.Label) map[string]string {
	m := make(map[string]string, len(ls))
	for _, l := range ls {
		m[l.Lang] = l.Value
	}
	return m
}

func toWireEntity(e *store.Entity) *wireEntity {
	w := &wireEntity{
		Kind: kindEntity, ID: e.ID, Type: e.Type, Name: e.Name, Description: e.Description,
		Labels: toWireLabels(e.Labels), Aliases: e.Aliases, Properties: e.Properties,
		ValidFrom: e.ValidFrom.String(), ValidTo: e.ValidTo.String(), Sources: toWireSources(e.Sources),
	}
	if w.Aliases == nil {
		w.Aliases = []string{}
	}
	if w.Properties == nil {
		w.Properties = store.Properties{}
	}
	return w
}

func toWireRelation(r *store.Relation) *wireRelation {
	w := &wireRelation{
		Kind: kindRelation, ID: r.ID, Type: r.Type, From: r.From, To: r.To, Properties: r.Properties,
		ValidFrom: r.ValidFrom.String(), ValidTo: r.ValidTo.String(), Sources: toWireSources(r.Sources),
	}
	if w.Properties == nil {
		w.Properties = store.Properties{}
	}
	return w
}

func toWireEntityType(t store.EntityType, kind string) wireEntityType {
	return wireEntityType{Kind: kind, Name: t.Name, Parent: t.Parent, Description: t.Description, Indexed: t.Indexed}
}

func toWireRelationType(t store.RelationType, kind string) wireRelationType {
	return wireRelationType{Kind: kind, Name: t.Name, Inverse: t.Inverse, Symmetric: t.Symmetric, From: t.From, To: t.To, Description: t.Description, Indexed: t.Indexed}
}

// labelsText, aliasesText and sourcesText write a record's labels,
// aliases and sources as the JSON text of one cell or attribute of the
// flat formats (CSV, GraphML, GEXF), or "" when it has none, which those
// formats leave out.
func labelsText(ls []store.Label) string {
	if len(ls) == 0 {
		return ""
	}
	return jsonText(toWireLabels(ls))
}

func aliasesText(as []string) string {
	if len(as) == 0 {
		return ""
	}
	return jsonText(as)
}

func sourcesText(ss []store.Source) string {
	if len(ss) == 0 {
		return ""
	}
	return jsonText(toWireSources(ss))
}

// fieldDecoder decodes the members of one JSON object into model values,
// turning every problem into a *store.Error that names the record (such as
// "data.ndjson:12") and the field path (such as "properties.population").
type fieldDecoder struct {
	record string
	prefix string // field path prefix, such as "nodes[3]."
}

func (d fieldDecoder) errorf(field, format string, args ...any) *store.Error {
	return store.FieldError(d.record, d.prefix+field, format, args...)
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// describeJSON names the JSON type of raw for error messages.
func describeJSON(raw json.RawMessage) string {
	switch {
	case len(raw) == 0:
		return "nothing"
	case raw[0] == '"':
		return "a string"
	case raw[0] == '{':
		return "an object"
	case raw[0] == '[':
		return "an array"
	case raw[0] == 't' || raw[0] == 'f':
		return "a boolean"
	case raw[0] == 'n':
		return "null"
	}
	return "a number"
}

// plainString returns the contents of a JSON string without escapes, the
// common case, which needs no decoding; ok is false for anything else.
// raw must be valid JSON, as the members of a decoded object are.
func plainString(raw json.RawMessage) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || bytes.IndexByte(raw, '\\') >= 0 {
		return "", false
	}
	return string(raw[1 : len(raw)-1]), true
}

func (d fieldDecoder) str(raw json.RawMessage, field string) (string, *store.Error) {
	if isNull(raw) {
		return "", nil
	}
	if s, ok := plainString(raw); ok {
		return s, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", d.errorf(field, "want a string, got %s", describeJSON(raw))
	}
	return s, nil
}

// id reads an identifier, which node-link files often write as a number.
func (d fieldDecoder) id(raw json.RawMessage, field string) (string, *store.Error) {
	if isNull(raw) {
		return "", nil
	}
	if raw[0] == '"' {
		return d.str(raw, field)
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", d.errorf(field, "want a string or a number, got %s", describeJSON(raw))
	}
	return n.String(), nil
}

func (d fieldDecoder) boolean(raw json.RawMessage, field string) (bool, *store.Error) {
	if isNull(raw) {
		return false, nil
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		return false, d.errorf(field, "want true or false, got %s", describeJSON(raw))
	}
	return b, nil
}

func (d fieldDecoder) strings(raw json.RawMessage, field string) ([]string, *store.Error) {
	if isNull(raw) {
		return nil, nil
	}
	if ss, ok := plainStrings(raw); ok {
		return ss, nil
	}
	var ss []string
	if err := json.Unmarshal(raw, &ss); err != nil {
		return nil, d.errorf(field, "want an array of strings, got %s", describeJSON(raw))
	}
	return ss, nil
}

func (d fieldDecoder) date(raw json.RawMessage, field string) (store.Date, *store.Error) {
	if isNull(raw) {
		return store.Date{}, nil
	}
	if s, ok := plainString(raw); ok {
		dt, err := store.ParseDate(s)
		if err != nil {
			return store.Date{}, d.errorf(field, "%s", store.ErrorMessage(err))
		}
		return dt, nil
	}
	var dt store.Date
	if err := dt.UnmarshalJSON(raw); err != nil {
		return store.Date{}, d.errorf(field, "%s", store.ErrorMessage(err))
	}
	return dt, nil
}

// plainStrings decodes an array of strings without escapes; ok is false
// for anything else.
func plainStrings(raw json.RawMessage) ([]string, bool) {
	ss := []string{}
	plain := true
	ok := elements(raw, func(v []byte) {
		s, ok := plainString(v)
		plain = plain && ok
		ss = append(ss, s)
	})
	return ss, ok && plain
}

func (d fieldDecoder) labels(raw json.RawMessage, field string) ([]store.Label, *store.Error) {
	if isNull(raw) {
		return nil, nil
	}
	if ls, ok := plainLabels(raw); ok {
		return ls, nil
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, d.errorf(field, `want an object of language tags to names, such as {"nl":"Enschede"}, got %s`, describeJSON(raw))
	}
	langs := make([]string, 0, len(m))
	for l := range m {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	out := make([]store.Label, len(langs))
	for i, l := range langs {
		out[i] = store.Label{Lang: l, Value: m[l]}
	}
	return out, nil
}

// plainLabels decodes an object of plain strings into labels sorted by
// language, the last of a repeated language winning, as decoding into a
// map does; ok is false for anything else.
func plainLabels(raw json.RawMessage) ([]store.Label, bool) {
	var ls []store.Label
	plain := true
	ok := members(raw, func(k, v []byte) {
		s, ok := plainString(v)
		plain = plain && ok
		ls = append(ls, store.Label{Lang: string(k), Value: s})
	})
	if !ok || !plain {
		return nil, false
	}
	sort.SliceStable(ls, func(i, j int) bool { return ls[i].Lang < ls[j].Lang })
	out := ls[:0]
	for i, l := range ls {
		if i+1 < len(ls) && ls[i+1].Lang == l.Lang {
			continue
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		out = []store.Label{}
	}
	return out, true
}

func (d fieldDecoder) value(raw json.RawMessage, field string) (store.Value, *store.Error) {
	// Scalars, most property values, skip the generic decoder.
	switch c := raw[0]; {
	case c == '"':
		if s, ok := plainString(raw); ok {
			return store.Text(s), nil
		}
	case c == 't' && string(raw) == "true":
		return store.Bool(true), nil
	case c == 'f' && string(raw) == "false":
		return store.Bool(false), nil
	case c == '-' || c >= '0' && c <= '9':
		if f, err := strconv.ParseFloat(string(raw), 64); err == nil && !math.IsInf(f, 0) {
			return store.Number(f), nil
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return store.Value{}, d.errorf(field, "invalid value: %v", err)
	}
	v, err := store.ValueOf(x)
	if err != nil {
		return store.Value{}, d.errorf(field, "%s", store.ErrorMessage(err))
	}
	return v, nil
}

func (d fieldDecoder) properties(raw json.RawMessage, field string, into store.Properties) (store.Properties, *store.Error) {
	if isNull(raw) {
		return into, nil
	}
	if into, ok, err := d.fewProperties(raw, field, into); ok {
		return into, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return into, d.errorf(field, "want an object of property values, got %s", describeJSON(raw))
	}
	for k, r := range m {
		if isNull(r) {
			continue
		}
		v, err := d.value(r, field+"."+k)
		if err != nil {
			return into, err
		}
		if into == nil {
			into = store.Properties{}
		}
		into[k] = v
	}
	return into, nil
}

// fewProperties is properties for an object of up to 16 members without
// escaped keys, the usual case, through the fast scanner and without a map
// of members; ok is false when it does not apply. Of a repeated name only
// the last member counts, as with a map.
func (d fieldDecoder) fewProperties(raw json.RawMessage, field string, into store.Properties) (store.Properties, bool, *store.Error) {
	type member struct {
		k string
		v []byte
	}
	var buf [16]member
	ms := buf[:0]
	many := false
	ok := members(raw, func(k, v []byte) {
		if len(ms) == cap(ms) {
			many = true
			return
		}
		ms = append(ms, member{internKey(k), v})
	})
	if !ok || many {
		return into, false, nil
	}
next:
	for i, m := range ms {
		if isNull(m.v) {
			continue
		}
		for _, later := range ms[i+1:] {
			if later.k == m.k {
				continue next
			}
		}
		v, err := d.value(m.v, "")
		if err != nil {
			// Name the field only now: building every name costs more
			// than decoding the values.
			_, err = d.value(m.v, field+"."+m.k)
			return into, true, err
		}
		if into == nil {
			into = store.Properties{}
		}
		into[m.k] = v
	}
	return into, true, nil
}

var sourceFields = []string{"document", "excerpt", "locator", "confidence", "retrievedAt"}

func (d fieldDecoder) sources(raw json.RawMessage, field string) ([]store.Source, *store.Error) {
	if isNull(raw) {
		return nil, nil
	}
	list, ok := objectList(raw)
	if !ok {
		list = nil
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, d.errorf(field, "want an array of source objects, got %s", describeJSON(raw))
		}
	}
	out := make([]store.Source, len(list))
	for i, m := range list {
		sd := fieldDecoder{record: d.record, prefix: fmt.Sprintf("%s%s[%d].", d.prefix, field, i)}
		if err := sd.checkMembers(m, sourceFields, "", "source"); err != nil {
			return nil, err
		}
		r := sd.fields(m)
		out[i] = store.Source{
			Document:    r.str("document"),
			Excerpt:     r.str("excerpt"),
			Locator:     r.str("locator"),
			Confidence:  read(r, "confidence", fieldDecoder.confidence),
			RetrievedAt: read(r, "retrievedAt", fieldDecoder.timestamp),
		}
		if r.err != nil {
			return nil, r.err
		}
	}
	return out, nil
}

// confidence reads a source's confidence, nil when not given.
func (d fieldDecoder) confidence(raw json.RawMessage, field string) (*float64, *store.Error) {
	if isNull(raw) {
		return nil, nil
	}
	var c float64
	if json.Unmarshal(raw, &c) != nil {
		return nil, d.errorf(field, "want a number from 0 to 1, got %s", describeJSON(raw))
	}
	return &c, nil
}

// timestamp reads a source's retrieval time, nil when not given.
func (d fieldDecoder) timestamp(raw json.RawMessage, field string) (*time.Time, *store.Error) {
	if isNull(raw) {
		return nil, nil
	}
	ts, err := d.str(raw, field)
	if err != nil {
		return nil, err
	}
	t, perr := parseTime(ts)
	if perr != nil {
		return nil, d.errorf(field, "invalid time %q: use RFC 3339, such as 2017-07-05T10:00:00Z, or a day 2017-07-05", ts)
	}
	return &t, nil
}

// objectList splits an array of objects into their members; ok is false
// for anything else, null elements included.
func objectList(raw json.RawMessage) ([]map[string]json.RawMessage, bool) {
	var list []map[string]json.RawMessage
	all := true
	ok := elements(raw, func(v []byte) {
		m, ok := objectMembers(v, nil)
		all = all && ok
		list = append(list, m)
	})
	return list, ok && all
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, s)
}

// checkMembers refuses members not in allowed, naming the first (in sorted
// order, so the message does not depend on map order).
func (d fieldDecoder) checkMembers(m map[string]json.RawMessage, allowed []string, prefix, what string) *store.Error {
	var unknown []string
	for k := range m {
		if !contains(allowed, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	return d.errorf(prefix+unknown[0], "unknown field of %s (allowed: %s)", what, strings.Join(allowed, ", "))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// decodeWireRecord turns the members of one canonical record into a Record.
func (d fieldDecoder) decodeWireRecord(m map[string]json.RawMessage, line int64) (store.Record, *store.Error) {
	rec := store.Record{Line: line}
	rawKind, ok := m["kind"]
	if !ok {
		return rec, d.errorf("kind", "missing (want entity, relation, entityType or relationType)")
	}
	kind, err := d.str(rawKind, "kind")
	if err != nil {
		return rec, err
	}
	switch kind {
	case kindEntity:
		if err := d.checkMembers(m, entityFields, "", "an entity"); err != nil {
			return rec, err
		}
		e, err := d.entity(m, nil)
		defaultName(e, m)
		rec.Entity, rec.Fields = e, carriedFields(m)
		return rec, err
	case kindRelation:
		if err := d.checkMembers(m, relationFields, "", "a relation"); err != nil {
			return rec, err
		}
		r, err := d.relation(m, "from", "to", "id", nil)
		rec.Relation, rec.Fields = r, carriedFields(m)
		return rec, err
	case kindEntityType:
		if err := d.checkMembers(m, entityTypeFields, "", "an entityType"); err != nil {
			return rec, err
		}
		t, err := d.entityType(m)
		rec.EntityType = t
		return rec, err
	case kindRelationType:
		if err := d.checkMembers(m, relationTypeFields, "", "a relationType"); err != nil {
			return rec, err
		}
		t, err := d.relationType(m)
		rec.RelationType = t
		return rec, err
	}
	return rec, d.errorf("kind", "unknown kind %q (want entity, relation, entityType or relationType)", kind)
}

// entity decodes the entity members of m; extra, when not nil, receives the
// members that are not entity fields as properties (node-link attributes).
func (d fieldDecoder) entity(m map[string]json.RawMessage, extra []string) (*store.Entity, *store.Error) {
	r := d.fields(m)
	e := &store.Entity{ID: r.need(read(r, "id", fieldDecoder.id), "id", "missing entity id")}
	if e.Type = r.str("type"); e.Type == "" && r.err == nil {
		r.err = d.errorf("type", "missing entity type for %q", e.ID)
	}
	e.Name = r.str("name")
	e.Description = r.str("description")
	e.Labels = read(r, "labels", fieldDecoder.labels)
	e.Aliases = r.strings("aliases")
	r.fact(extra, &e.Properties, &e.ValidFrom, &e.ValidTo, &e.Sources)
	if r.err != nil {
		return nil, r.err
	}
	return e, nil
}

// relation decodes the relation members of m, reading the endpoints from
// the members named from and to and the id from idField.
func (d fieldDecoder) relation(m map[string]json.RawMessage, from, to, idField string, extra []string) (*store.Relation, *store.Error) {
	r := d.fields(m)
	rel := &store.Relation{}
	if idField != "" {
		rel.ID = read(r, idField, fieldDecoder.id)
	}
	rel.Type = r.need(r.str("type"), "type", "missing relation type")
	rel.From = r.need(read(r, from, fieldDecoder.id), from, "missing")
	rel.To = r.need(read(r, to, fieldDecoder.id), to, "missing")
	r.fact(extra, &rel.Properties, &rel.ValidFrom, &rel.ValidTo, &rel.Sources)
	if r.err != nil {
		return nil, r.err
	}
	return rel, nil
}

// fact decodes the members entities and relations share: properties, the
// extra members that are properties too (CSV columns), validity and
// sources.
func (r *fieldReader) fact(extra []string, props *store.Properties, validFrom, validTo *store.Date, sources *[]store.Source) {
	*props = read(r, "properties", func(d fieldDecoder, raw json.RawMessage, field string) (store.Properties, *store.Error) {
		return d.properties(raw, field, nil)
	})
	*validFrom = read(r, "validFrom", fieldDecoder.date)
	*validTo = read(r, "validTo", fieldDecoder.date)
	*sources = read(r, "sources", fieldDecoder.sources)
	for _, k := range extra {
		if r.err != nil {
			return
		}
		if isNull(r.m[k]) {
			continue
		}
		v := read(r, k, fieldDecoder.value)
		if r.err != nil {
			return
		}
		if *props == nil {
			*props = store.Properties{}
		}
		(*props)[k] = v
	}
}

func (d fieldDecoder) entityType(m map[string]json.RawMessage) (*store.EntityType, *store.Error) {
	r := d.fields(m)
	t := &store.EntityType{
		Name:        r.need(r.str("name"), "name", "missing type name"),
		Parent:      r.str("parent"),
		Description: r.str("description"),
		Indexed:     r.strings("indexed"),
	}
	if r.err != nil {
		return nil, r.err
	}
	return t, nil
}

func (d fieldDecoder) relationType(m map[string]json.RawMessage) (*store.RelationType, *store.Error) {
	r := d.fields(m)
	t := &store.RelationType{
		Name:        r.need(r.str("name"), "name", "missing type name"),
		Inverse:     r.str("inverse"),
		Symmetric:   read(r, "symmetric", fieldDecoder.boolean),
		From:        r.strings("from"),
		To:          r.strings("to"),
		Description: r.str("description"),
		Indexed:     r.strings("indexed"),
	}
	if r.err != nil {
		return nil, r.err
	}
	return t, nil
}
