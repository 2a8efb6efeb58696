package store

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// This file says what an entity is filed under in the name and text
// indexes: folding (accents, case, width), tokens (CJK runs included),
// and the terms and keys of a name, its labels and aliases (name index)
// and of a description and excerpts (text index). A query is folded and
// tokenised by the same functions, so index and query meet.

// maxTermBytes bounds one indexed term, so that a very long name cannot
// make a huge key; longer terms are cut at a character boundary, and so
// are queries, so that they still meet.
const maxTermBytes = 200

// fold returns s folded for matching: compatibility decomposition (which
// also maps fullwidth and halfwidth forms to their usual ones), combining
// marks removed (ü → u), case folded (ß → ss), recomposed (so Hangul stays
// syllables), control characters dropped and runs of white space made one
// space. fold of a string is what both the index and a query see.
func fold(s string) string {
	if s == "" {
		return ""
	}
	if isASCIIFolded(s) {
		return s
	}
	if f, ok := foldASCII(s); ok {
		return f
	}
	return foldUnicode(s)
}

// foldASCII is fold of an ASCII string, which needs none of the Unicode
// passes: for ASCII they only lower the case. Names like "Palo Alto" are
// most of what a load files, and each entity's name is folded three times
// (its name and text terms, and its name index value). ok is false when s
// is not ASCII.
func foldASCII(s string) (f string, ok bool) {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return "", false
		}
	}
	b := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c >= '\t' && c <= '\r':
			space = len(b) > 0
			continue
		case c < 0x20 || c == 0x7f:
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		b = append(b, c)
	}
	return string(b), true
}

// foldUnicode is fold of any string, pass by pass.
func foldUnicode(s string) string {
	// Pass by pass rather than through a transform.Chain, which allocates
	// three 4 KiB buffers each time it is built (measured: most of the
	// cost of an upsert).
	out := norm.NFKD.String(s)
	if strings.IndexFunc(out, isMn) >= 0 {
		out = strings.Map(func(r rune) rune {
			if isMn(r) {
				return -1
			}
			return r
		}, out)
	}
	out = cases.Fold().String(out)
	out = norm.NFC.String(out)
	var b strings.Builder
	b.Grow(len(out))
	space := false
	for _, r := range out {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.IsControl(r), r == utf8.RuneError:
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isMn(r rune) bool { return unicode.Is(unicode.Mn, r) }

// isASCIIFolded reports whether s is already what fold would return: plain
// lowercase ASCII letters, digits, punctuation and single inner spaces.
// Most names in most data sets are, so this saves the transform.
func isASCIIFolded(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80, c >= 'A' && c <= 'Z', c < 0x20, c == 0x7f:
			return false
		case c == ' ' && (i == 0 || i == len(s)-1 || s[i+1] == ' '):
			return false
		}
	}
	return true
}

// cutTerm cuts a term to maxTermBytes at a character boundary.
func cutTerm(s string) string {
	if len(s) <= maxTermBytes {
		return s
	}
	i := maxTermBytes
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// tokens splits a folded string into the tokens the index holds: maximal
// runs of letters, digits and marks; and, inside a token that mixes
// scripts, each run of Han, Hiragana, Katakana or Hangul on its own, so
// that 東京タワー is found by 東京 and by タワー. A CJK run stays one
// token (no segmentation), and prefix search finds words at its start.
func tokens(folded string) []string {
	var out []string
	words := strings.FieldsFunc(folded, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r))
	})
	for _, w := range words {
		out = append(out, cutTerm(w))
		out = append(out, cjkRuns(w)...)
	}
	return out
}

// cjkScript returns a small number naming the CJK script of r, or 0.
func cjkScript(r rune) int {
	switch {
	case unicode.Is(unicode.Han, r):
		return 1
	case unicode.Is(unicode.Hiragana, r):
		return 2
	case unicode.Is(unicode.Katakana, r), r == 'ー':
		return 3
	case unicode.Is(unicode.Hangul, r):
		return 4
	}
	return 0
}

