package exchange

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// graphvizQString reads a DOT quoted string the way Graphviz's lexer does
// (lib/cgraph/scan.l): \" is a quote, \\ stays two backslashes, and any
// other backslash is itself. It returns the string and the rest of the
// input after the closing quote, or ok false when the string does not end.
func graphvizQString(in string) (s, rest string, ok bool) {
	if !strings.HasPrefix(in, `"`) {
		return "", in, false
	}
	var b strings.Builder
	for i := 1; i < len(in); i++ {
		switch {
		case in[i] == '"':
			return b.String(), in[i+1:], true
		case strings.HasPrefix(in[i:], `\"`):
			b.WriteByte('"')
			i++
		case strings.HasPrefix(in[i:], `\\`):
			b.WriteString(`\\`)
			i++
		default:
			b.WriteByte(in[i])
		}
	}
	return "", "", false
}

// TestDOTNodeNames exports entities whose ids hold backslashes and quotes
// as DOT and reads each node statement's name as Graphviz does: the name
// is the entity's id, so that tools reading the file (gvpr, pydot) find
// the entity under its id. An id with an odd run of backslashes before
// its end or a quote cannot be written exactly in DOT; it gains one
// backslash and the file still parses.
func TestDOTNodeNames(t *testing.T) {
	st, _ := fixture(t)
	ids := map[string]string{ // id -> name Graphviz reads
		`back\slash`:   `back\slash`,
		`two\\in`:      `two\\in`,
		`even\\`:       `even\\`,
		`quote\"d`:     `quote\\"d`,
		`odd\`:         `odd\\`,
		`weird id/"x"`: `weird id/"x"`,
	}
	var lines []string
	for id := range ids {
		if id != `weird id/"x"` {
			rec, _ := json.Marshal(map[string]string{"kind": "entity", "id": id, "type": "Topic", "name": "name " + id})
			lines = append(lines, string(rec))
		}
	}
	mustLoad(t, st, "backslashes.ndjson", NDJSON, []byte(strings.Join(lines, "\n")+"\n"))
	names := map[string]bool{}
	node := regexp.MustCompile(`(?m)^  (".*) \[label=.*, tooltip=".*"\];$`)
	for _, m := range node.FindAllStringSubmatch(string(export(t, st, DOT, Scope{})), -1) {
		name, rest, ok := graphvizQString(m[1])
		if !ok || rest != "" {
			t.Errorf("node statement %s: Graphviz reads the name %q and then %q", m[1], name, rest)
		}
		names[name] = true
	}
	for id, want := range ids {
		if !names[want] {
			t.Errorf("id %q: no node named %q in the DOT export (names: %v)", id, want, names)
		}
	}
}
