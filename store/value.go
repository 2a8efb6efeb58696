package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// This file holds typed property values (Value, Properties) and their
// conversion from and to JSON.

// Kind is the type of a property Value.
type Kind uint8

// The kinds of property values.
const (
	KindNull Kind = iota
	KindText
	KindNumber
	KindBool
	KindDate
	KindGeo
	KindList
)

// String names the kind as exports declare it.
func (k Kind) String() string {
	return [...]string{"null", "text", "number", "bool", "date", "geo", "list"}[k]
}

// GeoPoint is a WGS 84 coordinate in degrees.
type GeoPoint struct {
	Lat float64
	Lon float64
}

// Value is a typed property value: text, number, boolean, partial date,
// geo point, or a list of values.
//
// In JSON a Value is a string, number, boolean or array; a date is
// {"date":"2017-07"} and a geo point {"lat":52.22,"lon":6.89}, so that the
// type survives a round trip through any JSON-speaking tool.
type Value struct {
	Kind Kind
	Text string
	Num  float64
	Bool bool
	Date Date
	Geo  GeoPoint
	List []Value
}

// Text returns a text Value.
func Text(s string) Value { return Value{Kind: KindText, Text: s} }

// Number returns a number Value.
func Number(f float64) Value { return Value{Kind: KindNumber, Num: f} }

// Bool returns a boolean Value.
func Bool(b bool) Value { return Value{Kind: KindBool, Bool: b} }

// DateValue returns a date Value.
func DateValue(d Date) Value { return Value{Kind: KindDate, Date: d} }

// Geo returns a geo point Value.
func Geo(lat, lon float64) Value { return Value{Kind: KindGeo, Geo: GeoPoint{lat, lon}} }

// List returns a list Value.
func List(vs ...Value) Value { return Value{Kind: KindList, List: vs} }

// Properties maps property names to values.
type Properties map[string]Value

// Keys returns the property names in sorted order, for stable output.
func (p Properties) Keys() []string {
	ks := make([]string, 0, len(p))
	for k := range p {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Any returns v as plain Go values (string, float64, bool, the date string,
// map[string]any{"lat","lon"}, []any) for JSON-ish consumers.
func (v Value) Any() any {
	switch v.Kind {
	case KindText:
		return v.Text
	case KindNumber:
		return v.Num
	case KindBool:
		return v.Bool
	case KindDate:
		return map[string]any{"date": v.Date.String()}
	case KindGeo:
		return map[string]any{"lat": v.Geo.Lat, "lon": v.Geo.Lon}
	case KindList:
		out := make([]any, len(v.List))
		for i, e := range v.List {
			out[i] = e.Any()
		}
		return out
	}
	return nil
}

// Any returns the properties as a map of plain Go values.
func (p Properties) Any() map[string]any {
	out := make(map[string]any, len(p))
	for k, v := range p {
		out[k] = v.Any()
	}
	return out
}

// ValueOf converts a plain Go value, as decoded from JSON, into a Value.
// Objects other than the date and geo forms are refused with an Invalid
// error.
func ValueOf(x any) (Value, error) {
	switch x := x.(type) {
	case nil:
		return Value{}, nil
	case string:
		return Text(x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return Value{}, Errorf(Invalid, "number %v is not finite", x)
		}
		return Number(x), nil
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return Value{}, Errorf(Invalid, "number %s out of range", x)
		}
		return Number(f), nil
	case int:
		return Number(float64(x)), nil
	case int64:
		return Number(float64(x)), nil
	case bool:
		return Bool(x), nil
	case []any:
		vs := make([]Value, len(x))
		for i, e := range x {
			v, err := ValueOf(e)
			if err != nil {
				return Value{}, err
			}
			if v.Kind == KindList {
				return Value{}, Errorf(Invalid, "lists of lists are not supported")
			}
			vs[i] = v
		}
		return List(vs...), nil
	case map[string]any:
		if ds, ok := x["date"].(string); ok && len(x) == 1 {
			d, err := ParseDate(ds)
			if err != nil {
				return Value{}, err
			}
			return DateValue(d), nil
		}
		lat, okLat := number(x["lat"])
		lon, okLon := number(x["lon"])
		if okLat && okLon && len(x) == 2 {
			if lat < -90 || lat > 90 || lon < -180 || lon > 180 {
				return Value{}, Errorf(Invalid, "geo point (%v, %v) out of range", lat, lon)
			}
			return Geo(lat, lon), nil
		}
		return Value{}, Errorf(Invalid, `object values must be {"date":"YYYY[-MM[-DD]]"} or {"lat":..,"lon":..}`)
	}
	return Value{}, Errorf(Invalid, "unsupported value of type %T", x)
}

func number(x any) (float64, bool) {
	switch x := x.(type) {
	case float64:
		return x, true
	case int:
		// GraphQL literals such as {lat: 52, lon: 7} arrive as integers.
		return float64(x), true
	case int64:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

// MarshalJSON writes v in the JSON form described on Value.
func (v Value) MarshalJSON() ([]byte, error) { return json.Marshal(v.Any()) }

// UnmarshalJSON reads v from the JSON form described on Value.
func (v *Value) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return fmt.Errorf("decode value: %w", err)
	}
	val, err := ValueOf(x)
	if err != nil {
		return err
	}
	*v = val
	return nil
}
