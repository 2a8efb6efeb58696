package graph

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// costLimit is gqlgen's FixedComplexityLimit, with the same message and
// code, that remembers the complexity of an operation instead of
// computing it on every request. Computing it decoded every argument of
// every priced field into maps (the generated argument parsers, twice as
// many maps as arguments): an eighth of a small request's time.
//
// A remembered complexity is keyed by the query, the operation name and
// the values of the variables the complexity reads: those in the
// arguments costArguments names for a field, and every variable in the
// arguments of a field it does not name. A dashboard that asks for the
// neighbourhood of one entity after another with the same limit reads
// one entry. An operation with a field whose cost depends on the store
// (volatileCosts) is computed every time.
type costLimit struct {
	limit int
	es    graphql.ExecutableSchema
	plans *lru.Cache[operationKey, *costPlan]
}

var (
	_ graphql.HandlerExtension        = (*costLimit)(nil)
	_ graphql.OperationContextMutator = (*costLimit)(nil)
)

// costPlans is how many operations costLimit remembers, as many as
// gqlgen's query cache holds documents.
const costPlans = 1000

// costsPerPlan bounds the complexities one operation remembers, one per
// distinct value of its cost variables; a full set starts over.
const costsPerPlan = 64

func newCostLimit(limit int) *costLimit {
	plans, err := lru.New[operationKey, *costPlan](costPlans)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return &costLimit{limit: limit, plans: plans}
}

// operationKey names one operation of one document.
type operationKey struct{ query, operation string }

// costPlan is what costLimit knows of one operation.
type costPlan struct {
	// vars are the variables the complexity reads, in document order.
	vars []string
	// volatile: the complexity depends on the store, not only on the
	// document and the variables.
	volatile bool

	mu    sync.Mutex
	costs map[string]int // by the values of vars (costVarsKey)
}

// ExtensionName names the extension in gqlgen's stats, as gqlgen's own.
func (c *costLimit) ExtensionName() string { return "ComplexityLimit" }

// Validate keeps the schema whose complexity functions price operations.
func (c *costLimit) Validate(es graphql.ExecutableSchema) error {
	if es == nil {
		return errors.New("costLimit: nil schema")
	}
	c.es = es
	return nil
}

// MutateOperationContext refuses an operation over the limit.
func (c *costLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	cost := c.cost(ctx, oc)
	if cost <= c.limit {
		return nil
	}
	err := gqlerror.Errorf("operation has complexity %d, which exceeds the limit of %d", cost, c.limit)
	errcode.Set(err, gqlgenComplexityCode)
	return err
}

// cost returns the complexity of oc's operation, remembered or computed.
func (c *costLimit) cost(ctx context.Context, oc *graphql.OperationContext) int {
	op := oc.Operation
	if op == nil {
		op = oc.Doc.Operations.ForName(oc.OperationName)
	}
	calculate := func() int { return complexity.Calculate(ctx, c.es, op, oc.Variables) }
	if oc.RawQuery == "" {
		return calculate()
	}
	key := operationKey{oc.RawQuery, oc.OperationName}
	plan, ok := c.plans.Get(key)
	if !ok {
		plan = planCost(c.es.Schema(), op)
		c.plans.Add(key, plan)
	}
	if plan.volatile {
		return calculate()
	}
	vk, ok := costVarsKey(plan.vars, oc.Variables)
	if !ok {
		return calculate()
	}
	plan.mu.Lock()
	cost, ok := plan.costs[vk]
	plan.mu.Unlock()
	if ok {
		return cost
	}
	cost = calculate()
	plan.mu.Lock()
	if plan.costs == nil || len(plan.costs) >= costsPerPlan {
		plan.costs = make(map[string]int, 1)
	}
	plan.costs[vk] = cost
	plan.mu.Unlock()
	return cost
}

// costArguments names, for each field that costs() prices, the arguments
// its complexity function reads. A field not named here has every
// variable of its arguments in the key, which is always right; a field
// named here with an argument missing would share one complexity
// between requests that differ in it, so the list must follow costs()
// (TestCostArguments checks that the other arguments change nothing).
var costArguments = map[string][]string{
	"Entity.relations":      {"first"},
	"Entity.neighbors":      {"first"},
	"Entity.citedBy":        {"first"},
	"Entity.component":      {},
	"Entity.sources":        {},
	"Relation.sources":      {},
	"Subgraph.edges":        {},
	"Query.relations":       {"id", "types", "first", "where", "orderBy"},
	"Query.search":          {"first"},
	"Query.entities":        {"types", "first", "validAt", "during", "datedOnly", "where", "orderBy"},
	"Query.diff":            {},
	"Query.neighborhood":    {"limit"},
	"Query.path":            {"maxDepth"},
	"Query.paths":           {"k", "maxDepth"},
	"Query.allPaths":        {"maxDepth", "limit"},
	"Query.commonNeighbors": {"ids", "first"},
	"Query.centrality":      {"first"},
	"Query.components":      {},
	"Query.ontology":        {},
	"Query.stats":           {},
	"Query.facets":          {"types", "where"},
	"Query.relationFacets":  {"types", "where"},
}

// volatileCosts are the fields whose complexity depends on the store:
// whether a property index answers their filter (scanCosts), which
// changes when a type's indexes are defined.
var volatileCosts = map[string]bool{
	"Query.relations":      true,
	"Query.entities":       true,
	"Query.facets":         true,
	"Query.relationFacets": true,
}

