package connect

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ties-graph/ties/store"
)

func relationIDsOf(rs []*store.Relation) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

// diffStrings renders a diff as its six lists of ids.
type diffIDs struct{ began, ended, entered, left, changedRels, changedEnts []string }

func idsOfDiff(d *store.NetworkDiff) diffIDs {
	return diffIDs{relationIDsOf(d.Began), relationIDsOf(d.Ended), entityIDsOf(d.Entered), entityIDsOf(d.Left),
		relationIDsOf(d.ChangedRelations), entityIDsOf(d.ChangedEntities)}
}

func (d diffIDs) equal(o diffIDs) bool {
	return slices.Equal(d.began, o.began) && slices.Equal(d.ended, o.ended) && slices.Equal(d.entered, o.entered) &&
		slices.Equal(d.left, o.left) && slices.Equal(d.changedRels, o.changedRels) && slices.Equal(d.changedEnts, o.changedEnts)
}

func TestDiffValidTime(t *testing.T) {
	// The seed's story in small: a and b cooperate 2009-2017 (r1) and are
	// twins from 2017 (r2); b links c from 2017 (r3); a links d with no
	// dates (r4) and e up to 2012 with no start (r5).
	const graph = "a LINK b from=2009 to=2017\na TWIN b from=2017\nb LINK c from=2017\na LINK d\na LINK e to=2012"
	d := func(s string) store.Date { return store.MustParseDate(s) }
	none := []string{}
	tests := []struct {
		name    string
		id      string
		opts    store.DiffOptions
		want    diffIDs
		wantErr store.Code
	}{
		{name: "CooperationBecomesTwinning", id: "a", opts: store.DiffOptions{Depth: 1, From: d("2015"), To: d("2018")},
			want: diffIDs{[]string{"r2"}, []string{"r1"}, none, none, none, none}},
		{name: "Reversed", id: "a", opts: store.DiffOptions{Depth: 1, From: d("2018"), To: d("2015")},
			want: diffIDs{[]string{"r1"}, []string{"r2"}, none, none, none, none}},
		{name: "DepthTwoReachesC", id: "a", opts: store.DiffOptions{Depth: 2, From: d("2015"), To: d("2018")},
			want: diffIDs{[]string{"r2", "r3"}, []string{"r1"}, []string{"c"}, none, none, none}},
		// A year holds every fact that overlaps it: in 2017 both the
		// cooperation (to 2017) and the twinning (from 2017) held.
		{name: "YearOverlapsBothEnds", id: "a", opts: store.DiffOptions{Depth: 1, From: d("2017"), To: d("2018")},
			want: diffIDs{none, []string{"r1"}, none, none, none, none}},
		{name: "MonthInsideYear", id: "a", opts: store.DiffOptions{Depth: 1, From: d("2016-12"), To: d("2017-01-15")},
			want: diffIDs{[]string{"r2"}, none, none, none, none, none}},
		{name: "SameDate", id: "a", opts: store.DiffOptions{Depth: 1, From: d("2015"), To: d("2015")},
			want: diffIDs{none, none, none, none, none, none}},
		{name: "OpenStartEnds", id: "a", opts: store.DiffOptions{Depth: 1, From: d("2010"), To: d("2015")},
			want: diffIDs{none, []string{"r5"}, none, []string{"e"}, none, none}},
		// Dated only: r4 and r5 have no start on record, so they never
		// held; only the dated ties change.
		{name: "DatedOnly", id: "a", opts: store.DiffOptions{Depth: 1, From: d("2010"), To: d("2018"), DatedOnly: true},
			want: diffIDs{[]string{"r2"}, []string{"r1"}, none, none, none, none}},
		{name: "Undated", id: "a", opts: store.DiffOptions{Depth: 1, From: d("2010"), To: d("2018")},
			want: diffIDs{[]string{"r2"}, []string{"r1", "r5"}, none, []string{"e"}, none, none}},
		{name: "Types", id: "a", opts: store.DiffOptions{Depth: 1, Types: []string{"TWIN"}, From: d("2015"), To: d("2018")},
			want: diffIDs{[]string{"r2"}, none, []string{"b"}, none, none, none}},
		{name: "DepthZero", id: "a", opts: store.DiffOptions{From: d("2015"), To: d("2018")},
			want: diffIDs{none, none, none, none, none, none}},
		{name: "ErrNotFound", id: "nope", opts: store.DiffOptions{Depth: 1, From: d("2015"), To: d("2018")}, wantErr: store.NotFound},
		{name: "ErrDepth", id: "a", opts: store.DiffOptions{Depth: -1, From: d("2015"), To: d("2018")}, wantErr: store.Invalid},
		{name: "ErrType", id: "a", opts: store.DiffOptions{Depth: 1, Types: []string{"NOPE"}}, wantErr: store.Invalid},
		{name: "ErrTooComplex", id: "a", opts: store.DiffOptions{Depth: 1, Limit: opt(2)}, wantErr: store.TooComplex},
	}
	s := drawStore(t, graph)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := store.Read(context.Background(), s, store.ReadOptions{}, func(r *store.Reader) (*store.NetworkDiff, error) {
				return Diff(r, r, tt.id, tt.opts)
			})
			if errored(t, err, tt.wantErr) {
				return
			}
			if got := idsOfDiff(got); !got.equal(tt.want) {
				t.Errorf("diff of %s: got %+v, want %+v", tt.id, got, tt.want)
			}
		})
	}
}

