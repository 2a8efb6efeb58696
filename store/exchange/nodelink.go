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
	dec    *json.Decoder
	lc     *lineCounter
	name   string
	errs   *errorList
	yield  func(store.Record) error
	fields *fileFields // tags lines with origins; nil: leaves them
}

// errStopDecode ends decoding after a syntax error or when the error list
// is full; the errors are in the list.
var errStopDecode = errors.New("stop decoding")

func decodeNodeLink(ctx context.Context, r io.Reader, name string, opts DecodeOptions, errs *errorList, yield func(store.Record) error) error {
	lc := &lineCounter{r: &utf8Reader{r: r}}
	dec := json.NewDecoder(lc)
	dec.UseNumber()
	d := &nodeLinkDecoder{dec: dec, lc: lc, name: name, errs: errs, yield: yield, fields: opts.fields}
	opts.fields.set(originLink, nodeLinkLinkNames)
	opts.fields.set(originLinkKey, nodeLinkLinkKeyNames)
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
	err := graphTypes(d, m, line, "entityTypes", "entity types", "an entity type", entityTypeFields, fieldDecoder.entityType,
		func(t *store.EntityType) store.Record { return store.Record{Line: line, EntityType: t} })
	if err != nil {
		return err
	}
	return graphTypes(d, m, line, "relationTypes", "relation types", "a relation type", relationTypeFields, fieldDecoder.relationType,
		func(t *store.RelationType) store.Record { return store.Record{Line: line, RelationType: t} })
}

// graphTypes yields the type records of the graph attribute key, each
// decoded by decode; a bad one is an error of its own (what names one,
// allowed its members), a key that is not an array (of plural) stops the
// document.
func graphTypes[T any](d *nodeLinkDecoder, m map[string]json.RawMessage, line int64, key, plural, what string, allowed []string,
	decode func(fieldDecoder, map[string]json.RawMessage) (*T, *store.Error), record func(*T) store.Record) error {
	var list []map[string]json.RawMessage
	if raw := m[key]; !isNull(raw) {
		if json.Unmarshal(raw, &list) != nil {
			fd := fieldDecoder{record: d.rec(line), prefix: "graph."}
			return d.record(fd.errorf(key, "want an array of %s", plural))
		}
	}
	for i, raw := range list {
		f := fieldDecoder{record: d.rec(line), prefix: fmt.Sprintf("graph.%s[%d].", key, i)}
		err := f.checkMembers(raw, allowed, "", what)
		var t *T
		if err == nil {
			t, err = decode(f, raw)
		}
		if err != nil {
			if err := d.record(err); err != nil {
				return err
			}
			continue
		}
		if err := d.yield(record(t)); err != nil {
			return err
		}
	}
	return nil
}

func (d *nodeLinkDecoder) list(ctx context.Context, key string) error {
	if err := d.delim('[', "an array"); err != nil {
		return err
	}
	o := originNode
	if key != "nodes" {
		o = originLink
	}
	var lines []int64
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
		if d.fields != nil {
			lines = append(lines, line)
		}
		fd := fieldDecoder{record: d.rec(line), prefix: fmt.Sprintf("%s[%d].", key, i)}
		var rec store.Record
		var e *store.Error
		o := o
		if key == "nodes" {
			rec.Entity, e = fd.entity(m, extraMembers(m, nodeFields))
		} else {
			idField := "id"
			o = originLink
			if raw := m["key"]; !isNull(raw) && raw[0] == '"' {
				// A string key is a relation id; NetworkX's own integer
				// keys only count parallel edges and are dropped.
				idField, o = "key", originLinkKey
			}
			rec.Relation, e = fd.relation(m, "source", "target", idField, extraMembers(m, linkFields))
		}
		if e != nil {
			if err := d.record(e); err != nil {
				return err
			}
			continue
		}
		defaultName(rec.Entity, m)
		rec.Line, rec.Fields = d.fields.tagElement(line, i, o), carriedFields(m)
		if err := d.yield(rec); err != nil {
			return err
		}
	}
	d.fields.setElements(o, key, lines)
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

