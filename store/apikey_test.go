package store

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ties-graph/ties/store/kv"
)

// changeLog returns every change-log record of s, oldest first.
func changeLog(t *testing.T, s *Store) []ChangeRecord {
	t.Helper()
	tx, err := s.db.Begin(context.Background(), kv.TxnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Discard()
	it := tx.Iterate(kv.IterOptions{Prefix: []byte{pLog}})
	defer it.Close()
	var out []ChangeRecord
	for it.Rewind(); it.Valid(); it.Next() {
		v, err := it.Value()
		if err != nil {
			t.Fatal(err)
		}
		var rec ChangeRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
	return out
}

func codeOf(err error) Code {
	var se *Error
	if errors.As(err, &se) {
		return se.Code
	}
	return ""
}

func TestAPIKeys(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{})
	key, token, err := s.CreateAPIKey(ctx, NewAPIKey{Name: "dashboard", Scope: ScopeRead, Principal: PrincipalCLI})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, tokenPrefix) || len(token) < len(tokenPrefix)+43 {
		t.Errorf("token %q: want %s and 43 characters of base64 (256 bits)", token, tokenPrefix)
	}
	if key.Name != "dashboard" || key.Scope != ScopeRead || key.CreatedBy != PrincipalCLI || key.CreatedAt.IsZero() {
		t.Errorf("created %+v", key)
	}

	t.Run("OK", func(t *testing.T) {
		got, err := s.Authenticate(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "dashboard" || got.Scope != ScopeRead || got.LastUsedAt.IsZero() {
			t.Errorf("authenticated %+v", got)
		}
	})
	t.Run("ErrUnknownToken", func(t *testing.T) {
		for _, tok := range []string{"", "ties_nope", token + "x", strings.ToUpper(token)} {
			if _, err := s.Authenticate(ctx, tok); codeOf(err) != Unauthenticated {
				t.Errorf("Authenticate(%q) = %v, want UNAUTHENTICATED", tok, err)
			}
		}
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		_, _, err := s.CreateAPIKey(ctx, NewAPIKey{Name: "dashboard", Scope: ScopeAdmin})
		if codeOf(err) != Conflict {
			t.Errorf("second key named dashboard: %v, want CONFLICT", err)
		}
	})
	t.Run("InvalidName", func(t *testing.T) {
		for _, name := range []string{"", "anonymous", "cli", "a b", strings.Repeat("x", 65)} {
			if _, _, err := s.CreateAPIKey(ctx, NewAPIKey{Name: name, Scope: ScopeRead}); codeOf(err) != Invalid {
				t.Errorf("name %q: %v, want INVALID_ARGUMENT", name, err)
			}
		}
		if _, _, err := s.CreateAPIKey(ctx, NewAPIKey{Name: "x", Scope: ScopeNone}); codeOf(err) != Invalid {
			t.Errorf("scope none: %v, want INVALID_ARGUMENT", err)
		}
		if _, _, err := s.CreateAPIKey(ctx, NewAPIKey{Name: "x", Scope: ScopeRead, ExpiresAt: time.Now().Add(-time.Hour)}); codeOf(err) != Invalid {
			t.Errorf("expiry in the past: %v, want INVALID_ARGUMENT", err)
		}
	})
	t.Run("Expired", func(t *testing.T) {
		_, tok, err := s.CreateAPIKey(ctx, NewAPIKey{Name: "brief", Scope: ScopeWrite, ExpiresAt: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		// Expire it without waiting: the check is against the stored
		// expiry, which only the keyring holds in memory.
		r, _ := s.keys(ctx)
		r.byName["brief"].key.ExpiresAt = time.Now().Add(-time.Second)
		_, err = s.Authenticate(ctx, tok)
		if codeOf(err) != Unauthenticated || !strings.Contains(err.Error(), "expired") {
			t.Errorf("expired key: %v, want UNAUTHENTICATED saying it expired", err)
		}
		if err := s.RevokeAPIKey(ctx, "brief", "admin"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("Revoke", func(t *testing.T) {
		_, tok, err := s.CreateAPIKey(ctx, NewAPIKey{Name: "script", Scope: ScopeWrite, Principal: "admin"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeAPIKey(ctx, "script", "admin"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, tok); codeOf(err) != Unauthenticated {
			t.Errorf("revoked key: %v, want UNAUTHENTICATED", err)
		}
		if err := s.RevokeAPIKey(ctx, "script", "admin"); codeOf(err) != NotFound {
			t.Errorf("revoke twice: %v, want NOT_FOUND", err)
		}
	})

	if err := s.SaveAPIKeyUse(ctx); err != nil {
		t.Fatal(err)
	}
	used, _ := s.APIKeys(ctx)
	if err := s.Check(ctx); err != nil {
		t.Error(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	t.Run("Reopen", func(t *testing.T) {
		s := mustOpen(t, dir, Options{})
		defer s.Close()
		keys, err := s.APIKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 1 || keys[0].Name != "dashboard" {
			t.Fatalf("keys after reopening: %+v, want dashboard only", keys)
		}
		if !keys[0].LastUsedAt.Equal(used[0].LastUsedAt) {
			t.Errorf("last use %v after reopening, want %v as saved", keys[0].LastUsedAt, used[0].LastUsedAt)
		}
		if _, err := s.Authenticate(ctx, token); err != nil {
			t.Errorf("token after reopening: %v", err)
		}
		// A store that holds only keys was never written: ties serve
		// still loads the founding data into it.
		if never, err := s.NeverWritten(ctx); err != nil || !never {
			t.Errorf("NeverWritten = %v, %v; want true with keys only", never, err)
		}
		if err := s.Check(ctx); err != nil {
			t.Error(err)
		}
		var created, revoked []string
		for _, rec := range changeLog(t, s) {
			created = append(created, rec.APIKeys...)
			revoked = append(revoked, rec.RevokedAPIKeys...)
			if len(rec.RevokedAPIKeys) > 0 && rec.Principal != "admin" {
				t.Errorf("revocation %+v: principal %q, want admin", rec, rec.Principal)
			}
		}
		if got, want := strings.Join(created, ","), "dashboard,brief,script"; got != want {
			t.Errorf("change log created %s, want %s", got, want)
		}
		if got, want := strings.Join(revoked, ","), "brief,script"; got != want {
			t.Errorf("change log revoked %s, want %s", got, want)
		}
	})
}

func TestAPIKeysReadOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{})
	_, token, err := s.CreateAPIKey(ctx, NewAPIKey{Name: "reader", Scope: ScopeRead})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	ro := mustOpen(t, dir, Options{ReadOnly: true})
	defer ro.Close()
	if _, err := ro.Authenticate(ctx, token); err != nil {
		t.Errorf("read-only store: %v", err)
	}
	if _, _, err := ro.CreateAPIKey(ctx, NewAPIKey{Name: "x", Scope: ScopeRead}); codeOf(err) != Forbidden {
		t.Errorf("create on a read-only store: %v, want FORBIDDEN", err)
	}
	if err := ro.SaveAPIKeyUse(ctx); err != nil {
		t.Errorf("SaveAPIKeyUse on a read-only store: %v", err)
	}
}

// TestAPIKeysConcurrent creates, uses and revokes keys from several
// goroutines: the keyring must end as the store does.
func TestAPIKeysConcurrent(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				name := string(rune('a'+g)) + "-" + string(rune('0'+i))
				_, tok, err := s.CreateAPIKey(ctx, NewAPIKey{Name: name, Scope: ScopeRead})
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := s.Authenticate(ctx, tok); err != nil {
					t.Error(err)
				}
				if i%2 == 0 {
					if err := s.RevokeAPIKey(ctx, name, "x"); err != nil {
						t.Error(err)
					}
					if _, err := s.Authenticate(ctx, tok); err == nil {
						t.Errorf("%s authenticated after its revocation", name)
					}
				}
				if err := s.SaveAPIKeyUse(ctx); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	keys, err := s.APIKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 20 {
		t.Errorf("%d keys, want 20", len(keys))
	}
	tx, _ := s.db.Begin(ctx, kv.TxnOptions{})
	defer tx.Discard()
	stored, err := loadKeyring(tx)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored.byName) != 20 {
		t.Errorf("%d keys stored, want 20", len(stored.byName))
	}
}

func TestPrincipalInChangeLog(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	b := twinCities()
	b.Principal = "analyst"
	if _, err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	src := func(ctx context.Context, yield func(Record) error) error {
		return yield(Record{Entity: &Entity{ID: "hengelo", Type: "City", Name: "Hengelo"}})
	}
	if _, err := s.Load(ctx, src, LoadOptions{Source: "more.ndjson", Principal: PrincipalCLI}); err != nil {
		t.Fatal(err)
	}
	log := changeLog(t, s)
	if len(log) != 2 {
		t.Fatalf("%d change-log records, want 2", len(log))
	}
	if got, want := log[0].Principal, "analyst"; got != want {
		t.Errorf("Apply's principal %q, want %q", got, want)
	}
	if got, want := log[1].Principal, PrincipalCLI; got != want || log[1].Load == nil {
		t.Errorf("Load's principal %q (load %+v), want %q", got, log[1].Load, want)
	}
}
