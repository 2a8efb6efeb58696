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

// xmlKey is a declared, typed attribute of GraphML or GEXF.
type xmlKey struct {
	id    string
	name  string
	typ   string // string, double, long or boolean
	value func(store.Value) string
}

// xmlKeyFor chooses the XML type of a property from the kinds its values
// take; dates, geo points, lists and mixed kinds are strings (dates at their
// precision, the others as JSON).
func xmlKeyFor(id, prop string, ps *propStat, reserved []string) xmlKey {
	k := xmlKey{id: id, name: attrName(prop, reserved), typ: "string", value: valueText}
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
)

// graphMLWriter streams GraphML with typed <key> declarations.
type graphMLWriter struct {
	x         xmlWriter
	nodeProps []xmlKey
	edgeProps []xmlKey
}

func newGraphMLWriter(w io.Writer) *graphMLWriter { return &graphMLWriter{x: newXMLWriter(w)} }

func (g *graphMLWriter) begin(s *schema) error {
	x := g.x
	x.raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	x.raw(`<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">` + "\n")
	key := func(id, domain, name, typ string) {
		x.raw("  <key")
		x.attr("id", id)
		x.attr("for", domain)
		x.attr("attr.name", name)
		x.attr("attr.type", typ)
		x.raw("/>\n")
	}
	for _, f := range graphMLNodeFields {
		key("n_"+f, "node", f, "string")
	}
	for _, f := range graphMLEdgeFields {
		key("e_"+f, "edge", f, "string")
	}
	for i, p := range sortedKeys(s.nodeProps) {
		k := xmlKeyFor(fmt.Sprintf("np%d", i), p, s.nodeProps[p], graphMLNodeFields)
		g.nodeProps = append(g.nodeProps, k)
		key(k.id, "node", k.name, k.typ)
	}
	for i, p := range sortedKeys(s.edgeProps) {
		k := xmlKeyFor(fmt.Sprintf("ep%d", i), p, s.edgeProps[p], graphMLEdgeFields)
		g.edgeProps = append(g.edgeProps, k)
		key(k.id, "edge", k.name, k.typ)
	}
	x.raw(`  <graph id="ties" edgedefault="directed">` + "\n")
	return nil
}

func (g *graphMLWriter) data(key, value string) {
	if value == "" {
		return
	}
	g.x.raw(`      <data key="` + key + `">`)
	g.x.text(value)
	g.x.raw("</data>\n")
}

func (g *graphMLWriter) props(keys []xmlKey, p store.Properties, names []string) {
	for i, k := range keys {
		if v, ok := p[names[i]]; ok {
			g.data(k.id, k.value(v))
		}
	}
}

func propNames(keys []xmlKey) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = strings.TrimPrefix(k.name, propPrefix)
	}
	return out
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
	if len(e.Labels) > 0 {
		g.data("n_labels", jsonText(toWireLabels(e.Labels)))
	}
	if len(e.Aliases) > 0 {
		g.data("n_aliases", jsonText(e.Aliases))
	}
	if len(e.Sources) > 0 {
		g.data("n_sources", jsonText(toWireSources(e.Sources)))
	}
	g.props(g.nodeProps, e.Properties, propNames(g.nodeProps))
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
	if len(r.Sources) > 0 {
		g.data("e_sources", jsonText(toWireSources(r.Sources)))
	}
	g.props(g.edgeProps, r.Properties, propNames(g.edgeProps))
	g.x.raw("    </edge>\n")
	return nil
}

func (g *graphMLWriter) end() error {
	g.x.raw("  </graph>\n</graphml>\n")
	return g.x.w.Flush()
}

// The attributes GEXF declares for entities and relations themselves. The
// entity's name is the node label and the relation type the edge label;
// the reserved lists add the names readers give those (NetworkX keeps the
// label as "label", the edge id as "id").
var (
	gexfNodeFields   = []string{"type", "description", "validFrom", "validTo", "labels", "aliases", "sources"}
	gexfEdgeFields   = []string{"type", "validFrom", "validTo", "sources"}
	gexfNodeReserved = append([]string{"label", "id", "spells"}, gexfNodeFields...)
	gexfEdgeReserved = append([]string{"label", "id", "spells"}, gexfEdgeFields...)
)

// gexfWriter streams GEXF 1.3 in dynamic mode: validity intervals become
// spells, so that Gephi's timeline plays the history of the network.
type gexfWriter struct {
	x         xmlWriter
	nodeProps []xmlKey
	edgeProps []xmlKey
	nodeNames []string
	edgeNames []string
}

func newGEXFWriter(w io.Writer) *gexfWriter { return &gexfWriter{x: newXMLWriter(w)} }

