package store

// SKELETON: replaced by path.go, centrality.go, components.go, common.go.

import "context"

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
