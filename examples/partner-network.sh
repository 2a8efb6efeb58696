#!/bin/sh
# Export Enschede's partner network from a running Ties service and look at
# it in NetworkX.
#
#   TIES_URL=http://localhost:8080 examples/partner-network.sh [ENTITY] [DEPTH]
#
# A service that asks for API keys gets TIES_TOKEN (a read key), as the
# ties commands send it.
set -eu
url=${TIES_URL:-http://localhost:8080}
entity=${1:-enschede}
depth=${2:-2}
here=$(dirname "$0")

# Two hops over the partnership relations, as node-link JSON; the same
# query string works for format=graphml, gexf, csv, dot or ndjson.
set --
if [ -n "${TIES_TOKEN:-}" ]; then
  set -- -H "Authorization: Bearer $TIES_TOKEN"
fi
curl -fsS "$@" -o "$entity.json" \
  "$url/export?format=json&from=$entity&depth=$depth&types=SISTER_CITY_OF,FRIENDLY_COOPERATIVE_CITY_OF,MEMBER_OF,COOPERATES_WITH"
python3 "$here/partner_network.py" "$entity.json" "$entity"
