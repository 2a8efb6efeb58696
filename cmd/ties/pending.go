package main

// This file stands in for import.go, export.go and backup.go until they
// land; it is deleted then.

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/ties-graph/ties/store"
)

var errNotBuilt = errors.New("not built yet")

func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errNotBuilt
}

func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errNotBuilt
}

func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errNotBuilt
}

func runRestore(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errNotBuilt
}

func exportHandler(st *store.Store, logger *slog.Logger) http.Handler { return nil }

func importHandler(st *store.Store, logger *slog.Logger) http.Handler { return nil }
