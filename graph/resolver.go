// Package graph is the GraphQL API of Ties: the schema's resolvers, the
// dataloaders that batch entity reads, the error presenter, the limits that
// refuse hostile queries, and the HTTP handler that serves it all.
package graph

//go:generate go run github.com/99designs/gqlgen generate

import (
	"time"

	"github.com/ties-graph/ties/store"
)

// Resolver is the root of the resolvers: the dependencies they share.
type Resolver struct {
	store *store.Store
	// slow is how long a subscriber may leave a change untaken before it
	// is closed; 0 means SlowSubscriberTimeout.
	slow time.Duration
}
