package store

import (
	"context"
	"slices"
	"testing"
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