// NodeLinkWriter writes one node-link document, NetworkX's node_link_data
// shape that D3 reads too, a node or a link at a time:
//
//	{"directed":true,"multigraph":true,"graph":{...},"nodes":[...],"links":[...]}
//
// Ties' graphs are directed and may join two entities by several
// relations, and the document says so, or NetworkX would load it as an
// undirected simple graph and merge parallel relations. A link's id is its
// "key", NetworkX's name for the key of a multigraph edge. Call Begin,
// Node for each entity, Links, Link for each relation, and End.
type NodeLinkWriter struct {
	w     io.Writer
	buf   []byte // the object being built
	first bool   // no element written yet in the current list
	chart bool
}

// NewNodeLinkWriter returns a writer to w. A full document has every field
// and property of each record, one element a line, and re-imports without
// loss; a chart document (chart true) has only what a chart draws: a
// node's id, type and name, a link's ends, key, type and validity.
func NewNodeLinkWriter(w io.Writer, chart bool) *NodeLinkWriter {
	return &NodeLinkWriter{w: w, chart: chart}
}

// Begin writes the head of the document, with graph (any JSON value; nil
// for an empty object) as its graph attributes. It returns w's error.
func (n *NodeLinkWriter) Begin(graph any) error {
	n.buf = append(n.buf[:0], `{"directed":true,"multigraph":true,"graph":`...)
	if graph == nil {
		n.buf = append(n.buf, "{}"...)
	} else {
		n.buf = appendJSON(n.buf, graph)
	}
	n.buf = append(n.buf, `,"nodes":[`...)
	n.first = true
	_, err := n.w.Write(n.buf)
	return err
}

// nodeHead starts a node with the members a chart draws.
func (n *NodeLinkWriter) nodeHead(id, typ, name string) {
	n.buf = append(n.buf[:0], '{')
	n.member("id", id)
	n.member("type", typ)
	n.member("name", name)
}

// linkHead starts a link with the members a chart draws.
func (n *NodeLinkWriter) linkHead(from, to, id, typ string, validFrom, validTo store.Date) {
	n.buf = append(n.buf[:0], '{')
	n.member("source", from)
	n.member("target", to)
	n.member("key", id)
	n.member("type", typ)
	n.dates(validFrom, validTo)
}

// Node writes an entity. It returns w's error.
func (n *NodeLinkWriter) Node(e *store.Entity) error {
	n.nodeHead(e.ID, e.Type, e.Name)
	if n.chart {
		return n.element()
	}
	if e.Description != "" {
		n.member("description", e.Description)
	}
	if len(e.Labels) > 0 {
		n.member("labels", toWireLabels(e.Labels))
	}
	if len(e.Aliases) > 0 {
		n.member("aliases", e.Aliases)
	}
	n.dates(e.ValidFrom, e.ValidTo)
	if len(e.Sources) > 0 {
		n.member("sources", toWireSources(e.Sources))
	}
	n.properties(e.Properties, nodeFields)
	return n.element()
}

// Links ends the list of nodes and starts that of links. It returns w's
// error.
func (n *NodeLinkWriter) Links() error {
	n.buf = append(n.buf[:0], n.newline()...)
	n.buf = append(n.buf, `],"links":[`...)
	n.first = true
	_, err := n.w.Write(n.buf)
	return err
}

// Link writes a relation. It returns w's error.
func (n *NodeLinkWriter) Link(r *store.Relation) error {
	n.linkHead(r.From, r.To, r.ID, r.Type, r.ValidFrom, r.ValidTo)
	if !n.chart {
		if len(r.Sources) > 0 {
			n.member("sources", toWireSources(r.Sources))
		}
		n.properties(r.Properties, linkFields)
	}
	return n.element()
}

