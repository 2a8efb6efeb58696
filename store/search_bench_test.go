package store

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// descriptionWords are the vocabulary of generated descriptions: a few
// hundred words, so that common ones have long posting lists.
var descriptionWords = func() []string {
	rng := rand.New(rand.NewPCG(5, 6))
	ws := []string{"city", "port", "province", "sister", "network", "partner", "university", "conference", "mayor", "region"}
	for len(ws) < 400 {
		var w strings.Builder
		for range 2 + rng.IntN(3) {
			w.WriteString(syllables[rng.IntN(len(syllables))])
		}
		ws = append(ws, w.String())
	}
	return ws
}()

// BenchmarkSearchText measures search in text and with typos over 1
// million entities with generated names and a description of eight words
// each (building them takes a few minutes).
func BenchmarkSearchText(b *testing.B) {
	s := openBenchStore(b)
	const n = 1_000_000
	rng := rand.New(rand.NewPCG(3, 4))
	var names []string
	loadRecords(b, s, n, func(i int) Record {
		name := fakeName(rng)
		if i%50_000 == 0 {
			names = append(names, name)
		}
		d := make([]string, 8)
		for j := range d {
			d[j] = descriptionWords[rng.IntN(len(descriptionWords))]
		}
		return Record{Entity: &Entity{ID: fmt.Sprintf("e%07d", i), Type: []string{"City", "Person", "Company"}[i%3], Name: name,
			Description: strings.Join(d, " ")}}
	})
	// A word of six letters or more, from a name, with a typo in it.
	var word, other string
	for _, nm := range names {
		f := strings.Fields(fold(nm))
		if len([]rune(f[0])) >= 6 {
			word, other = f[0], f[1]
			break
		}
	}
	if word == "" {
		b.Fatal("no long enough name word")
	}
	r := []rune(word)
	swapped := string(r[:1]) + string(r[2]) + string(r[1]) + string(r[3:]) // a transposition
	benchSearch(b, s, []searchQuery{
		{"NameTypo", swapped},
		{"NameTypoTwoWords", swapped + " " + other},
		{"TextWord", "sister"},
		{"TextTwoWords", "sister port"},
		{"TextTypo", "sistre"},
		{"NoMatchLong", "xqzvwkjh"},
	})
}
