package store

import "fmt"

// wholeEntities is Entities for an answer that hands out many whole
// entities at once (Store.Neighborhood): it copies each from the decoded
// form the read cache keeps beside its body (cachedecoded.go), decoding
// and keeping the ones it lacks, and allocates the answer's entities in
// one slice. The entities it returns share their Properties, Labels,
// Aliases and Sources with the cache and every other answer; the Entity
// structs themselves are the caller's.
func (r *Reader) wholeEntities(ids []NodeID) ([]*Entity, error) {
	out := make([]*Entity, len(ids))
	slab := make([]Entity, len(ids))
	dec := make([]*decodedEntity, len(ids))
	bodies := make([]string, len(ids))
	r.cache.decodedEntities(ids, r.ts, dec, bodies)
	keep := r.cache != nil && r.cache.max > 0
	fresh := false
	for i, n := range ids {
		d := dec[i]
		if d != nil {
			bodies[i] = "" // nothing to attach
		} else {
			body := bodies[i]
			if body == "" {
				var ok bool
				var err error
				if body, ok, err = r.body(cacheEntity, pEntity, uint64(n)); err != nil {
					return nil, err
				}
				if !ok {
					continue // missing: nil, as Entities answers
				}
				bodies[i] = body
			}
			if !keep {
				t, err := decodeEntityInto(body, &slab[i])
				if err != nil {
					return nil, fmt.Errorf("read entity %d: %w", n, err)
				}
				slab[i].Type = r.sch.name(t)
				out[i] = &slab[i]
				continue
			}
			d = &decodedEntity{}
			t, err := decodeEntityInto(body, &d.e)
			if err != nil {
				return nil, fmt.Errorf("read entity %d: %w", n, err)
			}
			d.typ = t
			dec[i] = d
			fresh = true
		}
		slab[i] = d.e
		slab[i].Type = r.sch.name(d.typ)
		out[i] = &slab[i]
	}
	if fresh {
		r.cache.attachDecoded(ids, bodies, dec)
	}
	return out, nil
}
