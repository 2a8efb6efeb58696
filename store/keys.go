package store

// This file owns every key byte of the store. Each key starts with one
// prefix byte naming what it is; internal ids are fixed-width big-endian so
// that byte order is numeric order; a variable-length string appears only
// as the last field of a key, or terminated by 0x00 when a fixed-width field
// follows it (folded search terms never contain 0x00).

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
)

// Key prefixes. They are part of the on-disk format: never renumber one.
const (
	pMeta     byte = 0x01
	pCounter  byte = 0x02
	pTypeName byte = 0x03
	pTypeDef  byte = 0x04
	pExtID    byte = 0x05
	pNode     byte = 0x06
	pEntity   byte = 0x07
	pRelation byte = 0x08
	pOut      byte = 0x09
	pIn       byte = 0x0A
	pTypeIdx  byte = 0x0B
	pNameFull byte = 0x0C
	pNameTok  byte = 0x0D
	pLog      byte = 0x0E
	pAPIKey   byte = 0x0F
	pPropIdx  byte = 0x10
	pCite     byte = 0x11
	pTextTok  byte = 0x12
	pHist     byte = 0x13
)

// Kinds of things an external id or a type name can denote.
const (
	kindEntity   byte = 1
	kindRelation byte = 2
)

// metaKey is store-wide metadata:
//
//	0x01 | name
//
// The value depends on the name (metaFormat: the format version, one byte).
func metaKey(name string) []byte { return append([]byte{pMeta}, name...) }

const metaFormat = "format"

// formatVersion is the on-disk format this code writes and reads.
const formatVersion byte = 2 // see upgrade.go

// counter names a counter key.
type counter byte

// The counters. Each value is a big-endian uint64.
const (
	ctrNextNode     counter = 1 // the last NodeID handed out
	ctrNextRel      counter = 2 // the last RelID handed out
	ctrNextType     counter = 3 // the last TypeID handed out
	ctrEntities     counter = 4 // live entities
	ctrRelations    counter = 5 // live relations
	ctrByType       counter = 6 // live entities or relations of one type
	ctrOntologyVers counter = 7 // bumped by every ontology change
)

// counterKey is a counter:
//
//	0x02 | counter(1)                  → uint64
//	0x02 | 0x06 | typeID(4)            → uint64 (count of that type)
func counterKey(c counter) []byte { return []byte{pCounter, byte(c)} }

func typeCountKey(t TypeID) []byte {
	k := []byte{pCounter, byte(ctrByType), 0, 0, 0, 0}
	binary.BigEndian.PutUint32(k[2:], uint32(t))
	return k
}

// typeNameKey interns a type name:
//
//	0x03 | kind(1) | name              → typeID(4)
func typeNameKey(kind byte, name string) []byte {
	return append([]byte{pTypeName, kind}, name...)
}

func parseTypeNameKey(k []byte) (kind byte, name string, err error) {
	if len(k) < 3 || k[0] != pTypeName {
		return 0, "", fmt.Errorf("bad type name key %x", k)
	}
	return k[1], string(k[2:]), nil
}

