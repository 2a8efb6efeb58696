package store

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
)

// This file holds what a bulk load does with a record whose id the store
// already holds (OnExisting: replace, merge, skip, fail), the merge of
// two versions of a record field by field, and the load's report of what
// it changed.

// OnExisting says what a bulk load does with a record whose id the store
// already holds.
type OnExisting uint8

const (
	// OnExistingReplace writes the record in place of the stored one:
	// what restoring a dump wants, and the zero value, so that a load
	// given no choice keeps the upsert semantics it always had.
	OnExistingReplace OnExisting = iota
	// OnExistingMerge updates only the fields the record carries (see
	// Fields): properties merge key by key, labels language by language,
	// aliases and sources are added without duplicates, and nothing the
	// record does not mention is lost.
	OnExistingMerge
	// OnExistingSkip keeps the stored record and ignores the incoming one.
	OnExistingSkip
	// OnExistingFail refuses the whole load, naming every existing id.
	OnExistingFail
)

var onExistingNames = [...]string{"replace", "merge", "skip", "fail"}

func (o OnExisting) String() string { return enumName(o, onExistingNames[:], "OnExisting") }

// ParseOnExisting reads merge, replace, skip or fail; an empty string is
// merge, what an import given no choice does.
func ParseOnExisting(s string) (OnExisting, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "merge":
		return OnExistingMerge, nil
	case "replace":
		return OnExistingReplace, nil
	case "skip":
		return OnExistingSkip, nil
	case "fail":
		return OnExistingFail, nil
	}
	return 0, Errorf(Invalid, "unknown onExisting %q (use merge, replace, skip or fail)", s)
}

// Fields is the set of an entity's or relation's fields that a record
// carries: an NDJSON or node-link record the keys it has, a CSV row the
// cells it fills. Merging needs it for the fields whose absence cannot be
// told from an empty value; lists and properties are merged item by item,
// so an absent one adds nothing anyway. The zero value means every field,
// which is what a record built in Go carries.
type Fields uint8

// The fields a merge tells apart.
const (
	FieldName Fields = 1 << iota
	FieldDescription
	FieldValidFrom
	FieldValidTo
	// FieldsGiven marks a set as given, so that a record carrying none of
	// the fields above is told from one carrying all of them.
	FieldsGiven Fields = 1 << 7
)

// Has reports whether the set holds f; the zero set holds every field.
func (fs Fields) Has(f Fields) bool { return fs == 0 || fs&f != 0 }

// MaxReportedChanges is how many changed records a LoadReport lists.
const MaxReportedChanges = 20

// LoadReport says what a load did, or with DryRun would do, to the
// records it names.
type LoadReport struct {
	Entities  Tally
	Relations Tally
	// Changes lists the first MaxReportedChanges changed records in the
	// order of the source, each with the fields that change.
	Changes []RecordChange
}

// Tally counts the records of one kind by what a load does to them.
type Tally struct {
	New       int // not in the store
	Changed   int // in the store, and the load changes at least one field
	Unchanged int // in the store byte for byte as the load would write it: not written
	Skipped   int // in the store, and kept as it is (OnExistingSkip)
}

// RecordChange is one changed record of a LoadReport.
type RecordChange struct {
	Kind   string   // "entity" or "relation"
	ID     string   // the record's id
	Record string   // "<source>:<line>"
	Fields []string // fields that change, properties as "properties.<key>"
}

// mergeEntity returns old with the fields of in carried by fs laid over
// it. It shares no slice or map with old, which the caller may still use
// to delete old index entries.
func mergeEntity(old, in *Entity, fs Fields) *Entity {
	m := *old
	m.Type = in.Type
	if fs.Has(FieldName) {
		m.Name = in.Name
	}
	if fs.Has(FieldDescription) {
		m.Description = in.Description
	}
	if fs.Has(FieldValidFrom) {
		m.ValidFrom = in.ValidFrom
	}
	if fs.Has(FieldValidTo) {
		m.ValidTo = in.ValidTo
	}
	m.Labels = mergeLabels(old.Labels, in.Labels)
	m.Aliases = mergeAliases(old.Aliases, in.Aliases)
	m.Properties = mergeProperties(old.Properties, in.Properties)
	m.Sources = mergeSources(old.Sources, in.Sources)
	return &m
}

