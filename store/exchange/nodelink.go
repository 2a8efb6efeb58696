package exchange

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/ties-graph/ties/store"
)

// The node-link format is NetworkX's node_link_data shape, which D3 reads
// too: {"directed", "multigraph", "graph", "nodes": [...], "links": [...]}.
// Node and link members that are not fields of an entity or relation are
// its properties; a property whose name is such a field travels in a
// "properties" object instead. The graph object may carry the ontology as
// "entityTypes" and "relationTypes" lists, so that an export re-imports
// into an empty store.

var (
	nodeFields = []string{"id", "type", "name", "description", "labels", "aliases", "validFrom", "validTo", "sources", "properties"}
	linkFields = []string{"source", "target", "key", "id", "type", "validFrom", "validTo", "sources", "properties"}
)

// lineCounter maps byte offsets of its input to line numbers. It remembers
// only the newlines that the consumer has not yet passed, so its memory is
// bounded by the decoder's read-ahead.
type lineCounter struct {
	r    io.Reader
	read int64
	nl   []int64
	line int64
}

func (lc *lineCounter) Read(p []byte) (int, error) {
	n, err := lc.r.Read(p)
	for i := 0; i < n; {
		j := bytes.IndexByte(p[i:n], '\n')
		if j < 0 {
			break
		}
		lc.nl = append(lc.nl, lc.read+int64(i+j))
		i += j + 1
	}
	lc.read += int64(n)
	return n, err
}

// lineAt returns the 1-based line of offset off; offsets must not decrease
// from one call to the next.
func (lc *lineCounter) lineAt(off int64) int64 {
	i := 0
	for i < len(lc.nl) && lc.nl[i] < off {
		i++
	}
	lc.line += int64(i)
	lc.nl = lc.nl[i:]
	return lc.line + 1
}

// nodeLinkDecoder reads one node-link document as a stream: one node or
// link at a time, never the whole document.
type nodeLinkDecoder struct {
	dec   *json.Decoder
	lc    *lineCounter
	name  string
	errs  *errorList
	yield func(store.Record) error
}

// errStopDecode ends decoding after a syntax error or when the error list
// is full; the errors are in the list.
var errStopDecode = errors.New("stop decoding")

func decodeNodeLink(ctx context.Context, r io.Reader, name string, opts DecodeOptions, errs *errorList, yield func(store.Record) error) error {
	lc := &lineCounter{r: &utf8Reader{r: r}}
	dec := json.NewDecoder(lc)
	dec.UseNumber()
	d := &nodeLinkDecoder{dec: dec, lc: lc, name: name, errs: errs, yield: yield}
	if err := d.document(ctx); err != nil && !errors.Is(err, errStopDecode) {
		return err
	}
	return nil
}

func (d *nodeLinkDecoder) line() int64 { return d.lc.lineAt(d.dec.InputOffset()) }

func (d *nodeLinkDecoder) rec(line int64) string { return fmt.Sprintf("%s:%d", d.name, line) }

// syntax records a fatal error of the document's structure.
func (d *nodeLinkDecoder) syntax(err error) error {
	line := d.line()
	var se *json.SyntaxError
	var re *readError
	switch {
	case errors.As(err, &re):
		d.errs.add(readFailure(d.name, line, err))
	case errors.As(err, &se):
		d.errs.add(store.FieldError(d.rec(d.lc.lineAt(se.Offset)), "", "invalid JSON: %v", err))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		d.errs.add(store.FieldError(d.rec(line), "", "unexpected end of input (truncated file?)"))
	default:
		d.errs.add(store.FieldError(d.rec(line), "", "%v", err))
	}
	return errStopDecode
}

// record reports a record-level error; it stops only when the list is full.
func (d *nodeLinkDecoder) record(e *store.Error) error {
	if d.errs.add(e) {
		return errStopDecode
	}
	return nil
}

func (d *nodeLinkDecoder) delim(want json.Delim, what string) error {
	tok, err := d.dec.Token()
	if err != nil {
		return d.syntax(err)
	}
	if got, ok := tok.(json.Delim); !ok || got != want {
		return d.syntax(fmt.Errorf("want %s, got %v", what, tok))
	}
	return nil
}

