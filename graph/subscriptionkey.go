package graph

import (
	"context"
	"time"
)

// keyRecheck is how often a subscription checks that its API key still
// works while no change arrives: a revoked key's stream ends within it,
// even on a quiet feed. The check is a map lookup.
const keyRecheck = time.Second

// keyWorks returns nil while the API key that authenticated ctx's
// request (if any) still lets its token in, and its Unauthenticated error
// otherwise.
func (r *Resolver) keyWorks(ctx context.Context) error {
	id := identityFrom(ctx)
	if !id.key {
		return nil
	}
	return r.store.APIKeyCurrent(ctx, id.apiKey)
}

// whileKeyWorks returns a context derived from ctx that is cancelled,
// with the key's error as its cause, once the API key that authenticated
// ctx's request stops working (revoked or expired): a subscription
// authenticates once, when it opens, and must not outlive its key. stop
// releases it.
func (r *Resolver) whileKeyWorks(ctx context.Context) (context.Context, func()) {
	if !identityFrom(ctx).key {
		return ctx, func() {}
	}
	watched, cancel := context.WithCancelCause(ctx)
	go func() {
		t := time.NewTicker(keyRecheck)
		defer t.Stop()
		for {
			select {
			case <-watched.Done():
				return
			case <-t.C:
				if err := r.keyWorks(ctx); err != nil {
					cancel(err)
					return
				}
			}
		}
	}()
	return watched, func() { cancel(nil) }
}