// typeDefKey holds the definition of an interned type:
//
//	0x04 | typeID(4)                   → JSON typeDef
func typeDefKey(t TypeID) []byte {
	k := []byte{pTypeDef, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(k[1:], uint32(t))
	return k
}

func parseTypeDefKey(k []byte) (TypeID, error) {
	if len(k) != 5 || k[0] != pTypeDef {
		return 0, fmt.Errorf("bad type definition key %x", k)
	}
	return TypeID(binary.BigEndian.Uint32(k[1:])), nil
}

// extKey maps an external id to what it names. Entities and relations
// share this one namespace, so an id names at most one thing:
//
//	0x05 | extID                       → kind(1) | internal id(8)
func extKey(ext string) []byte { return appendExtKey(nil, ext) }

// appendExtKey appends extKey(ext) to dst (for writers that reuse a
// buffer).
// Ids are looked up in NFC, the form they are stored in.
func appendExtKey(dst []byte, ext string) []byte {
	return append(append(dst, pExtID), NormalizeID(ext)...)
}

func parseExtKey(k []byte) (string, error) {
	if len(k) < 2 || k[0] != pExtID {
		return "", fmt.Errorf("bad external id key %x", k)
	}
	return string(k[1:]), nil
}

func extValue(kind byte, id uint64) []byte { return appendExtValue(make([]byte, 0, 9), kind, id) }

func appendExtValue(dst []byte, kind byte, id uint64) []byte {
	return binary.BigEndian.AppendUint64(append(dst, kind), id)
}

func parseExtValue(v []byte) (kind byte, id uint64, err error) {
	if len(v) != 9 || (v[0] != kindEntity && v[0] != kindRelation) {
		return 0, 0, fmt.Errorf("bad external id value %x", v)
	}
	return v[0], binary.BigEndian.Uint64(v[1:]), nil
}

// nodeKey is the small per-entity record traversals read instead of the
// body: its type and external id.
//
//	0x06 | node(8)                     → typeID(4) | extID
func nodeKey(n NodeID) []byte { return idKey(pNode, uint64(n)) }

func nodeValue(t TypeID, ext string) []byte {
	return appendNodeValue(make([]byte, 0, 4+len(ext)), t, ext)
}

func appendNodeValue(dst []byte, t TypeID, ext string) []byte {
	return append(binary.BigEndian.AppendUint32(dst, uint32(t)), ext...)
}

func parseNodeValue(v []byte) (TypeID, string, error) {
	if len(v) < 5 {
		return 0, "", fmt.Errorf("bad node value %x", v)
	}
	return TypeID(binary.BigEndian.Uint32(v)), string(v[4:]), nil
}

// entityKey holds an entity body (see codec.go):
//
//	0x07 | node(8)                     → entity body
func entityKey(n NodeID) []byte { return idKey(pEntity, uint64(n)) }

// relationKey holds a relation body (see codec.go):
//
//	0x08 | rel(8)                      → relation body
func relationKey(r RelID) []byte { return idKey(pRelation, uint64(r)) }

func idKey(p byte, id uint64) []byte { return appendIDKey(make([]byte, 0, 9), p, id) }

// appendIDKey appends the key of prefix p and internal id to dst.
func appendIDKey(dst []byte, p byte, id uint64) []byte {
	return binary.BigEndian.AppendUint64(append(dst, p), id)
}

func parseIDKey(p byte, k []byte) (uint64, error) {
	if len(k) != 9 || k[0] != p {
		return 0, fmt.Errorf("bad key %x for prefix %#x", k, p)
	}
	return binary.BigEndian.Uint64(k[1:]), nil
}

// Adjacency keys: one per relation in each direction, so that the
// neighbours of a node by direction and relation type are one key-only
// prefix scan.
//
//	0x09 | from(8) | relType(4) | to(8)   | rel(8)   → adjacency value
//	0x0A | to(8)   | relType(4) | from(8) | rel(8)   → adjacency value
//
// The value carries what traversals filter on, so that no body is read:
//
//	otherType(4) | validFrom(5) | validTo(5)
//
// where otherType is the entity type of the node in the third field (the
// far end from the node the key is filed under) and a date is
// precision(1) | year(2) | month(1) | day(1), all zero when unset.
//
// A symmetric relation is stored once with from < to (by external id) and
// found from both ends by scanning both directions.
const (
	adjKeyLen    = 1 + 8 + 4 + 8 + 8
	adjValueLen  = 4 + 5 + 5
	adjPrefixLen = 1 + 8
)

// adjKey appends the adjacency key of direction prefix dir (pOut or pIn) to
// dst and returns it.
func adjKey(dst []byte, dir byte, self NodeID, t TypeID, other NodeID, r RelID) []byte {
	dst = append(dst, dir)
	dst = binary.BigEndian.AppendUint64(dst, uint64(self))
	dst = binary.BigEndian.AppendUint32(dst, uint32(t))
	dst = binary.BigEndian.AppendUint64(dst, uint64(other))
	return binary.BigEndian.AppendUint64(dst, uint64(r))
}

// adjPrefix appends the prefix of all of self's keys in direction dir.
func adjPrefix(dst []byte, dir byte, self NodeID) []byte {
	dst = append(dst, dir)
	return binary.BigEndian.AppendUint64(dst, uint64(self))
}

// adjTypePrefix appends the prefix of self's keys of one relation type.
func adjTypePrefix(dst []byte, dir byte, self NodeID, t TypeID) []byte {
	return binary.BigEndian.AppendUint32(adjPrefix(dst, dir, self), uint32(t))
}

// adjEntry is a decoded adjacency key.
type adjEntry struct {
	dir   byte
	self  NodeID
	typ   TypeID
	other NodeID
	rel   RelID
}

func parseAdjKey(k []byte) (adjEntry, bool) {
	if len(k) != adjKeyLen || (k[0] != pOut && k[0] != pIn) {
		return adjEntry{}, false
	}
	return adjEntry{
		dir:   k[0],
		self:  NodeID(binary.BigEndian.Uint64(k[1:])),
		typ:   TypeID(binary.BigEndian.Uint32(k[9:])),
		other: NodeID(binary.BigEndian.Uint64(k[13:])),
		rel:   RelID(binary.BigEndian.Uint64(k[21:])),
	}, true
}

// key re-encodes e.
func (e adjEntry) key() []byte { return adjKey(nil, e.dir, e.self, e.typ, e.other, e.rel) }

// mirror returns the key of the same relation filed under the other end.
func (e adjEntry) mirror() adjEntry {
	d := pIn
	if e.dir == pIn {
		d = pOut
	}
	return adjEntry{dir: d, self: e.other, typ: e.typ, other: e.self, rel: e.rel}
}

// adjValue is the value of an adjacency key (see above).
type adjValue struct {
	otherType TypeID
	validFrom Date
	validTo   Date
}

func (v adjValue) encode() []byte { return v.append(make([]byte, 0, adjValueLen)) }

// append appends the encoded value to dst.
func (v adjValue) append(dst []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(v.otherType))
	var d [10]byte
	putDate(d[:5], v.validFrom)
	putDate(d[5:], v.validTo)
	return append(dst, d[:]...)
}

