package exchange

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/ties-graph/ties/store"
)

// xmlWriter is a buffered writer with the escaping GraphML and GEXF need.
type xmlWriter struct {
	w *bufio.Writer
}

func newXMLWriter(w io.Writer) xmlWriter { return xmlWriter{w: bufio.NewWriterSize(w, 64<<10)} }

func (x xmlWriter) raw(s string) { x.w.WriteString(s) }

// text writes s escaped for element content and attribute values alike;
// characters XML 1.0 cannot carry become U+FFFD.
func (x xmlWriter) text(s string) { xml.EscapeText(x.w, []byte(s)) }

// attr writes ` name="value"`.
func (x xmlWriter) attr(name, value string) {
	x.w.WriteString(" " + name + `="`)
	x.text(value)
	x.w.WriteByte('"')
}

// emptyElement writes the start of an element (such as "  <key"), its
// attributes as name, value pairs, and "/>" ending the line.
func (x xmlWriter) emptyElement(start string, attrs ...string) {
	x.raw(start)
	for i := 0; i+1 < len(attrs); i += 2 {
		x.attr(attrs[i], attrs[i+1])
	}
	x.raw("/>\n")
}

// xmlGraph is what the GraphML and GEXF writers share: the output and the
// declared properties of entities and relations.
type xmlGraph struct {
	x         xmlWriter
	nodeProps []xmlKey
	edgeProps []xmlKey
}

// start writes the XML declaration and the start tag of the root element,
// and declares the schema's properties with names clear of each kind's
// reserved ones.
func (g *xmlGraph) start(root string, s *schema, nodeReserved, edgeReserved []string) {
	g.x.raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + root + "\n")
	g.nodeProps = xmlKeysFor(s.nodeProps, "np", nodeReserved)
	g.edgeProps = xmlKeysFor(s.edgeProps, "ep", edgeReserved)
}

// finish writes the end tags that close the document and flushes it.
func (g *xmlGraph) finish(endTags string) error {
	g.x.raw(endTags)
	return g.x.w.Flush()
}

// xmlKey is a declared, typed attribute of GraphML or GEXF.
type xmlKey struct {
	id    string
	prop  string // the property it holds
	name  string // the attribute's name, prop or "properties."+prop
	typ   string // string, double, long or boolean
	value func(store.Value) string
}

// xmlKeyFor chooses the XML type of a property from the kinds its values
// take; dates, geo points, lists and mixed kinds are strings (dates at their
// precision, the others as JSON).
func xmlKeyFor(id, prop string, ps *propStat, reserved []string) xmlKey {
	k := xmlKey{id: id, prop: prop, name: attrName(prop, reserved), typ: "string", value: valueText}
	kind, ok := single(ps.kinds)
	if !ok {
		return k
	}
	switch kind {
	case store.KindNumber:
		if ps.fraction {
			k.typ = "double"
			k.value = func(v store.Value) string { return strconv.FormatFloat(v.Num, 'g', -1, 64) }
		} else {
			k.typ = "long"
			k.value = func(v store.Value) string { return strconv.FormatInt(int64(v.Num), 10) }
		}
	case store.KindBool:
		k.typ = "boolean"
	}
	return k
}

// xmlKeysFor declares the properties of one kind of record, in name
// order, with the ids idPrefix0, idPrefix1, ..., and names that do not
// clash with the reserved ones.
func xmlKeysFor(props map[string]*propStat, idPrefix string, reserved []string) []xmlKey {
	var keys []xmlKey
	for i, p := range sortedKeys(props) {
		keys = append(keys, xmlKeyFor(idPrefix+strconv.Itoa(i), p, props[p], reserved))
	}
	return keys
}

// dayOf returns the first or last day a partial date covers, as
// YYYY-MM-DD: timelines need days, and "valid from 2017" starts on
// 2017-01-01 while "valid to 2017" ends on 2017-12-31.
func dayOf(d store.Date, last bool) string {
	s := d.String()
	switch d.Precision() {
	case store.PrecisionYear:
		if last {
			return s + "-12-31"
		}
		return s + "-01-01"
	case store.PrecisionMonth:
		if !last {
			return s + "-01"
		}
		y, _ := strconv.Atoi(s[:4])
		m, _ := strconv.Atoi(s[5:7])
		return fmt.Sprintf("%s-%02d", s, daysInMonth(y, m))
	}
	return s
}

