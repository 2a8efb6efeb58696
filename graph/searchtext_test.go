package graph_test

import (
	"strings"
	"testing"

	"github.com/ties-graph/ties/graph"
)

// Search finds words in descriptions and excerpts below names, and
// tolerates one typo in longer words below exact matches, saying which
// field matched and where.
func TestSearchText(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	type hit struct {
		Score   float64
		Matched string
		Snippet string
		Typo    bool
		Entity  struct{ ID string }
	}
	search := func(t *testing.T, text string) []hit {
		var d struct{ Search []hit }
		e.at(t).ok(`query($q: String!) { search(text: $q, first: 50) { score matched snippet typo entity { id } } }`,
			map[string]any{"q": text}, &d)
		return d.Search
	}
	for _, tc := range []struct {
		name, text     string
		first, matched string
		typo           bool
		snippetHas     string
	}{
		{"NameTypo", "Dalien", "dalian", "NAME", true, "«Dalian»"},
		{"NameTypoTransposed", "Dailan", "dalian", "NAME", true, "«Dalian»"},
		{"NameTypoSubstituted", "Heidelburg", "heidelberg", "NAME", true, "«Heidelberg»"},
		{"NameTypoLowercase", "linkoeping", "linkoping", "NAME", true, "«Linköping»"},
		{"Description", "port city liaoning", "dalian", "DESCRIPTION", false, "A «port» «city» in «Liaoning» province"},
		{"ExactBeforeName", "Dalian", "dalian", "NAME", false, "«Dalian»"},
		{"DescriptionTypo", "Liaonign", "dalian", "DESCRIPTION", true, "«Liaoning»"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hs := search(t, tc.text)
			if len(hs) == 0 {
				t.Fatalf("%q finds nothing", tc.text)
			}
			h := hs[0]
			if h.Entity.ID != tc.first || h.Matched != tc.matched || h.Typo != tc.typo || !strings.Contains(h.Snippet, tc.snippetHas) {
				t.Errorf("%q: first hit %+v; want %s matched in %s, typo %v, snippet with %q", tc.text, h, tc.first, tc.matched, tc.typo, tc.snippetHas)
			}
		})
	}
	t.Run("ShortWordsNeedNoTypo", func(t *testing.T) {
		// "Dalan" is five letters: one typo from Dalian. "Dlan" is four: none.
		if hs := search(t, "Dlan"); len(hs) != 0 {
			t.Errorf("Dlan: got %+v, want nothing", hs)
		}
	})
	t.Run("RanksNamesThenTextThenTypos", func(t *testing.T) {
		hs := search(t, "sister")
		if len(hs) == 0 {
			t.Fatal("sister finds nothing")
		}
		for i := 1; i < len(hs); i++ {
			if hs[i].Score > hs[i-1].Score {
				t.Errorf("hit %d (%s, %.2f) ranks above hit %d (%s, %.2f)", i, hs[i].Entity.ID, hs[i].Score, i-1, hs[i-1].Entity.ID, hs[i-1].Score)
			}
		}
		found := false
		for _, h := range hs {
			if h.Entity.ID == "dalian" {
				found = true
				if h.Matched != "DESCRIPTION" && h.Matched != "EXCERPT" || !strings.Contains(h.Snippet, "«sister»") {
					t.Errorf("dalian: %+v, want a description or excerpt snippet marking «sister»", h)
				}
			}
		}
		if !found {
			t.Errorf("sister does not find Dalian (its description says sister city): %+v", hs)
		}
	})
	t.Run("NameBeforeText", func(t *testing.T) {
		// Enschede is named Enschede; many others only mention it.
		hs := search(t, "enschede")
		if len(hs) < 2 || hs[0].Entity.ID != "enschede" || hs[0].Matched != "NAME" {
			t.Fatalf("got %+v, want enschede first, by name", hs)
		}
		if hs[1].Score >= hs[0].Score || hs[1].Matched == "NAME" && hs[1].Score < 0.4 {
			t.Errorf("second hit %+v after %+v", hs[1], hs[0])
		}
	})
}
