//go:build tools

package graph

// The gqlgen code generator is pinned in go.mod through this import, so
// that go generate produces the same code on every machine.
import _ "github.com/99designs/gqlgen"
