package graph

import (
	"sync"

	"github.com/99designs/gqlgen/graphql"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// shapeCache remembers planSubgraph's answer for each neighbourhood field
// of an operation, which collecting its fields anew cost a dozen
// allocations per request. A shape depends on the document, the
// operation, the field's response name and the values of the variables
// of @skip and @include (the only variables field collection reads), so
// those are its key. Shapes are read-only once planned, and shared.
type shapeCache struct {
	ops *lru.Cache[operationKey, *shapeOperation]
}

// shapeOperation is what shapeCache knows of one operation.
type shapeOperation struct {
	vars []string // of @skip and @include, in document order

	mu     sync.Mutex
	shapes map[string]plannedShape // by response name and values of vars
}

type plannedShape struct {
	shape *subgraphShape
	ok    bool
}

// shapesPerOperation bounds what one operation remembers; a full set
// starts over.
const shapesPerOperation = 64

func newShapeCache() *shapeCache {
	ops, err := lru.New[operationKey, *shapeOperation](costPlans)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return &shapeCache{ops: ops}
}

// plan returns planSubgraph(oc, field), remembered.
func (c *shapeCache) plan(oc *graphql.OperationContext, field graphql.CollectedField) (*subgraphShape, bool) {
	if oc == nil || oc.RawQuery == "" || oc.Operation == nil {
		return planSubgraph(oc, field)
	}
	key := operationKey{oc.RawQuery, oc.OperationName}
	op, ok := c.ops.Get(key)
	if !ok {
		op = &shapeOperation{vars: directiveVariables(oc.Operation)}
		c.ops.Add(key, op)
	}
	vk, ok := costVarsKey(op.vars, oc.Variables)
	if !ok {
		return planSubgraph(oc, field)
	}
	sk := field.Alias + "\x00" + vk
	op.mu.Lock()
	p, ok := op.shapes[sk]
	op.mu.Unlock()
	if ok {
		return p.shape, p.ok
	}
	p.shape, p.ok = planSubgraph(oc, field)
	op.mu.Lock()
	if op.shapes == nil || len(op.shapes) >= shapesPerOperation {
		op.shapes = make(map[string]plannedShape, 1)
	}
	op.shapes[sk] = p
	op.mu.Unlock()
	return p.shape, p.ok
}

// directiveVariables returns the variables of the directives of op's
// selections, fragments expanded.
func directiveVariables(op *ast.OperationDefinition) []string {
	var vars variableSet
	eachSelection(op.SelectionSet, func(s ast.Selection) {
		var ds ast.DirectiveList
		switch s := s.(type) {
		case *ast.Field:
			ds = s.Directives
		case *ast.InlineFragment:
			ds = s.Directives
		case *ast.FragmentSpread:
			ds = s.Directives
		}
		for _, d := range ds {
			for _, a := range d.Arguments {
				vars.add(a.Value)
			}
		}
	})
	return vars.names
}
