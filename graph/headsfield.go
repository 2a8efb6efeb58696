package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// writeHeadsField is the field middleware that gives gqlgen the heads
// writer as the result of a neighbourhood field writeSubgraphHeads has
// planned. gqlgen returns a resolver chain's result that is already a
// graphql.Marshaler as it is; handed the *store.Subgraph, it would
// marshal that empty Subgraph (a field context, a field set and an empty
// list per selected field, about a tenth of a small request's
// allocations) only for the writer to replace it. Every other field
// passes through untouched, and so does an error or a null, which gqlgen
// reports as before.
func writeHeadsField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !fc.IsResolver || fc.Field.Name != "neighborhood" || fc.Object != "Query" {
		return next(ctx)
	}
	res, err := next(ctx)
	slot := headsSlotFor(ctx)
	if err != nil || slot == nil || slot.heads == nil {
		return res, err
	}
	return headsWriter(ctx, slot), nil
}
