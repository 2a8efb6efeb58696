package store

import (
	"errors"

	"github.com/ties-graph/ties/store/kv"
)

// Unreachable reports whether err says that the backend could not be
// reached (a networked one, such as PostgreSQL during a failover), and
// whether a write may have been applied regardless: a commit whose
// connection was lost before the server answered. Either way the request
// can be retried once the backend is back; the API says so with code
// Unavailable.
func Unreachable(err error) (unreachable, maybeApplied bool) {
	maybeApplied = errors.Is(err, kv.ErrUnknownOutcome)
	return maybeApplied || errors.Is(err, kv.ErrUnavailable), maybeApplied
}
