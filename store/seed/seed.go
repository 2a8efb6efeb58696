// Package seed holds the founding data of Ties: the graph read from the
// City of Enschede's "2017: International Annual Report", in the canonical
// NDJSON format (docs/FORMAT.md). A service started on an empty data
// directory loads it once.
//
// Provenance. Every entity the report names and every relation it states
// was read from the report by hand. Each relation cites the sentence that
// states it as a source of the Document entity DocumentID, with the
// section heading as locator: confidence 1 where the sentence says the
// fact, lower where the fact is inferred from it (that the Smart City
// Conference took place in Enschede, that the 2015 work mission went to
// Palo Alto). A few facts the report takes for granted (which country a
// city lies in) carry no source and the property "basis": "general
// knowledge"; the coordinates ("location") and Wikidata ids of places are
// general knowledge too, checked against Wikipedia and Wikidata. Facts known
// to hold in 2017 without known bounds (who was mayor) leave validFrom and
// validTo unset, which means unknown, and record the year in the property
// "attested".
//
// The report contradicts itself about Dalian: it "became a sister city of
// Enschede in 2009", yet the 2017 memorandum "transformed Enschede from a
// 'Friendly Cooperative City' into an official 'Sister City'". The data
// models the tie of 2009 as FRIENDLY_COOPERATIVE_CITY_OF from 2009 to 2017
// and the official twinning as SISTER_CITY_OF from 2017, and says so in the
// first relation's "note" property.
//
// Membership of Eurocities. The report says both that "the municipality
// of Enschede participates in a range of European networks" and that
// Eurocities is one of "our contacts"; Eurocities' members are cities, each
// represented by its local government. The data makes the city the member
// (enschede MEMBER_OF eurocities, so that asking about Enschede finds the
// network it is known for) and names the body that acts for it in the
// relation's "representedBy" property: municipality-of-enschede, which is
// BASED_IN enschede.
package seed

import (
	"bytes"
	_ "embed"
	"io"
)

// DocumentID is the id of the Document entity for the report that every
// source in the founding data cites.
const DocumentID = "enschede-international-annual-report-2017"

// FileName is the name of the founding data file, for error messages such
// as "enschede-2017.ndjson:12" and for the LoadOptions.Source of a load.
const FileName = "enschede-2017.ndjson"

//go:embed enschede-2017.ndjson
var ndjson []byte

// NDJSON returns a copy of the founding data in canonical NDJSON, so that
// no caller can change what the next one reads.
func NDJSON() []byte { return bytes.Clone(ndjson) }

// Reader returns a reader over the founding data in canonical NDJSON. Each
// call starts at the beginning, which suits a decoder that reads its input
// once per pass of Store.Load.
func Reader() io.Reader { return bytes.NewReader(ndjson) }
