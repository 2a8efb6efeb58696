package store

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/ties-graph/ties/store/kv"
)

// This file holds facets: counts of entities or relations by the values
// of their properties, from the property indexes where they answer.

// Facet is a number of entities or relations that share one value of a
// field: Count of them have Value under Key.
type Facet struct {
	Key   string
	Value Value
	Count int
}

// FacetQuery says what to count: the entities (or relations) of Types
// (subtypes included; all when empty) for which Where holds, grouped by
// each key of By in turn.
//
// A key of By is "type" (an entity's own type, not its parents), "validFrom"
// or "validTo" (the year, a number), or a property (each distinct value; a
// list counts under each of its elements, and records without the
// property are not counted).
type FacetQuery struct {
	Types []string
	Where []PropertyFilter
	By    []string
}

// EntityFacets counts entities by q (see FacetQuery): the facets of each
// key of q.By, in that order, most frequent value first, ties in value
// order. Errors: Invalid for no By, an unknown type or a bad filter.
func (s *Store) EntityFacets(ctx context.Context, q FacetQuery, ro ReadOptions) ([]Facet, error) {
	return facets(ctx, s, q, ro, true, func(r *Reader, set map[TypeID]bool, w where, fc *facetCounter) error {
		return r.eachEntityMatch(set, w, func(_ NodeID, t TypeID, e *Entity) error {
			fc.add(r.sch, entityRecord(e, t))
			return nil
		})
	})
}

// RelationFacets counts relations as EntityFacets counts entities, over
// the relation types of q.Types (all when empty).
func (s *Store) RelationFacets(ctx context.Context, q FacetQuery, ro ReadOptions) ([]Facet, error) {
	return facets(ctx, s, q, ro, false, func(r *Reader, set map[TypeID]bool, w where, fc *facetCounter) error {
		return r.eachRelationMatch(set, nil, w, func(_ RelID, t TypeID, rel *Relation) error {
			fc.add(r.sch, relationRecord(rel, t))
			return nil
		})
	})
}

// facets counts the entities (or relations) of q: from the property
// indexes where they answer, else with scan, which hands every match of
// the types of set and w to fc.
func facets(ctx context.Context, s *Store, q FacetQuery, ro ReadOptions, entities bool, scan func(r *Reader, set map[TypeID]bool, w where, fc *facetCounter) error) ([]Facet, error) {
	return Read(ctx, s, ro, func(r *Reader) ([]Facet, error) {
		typeSet, typesOf := r.sch.relationTypeSet, r.sch.relationTypesOf
		if entities {
			typeSet, typesOf = r.sch.entityTypeSet, r.sch.entityTypesOf
		}
		set, err := typeSet(q.Types, "types")
		if err != nil {
			return nil, err
		}
		w, err := compileWhere(r.sch, q.Where, entities, "where")
		if err != nil {
			return nil, err
		}
		fc, err := newFacetCounter(q.By)
		if err != nil {
			return nil, err
		}
		rest, err := r.countFromIndexes(fc, typesOf(set), w)
		if err != nil || !rest {
			return fc.facets(), err
		}
		if err := scan(r, set, w, fc); err != nil {
			return nil, err
		}
		return fc.facets(), nil
	})
}

// facetCounter counts the values of each key.
type facetCounter struct {
	by     []string
	done   []bool                   // per key of by: counted from a property index
	counts []map[string]*facetCount // per key of by, by ordered value encoding
}

type facetCount struct {
	v Value
	n int
}

func newFacetCounter(by []string) (*facetCounter, error) {
	if len(by) == 0 {
		return nil, FieldError("", "by", "give at least one key to count by")
	}
	fc := &facetCounter{by: by}
	for i, k := range by {
		if k == "" {
			return nil, FieldError("", "by", "by[%d] is empty", i)
		}
		fc.counts = append(fc.counts, map[string]*facetCount{})
	}
	fc.done = make([]bool, len(by))
	return fc, nil
}

func (fc *facetCounter) inc(i int, v Value) {
	k := string(facetValueKey(v))
	c := fc.counts[i][k]
	if c == nil {
		c = &facetCount{v: v}
		fc.counts[i][k] = c
	}
	c.n++
}