// mergeRelation is mergeEntity for relations: type and endpoints are the
// record's, as they identify it (or, with an explicit id, move it).
func mergeRelation(old, in *Relation, fs Fields) *Relation {
	m := *old
	m.ID, m.Type, m.From, m.To = in.ID, in.Type, in.From, in.To
	if fs.Has(FieldValidFrom) {
		m.ValidFrom = in.ValidFrom
	}
	if fs.Has(FieldValidTo) {
		m.ValidTo = in.ValidTo
	}
	m.Properties = mergeProperties(old.Properties, in.Properties)
	m.Sources = mergeSources(old.Sources, in.Sources)
	return &m
}

// mergeLabels lays in's labels over old's, language by language, and
// keeps them sorted by language, as the store holds them.
func mergeLabels(old, in []Label) []Label {
	if len(in) == 0 {
		return old
	}
	out := slices.Clone(old)
next:
	for _, l := range in {
		for i := range out {
			if out[i].Lang == l.Lang {
				out[i].Value = l.Value
				continue next
			}
		}
		out = append(out, l)
	}
	slices.SortStableFunc(out, func(a, b Label) int { return strings.Compare(a.Lang, b.Lang) })
	return out
}

// mergeAliases appends the incoming aliases old lacks.
func mergeAliases(old, in []string) []string {
	if len(in) == 0 {
		return old
	}
	out := slices.Clone(old)
	for _, a := range in {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// mergeProperties lays in's keys over old's.
func mergeProperties(old, in Properties) Properties {
	if len(in) == 0 {
		return old
	}
	out := make(Properties, len(old)+len(in))
	for k, v := range old {
		out[k] = v
	}
	for k, v := range in {
		out[k] = v
	}
	return out
}

// mergeSources appends the incoming sources old lacks. A source is the
// same citation when it names the same document, locator and excerpt; the
// incoming one then replaces the old, as its confidence or retrieval time
// is the newer word.
func mergeSources(old, in []Source) []Source {
	if len(in) == 0 {
		return old
	}
	out := slices.Clone(old)
next:
	for _, s := range in {
		for i := range out {
			if out[i].Document == s.Document && out[i].Locator == s.Locator && out[i].Excerpt == s.Excerpt {
				out[i] = s
				continue next
			}
		}
		out = append(out, s)
	}
	return out
}

// entityChanges names the fields in which b differs from a.
func entityChanges(a, b *Entity) []string {
	return changedFields([]fieldChange{
		{"type", a.Type != b.Type},
		{"name", a.Name != b.Name},
		{"description", a.Description != b.Description},
		{"labels", !slices.Equal(a.Labels, b.Labels)},
		{"aliases", !slices.Equal(a.Aliases, b.Aliases)},
	}, a.Properties, b.Properties, factChanges(a.ValidFrom, b.ValidFrom, a.ValidTo, b.ValidTo, a.Sources, b.Sources))
}

// relationChanges names the fields in which b differs from a.
func relationChanges(a, b *Relation) []string {
	return changedFields([]fieldChange{
		{"type", a.Type != b.Type},
		{"from", a.From != b.From},
		{"to", a.To != b.To},
	}, a.Properties, b.Properties, factChanges(a.ValidFrom, b.ValidFrom, a.ValidTo, b.ValidTo, a.Sources, b.Sources))
}

// fieldChange says whether one field changed.
type fieldChange struct {
	name    string
	changed bool
}

// changedFields names, in this order, the changed fields of own (a
// kind's own fields), each property key in which pa and pb differ, and
// the changed fields of facts (those every fact has).
func changedFields(own []fieldChange, pa, pb Properties, facts []fieldChange) []string {
	var ch []string
	for _, f := range own {
		if f.changed {
			ch = append(ch, f.name)
		}
	}
	keys := pa.Keys()
	for _, k := range pb.Keys() {
		if _, ok := pa[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		va, oka := pa[k]
		vb, okb := pb[k]
		if oka != okb || !sameValue(va, vb) {
			ch = append(ch, "properties."+k)
		}
	}
	for _, f := range facts {
		if f.changed {
			ch = append(ch, f.name)
		}
	}
	return ch
}

// factChanges compares the fields after the properties that entities and
// relations both have.
func factChanges(fa, fb, ta, tb Date, sa, sb []Source) []fieldChange {
	return []fieldChange{
		{"validFrom", fa != fb},
		{"validTo", ta != tb},
		{"sources", !slices.EqualFunc(sa, sb, sameSource)},
	}
}

// sameSource reports whether a and b are stored alike: like sameValue,
// it tells apart what a body tells apart (a zone offset, the sign of a
// zero), so that a change the body shows is always named
// (TestChangesMatchBodies).
func sameSource(a, b Source) bool {
	if a.Document != b.Document || a.Excerpt != b.Excerpt || a.Locator != b.Locator {
		return false
	}
	if (a.Confidence == nil) != (b.Confidence == nil) || a.Confidence != nil && math.Float64bits(*a.Confidence) != math.Float64bits(*b.Confidence) {
		return false
	}
	if (a.RetrievedAt == nil) != (b.RetrievedAt == nil) {
		return false
	}
	if a.RetrievedAt != nil {
		_, oa := a.RetrievedAt.Zone()
		_, ob := b.RetrievedAt.Zone()
		return a.RetrievedAt.Equal(*b.RetrievedAt) && oa == ob
	}
	return true
}

// sameValue reports whether property values a and b are stored alike,
// comparing numbers by their bits as the body stores them.
func sameValue(a, b Value) bool {
	if a.Kind != b.Kind {
		return false
	}
	same := func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) }
	switch a.Kind {
	case KindText:
		return a.Text == b.Text
	case KindNumber:
		return same(a.Num, b.Num)
	case KindBool:
		return a.Bool == b.Bool
	case KindDate:
		return a.Date == b.Date
	case KindGeo:
		return same(a.Geo.Lat, b.Geo.Lat) && same(a.Geo.Lon, b.Geo.Lon)
	case KindList:
		return slices.EqualFunc(a.List, b.List, sameValue)
	}
	// A kind added later: compare what the body holds of it.
	var ea, eb encoder
	ea.value(a)
	eb.value(b)
	return bytes.Equal(ea.b, eb.b)
}

// tally notes in the load's report what happens to one record: new when
// old is nil, else changed (with its fields) or unchanged.
func (l *loader) tally(t *Tally, kind, id string, line int64, changes []string, isNew bool) {
	switch {
	case isNew:
		t.New++
	case len(changes) == 0:
		t.Unchanged++
	default:
		t.Changed++
		if len(l.res.Report.Changes) < MaxReportedChanges {
			l.res.Report.Changes = append(l.res.Report.Changes, RecordChange{Kind: kind, ID: id, Record: l.record(line), Fields: changes})
		}
	}
}

// existingEntity applies the load's OnExisting to the last record of an
// entity, returning what to write (nil: nothing, the stored entity is
// kept or refused) and the stored body it replaces (nil when the entity
// is new). unchanged says the stored entity already is, byte for byte,
// what the load would write: the load counts it but writes no key of it.
func (l *loader) existingEntity(e *Entity, le loadEntity, fs Fields, line int64) (_ *Entity, _ *entityBody, unchanged bool, _ error) {
	if le.oldTyp == 0 {
		l.tally(&l.res.Report.Entities, "entity", e.ID, line, nil, true)
		return e, nil, false, nil
	}
	if l.opts.OnExisting == OnExistingSkip {
		l.res.Report.Entities.Skipped++
		return nil, nil, false, nil
	}
	v, err := l.storedEntity(le)
	if err != nil {
		return nil, nil, false, fmt.Errorf("load: body of %q: %w", e.ID, err)
	}
	old, err := decodeEntity(v)
	if err != nil {
		return nil, nil, false, fmt.Errorf("load: body of %q: %w", e.ID, err)
	}
	// The body does not hold the type's name; compare types by id.
	prev := *old.e
	prev.Type = e.Type
	if old.typ != le.typ {
		prev.Type = ""
	}
	if l.opts.OnExisting == OnExistingMerge {
		e = mergeEntity(&prev, e, fs)
		// Each end was checked alone; together they may not fit.
		n0, e0 := l.w.nfail, len(l.w.errs)
		l.w.checkMergedInterval(e.ValidFrom, e.ValidTo, fs)
		if l.failed(n0, e0, line) {
			l.writeable = false
			return nil, nil, false, nil
		}
	}
	// Unchanged is decided on the encoded body, which holds every field
	// and the type, so that no field can be forgotten here; every other
	// entry of an entity (index.go) is derived from its body and node.
	l.body = appendEntity(l.body[:0], e, le.typ)
	unchanged = bytes.Equal(l.body, v)
	if unchanged {
		l.res.Report.Entities.Unchanged++
	} else {
		l.tallyChanged(&l.res.Report.Entities, "entity", e.ID, line, entityChanges(&prev, e))
	}
	return e, &old, unchanged, nil
}

// existingRelation is existingEntity for a relation already in the store,
// given its stored body, decoded (old) and as stored (stored), and what
// the load would store it as: type t from node from to node to.
func (l *loader) existingRelation(r *Relation, old relationBody, stored []byte, t TypeID, from, to NodeID, fs Fields, line int64) (_ *Relation, unchanged bool) {
	prev := *old.r
	prev.Type = r.Type
	if old.typ != t {
		prev.Type = ""
	}
	if l.opts.OnExisting == OnExistingMerge {
		r = mergeRelation(&prev, r, fs)
		n0 := l.w.nfail
		l.w.checkMergedInterval(r.ValidFrom, r.ValidTo, fs) // the caller notes the line
		if l.w.nfail > n0 {
			return r, false
		}
	}
	// The body holds the type and both endpoints; the adjacency values
	// add the endpoints' types, which the retype pass keeps current.
	l.body = appendRelation(l.body[:0], r, t, from, to)
	unchanged = bytes.Equal(l.body, stored)
	if unchanged {
		l.res.Report.Relations.Unchanged++
	} else {
		l.tallyChanged(&l.res.Report.Relations, "relation", r.ID, line, relationChanges(&prev, r))
	}
	return r, unchanged
}

// tallyChanged notes in t a stored record whose body the load changes,
// in the fields ch names.
func (l *loader) tallyChanged(t *Tally, kind, id string, line int64, ch []string) {
	if len(ch) == 0 {
		// The bodies differ in bytes the field comparison does not tell
		// apart (TestChangesMatchBodies says there are none): the record
		// is written, and reported as changed.
		ch = []string{"encoding"}
	}
	l.tally(t, kind, id, line, ch, false)
}

// checkMergedInterval checks the interval a merge made. When one end
// came from the stored record, the record's own line may look valid, so
// the message says which end the store gave and the ways out.
func (w *writer) checkMergedInterval(from, to Date, fs Fields) {
	if from.IsZero() || to.IsZero() || to.Last() >= from.First() {
		return
	}
	var kept string
	switch {
	case !fs.Has(FieldValidFrom) && fs.Has(FieldValidTo):
		kept = fmt.Sprintf("; validFrom %s is the stored record's", from)
	case fs.Has(FieldValidFrom) && !fs.Has(FieldValidTo):
		kept = fmt.Sprintf("; validTo %s is the stored record's", to)
	}
	if kept != "" {
		kept += " (merged: give both ends, or replace the stored record: --on-existing replace)"
	}
	w.failf(Invalid, "", "validTo", "validTo %s is before validFrom %s%s", to, from, kept)
}

// refuseExisting fails the record of id when the load may not touch what
// the store holds (OnExistingFail).
func (l *loader) refuseExisting(kind, id string) {
	l.w.failf(Conflict, "", "id", "%s %q already exists (on existing records: fail; use merge, replace or skip to load it)", kind, id)
}
