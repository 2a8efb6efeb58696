package store

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

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
