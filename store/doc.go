// Package store is the graph store of Ties: the domain model (entities,
// relations, sources, partial dates, typed properties, the ontology), the
// error vocabulary shown to users, and the engine that keeps the graph in
// an ordered key-value backend (package kv; badger through kv/badgerkv).
//
// Every exported method opens one snapshot or one write: reads see one
// consistent version of the graph (optionally an older one, ReadOptions.AsOf);
// writes (Apply, Load) are atomic and validated in full before anything is
// written, and a refused write leaves the store as it was. Key layouts are
// drawn in keys.go; Check verifies every invariant the engine keeps.
package store
