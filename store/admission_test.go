package store

import (
	"context"
	"testing"
)

// A paused store refuses writes with Unavailable and the reason, keeps
// serving reads, and writes again once resumed.
func TestPauseWrites(t *testing.T) {
	ctx := context.Background()
	s, err := Open("", Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	city := func(id string) Batch { return Batch{Entities: []Entity{{ID: id, Type: "City", Name: id}}} }
	if _, err := s.Apply(ctx, city("enschede")); err != nil {
		t.Fatal(err)
	}
	const why = "the disk holding the data directory has 10 MiB free"
	s.PauseWrites(why)
	if _, err := s.Apply(ctx, city("hengelo")); ErrorCode(err) != Unavailable || ErrorMessage(err) != why {
		t.Errorf("Apply while paused: got %v (%s), want %s %q", err, ErrorCode(err), Unavailable, why)
	}
	load := func(dryRun bool) error {
		_, err := s.Load(ctx, sourceOf([]Record{{Line: 1, Entity: &Entity{ID: "gronau", Type: "City", Name: "Gronau"}}}), LoadOptions{DryRun: dryRun})
		return err
	}
	if err := load(false); ErrorCode(err) != Unavailable {
		t.Errorf("Load while paused: got %v, want %s", err, Unavailable)
	}
	if err := load(true); err != nil {
		t.Errorf("a dry run writes nothing and may run while paused: %v", err)
	}
	if e, err := s.FindEntityByID(ctx, "enschede", ReadOptions{}); err != nil || e == nil {
		t.Errorf("read while paused: %v, %v", e, err)
	}
	s.ResumeWrites()
	if s.WritesPaused() != nil {
		t.Error("still paused after ResumeWrites")
	}
	if _, err := s.Apply(ctx, city("hengelo")); err != nil {
		t.Errorf("Apply after resume: %v", err)
	}
	if err := load(false); err != nil {
		t.Errorf("Load after resume: %v", err)
	}
}