// End ends the list of links and the document, with more top-level
// members (such as a subgraph's "truncated") when given as name, value
// pairs. It returns w's error.
func (n *NodeLinkWriter) End(more ...any) error {
	n.buf = append(n.buf[:0], n.newline()...)
	n.buf = append(n.buf, ']')
	for i := 0; i+1 < len(more); i += 2 {
		n.buf = append(n.buf, ',')
		n.buf = appendJSON(n.buf, more[i])
		n.buf = append(n.buf, ':')
		n.buf = appendJSON(n.buf, more[i+1])
	}
	n.buf = append(n.buf, '}')
	if !n.chart {
		n.buf = append(n.buf, '\n')
	}
	_, err := n.w.Write(n.buf)
	return err
}

// NodeLink returns a subgraph as a chart document (see NewNodeLinkWriter)
// with its "truncated" flag, built in memory.
func NodeLink(g *store.Subgraph) json.RawMessage {
	var b bytes.Buffer
	b.Grow(64 + 64*len(g.Nodes) + 128*len(g.Edges))
	n := NewNodeLinkWriter(&b, true)
	// A bytes.Buffer does not fail.
	n.Begin(nil)
	for _, e := range g.Nodes {
		n.Node(e)
	}
	n.Links()
	for _, r := range g.Edges {
		n.Link(r)
	}
	n.End("truncated", g.Truncated)
	return b.Bytes()
}

// newline separates the elements of a full document, one a line, so that
// a large export can be read and compared line by line.
func (n *NodeLinkWriter) newline() string {
	if n.chart {
		return ""
	}
	return "\n"
}

// element writes the object built in buf as the next element of a list.
func (n *NodeLinkWriter) element() error {
	n.buf = append(n.buf, '}')
	sep := n.newline()
	if !n.first {
		sep = "," + sep
	}
	n.first = false
	if _, err := io.WriteString(n.w, sep); err != nil {
		return err
	}
	_, err := n.w.Write(n.buf)
	return err
}

// member appends "key":value to the object being built.
func (n *NodeLinkWriter) member(key string, value any) {
	if len(n.buf) > 1 {
		n.buf = append(n.buf, ',')
	}
	n.buf = appendJSONString(n.buf, key)
	n.buf = append(n.buf, ':')
	if s, ok := value.(string); ok {
		n.buf = appendJSONString(n.buf, s)
		return
	}
	n.buf = appendJSON(n.buf, value)
}

// dates writes the validity members that are set.
func (n *NodeLinkWriter) dates(from, to store.Date) {
	if !from.IsZero() {
		n.member("validFrom", from.String())
	}
	if !to.IsZero() {
		n.member("validTo", to.String())
	}
}

// properties writes the properties flat, except those whose names are
// fields of the record, which go into a "properties" object.
func (n *NodeLinkWriter) properties(p store.Properties, fields []string) {
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

// nodeLinkWriter is the export's encoder of the JSON format: a full
// NodeLinkWriter with the ontology as its graph attributes.
type nodeLinkWriter struct {
	w *bufio.Writer
	n *NodeLinkWriter
}

func newNodeLinkWriter(w io.Writer) *nodeLinkWriter {
	bw := bufio.NewWriterSize(w, 64<<10)
	return &nodeLinkWriter{w: bw, n: NewNodeLinkWriter(bw, false)}
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
	return n.n.Begin(graph)
}

func (n *nodeLinkWriter) entity(e *store.Entity) error     { return n.n.Node(e) }
func (n *nodeLinkWriter) endEntities() error               { return n.n.Links() }
func (n *nodeLinkWriter) relation(r *store.Relation) error { return n.n.Link(r) }

func (n *nodeLinkWriter) end() error {
	if err := n.n.End(); err != nil {
		return err
	}
	return n.w.Flush()
}

// appendJSONString appends s as a JSON string. Plain ASCII, which ids,
// types and most names are, is copied as it is; anything else goes
// through encoding/json, which escapes and repairs it.
func appendJSONString(b []byte, s string) []byte {
	if !plainASCII(s) {
		return appendJSON(b, s)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendJSON appends the JSON of v without HTML escaping, as every export
// writes it.
func appendJSON(b []byte, v any) []byte {
	return append(b, jsonText(v)...)
}
