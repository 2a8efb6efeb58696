package store

import (
	"fmt"
	"strings"
)

// wholeRecords is Entities (or Relations) for an answer that hands out
// many whole records at once (Store.Neighborhood): it copies each from
// the decoded form the read cache keeps beside its body
// (cachedecoded.go), decoding and keeping the ones it lacks, and
// allocates the answer's records in one slice; nil stands for a missing
// one. The records it returns share their Properties and lists (Labels,
// Aliases, Sources) with the cache and every other answer (and Properties
// with every record whose properties are the same); the structs
// themselves are the caller's.
func wholeRecords[T wholeRecord, ID ~uint64](r *Reader, k *bodyKind[T], ids []ID) ([]*T, error) {
	return wholeRecordsRead(r, k, ids, func(id uint64) (string, bool, error) {
		return r.body(k.cache, k.prefix, id)
	})
}

// wholeRecordsRead is wholeRecords reading the bodies the cache lacks
// with read, in the order of ids: by point reads (Reader.body), or, for
// ascending ids, by a forward walk (walkedBodies).
func wholeRecordsRead[T wholeRecord, ID ~uint64](r *Reader, k *bodyKind[T], ids []ID, read func(id uint64) (string, bool, error)) ([]*T, error) {
	out := make([]*T, len(ids))
	slab := make([]T, len(ids))
	dec := make([]*decoded[T], len(ids))
	bodies := make([]string, len(ids))
	cachedDecoded(r.cache, k, ids, r.ts, dec, bodies)
	keep := r.cache != nil && r.cache.max > 0
	// raws are the properties' encodings of the records decoded here,
	// substrings of their bodies, for the maps the cache shares.
	var raws []string
	for i, id := range ids {
		if dec[i] != nil {
			bodies[i] = "" // nothing to attach
			continue
		}
		body := bodies[i]
		if body == "" {
			var ok bool
			var err error
			if body, ok, err = read(uint64(id)); err != nil {
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
		d := &decoded[T]{}
		t, raw, err := k.decodeLean(body, &d.v)
		if err != nil {
			return nil, fmt.Errorf("read %s %d: %w", k.what(), id, err)
		}
		d.typ = t
		dec[i] = d
		if raws == nil {
			raws = make([]string, len(ids))
		}
		raws[i] = raw
	}
	if raws != nil {
		shared := make([]*sharedProps, len(ids))
		room := r.cache.sharedMaps(raws, shared)
		for i, raw := range raws {
			if raw == "" {
				continue
			}
			if sp := shared[i]; sp != nil {
				*k.props(&dec[i].v) = sp.p
				dec[i].shared = sp
				continue
			}
			if !room {
				*k.props(&dec[i].v) = decodeProps(raw)
				continue
			}
			// A map of its own, its strings in a copy of the encoding
			// rather than the body, which the cache may offer to share.
			raws[i] = strings.Clone(raw)
			*k.props(&dec[i].v) = decodeProps(raws[i])
		}
		if !room {
			raws = nil // nothing to offer
		}
	}
	for i, d := range dec {
		if d == nil {
			continue
		}
		slab[i] = d.v
		k.named(&slab[i], r.sch.name(d.typ))
		out[i] = &slab[i]
	}
	if raws != nil {
		attachDecoded(r.cache, k, ids, bodies, dec, raws)
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

// walkedBodies reads bodies of kind k for ascending ids, as Reader.body
// does, keeping each in the read cache, but by one forward walk of j, an
// iterator over k's prefix, instead of a point read each.
func walkedBodies[T wholeRecord](r *Reader, k *bodyKind[T], j *forwardJoin) func(id uint64) (string, bool, error) {
	var kb [9]byte
	return func(id uint64) (string, bool, error) {
		v, err := j.get(appendIDKey(kb[:0], k.prefix, id))
		if err != nil || v == nil {
			return "", false, err
		}
		body := string(v)
		r.cache.putBody(cacheKey{k.cache, id}, r.ts, body)
		return body, true, nil
	}
}
