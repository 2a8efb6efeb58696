package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/ties-graph/ties/graph/model"
	"github.com/ties-graph/ties/store"
)

// Limits bound what one request may ask of the service. A zero field takes
// its default (DefaultLimits); a negative one turns that limit off.
type Limits struct {
	// Complexity caps the cost of an operation: every field costs 1, and a
	// list field costs its children times its first, limit or k.
	Complexity int
	// Depth caps how deeply selections nest (introspection fields are
	// bounded by the schema and not counted).
	Depth int
	// Tokens caps the lexical tokens of a query document, so that parsing
	// a huge document stops early.
	Tokens int
	// Fields caps the field selections of an operation, fragments
	// expanded.
	Fields int
	// Aliases caps the aliased fields of an operation.
	Aliases int
	// BodyBytes caps the size of a request body.
	BodyBytes int64
	// Timeout bounds the time one request may take.
	Timeout time.Duration
	// MaxFirst caps page sizes and counts: first, k, samples, ids.
	MaxFirst int
	// MaxLimit caps result caps: limit on neighborhood and allPaths.
	MaxLimit int
	// MaxHops caps traversal depth: depth and maxDepth.
	MaxHops int
	// HeavyWorkers is how many expensive queries (centrality, components,
	// paths, allPaths, neighbourhoods of depth 3 or more than 2,000
	// entities) run at once; betweenness and PageRank take all of them.
	// 0 means one fewer than GOMAXPROCS, at least 1 (see admission); a
	// negative value turns the queue off.
	HeavyWorkers int
	// HeavyQueue is how many expensive queries may wait for a worker;
	// more are refused with BUSY. 0 means 64.
	HeavyQueue int
}

// DefaultLimits are the limits a server starts with.
func DefaultLimits() Limits {
	return Limits{
		Complexity: 50_000,
		Depth:      25,
		Tokens:     5_000,
		Fields:     2_000,
		Aliases:    500,
		BodyBytes:  1 << 20,
		Timeout:    10 * time.Second,
		MaxFirst:   1_000,
		MaxLimit:   10_000,
		MaxHops:    10,

		HeavyWorkers: defaultHeavyWorkers(),
		HeavyQueue:   64,
	}
}

// withDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	set := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	set(&l.Complexity, d.Complexity)
	set(&l.Depth, d.Depth)
	set(&l.Tokens, d.Tokens)
	set(&l.Fields, d.Fields)
	set(&l.Aliases, d.Aliases)
	set(&l.MaxFirst, d.MaxFirst)
	set(&l.MaxLimit, d.MaxLimit)
	set(&l.MaxHops, d.MaxHops)
	set(&l.HeavyWorkers, defaultHeavyWorkers())
	set(&l.HeavyQueue, 64)
	if l.BodyBytes == 0 {
		l.BodyBytes = d.BodyBytes
	}
	if l.Timeout == 0 {
		l.Timeout = d.Timeout
	}
	return l
}

// on reports whether a limit is in force.
func on(limit int) bool { return limit > 0 }

// limiter is the gqlgen extension that enforces the document limits
// (tokens, depth, fields, aliases) before validation, whose cost grows
// faster than linearly with hostile documents, and the argument limits and
// the introspection switch after it.
type limiter struct {
	limits        Limits
	introspection bool
	readOnly      bool
	// verdicts remembers the document checks by query text, so that a
	// dashboard repeating one query pays for them once.
	verdicts *lru.LRU[*gqlerror.Error]
}

var (
	_ graphql.HandlerExtension          = (*limiter)(nil)
	_ graphql.OperationParameterMutator = (*limiter)(nil)
	_ graphql.OperationContextMutator   = (*limiter)(nil)
)

func newLimiter(l Limits, introspection, readOnly bool) *limiter {
	return &limiter{limits: l, introspection: introspection, readOnly: readOnly, verdicts: lru.New[*gqlerror.Error](1000)}
}

// ExtensionName names the extension in gqlgen's stats.
func (l *limiter) ExtensionName() string { return "TiesLimits" }

// Validate accepts any schema.
func (l *limiter) Validate(graphql.ExecutableSchema) error { return nil }

