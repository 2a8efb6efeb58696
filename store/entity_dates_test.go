package store

import (
	"context"
	"slices"
	"testing"
)

func TestFindEntitiesValidTime(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	d := MustParseDate
	mustApply(t, s, Batch{Entities: []Entity{
		{ID: "a-old", Type: "City", Name: "Old", ValidFrom: d("1200"), ValidTo: d("1800")},
		{ID: "b-new", Type: "City", Name: "New", ValidFrom: d("2001-05")},
		{ID: "c-undated", Type: "City", Name: "Undated"},
		{ID: "d-ended", Type: "City", Name: "Ended", ValidTo: d("1990")},
		{ID: "e-span", Type: "City", Name: "Span", ValidFrom: d("1950"), ValidTo: d("2001-04")},
	}})
	tests := []struct {
		name      string
		f         EntityFilter
		want      []string
		wantTotal int
		wantNext  bool
		wantErr   Code
	}{
		{name: "All", f: EntityFilter{}, want: []string{"a-old", "b-new", "c-undated", "d-ended", "e-span"}, wantTotal: 5},
		{name: "ValidAt", f: EntityFilter{ValidAt: d("2001")}, want: []string{"b-new", "c-undated", "e-span"}, wantTotal: 3},
		{name: "ValidAtMonth", f: EntityFilter{ValidAt: d("2001-05")}, want: []string{"b-new", "c-undated"}, wantTotal: 2},
		{name: "ValidAtDatedOnly", f: EntityFilter{ValidAt: d("2001"), DatedOnly: true}, want: []string{"b-new", "e-span"}, wantTotal: 2},
		{name: "During", f: EntityFilter{During: DateRange{d("1700"), d("1960")}}, want: []string{"a-old", "c-undated", "d-ended", "e-span"}, wantTotal: 4},
		{name: "DuringDatedOnly", f: EntityFilter{During: DateRange{d("1700"), d("1960")}, DatedOnly: true}, want: []string{"a-old", "e-span"}, wantTotal: 2},
		{name: "DatedOnlyAlone", f: EntityFilter{DatedOnly: true}, want: []string{"a-old", "b-new", "e-span"}, wantTotal: 3},
		{name: "PageCountsAll", f: EntityFilter{ValidAt: d("2001"), First: new(1)}, want: []string{"b-new"}, wantTotal: 3, wantNext: true},
		{name: "AfterCursor", f: EntityFilter{ValidAt: d("2001"), After: encodeCursor([]byte("b-new"))}, want: []string{"c-undated", "e-span"}, wantTotal: 3},
		{name: "ErrBoth", f: EntityFilter{ValidAt: d("2001"), During: DateRange{From: d("2000")}}, wantErr: Invalid},
		{name: "ErrBackwards", f: EntityFilter{During: DateRange{d("2001"), d("2000")}}, wantErr: Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := s.FindEntities(ctx, tt.f, ReadOptions{})
			if got, want := ErrorCode(err), tt.wantErr; got != want {
				t.Fatalf("error code: got %q (%v), want %q", got, err, want)
			}
			if err != nil {
				return
			}
			if got := entityIDs(page.Entities); !slices.Equal(got, tt.want) {
				t.Errorf("entities: got %q, want %q", got, tt.want)
			}
			if got, want := page.TotalCount, tt.wantTotal; got != want {
				t.Errorf("totalCount: got %d, want %d", got, want)
			}
			if got, want := page.HasNext, tt.wantNext; got != want {
				t.Errorf("hasNext: got %v, want %v", got, want)
			}
		})
	}
}
