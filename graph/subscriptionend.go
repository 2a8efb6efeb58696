package graph

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// subscriptionEnd is why a subscription ended, kept from the resolver
// that knows it (followChanges) for the response middleware that says it
// (answerSubscriptionEnd). The reason cannot travel as a last value of the
// stream: only the fields a client selects are resolved, so a client that
// selected none that fail (`changes { id principal }`) was sent an empty
// change instead of the reason.
type subscriptionEnd struct {
	mu  sync.Mutex
	err error
}

type subscriptionEndKey struct{}

// endSubscription records err as why ctx's subscription ends; outside
// a subscription set up by withSubscriptionEnd it does nothing.
func endSubscription(ctx context.Context, err error) {
	end, ok := ctx.Value(subscriptionEndKey{}).(*subscriptionEnd)
	if !ok {
		return
	}
	end.mu.Lock()
	end.err = err
	end.mu.Unlock()
}

// withSubscriptionEnd is the operation middleware that gives each
// subscription a place for the reason it ends.
func withSubscriptionEnd(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if oc := graphql.GetOperationContext(ctx); oc.Operation != nil && oc.Operation.Operation == ast.Subscription {
		ctx = context.WithValue(ctx, subscriptionEndKey{}, &subscriptionEnd{})
	}
	return next(ctx)
}

// answerSubscriptionEnd returns the response middleware that sends the
// reason a subscription ended as its last response, one error presented
// by present with null data, once its stream has closed; the transport
// then completes it.
func answerSubscriptionEnd(present graphql.ErrorPresenterFunc) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		end, ok := ctx.Value(subscriptionEndKey{}).(*subscriptionEnd)
		if resp != nil || !ok {
			return resp
		}
		end.mu.Lock()
		err := end.err
		end.err = nil // said once: the stream's next call ends it
		end.mu.Unlock()
		if err == nil {
			return nil
		}
		e := present(ctx, err)
		if oc := graphql.GetOperationContext(ctx); oc.Operation != nil {
			if names := rootFields(oc.Operation.SelectionSet); len(names) == 1 {
				e.Path = ast.Path{ast.PathName(names[0])}
			}
		}
		return &graphql.Response{Errors: gqlerror.List{e}}
	}
}
