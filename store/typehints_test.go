package store

import (
	"context"
	"strings"
	"testing"
)

// A misspelt type name is pointed at the types it most likely means, in
// a filter and in a record alike; a name close to nothing gets no hint.
func TestTypeHints(t *testing.T) {
	s := openTestStore(t)
	mustApply(t, s, twinCities())
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		relation bool
		want     string
	}{
		{"SISTER_CITY", true, `unknown relation type "SISTER_CITY"; did you mean SISTER_CITY_OF?`},
		{"SisterCityOf", true, `unknown relation type "SisterCityOf"; did you mean SISTER_CITY_OF?`},
		{"sister-city-of", true, `unknown relation type "sister-city-of"; did you mean SISTER_CITY_OF?`},
		{"PARTICIPATES_IN", true, `unknown relation type "PARTICIPATES_IN"; did you mean PARTICIPATED_IN?`},
		{"WORK", true, `unknown relation type "WORK"; did you mean WORKS_FOR or WORK_PLACEMENT_AT?`},
		{"TWINNED_WITH", true, `unknown relation type "TWINNED_WITH"`},
		{"Cities", false, `unknown entity type "Cities"; did you mean City?`},
		{"Organisation", false, `unknown entity type "Organisation"; did you mean Organization?`},
		{"Events", false, `unknown entity type "Events"; did you mean Event?`},
		{"Countyr", false, `unknown entity type "Countyr"; did you mean Country?`},
		{"Town", false, `unknown entity type "Town"`},
		{"Org", false, `unknown entity type "Org"`},
		{strings.Repeat("City", 100), false, `unknown entity type "` + strings.Repeat("City", 100) + `"`},
	} {
		t.Run(tc.name[:min(len(tc.name), 20)], func(t *testing.T) {
			f := RelationFilter{EntityTypes: []string{tc.name}}
			b := Batch{Entities: []Entity{{ID: "hengelo", Type: tc.name, Name: "Hengelo"}}}
			if tc.relation {
				f = RelationFilter{Types: []string{tc.name}}
				b = Batch{Relations: []Relation{{Type: tc.name, From: "enschede", To: "dalian"}}}
			}
			_, err := s.Degree(ctx, "enschede", f, ReadOptions{})
			if got := ErrorMessage(err); !strings.HasSuffix(got, tc.want) {
				t.Errorf("filter: got %q, want it to end in %q", got, tc.want)
			}
			_, err = s.Apply(ctx, b)
			if got := ErrorMessage(err); !strings.HasSuffix(got, tc.want) {
				t.Errorf("record: got %q, want it to end in %q", got, tc.want)
			}
		})
	}
}

// The edit distance counts a transposition of neighbours as one edit and
// gives up past its limit.
func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b  string
		limit int
		want  int
	}{
		{"city", "city", 2, 0},
		{"city", "ctiy", 2, 1},
		{"country", "countyr", 2, 1},
		{"city", "cities", 2, 3},
		{"organisation", "organization", 2, 1},
		{"münster", "munster", 2, 1},
		{"abc", "xyz", 1, 2},
		{"a", "abcdef", 2, 3},
		{"", "ab", 2, 2},
	} {
		if got := editDistance(tc.a, tc.b, tc.limit); got != tc.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tc.a, tc.b, tc.limit, got, tc.want)
		}
	}
}
