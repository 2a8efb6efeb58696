package store

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// This file says what a valid record is: the checks every entity and
// relation passes before either write path (Apply's writer, Load's loader)
// stores it, each problem recorded on the writer with the record and field
// it concerns.

// checkEntity records every problem of e.
func (w *writer) checkEntity(e *Entity, rec string) {
	w.checkEntityType(e.Type, rec)
	w.checkEntityFields(e, rec)
}

// checkEntityType records a problem with an entity's type name.
func (w *writer) checkEntityType(typ, rec string) {
	switch {
	case typ == "":
		w.failf(Invalid, rec, "type", "type is empty")
	case !utf8.ValidString(typ):
		w.failf(Invalid, rec, "type", "invalid UTF-8")
	default:
		if _, ok := w.sch.entityType(typ); !ok {
			if _, isRel := w.sch.relations[typ]; isRel {
				w.failf(Invalid, rec, "type", "%s is a relation type, not an entity type", typ)
			} else {
				w.failf(Invalid, rec, "type", "%s", w.sch.unknownEntityType(typ))
			}
		}
	}
}

// checkEntityFields records every problem of e's fields but its type.
func (w *writer) checkEntityFields(e *Entity, rec string) {
	w.checkID(e.ID, rec, true)
	switch {
	case !utf8.ValidString(e.Name):
		w.failf(Invalid, rec, "name", "invalid UTF-8")
	case strings.TrimSpace(e.Name) == "":
		w.failf(Invalid, rec, "name", "name is empty")
	case len(e.Name) > maxNameBytes:
		w.failf(Invalid, rec, "name", "name is longer than %d bytes", maxNameBytes)
	}
	w.checkText(e.Description, rec, "description")
	for _, l := range e.Labels {
		// Labels are an object keyed by language in every format but
		// GraphQL input, and sorted by language in the store, so a path
		// by position would point at the wrong label: the path is
		// labels.<lang>, as properties.<name> is.
		switch {
		case l.Lang == "":
			w.failf(Invalid, rec, "labels", "label language is empty")
			continue
		case !utf8.ValidString(l.Lang):
			w.failf(Invalid, rec, "labels", "label language is not valid UTF-8")
			continue
		}
		w.checkName(l.Value, rec, "labels."+l.Lang)
	}
	for i, a := range e.Aliases {
		w.checkName(a, rec, fmt.Sprintf("aliases[%d]", i))
	}
	w.checkProps(e.Properties, rec)
	w.checkInterval(e.ValidFrom, e.ValidTo, rec)
	w.checkSources(e.Sources, rec)
}

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

func (w *writer) checkRelation(r *Relation, rec string) {
	w.checkID(r.ID, rec, false)
	switch {
	case r.Type == "":
		w.failf(Invalid, rec, "type", "type is empty")
	case !utf8.ValidString(r.Type):
		w.failf(Invalid, rec, "type", "invalid UTF-8")
	default:
		if _, ok := w.sch.relationType(r.Type); !ok {
			if _, isEnt := w.sch.entities[r.Type]; isEnt {
				w.failf(Invalid, rec, "type", "%s is an entity type, not a relation type", r.Type)
			} else {
				w.failf(Invalid, rec, "type", "%s", w.sch.unknownRelationType(r.Type, "and swap from and to"))
			}
		}
	}
	for _, f := range []struct{ name, v string }{{"from", r.From}, {"to", r.To}} {
		switch {
		case f.v == "":
			w.failf(Invalid, rec, f.name, "%s is empty", f.name)
		case !utf8.ValidString(f.v):
			w.failf(Invalid, rec, f.name, "invalid UTF-8")
		}
	}
	w.checkProps(r.Properties, rec)
	w.checkInterval(r.ValidFrom, r.ValidTo, rec)
	w.checkSources(r.Sources, rec)
}
