package store

import "github.com/ties-graph/ties/store/kv"

// Features describes the backend the store runs on, for callers (and
// tests) whose answer depends on what it can do: whether it keeps every
// version, whether several processes share it.
func (s *Store) Features() kv.Features { return s.db.Features() }
