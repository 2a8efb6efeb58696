package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ties-graph/ties/store/kv"
)

// This file holds API keys: their scopes, the principal a request acts
// as, their storage (hashed, under apiKeyKey) and the in-memory keyring
// that authenticates a token without a read.

// Scope is what an API key (or an anonymous client) may do. Each scope
// includes the ones below it.
type Scope int

// The scopes, in order.
const (
	// ScopeNone may do nothing but identify itself.
	ScopeNone Scope = iota
	// ScopeRead runs queries, exports and subscriptions.
	ScopeRead
	// ScopeWrite adds mutations and imports.
	ScopeWrite
	// ScopeAdmin adds ontology definitions, API keys, online backups and
	// metrics.
	ScopeAdmin
)

var scopeNames = [...]string{"none", "read", "write", "admin"}

// String returns the scope's name: none, read, write or admin.
func (s Scope) String() string { return enumName(s, scopeNames[:], "Scope") }

// ParseScope reads a scope name (case does not matter). It returns an
// Invalid error for anything else.
func ParseScope(name string) (Scope, error) {
	for i, n := range scopeNames {
		if strings.EqualFold(name, n) {
			return Scope(i), nil
		}
	}
	return ScopeNone, FieldError("", "scope", "%q is not a scope: use read, write or admin", name)
}

// Principals that are not API keys. They are reserved: no key may take
// their names.
const (
	// PrincipalAnonymous is a client of the service without a key.
	PrincipalAnonymous = "anonymous"
	// PrincipalCLI is the command line working on a data directory that
	// no service holds (an offline import, the founding data).
	PrincipalCLI = "cli"
)

type principalKey struct{}

// WithPrincipal returns ctx carrying the principal of a request, for the
// handlers below the one that authenticated it (imports record it in the
// change log).
func WithPrincipal(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, principalKey{}, name)
}

// PrincipalFrom returns the principal WithPrincipal put in ctx, or
// PrincipalAnonymous when there is none.
func PrincipalFrom(ctx context.Context) string {
	if p, ok := ctx.Value(principalKey{}).(string); ok {
		return p
	}
	return PrincipalAnonymous
}

type scopeKey struct{}

// WithScope returns ctx carrying what the request's principal may do,
// for the handlers below the one that authenticated it: an import that
// would change the ontology needs ScopeAdmin.
func WithScope(ctx context.Context, s Scope) context.Context {
	return context.WithValue(ctx, scopeKey{}, s)
}

// ScopeFrom returns the scope WithScope put in ctx, and false when there
// is none: no access control authenticated the request (a server
// without keys, the command line), so nothing is refused.
func ScopeFrom(ctx context.Context) (Scope, bool) {
	s, ok := ctx.Value(scopeKey{}).(Scope)
	return s, ok
}

// APIKey describes an API key. The token is not part of it: it is shown
// once, by CreateAPIKey, and only its SHA-256 is stored.
type APIKey struct {
	Name      string
	Scope     Scope
	CreatedAt time.Time
	CreatedBy string    // the principal that created it
	ExpiresAt time.Time // zero: never
	// LastUsedAt is when the key last authenticated a request, zero if
	// never. The service keeps it exactly in memory and stores it now and
	// then (SaveAPIKeyUse), so after a restart it may be a little older.
	LastUsedAt time.Time
}

// Expired reports whether the key has expired at now.
func (k APIKey) Expired(now time.Time) bool {
	return !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt)
}

// NewAPIKey is the request of CreateAPIKey.
type NewAPIKey struct {
	Name      string
	Scope     Scope
	ExpiresAt time.Time // zero: never
	Principal string    // who creates it, for the change log
}

// ParseExpiry reads when a new key expires: "" for never, a duration from
// now such as 90d, 12h or 1h30m, or an RFC 3339 instant. It returns an
// Invalid error for anything else.
func ParseExpiry(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err == nil && n > 0 && n <= 100*366 {
			return now.AddDate(0, 0, n), nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(d), nil
	}
	return time.Time{}, FieldError("", "expires", "%q is not an expiry: use a duration such as 90d or 12h, or an RFC 3339 instant", s)
}

// tokenPrefix starts every token, so that secret scanners and people can
// tell a Ties token when they see one.
const tokenPrefix = "ties_"

