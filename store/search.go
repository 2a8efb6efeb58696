package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ties-graph/ties/store/kv"
)

// This file answers text search: Search and SearchWhere rank the entities
// whose names, labels, aliases, descriptions or source excerpts match a
// query (whole, prefix, or within one edit), read from the name and text
// indexes, and say which field matched with a snippet of it. What an
// entity is filed under in those indexes is terms.go's.

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
	// search checks this too (an unknown id's suggestions call it
	// directly); here it spares an empty query a snapshot.
	if cutTerm(fold(text)) == "" {
		return nil, nil
	}
	return Read(ctx, s, ro, func(r *Reader) ([]SearchHit, error) {
		return r.search(text, types, limit)
	})
}

// search is Search in the reader's snapshot.
func (r *Reader) search(text string, types []string, limit int) ([]SearchHit, error) {
	ctx, tx, sch := r.ctx, r.tx, r.sch
	q := cutTerm(fold(text))
	if q == "" {
		return nil, nil
	}
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
	for _, c := range list {
		e, err := r.liveEntity(c.n, "name index")
		if err != nil {
			return nil, fmt.Errorf("search %q: %w", text, err)
		}
		field, snippet := matchedField(e, qtoks, c.typo)
		out = append(out, SearchHit{Entity: e, Score: searchScores[c.rank], Matched: field, Snippet: snippet, Typo: c.typo})
	}
	return out, nil
}

// How one query token matched a candidate, best first. A candidate's
// rank is 2 plus the worst of its tokens' matches, so every query token
// must match somewhere: names before text (descriptions, excerpts), and
// anything exact before any typo.
const (
	matchNameWhole uint8 = iota
	matchNamePrefix
	matchTextWhole
	matchTextPrefix
	matchNameTypo
	matchTextTypo
	matchNone
)

// searchScores are the scores of ranks 0 (a whole name) to 7 (a typo in
// the text).
var searchScores = [...]float64{scoreExact, scorePrefix, scoreTokens, scoreTokenPrefix, 0.3, 0.25, 0.2, 0.15}

// minTypoRunes is the shortest query word in which a typo is tolerated:
// in shorter words one edit reaches too many other words.
const minTypoRunes = 5

// typoNextCap bounds the distinct characters tried at one position of a
// word when looking for its one-typo neighbours (a Han-script index has
// thousands of first characters; a Latin one a few dozen).
const typoNextCap = 100

// termScan visits the index entries of every term of index p that starts
// with term (or is exactly term), up to searchScanCap of them.
type termScan func(p byte, term string, exactOnly bool, fn func(exact bool, n NodeID, nv nameValue, ext []byte)) error

