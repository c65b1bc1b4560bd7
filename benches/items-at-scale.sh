#!/usr/bin/env bash
# Item pages and a feature by id on a PostGIS layer of N generated clusters (issue 21, items 3
# and 5), for one server binary: the database is migrated by that binary, filled by
# benches/generate-clusters.sql when empty, and each row is measured with wrk as a planner.
#
#   cargo build -p clusterplan-server
#   createdb speed_a && BIN=…/clusterplan DATABASE=postgres://postgres@127.0.0.1:5432/speed_a benches/items-at-scale.sh
#
# Two builds are compared on two databases filled alike (a build with a later migration cannot
# share the database of an earlier one); run them in turn and repeat (ROUNDS) to interleave.
# Needs wrk and psql. N (100000), DURATION (10s), THREADS (2), CONNECTIONS (4); WEB_DIR (a
# `web` folder with node_modules) for a binary built without `npm ci`.
set -euo pipefail
BIN=${BIN:?the server binary}
DATABASE=${DATABASE:?a postgres:// URL of an existing database}
N=${N:-100000}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-4}
here=$(dirname "$0")
dir=$(mktemp -d)
out="$dir/stdout"
"$BIN" serve --listen 127.0.0.1:0 --database "$DATABASE" --no-demo ${WEB_DIR:+--web-dir "$WEB_DIR"} >"$out" 2>"$dir/stderr" &
pid=$!
trap 'kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 300); do grep -q listening "$out" 2>/dev/null && break; sleep 0.1; done
BASE=$(sed -n 's/^listening on //p' "$out")
if [[ $(psql "$DATABASE" -Atc "SELECT count(*) FROM clusters") == 0 ]]; then
  psql -q "$DATABASE" -v n="$N" -f "$here/generate-clusters.sql"
fi
if [[ $(psql "$DATABASE" -Atc "SELECT count(*) FROM users WHERE name = 'bench-planner'") == 0 ]]; then
  CLUSTERPLAN_PASSWORD="bench planner password" "$BIN" user add bench-planner --role planner --database "$DATABASE" >/dev/null
fi
TOKEN=$("$BIN" token create bench-planner --database "$DATABASE" | tail -1)
mid=$(psql "$DATABASE" -Atc "SELECT id FROM clusters ORDER BY id OFFSET $((N / 2)) LIMIT 1")
deep=$(psql "$DATABASE" -Atc "SELECT id FROM clusters ORDER BY id OFFSET $((N - 1000)) LIMIT 1")
rows=(
  "feature-by-id /collections/clusters/items/$mid"
  "items-first-100 /collections/clusters/items?limit=100"
  "items-bbox-100 /collections/clusters/items?limit=100&bbox=105,9,106,10"
  "items-offset-deep /collections/clusters/items?limit=100&offset=$((N - 1000))"
  "items-after-deep /collections/clusters/items?limit=100&after=id.$deep"
)
echo "# $(date -u +%FT%TZ) $BIN on ${DATABASE##*/}, $N clusters, wrk -t$THREADS -c$CONNECTIONS -d$DURATION; load: $(cut -d' ' -f1-3 /proc/loadavg)"
for row in "${rows[@]}"; do
  name=${row%% *}
  path=${row#* }
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE$path")
  result=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -H "Authorization: Bearer $TOKEN" "$BASE$path" \
    | awk '/Requests\/sec/ {rps=$2} /Non-2xx/ {bad=$5} /Latency/ {lat=$2} END {printf "%s req/s, latency avg %s, non-2xx %s", rps, lat, bad+0}')
  echo "$name ($status): $result"
done
