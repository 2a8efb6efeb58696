package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// This file holds property filters: a PropertyFilter compiled against
// the ontology into conditions (where) and tested on a record, and the
// filter of a subgraph's nodes by them (FilterSubgraph).

// PropertyFilter is one condition on an entity or relation: every operator
// given must hold. Key names a property, or one of the built-in fields
// "name" (entities), "type", "validFrom" and "validTo".
//
// Values compare by kind: numbers as numbers, text folded as search folds
// names (so "munster" equals "Münster"), dates as the intervals they name
// (see Date), booleans and geo points by equality only. A value of another
// kind than the filter's never matches. When a property holds a list, one
// element must satisfy every operator of the filter.
//
// Dates compare as intervals: eq holds when the two overlap (a property
// "2017-07" equals "2017"); gt when the value lies entirely after the
// bound, gte when it begins at or after the bound's first day; lt when it
// lies entirely before, lte when it ends by the bound's last day. So gte
// "2017" and lt "2018" select exactly what happened in 2017.
type PropertyFilter struct {
	Key      string
	Eq       *Value
	In       []Value
	Gt       *Value
	Gte      *Value
	Lt       *Value
	Lte      *Value
	Exists   *bool
	Contains *string
}

// builtin names a field a filter key can address instead of a property.
type builtin uint8

const (
	fieldProperty builtin = iota
	fieldName
	fieldType
	fieldValidFrom
	fieldValidTo
)

// builtinOf returns the built-in field key names for an entity (entity) or
// a relation; relations have no name, so "name" is a property of theirs.
func builtinOf(key string, entity bool) builtin {
	switch key {
	case "name":
		if entity {
			return fieldName
		}
	case "type":
		return fieldType
	case "validFrom":
		return fieldValidFrom
	case "validTo":
		return fieldValidTo
	}
	return fieldProperty
}

// condition is a compiled PropertyFilter: values checked and pre-folded.
type condition struct {
	key              string
	field            builtin
	eq               *Value
	in               []Value
	gt, gte, lt, lte *Value
	exists           *bool
	contains         string // folded; "" when absent
	// eqTypes and inTypes are, for the type field, the types eq and in
	// name with their subtypes.
	eqTypes, inTypes map[TypeID]bool
}

// where is a compiled list of filters, all of which must hold.
type where []condition

// filterError is the Invalid error of filter i of a where argument.
func filterError(field string, i int, key, format string, args ...any) error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf("%s[%d] (key %q): %s", field, i, key, fmt.Sprintf(format, args...))}
}

// compileWhere checks fs against the ontology sch and compiles them, for
// entities (entity) or relations. field names the argument in errors.
// Errors: Invalid for a filter without operator, an operator that cannot
// apply to its value (a range over booleans, a list in eq, bounds of two
// kinds), a built-in field compared with a value of the wrong kind, or an
// unknown type.
func compileWhere(sch *schema, fs []PropertyFilter, entity bool, field string) (where, error) {
	if len(fs) == 0 {
		return nil, nil
	}
	w := make(where, 0, len(fs))
	for i, f := range fs {
		c, err := compileCondition(sch, f, entity)
		if err != nil {
			return nil, filterError(field, i, f.Key, "%s", err)
		}
		w = append(w, c)
	}
	return w, nil
}

