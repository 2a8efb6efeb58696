package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"

	"github.com/ties-graph/ties/store/kv"
)

// This file holds the sequential proof that a store is sound, which Check
// runs first (scanCheck, below).

// scanCheck decides in one sequential pass over the store whether Check's
// detailed walk would find anything, without a point read per key (that
// walk did about ten per relation: 36 minutes at 10 million relations,
// the reads landing all over a store larger than the block cache).
//
// Every index entry of the store is a function of one body (index.go):
// so the multiset of index entries the store holds must equal the
// multiset of entries its entity and relation bodies imply. The pass adds
// a keyed 64-bit hash of each (key, value) it meets in an index family to
// one sum, and of each entry a body implies to another; equal sums and
// counts mean equal multisets, up to a chance of 2^-64 with a seed drawn
// afresh per check. A missing, stale, extra or wrong entry changes one
// sum and not the other. What an entry of a body needs from elsewhere
// comes from the node records, which sort before every body (prefix 0x06
// against 0x07 and 0x08): their types and a hash of their external ids,
// kept in two arrays indexed by node id (12 bytes per node, bounded by
// the next-node counter), and the hashes of the ids of Documents, which
// citations must name. The rest of the detailed checks (decoding, types,
// canonical order, counters, metadata, change log) are made as the
// detailed walk makes them, on the key at hand.
//
// sound is true when nothing is amiss; otherwise the detailed walk runs
// and names the problems, so Check's findings are the same either way.
func scanCheck(ctx context.Context, tx kv.Txn, sch *schema) (sound bool, err error) {
	c := &checker{tx: tx, sch: sch, byType: map[TypeID]int64{}}
	sc := &scanChecker{c: c, seed: maphash.MakeSeed(), docs: map[uint64]struct{}{}}
	sc.doc, _ = sch.entityType(documentType)
	sc.x.sink = (*impliedSink)(sc)
	sc.x.indexed = sch.indexed
	v, err := tx.Get(counterKey(ctrNextNode))
	switch {
	case errors.Is(err, kv.ErrNotFound):
	case err != nil:
		return false, fmt.Errorf("next node counter: %w", err)
	default:
		if sc.maxNode, err = parseUint64(v); err != nil {
			return false, nil
		}
	}
	if err := c.walk(ctx, sc); err != nil {
		return false, err
	}
	return !sc.amiss && len(c.problems) == 0 && sc.held == sc.implied && sc.nheld == sc.nimplied, nil
}

// scanChecker is the recordChecker of scanCheck.
type scanChecker struct {
	c    *checker // counts, as the detailed walk keeps them
	seed maphash.Seed
	h    maphash.Hash
	// held and implied are the sums of the hashes of the index entries
	// the store holds and of those its bodies imply; nheld and nimplied
	// count them.
	held, implied   uint64
	nheld, nimplied int64
	// amiss is set by anything the detailed walk would report.
	amiss bool
	// nodeType and nodeExt hold, by node id, the type (0: no node) and
	// the hash of the external id of each node record.
	nodeType []TypeID
	nodeExt  []uint64
	maxNode  uint64
	doc      TypeID
	docs     map[uint64]struct{} // hashes of the ids of Documents
	x        indexer             // writes a body's entries to impliedSink
}

var _ recordChecker = (*scanChecker)(nil)

func (sc *scanChecker) entryHash(k, v []byte) uint64 {
	sc.h.SetSeed(sc.seed)
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(k)))
	sc.h.Write(n[:])
	sc.h.Write(k)
	sc.h.Write(v)
	return sc.h.Sum64()
}

func (sc *scanChecker) idHash(id string) uint64 { return maphash.String(sc.seed, id) }

// hold adds an entry the store holds.
func (sc *scanChecker) hold(k, v []byte) {
	sc.held += sc.entryHash(k, v)
	sc.nheld++
}

// impliedSink is the indexSink through which bodies add the entries they
// imply; the body itself is the entry being read, and is left out.
type impliedSink scanChecker