// codedError returns a gqlerror carrying a Ties error code.
func codedError(code store.Code, format string, args ...any) *gqlerror.Error {
	return &gqlerror.Error{
		Message:    fmt.Sprintf(format, args...),
		Extensions: map[string]any{"code": string(code)},
	}
}

// MutateOperationParameters checks the raw document: it parses it with the
// token limit and measures depth, fields and aliases. Syntax errors are
// left to gqlgen's parser, which reports them as GRAPHQL_PARSE_FAILED.
func (l *limiter) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if p.Query == "" {
		return nil
	}
	if v, ok := l.verdicts.Get(ctx, p.Query); ok {
		return v
	}
	v := l.checkDocument(p.Query)
	l.verdicts.Add(ctx, p.Query, v)
	return v
}

func (l *limiter) checkDocument(query string) *gqlerror.Error {
	tokens := l.limits.Tokens
	if !on(tokens) {
		tokens = 0
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, tokens)
	if err != nil {
		if strings.Contains(err.Error(), "exceeded token limit") {
			return codedError(store.TooComplex, "the query has more than %d tokens; split it into smaller queries", l.limits.Tokens)
		}
		return nil
	}
	m := measure(doc)
	switch {
	case on(l.limits.Depth) && m.depth > l.limits.Depth:
		return codedError(store.TooComplex, "the query nests %d levels deep, more than the limit of %d", m.depth, l.limits.Depth)
	case on(l.limits.Fields) && m.fields > l.limits.Fields:
		return codedError(store.TooComplex, "the query selects %d fields (fragments expanded), more than the limit of %d", m.fields, l.limits.Fields)
	case on(l.limits.Aliases) && m.aliases > l.limits.Aliases:
		return codedError(store.TooComplex, "the query uses %d aliases, more than the limit of %d", m.aliases, l.limits.Aliases)
	}
	budget := 100_000
	if on(l.limits.Fields) {
		budget = 2 * l.limits.Fields
	}
	name, n, ok := mostRepeated(doc, budget)
	switch {
	case !ok:
		return codedError(store.TooComplex, "the query selects more than %d fields (fragments expanded)", budget)
	case n > maxSameName:
		return codedError(store.TooComplex, "the query selects %q %d times in one place, more than the limit of %d; select it once", name, n, maxSameName)
	}
	return nil
}

// maxSameName caps how often one response name may be selected in one
// merged selection set. Validation compares every pair of such fields
// (and their sub-selections), so its cost grows with the square of this
// count: 2,000 copies of one field take a second to validate. Queries
// that mean something select a name once, or a few times through
// fragments.
const maxSameName = 20

// mostRepeated finds the response name selected most often in one merged
// selection set: fields of one name in a set are merged, so their
// sub-selections form one set too. It gives up (ok false) after visiting
// budget fields, which bounds its own cost on fragment bombs.
func mostRepeated(doc *ast.QueryDocument, budget int) (name string, count int, ok bool) {
	visited := 0
	var walk func(sets []ast.SelectionSet) bool
	walk = func(sets []ast.SelectionSet) bool {
		groups := map[string][]*ast.Field{}
		var order []string
		visiting := map[string]bool{}
		var collect func(ss ast.SelectionSet) bool
		collect = func(ss ast.SelectionSet) bool {
			for _, s := range ss {
				switch s := s.(type) {
				case *ast.Field:
					if visited++; visited > budget {
						return false
					}
					key := s.Alias
					if key == "" {
						key = s.Name
					}
					if _, seen := groups[key]; !seen {
						order = append(order, key)
					}
					groups[key] = append(groups[key], s)
				case *ast.InlineFragment:
					if !collect(s.SelectionSet) {
						return false
					}
				case *ast.FragmentSpread:
					def := doc.Fragments.ForName(s.Name)
					if def == nil || visiting[s.Name] {
						continue
					}
					visiting[s.Name] = true
					more := collect(def.SelectionSet)
					visiting[s.Name] = false
					if !more {
						return false
					}
				}
			}
			return true
		}
		for _, ss := range sets {
			if !collect(ss) {
				return false
			}
		}
		for _, key := range order {
			fs := groups[key]
			if len(fs) > count {
				name, count = key, len(fs)
			}
			var children []ast.SelectionSet
			for _, f := range fs {
				if len(f.SelectionSet) > 0 {
					children = append(children, f.SelectionSet)
				}
			}
			if len(children) > 0 && !walk(children) {
				return false
			}
		}
		return true
	}
	for _, op := range doc.Operations {
		if !walk([]ast.SelectionSet{op.SelectionSet}) {
			return "", 0, false
		}
	}
	return name, count, true
}

