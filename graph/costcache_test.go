package graph

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/vektah/gqlparser/v2/ast"
)

// pricedSchema is the executable schema with the server's complexity
// functions.
func pricedSchema() *executableSchema {
	c := Config{Resolvers: &Resolver{}}
	costs(&c.Complexity, scanCosts{indexed: func(_ bool, _ []string, key string) bool { return key == "indexed" }})
	return NewExecutableSchema(c).(*executableSchema)
}

// TestCostArguments checks costArguments against costs(): every priced
// field is listed, and no argument left off its list changes its
// complexity, whatever its value.
func TestCostArguments(t *testing.T) {
	es := pricedSchema()
	schema := es.Schema()
	ctx := context.Background()

	// Every complexity function costs() sets is listed.
	root := reflect.ValueOf(es.ComplexityRoot)
	for i := range root.NumField() {
		typ := root.Type().Field(i).Name
		fields := root.Field(i)
		for j := range fields.NumField() {
			if fields.Field(j).IsNil() {
				continue
			}
			goName := fields.Type().Field(j).Name
			name := typ + "." + string(unicode.ToLower(rune(goName[0]))) + goName[1:]
			if _, ok := costArguments[name]; !ok {
				t.Errorf("costs() prices %s, which costArguments does not list", name)
			}
		}
	}

	for name, read := range costArguments {
		typ, field, _ := strings.Cut(name, ".")
		def := schema.Types[typ]
		if def == nil || def.Fields.ForName(field) == nil {
			t.Errorf("costArguments lists %s, which the schema does not have", name)
			continue
		}
		args := def.Fields.ForName(field).Arguments
		for _, r := range read {
			if args.ForName(r) == nil {
				t.Errorf("costArguments lists %s(%s), an argument the field does not have", name, r)
			}
		}
		const child = 7
		base, ok := es.Complexity(ctx, typ, field, child, map[string]any{})
		if !ok {
			t.Errorf("%s has no complexity function", name)
			continue
		}
		for _, a := range args {
			if slices.Contains(read, a.Name) {
				continue
			}
			for variant := range 2 {
				v, ok := sampleValue(schema, a.Type, variant, 0)
				if !ok {
					t.Errorf("%s(%s): no sample value of type %s; teach sampleValue", name, a.Name, a.Type)
					continue
				}
				got, ok := es.Complexity(ctx, typ, field, child, map[string]any{a.Name: v})
				if !ok {
					t.Errorf("%s(%s: %v): the sample does not parse", name, a.Name, v)
					continue
				}
				if got != base {
					t.Errorf("%s(%s: %v) costs %d, without it %d: add %q to its costArguments", name, a.Name, v, got, base, a.Name)
				}
			}
		}
	}
}

// sampleValue is a value of type t as a variable would hold it; variant
// picks one of two.
func sampleValue(schema *ast.Schema, t *ast.Type, variant, depth int) (any, bool) {
	if t.Elem != nil {
		v, ok := sampleValue(schema, t.Elem, variant, depth)
		return []any{v}, ok
	}
	pick := func(a, b any) (any, bool) {
		if variant == 0 {
			return a, true
		}
		return b, true
	}
	switch t.NamedType {
	case "Int":
		return pick(int64(2), int64(900))
	case "Float":
		return pick(1.5, 900.0)
	case "String", "ID":
		return pick("indexed", "other")
	case "Boolean":
		return pick(false, true)
	case "Date":
		return pick("2001", "2019-05-06")
	case "DateTime":
		return pick("2020-01-02T03:04:05Z", "2024-06-07T08:09:10Z")
	case "JSON":
		return pick("x", 3.0)
	}
	def := schema.Types[t.NamedType]
	if def == nil || depth > 3 {
		return nil, false
	}
	switch def.Kind {
	case ast.Enum:
		return pick(def.EnumValues[0].Name, def.EnumValues[len(def.EnumValues)-1].Name)
	case ast.InputObject:
		m := map[string]any{}
		for _, f := range def.Fields {
			v, ok := sampleValue(schema, f.Type, variant, depth+1)
			if !ok {
				return nil, false
			}
			m[f.Name] = v
		}
		return m, true
	}
	return nil, false
}
