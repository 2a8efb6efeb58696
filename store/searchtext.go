package store

import (
	"bytes"
	"unicode/utf8"

	"github.com/ties-graph/ties/store/kv"
)

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
