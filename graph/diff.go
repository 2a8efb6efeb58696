package graph

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/connect"
)

// diffOptions checks the arguments of Query.diff against the rules the
// schema states and returns the options and the two snapshots to read:
// from and to come together; asOfTo needs asOfFrom; one of the pairs must
// be there, since a diff of now with now is empty; datedOnly qualifies
// valid dates, so it needs them.
func diffOptions(depth *int, types []string, from, to *store.Date, asOfFrom, asOfTo *time.Time, datedOnly *bool) (store.DiffOptions, store.ReadOptions, store.ReadOptions, error) {
	var none store.ReadOptions
	switch {
	case from != nil && to == nil:
		return store.DiffOptions{}, none, none, store.FieldError("", "to", "give to with from: a diff on valid time compares two dates")
	case from == nil && to != nil:
		return store.DiffOptions{}, none, none, store.FieldError("", "from", "give from with to: a diff on valid time compares two dates")
	case asOfTo != nil && asOfFrom == nil:
		return store.DiffOptions{}, none, none, store.FieldError("", "asOfFrom", "give asOfFrom with asOfTo: asOfTo alone would compare now with the past")
	case from == nil && asOfFrom == nil:
		return store.DiffOptions{}, none, none, store.FieldError("", "from", "give from and to (valid time), asOfFrom (recorded time), or both")
	case deref(datedOnly, false) && from == nil:
		return store.DiffOptions{}, none, none, store.FieldError("", "datedOnly", "datedOnly qualifies the valid dates from and to; give them")
	}
	opts := store.DiffOptions{
		Depth: deref(depth, store.DefaultNeighborhoodDepth), Types: types,
		From: deref(from, store.Date{}), To: deref(to, store.Date{}), DatedOnly: deref(datedOnly, false),
	}
	return opts, readOptions(asOfTime(asOfFrom)), readOptions(asOfTime(asOfTo)), nil
}

// diff answers Query.diff: one snapshot when both sides read the same
// recorded instant, two otherwise.
func (r *queryResolver) diff(ctx context.Context, id string, depth *int, types []string, from, to *store.Date, asOfFrom, asOfTo *time.Time, datedOnly *bool) (*store.NetworkDiff, error) {
	opts, roFrom, roTo, err := diffOptions(depth, types, from, to, asOfFrom, asOfTo, datedOnly)
	if err != nil {
		return nil, err
	}
	d, err := store.Read(ctx, r.store, roFrom, func(a *store.Reader) (*store.NetworkDiff, error) {
		if roFrom == roTo {
			return connect.Diff(a, a, id, opts)
		}
		d, err := store.Read(ctx, r.store, roTo, func(b *store.Reader) (*store.NetworkDiff, error) {
			return connect.Diff(a, b, id, opts)
		})
		return d, renameAsOf(err, "asOfTo")
	})
	if err != nil {
		return nil, renameAsOf(err, "asOfFrom")
	}
	return d, nil
}

// renameAsOf names the argument of diff that an error of a snapshot
// (an instant older than the history kept) is about: the store calls it
// asOf.
func renameAsOf(err error, field string) error {
	var se *store.Error
	if errors.As(err, &se) && se.Field == "asOf" {
		c := *se
		c.Field = field
		c.Message = strings.Replace(c.Message, "asOf", field, 1)
		return &c
	}
	return err
}

// diffSideAsOf returns, for a field under Query.diff, the recorded instant
// of the side its record was read on, so that a relation's ends are read
// from the same snapshot as the relation: ended and left come from the
// asOfFrom side, everything else from the asOfTo side. ok is false when fc
// is not the diff field. child is the field directly below fc (nil
// for none).
func diffSideAsOf(fc, child *graphql.FieldContext) (time.Time, bool) {
	if fc.Field.Field == nil || fc.Field.Name != "diff" || fc.Object != "Query" {
		return time.Time{}, false
	}
	arg := "asOfTo"
	if child != nil && (child.Field.Name == "ended" || child.Field.Name == "left") {
		arg = "asOfFrom"
	}
	t, _ := fc.Args[arg].(*time.Time)
	return asOfTime(t), true
}
