#!/usr/bin/env bash
# Throughput of vector tiles and item pages against the running release server, reported as
# ratios to a peer measured in the same run on the same server and machine: `/health` (the
# floor of one request through the whole middleware stack, no store access). Absolute
# requests/s depend on the machine; ratios to the in-run peer are what to compare.
#
#   cargo build --release -p clusterplan-server
#   benches/tiles-and-items.sh                 # starts target/release/clusterplan on a temp GeoPackage
#   BASE=http://127.0.0.1:8080 benches/tiles-and-items.sh   # or measure a server already running
#
# Started by the script, the server also gets a planner and a commune officer, and the draft is
# measured as each (`draft-planner`, `draft-officer`: the officer's page is filtered to its
# commune). Against a running server, give PLANNER_TOKEN and OFFICER_TOKEN for those rows.
#
# Needs wrk (Debian `wrk`). DURATION (default 10s), THREADS (2), CONNECTIONS (16).
set -euo pipefail
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
BIN=${BIN:-${CARGO_TARGET_DIR:-target}/release/clusterplan}
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 2; }

PLANNER_TOKEN=${PLANNER_TOKEN:-}
OFFICER_TOKEN=${OFFICER_TOKEN:-}
if [[ -z "${BASE:-}" ]]; then
  dir=$(mktemp -d)
  out="$dir/stdout"
  "$BIN" serve --listen 127.0.0.1:0 --database "$dir/bench.gpkg" >"$out" 2>"$dir/stderr" &
  pid=$!
  trap 'kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
  for _ in $(seq 100); do grep -q listening "$out" 2>/dev/null && break; sleep 0.1; done
  BASE=$(sed -n 's/^listening on //p' "$out")
  # Accounts read the draft: a planner (everything) and an officer of the commune of today
  # that holds Phú Hưng–Mỹ Thạnh (its reads are filtered to the commune's territory).
  db="$dir/bench.gpkg"
  commune=$(curl -s -H "Authorization: Bearer $("$BIN" token create admin --database "$db" | tail -1)" \
    "$BASE/zoning?lon=106.43&lat=10.205" | python3 -c 'import json,sys; print(next(u["code"] for u in json.load(sys.stdin)["units"] if u["level"] == "commune"))')
  CLUSTERPLAN_PASSWORD="bench planner password" "$BIN" user add bench-planner --role planner --database "$db" >/dev/null
  CLUSTERPLAN_PASSWORD="bench officer password" "$BIN" user add bench-officer --role officer --unit "$commune" --database "$db" >/dev/null
  PLANNER_TOKEN=$("$BIN" token create bench-planner --database "$db" | tail -1)
  OFFICER_TOKEN=$("$BIN" token create bench-officer --database "$db" | tail -1)
fi

# Bến Tre demo data: the zoom-11 tile over Bến Tre town (row 965, column 1629) holds several
# clusters; the zoom-14 one (row 7723, column 13035) one cluster, clipped.
targets=(
  "peer /health"
  "tile-z11 /collections/clusters/tiles/WebMercatorQuad/11/965/1629"
  "tile-z14 /collections/clusters/tiles/WebMercatorQuad/14/7723/13035"
  "items-10 /collections/clusters/items?limit=10"
  "items-100 /collections/clusters/items?limit=100"
  "items-vn2000 /collections/clusters/items?limit=100&crs=http://www.opengis.net/def/crs/EPSG/0/9210"
  "items-cql2 /collections/clusters/items?limit=100&filter=status%20IN%20('operating','established')%20AND%20name%20LIKE%20'%25n%25'"
  "items-spatial /collections/clusters/items?limit=100&filter=S_INTERSECTS(geometry,POINT(106.43%2010.205))"
  "items-sorted /collections/clusters/items?limit=100&sortby=-planned_area_ha,name"
)
# The draft as a planner and as an officer (tokens from the variables when BASE is given).
[[ -n "$PLANNER_TOKEN" ]] && targets+=("draft-planner /collections/clusters/items?limit=100")
[[ -n "$OFFICER_TOKEN" ]] && targets+=("draft-officer /collections/clusters/items?limit=100")
declare -A rps
for t in "${targets[@]}"; do
  name=${t%% *}
  path=${t#* }
  auth=()
  case $name in
    draft-planner) auth=(-H "Authorization: Bearer $PLANNER_TOKEN") ;;
    draft-officer) auth=(-H "Authorization: Bearer $OFFICER_TOKEN") ;;
  esac
  status=$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "$BASE$path")
  rate=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "${auth[@]}" "$BASE$path" | awk '/Requests\/sec/ {print $2}')
  rps[$name]=$rate
  printf '%-14s HTTP %s  %10s req/s\n' "$name" "$status" "$rate"
done
echo
echo "ratios to the in-run peer (/health = 1.00):"
for t in "${targets[@]}"; do
  name=${t%% *}
  awk -v n="$name" -v r="${rps[$name]}" -v p="${rps[peer]}" 'BEGIN { printf "%-14s %6.3f\n", n, r / p }'
done
