#!/bin/sh
# Import the Eurocities members, Wikidata's and Wikipedia's twinnings and the
# mayors who signed the Declaration of Mayors for Democracy next to the
# founding data, then ask who the best-connected twin cities are.
#
#   examples/twin-cities.sh SHARED_DATA_DIR [TIES_DATA_DIR]
#
# SHARED_DATA_DIR is the folder with city-networks/ and sister-cities/. The
# ties binary must be on the PATH (go install ./cmd/ties), and no service may
# hold the data directory (or use "ties import --url" instead).
set -eu
shared=${1:?usage: twin-cities.sh SHARED_DATA_DIR [TIES_DATA_DIR]}
data=${2:-./ties-data}
here=$(dirname "$0")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A new data directory gets the founding data first (a service does that on
# its first start), so that the converted files can point at its entities.
if [ ! -d "$data" ]; then
  ties import --data "$data" "$here/../store/seed/enschede-2017.ndjson"
fi

# --match keeps the entities the store already has (such as Eurocities in
# the founding data) instead of replacing them with thinner records; a
# label they are not known by is merged in as an alias, and the converted
# data as one more source.
ties export --data "$data" -o "$work/dump.ndjson"
python3 "$here/eurocities_to_ndjson.py" \
  "$shared/city-networks/eurocities/members-wikidata-enriched.json" \
  "$work/eurocities.ndjson" --match "$work/dump.ndjson"
ties import --data "$data" "$work/eurocities.ndjson"

ties export --data "$data" -o "$work/dump.ndjson"
python3 "$here/sister_cities_to_ndjson.py" \
  "$shared/sister-cities/wikidata-p190/relations.tsv" \
  "$shared/sister-cities/wikidata-p190/names.tsv" \
  "$work/twins.ndjson" --match "$work/dump.ndjson"
ties import --data "$data" "$work/twins.ndjson"

# The mayors' file names Wikidata items and countries, so it goes in
# before Wikipedia's lists, whose cities are then found by name and country.
ties export --data "$data" -o "$work/dump.ndjson"
python3 "$here/mayors_declaration_to_ndjson.py" \
  "$shared/city-networks/global-parliament-of-mayors/declaration-of-mayors-for-democracy-signatures.csv" \
  "$work/mayors.ndjson" --match "$work/dump.ndjson"
ties import --data "$data" "$work/mayors.ndjson"

# Wikipedia's lists have no Wikidata ids: --match finds the cities the store
# has by name and country or a shared twin, and the countries by name.
ties export --data "$data" -o "$work/dump.ndjson"
python3 "$here/wikipedia_twin_towns_to_ndjson.py" \
  "$shared/sister-cities/wikipedia-twin-towns/twin_cities_raw.csv" \
  "$shared/sister-cities/wikipedia-twin-towns/app_public_twin_cities.csv" \
  "$work/wikipedia.ndjson" --match "$work/dump.ndjson"
ties import --data "$data" "$work/wikipedia.ndjson"

ties query --data "$data" "$(cat "$here/best-connected-twins.graphql")"
