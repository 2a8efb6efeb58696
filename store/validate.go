package store

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// This file says what a valid record is: the checks of the fields every
// entity and relation has (ids, names, texts, dates, properties, sources)
// that both pass before either write path (Apply's writer, Load's loader)
// stores them, each problem recorded on the writer with the record and
// field it concerns. The checks of one kind's own fields start in its
// file (checkEntity in entity.go, checkRelation in relation.go).

func (w *writer) checkID(id, rec string, required bool) {
	switch {
	case id == "":
		if required {
			w.failf(Invalid, rec, "id", "id is empty")
		}
	case !utf8.ValidString(id):
		w.failf(Invalid, rec, "id", "invalid UTF-8")
	case strings.TrimSpace(id) == "":
		// As for names: an id of spaces is a cell left blank, not an id.
		w.failf(Invalid, rec, "id", "id is blank")
	case len(id) > maxIDBytes:
		w.failf(Invalid, rec, "id", "id is longer than %d bytes", maxIDBytes)
	default:
		for _, r := range id {
			if why := idCharProblem(r); why != "" {
				w.failf(Invalid, rec, "id", "id contains %s: an id must be visible text", why)
				break
			}
		}
	}
}

func (w *writer) checkName(s, rec, field string) {
	switch {
	case !utf8.ValidString(s):
		w.failf(Invalid, rec, field, "invalid UTF-8")
	case strings.TrimSpace(s) == "":
		w.failf(Invalid, rec, field, "empty")
	case len(s) > maxNameBytes:
		w.failf(Invalid, rec, field, "longer than %d bytes", maxNameBytes)
	}
}

func (w *writer) checkText(s, rec, field string) {
	if !utf8.ValidString(s) {
		w.failf(Invalid, rec, field, "invalid UTF-8")
	}
}

func (w *writer) checkInterval(from, to Date, rec string) {
	if !from.IsZero() && !to.IsZero() && to.Last() < from.First() {
		w.failf(Invalid, rec, "validTo", "validTo %s is before validFrom %s", to, from)
	}
}

func (w *writer) checkProps(p Properties, rec string) {
	for _, k := range p.Keys() {
		f := "properties." + k
		switch {
		case k == "":
			w.failf(Invalid, rec, "properties", "empty property name")
			continue
		case !utf8.ValidString(k):
			w.failf(Invalid, rec, "properties", "property name is not valid UTF-8")
			continue
		}
		if why := checkValue(p[k], 0); why != "" {
			w.failf(Invalid, rec, f, "%s", why)
		}
	}
}

// checkValue returns why v cannot be stored, or "".
func checkValue(v Value, depth int) string {
	switch v.Kind {
	case KindNull, KindBool, KindDate:
	case KindText:
		if !utf8.ValidString(v.Text) {
			return "invalid UTF-8"
		}
	case KindNumber:
		if math.IsNaN(v.Num) || math.IsInf(v.Num, 0) {
			return fmt.Sprintf("number %v is not finite", v.Num)
		}
	case KindGeo:
		if !(v.Geo.Lat >= -90 && v.Geo.Lat <= 90 && v.Geo.Lon >= -180 && v.Geo.Lon <= 180) {
			return fmt.Sprintf("geo point (%v, %v) out of range", v.Geo.Lat, v.Geo.Lon)
		}
	case KindList:
		if depth > 0 {
			return "lists of lists are not supported"
		}
		for _, x := range v.List {
			if why := checkValue(x, depth+1); why != "" {
				return why
			}
		}
	default:
		return fmt.Sprintf("unknown value kind %d", v.Kind)
	}
	return ""
}

func (w *writer) checkSources(ss []Source, rec string) {
	for i, s := range ss {
		f := fmt.Sprintf("sources[%d]", i)
		w.checkText(s.Document, rec, f+".document")
		if s.Document == "" {
			w.failf(Invalid, rec, f+".document", "a source must name the document entity that states the fact")
		} else {
			w.cites = append(w.cites, citeCheck{rec: rec, field: f + ".document", doc: s.Document})
		}
		w.checkText(s.Excerpt, rec, f+".excerpt")
		w.checkText(s.Locator, rec, f+".locator")
		if c := s.Confidence; c != nil && !(*c >= 0 && *c <= 1) {
			w.failf(Invalid, rec, f+".confidence", "confidence %v is not between 0 and 1", *c)
		}
		if t := s.RetrievedAt; t != nil {
			if _, err := t.MarshalBinary(); err != nil {
				w.failf(Invalid, rec, f+".retrievedAt", "cannot store this time: %v", err)
			}
		}
	}
}
