package gen

import (
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/ties-graph/ties/store"
)

// syllables build names. Forty of them give 1,600 two-syllable and 64,000
// three-syllable stems, so large graphs repeat names the way real ones do
// (many Springfields) and every short prefix matches a crowd.
var syllables = []string{
	"an", "ber", "cal", "dor", "el", "fen", "gar", "hal", "is", "jor",
	"kel", "lin", "mar", "nor", "os", "pel", "quin", "ros", "sel", "tor",
	"ul", "ven", "wil", "xan", "yor", "zen", "ba", "de", "fi", "go",
	"hu", "ka", "lo", "mi", "ne", "ri", "sa", "te", "vo", "za",
}

var (
	citySuffixes    = []string{"", "", "", "burg", "dam", "stad", "ville", "ford", "heim", "port", "chester", "by"}
	firstNames      = []string{"Anna", "Bram", "Chen", "Daan", "Eva", "Femke", "Guo", "Hans", "Ines", "Jan", "Karin", "Li", "Marco", "Noor", "Otto", "Petra", "Rui", "Sanne", "Tom", "Ula", "Vera", "Wei", "Xia", "Yuki", "Zoe"}
	companySuffixes = []string{"Systems", "Motors", "Logistics", "Energy", "Labs", "Bank", "Foods", "Media", "Robotics", "Pharma"}
	orgPatterns     = []string{"%s Foundation", "Institute of %s", "Office of %s", "%s University", "%s Chamber of Commerce", "Ministry of %s Affairs"}
	networkSuffixes = []string{"Cities Network", "Alliance", "Forum", "Association", "Partnership"}
	eventKinds      = []string{"Summit", "Conference", "Expo", "Work Mission", "Trade Visit", "Festival"}
	topicAdjectives = []string{"Smart", "Green", "Digital", "Urban", "Sustainable", "Circular", "Social", "Open"}
	topicNouns      = []string{"Mobility", "Energy", "Health", "Housing", "Water", "Education", "Tourism", "Logistics", "Culture", "Trade", "Data", "Industry"}
	countries       = []string{"NL", "DE", "CN", "US", "FR", "PL", "SE", "ES", "IT", "JP", "BR", "IN"}
	labelLangs      = []string{"de", "fr", "nl", "zh"}
)

// name names the i-th entity of type typ from its own random stream; i
// lets a small kind (topics) walk through its word list before repeating.
func name(typ string, r *rand.Rand, i int) string {
	switch typ {
	case "Person":
		return pick(r, firstNames) + " " + stem(r)
	case "City":
		return stem(r) + pick(r, citySuffixes)
	case "Company":
		return stem(r) + " " + pick(r, companySuffixes)
	case "Organization":
		return strings.Replace(pick(r, orgPatterns), "%s", stem(r), 1)
	case "Network":
		return stem(r) + " " + pick(r, networkSuffixes)
	case "Event":
		return stem(r) + " " + pick(r, eventKinds) + " " + strconv.Itoa(1990+r.IntN(35))
	case "Topic":
		n := len(topicAdjectives) * len(topicNouns)
		s := topicAdjectives[i%n/len(topicNouns)] + " " + topicNouns[i%len(topicNouns)]
		if i >= n {
			s += " " + strconv.Itoa(i/n+1)
		}
		return s
	case "Agreement":
		return "Memorandum of Understanding " + stem(r) + " " + strconv.Itoa(1990+r.IntN(35))
	case "Document":
		return stem(r) + " Annual Report " + strconv.Itoa(1990+r.IntN(35))
	}
	return stem(r)
}

func pick(r *rand.Rand, words []string) string { return words[r.IntN(len(words))] }

// stem returns a capitalised name of two or three syllables.
func stem(r *rand.Rand) string {
	n := 2 + r.IntN(2)
	var b strings.Builder
	for j := 0; j < n; j++ {
		b.WriteString(pick(r, syllables))
	}
	s := b.String()
	return strings.ToUpper(s[:1]) + s[1:]
}

// decorate adds the labels, aliases and properties typical of the
// entity's type. It draws from r after the name, so it never changes names.
func decorate(r *rand.Rand, e *store.Entity) {
	switch e.Type {
	case "City":
		e.Properties = store.Properties{
			"country":    store.Text(pick(r, countries)),
			"population": store.Number(float64(1000 + r.IntN(2_000_000))),
		}
		if r.IntN(4) == 0 {
			e.Labels = []store.Label{{Lang: pick(r, labelLangs), Value: e.Name + "e"}}
		}
		if r.IntN(10) == 0 {
			e.Aliases = []string{strings.ReplaceAll(e.Name, "u", "ue")}
		}
	case "Person":
		e.Properties = store.Properties{"born": store.DateValue(store.MustParseDate(strconv.Itoa(1930 + r.IntN(75))))}
	case "Company":
		e.Properties = store.Properties{
			"employees": store.Number(float64(1 + r.IntN(50_000))),
			"founded":   store.DateValue(year(r, 1850, 2024)),
		}
	case "Event":
		e.ValidFrom = date(r, 1990, 2024)
		e.ValidTo = e.ValidFrom
	case "Organization", "Network":
		e.Properties = store.Properties{"website": store.Text("https://" + strings.ToLower(strings.Fields(e.Name)[0]) + ".example")}
	}
}

func year(r *rand.Rand, from, to int) store.Date {
	return store.MustParseDate(strconv.Itoa(from + r.IntN(to-from+1)))
}

// date returns a date at a random precision: a year, a month or a day, as
// the sources of real relations state them.
func date(r *rand.Rand, from, to int) store.Date {
	y := strconv.Itoa(from + r.IntN(to-from+1))
	m := r.IntN(12) + 1
	switch r.IntN(3) {
	case 0:
		return store.MustParseDate(y)
	case 1:
		return store.MustParseDate(y + "-" + two(m))
	}
	return store.MustParseDate(y + "-" + two(m) + "-" + two(1+r.IntN(28)))
}

func two(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
