package kv

// PrefixEnd returns the smallest key greater than every key that starts
// with p, or nil when p is empty or all 0xFF bytes (no such key exists:
// the scan is unbounded above). Backends and the store bound prefix scans
// with it, so they agree on the 0xFF edge.
func PrefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] != 0xFF {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