// measurement is the size of a document's largest operation.
type measurement struct{ depth, fields, aliases int }

// measure walks every operation with fragments expanded. A fragment's
// measurement is memoized, so that a "fragment bomb" (each fragment
// spreading the next twice) is measured in linear time; counts saturate
// instead of overflowing, and spread cycles (refused later by validation)
// count as empty.
func measure(doc *ast.QueryDocument) measurement {
	const saturated = 1 << 40
	add := func(a, b int) int {
		if a+b > saturated {
			return saturated
		}
		return a + b
	}
	memo := map[string]measurement{}
	visiting := map[string]bool{}
	var walk func(ss ast.SelectionSet) measurement
	walk = func(ss ast.SelectionSet) measurement {
		var m measurement
		for _, s := range ss {
			var child measurement
			switch s := s.(type) {
			case *ast.Field:
				if s.Name == "__schema" || s.Name == "__type" {
					// Introspection nests by the schema's own shape and is
					// bounded by gqlparser's introspection depth rule.
					m.fields = add(m.fields, 1)
					if m.depth < 1 {
						m.depth = 1
					}
					continue
				}
				child = walk(s.SelectionSet)
				child.depth++
				child.fields = add(child.fields, 1)
				if s.Alias != "" && s.Alias != s.Name {
					child.aliases = add(child.aliases, 1)
				}
			case *ast.InlineFragment:
				child = walk(s.SelectionSet)
			case *ast.FragmentSpread:
				if c, ok := memo[s.Name]; ok {
					child = c
					break
				}
				def := doc.Fragments.ForName(s.Name)
				if def == nil || visiting[s.Name] {
					continue
				}
				visiting[s.Name] = true
				child = walk(def.SelectionSet)
				visiting[s.Name] = false
				memo[s.Name] = child
			}
			m.fields = add(m.fields, child.fields)
			m.aliases = add(m.aliases, child.aliases)
			if child.depth > m.depth {
				m.depth = child.depth
			}
		}
		return m
	}
	var worst measurement
	for _, op := range doc.Operations {
		m := walk(op.SelectionSet)
		worst.depth = max(worst.depth, m.depth)
		worst.fields = max(worst.fields, m.fields)
		worst.aliases = max(worst.aliases, m.aliases)
	}
	return worst
}