// apiKeyRecord is the stored form of an API key (see apiKeyKey).
type apiKeyRecord struct {
	Scope     string    `json:"scope"`
	Hash      string    `json:"sha256"`
	CreatedAt time.Time `json:"createdAt"`
	CreatedBy string    `json:"createdBy,omitempty"`
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
	LastUsed  time.Time `json:"lastUsedAt,omitzero"`
}

// keyring is the in-memory index of the API keys, by the SHA-256 of their
// tokens: authenticating a request is a hash and a map lookup, with no
// read of the backend. Every create and revoke updates it under keyMu
// together with its commit, so a revoked key is refused by the very next
// request.
type keyring struct {
	mu     sync.RWMutex
	byHash map[[sha256.Size]byte]*keyEntry
	byName map[string]*keyEntry
}

type keyEntry struct {
	key   APIKey // LastUsedAt as stored
	hash  [sha256.Size]byte
	used  atomic.Int64 // Unix nanoseconds of the last use, 0 if none
	saved int64        // used as last stored; under Store.keyMu
}

func newKeyring() *keyring {
	return &keyring{byHash: map[[sha256.Size]byte]*keyEntry{}, byName: map[string]*keyEntry{}}
}

func (r *keyring) add(e *keyEntry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if old := r.byName[e.key.Name]; old != nil {
		delete(r.byHash, old.hash)
	}
	r.byName[e.key.Name] = e
	r.byHash[e.hash] = e
}

func (r *keyring) remove(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e := r.byName[name]; e != nil {
		delete(r.byHash, e.hash)
		delete(r.byName, name)
	}
}

func (r *keyring) entries() []*keyEntry {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*keyEntry, 0, len(r.byName))
	for _, e := range r.byName {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key.Name < out[j].key.Name })
	return out
}

// loadKeyring reads every API key of tx's snapshot.
func loadKeyring(tx kv.Txn) (*keyring, error) {
	r := newKeyring()
	it := tx.Iterate(kv.IterOptions{Prefix: []byte{pAPIKey}})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		name, err := parseAPIKeyKey(it.Key())
		if err != nil {
			return nil, err
		}
		v, err := it.Value()
		if err != nil {
			return nil, fmt.Errorf("read API key %q: %w", name, err)
		}
		e, err := decodeKeyEntry(name, v)
		if err != nil {
			return nil, err
		}
		r.add(e)
	}
	return r, nil
}

func decodeKeyEntry(name string, v []byte) (*keyEntry, error) {
	var rec apiKeyRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, fmt.Errorf("API key %q: %w", name, err)
	}
	scope, err := ParseScope(rec.Scope)
	if err != nil || scope == ScopeNone {
		return nil, fmt.Errorf("API key %q: bad scope %q", name, rec.Scope)
	}
	h, err := hex.DecodeString(rec.Hash)
	if err != nil || len(h) != sha256.Size {
		return nil, fmt.Errorf("API key %q: bad hash %q", name, rec.Hash)
	}
	e := &keyEntry{key: APIKey{
		Name: name, Scope: scope, CreatedAt: rec.CreatedAt, CreatedBy: rec.CreatedBy,
		ExpiresAt: rec.ExpiresAt, LastUsedAt: rec.LastUsed,
	}}
	copy(e.hash[:], h)
	if !rec.LastUsed.IsZero() {
		e.saved = rec.LastUsed.UnixNano()
		e.used.Store(e.saved)
	}
	return e, nil
}

func (e *keyEntry) record() apiKeyRecord {
	rec := apiKeyRecord{
		Scope: e.key.Scope.String(), Hash: hex.EncodeToString(e.hash[:]),
		CreatedAt: e.key.CreatedAt, CreatedBy: e.key.CreatedBy, ExpiresAt: e.key.ExpiresAt,
	}
	if u := e.used.Load(); u != 0 {
		rec.LastUsed = time.Unix(0, u).UTC()
	}
	return rec
}

// snapshot returns the key with its last use as known in memory.
func (e *keyEntry) snapshot() APIKey {
	k := e.key
	if u := e.used.Load(); u != 0 {
		k.LastUsedAt = time.Unix(0, u).UTC()
	}
	return k
}

// keys returns the keyring, reading it from the backend the first time.
func (s *Store) keys(ctx context.Context) (*keyring, error) {
	if r := s.keyring.Load(); r != nil {
		return r, nil
	}
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	return s.keysLocked(ctx)
}

