package store

import (
	"slices"
	"strings"
)

// A type name written the way the writer thought it was (SISTER_CITY for
// SISTER_CITY_OF, Cities for City, SisterCityOf, Organization for
// Organisation) was refused with only "unknown relation type", and the
// writer had to look the ontology up to learn what was meant. typeHint
// names the types it most likely misspells, as the ids' suggestions do.

// maxTypeHints is the most type names one hint names.
const maxTypeHints = 3

// maxHintedName is the longest name, in bytes, typeHint looks for near
// misses of: no type name is a paragraph long.
const maxHintedName = 200

// typeHint returns "; did you mean A?" (or "A, B or C?") naming the names
// that n most likely misspells, or "" when none is close. Names are
// compared in lower case without the separators '_', '-' and ' ', so a
// name in other case or style matches; besides those, a name matches that
// n is the singular of (Cities, City), that begins with n or that n
// begins with (four characters at least), or that is one edit away (two
// for names of more than six characters).
func typeHint(n string, names []string) string {
	if len(n) > maxHintedName {
		return ""
	}
	fn := foldTypeName(n)
	if fn == "" {
		return ""
	}
	type hint struct {
		name string
		rank int
	}
	var hints []hint
	for _, name := range names {
		if r, ok := typeNameRank(fn, foldTypeName(name)); ok {
			hints = append(hints, hint{name, r})
		}
	}
	if len(hints) == 0 {
		return ""
	}
	slices.SortFunc(hints, func(a, b hint) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		return strings.Compare(a.name, b.name)
	})
	named := make([]string, 0, maxTypeHints)
	for _, h := range hints[:min(len(hints), maxTypeHints)] {
		named = append(named, h.name)
	}
	if len(named) == 1 {
		return "; did you mean " + named[0] + "?"
	}
	return "; did you mean " + strings.Join(named[:len(named)-1], ", ") + " or " + named[len(named)-1] + "?"
}

// typeNameRank says whether the folded name n is close to the folded type
// name t, and how close: 0 for the same name, 1 for its plural or an
// edit, 2 for two edits, 3 for a beginning.
func typeNameRank(n, t string) (int, bool) {
	switch {
	case n == t:
		return 0, true
	case singular(n) == t:
		return 1, true
	}
	limit := 1
	if len([]rune(n)) > 6 {
		limit = 2
	}
	if d := editDistance(n, t, limit); d <= limit {
		return d, true
	}
	short, long := n, t
	if len(short) > len(long) {
		short, long = long, short
	}
	if len([]rune(short)) >= 4 && strings.HasPrefix(long, short) {
		return 3, true
	}
	return 0, false
}

// foldTypeName returns name folded as search folds text (case and
// accents), without '_', '-' and spaces.
func foldTypeName(name string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '-' || r == ' ' {
			return -1
		}
		return r
	}, fold(name))
}

// singular returns the English singular of a folded plural (cities,
// organisations), or w itself.
func singular(w string) string {
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 3:
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && len(w) > 1:
		return w[:len(w)-1]
	}
	return w
}

// editDistance returns the optimal string alignment distance between a
// and b (insertions, deletions, substitutions and transpositions of two
// neighbouring characters), or limit+1 once it is sure to exceed limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	// Three rows of the table: two back (for transpositions), one back
	// and the current one.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
