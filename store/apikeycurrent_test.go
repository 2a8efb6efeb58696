package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestAPIKeyCurrent: a key that authenticated a request stops being
// current when it is revoked, when another key takes its name, and when it
// expires, each with the error its token would now get.
func TestAPIKeyCurrent(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, t.TempDir(), Options{})
	_, tok, err := s.CreateAPIKey(ctx, NewAPIKey{Name: "feed", Scope: ScopeRead, Principal: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	k, err := s.Authenticate(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.APIKeyCurrent(ctx, k); err != nil {
		t.Fatalf("a fresh key: %v, want current", err)
	}
	if err := s.RevokeAPIKey(ctx, "feed", "admin"); err != nil {
		t.Fatal(err)
	}
	if err := s.APIKeyCurrent(ctx, k); codeOf(err) != Unauthenticated {
		t.Errorf("a revoked key: %v, want UNAUTHENTICATED", err)
	}
	// The same name again is another key, with another token.
	time.Sleep(time.Millisecond) // CreatedAt tells the two keys apart
	if _, _, err := s.CreateAPIKey(ctx, NewAPIKey{Name: "feed", Scope: ScopeRead, Principal: "admin"}); err != nil {
		t.Fatal(err)
	}
	if err := s.APIKeyCurrent(ctx, k); codeOf(err) != Unauthenticated {
		t.Errorf("a revoked key whose name was given again: %v, want UNAUTHENTICATED", err)
	}

	_, tok, err = s.CreateAPIKey(ctx, NewAPIKey{Name: "brief", Scope: ScopeRead, ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if k, err = s.Authenticate(ctx, tok); err != nil {
		t.Fatal(err)
	}
	// Expire it without waiting, as TestAPIKeys does.
	r, _ := s.keys(ctx)
	r.byName["brief"].key.ExpiresAt = time.Now().Add(-time.Second)
	if err := s.APIKeyCurrent(ctx, k); codeOf(err) != Unauthenticated || !strings.Contains(err.Error(), "expired") {
		t.Errorf("an expired key: %v, want UNAUTHENTICATED saying it expired", err)
	}
}
