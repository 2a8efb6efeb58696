package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
)

// This file holds the orders of lists: the sort key an Order makes of a
// record, encoded so that byte order is the order asked for, and the
// check that a cursor belongs to the same order.

// OrderField is what an Order sorts by.
type OrderField uint8

// The fields a list can be ordered by.
const (
	OrderID OrderField = iota
	OrderName
	OrderValidFrom
	OrderValidTo
	OrderDegree
	OrderProperty
)

// String returns the GraphQL name of f.
func (f OrderField) String() string {
	return [...]string{"ID", "NAME", "VALID_FROM", "VALID_TO", "DEGREE", "PROPERTY"}[f]
}

// Order is one sort key of a list: a field (a property when By is
// OrderProperty, named by Key), ascending unless Desc. A list ordered by
// several is sorted by the first, ties by the next, and remaining ties by
// id, so that the order is total and stable.
type Order struct {
	By   OrderField
	Key  string
	Desc bool
}

// sortKey builds the byte string a record sorts by under a list of
// orders: the concatenation of an order-preserving, prefix-free encoding of
// each field (its bytes inverted when descending), then the id. Comparing
// keys as bytes compares records, and a page's cursor is the key of its
// last record, so a cursor stays a valid position whatever changes.
//
// A missing value (no property, an unset date) sorts last whichever the
// direction: its presence byte is never inverted.
type sortKey struct {
	orders []Order
	tag    []byte // 'o' and a hash of the orders, so that a cursor of another order is refused
}

// cursorTagOrdered starts every cursor of an explicitly ordered list.
const cursorTagOrdered = 'o'

// newSortKey checks orders: PROPERTY needs a key and the others none;
// entity says whether the list is of entities (or of relations whose far
// end is known, neighbour says so), which NAME and DEGREE need. Errors:
// Invalid, naming the orderBy argument.
func newSortKey(orders []Order, entity bool) (*sortKey, error) {
	h := fnv.New32a()
	for i, o := range orders {
		bad := func(format string, args ...any) error {
			return &Error{Code: Invalid, Field: "orderBy", Message: fmt.Sprintf("orderBy[%d]: ", i) + fmt.Sprintf(format, args...)}
		}
		if o.By > OrderProperty {
			return nil, bad("unknown field %d", o.By)
		}
		switch {
		case o.By == OrderProperty && o.Key == "":
			return nil, bad("PROPERTY needs the key of the property")
		case o.By != OrderProperty && o.Key != "":
			return nil, bad("key is only for PROPERTY, not %s", o.By)
		case !entity && (o.By == OrderName || o.By == OrderDegree):
			return nil, bad("%s orders entities; these relations have no entity at their other end to order by (give id)", o.By)
		}
		fmt.Fprintf(h, "%d\x00%s\x00%t\x00", o.By, o.Key, o.Desc)
	}
	return &sortKey{orders: orders, tag: binary.BigEndian.AppendUint32([]byte{cursorTagOrdered}, h.Sum32())}, nil
}

// sortable is what a sort key reads of one item of a list.
type sortable struct {
	id     string
	name   string // of the entity that NAME orders by
	degree int    // of the entity that DEGREE orders by
	rec    record
	tieID  string // a second id to break ties after id (a relation's, in a list of neighbours); may be ""
}

// key returns the sort key of s.
func (k *sortKey) key(s sortable) []byte {
	b := bytes.Clone(k.tag)
	for _, o := range k.orders {
		start := len(b)
		switch o.By {
		case OrderID:
			b = append(b, 1)
			b = appendOrderedString(b, s.id)
		case OrderName:
			b = append(b, 1)
			b = appendOrderedString(b, fold(s.name))
		case OrderValidFrom, OrderValidTo:
			d := s.rec.validFrom
			if o.By == OrderValidTo {
				d = s.rec.validTo
			}
			if d.IsZero() {
				b = append(b, 2)
				continue
			}
			b = append(b, 1)
			b = appendOrderedDate(b, d)
		case OrderDegree:
			b = append(b, 1)
			b = binary.BigEndian.AppendUint64(b, uint64(s.degree))
		case OrderProperty:
			v, ok := s.rec.props[o.Key]
			if ok && v.Kind == KindList {
				// A list sorts by its first element.
				ok = len(v.List) > 0
				if ok {
					v = v.List[0]
				}
			}
			if !ok || v.Kind == KindNull {
				b = append(b, 2)
				continue
			}
			b = append(b, 1)
			b = appendOrderedValue(b, v)
		}
		if o.Desc {
			for i := start + 1; i < len(b); i++ {
				b[i] = ^b[i]
			}
		}
	}
	b = appendOrderedString(b, s.id)
	return appendOrderedString(b, s.tieID)
}

// checkCursor returns an Invalid error when after is not a cursor of this
// order.
func (k *sortKey) checkCursor(after []byte) error {
	if after != nil && !bytes.HasPrefix(after, k.tag) {
		return &Error{Code: Invalid, Field: "after", Message: "the cursor belongs to a list in another order"}
	}
	return nil
}

// appendOrderedString appends s so that byte order is string order and no
// encoding is a prefix of another: 0x00 is escaped as 0x00 0xFF and the
// string ends with 0x00 0x01.
func appendOrderedString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		b = append(b, s[i])
		if s[i] == 0 {
			b = append(b, 0xFF)
		}
	}
	return append(b, 0, 1)
}

// appendOrderedFloat appends f so that byte order is numeric order: the
// IEEE bits with the sign bit flipped for positives and all bits flipped
// for negatives.
func appendOrderedFloat(b []byte, f float64) []byte {
	if f == 0 {
		f = 0 // -0 sorts with 0
	}
	u := math.Float64bits(f)
	if u&(1<<63) != 0 {
		u = ^u
	} else {
		u |= 1 << 63
	}
	return binary.BigEndian.AppendUint64(b, u)
}

// appendOrderedDate appends d as Date.Compare orders it: by first day,
// then coarser before finer.
func appendOrderedDate(b []byte, d Date) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(d.First()))
	return append(b, byte(d.precision))
}

// Kind ranks of appendOrderedValue: values of different kinds order by
// kind, numbers first.
const (
	rankNumber byte = 1
	rankDate   byte = 2
	rankText   byte = 3
	rankBool   byte = 4
	rankGeo    byte = 5
)

// appendOrderedValue appends a scalar value (not a list) so that byte
// order is the order of values: by kind, then numbers numerically, dates
// as Date.Compare, text folded, false before true, geo points by latitude
// then longitude.
func appendOrderedValue(b []byte, v Value) []byte {
	switch v.Kind {
	case KindNumber:
		return appendOrderedFloat(append(b, rankNumber), v.Num)
	case KindDate:
		return appendOrderedDate(append(b, rankDate), v.Date)
	case KindText:
		return appendOrderedString(append(b, rankText), fold(v.Text))
	case KindBool:
		if v.Bool {
			return append(b, rankBool, 1)
		}
		return append(b, rankBool, 0)
	case KindGeo:
		return appendOrderedFloat(appendOrderedFloat(append(b, rankGeo), v.Geo.Lat), v.Geo.Lon)
	}
	return b
}
