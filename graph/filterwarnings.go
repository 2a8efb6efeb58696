package graph

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/ties-graph/ties/store"
)

// codeFilterKindMismatch is the code of the warning that a where filter's
// operand is of a kind no value of its property has, while the property
// holds values of other kinds: {key: "birthday", gte: "1980-01-01"} on a
// property of dates. Properties are schema-less and may mix kinds, so such
// a filter is not an error (a value of another kind never matches, as in
// Neo4j), but an empty answer with nothing said was a trap.
const codeFilterKindMismatch = "FILTER_KIND_MISMATCH"

// Warning is one entry of a response's extensions.warnings: advice beside
// data, which errors are not (the answer is what was asked for).
type Warning struct {
	Message string   `json:"message"`
	Code    string   `json:"code"`
	Path    ast.Path `json:"path,omitempty"`
}

// warningsKey carries an operation's *warnings.
type warningsKey struct{}

// warnings collects the warnings of one response; resolvers run
// concurrently.
type warnings struct {
	mu   sync.Mutex
	list []Warning
	// asked holds the checks made: a field in a list (the neighbors of
	// each of a page of entities) is checked, and warns, once.
	asked map[string]bool
}

// firstAsk reports whether the check named key is asked for the first
// time in ctx's response; without a collector, whether to ask at all.
func firstAsk(ctx context.Context, key string) bool {
	ws, _ := ctx.Value(warningsKey{}).(*warnings)
	if ws == nil {
		return false
	}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.asked[key] {
		return false
	}
	if ws.asked == nil {
		ws.asked = map[string]bool{}
	}
	ws.asked[key] = true
	return true
}

// asked reports whether the check named key was asked in ctx's
// response; without a collector, true: nothing is to be asked.
func asked(ctx context.Context, key string) bool {
	ws, _ := ctx.Value(warningsKey{}).(*warnings)
	if ws == nil {
		return true
	}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return ws.asked[key]
}

// fieldKey names the field being resolved wherever it is in a list: its
// path without the list indexes.
func fieldKey(ctx context.Context) string {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return ""
	}
	var b strings.Builder
	for _, p := range fc.Path() {
		if n, ok := p.(ast.PathName); ok {
			b.WriteString(string(n))
			b.WriteByte('.')
		}
	}
	return b.String()
}

// collectWarnings is the response middleware that gives resolvers a place
// for warnings and puts those added under extensions.warnings. A response
// without any has no such entry, so answers stay as they were.
func collectWarnings(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	ws := &warnings{}
	resp := next(context.WithValue(ctx, warningsKey{}, ws))
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if resp == nil || len(ws.list) == 0 {
		return resp
	}
	if resp.Extensions == nil {
		resp.Extensions = map[string]any{}
	}
	resp.Extensions["warnings"] = ws.list
	ws.list = nil // a subscription's next response starts afresh
	return resp
}

// addWarning adds a warning at the path of the field being resolved.
func addWarning(ctx context.Context, code, message string) {
	ws, _ := ctx.Value(warningsKey{}).(*warnings)
	if ws == nil {
		return
	}
	w := Warning{Message: message, Code: code}
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		w.Path = fc.Path()
	}
	ws.mu.Lock()
	ws.list = append(ws.list, w)
	ws.mu.Unlock()
}

// kindSet is a set of store.Kinds.
type kindSet uint16

func (s kindSet) has(k store.Kind) bool { return s&(1<<k) != 0 }
func (s *kindSet) add(k store.Kind)     { *s |= 1 << k }
func (s kindSet) meets(o kindSet) bool  { return s&o != 0 }
func kindsOf(ks []store.Kind) (s kindSet) { // from the store's list
	for _, k := range ks {
		s.add(k)
	}
	return s
}

// addValue adds the kind of v, or of its elements when it is a list.
func (s *kindSet) addValue(v store.Value) {
	if v.Kind == store.KindList {
		for _, e := range v.List {
			s.addValue(e)
		}
		return
	}
	if v.Kind != store.KindNull {
		s.add(v.Kind)
	}
}

// operandKinds returns the kinds of f's operands: contains looks for
// text; exists asks for none.
func operandKinds(f store.PropertyFilter) kindSet {
	var s kindSet
	for _, v := range []*store.Value{f.Eq, f.Gt, f.Gte, f.Lt, f.Lte} {
		if v != nil {
			s.addValue(*v)
		}
	}
	for _, v := range f.In {
		s.addValue(v)
	}
	if f.Contains != nil {
		s.add(store.KindText)
	}
	return s
}

// mismatchedFilters returns the indexes of the filters of where that
// name a property (not a built-in field of entities, or of relations
// when relations) with an operand of a kind, the filters worth asking the
// property's kinds for.
func mismatchedFilters(where []store.PropertyFilter, relations bool) []int {
	var out []int
	for i, f := range where {
		switch f.Key {
		case "type", "validFrom", "validTo":
			continue
		case "name":
			if !relations {
				continue
			}
		}
		if operandKinds(f) != 0 {
			out = append(out, i)
		}
	}
	return out
}

