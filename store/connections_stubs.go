package store

// SKELETON: replaced by path.go, centrality.go, components.go, common.go.

import "context"

// ShortestPath finds one shortest path from `from` to `to` by bidirectional
// breadth-first search (Dijkstra when opts.Weight is set). It returns nil
// and no error when none exists within opts.MaxDepth. Unknown ids are
// NotFound errors.
func (s *Store) ShortestPath(ctx context.Context, from, to string, opts PathOptions, ro ReadOptions) (*Path, error) {
	return nil, errUnimplemented
}

// KShortestPaths returns up to k shortest simple paths (Yen's algorithm),
// shortest first, ties in a stable order.
func (s *Store) KShortestPaths(ctx context.Context, from, to string, k int, opts PathOptions, ro ReadOptions) (PathsResult, error) {
	return PathsResult{}, errUnimplemented
}

// AllPaths returns every simple path of at most opts.MaxDepth edges, up to
// limit paths, shortest first.
func (s *Store) AllPaths(ctx context.Context, from, to string, limit int, opts PathOptions, ro ReadOptions) (PathsResult, error) {
	return PathsResult{}, errUnimplemented
}

// CommonNeighbors returns the entities tied to every one of ids under f
// (Types, Direction, ValidAt, EntityTypes; First caps the result), in id
// order.
func (s *Store) CommonNeighbors(ctx context.Context, ids []string, f RelationFilter, ro ReadOptions) ([]*Entity, error) {
	return nil, errUnimplemented
}

// Centrality ranks entities by the chosen measure.
func (s *Store) Centrality(ctx context.Context, opts CentralityOptions, ro ReadOptions) (CentralityResult, error) {
	return CentralityResult{}, errUnimplemented
}

// Components summarises the connected components.
func (s *Store) Components(ctx context.Context, opts ComponentsOptions, ro ReadOptions) (ComponentsResult, error) {
	return ComponentsResult{}, errUnimplemented
}

// ComponentOf returns the id of the component that entity id belongs to:
// the smallest entity id in it, so it is stable while the component is.
func (s *Store) ComponentOf(ctx context.Context, id string, opts ComponentsOptions, ro ReadOptions) (string, error) {
	return "", errUnimplemented
}
