#!/usr/bin/env bash
# Growth (issue 21): the first page of 100 features and /zoning at a point, as a planner, on
# layers of 10 000 and 1 000 000 generated clusters, on PostGIS (benches/generate-clusters.sql)
# and on the embedded store (benches/generate_clusters_gpkg.py, the same grid); the median of 21
# requests after 5 warm-ups, and the server's resident set after them (VmRSS) with its peak
# (VmHWM).
#
#   cargo build --release -p clusterplan-server
#   BIN=…/release/clusterplan benches/growth.sh
#
# Each size gets a database growth_<n> and a file $WORK/growth_<n>.gpkg, filled once and kept
# (KEEP=0 fills them again). SIZES ("10000 1000000"), STORES ("postgis gpkg"), WORK
# (/tmp/clusterplan-growth), PGURL (postgres://postgres@127.0.0.1:5432). Needs psql, curl and
# python3.
set -euo pipefail
BIN=${BIN:?the server binary}
SIZES=${SIZES:-10000 1000000}
WORK=${WORK:-/tmp/clusterplan-growth}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
KEEP=${KEEP:-1}
STORES=${STORES:-postgis gpkg}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$WORK"

pid=
stop() { if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=; fi; }
trap stop EXIT

# Starts the server on $1; sets pid and BASE.
start() {
  "$BIN" serve --listen 127.0.0.1:0 --database "$1" --no-demo >"$WORK/stdout" 2>"$WORK/stderr" &
  pid=$!
  for _ in $(seq 600); do grep -q listening "$WORK/stdout" 2>/dev/null && break; sleep 0.1; done
  BASE=$(sed -n 's/^listening on //p' "$WORK/stdout")
  [[ -n $BASE ]] || { cat "$WORK/stderr" >&2; exit 1; }
}

# The median of 21 timed requests (ms) after 5 warm-ups.
median_ms() {
  local url=$1 token=$2
  for _ in 1 2 3 4 5; do curl -sf -o /dev/null -H "Authorization: Bearer $token" "$url"; done
  for _ in $(seq 21); do curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "$url"; done |
    sort -n | sed -n 11p | awk '{printf "%.2f", $1 * 1000}'
}

planner_token() {
  CLUSTERPLAN_PASSWORD="growth planner password" "$BIN" user add growth-planner --role planner --database "$1" \
    >/dev/null 2>&1 || true
  "$BIN" token create growth-planner --database "$1" | tail -1
}

measure() {
  local store=$1 database=$2 n=$3
  start "$database"
  local token mid x y
  token=$(planner_token "$database")
  # The middle cluster of the generators' grid, and a point inside it.
  mid=$((n / 2))
  x=$(awk -v i="$mid" 'BEGIN { printf "%.4f", 104.5 + (i % 1000) * 0.005 + 0.002 }')
  y=$(awk -v i="$mid" 'BEGIN { printf "%.4f", 8.7 + int(i / 1000) * 0.005 + 0.002 }')
  local page zoning
  page=$(median_ms "$BASE/collections/clusters/items?limit=100" "$token")
  zoning=$(median_ms "$BASE/zoning?lon=$x&lat=$y" "$token")
  local found
  found=$(curl -sf -H "Authorization: Bearer $token" "$BASE/zoning?lon=$x&lat=$y" | grep -o '"code":"GEN-[0-9]*"' | head -1 || true)
  local rss hwm
  rss=$(awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status")
  hwm=$(awk '/^VmHWM/ {print int($2 / 1024)}' "/proc/$pid/status")
  printf '%-10s %9d  first page %7s ms  zoning %7s ms (%s)  RSS %4s MB (peak %s MB)\n' \
    "$store" "$n" "$page" "$zoning" "${found:-nothing found}" "$rss" "$hwm"
  stop
}

for n in $SIZES; do
  if [[ " $STORES " == *" postgis "* ]]; then
    db="growth_$n"
    url="$PGURL/$db"
    if [[ $KEEP != 1 ]] || ! psql "$PGURL/postgres" -Atc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
      psql -q "$PGURL/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
      psql -q "$PGURL/postgres" -c "CREATE DATABASE $db"
      start "$url" # migrates it
      stop
      psql -q "$url" -v n="$n" -f "$here/generate-clusters.sql"
    fi
    measure PostGIS "$url" "$n"
  fi
  if [[ " $STORES " == *" gpkg "* ]]; then
    file="$WORK/growth_$n.gpkg"
    if [[ $KEEP != 1 || ! -s $file ]]; then
      rm -f "$file" "$file-wal" "$file-shm"
      start "$file" # creates and migrates it
      stop
      python3 "$here/generate_clusters_gpkg.py" "$file" "$n"
    fi
    measure GeoPackage "$file" "$n"
  fi
done
