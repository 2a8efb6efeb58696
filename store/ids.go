package store

import (
	"errors"
	"fmt"

	"github.com/ties-graph/ties/store/kv"
)

// This file answers "does this id exist, and as what": the one reading of
// the external-id index (keys.go draws it) that every path shares, each
// through the view it needs: a snapshot (readExt over a transaction), a
// batch's overlay (writer.lookup), a load that knows the store is empty
// (loader.lookup), or a reader's cache (Reader.lookupAny).

// extRef is what an external id names: an entity's node or a relation.
type extRef struct {
	kind byte // kindEntity or kindRelation
	id   uint64
}

// getter reads one key; ok is false when it does not exist.
type getter func(k []byte) (v []byte, ok bool, err error)

// txGetter reads from a transaction.
func txGetter(tx kv.Txn) getter {
	return func(k []byte) ([]byte, bool, error) {
		v, err := tx.Get(k)
		if errors.Is(err, kv.ErrNotFound) {
			return nil, false, nil
		}
		return v, err == nil, err
	}
}

// readExt resolves external id ext through get; ok is false when there is
// no such id.
func readExt(get getter, ext string) (extRef, bool, error) {
	v, ok, err := get(extKey(ext))
	if err != nil {
		return extRef{}, false, fmt.Errorf("look up %q: %w", ext, err)
	}
	if !ok {
		return extRef{}, false, nil
	}
	kind, id, err := parseExtValue(v)
	if err != nil {
		return extRef{}, false, fmt.Errorf("look up %q: %w", ext, err)
	}
	return extRef{kind, id}, true, nil
}

// lookupAny resolves an external id of either kind in a snapshot.
func lookupAny(tx kv.Txn, ext string) (extRef, bool, error) {
	return readExt(txGetter(tx), ext)
}

// noExternalIDs reports whether the snapshot holds no external id at all
// (an empty store), so that a load can skip every lookup.
func noExternalIDs(tx kv.Txn) bool {
	it := tx.Iterate(kv.IterOptions{Prefix: []byte{pExtID}, KeysOnly: true})
	defer it.Close()
	it.Rewind()
	return !it.Valid()
}

// lookup resolves an external id as the batch sees it.
func (w *writer) lookup(ext string) (extRef, bool, error) { return readExt(w.get, ext) }

// lookup resolves an external id in the snapshot of the load.
func (l *loader) lookup(ext string) (extRef, bool, error) {
	if l.noIDs {
		return extRef{}, false, nil
	}
	if r, ok := l.resolved[ext]; ok {
		return r.ref, r.found, nil
	}
	return lookupAny(l.tx, ext)
}

// lookupAny resolves an external id of either kind, through the cache.
func (r *Reader) lookupAny(id string) (extRef, bool, error) {
	if ref, found, ok := r.cache.ext(id, r.ts); ok {
		return ref, found, nil
	}
	ref, ok, err := lookupAny(r.tx, id)
	if err != nil {
		return extRef{}, false, err
	}
	r.cache.putExt(id, r.ts, ref, ok)
	return ref, ok, nil
}

// Lookup resolves an entity id to its NodeID; ok is false when there is none.
func (r *Reader) Lookup(id string) (NodeID, bool, error) {
	ref, ok, err := r.lookupAny(id)
	if err != nil || !ok || ref.kind != kindEntity {
		return 0, false, err
	}
	return NodeID(ref.id), true, nil
}

// LookupEntity resolves an entity id to its NodeID. It returns a NotFound
// error naming id when there is no such entity, and the errors of the
// snapshot.
func (r *Reader) LookupEntity(id string) (NodeID, error) {
	n, ok, err := r.Lookup(id)
	if err != nil {
		return 0, fmt.Errorf("look up entity %s: %w", id, err)
	}
	if !ok {
		return 0, &Error{Code: NotFound, Record: id, Message: fmt.Sprintf("no entity %q", id)}
	}
	return n, nil
}

// errStop ends a scan early from inside its callback; it never leaves this
// package.
var errStop = errors.New("stop scan")
