package kv

// Version is one version of a key as a backup holds it: the value written
// at commit timestamp Ts, or a delete. Backends that keep history read and
// write their backups as streams of versions (badgerkv.ReadVersions,
// pgkv.ReadVersions and their writers), so that a history can move from
// one backend to the other with its timestamps.
type Version struct {
	Key     []byte
	Ts      uint64
	Value   []byte // nil for a delete
	Deleted bool
}
