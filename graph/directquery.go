package graph

import (
	"context"
	"net/http"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/ties-graph/ties/store"
)

// directQuery answers an operation whose one root field is a
// neighbourhood that headsDirect would answer (the dashboard's question:
// `query ($id: ID!) { neighborhood(id: $id, depth: 2) { nodes { id name
// type } } }`) without gqlgen's dispatch of the operation. Once the
// operation context is made (the document parsed or taken from the
// cache, validated, the variables coerced, the limits, complexity and
// introspection checked: all of CreateOperationContext, unchanged),
// what gqlgen does for such a query is bookkeeping around one walk: the
// operation and response middleware and contexts, the executable
// schema's execution context, the root field set with its field and
// root field contexts, the resolver middleware, the response envelope
// and its error and extension lists. For a depth-2 answer of about
// 0.1 ms that was a quarter of the server's CPU.
//
// What is observable stays as it was: the answer is byte for byte
// gqlgen's (TestDirectQuery holds the two paths to it); admission is
// asked as its middleware asks (an expensive neighbourhood takes a
// worker, and when none is free at once, or others wait, the query goes
// to gqlgen's path to queue there); access is checked before the
// transport, metrics count the request and its status around it, and
// no extension of ours adds to its response (the one that may, the
// warnings of collectWarnings, comes only from a where argument, which
// directArguments leaves to gqlgen's path). Anything else (other
// root fields, a directive on the field, an argument headsDirect does
// not take, an ended context, a walk that fails or panics) is left to
// gqlgen's path, which answers and reports it as before: a failed walk
// is asked once more there, and errors are rare.
type directQuery struct {
	store  *store.Store
	shapes *shapeCache
	// admission is the expensive queries' queue; nil: there is none.
	admission *admission
	answers   *answerBuffers
}

// serve answers the operation of oc, in media, when it can, and reports
// whether it did; when it reports false, nothing was written.
func (d *directQuery) serve(ctx context.Context, w http.ResponseWriter, media string, oc *graphql.OperationContext) bool {
	if d == nil {
		return false
	}
	f := soleNeighborhood(oc)
	if f == nil || ctx.Err() != nil {
		return false
	}
	shape, ok := d.shapes.plan(oc, graphql.CollectedField{Field: f, Selections: f.SelectionSet})
	if !ok {
		return false
	}
	id, opts, ok := directArguments(f, oc.Variables)
	if !ok {
		return false
	}
	opts.NodesOnly = !shape.edges
	release, ok := d.admission.tryAdmit(f, oc.Variables)
	if !ok {
		return false
	}
	defer release()
	slot := &headsSlot{shape: shape}
	if !(headsDirect{store: d.store}).resolve(ctx, slot, id, opts) {
		return false
	}

	// The envelope gqlgen's path writes for data without errors or
	// extensions: {"data":{"alias":...}}.
	h := slot.heads
	et := shape.edgeText(h)
	buf := d.answers.get(shape.estimate(h, et) + len(f.Alias) + 16)
	defer d.answers.put(buf)
	b := append(buf.b, `{"data":{`...)
	b = appendJSONString(b, f.Alias)
	b = append(b, ':')
	b = shape.appendJSON(b, h, et)
	b = append(b, "}}"...)
	buf.b = b
	// The answer is all in b: its lists go back to the store for the
	// next walk.
	h.Release()

	hd := w.Header()
	setResponseHeaders(hd, media)
	hd.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	c := holdFor(ctx, len(b))
	_, _ = w.Write(b)
	c.send(w)
	return true
}

// soleNeighborhood returns the root field of oc's operation when it is a
// query of that one field, Query.neighborhood, without directives; nil
// otherwise.
func soleNeighborhood(oc *graphql.OperationContext) *ast.Field {
	if oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Query || len(oc.Operation.SelectionSet) != 1 {
		return nil
	}
	f, ok := oc.Operation.SelectionSet[0].(*ast.Field)
	if !ok || f.Name != "neighborhood" || len(f.Directives) > 0 || f.ObjectDefinition == nil || f.ObjectDefinition.Name != "Query" {
		return nil
	}
	return f
}

// tryAdmit admits the root field f as admission.around would, without
// waiting: a cheap field at once, an expensive one when its workers are
// free and nobody waits. ok is false when it would have to queue;
// release gives the workers back. A nil a admits everything.
func (a *admission) tryAdmit(f *ast.Field, vars map[string]any) (release func(), ok bool) {
	if a == nil {
		return func() {}, true
	}
	n := heavyWeight(f.Name, func(name string) any {
		v, _ := fieldArgument(f, name, vars)
		return v
	}, a.workers)
	if n == 0 {
		return func() {}, true
	}
	if !a.sem.TryAcquire(n) {
		return nil, false
	}
	return func() { a.sem.Release(n) }, true
}
