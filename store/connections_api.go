package store

// This file fixes the API of the connection queries (paths, shared
// partners, centrality, components). Implementations live in path.go,
// centrality.go, components.go and common.go.

// PathOptions filter and bound the path queries. The filters mean what they
// mean for neighbours: relation Types, Direction relative to the walk,
// ValidAt, and EntityTypes of every entity on the path but the two ends.
type PathOptions struct {
	Types       []string
	Direction   Direction
	ValidAt     Date
	DatedOnly   bool // only facts whose dates show they held (EdgeFilter.RestrictDatedOnly)
	EntityTypes []string
	MaxDepth    *int   // most edges on a path; nil = the query's default
	Weight      string // numeric relation property used as cost (Dijkstra); "" = hop count
	// MaxVisited caps the entities a search may visit before it gives up
	// and reports truncation; 0 = the store's default.
	MaxVisited int
	// Distinct makes KShortestPaths return routes that differ in the
	// entities they pass through, each hop with every parallel relation
	// (Path.Evidence); without it two relations joining the same pair
	// make two paths.
	Distinct bool
}

// Path is a walk from one entity to another: Nodes[0] is the start,
// Edges[i] joins Nodes[i] and Nodes[i+1]. Cost is the sum of the weights
// (the number of edges when unweighted).
type Path struct {
	Nodes []*Entity
	Edges []*Relation
	Cost  float64
	// Evidence, for distinct paths, gives per hop every relation joining
	// Nodes[i] and Nodes[i+1] under the filters, Edges[i] first; nil
	// otherwise.
	Evidence [][]*Relation
}

// PathsResult is a list of paths; Truncated says a cap cut the search
// short, so more (or shorter) paths may exist.
type PathsResult struct {
	Paths     []Path
	Truncated bool
}

// Measure is a centrality measure.
type Measure uint8

// Centrality measures.
const (
	MeasureDegree Measure = iota
	MeasurePageRank
	MeasureBetweenness
)

// CentralityOptions configure Store.Centrality.
type CentralityOptions struct {
	Measure     Measure
	Types       []string // relation types; empty = all
	EntityTypes []string // entities ranked and traversed; empty = all
	ValidAt     Date
	DatedOnly   bool // only facts whose dates show they held (EdgeFilter.RestrictDatedOnly)
	First       *int // length of the ranking; nil = DefaultRankingLength
	// Samples bounds betweenness: with more entities than this, Brandes'
	// algorithm runs from this many sources drawn with Seed, and the result
	// says so. nil = DefaultSamples.
	Samples *int
	Seed    int64
}

// Scored is an entity with its score.
type Scored struct {
	Entity *Entity
	Score  float64
}

// CentralityResult ranks entities, best first, ties by id.
type CentralityResult struct {
	Ranking    []Scored
	Sampled    bool  // betweenness estimated from Samples sources
	Samples    int   // sources used when Sampled
	Seed       int64 // seed used when Sampled
	Iterations int   // PageRank power iterations run
	Converged  bool  // PageRank reached its tolerance
	Nodes      int   // entities considered
}

// ComponentsOptions configure Store.Components.
type ComponentsOptions struct {
	Types       []string
	ValidAt     Date
	DatedOnly   bool // only facts whose dates show they held (EdgeFilter.RestrictDatedOnly)
	EntityTypes []string
}

// ComponentsResult summarises the connected components (relations taken as
// undirected).
type ComponentsResult struct {
	Count   int
	Largest int
	Sizes   []int // largest first, at most 100
}

// DiffOptions bound a diff of a neighbourhood between two sides, each a
// valid date read in a recorded-time snapshot (see package connect, Diff).
type DiffOptions struct {
	Depth int      // hops from the start, as Neighborhood's
	Types []string // relation types to follow; empty = all
	// From and To are the valid dates of the two sides: a side follows
	// only the relations that held at its date. A zero date follows every
	// relation, whatever its dates (a diff on recorded time alone).
	From, To Date
	// DatedOnly counts a relation as holding at a date only when its
	// dates show it (see EdgeFilter.RestrictDatedOnly).
	DatedOnly bool
	Limit     *int // most entities on each side; nil = DefaultNeighborhoodLimit
}

// NetworkDiff is how the neighbourhood of an entity differs between two
// sides (see package connect, Diff). Relations and entities are read on
// the side where they are found: Began, Entered and Changed*
// as the "to" side has them, Ended and Left as the "from" side had them.
type NetworkDiff struct {
	Began   []*Relation // in the neighbourhood on the to side, not holding on the from side
	Ended   []*Relation // in the neighbourhood on the from side, not holding on the to side
	Entered []*Entity   // in the neighbourhood on the to side only
	Left    []*Entity   // in the neighbourhood on the from side only
	// ChangedRelations and ChangedEntities are in both neighbourhoods,
	// recorded differently on the two sides; always empty when both sides
	// read the same snapshot.
	ChangedRelations []*Relation
	ChangedEntities  []*Entity
}