// object reads one JSON object member by member and returns its members
// and the line where it starts.
func (d *nodeLinkDecoder) object() (map[string]json.RawMessage, int64, error) {
	if err := d.delim('{', "an object"); err != nil {
		return nil, 0, err
	}
	line := d.line()
	m := map[string]json.RawMessage{}
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return nil, line, d.syntax(err)
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := d.dec.Decode(&raw); err != nil {
			return nil, line, d.syntax(err)
		}
		m[key] = raw
	}
	if err := d.delim('}', "end of object"); err != nil {
		return nil, line, err
	}
	return m, line, nil
}

func (d *nodeLinkDecoder) document(ctx context.Context) error {
	if err := d.delim('{', "a node-link object"); err != nil {
		return err
	}
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return d.syntax(err)
		}
		key, _ := tok.(string)
		switch key {
		case "directed", "multigraph":
			var b bool
			if err := d.dec.Decode(&b); err != nil {
				return d.syntax(fmt.Errorf("%s: want true or false", key))
			}
		case "graph":
			m, line, err := d.object()
			if err != nil {
				return err
			}
			if err := d.graph(m, line); err != nil {
				return err
			}
		case "nodes", "links", "edges":
			if err := d.list(ctx, key); err != nil {
				return err
			}
		default:
			line := d.line()
			var skip json.RawMessage
			if err := d.dec.Decode(&skip); err != nil {
				return d.syntax(err)
			}
			if err := d.record(store.FieldError(d.rec(line), key, "unknown member of a node-link document (want directed, multigraph, graph, nodes and links or edges)")); err != nil {
				return err
			}
		}
	}
	if err := d.delim('}', "end of the document"); err != nil {
		return err
	}
	if _, err := d.dec.Token(); !errors.Is(err, io.EOF) {
		return d.syntax(errors.New("data after the end of the document"))
	}
	return nil
}

// graph reads the ontology from the graph attributes; other attributes
// are the graph's own and are ignored.
func (d *nodeLinkDecoder) graph(m map[string]json.RawMessage, line int64) error {
	fd := fieldDecoder{record: d.rec(line), prefix: "graph."}
	var ets []map[string]json.RawMessage
	if raw := m["entityTypes"]; !isNull(raw) {
		if json.Unmarshal(raw, &ets) != nil {
			return d.record(fd.errorf("entityTypes", "want an array of entity types"))
		}
	}
	for i, t := range ets {
		f := fieldDecoder{record: fd.record, prefix: fmt.Sprintf("graph.entityTypes[%d].", i)}
		if err := f.checkMembers(t, entityTypeFields, "", "an entity type"); err != nil {
			if err := d.record(err); err != nil {
				return err
			}
			continue
		}
		et, err := f.entityType(t)
		if err != nil {
			if err := d.record(err); err != nil {
				return err
			}
			continue
		}
		if err := d.yield(store.Record{Line: line, EntityType: et}); err != nil {
			return err
		}
	}
	var rts []map[string]json.RawMessage
	if raw := m["relationTypes"]; !isNull(raw) {
		if json.Unmarshal(raw, &rts) != nil {
			return d.record(fd.errorf("relationTypes", "want an array of relation types"))
		}
	}
	for i, t := range rts {
		f := fieldDecoder{record: fd.record, prefix: fmt.Sprintf("graph.relationTypes[%d].", i)}
		if err := f.checkMembers(t, relationTypeFields, "", "a relation type"); err != nil {
			if err := d.record(err); err != nil {
				return err
			}
			continue
		}
		rt, err := f.relationType(t)
		if err != nil {
			if err := d.record(err); err != nil {
				return err
			}
			continue
		}
		if err := d.yield(store.Record{Line: line, RelationType: rt}); err != nil {
			return err
		}
	}
	return nil
}

func (d *nodeLinkDecoder) list(ctx context.Context, key string) error {
	if err := d.delim('[', "an array"); err != nil {
		return err
	}
	for i := 0; d.dec.More(); i++ {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		m, line, err := d.object()
		if err != nil {
			return err
		}
		fd := fieldDecoder{record: d.rec(line), prefix: fmt.Sprintf("%s[%d].", key, i)}
		var rec store.Record
		var e *store.Error
		if key == "nodes" {
			rec.Entity, e = fd.entity(m, extraMembers(m, nodeFields))
		} else {
			idField := "id"
			if raw := m["key"]; !isNull(raw) && raw[0] == '"' {
				// A string key is a relation id; NetworkX's own integer
				// keys only count parallel edges and are dropped.
				idField = "key"
			}
			rec.Relation, e = fd.relation(m, "source", "target", idField, extraMembers(m, linkFields))
		}
		if e != nil {
			if err := d.record(e); err != nil {
				return err
			}
			continue
		}
		rec.Line = line
		if err := d.yield(rec); err != nil {
			return err
		}
	}
	return d.delim(']', "end of array")
}

