package store

import (
	"hash/maphash"
	"unsafe"
)

// entityTable is the load's table of the source's entities: what it keeps
// of each (loadEntity) under its id, in the order the ids first appeared.
//
// It replaces a map[string]loadEntity, which cost about 80 bytes per
// entity plus the id's own allocation, and a string pointer per entity
// for the garbage collector to follow on every cycle of a load that
// allocates a great deal: at 10M relations (3.3M entities) the map was
// the part of the load's memory that grew with the input. Here nothing
// holds a pointer per entity: the ids are packed into pages of bytes, the
// rows are fixed-size structs in blocks, and the index is an open
// addressing table of uint64 slots (a 32-bit tag of the id's hash beside
// the row's number), so the collector scans none of it and an entity
// costs its 48-byte row, its id's bytes and 8 to 16 bytes of index.
//
// Iteration follows the order of first appearance, so what a load
// derives by walking the table (the node ids it allocates) no longer
// depends on the map's random order. Not safe for concurrent use.
type entityTable struct {
	seed  maphash.Seed
	slots []uint64 // tag<<32 | row+1; 0 is empty
	rows  [][]entityRow
	pages [][]byte // ids of at most maxPagedID bytes, never moved once written
	long  []string // longer ids, which no valid record has
	n     int
	// idBytes is the length of the ids kept.
	idBytes int
}

type entityRow struct {
	le loadEntity
	id uint64 // where the id is: see entityTable.idOf
}

const (
	entityPageBytes = 1 << 20
	entityRowsShift = 13 // rows per block: 8,192 (384 KiB)
	entityRowsMask  = 1<<entityRowsShift - 1
	// maxPagedID is the longest id kept in the pages: its length is the
	// low 16 bits of a row's id.
	maxPagedID = 4096
	longID     = 1 << 63 // a row's id is an index into long
)

func newEntityTable() *entityTable {
	return &entityTable{seed: maphash.MakeSeed(), slots: make([]uint64, 1024)}
}

// len returns the number of entities.
func (t *entityTable) len() int { return t.n }

// get returns what the table holds under id.
func (t *entityTable) get(id string) (loadEntity, bool) {
	i, _ := t.find(id, maphash.String(t.seed, id))
	if i < 0 {
		return loadEntity{}, false
	}
	return t.row(i).le, true
}

// has reports whether id is an entity of the table.
func (t *entityTable) has(id string) bool {
	i, _ := t.find(id, maphash.String(t.seed, id))
	return i >= 0
}

// put sets what the table holds under id; a new id goes last in the
// order of iteration, a known one keeps its place.
func (t *entityTable) put(id string, le loadEntity) {
	h := maphash.String(t.seed, id)
	i, slot := t.find(id, h)
	if i >= 0 {
		t.row(i).le = le
		return
	}
	if (t.n+1)*4 > len(t.slots)*3 {
		t.grow()
		_, slot = t.find(id, h)
	}
	i = t.n
	if i&entityRowsMask == 0 {
		t.rows = append(t.rows, make([]entityRow, 1<<entityRowsShift))
	}
	*t.row(i) = entityRow{le: le, id: t.keep(id)}
	t.slots[slot] = h>>32<<32 | uint64(i+1)
	t.n++
}

// at returns the id and entity of the i-th entity, in the order of first
// appearance. The id shares the table's memory: it stays valid, and
// unchanged, as long as the table.
func (t *entityTable) at(i int) (string, loadEntity) {
	r := t.row(i)
	return t.idOf(r.id), r.le
}

// set replaces what the table holds for the i-th entity.
func (t *entityTable) set(i int, le loadEntity) { t.row(i).le = le }

func (t *entityTable) row(i int) *entityRow {
	return &t.rows[i>>entityRowsShift][i&entityRowsMask]
}

// find returns the row of id, whose hash is h, or -1 and the empty slot
// where it would go.
func (t *entityTable) find(id string, h uint64) (int, int) {
	mask := uint64(len(t.slots) - 1)
	tag := h >> 32
	for p := h & mask; ; p = (p + 1) & mask {
		s := t.slots[p]
		if s == 0 {
			return -1, int(p)
		}
		if s>>32 == tag {
			i := int(uint32(s)) - 1
			if t.idOf(t.row(i).id) == id {
				return i, int(p)
			}
		}
	}
}

// touch reads the first index slot of id, and the row and first byte of
// the id it names if its tag is id's: the loads a lookup of id starts
// with. Its result means nothing.
func (t *entityTable) touch(id string) byte {
	h := maphash.String(t.seed, id)
	s := t.slots[h&uint64(len(t.slots)-1)]
	if s == 0 || s>>32 != h>>32 {
		return byte(s)
	}
	ref := t.row(int(uint32(s)) - 1).id
	if ref&longID != 0 || ref&0xffff == 0 {
		return byte(ref)
	}
	off := ref >> 16
	return t.pages[off/entityPageBytes][off%entityPageBytes]
}

// grow doubles the index, rehashing the ids from the pages.
func (t *entityTable) grow() {
	slots := make([]uint64, 2*len(t.slots))
	mask := uint64(len(slots) - 1)
	for i := range t.n {
		h := maphash.String(t.seed, t.idOf(t.row(i).id))
		p := h & mask
		for slots[p] != 0 {
			p = (p + 1) & mask
		}
		slots[p] = h>>32<<32 | uint64(i+1)
	}
	t.slots = slots
}

// keep copies id into the table and returns where it is.
func (t *entityTable) keep(id string) uint64 {
	t.idBytes += len(id)
	if len(id) > maxPagedID {
		t.long = append(t.long, id)
		return longID | uint64(len(t.long)-1)
	}
	if len(t.pages) == 0 || cap(t.pages[len(t.pages)-1])-len(t.pages[len(t.pages)-1]) < len(id) {
		t.pages = append(t.pages, make([]byte, 0, entityPageBytes))
	}
	p := len(t.pages) - 1
	off := uint64(p)*entityPageBytes + uint64(len(t.pages[p]))
	t.pages[p] = append(t.pages[p], id...)
	return off<<16 | uint64(len(id))
}

// idOf returns the id kept at ref. Ids in the pages are strings over the
// page's bytes: a page is filled once, within its capacity, and never
// written again, so they stay valid and immutable, and reading an id
// (every lookup compares one) allocates nothing.
func (t *entityTable) idOf(ref uint64) string {
	if ref&longID != 0 {
		return t.long[ref&^longID]
	}
	n := int(ref & 0xffff)
	if n == 0 {
		return ""
	}
	off := ref >> 16
	p := t.pages[off/entityPageBytes]
	return unsafe.String(&p[off%entityPageBytes], n)
}

// bytes returns about how much memory the table's entities take: a row,
// two index slots (the index is from half to three quarters full) and
// the id's bytes each.
func (t *entityTable) bytes() int {
	return t.n*(int(unsafe.Sizeof(entityRow{}))+16) + t.idBytes
}
