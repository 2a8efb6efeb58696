// Package connect answers the connection questions over a store.Reader:
// shortest paths (bidirectional BFS, Dijkstra on a weight), k shortest
// paths (Yen), all simple paths, common neighbours, centrality (degree,
// PageRank, betweenness) and connected components. It uses only the
// Reader's exported traversal API (LookupEntity, Filter, Expand, Edges,
// EachNode, EntityID, Entities, Relations, Ontology), so the engine in package store knows
// nothing of the algorithms. Each function runs inside one snapshot; a
// caller that holds the Store uses store.Read:
//
//	p, err := store.Read(ctx, st, store.ReadOptions{}, func(r *store.Reader) (*store.Path, error) {
//		return connect.ShortestPath(r, "enschede", "tesla-motors", store.PathOptions{})
//	})
//
// The option and result types (store.PathOptions, store.Path, ...) and
// the defaults (store.DefaultPathDepth, ...) stay in package store, beside
// the other types of its API, which the GraphQL schema binds.
package connect
