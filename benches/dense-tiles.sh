#!/usr/bin/env bash
# What a dense layer costs the server: RSS and tiles/s for the zoom-5 tile that holds 20 000
# published features (benches/dense_layer.py), for the six zoom-8 tiles in turn, and for the HTML
# page of 10 000 features, on either store. The figures of BENCHMARKS.md ("Dense tiles") come
# from here.
#
#   cargo build -p clusterplan-server            # or --release, then BIN=…/release/clusterplan
#   benches/dense-tiles.sh                       # a fresh GeoPackage in a temp folder
#   DATABASE=postgres://postgres@127.0.0.1:5432/bench_dense benches/dense-tiles.sh   # an empty database
#   SERVE_ARGS="--tile-cache-mib 0" benches/dense-tiles.sh     # any serve options
#
# Needs wrk and python3. DURATION (default 15s), COUNT (20000); KEEP=1 reuses the layer in DATABASE.
set -euo pipefail
DURATION=${DURATION:-15s}
COUNT=${COUNT:-20000}
BIN=${BIN:-${CARGO_TARGET_DIR:-target}/debug/clusterplan}
here=$(cd "$(dirname "$0")" && pwd)
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 2; }

dir=$(mktemp -d)
db=${DATABASE:-$dir/dense.gpkg}
# shellcheck disable=SC2086
"$BIN" serve --listen 127.0.0.1:0 --no-demo --database "$db" ${SERVE_ARGS:-} >"$dir/stdout" 2>"$dir/stderr" &
pid=$!
trap 'kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 300); do grep -q listening "$dir/stdout" 2>/dev/null && break; sleep 0.1; done
BASE=$(sed -n 's/^listening on //p' "$dir/stdout")
token=$("$BIN" token create admin --database "$db" | tail -1)
# KEEP=1 with DATABASE: the layer is there already (e.g. to compare two builds on one layer).
[[ -n "${KEEP:-}" ]] || python3 "$here/dense_layer.py" "$BASE" "$token" "$COUNT" >/dev/null

rss() { awk '/^VmRSS/ {r=$2} /^VmHWM/ {h=$2} END {printf "RSS %d MB, peak %d MB", r/1024, h/1024}' "/proc/$pid/status"; }
# A fresh peak for each row: writing 5 to clear_refs resets VmHWM to the current RSS.
reset_peak() { echo 5 >"/proc/$pid/clear_refs" 2>/dev/null || true; }

z5=/collections/clusters/tiles/WebMercatorQuad/5/15/25
echo "after loading: $(rss); z5 tile $(curl -s -o /dev/null -w '%{size_download} bytes in %{time_total} s' "$BASE$z5")"
# The six zoom-8 tiles over the layer (~3 300 features each), requested in turn.
cat >"$dir/z8.lua" <<'EOF'
local tiles = { "8/120/202", "8/120/203", "8/120/204", "8/121/202", "8/121/203", "8/121/204" }
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/collections/clusters/tiles/WebMercatorQuad/" .. tiles[i % #tiles + 1])
end
EOF
run() { # name, connections, wrk arguments…
  local name=$1 c=$2
  shift 2
  reset_peak
  local out
  out=$(wrk -t2 -c"$c" -d"$DURATION" --timeout 10s "$@")
  local rate non2xx timeouts ok
  rate=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  timeouts=$(grep -o 'timeout [0-9]*' <<<"$out" | awk '{print $2}' || true)
  # Answers with content (200) per second: all answers less the 503s of the render cap.
  ok=$(awk -v n="${non2xx:-0}" '/requests in/ {t=$4; sub(/s,?$/, "", t); printf "%.2f", ($1 - n) / t}' <<<"$out")
  printf '%-10s c=%-3s %9s req/s  %8s 2xx/s  non-2xx %-6s timeouts %-5s %s\n' "$name" "$c" "$rate" "$ok" "${non2xx:-0}" "${timeouts:-0}" "$(rss)"
}
for c in 8 64; do
  run z5 "$c" "$BASE$z5"
  run z8-x6 "$c" -s "$dir/z8.lua" "$BASE"
  run html-10k "$c" "$BASE/collections/clusters/items?f=html&limit=10000"
done