// warnFilterKinds adds a FILTER_KIND_MISMATCH warning for each filter of
// where whose operands are of no kind the property holds, when it holds
// any. kinds tells the kinds of a key's values where the answer looked
// (complete is false when it read only part of them). Call it only when
// the answer came back empty: finding the kinds may cost a scan, and a
// non-empty answer needs no advice.
func warnFilterKinds(ctx context.Context, where []store.PropertyFilter, relations bool, kinds func(key string) (ks kindSet, read int, complete bool, err error)) {
	field := fieldKey(ctx)
	for _, i := range mismatchedFilters(where, relations) {
		f := where[i]
		if !firstAsk(ctx, fmt.Sprintf("%s%d", field, i)) {
			continue
		}
		ks, read, complete, err := kinds(f.Key)
		if err != nil || ks == 0 || ks.meets(operandKinds(f)) {
			continue // advice only: a failure to find it says nothing
		}
		addWarning(ctx, codeFilterKindMismatch, kindMismatchMessage(i, f, ks, read, complete))
	}
}

// kindNames name kinds in the plural, as a property holds them.
var kindNames = map[store.Kind]string{
	store.KindText: "text", store.KindNumber: "numbers", store.KindBool: "booleans",
	store.KindDate: "dates", store.KindGeo: "geo points",
}

// kindMismatchMessage says what filter i found and how to write it:
// `where[0] (key "birthday"): no value is text; the property holds
// dates: write gte: {date: "1980-01-01"}`.
func kindMismatchMessage(i int, f store.PropertyFilter, held kindSet, read int, complete bool) string {
	var ops []string
	for k := store.KindText; k < store.KindList; k++ {
		if operandKinds(f).has(k) {
			ops = append(ops, kindSingular(k))
		}
	}
	var names []string
	for k := store.KindText; k < store.KindList; k++ {
		if held.has(k) {
			names = append(names, kindNames[k])
		}
	}
	where := "the property holds"
	if !complete {
		where = fmt.Sprintf("in the first %d records read, the property holds", read)
	}
	msg := fmt.Sprintf("where[%d] (key %q): no value is %s; %s %s", i, f.Key, strings.Join(ops, " or "), where, strings.Join(names, " and "))
	if hint := rewrite(f, held); hint != "" {
		msg += ": write " + hint
	}
	return msg
}

func kindSingular(k store.Kind) string {
	switch k {
	case store.KindText:
		return "text"
	case store.KindNumber:
		return "a number"
	case store.KindBool:
		return "a boolean"
	case store.KindDate:
		return "a date"
	case store.KindGeo:
		return "a geo point"
	}
	return k.String()
}

// rewrite writes f's operators with their operands as the first kind of
// held (in the order dates, numbers, text) they convert to, in GraphQL's
// literal syntax; "" when some operand does not convert.
func rewrite(f store.PropertyFilter, held kindSet) string {
	for _, k := range []store.Kind{store.KindDate, store.KindNumber, store.KindText, store.KindBool} {
		if !held.has(k) {
			continue
		}
		var parts []string
		ok := true
		one := func(op string, v *store.Value) {
			if v == nil || !ok {
				return
			}
			lit, good := literalAs(*v, k)
			if !good {
				ok = false
				return
			}
			parts = append(parts, op+": "+lit)
		}
		one("eq", f.Eq)
		if f.In != nil && ok {
			lits := make([]string, len(f.In))
			for j, v := range f.In {
				lit, good := literalAs(v, k)
				if !good {
					ok = false
					break
				}
				lits[j] = lit
			}
			parts = append(parts, "in: ["+strings.Join(lits, ", ")+"]")
		}
		one("gt", f.Gt)
		one("gte", f.Gte)
		one("lt", f.Lt)
		one("lte", f.Lte)
		if f.Contains != nil && k != store.KindText {
			ok = false
		}
		if ok && len(parts) > 0 {
			return strings.Join(parts, ", ")
		}
	}
	return ""
}

// literalAs writes v as a GraphQL literal of kind k, when it reads as
// one: the text "1980-01-01" as {date: "1980-01-01"}, the number 1980 as
// {date: "1980"} or "1980", a date as its text.
func literalAs(v store.Value, k store.Kind) (string, bool) {
	var text string
	switch v.Kind {
	case store.KindText:
		text = v.Text
	case store.KindNumber:
		text = strconv.FormatFloat(v.Num, 'f', -1, 64)
	case store.KindDate:
		text = v.Date.String()
	case store.KindBool:
		text = strconv.FormatBool(v.Bool)
	default:
		return "", false
	}
	switch k {
	case store.KindText:
		return strconv.Quote(text), true
	case store.KindDate:
		if d, err := store.ParseDate(text); err == nil && !d.IsZero() {
			return fmt.Sprintf("{date: %q}", d.String()), true
		}
	case store.KindNumber:
		if n, err := strconv.ParseFloat(strings.TrimSpace(text), 64); err == nil && !math.IsInf(n, 0) && !math.IsNaN(n) {
			return strconv.FormatFloat(n, 'f', -1, 64), true
		}
	case store.KindBool:
		if b, err := strconv.ParseBool(text); err == nil {
			return strconv.FormatBool(b), true
		}
	}
	return "", false
}
