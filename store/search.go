package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/ties-graph/ties/store/kv"
)

// Search scores, one per rank: a whole name (or label or alias) equal to
// the query; a name that starts with it; every query token equal to a
// token of a name; every query token the start of one.
const (
	scoreExact       = 1.0
	scorePrefix      = 0.8
	scoreTokens      = 0.6
	scoreTokenPrefix = 0.4
)

// searchScanCap bounds the index entries one search reads per scanned term,
// so that a one-letter query over millions of entities stays fast. Past
// it, ranking among the hits of the same rank (shorter names first) is
// over what was read, and a rare type filter may miss hits.
const searchScanCap = 5_000

type searchCand struct {
	n     NodeID
	rank  int // 0 best
	nv    nameValue
	match []uint8 // per query token: how it matched (matchNameWhole...)
	typo  bool    // some query token matched only with a typo
}

// Search finds entities by name, label or alias, and by the words of
// their descriptions and source excerpts, folding case, accents and width
// (see fold): exact whole names rank first, then name prefixes, then
// entities whose names hold every query token whole, then as prefixes,
// then those whose text (or names and text together) hold them, whole
// then as prefixes, then matches with one typo in a token of five
// characters or more (names before text); ties go to the shorter name,
// then the smaller id. Each hit says which field matched, with a snippet
// (matchedField). Types filter by entity type, subtypes included. A query
// that folds to nothing finds nothing. Errors: Invalid for an unknown type
// or a negative limit.
func (s *Store) Search(ctx context.Context, text string, types []string, n *int, ro ReadOptions) ([]SearchHit, error) {
	limit, err := SizeOr(n, DefaultSearchLimit, "limit")
	if err != nil {
		return nil, err
	}
	q := cutTerm(fold(text))
	if q == "" {
		return nil, nil
	}
	tx, sch, err := s.snapshot(ctx, ro)
	if err != nil {
		return nil, err
	}
	defer tx.Discard()
	set, err := sch.entityTypeSet(types, "types")
	if err != nil {
		return nil, err
	}
	it := tx.Iterate(kv.IterOptions{KeysOnly: true})
	defer it.Close()

	cands := map[NodeID]*searchCand{}
	// scan visits the index entries of every term that starts with term
	// (with exactOnly, of term itself), telling fn whether the term is
	// exactly term. It parses entries without allocating; fn gets the
	// external id as bytes valid only during the call, and copies it for
	// the candidates it keeps.
	scan := func(p byte, term string, exactOnly bool, fn func(exact bool, n NodeID, nv nameValue, ext []byte)) error {
		prefix, within := namePrefix(p, term), namePrefix(p, term)
		if exactOnly {
			within = nameExactPrefix(p, term)
		}
		read := 0
		for it.Seek(within); it.Valid() && read < searchScanCap; it.Next() {
			k := it.Key()
			if !bytes.HasPrefix(k, within) {
				break
			}
			read++
			if len(k) < len(prefix)+9 || k[len(k)-9] != 0 {
				return fmt.Errorf("bad name key %x", k)
			}
			exact := len(k) == len(prefix)+9
			n := NodeID(binary.BigEndian.Uint64(k[len(k)-8:]))
			v, err := it.Value()
			if err != nil {
				return fmt.Errorf("read name index: %w", err)
			}
			if len(v) < 9 {
				return fmt.Errorf("bad name value %x", v)
			}
			nv := nameValue{typ: TypeID(binary.BigEndian.Uint32(v)), nameLen: binary.BigEndian.Uint32(v[4:])}
			if set != nil && !set[nv.typ] {
				continue
			}
			fn(exact, n, nv, v[8:])
		}
		return ctx.Err()
	}
	hits := 0
	err = scan(pNameFull, q, false, func(exact bool, n NodeID, nv nameValue, ext []byte) {
		rank := 1
		if exact {
			rank = 0
		}
		if c, ok := cands[n]; ok {
			c.rank = min(c.rank, rank)
			return
		}
		nv.ext = string(ext)
		cands[n] = &searchCand{n: n, rank: rank, nv: nv}
		hits++
	})
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", text, err)
	}
	if hits < limit {
		// Names, then the words of descriptions and excerpts, then typos.
		more, err := tokenMatches(it, scan, tokens(q), cands, limit-hits)
		if err != nil {
			return nil, fmt.Errorf("search %q: %w", text, err)
		}
		for _, c := range more {
			cands[c.n] = c
		}
	}
	list := make([]*searchCand, 0, len(cands))
	for _, c := range cands {
		list = append(list, c)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		if a.nv.nameLen != b.nv.nameLen {
			return a.nv.nameLen < b.nv.nameLen
		}
		return a.nv.ext < b.nv.ext
	})
	if len(list) > limit {
		list = list[:limit]
	}
	out := make([]SearchHit, 0, len(list))
	qtoks := tokens(q)
	r := s.reader(ctx, tx, sch)
	for _, c := range list {
		e, err := r.entity(c.n)
		if err != nil {
			return nil, err
		}
		if e == nil {
			return nil, fmt.Errorf("search %q: name index names node %d, which has no body", text, c.n)
		}
		field, snippet := matchedField(e, qtoks, c.typo)
		out = append(out, SearchHit{Entity: e, Score: searchScores[c.rank], Matched: field, Snippet: snippet, Typo: c.typo})
	}
	return out, nil
}