// extraMembers lists the members of m that are not in fields, sorted so that
// errors do not depend on map order.
func extraMembers(m map[string]json.RawMessage, fields []string) []string {
	var out []string
	for k := range m {
		if !contains(fields, k) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// nodeLinkWriter streams a node-link document.
type nodeLinkWriter struct {
	w     *bufio.Writer
	first bool
	buf   bytes.Buffer
}

func newNodeLinkWriter(w io.Writer) *nodeLinkWriter {
	return &nodeLinkWriter{w: bufio.NewWriterSize(w, 64<<10)}
}

func (n *nodeLinkWriter) begin(s *schema) error {
	ets := make([]wireEntityType, len(s.ontology.EntityTypes))
	for i, t := range s.ontology.EntityTypes {
		ets[i] = toWireEntityType(t, "")
	}
	rts := make([]wireRelationType, len(s.ontology.RelationTypes))
	for i, t := range s.ontology.RelationTypes {
		rts[i] = toWireRelationType(t, "")
	}
	graph := struct {
		Name          string             `json:"name"`
		EntityTypes   []wireEntityType   `json:"entityTypes"`
		RelationTypes []wireRelationType `json:"relationTypes"`
	}{"ties", ets, rts}
	n.w.WriteString(`{"directed":true,"multigraph":true,"graph":`)
	n.w.WriteString(jsonText(graph))
	n.w.WriteString(`,"nodes":[`)
	n.first = true
	return nil
}

// member appends "key":value to the object being built.
func (n *nodeLinkWriter) member(key string, value any) {
	if n.buf.Len() > 1 {
		n.buf.WriteByte(',')
	}
	n.buf.WriteString(jsonText(key))
	n.buf.WriteByte(':')
	n.buf.WriteString(jsonText(value))
}

func (n *nodeLinkWriter) flushObject() error {
	n.buf.WriteByte('}')
	if !n.first {
		n.w.WriteByte(',')
	}
	n.first = false
	n.w.WriteByte('\n')
	_, err := n.w.Write(n.buf.Bytes())
	return err
}

// properties writes the properties flat, except those whose names are
// fields of the record, which go into a "properties" object.
func (n *nodeLinkWriter) properties(p store.Properties, fields []string) {
	var nested store.Properties
	for _, k := range p.Keys() {
		if contains(fields, k) {
			if nested == nil {
				nested = store.Properties{}
			}
			nested[k] = p[k]
			continue
		}
		n.member(k, p[k])
	}
	if nested != nil {
		n.member("properties", nested)
	}
}

func (n *nodeLinkWriter) entity(e *store.Entity) error {
	n.buf.Reset()
	n.buf.WriteByte('{')
	n.member("id", e.ID)
	n.member("type", e.Type)
	n.member("name", e.Name)
	if e.Description != "" {
		n.member("description", e.Description)
	}
	if len(e.Labels) > 0 {
		n.member("labels", toWireLabels(e.Labels))
	}
	if len(e.Aliases) > 0 {
		n.member("aliases", e.Aliases)
	}
	if !e.ValidFrom.IsZero() {
		n.member("validFrom", e.ValidFrom.String())
	}
	if !e.ValidTo.IsZero() {
		n.member("validTo", e.ValidTo.String())
	}
	if len(e.Sources) > 0 {
		n.member("sources", toWireSources(e.Sources))
	}
	n.properties(e.Properties, nodeFields)
	return n.flushObject()
}

func (n *nodeLinkWriter) endEntities() error {
	n.w.WriteString("\n],\"links\":[")
	n.first = true
	return nil
}

func (n *nodeLinkWriter) relation(r *store.Relation) error {
	n.buf.Reset()
	n.buf.WriteByte('{')
	n.member("source", r.From)
	n.member("target", r.To)
	n.member("key", r.ID)
	n.member("type", r.Type)
	if !r.ValidFrom.IsZero() {
		n.member("validFrom", r.ValidFrom.String())
	}
	if !r.ValidTo.IsZero() {
		n.member("validTo", r.ValidTo.String())
	}
	if len(r.Sources) > 0 {
		n.member("sources", toWireSources(r.Sources))
	}
	n.properties(r.Properties, linkFields)
	return n.flushObject()
}

func (n *nodeLinkWriter) end() error {
	n.w.WriteString("\n]}\n")
	return n.w.Flush()
}