func (s *Store) keysLocked(ctx context.Context) (*keyring, error) {
	if r := s.keyring.Load(); r != nil {
		return r, nil
	}
	tx, err := s.db.Begin(ctx, kv.TxnOptions{})
	if err != nil {
		return nil, fmt.Errorf("read API keys: %w", err)
	}
	defer tx.Discard()
	r, err := loadKeyring(tx)
	if err != nil {
		return nil, fmt.Errorf("read API keys: %w", err)
	}
	s.keyring.Store(r)
	return r, nil
}

// validKeyName reports why name cannot name a key, or "".
func validKeyName(name string) string {
	switch {
	case name == "":
		return "a key needs a name"
	case len(name) > 64:
		return "a key name has at most 64 characters"
	case name == PrincipalAnonymous || name == PrincipalCLI:
		return fmt.Sprintf("%q is reserved: the change log uses it for clients without a key", name)
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '@') {
			return fmt.Sprintf("%q may hold only letters, digits and - _ . @ (it names the key in logs and the change log)", name)
		}
	}
	return ""
}

// CreateAPIKey creates an API key and returns it with its token, the only
// time the token is available. It returns an Invalid error for a bad name,
// scope or expiry, and a Conflict error when a key of that name exists.
func (s *Store) CreateAPIKey(ctx context.Context, nk NewAPIKey) (APIKey, string, error) {
	if why := validKeyName(nk.Name); why != "" {
		return APIKey{}, "", FieldError(nk.Name, "name", "%s", why)
	}
	if nk.Scope < ScopeRead || nk.Scope > ScopeAdmin {
		return APIKey{}, "", FieldError(nk.Name, "scope", "a key's scope is read, write or admin")
	}
	now := time.Now().UTC()
	if !nk.ExpiresAt.IsZero() && !nk.ExpiresAt.After(now) {
		return APIKey{}, "", FieldError(nk.Name, "expires", "the expiry %s is not in the future", nk.ExpiresAt.UTC().Format(time.RFC3339))
	}
	var secret [32]byte
	if _, err := rand.Read(secret[:]); err != nil {
		return APIKey{}, "", fmt.Errorf("create API key: %w", err)
	}
	token := tokenPrefix + base64.RawURLEncoding.EncodeToString(secret[:])
	e := &keyEntry{
		key:  APIKey{Name: nk.Name, Scope: nk.Scope, CreatedAt: now, CreatedBy: nk.Principal, ExpiresAt: nk.ExpiresAt.UTC()},
		hash: sha256.Sum256([]byte(token)),
	}
	if e.key.ExpiresAt.Equal(time.Time{}.UTC()) {
		e.key.ExpiresAt = time.Time{}
	}

	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	r, err := s.keysLocked(ctx)
	if err != nil {
		return APIKey{}, "", err
	}
	err = s.writeKeys(ctx, func(tx kv.Txn) error {
		if _, err := tx.Get(apiKeyKey(nk.Name)); err == nil {
			return &Error{Code: Conflict, Record: nk.Name, Field: "name", Message: "a key of this name exists; revoke it first or choose another name"}
		} else if !errors.Is(err, kv.ErrNotFound) {
			return err
		}
		v, _ := json.Marshal(e.record())
		if err := tx.Set(apiKeyKey(nk.Name), v); err != nil {
			return err
		}
		tx.SetLog((&ChangeRecord{Principal: nk.Principal, APIKeys: []string{nk.Name}}).encode())
		return nil
	})
	if err != nil {
		return APIKey{}, "", err
	}
	r.add(e)
	s.log.Info("created API key", "name", nk.Name, "scope", nk.Scope.String(), "by", nk.Principal)
	return e.snapshot(), token, nil
}

// RevokeAPIKey deletes the API key of this name; the next request that
// presents its token is refused. It returns a NotFound error when there is
// no such key.
func (s *Store) RevokeAPIKey(ctx context.Context, name, principal string) error {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	r, err := s.keysLocked(ctx)
	if err != nil {
		return err
	}
	err = s.writeKeys(ctx, func(tx kv.Txn) error {
		if _, err := tx.Get(apiKeyKey(name)); errors.Is(err, kv.ErrNotFound) {
			return &Error{Code: NotFound, Record: name, Message: "no API key has this name"}
		} else if err != nil {
			return err
		}
		if err := tx.Delete(apiKeyKey(name)); err != nil {
			return err
		}
		tx.SetLog((&ChangeRecord{Principal: principal, RevokedAPIKeys: []string{name}}).encode())
		return nil
	})
	if err != nil {
		return err
	}
	r.remove(name)
	s.log.Info("revoked API key", "name", name, "by", principal)
	return nil
}

