package graph

import (
	"context"

	"github.com/ties-graph/ties/store"
)

// applied applies b for a mutation field and answers with what answer
// takes from the result. A failed batch reports each of its errors as its
// own GraphQL error (reportEach), so that a client sees every bad record.
func applied[T any](ctx context.Context, r *Resolver, b store.Batch, answer func(store.BatchResult) T) (T, error) {
	res, err := r.apply(ctx, b)
	if err != nil {
		var zero T
		return zero, reportEach(ctx, err)
	}
	return answer(res), nil
}

// values copies the records gqlgen hands a mutation as pointers into the
// slice of values a store.Batch holds.
func values[T any](ps []*T) []T {
	out := make([]T, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out
}
