package exchange

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/ties-graph/ties/store"
)

// schema is what the typed formats (CSV, GraphML, GEXF) must declare before
// the first row: the property names of nodes and edges with the kinds of
// their values. It grows with the number of distinct property names, not
// with the graph.
type schema struct {
	ontology  store.Ontology
	nodeProps map[string]*propStat
	edgeProps map[string]*propStat
	// aliasesAsText is set when an alias holds ';', CSV's array delimiter,
	// or starts with '[': the CSV export then writes aliases as a JSON
	// text column, since a string[] column cannot carry that alias.
	aliasesAsText bool
}

func newSchema(o store.Ontology) *schema {
	return &schema{ontology: o, nodeProps: map[string]*propStat{}, edgeProps: map[string]*propStat{}}
}

// propStat records the kinds of value one property takes across the graph.
type propStat struct {
	kinds     uint8 // bit i set when a value of store.Kind i occurs
	fraction  bool  // a number is not an integer (or too large for one)
	elemKinds uint8 // kinds of list elements
	elemSemi  bool  // a text list element contains ';', CSV's array delimiter
	elemFrac  bool
}

func (s *schema) addEntity(e *store.Entity) {
	observe(s.nodeProps, e.Properties)
	if !s.aliasesAsText {
		for _, a := range e.Aliases {
			if strings.Contains(a, ";") || strings.HasPrefix(a, "[") {
				s.aliasesAsText = true
				break
			}
		}
	}
}

func (s *schema) addRelation(r *store.Relation) { observe(s.edgeProps, r.Properties) }

func observe(stats map[string]*propStat, p store.Properties) {
	for k, v := range p {
		ps := stats[k]
		if ps == nil {
			ps = &propStat{}
			stats[k] = ps
		}
		ps.kinds |= 1 << v.Kind
		if v.Kind == store.KindNumber && !isInteger(v.Num) {
			ps.fraction = true
		}
		if v.Kind == store.KindList {
			for _, x := range v.List {
				ps.elemKinds |= 1 << x.Kind
				if x.Kind == store.KindText && strings.Contains(x.Text, ";") {
					ps.elemSemi = true
				}
				if x.Kind == store.KindNumber && !isInteger(x.Num) {
					ps.elemFrac = true
				}
			}
		}
	}
}

// isInteger reports whether f is a whole number that every consumer's
// integer type holds exactly.
func isInteger(f float64) bool {
	return f == math.Trunc(f) && math.Abs(f) < 1<<53
}

// single returns the one kind of the bits, or ok=false for none or several.
func single(bits uint8) (store.Kind, bool) {
	if bits == 0 || bits&(bits-1) != 0 {
		return 0, false
	}
	for k := store.KindNull; k <= store.KindList; k++ {
		if bits == 1<<k {
			return k, true
		}
	}
	return 0, false
}

func sortedKeys(m map[string]*propStat) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// formatNumber writes whole numbers without exponent or fraction, so that
// an integer column parses as one.
func formatNumber(f float64) string {
	if isInteger(f) {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// valueText renders a value for the text-only formats: text as is, numbers
// and booleans plainly, dates at their precision, geo points and lists as
// their canonical JSON.
func valueText(v store.Value) string {
	switch v.Kind {
	case store.KindText:
		return v.Text
	case store.KindNumber:
		return formatNumber(v.Num)
	case store.KindBool:
		return strconv.FormatBool(v.Bool)
	case store.KindDate:
		return v.Date.String()
	case store.KindNull:
		return ""
	}
	return jsonText(v)
}

// jsonText marshals x without escaping <, > and &, which only matters
// inside HTML and would make every export harder to read.
func jsonText(x any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		return ""
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// attrName maps a property name onto an attribute name that cannot be
// mistaken for one of the record's own fields (a property called "name"
// becomes "properties.name"); the decoders map it back.
func attrName(prop string, reserved []string) string {
	if contains(reserved, prop) || strings.HasPrefix(prop, propPrefix) {
		return propPrefix + prop
	}
	return prop
}

const propPrefix = "properties."