func parseAdjValue(b []byte) (adjValue, bool) {
	if len(b) != adjValueLen {
		return adjValue{}, false
	}
	from, ok1 := getDate(b[4:])
	to, ok2 := getDate(b[9:])
	return adjValue{otherType: TypeID(binary.BigEndian.Uint32(b)), validFrom: from, validTo: to}, ok1 && ok2
}

func putDate(b []byte, d Date) {
	b[0] = byte(d.precision)
	binary.BigEndian.PutUint16(b[1:], uint16(d.year))
	b[3] = d.month
	b[4] = d.day
}

// getDate decodes a date written by putDate; ok is false for bytes that are
// no valid date.
func getDate(b []byte) (Date, bool) {
	d := Date{precision: Precision(b[0]), year: int16(binary.BigEndian.Uint16(b[1:])), month: b[3], day: b[4]}
	switch {
	case d.precision == PrecisionNone:
		return Date{}, d.year == 0 && d.month == 0 && d.day == 0
	case d.precision > PrecisionDay, d.year < 0 || d.year > 9999:
		return Date{}, false
	case d.precision == PrecisionYear:
		return d, d.month == 0 && d.day == 0
	case d.month < 1 || d.month > 12:
		return Date{}, false
	case d.precision == PrecisionMonth:
		return d, d.day == 0
	}
	return d, d.day >= 1 && int(d.day) <= daysIn(int(d.year), int(d.month))
}

// typeIdxKey lists the entities or relations of one type in external id
// order (type ids are one namespace for both kinds):
//
//	0x0B | typeID(4) | extID           → internal id(8)
func typeIdxKey(t TypeID, ext string) []byte {
	return appendTypeIdxKey(make([]byte, 0, 5+len(ext)), t, ext)
}

func appendTypeIdxKey(dst []byte, t TypeID, ext string) []byte {
	return append(binary.BigEndian.AppendUint32(append(dst, pTypeIdx), uint32(t)), ext...)
}

func typeIdxPrefix(t TypeID) []byte { return typeIdxKey(t, "") }

func parseTypeIdxKey(k []byte) (TypeID, string, error) {
	if len(k) < 6 || k[0] != pTypeIdx {
		return 0, "", fmt.Errorf("bad type index key %x", k)
	}
	return TypeID(binary.BigEndian.Uint32(k[1:])), string(k[5:]), nil
}

func uint64Value(x uint64) []byte { return binary.BigEndian.AppendUint64(nil, x) }

func parseUint64(v []byte) (uint64, error) {
	if len(v) != 8 {
		return 0, fmt.Errorf("bad uint64 value %x", v)
	}
	return binary.BigEndian.Uint64(v), nil
}

