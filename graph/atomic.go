package graph

import (
	"context"
	"encoding/json"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/ties-graph/ties/store"
)

// A request's mutations are one transaction, all or nothing, as Hasura
// runs them: `a: upsertEntities(...) b: upsertRelations(...)` writes both
// or neither, and the second sees what the first wrote. A request with one
// mutation field goes straight to Store.Apply (which can fall back to a
// bulk write for a batch too large for one transaction); one with several
// shares a store.WriteTxn, committed once every field has resolved
// without error and discarded otherwise.

type writeTxnKey struct{}

// apply writes b, as the request's principal, through the request's
// transaction when it has one.
func (r *Resolver) apply(ctx context.Context, b store.Batch) (store.BatchResult, error) {
	b.Principal = store.PrincipalFrom(ctx)
	if wt, ok := ctx.Value(writeTxnKey{}).(*store.WriteTxn); ok {
		return wt.Apply(b)
	}
	return r.store.Apply(ctx, b)
}

// atomicMutations is the AroundOperations middleware that gives a mutation
// operation of several fields its transaction. When any field fails, or
// the commit does, nothing is written and the answer's data is null: the
// fields that resolved did so inside a transaction that never happened,
// so their results would be false.
func atomicMutations(st *store.Store) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		oc := graphql.GetOperationContext(ctx)
		if oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Mutation ||
			len(graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Mutation"})) < 2 {
			return next(ctx)
		}
		wt, err := st.BeginWrite(ctx)
		if err != nil {
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{
				Message: store.ErrorMessage(err), Extensions: map[string]any{"code": string(store.ErrorCode(err))},
			}}, Data: json.RawMessage("null")})
		}
		ctx = context.WithValue(ctx, writeTxnKey{}, wt)
		h := next(ctx)
		return func(rctx context.Context) *graphql.Response {
			resp := h(context.WithValue(rctx, writeTxnKey{}, wt))
			if resp == nil || len(resp.Errors) > 0 {
				wt.Discard()
				if resp != nil {
					resp.Data = json.RawMessage("null")
				}
				return resp
			}
			if _, err := wt.Commit(); err != nil {
				resp.Errors = append(resp.Errors, &gqlerror.Error{
					Message:    "nothing of this request was written: " + store.ErrorMessage(err),
					Extensions: map[string]any{"code": string(store.ErrorCode(err))},
				})
				resp.Data = json.RawMessage("null")
			}
			return resp
		}
	}
}
