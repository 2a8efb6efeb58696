package store

import (
	"context"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store/kv"
)

// osaDistance is the optimal string alignment distance (edits:
// deletion, insertion, substitution, transposition of neighbours), by the
// textbook dynamic programme: the independent answer withinOneEdit and
// typoTerms are checked against.
func osaDistance(a, b []rune) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

func randomWord(r *rand.Rand) string {
	const letters = "abcdeø" // ø: a two-byte letter that folding keeps
	rs := []rune(letters)
	w := make([]rune, 3+r.IntN(5))
	for i := range w {
		w[i] = rs[r.IntN(len(rs))]
	}
	return string(w)
}

func TestWithinOneEdit(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		a, b := []rune(randomWord(r)), []rune(randomWord(r))
		if r.IntN(2) == 0 { // mostly near misses
			b = slices.Clone(a)
			switch i := r.IntN(len(b)); r.IntN(4) {
			case 0:
				b = slices.Delete(b, i, i+1)
			case 1:
				b = slices.Insert(b, i, 'c')
			case 2:
				b[i] = 'e'
			case 3:
				if i+1 < len(b) {
					b[i], b[i+1] = b[i+1], b[i]
				}
			}
		}
		if got, want := withinOneEdit(a, b), osaDistance(a, b) <= 1; got != want {
			t.Fatalf("withinOneEdit(%q, %q) = %v, want %v", string(a), string(b), got, want)
		}
	}
}

// typoTerms finds exactly the indexed terms one edit away, as a scan of
// the whole vocabulary would.
func TestTypoTerms(t *testing.T) {
	s := openTestStore(t)
	r := rand.New(rand.NewPCG(3, 4))
	vocab := map[string]bool{}
	var b Batch
	for i := range 300 {
		w := randomWord(r)
		vocab[w] = true
		b.Entities = append(b.Entities, Entity{ID: "e" + string(rune('a'+i%26)) + w + string(rune('0'+i/26%10)) + string(rune('0'+i/260)), Type: "Topic", Name: "x", Description: w})
	}
	mustApply(t, s, b)
	tx, _, err := s.snapshot(context.Background(), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Discard()
	it := tx.Iterate(kv.IterOptions{KeysOnly: true})
	defer it.Close()
	for range 300 {
		q := randomWord(r)
		got, err := typoTerms(it, pTextTok, q)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for w := range vocab {
			if osaDistance([]rune(w), []rune(q)) == 1 {
				want = append(want, w)
			}
		}
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Fatalf("typoTerms(%q) = %q, want %q", q, got, want)
		}
	}
}

// FuzzSnippet: whatever the text and query, a snippet has balanced marks,
// and without its marks it is the text itself (short fields) or a part of
// it (long ones, less the "…" at cuts); withinOneEdit agrees with the
// distance.
func FuzzSnippet(f *testing.F) {
	f.Add("A port city in Liaoning province, China.", "liaonign port", true)
	f.Add("Münster «quoted» and ß", "munster", false)
	f.Add("東京タワー", "タワー", true)
	f.Fuzz(func(t *testing.T, text, query string, long bool) {
		qtoks := tokens(cutTerm(fold(query)))
		got := snippet(text, qtoks, true, long)
		if o, c := strings.Count(got, markOpen), strings.Count(got, markClose); o != c {
			t.Fatalf("snippet(%q, %q) = %q: %d opening marks, %d closing", text, query, got, o, c)
		}
		plain := strings.NewReplacer(markOpen, "", markClose, "").Replace(got)
		want := strings.TrimSpace(strings.NewReplacer(markOpen, `"`, markClose, `"`).Replace(text))
		for _, part := range strings.Split(plain, "…") {
			if !strings.Contains(want, strings.TrimSpace(part)) && !strings.Contains(text, "…") {
				t.Fatalf("snippet(%q, %q) = %q: %q is not in the text", text, query, got, part)
			}
		}
		a, b := []rune(text), []rune(query)
		if len(a) < 12 && len(b) < 12 {
			if got, want := withinOneEdit(a, b), osaDistance(a, b) <= 1; got != want {
				t.Fatalf("withinOneEdit(%q, %q) = %v, want %v", text, query, got, want)
			}
		}
	})
}
