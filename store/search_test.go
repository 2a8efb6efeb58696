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

func TestFold(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Münster", "munster"},
		{"MÜNSTER", "munster"},
		{"Muenster", "muenster"},
		{"Straße", "strasse"},
		{"ＰＡＬＯ　Ａｌｔｏ", "palo alto"},
		{"  Palo \t Alto ", "palo alto"},
		{"Linköping", "linkoping"},
		{"大连", "大连"},
		{"서울", "서울"},
		{"ｶﾞ", "カ"},
		{"a\x00b", "ab"},
		{"plain ascii", "plain ascii"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := fold(tc.in); got != tc.want {
				t.Errorf("fold(%q): got %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"palo alto", []string{"palo", "alto"}},
		{"foreign affairs office (dalian)", []string{"foreign", "affairs", "office", "dalian"}},
		{"大连市", []string{"大连市"}},
		{"東京タワー", []string{"東京タワー", "東京", "タワー"}},
		{"abc大连", []string{"abc大连", "大连"}},
		{"", nil},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := tokens(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("tokens(%q): got %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestSearch(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	mustApply(t, s, twinCities())
	mustApply(t, s, Batch{Entities: []Entity{
		{ID: "palo-alto-networks", Type: "Company", Name: "Palo Alto Networks"},
		{ID: "alto", Type: "Company", Name: "Alto"},
		{ID: "dalian-fao", Type: "GovernmentBody", Name: "Foreign Affairs Office of Dalian"},
		{ID: "tokyo-tower", Type: "Organization", Name: "東京タワー"},
	}})
	for _, tc := range []struct {
		name  string
		q     string
		types []string
		limit int
		want  []string
	}{
		{"Folded", "munster", nil, 0, []string{"munster"}},
		{"Alias", "Muenster", nil, 0, []string{"munster"}},
		{"Upper", "MÜNSTER", nil, 0, []string{"munster"}},
		{"Fullwidth", "ＭＵＮＳＴＥＲ", nil, 0, []string{"munster"}},
		{"Prefix", "palo", nil, 0, []string{"palo-alto", "palo-alto-networks"}},
		{"ExactFirst", "alto", nil, 0, []string{"alto", "palo-alto", "palo-alto-networks"}},
		{"TokenThenPrefix", "dalian", nil, 0, []string{"dalian", "dalian-fao"}},
		{"Tokens", "office dalian", nil, 0, []string{"dalian-fao"}},
		{"TokenPrefixes", "aff dal", nil, 0, []string{"dalian-fao"}},
		{"Label", "大连", nil, 0, []string{"dalian"}},
		{"LabelZh", "恩斯赫德", nil, 0, []string{"enschede"}},
		{"CJKRun", "タワー", nil, 0, []string{"tokyo-tower"}},
		{"TypeFilter", "palo", []string{"Place"}, 0, []string{"palo-alto"}},
		{"SubtypeFilter", "dalian", []string{"Organization"}, 0, []string{"dalian-fao"}},
		{"Limit", "alto", nil, 1, []string{"alto"}},
		{"NoMatch", "xyzzy", nil, 0, nil},
		{"Empty", "  ", nil, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hits, err := s.Search(ctx, tc.q, tc.types, opt(tc.limit), ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range hits {
				got = append(got, h.Entity.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Search(%q): got %v, want %v", tc.q, got, tc.want)
			}
		})
	}
	t.Run("Scores", func(t *testing.T) {
		hits, err := s.Search(ctx, "alto", nil, opt(0), ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var got []float64
		for _, h := range hits {
			got = append(got, h.Score)
		}
		if want := []float64{scoreExact, scoreTokens, scoreTokens}; !slices.Equal(got, want) {
			t.Errorf("scores: got %v, want %v", got, want)
		}
	})
	t.Run("ErrUnknownType", func(t *testing.T) {
		_, err := s.Search(ctx, "a", []string{"Nope"}, opt(0), ReadOptions{})
		if got, want := ErrorCode(err), Invalid; got != want {
			t.Errorf("error code: got %q (%v), want %q", got, err, want)
		}
	})
	t.Run("ErrLimit", func(t *testing.T) {
		_, err := s.Search(ctx, "a", nil, opt(-1), ReadOptions{})
		if got, want := ErrorCode(err), Invalid; got != want {
			t.Errorf("error code: got %q (%v), want %q", got, err, want)
		}
	})
	t.Run("RenameDropsOldTerms", func(t *testing.T) {
		mustApply(t, s, Batch{Entities: []Entity{{ID: "alto", Type: "Company", Name: "Zenith"}}})
		hits, err := s.Search(ctx, "alto", nil, opt(0), ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			if h.Entity.ID == "alto" {
				t.Errorf("renamed entity still found by its old name")
			}
		}
	})
}

func BenchmarkFold(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		fold("Münster Straße")
	}
}

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