// Name index: folded search terms (see terms.go) of an entity's name,
// labels and aliases. pNameFull holds each whole folded string, pNameTok
// each token; the term is terminated by 0x00 so that the node id after it
// is unambiguous and an exact term sorts before its longer extensions.
//
//	0x0C | term | 0x00 | node(8)       → name value
//	0x0D | term | 0x00 | node(8)       → name value
//
// The value carries what ranking and filtering need without reading the
// body:
//
//	typeID(4) | nameLen(4) | extID
//
// where nameLen is the length in bytes of the entity's folded name.
func nameKey(p byte, term string, n NodeID) []byte {
	k := make([]byte, 0, len(term)+10)
	k = append(k, p)
	k = append(k, term...)
	k = append(k, 0)
	return binary.BigEndian.AppendUint64(k, uint64(n))
}

// namePrefix is the prefix of every term that starts with term.
func namePrefix(p byte, term string) []byte { return append([]byte{p}, term...) }

// nameExactPrefix is the prefix of the entries of exactly term.
func nameExactPrefix(p byte, term string) []byte { return append(namePrefix(p, term), 0) }

func parseNameKey(k []byte) (p byte, term string, n NodeID, err error) {
	if len(k) < 10 || (k[0] != pNameFull && k[0] != pNameTok && k[0] != pTextTok) || k[len(k)-9] != 0 {
		return 0, "", 0, fmt.Errorf("bad name key %x", k)
	}
	t := k[1 : len(k)-9]
	if bytes.IndexByte(t, 0) >= 0 {
		return 0, "", 0, fmt.Errorf("bad name key %x: term contains 0x00", k)
	}
	return k[0], string(t), NodeID(binary.BigEndian.Uint64(k[len(k)-8:])), nil
}

// nameValue is the value of a name index key.
type nameValue struct {
	typ     TypeID
	nameLen uint32
	ext     string
}

func (v nameValue) encode() []byte {
	b := make([]byte, 8, 8+len(v.ext))
	binary.BigEndian.PutUint32(b, uint32(v.typ))
	binary.BigEndian.PutUint32(b[4:], v.nameLen)
	return append(b, v.ext...)
}

func parseNameValue(b []byte) (nameValue, error) {
	if len(b) < 9 {
		return nameValue{}, fmt.Errorf("bad name value %x", b)
	}
	return nameValue{
		typ:     TypeID(binary.BigEndian.Uint32(b)),
		nameLen: binary.BigEndian.Uint32(b[4:]),
		ext:     string(b[8:]),
	}, nil
}

// Text index: the folded tokens of an entity's description and of the
// excerpts of its sources that its name index does not already hold,
// laid out as the name index and with the same value:
//
//	0x12 | term | 0x00 | node(8)       → name value

// Citation index: one entry per source of an entity or relation, filed
// under the document it cites, so that the facts citing a document are
// one prefix scan. The document id is an external id, which never holds
// 0x00 (ids refuse control characters), so it is terminated by one;
// index is the source's position in the record's list of sources. The
// value is the citing record's external id, so that naming the facts that
// cite a document reads no body.
//
//	0x11 | docExtID | 0x00 | kind(1) | id(8) | index(4)   → extID
func citeKey(doc string, kind byte, id uint64, index int) []byte {
	k := make([]byte, 0, len(doc)+15)
	k = append(citePrefix(k, doc), kind)
	k = binary.BigEndian.AppendUint64(k, id)
	return binary.BigEndian.AppendUint32(k, uint32(index))
}

// citePrefix appends the prefix of every citation of doc to dst.
func citePrefix(dst []byte, doc string) []byte {
	return append(append(append(dst, pCite), doc...), 0)
}

// citation is a decoded citation index key.
type citation struct {
	doc   string
	kind  byte
	id    uint64
	index int
}

