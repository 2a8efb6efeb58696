package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ties-graph/ties/graph/model"
	"github.com/ties-graph/ties/store"
)

// propertyFilters converts the where argument into the store's filters,
// decoding each JSON operand into a typed value. Errors: Invalid, naming
// the filter, for an operand that is no property value.
func propertyFilters(where []*model.PropertyFilter) ([]store.PropertyFilter, error) {
	if len(where) == 0 {
		return nil, nil
	}
	out := make([]store.PropertyFilter, len(where))
	for i, f := range where {
		bad := func(op string, err error) error {
			msg := err.Error()
			var se *store.Error
			if errors.As(err, &se) {
				msg = se.Message
			}
			return &store.Error{Code: store.Invalid, Field: "where", Message: fmt.Sprintf("where[%d] (key %q): %s: %s", i, f.Key, op, msg)}
		}
		value := func(op string, raw json.RawMessage) (*store.Value, error) {
			if raw == nil {
				return nil, nil
			}
			v, err := decodeValue(raw)
			if err != nil {
				return nil, bad(op, err)
			}
			return &v, nil
		}
		pf := store.PropertyFilter{Key: f.Key, Exists: f.Exists, Contains: f.Contains}
		var err error
		if pf.Eq, err = value("eq", f.Eq); err != nil {
			return nil, err
		}
		if pf.Gt, err = value("gt", f.Gt); err != nil {
			return nil, err
		}
		if pf.Gte, err = value("gte", f.Gte); err != nil {
			return nil, err
		}
		if pf.Lt, err = value("lt", f.Lt); err != nil {
			return nil, err
		}
		if pf.Lte, err = value("lte", f.Lte); err != nil {
			return nil, err
		}
		if f.In != nil {
			pf.In = make([]store.Value, 0, len(f.In))
			for _, raw := range f.In {
				v, err := decodeValue(raw)
				if err != nil {
					return nil, bad("in", err)
				}
				pf.In = append(pf.In, v)
			}
		}
		out[i] = pf
	}
	return out, nil
}

// decodeValue reads one JSON operand as a property value, numbers kept
// exact until they become float64.
func decodeValue(raw json.RawMessage) (store.Value, error) {
	var v store.Value
	if err := v.UnmarshalJSON(bytes.TrimSpace(raw)); err != nil {
		return store.Value{}, err
	}
	return v, nil
}

// orders dereferences the orderBy argument.
func orders(orderBy []*store.Order) []store.Order {
	if len(orderBy) == 0 {
		return nil
	}
	out := make([]store.Order, 0, len(orderBy))
	for _, o := range orderBy {
		if o != nil {
			out = append(out, *o)
		}
	}
	return out
}

// findFacets answers Query.facets, or with relations relationFacets,
// from the store's count of entities or of relations; a where that left
// nothing to count gets the advice an empty entities (or relations) does.
func (r *Resolver) findFacets(ctx context.Context, relations bool, types []string, where []*model.PropertyFilter, by []string) ([]*model.Facet, error) {
	filters, err := propertyFilters(where)
	if err != nil {
		return nil, err
	}
	find := r.store.EntityFacets
	if relations {
		find = r.store.RelationFacets
	}
	fs, err := find(ctx, store.FacetQuery{Types: types, Where: filters, By: by}, readAt(ctx))
	if err != nil {
		return nil, err
	}
	r.warnEmptyEntities(ctx, filters, relations, types, len(fs))
	return facets(fs)
}

// facets converts the store's facets for the wire.
func facets(fs []store.Facet) ([]*model.Facet, error) {
	out := make([]*model.Facet, len(fs))
	for i, f := range fs {
		b, err := json.Marshal(f.Value)
		if err != nil {
			return nil, fmt.Errorf("encode facet value: %w", err)
		}
		out[i] = &model.Facet{Key: f.Key, Value: b, Count: f.Count}
	}
	return out, nil
}

// relationQuery is the arguments Entity.relations and Entity.neighbors
// share.
type relationQuery struct {
	types       []string
	direction   *store.Direction
	validAt     *store.Date
	during      *store.DateRange
	datedOnly   *bool
	entityTypes []string
	first       *int
	after       *string
}

func (q relationQuery) filter() store.RelationFilter {
	return store.RelationFilter{
		Types: q.types, Direction: deref(q.direction, store.Both), ValidAt: deref(q.validAt, store.Date{}),
		DatedOnly: deref(q.datedOnly, false),
		During:    deref(q.during, store.DateRange{}), EntityTypes: q.entityTypes, First: q.first, After: deref(q.after, ""),
	}
}

// relationsWhere is Entity.relations; where and orderBy, when given,
// apply to the relations.
func (r *entityResolver) relationsWhere(ctx context.Context, obj *store.Entity, q relationQuery, where []*model.PropertyFilter, orderBy []*store.Order) (*model.RelationConnection, error) {
	f := q.filter()
	var err error
	if f.Where, err = propertyFilters(where); err != nil {
		return nil, err
	}
	f.OrderBy = orders(orderBy)
	page, err := r.findRelations(ctx, obj, f)
	if err != nil {
		return nil, err
	}
	r.warnEmptyAround(ctx, obj.ID, f, page.TotalCount)
	return relationConnection(page), nil
}

// neighborsWhere is Entity.neighbors (not distinct); where and orderBy,
// when given, apply to the neighbours. OrderNeighbors matters only with
// an order, so without one this is the plain page of neighbours.
func (r *entityResolver) neighborsWhere(ctx context.Context, obj *store.Entity, q relationQuery, where []*model.PropertyFilter, orderBy []*store.Order) (*model.EntityConnection, error) {
	f := q.filter()
	var err error
	if f.NeighborWhere, err = propertyFilters(where); err != nil {
		return nil, err
	}
	f.OrderBy, f.OrderNeighbors = orders(orderBy), true
	page, err := r.findRelations(ctx, obj, f)
	if err != nil {
		return nil, err
	}
	r.warnEmptyAround(ctx, obj.ID, f, page.TotalCount)
	return neighborConnection(page), nil
}