func compileCondition(sch *schema, f PropertyFilter, entity bool) (condition, error) {
	c := condition{key: f.Key, field: builtinOf(f.Key, entity), exists: f.Exists}
	if strings.TrimSpace(f.Key) == "" {
		return c, fmt.Errorf("key is empty")
	}
	if f.Eq == nil && f.In == nil && f.Gt == nil && f.Gte == nil && f.Lt == nil && f.Lte == nil && f.Exists == nil && f.Contains == nil {
		return c, fmt.Errorf("no operator: give eq, in, gt, gte, lt, lte, exists or contains")
	}
	if f.In != nil && len(f.In) == 0 {
		return c, fmt.Errorf("in is empty, so nothing could match")
	}
	// norm checks one operand and brings it to the form comparisons use.
	norm := func(op string, v Value, ranged bool) (Value, error) {
		switch v.Kind {
		case KindNull:
			return v, fmt.Errorf("%s is null; to ask for a missing value use exists: false", op)
		case KindList:
			return v, fmt.Errorf("%s is a list; to match any of several values use in", op)
		}
		if ranged && v.Kind != KindNumber && v.Kind != KindText && v.Kind != KindDate {
			return v, fmt.Errorf("%s compares numbers, text or dates, not a %s", op, v.Kind)
		}
		switch c.field {
		case fieldName:
			if v.Kind != KindText {
				return v, fmt.Errorf("%s: name is text, not a %s", op, v.Kind)
			}
		case fieldType:
			if ranged {
				return v, fmt.Errorf("%s: type takes eq, in or exists", op)
			}
			if v.Kind != KindText {
				return v, fmt.Errorf("%s: type is a type name, not a %s", op, v.Kind)
			}
		case fieldValidFrom, fieldValidTo:
			switch v.Kind {
			case KindDate:
			case KindText:
				d, err := ParseDate(v.Text)
				if err != nil || d.IsZero() {
					return v, fmt.Errorf("%s: %s is a date such as \"2017-07\", not %q", op, c.key, v.Text)
				}
				v = DateValue(d)
			default:
				return v, fmt.Errorf("%s: %s is a date such as \"2017-07\", not a %s", op, c.key, v.Kind)
			}
		}
		if v.Kind == KindText {
			v.Text = fold(v.Text)
		}
		return v, nil
	}
	one := func(op string, p *Value, ranged bool) (*Value, error) {
		if p == nil {
			return nil, nil
		}
		v, err := norm(op, *p, ranged)
		return &v, err
	}
	var err error
	if c.eq, err = one("eq", f.Eq, false); err != nil {
		return c, err
	}
	for _, v := range f.In {
		n, err := norm("in", v, false)
		if err != nil {
			return c, err
		}
		c.in = append(c.in, n)
	}
	if c.gt, err = one("gt", f.Gt, true); err != nil {
		return c, err
	}
	if c.gte, err = one("gte", f.Gte, true); err != nil {
		return c, err
	}
	if c.lt, err = one("lt", f.Lt, true); err != nil {
		return c, err
	}
	if c.lte, err = one("lte", f.Lte, true); err != nil {
		return c, err
	}
	var kind Kind
	for _, b := range []*Value{c.gt, c.gte, c.lt, c.lte} {
		if b == nil {
			continue
		}
		if kind != KindNull && b.Kind != kind {
			return c, fmt.Errorf("the bounds are of different kinds (%s and %s)", kind, b.Kind)
		}
		kind = b.Kind
	}
	if f.Contains != nil {
		switch c.field {
		case fieldType, fieldValidFrom, fieldValidTo:
			return c, fmt.Errorf("contains looks in text; %s is not", c.key)
		}
		if c.contains = fold(*f.Contains); c.contains == "" {
			return c, fmt.Errorf("contains is empty")
		}
	}
	if c.field == fieldType {
		// A type matches its subtypes too, as the types argument does.
		set := func(names []string) (map[TypeID]bool, error) {
			var s map[TypeID]bool
			var err error
			if entity {
				s, err = sch.entityTypeSet(names, "type")
			} else {
				s, err = sch.relationTypeSet(names, "type")
			}
			var se *Error
			if errors.As(err, &se) {
				return nil, errors.New(se.Message)
			}
			return s, err
		}
		if f.Eq != nil {
			if c.eqTypes, err = set([]string{f.Eq.Text}); err != nil {
				return c, err
			}
		}
		if f.In != nil {
			names := make([]string, len(f.In))
			for i, v := range f.In {
				names[i] = v.Text
			}
			if c.inTypes, err = set(names); err != nil {
				return c, err
			}
		}
	}
	return c, nil
}

// record is what a condition reads of an entity or a relation.
type record struct {
	name      string
	typ       TypeID
	validFrom Date
	validTo   Date
	props     Properties
}

func entityRecord(e *Entity, t TypeID) record {
	return record{name: e.Name, typ: t, validFrom: e.ValidFrom, validTo: e.ValidTo, props: e.Properties}
}

func relationRecord(r *Relation, t TypeID) record {
	return record{typ: t, validFrom: r.ValidFrom, validTo: r.ValidTo, props: r.Properties}
}

// matches reports whether every condition of w holds for rec.
func (w where) matches(rec record) bool {
	for i := range w {
		if !w[i].matches(rec) {
			return false
		}
	}
	return true
}