// cjkRuns returns the CJK script runs of word when there is more than one
// run, or when the word has other characters too; nil otherwise (the word
// itself is then the only token).
func cjkRuns(word string) []string {
	var runs []string
	start, cur := -1, 0
	whole := true
	for i, r := range word {
		sc := cjkScript(r)
		if sc != cur {
			if cur != 0 {
				runs = append(runs, word[start:i])
			}
			if sc != 0 {
				start = i
			}
			cur = sc
		}
		if sc == 0 {
			whole = false
		}
	}
	if cur != 0 {
		runs = append(runs, word[start:])
	}
	if whole && len(runs) == 1 {
		return nil
	}
	for i := range runs {
		runs[i] = cutTerm(runs[i])
	}
	return runs
}

// nameTerms returns the distinct folded full strings and tokens that index
// e: its name, every label and every alias.
func nameTerms(e *Entity) (full, toks []string) {
	var fs, ts termSet
	addString := func(s string) {
		f := fold(s)
		if f == "" {
			return
		}
		fs.add(cutTerm(f))
		ts.addTokens(f)
	}
	addString(e.Name)
	for _, l := range e.Labels {
		addString(l.Value)
	}
	for _, a := range e.Aliases {
		addString(a)
	}
	return fs.terms, ts.terms
}

// termSet collects distinct terms in the order they are first added,
// leaving out those of skip.
type termSet struct {
	// seen is nil while the set is small: a bulk load indexes every
	// entity's few terms, and a map for each cost a tenth of its second
	// pass; a scan of a few strings costs less.
	seen  map[string]bool
	terms []string
	skip  []string
}

// smallTermSet is the most terms (and skipped terms) a set scans.
const smallTermSet = 16

// add adds t unless the set has it.
func (s *termSet) add(t string) {
	if s.seen == nil {
		if slices.Contains(s.terms, t) || slices.Contains(s.skip, t) {
			return
		}
		if len(s.terms)+len(s.skip) < smallTermSet {
			s.terms = append(s.terms, t)
			return
		}
		s.seen = make(map[string]bool, 2*smallTermSet)
		for _, x := range s.terms {
			s.seen[x] = true
		}
		for _, x := range s.skip {
			s.seen[x] = true
		}
	}
	if s.seen[t] {
		return
	}
	s.seen[t] = true
	s.terms = append(s.terms, t)
}

// addTokens adds the tokens of folded, a folded string.
func (s *termSet) addTokens(folded string) {
	for _, t := range tokens(folded) {
		s.add(t)
	}
}

// nameKeys returns every name index key of entity e at node n.
func nameKeys(e *Entity, n NodeID) [][]byte {
	full, toks := nameTerms(e)
	keys := make([][]byte, 0, len(full)+len(toks))
	for _, t := range full {
		keys = append(keys, nameKey(pNameFull, t, n))
	}
	for _, t := range toks {
		keys = append(keys, nameKey(pNameTok, t, n))
	}
	return keys
}

// nameValueOf is the value of every name index key of e.
func nameValueOf(e *Entity, t TypeID) []byte {
	return nameValue{typ: t, nameLen: uint32(len(fold(e.Name))), ext: e.ID}.encode()
}

// textTerms returns the distinct folded tokens of e's description and of
// the excerpts of its sources that its name index does not already hold:
// a word of the name is found as a name, which ranks higher, so filing it
// again here would only grow the index.
func textTerms(e *Entity) []string {
	_, named := nameTerms(e)
	ts := termSet{skip: named}
	ts.addTokens(fold(e.Description))
	for _, s := range e.Sources {
		ts.addTokens(fold(s.Excerpt))
	}
	return ts.terms
}

// textKeys returns every text index key of entity e at node n.
func textKeys(e *Entity, n NodeID) [][]byte {
	ts := textTerms(e)
	keys := make([][]byte, len(ts))
	for i, t := range ts {
		keys[i] = nameKey(pTextTok, t, n)
	}
	return keys
}
