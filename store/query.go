package store

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"

	"github.com/ties-graph/ties/store/kv"
)

// This file holds what every list and lookup of entities and relations
// shares: reads of a batch of ids from one snapshot, cursors and page
// sizes, and, for the lists that filter by property (where) or sort by
// anything but their natural order, the machinery that finds every match
// (from a property index when one answers a filter, else by scanning the
// types), gives it its sort key (order.go) and keeps the page after the
// cursor.

// ranked is one match of a list with its sort key.
type ranked struct {
	key []byte
	id  uint64 // NodeID or RelID
	// edge, for the relations of an entity.
	edge Edge
	// e is the entity body already read, so a page does not read it twice.
	e *Entity
}

// pageOf sorts items and returns the first of them after after (the key of
// the last item of the previous page), at most first, with what the page
// says of its list: how many items it has in all, and whether more follow
// and come before.
func pageOf(items []ranked, first int, after []byte) (page []ranked, total int, hasNext, hasPrevious bool) {
	total, hasPrevious = len(items), after != nil
	slices.SortFunc(items, func(a, b ranked) int { return bytes.Compare(a.key, b.key) })
	if after != nil {
		i, _ := slices.BinarySearchFunc(items, after, func(a ranked, k []byte) int {
			if bytes.Compare(a.key, k) <= 0 {
				return -1
			}
			return 1
		})
		items = items[i:]
	}
	if len(items) > first {
		return items[:first], total, true, hasPrevious
	}
	return items, total, false, hasPrevious
}

// needs reports whether k orders by field f.
func (k *sortKey) needs(f OrderField) bool {
	for _, o := range k.orders {
		if o.By == f {
			return true
		}
	}
	return false
}

// entityTypesOf returns the entity types of set (all when nil).
func (sch *schema) entityTypesOf(set map[TypeID]bool) []TypeID {
	var out []TypeID
	for _, ti := range sch.types {
		if ti != nil && !ti.relation && (set == nil || set[ti.id]) {
			out = append(out, ti.id)
		}
	}
	return out
}

// relationTypesOf returns the relation types of set (all when nil).
func (sch *schema) relationTypesOf(set map[TypeID]bool) []TypeID {
	var out []TypeID
	for _, ti := range sch.types {
		if ti != nil && ti.relation && (set == nil || set[ti.id]) {
			out = append(out, ti.id)
		}
	}
	return out
}

// eachEntityMatch calls fn for every entity of the types of set (all when
// nil) for which w holds, reading candidates from a property index where
// one answers a condition of w (see propindex.go), else from the type
// index.
func (r *Reader) eachEntityMatch(set map[TypeID]bool, w where, fn func(n NodeID, t TypeID, e *Entity) error) error {
	for _, t := range r.sch.entityTypesOf(set) {
		err := r.eachCandidate(t, w, func(id uint64) error {
			e, err := r.liveEntity(NodeID(id), "index")
			if err != nil {
				return err
			}
			if !w.matches(entityRecord(e, t)) {
				return nil
			}
			return fn(NodeID(id), t, e)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// eachRelationMatch is eachEntityMatch for relations of the types of set,
// also keeping only those valid within valid.
func (r *Reader) eachRelationMatch(set map[TypeID]bool, valid *EdgeFilter, w where, fn func(id RelID, t TypeID, rel *Relation) error) error {
	for _, t := range r.sch.relationTypesOf(set) {
		err := r.eachCandidate(t, w, func(id uint64) error {
			rel, err := r.liveRelation(RelID(id), "index")
			if err != nil {
				return err
			}
			if (valid != nil && !valid.Holds(rel.ValidFrom, rel.ValidTo)) || !w.matches(relationRecord(rel, t)) {
				return nil
			}
			return fn(RelID(id), t, rel)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// liveEntity reads entity n, which an index entry or adjacency key (by)
// names, so that a missing body is an error rather than a nil entity.
func (r *Reader) liveEntity(n NodeID, by string) (*Entity, error) {
	e, err := r.entity(n)
	if err == nil && e == nil {
		err = fmt.Errorf("%s names node %d, which has no body", by, n)
	}
	return e, err
}

// liveRelation is liveEntity for relation id.
func (r *Reader) liveRelation(id RelID, by string) (*Relation, error) {
	rel, err := r.relation(id)
	if err == nil && rel == nil {
		err = fmt.Errorf("%s names relation %d, which has no body", by, id)
	}
	return rel, err
}

// eachTyped calls fn with the internal id of every entity or relation of
// type t, in external id order.
func eachTyped(tx kv.Txn, t TypeID, fn func(id uint64) error) error {
	it := tx.Iterate(kv.IterOptions{Prefix: typeIdxPrefix(t), KeysOnly: true})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		v, err := it.Value()
		if err != nil {
			return fmt.Errorf("read type index: %w", err)
		}
		id, err := parseUint64(v)
		if err != nil {
			return err
		}
		if err := fn(id); err != nil {
			return err
		}
	}
	return nil
}

// orderFor is the sort key of orders (nil without any), checked against
// the cursor after, which must come from a list in the same order.
func orderFor(orders []Order, entities bool, after []byte) (*sortKey, error) {
	if len(orders) == 0 {
		return nil, nil
	}
	sk, err := newSortKey(orders, entities)
	if err != nil {
		return nil, err
	}
	if err := sk.checkCursor(after); err != nil {
		return nil, err
	}
	return sk, nil
}

// findOne is a batch read of one id (find) that says NotFound, naming the
// kind, where the batch says nil.
func findOne[T any](id, kind string, find func([]string) ([]*T, error)) (*T, error) {
	out, err := find([]string{id})
	if err != nil {
		return nil, err
	}
	if out[0] == nil {
		return nil, &Error{Code: NotFound, Record: id, Message: fmt.Sprintf("no %s %q", kind, id)}
	}
	return out[0], nil
}

// findByIDs reads the record of each id with read (nil for none), all
// from one snapshot.
func findByIDs[T any](ctx context.Context, s *Store, ids []string, ro ReadOptions, read func(*Reader, string) (*T, error)) ([]*T, error) {
	tx, sch, err := s.snapshot(ctx, ro)
	if err != nil {
		return nil, err
	}
	r := s.reader(ctx, tx, sch)
	defer r.close()
	out := make([]*T, len(ids))
	for i, id := range ids {
		if out[i], err = read(r, id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func encodeCursor(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func decodeCursor(s string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, &Error{Code: Invalid, Field: "after", Message: fmt.Sprintf("invalid cursor %q", s)}
	}
	return b, nil
}

// pageArgs reads a page's size (first, DefaultPageSize when nil) and the
// cursor it continues after (nil when after is empty).
func pageArgs(first *int, after string) (int, []byte, error) {
	n, err := SizeOr(first, DefaultPageSize, "first")
	if err != nil {
		return 0, nil, err
	}
	if after == "" {
		return n, nil, nil
	}
	b, err := decodeCursor(after)
	if err != nil {
		return 0, nil, err
	}
	return n, b, nil
}

// errStop ends a scan early from inside its callback; it never leaves this
// package.
var errStop = errors.New("stop scan")