// tokenMatches finds the entities whose names or text hold every token
// of toks, whole or as a prefix, or, when fewer than limit are found so
// far, with one typo in tokens of minTypoRunes or more. Entities in skip
// (found by their whole name) are left out. It returns the complete
// candidates with their rank set.
func tokenMatches(it kv.Iterator, scan termScan, toks []string, skip map[NodeID]*searchCand, limit int) ([]*searchCand, error) {
	tc := map[NodeID]*searchCand{}
	note := func(i int, q uint8) func(bool, NodeID, nameValue, []byte) {
		return func(exact bool, n NodeID, nv nameValue, ext []byte) {
			if _, ok := skip[n]; ok {
				return
			}
			c, ok := tc[n]
			if !ok {
				nv.ext = string(ext)
				c = &searchCand{n: n, nv: nv, match: make([]uint8, len(toks))}
				for j := range c.match {
					c.match[j] = matchNone
				}
				tc[n] = c
			}
			m := q
			if !exact {
				m++ // the prefix variant of q
			}
			c.match[i] = min(c.match[i], m)
		}
	}
	for i, tok := range toks {
		if err := scan(pNameTok, tok, false, note(i, matchNameWhole)); err != nil {
			return nil, err
		}
		if err := scan(pTextTok, tok, false, note(i, matchTextWhole)); err != nil {
			return nil, err
		}
	}
	if complete(tc) < limit {
		for i, tok := range toks {
			if utf8.RuneCountInString(tok) < minTypoRunes {
				continue
			}
			for _, idx := range []struct {
				p byte
				q uint8
			}{{pNameTok, matchNameTypo}, {pTextTok, matchTextTypo}} {
				terms, err := typoTerms(it, idx.p, tok)
				if err != nil {
					return nil, err
				}
				for _, t := range terms {
					// A typo match is never a prefix one: exact entries only.
					if err := scan(idx.p, t, true, note(i, idx.q)); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	out := make([]*searchCand, 0, len(tc))
	for _, c := range tc {
		worst := uint8(0)
		for _, m := range c.match {
			worst = max(worst, m)
		}
		if worst == matchNone {
			continue
		}
		c.rank = 2 + int(worst)
		c.typo = worst >= matchNameTypo
		out = append(out, c)
	}
	return out, nil
}

// complete counts the candidates every query token matched.
func complete(tc map[NodeID]*searchCand) int {
	n := 0
	for _, c := range tc {
		if !bytes.Contains(c.match, []byte{matchNone}) {
			n++
		}
	}
	return n
}

// typoTerms returns the terms of index p at edit distance exactly one
// from w (a deletion, an insertion, a substitution, or a transposition of
// two neighbouring characters). Rather than trying every character of
// Unicode at every position, it asks the index which characters follow
// each prefix of w (one seek per distinct character, past all of that
// character's terms), so its cost grows with the length of w and the
// variety of the vocabulary at each prefix, not with the number of
// entities: on a sorted term index this is the walk a Levenshtein
// automaton would make, for one edit.
func typoTerms(it kv.Iterator, p byte, w string) ([]string, error) {
	rs := []rune(w)
	seen := map[string]bool{w: true}
	var out []string
	try := func(cand string) {
		if seen[cand] || cand == "" {
			return
		}
		seen[cand] = true
		prefix := nameExactPrefix(p, cand)
		it.Seek(prefix)
		if it.Valid() && bytes.HasPrefix(it.Key(), prefix) {
			out = append(out, cand)
		}
	}
	for k := 0; k <= len(rs); k++ {
		head := string(rs[:k])
		if k < len(rs) {
			try(head + string(rs[k+1:])) // deletion
		}
		if k+1 < len(rs) && rs[k] != rs[k+1] {
			try(head + string(rs[k+1]) + string(rs[k]) + string(rs[k+2:])) // transposition
		}
		next, err := nextRunes(it, p, head)
		if err != nil {
			return nil, err
		}
		for _, c := range next {
			if k < len(rs) && c != rs[k] {
				try(head + string(c) + string(rs[k+1:])) // substitution
			}
			try(head + string(c) + string(rs[k:])) // insertion
		}
	}
	return out, nil
}

// nextRunes returns the distinct characters that follow prefix in the
// terms of index p, in order, at most typoNextCap of them.
func nextRunes(it kv.Iterator, p byte, prefix string) ([]rune, error) {
	base := namePrefix(p, prefix)
	var out []rune
	it.Seek(base)
	for it.Valid() && len(out) < typoNextCap {
		k := it.Key()
		if !bytes.HasPrefix(k, base) {
			break
		}
		rest := k[len(base):]
		if len(rest) == 0 || rest[0] == 0 {
			// The term is prefix itself: go past its entries.
			it.Seek(append(bytes.Clone(base), 1))
			continue
		}
		r, size := utf8.DecodeRune(rest)
		out = append(out, r)
		end := kv.PrefixEnd(k[:len(base)+size])
		if end == nil {
			break
		}
		it.Seek(end)
	}
	return out, nil
}

// withinOneEdit reports whether a and b differ by at most one deletion,
// insertion, substitution or transposition of neighbouring characters.
func withinOneEdit(a, b []rune) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if i == len(a) {
		return true // equal, or b has one more at the end
	}
	if len(a) == len(b) {
		if string(a[i+1:]) == string(b[i+1:]) {
			return true // substitution
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && string(a[i+2:]) == string(b[i+2:])
	}
	return string(a[i:]) == string(b[i+1:]) // insertion into a
}

// SearchField names the field of an entity a search matched.
type SearchField string

// The fields search looks in, in the order a tie between them goes.
const (
	MatchName        SearchField = "NAME"
	MatchLabel       SearchField = "LABEL"
	MatchAlias       SearchField = "ALIAS"
	MatchDescription SearchField = "DESCRIPTION"
	MatchExcerpt     SearchField = "EXCERPT"
)

// Snippet marks: a matching word is put between them. Marks already in
// the text are turned into plain quotes, so that the marks are never
// ambiguous.
const (
	markOpen  = "«"
	markClose = "»"
)

// snippetWords is how many words of a long text a snippet keeps, and
// snippetLead how many of them come before the first match.
const (
	snippetWords = 24
	snippetLead  = 6
)

// matchedField finds the field of e that holds the most query tokens
// qtoks (ties to the earlier field in SearchField order), and returns it
// with a snippet: the whole value for a name, label or alias, and a
// window of about snippetWords words around the first match for a
// description or excerpt, "…" where it is cut. A word matches a token when
// it folds to it, starts with it, or (with typo) is within one edit of a
// token of minTypoRunes or more.
func matchedField(e *Entity, qtoks []string, typo bool) (SearchField, string) {
	best, bestN := MatchName, -1
	bestText := e.Name
	consider := func(f SearchField, text string) {
		if n := matchCount(text, qtoks, typo); n > bestN {
			best, bestN, bestText = f, n, text
		}
	}
	consider(MatchName, e.Name)
	for _, l := range e.Labels {
		consider(MatchLabel, l.Value)
	}
	for _, a := range e.Aliases {
		consider(MatchAlias, a)
	}
	consider(MatchDescription, e.Description)
	for _, s := range e.Sources {
		consider(MatchExcerpt, s.Excerpt)
	}
	long := best == MatchDescription || best == MatchExcerpt
	return best, snippet(bestText, qtoks, typo, long)
}

// word is one word of a text: its byte span and whether it matches.
type word struct {
	start, end int
	match      bool
}

// words splits text into words (runs of letters, digits and marks, as
// tokens does) and marks those that match a query token.
func words(text string, qtoks []string, typo bool) []word {
	var ws []word
	start := -1
	for i, r := range text {
		in := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			ws = append(ws, word{start: start, end: i})
			start = -1
		}
	}
	if start >= 0 {
		ws = append(ws, word{start: start, end: len(text)})
	}
	for i := range ws {
		ws[i].match = wordMatches(fold(text[ws[i].start:ws[i].end]), qtoks, typo) >= 0
	}
	return ws
}

// wordMatches returns the index of the first query token that folded
// word w matches, or -1.
func wordMatches(w string, qtoks []string, typo bool) int {
	for i, q := range qtoks {
		if strings.HasPrefix(w, q) || strings.Contains(w, q) && !isASCIIFolded(q) {
			// Contains: a CJK run inside a longer word is a token too.
			return i
		}
		if typo && utf8.RuneCountInString(q) >= minTypoRunes && withinOneEdit([]rune(w), []rune(q)) {
			return i
		}
	}
	return -1
}

// matchCount counts the distinct query tokens that words of text match.
func matchCount(text string, qtoks []string, typo bool) int {
	if text == "" {
		return -1
	}
	hit := make([]bool, len(qtoks))
	n := 0
	for _, w := range words(text, nil, false) {
		fw := fold(text[w.start:w.end])
		for i, q := range qtoks {
			if !hit[i] && wordMatches(fw, []string{q}, typo) == 0 {
				hit[i] = true
				n++
			}
		}
	}
	return n
}

// snippet marks the matching words of text; when long, it keeps a window
// of words around the first match.
func snippet(text string, qtoks []string, typo, long bool) string {
	ws := words(text, qtoks, typo)
	from, to := 0, len(ws)
	if long && len(ws) > snippetWords {
		first := 0
		for i, w := range ws {
			if w.match {
				first = i
				break
			}
		}
		from = max(0, first-snippetLead)
		to = min(len(ws), from+snippetWords)
		from = max(0, to-snippetWords)
	}
	plain := strings.NewReplacer(markOpen, `"`, markClose, `"`)
	var b strings.Builder
	pos := 0
	if from > 0 {
		b.WriteString("…")
		pos = ws[from].start
	}
	end := len(text)
	if to < len(ws) {
		end = ws[to-1].end
	}
	for _, w := range ws[from:to] {
		if !w.match {
			continue
		}
		b.WriteString(plain.Replace(text[pos:w.start]))
		b.WriteString(markOpen)
		b.WriteString(plain.Replace(text[w.start:w.end]))
		b.WriteString(markClose)
		pos = w.end
	}
	b.WriteString(plain.Replace(text[pos:end]))
	if end < len(text) {
		b.WriteString("…")
	}
	return strings.TrimSpace(b.String())
}

// SearchWhere is Search keeping only the hits for which every filter of
// where holds. The filters are checked on the ranked candidates of the
// name index (at most searchScanCap per term), so a filter that keeps few
// of many name matches may miss some, as a rare type filter may.
// Errors: those of Search, and Invalid for an ill-typed filter.
func (s *Store) SearchWhere(ctx context.Context, text string, types []string, filters []PropertyFilter, n *int, ro ReadOptions) ([]SearchHit, error) {
	if len(filters) == 0 {
		return s.Search(ctx, text, types, n, ro)
	}
	limit, err := SizeOr(n, DefaultSearchLimit, "first")
	if err != nil {
		return nil, err
	}
	var w where
	var sch *schema
	err = s.View(ctx, ro, func(r *Reader) error {
		sch = r.sch
		w, err = compileWhere(r.sch, filters, true, "where")
		return err
	})
	if err != nil {
		return nil, err
	}
	all := searchScanCap
	hits, err := s.Search(ctx, text, types, &all, ro)
	if err != nil {
		return nil, err
	}
	out := hits[:0]
	for _, h := range hits {
		t, ok := sch.entityType(h.Entity.Type)
		if ok && w.matches(entityRecord(h.Entity, t)) {
			out = append(out, h)
		}
		if len(out) == limit {
			break
		}
	}
	return slices.Clip(out), nil
}