func daysInMonth(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// The attributes GraphML declares for entities and relations themselves;
// properties of these names are written as "properties.<name>". "label"
// repeats the name (and the relation type) because Gephi and yEd show it.
var (
	graphMLNodeFields = []string{"label", "type", "name", "description", "validFrom", "validTo", "labels", "aliases", "sources"}
	graphMLEdgeFields = []string{"label", "type", "validFrom", "validTo", "sources"}
	// graphMLEdgeReserved adds "id", which NetworkX's read_graphml gives
	// the edges of a graph without parallel edges from <edge id=...>.
	graphMLEdgeReserved = append([]string{"id"}, graphMLEdgeFields...)
)

// graphMLWriter streams GraphML with typed <key> declarations.
type graphMLWriter struct{ xmlGraph }

func newGraphMLWriter(w io.Writer) *graphMLWriter {
	return &graphMLWriter{xmlGraph{x: newXMLWriter(w)}}
}

func (g *graphMLWriter) begin(s *schema) error {
	g.start(`<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">`,
		s, graphMLNodeFields, graphMLEdgeReserved)
	x := g.x
	key := func(id, domain, name, typ string) {
		x.emptyElement("  <key", "id", id, "for", domain, "attr.name", name, "attr.type", typ)
	}
	for _, f := range graphMLNodeFields {
		key("n_"+f, "node", f, "string")
	}
	for _, f := range graphMLEdgeFields {
		key("e_"+f, "edge", f, "string")
	}
	for _, k := range g.nodeProps {
		key(k.id, "node", k.name, k.typ)
	}
	for _, k := range g.edgeProps {
		key(k.id, "edge", k.name, k.typ)
	}
	x.raw(`  <graph id="ties" edgedefault="directed">` + "\n")
	return nil
}

// data writes a field's value; an empty one is an unset field.
func (g *graphMLWriter) data(key, value string) {
	if value == "" {
		return
	}
	g.element(key, value)
}

func (g *graphMLWriter) element(key, value string) {
	g.x.raw(`      <data key="` + key + `">`)
	g.x.text(value)
	g.x.raw("</data>\n")
}

// props writes every property the record has, the empty text included,
// which is a value and not an absence.
func (g *graphMLWriter) props(keys []xmlKey, p store.Properties) {
	for _, k := range keys {
		if v, ok := p[k.prop]; ok {
			g.element(k.id, k.value(v))
		}
	}
}

func (g *graphMLWriter) entity(e *store.Entity) error {
	g.x.raw("    <node")
	g.x.attr("id", e.ID)
	g.x.raw(">\n")
	g.data("n_label", e.Name)
	g.data("n_type", e.Type)
	g.data("n_name", e.Name)
	g.data("n_description", e.Description)
	g.data("n_validFrom", e.ValidFrom.String())
	g.data("n_validTo", e.ValidTo.String())
	g.data("n_labels", labelsText(e.Labels))
	g.data("n_aliases", aliasesText(e.Aliases))
	g.data("n_sources", sourcesText(e.Sources))
	g.props(g.nodeProps, e.Properties)
	g.x.raw("    </node>\n")
	return nil
}

func (g *graphMLWriter) endEntities() error { return nil }

func (g *graphMLWriter) relation(r *store.Relation) error {
	g.x.raw("    <edge")
	g.x.attr("id", r.ID)
	g.x.attr("source", r.From)
	g.x.attr("target", r.To)
	g.x.raw(">\n")
	g.data("e_label", r.Type)
	g.data("e_type", r.Type)
	g.data("e_validFrom", r.ValidFrom.String())
	g.data("e_validTo", r.ValidTo.String())
	g.data("e_sources", sourcesText(r.Sources))
	g.props(g.edgeProps, r.Properties)
	g.x.raw("    </edge>\n")
	return nil
}

func (g *graphMLWriter) end() error {
	return g.finish("  </graph>\n</graphml>\n")
}

// The attributes GEXF declares for entities and relations themselves. The
// entity's name is the node label and the relation type the edge label
// and kind; the reserved lists add the names readers give those (NetworkX
// keeps the label as "label", the edge id as "id", graphology the kind as
// "kind") and, for edges, "weight", which NetworkX reads as a number
// whatever the declaration says, and "key", which it passes to add_edge
// beside the edge's own key.
var (
	gexfNodeFields   = []string{"type", "description", "validFrom", "validTo", "labels", "aliases", "sources"}
	gexfEdgeFields   = []string{"type", "validFrom", "validTo", "sources"}
	gexfNodeReserved = append([]string{"label", "id", "spells"}, gexfNodeFields...)
	gexfEdgeReserved = append([]string{"label", "id", "spells", "kind", "weight", "key"}, gexfEdgeFields...)
)

// gexfWriter streams GEXF 1.3 in dynamic mode: validity intervals become
// spells, so that Gephi's timeline plays the history of the network.
type gexfWriter struct{ xmlGraph }

func newGEXFWriter(w io.Writer) *gexfWriter { return &gexfWriter{xmlGraph{x: newXMLWriter(w)}} }

func (g *gexfWriter) begin(s *schema) error {
	g.start(`<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">`,
		s, gexfNodeReserved, gexfEdgeReserved)
	// An attribute's id is its name: graphology-gexf (Sigma.js, Gephi
	// Lite) names an attribute by its id unless the id is a number, while
	// NetworkX and Gephi name it by its title. Names are unique within a
	// class (attrName keeps properties clear of the fields).
	for _, keys := range [][]xmlKey{g.nodeProps, g.edgeProps} {
		for i := range keys {
			keys[i].id = keys[i].name
		}
	}
	x := g.x
	x.raw("  <meta>\n    <creator>Ties</creator>\n  </meta>\n")
	x.raw(`  <graph mode="dynamic" defaultedgetype="directed" timeformat="date" timerepresentation="interval">` + "\n")
	attr := func(id, title, typ string) {
		x.emptyElement("      <attribute", "id", id, "title", title, "type", typ)
	}
	// The attributes of one class: the record's own fields, then its
	// properties.
	declare := func(class string, fields []string, props []xmlKey) {
		x.raw(`    <attributes class="` + class + `" mode="static">` + "\n")
		for _, f := range fields {
			attr(f, f, "string")
		}
		for _, k := range props {
			attr(k.id, k.name, k.typ)
		}
		x.raw("    </attributes>\n")
	}
	declare("node", gexfNodeFields, g.nodeProps)
	declare("edge", gexfEdgeFields, g.edgeProps)
	x.raw("    <nodes>\n")
	return nil
}

// attvalues writes the <attvalues> element of the non-empty values.
func (g *gexfWriter) attvalues(fixed [][2]string, keys []xmlKey, p store.Properties) {
	opened := false
	open := func() {
		if !opened {
			g.x.raw("        <attvalues>\n")
			opened = true
		}
	}
	one := func(id, v string) {
		open()
		g.x.raw(`          <attvalue`)
		g.x.attr("for", id)
		g.x.attr("value", v)
		g.x.raw("/>\n")
	}
	for _, f := range fixed {
		if f[1] != "" {
			one(f[0], f[1])
		}
	}
	for _, k := range keys {
		if v, ok := p[k.prop]; ok {
			one(k.id, k.value(v))
		}
	}
	if opened {
		g.x.raw("        </attvalues>\n")
	}
}

func (g *gexfWriter) spells(from, to store.Date) {
	if from.IsZero() && to.IsZero() {
		return
	}
	g.x.raw("        <spells>\n          <spell")
	if !from.IsZero() {
		g.x.attr("start", dayOf(from, false))
	}
	if !to.IsZero() {
		g.x.attr("end", dayOf(to, true))
	}
	g.x.raw("/>\n        </spells>\n")
}

func (g *gexfWriter) entity(e *store.Entity) error {
	g.x.raw("      <node")
	g.x.attr("id", e.ID)
	g.x.attr("label", e.Name)
	g.x.raw(">\n")
	g.attvalues([][2]string{
		{"type", e.Type}, {"description", e.Description},
		{"validFrom", e.ValidFrom.String()}, {"validTo", e.ValidTo.String()},
		{"labels", labelsText(e.Labels)}, {"aliases", aliasesText(e.Aliases)}, {"sources", sourcesText(e.Sources)},
	}, g.nodeProps, e.Properties)
	g.spells(e.ValidFrom, e.ValidTo)
	g.x.raw("      </node>\n")
	return nil
}

func (g *gexfWriter) endEntities() error {
	g.x.raw("    </nodes>\n    <edges>\n")
	return nil
}

func (g *gexfWriter) relation(r *store.Relation) error {
	g.x.raw("      <edge")
	g.x.attr("id", r.ID)
	g.x.attr("source", r.From)
	g.x.attr("target", r.To)
	g.x.attr("label", r.Type)
	// Gephi keeps parallel edges apart only when their kinds differ, so
	// that two relations of different types between two entities stay two.
	g.x.attr("kind", r.Type)
	g.x.raw(">\n")
	g.attvalues([][2]string{
		{"type", r.Type}, {"validFrom", r.ValidFrom.String()}, {"validTo", r.ValidTo.String()}, {"sources", sourcesText(r.Sources)},
	}, g.edgeProps, r.Properties)
	g.spells(r.ValidFrom, r.ValidTo)
	g.x.raw("      </edge>\n")
	return nil
}

func (g *gexfWriter) end() error {
	return g.finish("    </edges>\n  </graph>\n</gexf>\n")
}

// dotWriter streams a Graphviz digraph: entities labelled with their names,
// relations with their types; symmetric relations are drawn without arrows.
type dotWriter struct {
	w         *bufio.Writer
	symmetric map[string]bool
}

func newDOTWriter(w io.Writer) *dotWriter { return &dotWriter{w: bufio.NewWriterSize(w, 64<<10)} }

// dotQuote quotes s as a DOT string. Backslashes are doubled because
// Graphviz reads \n, \l and \N in labels as escapes. DOT has no escape
// for other control characters and Graphviz refuses some of them (NUL
// ends its input), so each is written as its visible Unicode picture
// (U+2400 ␀ to U+241F, U+2421 ␡ for DEL) or, for the C1 controls, as
// "U+0085": a name may hold anything, and the drawing shows what it holds.
func dotQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		default:
			writeDOTRune(&b, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// writeDOTRune writes r inside a DOT quoted string: a control character
// as dotQuote says, anything else as itself.
func writeDOTRune(b *strings.Builder, r rune) {
	switch {
	case r == '\r':
	case r == '\t', r == '\n':
		b.WriteByte(' ')
	case r < 0x20:
		b.WriteRune(0x2400 + r)
	case r == 0x7f:
		b.WriteRune(0x2421)
	case unicode.IsControl(r):
		fmt.Fprintf(b, "U+%04X", r)
	default:
		b.WriteRune(r)
	}
}

// dotName quotes an entity id as the name of a DOT node. A name is not an
// escString: Graphviz's lexer turns \" into a quote, keeps \\ as two
// backslashes and any other backslash as itself, so backslashes are
// written as they are. Only a run of an odd number of them before a quote
// or the end would swallow the quote, so such a run gains one backslash:
// DOT cannot spell that name, and the file must still parse.
func dotName(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	run := 0 // backslashes just written
	for _, r := range s {
		if r == '"' {
			if run%2 == 1 {
				b.WriteByte('\\')
			}
			b.WriteString(`\"`)
			run = 0
			continue
		}
		if r == '\\' {
			run++
		} else {
			run = 0
		}
		writeDOTRune(&b, r)
	}
	if run%2 == 1 {
		b.WriteByte('\\')
	}
	b.WriteByte('"')
	return b.String()
}

func (d *dotWriter) begin(s *schema) error {
	d.symmetric = map[string]bool{}
	for _, t := range s.ontology.RelationTypes {
		if t.Symmetric {
			d.symmetric[t.Name] = true
		}
	}
	d.w.WriteString("digraph \"ties\" {\n")
	return nil
}

func (d *dotWriter) entity(e *store.Entity) error {
	_, err := fmt.Fprintf(d.w, "  %s [label=%s, tooltip=%s];\n", dotName(e.ID), dotQuote(e.Name), dotQuote(e.Type))
	return err
}

func (d *dotWriter) endEntities() error { return nil }

func (d *dotWriter) relation(r *store.Relation) error {
	extra := ""
	if d.symmetric[r.Type] {
		extra = ", dir=none"
	}
	_, err := fmt.Fprintf(d.w, "  %s -> %s [label=%s, id=%s%s];\n", dotName(r.From), dotName(r.To), dotQuote(r.Type), dotQuote(r.ID), extra)
	return err
}

func (d *dotWriter) end() error {
	d.w.WriteString("}\n")
	return d.w.Flush()
}