// planCost finds the variables op's complexity reads. It walks what
// complexity.Calculate walks: every selection, fragments expanded, @skip
// and @include ignored.
func planCost(schema *ast.Schema, op *ast.OperationDefinition) *costPlan {
	p := &costPlan{}
	var vars variableSet
	eachSelection(op.SelectionSet, func(s ast.Selection) {
		f, ok := s.(*ast.Field)
		if !ok {
			return
		}
		name := f.Name
		if f.ObjectDefinition != nil {
			name = f.ObjectDefinition.Name + "." + f.Name
		}
		if volatileCosts[name] {
			p.volatile = true
		}
		read, declared := costArguments[name]
		if f.ObjectDefinition == nil || f.ObjectDefinition.Kind != ast.Object {
			// An interface's field is priced by every implementor.
			declared = false
		}
		for _, a := range f.Arguments {
			if !declared || contains(read, a.Name) || !surelyParsed(schema, f.Definition, a.Name) {
				vars.add(a.Value)
			}
		}
	})
	p.vars = vars.names
	return p
}

// surelyParsed reports whether the argument of field def named name is of
// a type whose every value that passed validation the generated argument
// parser takes: a string, an ID, a boolean, an enum, or a list of them.
// The generated complexity function parses every argument of its field
// and falls back to the default cost when one fails (a custom scalar
// such as Date may refuse what validation let through), so a variable of
// any other type is part of the key even where its value is not priced.
func surelyParsed(schema *ast.Schema, def *ast.FieldDefinition, name string) bool {
	if def == nil {
		return false
	}
	a := def.Arguments.ForName(name)
	if a == nil || a.Type == nil {
		return false
	}
	switch t := a.Type.Name(); t {
	case "ID", "String", "Boolean":
		return true
	default:
		d := schema.Types[t]
		return d != nil && d.Kind == ast.Enum
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// eachSelection calls f with every selection of ss and of the
// selections below it, in document order, the selections of a fragment
// once however often it is spread: what gqlgen's complexity walks, and
// what a planned shape depends on.
func eachSelection(ss ast.SelectionSet, f func(ast.Selection)) {
	spread := map[string]bool{}
	var walk func(ss ast.SelectionSet)
	walk = func(ss ast.SelectionSet) {
		for _, s := range ss {
			f(s)
			switch s := s.(type) {
			case *ast.Field:
				walk(s.SelectionSet)
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				if s.Definition != nil && !spread[s.Name] {
					spread[s.Name] = true
					walk(s.Definition.SelectionSet)
				}
			}
		}
	}
	walk(ss)
}

// variableSet collects the names of the variables of values, each once,
// in the order first met.
type variableSet struct {
	seen  map[string]bool
	names []string
}

func (vs *variableSet) add(v *ast.Value) {
	forEachVariable(v, func(name string) {
		if !vs.seen[name] {
			if vs.seen == nil {
				vs.seen = map[string]bool{}
			}
			vs.seen[name] = true
			vs.names = append(vs.names, name)
		}
	})
}

// forEachVariable calls f with the name of every variable in v.
func forEachVariable(v *ast.Value, f func(name string)) {
	if v == nil {
		return
	}
	if v.Kind == ast.Variable {
		f(v.Raw)
		return
	}
	for _, c := range v.Children {
		forEachVariable(c.Value, f)
	}
}

// costVarsKey encodes the values of vars, absent ones included, so that
// different values give different keys. ok is false for a value of a
// type it does not know, which is then never remembered.
func costVarsKey(vars []string, values map[string]any) (string, bool) {
	if len(vars) == 0 {
		return "", true
	}
	var b []byte
	for _, name := range vars {
		v, present := values[name]
		if !present {
			b = append(b, 'A')
			continue
		}
		var ok bool
		if b, ok = appendCostValue(b, v); !ok {
			return "", false
		}
	}
	return string(b), true
}

// appendCostValue appends a tag and v, strings with their length.
func appendCostValue(b []byte, v any) ([]byte, bool) {
	appendString := func(b []byte, tag byte, s string) []byte {
		b = append(b, tag)
		b = strconv.AppendInt(b, int64(len(s)), 10)
		b = append(b, ':')
		return append(b, s...)
	}
	switch v := v.(type) {
	case nil:
		return append(b, 'N'), true
	case string:
		return appendString(b, 'S', v), true
	case json.Number:
		return appendString(b, 'J', string(v)), true
	case bool:
		if v {
			return append(b, 'T'), true
		}
		return append(b, 'F'), true
	case int:
		return strconv.AppendInt(append(b, 'I'), int64(v), 10), true
	case int64:
		return strconv.AppendInt(append(b, 'L'), v, 10), true
	case float64:
		return strconv.AppendFloat(append(b, 'D'), v, 'g', -1, 64), true
	case []any:
		b = strconv.AppendInt(append(b, '['), int64(len(v)), 10)
		b = append(b, ':')
		for _, x := range v {
			var ok bool
			if b, ok = appendCostValue(b, x); !ok {
				return b, false
			}
		}
		return b, true
	case map[string]any:
		keys := sortedKeys(v)
		b = strconv.AppendInt(append(b, '{'), int64(len(v)), 10)
		b = append(b, ':')
		for _, k := range keys {
			b = appendString(b, 'K', k)
			var ok bool
			if b, ok = appendCostValue(b, v[k]); !ok {
				return b, false
			}
		}
		return b, true
	}
	return b, false
}