// APIKeys returns every API key, by name, with last uses as this process
// knows them.
func (s *Store) APIKeys(ctx context.Context) ([]APIKey, error) {
	r, err := s.keys(ctx)
	if err != nil {
		return nil, err
	}
	es := r.entries()
	out := make([]APIKey, len(es))
	for i, e := range es {
		out[i] = e.snapshot()
	}
	return out, nil
}

// errBadToken is the answer to a token that names no key: it says as
// little as a wrong password would.
var errBadToken = &Error{Code: Unauthenticated, Message: "the token is not a valid API key (unknown or revoked)"}

// Authenticate returns the API key whose token this is, and notes its use.
// It returns an Unauthenticated error for an unknown, revoked or expired
// token. It reads no more than memory: a SHA-256 and a map lookup.
func (s *Store) Authenticate(ctx context.Context, token string) (APIKey, error) {
	r, err := s.keys(ctx)
	if err != nil {
		return APIKey{}, err
	}
	h := sha256.Sum256([]byte(token))
	r.mu.RLock()
	e := r.byHash[h]
	r.mu.RUnlock()
	// The map is keyed by the hash, not the token, so its timing tells
	// nothing useful about a token; the comparison is constant-time all
	// the same.
	if e == nil || subtle.ConstantTimeCompare(e.hash[:], h[:]) != 1 {
		return APIKey{}, errBadToken
	}
	now := time.Now()
	if e.key.Expired(now) {
		return APIKey{}, &Error{Code: Unauthenticated, Record: e.key.Name,
			Message: fmt.Sprintf("the API key expired at %s; ask an admin for a new one", e.key.ExpiresAt.Format(time.RFC3339))}
	}
	e.used.Store(now.UnixNano())
	return e.snapshot(), nil
}

// SaveAPIKeyUse stores the last use of every key used since the last
// save. The service calls it now and then, and before it stops; a store
// whose writes are paused or that is read-only skips it.
func (s *Store) SaveAPIKeyUse(ctx context.Context) error {
	if s.opts.ReadOnly || s.WritesPaused() != nil {
		return nil
	}
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	r := s.keyring.Load()
	if r == nil {
		return nil
	}
	var dirty []*keyEntry
	for _, e := range r.entries() {
		if e.used.Load() != e.saved {
			dirty = append(dirty, e)
		}
	}
	if len(dirty) == 0 {
		return nil
	}
	saved := make([]int64, len(dirty))
	err := s.writeKeys(ctx, func(tx kv.Txn) error {
		for i, e := range dirty {
			if _, err := tx.Get(apiKeyKey(e.key.Name)); errors.Is(err, kv.ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			rec := e.record()
			saved[i] = rec.LastUsed.UnixNano()
			v, _ := json.Marshal(rec)
			if err := tx.Set(apiKeyKey(e.key.Name), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, e := range dirty {
		e.saved = saved[i]
	}
	return nil
}

// writeKeys runs fn in an update transaction and commits it. Key records
// are not cached, but the read cache must still see the commit begin and
// end, or it would stop caching until the next graph write.
func (s *Store) writeKeys(ctx context.Context, fn func(kv.Txn) error) error {
	if s.opts.ReadOnly {
		return Errorf(Forbidden, "the store is open read-only, so API keys cannot change")
	}
	if err := s.WritesPaused(); err != nil {
		return err
	}
	tx, err := s.db.Begin(ctx, kv.TxnOptions{Update: true})
	if err != nil {
		return fmt.Errorf("write API keys: %w", err)
	}
	defer tx.Discard()
	if err := fn(tx); err != nil {
		var se *Error
		if errors.As(err, &se) {
			return err
		}
		return fmt.Errorf("write API keys: %w", err)
	}
	s.cache.begin(false)
	_, err = tx.Commit()
	s.cache.end(s.db.LastCommit())
	if err != nil {
		return fmt.Errorf("write API keys: %w", err)
	}
	return nil
}
