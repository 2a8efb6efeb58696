package store

import "fmt"

// wholeRecords is Entities (or Relations) for an answer that hands out
// many whole records at once (Store.Neighborhood): it copies each from
// the decoded form the read cache keeps beside its body
// (cachedecoded.go), decoding and keeping the ones it lacks, and
// allocates the answer's records in one slice; nil stands for a missing
// one. The records it returns share their Properties and lists (Labels,
// Aliases, Sources) with the cache and every other answer; the structs
// themselves are the caller's.
func wholeRecords[T wholeRecord, ID ~uint64](r *Reader, k *bodyKind[T], ids []ID) ([]*T, error) {
	out := make([]*T, len(ids))
	slab := make([]T, len(ids))
	dec := make([]*decoded[T], len(ids))
	bodies := make([]string, len(ids))
	cachedDecoded(r.cache, k, ids, r.ts, dec, bodies)
	keep := r.cache != nil && r.cache.max > 0
	fresh := false
	for i, id := range ids {
		d := dec[i]
		if d != nil {
			bodies[i] = "" // nothing to attach
		} else {
			body := bodies[i]
			if body == "" {
				var ok bool
				var err error
				if body, ok, err = r.body(k.cache, k.prefix, uint64(id)); err != nil {
					return nil, err
				}
				if !ok {
					continue
				}
				bodies[i] = body
			}
			if !keep {
				t, err := k.decode(body, &slab[i])
				if err != nil {
					return nil, fmt.Errorf("read %s %d: %w", k.what(), id, err)
				}
				k.named(&slab[i], r.sch.name(t))
				out[i] = &slab[i]
				continue
			}
			d = &decoded[T]{}
			t, err := k.decode(body, &d.v)
			if err != nil {
				return nil, fmt.Errorf("read %s %d: %w", k.what(), id, err)
			}
			d.typ = t
			dec[i] = d
			fresh = true
		}
		slab[i] = d.v
		k.named(&slab[i], r.sch.name(d.typ))
		out[i] = &slab[i]
	}
	if fresh {
		attachDecoded(r.cache, k, ids, bodies, dec)
	}
	return out, nil
}

// what names the kind in messages: entity or relation.
func (k *bodyKind[T]) what() string {
	if k.cache == cacheRelation {
		return "relation"
	}
	return "entity"
}