func (c *condition) matches(rec record) bool {
	switch c.field {
	case fieldType:
		if c.exists != nil && !*c.exists {
			return false
		}
		return (c.eqTypes == nil || c.eqTypes[rec.typ]) && (c.inTypes == nil || c.inTypes[rec.typ])
	case fieldName:
		return c.holds(Text(rec.name), rec.name != "")
	case fieldValidFrom:
		return c.holds(DateValue(rec.validFrom), !rec.validFrom.IsZero())
	case fieldValidTo:
		return c.holds(DateValue(rec.validTo), !rec.validTo.IsZero())
	}
	v, ok := rec.props[c.key]
	ok = ok && v.Kind != KindNull
	if ok && v.Kind == KindList {
		if len(v.List) == 0 {
			return c.holds(Value{}, false)
		}
		for _, e := range v.List {
			if c.holds(e, true) {
				return true
			}
		}
		return false
	}
	return c.holds(v, ok)
}

// holds reports whether every operator of c holds for v (present says
// whether there is a value at all).
func (c *condition) holds(v Value, present bool) bool {
	if c.exists != nil && *c.exists != present {
		return false
	}
	if !present {
		return c.eq == nil && c.in == nil && c.gt == nil && c.gte == nil && c.lt == nil && c.lte == nil && c.contains == ""
	}
	if v.Kind == KindText {
		v.Text = fold(v.Text)
	}
	if c.eq != nil && !valueEqual(v, *c.eq) {
		return false
	}
	if c.in != nil {
		any := false
		for _, x := range c.in {
			if valueEqual(v, x) {
				any = true
				break
			}
		}
		if !any {
			return false
		}
	}
	if c.gt != nil && !inRange(v, *c.gt, opGt) {
		return false
	}
	if c.gte != nil && !inRange(v, *c.gte, opGte) {
		return false
	}
	if c.lt != nil && !inRange(v, *c.lt, opLt) {
		return false
	}
	if c.lte != nil && !inRange(v, *c.lte, opLte) {
		return false
	}
	if c.contains != "" && (v.Kind != KindText || !strings.Contains(v.Text, c.contains)) {
		return false
	}
	return true
}

// valueEqual compares a value with a filter operand; text on both sides
// is already folded.
func valueEqual(v, x Value) bool {
	if v.Kind != x.Kind {
		return false
	}
	switch v.Kind {
	case KindText:
		return v.Text == x.Text
	case KindNumber:
		return v.Num == x.Num
	case KindBool:
		return v.Bool == x.Bool
	case KindDate:
		return DateRange{x.Date, x.Date}.Overlaps(v.Date, v.Date)
	case KindGeo:
		return v.Geo == x.Geo
	}
	return false
}

type rangeOp uint8

const (
	opGt rangeOp = iota
	opGte
	opLt
	opLte
)

// inRange reports whether v satisfies v op bound; values of another kind
// than the bound never do.
func inRange(v, bound Value, op rangeOp) bool {
	if v.Kind != bound.Kind {
		return false
	}
	var cmp int
	switch v.Kind {
	case KindNumber:
		switch {
		case v.Num < bound.Num:
			cmp = -1
		case v.Num > bound.Num:
			cmp = 1
		}
	case KindText:
		cmp = strings.Compare(v.Text, bound.Text)
	case KindDate:
		switch op {
		case opGt:
			return v.Date.First() > bound.Date.Last()
		case opGte:
			return v.Date.First() >= bound.Date.First()
		case opLt:
			return v.Date.Last() < bound.Date.First()
		default:
			return v.Date.Last() <= bound.Date.Last()
		}
	default:
		return false
	}
	switch op {
	case opGt:
		return cmp > 0
	case opGte:
		return cmp >= 0
	case opLt:
		return cmp < 0
	}
	return cmp <= 0
}

// FilterSubgraph keeps the nodes of g for which every filter of where
// holds, the first node (the start) always, and the edges between the
// nodes kept: the where of a neighbourhood, which the walk itself does
// not apply (it crosses every entity its filters admit). Errors: Invalid
// for an ill-typed filter.
func (s *Store) FilterSubgraph(ctx context.Context, g *Subgraph, where []PropertyFilter, ro ReadOptions) error {
	if len(where) == 0 {
		return nil
	}
	return s.View(ctx, ro, func(r *Reader) error {
		w, err := compileWhere(r.sch, where, true, "where")
		if err != nil {
			return err
		}
		kept := map[string]bool{}
		nodes := g.Nodes[:0]
		for i, e := range g.Nodes {
			t, ok := r.sch.entityType(e.Type)
			if i == 0 || ok && w.matches(entityRecord(e, t)) {
				nodes = append(nodes, e)
				kept[e.ID] = true
			}
		}
		g.Nodes = nodes
		edges := g.Edges[:0]
		for _, rel := range g.Edges {
			if kept[rel.From] && kept[rel.To] {
				edges = append(edges, rel)
			}
		}
		g.Edges = edges
		return nil
	})
}
