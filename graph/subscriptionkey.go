package graph

import (
	"context"
	"io"
	"time"

	"github.com/ties-graph/ties/store"
)

// keyRecheck is how often a request that outlives its authentication (a
// subscription, an upload, an export) checks that its API key still
// works: a revoked key's request ends within it, even on a quiet feed or
// a stalled upload. The check is a map lookup.
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

// whileKeyWorks is watchKey for the key that authenticated ctx's
// request, if any: a subscription authenticates once, when it opens, and
// must not outlive its key.
func (r *Resolver) whileKeyWorks(ctx context.Context) (context.Context, func()) {
	id := identityFrom(ctx)
	if !id.key {
		return ctx, func() {}
	}
	return watchKey(ctx, r.store, id.apiKey)
}

// watchKey returns a context derived from ctx that is cancelled, with
// the key's error as its cause, once k stops working (revoked or
// expired). stop releases it.
func watchKey(ctx context.Context, st *store.Store, k store.APIKey) (context.Context, func()) {
	watched, cancel := context.WithCancelCause(ctx)
	go func() {
		t := time.NewTicker(keyRecheck)
		defer t.Stop()
		for {
			select {
			case <-watched.Done():
				return
			case <-t.C:
				if err := st.APIKeyCurrent(ctx, k); err != nil {
					cancel(err)
					return
				}
			}
		}
	}()
	return watched, func() { cancel(nil) }
}

// keyedBody is a request body that stops with its key: once ctx is
// cancelled with the key's error, reads return that error, so that an
// upload spooled for a revoked key stops at its next read rather than at
// its end.
type keyedBody struct {
	io.ReadCloser
	ctx context.Context
}

func (b keyedBody) Read(p []byte) (int, error) {
	if err := context.Cause(b.ctx); err != nil && store.ErrorCode(err) == store.Unauthenticated {
		return 0, err
	}
	return b.ReadCloser.Read(p)
}
