package store

import (
	"fmt"
)

// The defaults of every query, in one place. An option that the caller
// leaves nil ("not given") takes its default here; a given 0 means 0 (an
// empty page, no paths, only the start), as Relay and the GraphQL API say.
// The GraphQL schema declares the same values as its arguments' defaults,
// and graph's tests hold the two equal.
const (
	// DefaultPageSize is the page size of FindEntities and FindRelations.
	DefaultPageSize = 50
	// DefaultSearchLimit is the number of hits Search returns.
	DefaultSearchLimit = 20
	// DefaultNeighborhoodDepth is the hops of a neighbourhood when the
	// GraphQL query gives none (NeighborhoodOptions.Depth is always given:
	// 0 is the start alone).
	DefaultNeighborhoodDepth = 1
	// DefaultNeighborhoodLimit is the most nodes of a neighbourhood.
	DefaultNeighborhoodLimit = 500
	// DefaultPathDepth is the most edges ShortestPath and KShortestPaths
	// look for.
	DefaultPathDepth = 6
	// DefaultK is how many paths KShortestPaths returns.
	DefaultK = 3
	// DefaultAllPathsDepth is the most edges AllPaths looks for.
	DefaultAllPathsDepth = 4
	// DefaultAllPathsLimit is the most paths AllPaths returns.
	DefaultAllPathsLimit = 100
	// DefaultCommonLimit is the most entities CommonNeighbors returns.
	DefaultCommonLimit = 50
	// DefaultRankingLength is the length of a centrality ranking.
	DefaultRankingLength = 20
	// DefaultSamples is how many betweenness sources are drawn on graphs
	// with more entities than that.
	DefaultSamples = 500
	// DefaultMaxVisited caps the entities one connection query may visit.
	DefaultMaxVisited = 1_000_000
)

// SizeOr returns the size n gives, or def when n is nil. A negative size
// is an Invalid error naming field.
func SizeOr(n *int, def int, field string) (int, error) {
	switch {
	case n == nil:
		return def, nil
	case *n < 0:
		return 0, &Error{Code: Invalid, Field: field, Message: fmt.Sprintf("must not be negative, got %d", *n)}
	}
	return *n, nil
}

// DefaultChangesFirst is the page size of the change feed when
// ChangeFilter.First is nil, and MaxChangesFirst its largest.
const (
	DefaultChangesFirst = 100
	MaxChangesFirst     = 1000
)