func (g *gexfWriter) begin(s *schema) error {
	x := g.x
	x.raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	x.raw(`<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">` + "\n")
	x.raw("  <meta>\n    <creator>Ties</creator>\n  </meta>\n")
	x.raw(`  <graph mode="dynamic" defaultedgetype="directed" timeformat="date" timerepresentation="interval">` + "\n")
	attr := func(id, title, typ string) {
		x.raw("      <attribute")
		x.attr("id", id)
		x.attr("title", title)
		x.attr("type", typ)
		x.raw("/>\n")
	}
	x.raw(`    <attributes class="node" mode="static">` + "\n")
	for _, f := range gexfNodeFields {
		attr("n_"+f, f, "string")
	}
	for i, p := range sortedKeys(s.nodeProps) {
		k := xmlKeyFor(fmt.Sprintf("np%d", i), p, s.nodeProps[p], gexfNodeReserved)
		g.nodeProps = append(g.nodeProps, k)
		attr(k.id, k.name, k.typ)
	}
	x.raw("    </attributes>\n")
	x.raw(`    <attributes class="edge" mode="static">` + "\n")
	for _, f := range gexfEdgeFields {
		attr("e_"+f, f, "string")
	}
	for i, p := range sortedKeys(s.edgeProps) {
		k := xmlKeyFor(fmt.Sprintf("ep%d", i), p, s.edgeProps[p], gexfEdgeReserved)
		g.edgeProps = append(g.edgeProps, k)
		attr(k.id, k.name, k.typ)
	}
	x.raw("    </attributes>\n")
	g.nodeNames, g.edgeNames = propNames(g.nodeProps), propNames(g.edgeProps)
	x.raw("    <nodes>\n")
	return nil
}

// attvalues writes the <attvalues> element of the non-empty values.
func (g *gexfWriter) attvalues(fixed [][2]string, keys []xmlKey, names []string, p store.Properties) {
	opened := false
	open := func() {
		if !opened {
			g.x.raw("        <attvalues>\n")
			opened = true
		}
	}
	one := func(id, v string) {
		open()
		g.x.raw(`          <attvalue for="` + id + `"`)
		g.x.attr("value", v)
		g.x.raw("/>\n")
	}
	for _, f := range fixed {
		if f[1] != "" {
			one(f[0], f[1])
		}
	}
	for i, k := range keys {
		if v, ok := p[names[i]]; ok {
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
	var labels, aliases, sources string
	if len(e.Labels) > 0 {
		labels = jsonText(toWireLabels(e.Labels))
	}
	if len(e.Aliases) > 0 {
		aliases = jsonText(e.Aliases)
	}
	if len(e.Sources) > 0 {
		sources = jsonText(toWireSources(e.Sources))
	}
	g.attvalues([][2]string{
		{"n_type", e.Type}, {"n_description", e.Description},
		{"n_validFrom", e.ValidFrom.String()}, {"n_validTo", e.ValidTo.String()},
		{"n_labels", labels}, {"n_aliases", aliases}, {"n_sources", sources},
	}, g.nodeProps, g.nodeNames, e.Properties)
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
	g.x.raw(">\n")
	var sources string
	if len(r.Sources) > 0 {
		sources = jsonText(toWireSources(r.Sources))
	}
	g.attvalues([][2]string{
		{"e_type", r.Type}, {"e_validFrom", r.ValidFrom.String()}, {"e_validTo", r.ValidTo.String()}, {"e_sources", sources},
	}, g.edgeProps, g.edgeNames, r.Properties)
	g.spells(r.ValidFrom, r.ValidTo)
	g.x.raw("      </edge>\n")
	return nil
}

func (g *gexfWriter) end() error {
	g.x.raw("    </edges>\n  </graph>\n</gexf>\n")
	return g.x.w.Flush()
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
		case r == '\r':
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20:
			b.WriteRune(0x2400 + r)
		case r == 0x7f:
			b.WriteRune(0x2421)
		case unicode.IsControl(r):
			fmt.Fprintf(&b, "U+%04X", r)
		default:
			b.WriteRune(r)
		}
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
	_, err := fmt.Fprintf(d.w, "  %s [label=%s, tooltip=%s];\n", dotQuote(e.ID), dotQuote(e.Name), dotQuote(e.Type))
	return err
}

func (d *dotWriter) endEntities() error { return nil }

func (d *dotWriter) relation(r *store.Relation) error {
	extra := ""
	if d.symmetric[r.Type] {
		extra = ", dir=none"
	}
	_, err := fmt.Fprintf(d.w, "  %s -> %s [label=%s, id=%s%s];\n", dotQuote(r.From), dotQuote(r.To), dotQuote(r.Type), dotQuote(r.ID), extra)
	return err
}

func (d *dotWriter) end() error {
	d.w.WriteString("}\n")
	return d.w.Flush()
}
