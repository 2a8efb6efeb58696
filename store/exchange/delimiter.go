package exchange

// csvDelimiters are the delimiters detectDelimiter tells apart: what
// English spreadsheets save, what Dutch and German ones save (the comma is
// their decimal mark), and what a copy from a spreadsheet pastes.
var csvDelimiters = [...]byte{',', ';', '\t'}

// detectDelimiter tells the delimiter of a CSV file from the start of it:
// the one of csvDelimiters that occurs most often outside quotes in the
// header row, a comma when none does (a file of one column). Counting in
// the header alone is safe, since Ties' headers are names and types, never
// text with commas in it.
func detectDelimiter(head []byte) rune {
	var counts [len(csvDelimiters)]int
	quoted := false
scan:
	for _, b := range head {
		switch {
		case b == '"':
			quoted = !quoted // a doubled quote toggles twice
		case quoted:
		case b == '\n' || b == '\r':
			break scan
		default:
			for i, d := range csvDelimiters {
				if b == d {
					counts[i]++
				}
			}
		}
	}
	best := 0
	for i := range counts {
		if counts[i] > counts[best] {
			best = i
		}
	}
	return rune(csvDelimiters[best])
}