// facetValueKey groups values: exactly equal ones, text not folded (a
// facet shows a value as it was written).
func facetValueKey(v Value) []byte {
	if v.Kind == KindText {
		return appendOrderedString([]byte{rankText}, v.Text)
	}
	return appendOrderedValue(nil, v)
}

func (fc *facetCounter) add(sch *schema, rec record) {
	for i, k := range fc.by {
		if fc.done[i] {
			continue
		}
		switch k {
		case "type":
			fc.inc(i, Text(sch.name(rec.typ)))
			continue
		case "validFrom", "validTo":
			d := rec.validFrom
			if k == "validTo" {
				d = rec.validTo
			}
			if !d.IsZero() {
				fc.inc(i, Number(float64(d.Year())))
			}
			continue
		}
		v, ok := rec.props[k]
		switch {
		case !ok || v.Kind == KindNull:
		case v.Kind == KindList:
			seen := map[string]bool{}
			for _, e := range v.List {
				if key := string(facetValueKey(e)); e.Kind != KindNull && !seen[key] {
					seen[key] = true
					fc.inc(i, e)
				}
			}
		default:
			fc.inc(i, v)
		}
	}
}

// facets returns the counts, per key in order, most frequent first, ties
// in value order.
func (fc *facetCounter) facets() []Facet {
	var out []Facet
	for i, k := range fc.by {
		type kc struct {
			key []byte
			c   *facetCount
		}
		var list []kc
		for key, c := range fc.counts[i] {
			list = append(list, kc{[]byte(key), c})
		}
		slices.SortFunc(list, func(a, b kc) int {
			if a.c.n != b.c.n {
				return b.c.n - a.c.n
			}
			return bytes.Compare(a.key, b.key)
		})
		for _, e := range list {
			out = append(out, Facet{Key: k, Value: e.c.v, Count: e.c.n})
		}
	}
	return out
}

// String formats a facet for logs and test failures.
func (f Facet) String() string { return fmt.Sprintf("%s=%v:%d", f.Key, f.Value.Any(), f.Count) }

// countFromIndexes counts, for every property of fc that each of types
// indexes, the entries of those indexes, without reading a body: the
// index holds each distinct value of a record once, as written. It does
// so only when there is no filter (w empty), since the entries do not say
// which records pass one. scan reports whether some key is left for a
// scan of the records.
func (r *Reader) countFromIndexes(fc *facetCounter, types []TypeID, w where) (scan bool, err error) {
	if len(w) > 0 || len(types) == 0 {
		return true, nil
	}
	for i, k := range fc.by {
		if k == "type" || k == "validFrom" || k == "validTo" || !r.allIndex(types, k) {
			scan = true
			continue
		}
		raw := map[string]int{}
		// A facet has few distinct values: count runs of equal ones
		// without a map lookup, which would copy each value.
		var last []byte
		run := 0
		flush := func() {
			if run > 0 {
				raw[string(last)] += run
			}
		}
		for _, t := range types {
			it := r.tx.Iterate(kv.IterOptions{Prefix: propIdxPrefix(t, k), KeysOnly: true})
			for it.Rewind(); it.Valid(); it.Next() {
				v, err := it.Value()
				if err != nil {
					it.Close()
					return false, fmt.Errorf("read property index: %w", err)
				}
				if len(v) < 9 {
					it.Close()
					return false, fmt.Errorf("bad property index value %x", v)
				}
				if run > 0 && bytes.Equal(v[8:], last) {
					run++
					continue
				}
				flush()
				last, run = append(last[:0], v[8:]...), 1
			}
			it.Close()
		}
		flush()
		for b, n := range raw {
			var v Value
			if err := v.UnmarshalJSON([]byte(b)); err != nil {
				return false, fmt.Errorf("property index value %q: %w", b, err)
			}
			key := string(facetValueKey(v))
			c := fc.counts[i][key]
			if c == nil {
				c = &facetCount{v: v}
				fc.counts[i][key] = c
			}
			c.n += n
		}
		fc.done[i] = true
	}
	return scan, nil
}

// allIndex reports whether every type of types that has records indexes
// key (a subtype that nobody uses need not).
func (r *Reader) allIndex(types []TypeID, key string) bool {
	for _, t := range types {
		if slices.Contains(r.sch.indexed(t), key) {
			continue
		}
		if n, err := readCounter(r.tx, typeCountKey(t)); err != nil || n > 0 {
			return false
		}
	}
	return true
}