func (s *impliedSink) set(k, v []byte) error {
	if k[0] == pEntity || k[0] == pRelation {
		return nil
	}
	sc := (*scanChecker)(s)
	sc.implied += sc.entryHash(k, v)
	sc.nimplied++
	return nil
}
func (s *impliedSink) del([]byte) error        { return nil }
func (s *impliedSink) typeCount(TypeID, int64) {}

func (sc *scanChecker) ext(k, v []byte) error {
	sc.hold(k, v)
	kind, _, err := parseExtValue(v)
	switch {
	case err != nil:
		sc.amiss = true
	case kind == kindEntity:
		sc.c.entities++
	default:
		sc.c.relations++
	}
	return nil
}

func (sc *scanChecker) node(k, v []byte) error {
	sc.hold(k, v)
	n, err := parseIDKey(pNode, k)
	if err != nil || n == 0 || n > sc.maxNode {
		// The detailed walk reports a counter below the largest id.
		sc.amiss = true
		return nil
	}
	sc.c.maxNode = max(sc.c.maxNode, n)
	t, ext, err := parseNodeValue(v)
	if ti := sc.c.sch.info(t); err != nil || ti == nil || ti.relation {
		sc.amiss = true
		return nil
	}
	sc.c.byType[t]++
	for uint64(len(sc.nodeType)) <= n {
		sc.nodeType = append(sc.nodeType, 0)
		sc.nodeExt = append(sc.nodeExt, 0)
	}
	h := sc.idHash(ext)
	sc.nodeType[n], sc.nodeExt[n] = t, h
	if sc.doc != 0 && sc.c.sch.isA(t, sc.doc) {
		sc.docs[h] = struct{}{}
	}
	return nil
}

// cites reports whether every source names a Document.
func (sc *scanChecker) cites(ss []Source) bool {
	for _, s := range ss {
		if _, ok := sc.docs[sc.idHash(s.Document)]; !ok {
			return false
		}
	}
	return true
}

func (sc *scanChecker) entity(k, v []byte) error {
	n, err := parseIDKey(pEntity, k)
	if err != nil {
		sc.amiss = true
		return nil
	}
	eb, err := decodeEntity(v)
	if err != nil || !sc.cites(eb.e.Sources) {
		sc.amiss = true
		return nil
	}
	return sc.x.entity(NodeID(n), eb.e, eb.typ, nil)
}

// endpoint returns the type of node n, which must exist and have id ext.
func (sc *scanChecker) endpoint(n NodeID, ext string) (TypeID, bool) {
	if uint64(n) >= uint64(len(sc.nodeType)) || sc.nodeType[n] == 0 || sc.nodeExt[n] != sc.idHash(ext) {
		return 0, false
	}
	return sc.nodeType[n], true
}

func (sc *scanChecker) relation(k, v []byte) error {
	id, err := parseIDKey(pRelation, k)
	if err != nil {
		sc.amiss = true
		return nil
	}
	sc.c.maxRel = max(sc.c.maxRel, id)
	rb, err := decodeRelation(v)
	if err != nil {
		sc.amiss = true
		return nil
	}
	r := rb.r
	ti := sc.c.sch.info(rb.typ)
	if ti == nil || !ti.relation {
		sc.amiss = true
		return nil
	}
	sc.c.byType[rb.typ]++
	fromT, ok1 := sc.endpoint(rb.from, r.From)
	toT, ok2 := sc.endpoint(rb.to, r.To)
	if !ok1 || !ok2 || !sc.cites(r.Sources) || ti.def.Symmetric && r.To < r.From {
		sc.amiss = true
		return nil
	}
	return sc.x.relation(RelID(id), r, rb.typ, rb.from, rb.to, fromT, toT, nil)
}

func (sc *scanChecker) adjacency(k, v []byte) error {
	sc.hold(k, v)
	if _, ok := parseAdjKey(k); !ok {
		sc.amiss = true
	} else if _, ok := parseAdjValue(v); !ok {
		sc.amiss = true
	}
	return nil
}

// indexEntry holds the entry, to be compared with those the bodies
// imply.
func (sc *scanChecker) indexEntry(k, v []byte) error {
	sc.hold(k, v)
	return nil
}
