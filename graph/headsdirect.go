package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/ties-graph/ties/store"
)

// headsDirect answers a neighbourhood field that writeSubgraphHeads has
// planned without gqlgen's execution of the field, when its arguments are
// the plain ones a dashboard sends (id, depth, limit, types, entityTypes,
// direction, datedOnly). gqlgen's execution of that one field (its
// arguments decoded into a map with a path context each, a field
// context, the resolver middleware) was about a quarter of a small
// request's CPU and a fifth of its allocations; the arguments read here
// are the same values through the same gqlgen conversions, and the
// options built from them are the resolver's.
//
// Whatever it cannot answer it leaves to gqlgen's path untouched: any
// other argument, a value it does not recognise, and every error or
// panic of the walk, so that each is reported exactly as before (a
// failed walk is asked once more there; errors are rare, and their
// wording, path and code stay gqlgen's and the presenter's). It runs
// inside admission, so an expensive neighbourhood still waits its turn.
type headsDirect struct {
	store *store.Store
}

// around is the innermost AroundRootFields middleware.
func (d headsDirect) around(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	slot := headsSlotFor(ctx)
	if slot == nil {
		return next(ctx)
	}
	rfc := graphql.GetRootFieldContext(ctx)
	oc := graphql.GetOperationContext(ctx)
	if rfc == nil || oc == nil {
		return next(ctx)
	}
	id, opts, ok := directArguments(rfc.Field.Field, oc.Variables)
	if !ok {
		return next(ctx)
	}
	opts.NodesOnly = !slot.shape.edges
	if !d.resolve(ctx, slot, id, opts) {
		slot.heads = nil
		return next(ctx)
	}
	return headsWriter(ctx, slot)
}

// resolve reads the slot's heads, reporting whether it did; a panic is
// a failure, left to gqlgen's path to report.
func (d headsDirect) resolve(ctx context.Context, slot *headsSlot, id string, opts store.NeighborhoodOptions) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	_, err := slot.resolve(ctx, d.store, id, opts, readOptions(time.Time{}))
	return err == nil
}

// directArguments reads the arguments of a neighbourhood field as the
// generated code and the resolver would, or reports false when the field
// has an argument this path does not take or a value it does not know.
func directArguments(f *ast.Field, vars map[string]any) (string, store.NeighborhoodOptions, bool) {
	var opts store.NeighborhoodOptions
	if f == nil {
		return "", opts, false
	}
	for _, a := range f.Arguments {
		switch a.Name {
		case "id", "depth", "limit", "types", "entityTypes", "direction", "datedOnly":
		default:
			return "", opts, false
		}
		// fieldArgument reads a literal it cannot evaluate as absent;
		// gqlgen's argument map fails the field for it.
		if a.Value == nil {
			return "", opts, false
		}
		if a.Value.Kind != ast.Variable {
			if _, err := a.Value.Value(vars); err != nil {
				return "", opts, false
			}
		}
	}
	arg := func(name string) any {
		v, _ := fieldArgument(f, name, vars)
		return v
	}
	v := arg("id")
	if v == nil {
		return "", opts, false
	}
	id, err := graphql.UnmarshalID(v)
	if err != nil {
		return "", opts, false
	}
	depth, ok := optionalInt(arg("depth"))
	if !ok {
		return "", opts, false
	}
	if opts.Limit, ok = optionalInt(arg("limit")); !ok {
		return "", opts, false
	}
	if opts.Types, ok = optionalStrings(arg("types")); !ok {
		return "", opts, false
	}
	if opts.EntityTypes, ok = optionalStrings(arg("entityTypes")); !ok {
		return "", opts, false
	}
	opts.Depth = deref(depth, store.DefaultNeighborhoodDepth)
	opts.Direction = store.Both
	if v := arg("direction"); v != nil {
		switch v {
		case "BOTH":
		case "OUT":
			opts.Direction = store.Out
		case "IN":
			opts.Direction = store.In
		default:
			return "", opts, false
		}
	}
	if v := arg("datedOnly"); v != nil {
		b, err := graphql.UnmarshalBoolean(v)
		if err != nil {
			return "", opts, false
		}
		opts.DatedOnly = b
	}
	return id, opts, true
}

// optionalInt is an Int argument as the generated code reads it: nil when
// absent or null.
func optionalInt(v any) (*int, bool) {
	if v == nil {
		return nil, true
	}
	n, err := graphql.UnmarshalInt(v)
	if err != nil {
		return nil, false
	}
	return &n, true
}

// optionalStrings is a [String!] argument as the generated code reads it:
// nil when absent or null, a single value coerced to a list of one.
func optionalStrings(v any) ([]string, bool) {
	if v == nil {
		return nil, true
	}
	l := graphql.CoerceList(v)
	s := make([]string, len(l))
	for i, e := range l {
		var err error
		if s[i], err = graphql.UnmarshalString(e); err != nil {
			return nil, false
		}
	}
	return s, true
}
