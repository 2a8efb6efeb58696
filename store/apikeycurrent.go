package store

import (
	"context"
	"fmt"
	"time"
)

// APIKeyCurrent returns nil while the API key that Authenticate returned
// as k still lets its token in, and the Unauthenticated error Authenticate
// would now give otherwise: the key was revoked (or revoked and created
// again under its name, which is another token), or it expired. A request
// that outlives its authentication, such as a subscription, asks it to stop
// when its key stops working. It reads no more than memory.
func (s *Store) APIKeyCurrent(ctx context.Context, k APIKey) error {
	r, err := s.keys(ctx)
	if err != nil {
		return err
	}
	r.mu.RLock()
	e := r.byName[k.Name]
	r.mu.RUnlock()
	if e == nil || !e.key.CreatedAt.Equal(k.CreatedAt) {
		return errBadToken
	}
	if e.key.Expired(time.Now()) {
		return &Error{Code: Unauthenticated, Record: e.key.Name,
			Message: fmt.Sprintf("the API key expired at %s; ask an admin for a new one", e.key.ExpiresAt.Format(time.RFC3339))}
	}
	return nil
}