func parseCiteKey(k []byte) (citation, error) {
	const tail = 1 + 1 + 8 + 4 // 0x00, kind, id, index
	if len(k) < 1+1+tail || k[0] != pCite || k[len(k)-tail] != 0 {
		return citation{}, fmt.Errorf("bad citation key %x", k)
	}
	doc := k[1 : len(k)-tail]
	if bytes.IndexByte(doc, 0) >= 0 {
		return citation{}, fmt.Errorf("bad citation key %x: document id contains 0x00", k)
	}
	kind := k[len(k)-tail+1]
	if kind != kindEntity && kind != kindRelation {
		return citation{}, fmt.Errorf("bad citation key %x: kind %d", k, kind)
	}
	return citation{
		doc:   string(doc),
		kind:  kind,
		id:    binary.BigEndian.Uint64(k[len(k)-12:]),
		index: int(binary.BigEndian.Uint32(k[len(k)-4:])),
	}, nil
}

// logKey is the change-log record of the commit at ts (see ChangeRecord);
// the backend writes it atomically with the commit:
//
//	0x0E | ts(8)                       → JSON ChangeRecord
func logKey(ts uint64) []byte { return idKey(pLog, ts) }

func parseLogKey(k []byte) (uint64, error) { return parseIDKey(pLog, k) }

// History kinds: what the id of a history key names. Entity and relation
// ids share a namespace, type names have their own.
const (
	histEntity       byte = 1
	histRelation     byte = 2
	histEntityType   byte = 3
	histRelationType byte = 4
)

// histKey says that the commit right after prev (see ChangeRecord.Prev)
// changed the record id of kind, so that the history of one record is a
// prefix scan instead of a scan of the whole log. The writer does not know
// its own commit timestamp, but it knows the commit it read at, and
// writers are serialized: the first change-log record after prev is the
// one. Ids never contain 0x00 (control characters are refused):
//
//	0x13 | kind(1) | id | 0x00 | prev(8)   → op(1)
func histKey(kind byte, id string, prev uint64) []byte {
	k := make([]byte, 0, len(id)+11)
	k = append(append(append(k, pHist, kind), id...), 0)
	return binary.BigEndian.AppendUint64(k, prev)
}

// histPrefix is the prefix of every history key of one record.
func histPrefix(kind byte, id string) []byte {
	return append(append([]byte{pHist, kind}, id...), 0)
}

func parseHistKey(k []byte) (kind byte, id string, prev uint64, err error) {
	if len(k) < 11 || k[0] != pHist || k[len(k)-9] != 0 {
		return 0, "", 0, fmt.Errorf("bad history key %x", k)
	}
	id = string(k[2 : len(k)-9])
	if strings.IndexByte(id, 0) >= 0 || k[1] < histEntity || k[1] > histRelationType {
		return 0, "", 0, fmt.Errorf("bad history key %x", k)
	}
	return k[1], id, binary.BigEndian.Uint64(k[len(k)-8:]), nil
}

// History key values: how the commit changed the record.
const (
	histCreate byte = 'c'
	histUpdate byte = 'u'
	histDelete byte = 'd'
	histLoad   byte = 'l'
)

// apiKeyKey is an API key, by its name (see apikey.go); the token itself
// is never stored, only its SHA-256:
//
//	0x0F | name                        → JSON apiKeyRecord
func apiKeyKey(name string) []byte { return append([]byte{pAPIKey}, name...) }

func parseAPIKeyKey(k []byte) (string, error) {
	if len(k) < 2 || k[0] != pAPIKey {
		return "", fmt.Errorf("bad API key key %x", k)
	}
	return string(k[1:]), nil
}

// propIdxKey is one entry of a property index (propindex.go): one per
// distinct value (each element of a list) of an indexed property of an
// entity or relation of the type:
//
//	0x10 | typeID(4) | key | 0x00 0x01 | value | extID   → internal id(8)
//
// key is escaped as appendOrderedString escapes it (0x00 as 0x00 0xFF), so
// the terminator is unambiguous; value is appendOrderedValue's encoding,
// which is prefix-free, so byte order within one key is value order, then
// external id order.
func propIdxKey(t TypeID, key string, value Value, ext string) []byte {
	return append(appendOrderedValue(propIdxPrefix(t, key), value), ext...)
}

// propIdxPrefix is the prefix of every entry of the index of key on t.
func propIdxPrefix(t TypeID, key string) []byte {
	k := binary.BigEndian.AppendUint32([]byte{pPropIdx}, uint32(t))
	return appendOrderedString(k, key)
}

// propIdxTypePrefix is the prefix of every property index entry of t.
func propIdxTypePrefix(t TypeID) []byte {
	return binary.BigEndian.AppendUint32([]byte{pPropIdx}, uint32(t))
}
