package store

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/ties-graph/ties/store/kv"
)

// PropertyKindsQuery asks which kinds of values a property holds: on
// the entities of Types (subtypes included; every entity type when
// empty), or with Relations on the relations of Types.
type PropertyKindsQuery struct {
	Relations bool
	Types     []string
	Key       string
}

// PropertyKinds is the answer to a PropertyKindsQuery.
type PropertyKinds struct {
	// Kinds are the kinds of the values found, the elements of a list by
	// their own kinds, in Kind order; nulls are left out.
	Kinds []Kind
	// Read counts the records read; Complete is false when the read
	// stopped at propertyKindsBudget records before the last, so that a
	// kind may be missing from Kinds.
	Read     int
	Complete bool
}

// propertyKindsBudget bounds the records PropertyKinds reads in a scan:
// it serves advice on an empty answer (graph's filter warnings), which
// must not cost much more than the query that came back empty.
const propertyKindsBudget = 100_000

// PropertyKinds returns the kinds of values q.Key holds. A type that
// indexes the key answers from its index, a few seeks, whatever its size;
// others are scanned, up to propertyKindsBudget records in all. Built-in
// fields (name, type, validFrom, validTo) are not properties: they hold
// no kinds here. Errors: Invalid for an unknown type.
func (s *Store) PropertyKinds(ctx context.Context, q PropertyKindsQuery, ro ReadOptions) (PropertyKinds, error) {
	out := PropertyKinds{Complete: true}
	err := s.View(ctx, ro, func(r *Reader) error {
		var set map[TypeID]bool
		var err error
		var types []TypeID
		if q.Relations {
			if set, err = r.sch.relationTypeSet(q.Types, "types"); err != nil {
				return err
			}
			types = r.sch.relationTypesOf(set)
		} else {
			if set, err = r.sch.entityTypeSet(q.Types, "types"); err != nil {
				return err
			}
			types = r.sch.entityTypesOf(set)
		}
		var seen [KindList + 1]bool
		note := func(v Value) {
			if v.Kind == KindList {
				for _, e := range v.List {
					if e.Kind < KindList {
						seen[e.Kind] = true
					}
				}
			} else {
				seen[v.Kind] = true
			}
		}
		for _, t := range types {
			if err := r.ctx.Err(); err != nil {
				return err
			}
			if slices.Contains(r.sch.indexed(t), q.Key) {
				if err := r.indexedKinds(t, q.Key, &seen); err != nil {
					return err
				}
				continue
			}
			var ids []uint64
			err := eachTyped(r.tx, t, func(id uint64) error {
				if out.Read >= propertyKindsBudget {
					out.Complete = false
					return errBudgetSpent
				}
				out.Read++
				ids = append(ids, id)
				return nil
			})
			spent := errors.Is(err, errBudgetSpent)
			if err != nil && !spent {
				return err
			}
			if q.Relations {
				err = scannedKinds(r, &relationDecoding, ids, q.Key, note)
			} else {
				err = scannedKinds(r, &entityDecoding, ids, q.Key, note)
			}
			if err != nil {
				return err
			}
			if spent {
				break
			}
		}
		seen[KindNull], seen[KindList] = false, false
		for k, ok := range seen {
			if ok {
				out.Kinds = append(out.Kinds, Kind(k))
			}
		}
		return nil
	})
	return out, err
}

// propertyKindsBatch is how many records PropertyKinds decodes at once.
const propertyKindsBatch = 1024

// scannedKinds calls note with the value of key on every record of ids
// that holds it. The type index lists ids in external id order, bodies
// are keyed by internal id: sorted, the bodies are read in key order, by
// one forward walk instead of a point read each, in batches through
// wholeRecords, which decodes each body once for the read cache too.
func scannedKinds[T wholeRecord](r *Reader, k *bodyKind[T], ids []uint64, key string, note func(Value)) error {
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	j := newForwardJoin(r.tx, k.prefix)
	defer j.close()
	read := walkedBodies(r, k, j)
	for lo := 0; lo < len(ids); lo += propertyKindsBatch {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		batch := ids[lo:min(lo+propertyKindsBatch, len(ids))]
		recs, err := wholeRecordsRead(r, k, batch, read)
		if err != nil {
			return err
		}
		for i, rec := range recs {
			if rec == nil {
				return fmt.Errorf("index names %s %d, which has no body", k.what(), batch[i])
			}
			if v, ok := (*k.props(rec))[key]; ok {
				note(v)
			}
		}
	}
	return nil
}

// errBudgetSpent stops PropertyKinds' scan.
var errBudgetSpent = errors.New("the budget of records to read is spent")

// indexedKinds marks in seen the kinds of the index of key on t: the
// index orders its entries by kind first, so one seek per kind tells
// whether any value is of it.
func (r *Reader) indexedKinds(t TypeID, key string, seen *[KindList + 1]bool) error {
	prefix := propIdxPrefix(t, key)
	it := r.tx.Iterate(kv.IterOptions{Prefix: prefix, KeysOnly: true})
	defer it.Close()
	for _, k := range []Kind{KindNumber, KindDate, KindText, KindBool, KindGeo} {
		rank := appendOrderedValue(nil, Value{Kind: k})
		if len(rank) == 0 {
			continue
		}
		at := append(slices.Clone(prefix), rank[0])
		it.Seek(at)
		if it.Valid() && len(it.Key()) > len(at)-1 && it.Key()[len(at)-1] == rank[0] {
			seen[k] = true
		}
	}
	return nil
}