// MutateOperationContext checks the validated operation: mutations on a
// read-only server, introspection when it is off, and the numeric arguments that size a result or a traversal.
// It runs before the complexity limit, so that an argument over its
// maximum is named as such rather than reported as complexity.
func (l *limiter) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if err := checkScope(ctx, oc.Operation); err != nil {
		return err
	}
	if l.readOnly && oc.Operation.Operation == ast.Mutation {
		return codedError(store.Forbidden, "the store is open read-only, so mutations are refused (ties query needs --write; ties serve must run without --read-only)")
	}
	seen := map[string]bool{}
	var check func(ss ast.SelectionSet) *gqlerror.Error
	check = func(ss ast.SelectionSet) *gqlerror.Error {
		for _, s := range ss {
			switch s := s.(type) {
			case *ast.Field:
				if !l.introspection && (s.Name == "__schema" || s.Name == "__type") {
					return codedError(store.Forbidden, "introspection is turned off on this server")
				}
				if err := l.checkArguments(s, oc.Variables); err != nil {
					return err
				}
				if err := check(s.SelectionSet); err != nil {
					return err
				}
			case *ast.InlineFragment:
				if err := check(s.SelectionSet); err != nil {
					return err
				}
			case *ast.FragmentSpread:
				if s.Definition == nil || seen[s.Name] {
					continue
				}
				seen[s.Name] = true
				if err := check(s.Definition.SelectionSet); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return check(oc.Operation.SelectionSet)
}

// checkArguments refuses numeric arguments outside their range with an
// INVALID_ARGUMENT error that names the field, the argument and the limit.
func (l *limiter) checkArguments(f *ast.Field, vars map[string]any) *gqlerror.Error {
	if f.Definition == nil || len(f.Definition.Arguments) == 0 {
		return nil
	}
	arg := func(name string) any {
		v, _ := fieldArgument(f, name, vars)
		return v
	}
	bound := func(name string, lo, hi int) *gqlerror.Error {
		n, ok := intArg(arg(name))
		if !ok {
			return nil
		}
		if n < lo || (on(hi) && n > hi) {
			err := codedError(store.Invalid, "%s: %s is %d; it must be between %d and %d", f.Name, name, n, lo, hi)
			if !on(hi) {
				err = codedError(store.Invalid, "%s: %s is %d; it must be at least %d", f.Name, name, n, lo)
			}
			err.Extensions["field"] = name
			return err
		}
		return nil
	}
	for _, a := range f.Definition.Arguments {
		var err *gqlerror.Error
		switch a.Name {
		case "first", "k":
			err = bound(a.Name, 0, l.limits.MaxFirst)
		case "samples":
			// Unlike first: 0, samples: 0 cannot ask for nothing.
			err = bound(a.Name, 1, l.limits.MaxFirst)
		case "limit":
			err = bound(a.Name, 0, l.limits.MaxLimit)
		case "depth", "maxDepth":
			err = bound(a.Name, 0, l.limits.MaxHops)
		case "ids":
			if ids, ok := arg("ids").([]any); ok && on(l.limits.MaxFirst) && len(ids) > l.limits.MaxFirst {
				err = codedError(store.Invalid, "%s: %d ids given; at most %d are allowed", f.Name, len(ids), l.limits.MaxFirst)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// intArg reads an Int argument as the validator leaves it: int64 from a
// literal, or whatever the variables decoded to.
func intArg(v any) (int, bool) {
	switch v := v.(type) {
	case int:
		return v, true
	case int64:
		return int(v), true
	case int32:
		return int(v), true
	case float64:
		return int(v), true
	case json.Number:
		n, err := v.Int64()
		return int(n), err == nil
	}
	return 0, false
}

// costs is the complexity function set: a list field costs its children
// times the number of elements it may return.
// scan prices the lists that may read every record of their types (see
// filtercost.go). costArguments (costcache.go) lists the arguments each
// function reads, for the complexity remembered per operation: a function
// added or changed here changes it there (TestCostArguments checks).
func costs(c *ComplexityRoot, scan scanCosts) {
	n := func(p *int, def int) int {
		v := def
		if p != nil {
			v = *p
		}
		return max(v, 1)
	}
	mul := func(child, count int) int {
		const ceiling = 1 << 40
		if child > ceiling/max(count, 1) {
			return ceiling
		}
		return 1 + child*count
	}
	c.Entity.Relations = func(child int, _ []string, _ *store.Direction, _ *store.Date, _ *store.DateRange, _ *bool, _ []string, first *int, _ *string, _ *time.Time, _ []*model.PropertyFilter, _ []*store.Order) int {
		return mul(child, n(first, store.DefaultPageSize))
	}
	c.Entity.Neighbors = func(child int, _ []string, _ *store.Direction, _ []string, _ *store.Date, _ *store.DateRange, _ *bool, first *int, _ *string, _ *time.Time, _ []*model.PropertyFilter, _ []*store.Order, _ *bool) int {
		return mul(child, n(first, store.DefaultPageSize))
	}
	c.Entity.CitedBy = func(child int, first *int, _ *string) int {
		return mul(child, n(first, store.DefaultPageSize))
	}
	c.Query.Relations = func(child int, id *string, types []string, _ *store.Direction, _ *store.Date, _ *store.DateRange, _ *bool, _ []string, first *int, _ *string, _ *time.Time, where []*model.PropertyFilter, orderBy []*store.Order) int {
		cost := mul(child, n(first, store.DefaultPageSize))
		if id == nil {
			cost += scan.relations(types, where, orderBy)
		}
		return cost
	}
	c.Query.Search = func(child int, _ string, _ []string, first *int, _ *time.Time, _ []*model.PropertyFilter) int {
		return mul(child, n(first, store.DefaultSearchLimit))
	}
	// Traversals and whole-graph computations cost more than a read, so
	// that aliases cannot repeat them hundreds of times in one request.
	const (
		traversal  = 100
		wholeGraph = 5_000
	)
	c.Query.Entities = func(child int, types []string, first *int, _ *string, _ *time.Time, validAt *store.Date, during *store.DateRange, datedOnly *bool, where []*model.PropertyFilter, orderBy []*store.Order) int {
		cost := scan.entities(types, where, orderBy) + mul(child, n(first, store.DefaultPageSize))
		if validAt != nil || during != nil || (datedOnly != nil && *datedOnly) {
			// No index holds entity dates: the filter reads every
			// entity of the types.
			cost += wholeGraph
		}
		return cost
	}
	c.Query.Diff = func(child int, _ string, _ *int, _ []string, _, _ *store.Date, _, _ *time.Time, _ *bool) int {
		// Two walks, each of up to the neighbourhood limit.
		return 2*traversal + mul(child, 2*store.DefaultNeighborhoodLimit)
	}
	c.Query.Neighborhood = func(child int, _ string, _ *int, _ []string, _ *store.Direction, _ []string, _ *store.Date, _ *store.DateRange, _ *bool, limit *int, _ *time.Time, _ []*model.PropertyFilter) int {
		return traversal + mul(child, n(limit, store.DefaultNeighborhoodLimit))
	}
	c.Query.Path = func(child int, _, _ string, _ []string, _ *store.Direction, maxDepth *int, _ *store.Date, _ *bool, _ []string, _ *string, _ *time.Time) int {
		return traversal + mul(child, n(maxDepth, store.DefaultPathDepth)+1)
	}
	c.Query.Paths = func(child int, _, _ string, k *int, _ []string, _ *store.Direction, maxDepth *int, _ *store.Date, _ *bool, _ []string, _ *string, _ *bool, _ *time.Time) int {
		return traversal*n(k, store.DefaultK) + mul(child, n(k, store.DefaultK)*(n(maxDepth, store.DefaultPathDepth)+1))
	}
	c.Query.AllPaths = func(child int, _, _ string, maxDepth, limit *int, _ []string, _ *store.Direction, _ *store.Date, _ *bool, _ []string, _ *time.Time) int {
		return 10*traversal + mul(child, n(limit, store.DefaultAllPathsLimit)*(n(maxDepth, store.DefaultAllPathsDepth)+1))
	}
	c.Query.CommonNeighbors = func(child int, ids []string, _ []string, _ *store.Direction, _ *store.Date, _ *bool, _ []string, first *int, _ *time.Time) int {
		return traversal*max(len(ids), 1) + mul(child, n(first, store.DefaultCommonLimit))
	}
	c.Query.Centrality = func(child int, _, _ []string, _ *store.Date, _ *bool, _ *store.Measure, first, _, _ *int, _ *time.Time) int {
		return wholeGraph + mul(child, n(first, store.DefaultRankingLength))
	}
	c.Query.Components = func(child int, _ []string, _ *store.Date, _ *bool, _ []string, _ *time.Time) int {
		return wholeGraph + child
	}
	// An entity's component is found by walking all of it.
	c.Entity.Component = func(child int, _ []string, _ *store.Date, _ *bool, _ []string) int {
		return 10 * traversal
	}
	// Types and their ends list every type; the ontology is small but
	// counted as a page so that nesting inside it is still paid for.
	c.Query.Ontology = func(child int, _ *time.Time) int { return mul(child, 50) }
	c.Query.Stats = func(child int, _ *time.Time) int { return mul(child, 20) }
	// The entity lists inside a path or subgraph are already multiplied
	// at the field that returns them; these count per element.
	c.Entity.Sources = func(child int) int { return mul(child, 5) }
	c.Relation.Sources = func(child int) int { return mul(child, 5) }
	c.Subgraph.Edges = func(child int) int { return mul(child, 3) }
	c.Query.Facets = func(child int, types []string, where []*model.PropertyFilter, by []string, _ *time.Time) int {
		return scan.entities(types, where, nil) + mul(child, 100)
	}
	c.Query.RelationFacets = func(child int, types []string, where []*model.PropertyFilter, by []string, _ *time.Time) int {
		return scan.relations(types, where, nil) + mul(child, 100)
	}
}