// On recorded time the two sides are two snapshots: what was added,
// removed or rewritten between them.
func TestDiffRecordedTime(t *testing.T) {
	ctx := context.Background()
	s := drawStore(t, "a LINK b\nb LINK c\na LINK d from=2001")
	// Commit timestamps have millisecond resolution: keep the writes in
	// distinct milliseconds.
	time.Sleep(3 * time.Millisecond)
	before := time.Now()
	time.Sleep(3 * time.Millisecond)
	_, err := s.Apply(ctx, store.Batch{
		Entities:        []store.Entity{{ID: "b", Type: "Person", Name: "B renamed"}, {ID: "x", Type: "Person", Name: "X"}},
		Relations:       []store.Relation{{ID: "r4", Type: "LINK", From: "a", To: "x"}, {ID: "r3", Type: "LINK", From: "a", To: "d", ValidFrom: store.MustParseDate("2002")}},
		DeleteRelations: []string{"r2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	diff := func(from, to store.ReadOptions, id string, opts store.DiffOptions) (*store.NetworkDiff, error) {
		return store.Read(ctx, s, from, func(a *store.Reader) (*store.NetworkDiff, error) {
			return store.Read(ctx, s, to, func(b *store.Reader) (*store.NetworkDiff, error) { return Diff(a, b, id, opts) })
		})
	}
	none := []string{}
	tests := []struct {
		name     string
		from, to store.ReadOptions
		id       string
		opts     store.DiffOptions
		want     diffIDs
	}{
		{name: "AddedRemovedChanged", from: store.ReadOptions{AsOf: before}, id: "a", opts: store.DiffOptions{Depth: 2},
			want: diffIDs{[]string{"r4"}, []string{"r2"}, []string{"x"}, []string{"c"}, []string{"r3"}, []string{"b"}}},
		{name: "Backwards", to: store.ReadOptions{AsOf: before}, id: "a", opts: store.DiffOptions{Depth: 2},
			want: diffIDs{[]string{"r2"}, []string{"r4"}, []string{"c"}, []string{"x"}, []string{"r3"}, []string{"b"}}},
		// Both clocks at once: r3 moved its start from 2001 to 2002, so
		// as valid in 2001 it left the neighbourhood, with d.
		{name: "Bitemporal", from: store.ReadOptions{AsOf: before}, id: "a",
			opts: store.DiffOptions{Depth: 1, From: store.MustParseDate("2001"), To: store.MustParseDate("2001")},
			want: diffIDs{[]string{"r4"}, []string{"r3"}, []string{"x"}, []string{"d"}, none, []string{"b"}}},
		{name: "NotYetThere", from: store.ReadOptions{AsOf: before}, id: "x", opts: store.DiffOptions{Depth: 1},
			want: diffIDs{[]string{"r4"}, none, []string{"x", "a"}, none, none, none}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := diff(tt.from, tt.to, tt.id, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := idsOfDiff(got); !got.equal(tt.want) {
				t.Errorf("diff of %s: got %+v, want %+v", tt.id, got, tt.want)
			}
		})
	}
}

// Records read from two snapshots are equal when they say the same, even
// though each read decodes a time's location anew.
func TestSameRecord(t *testing.T) {
	at := func() *time.Time {
		v := time.Date(2017, 7, 5, 12, 0, 0, 0, time.FixedZone("", 2*3600))
		return &v
	}
	rec := func(name string) *store.Entity {
		return &store.Entity{ID: "x", Type: "City", Name: name, Sources: []store.Source{{Document: "d", RetrievedAt: at()}}}
	}
	if !sameRecord(rec("X"), rec("X")) {
		t.Error("the same record read twice differs")
	}
	if sameRecord(rec("X"), rec("Y")) {
		t.Error("records with different names are the same")
	}
}
