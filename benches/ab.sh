#!/usr/bin/env bash
# Two server builds on the `make bench` PostGIS data, alternated: `A=old-binary B=new-binary
# benches/ab.sh` (after one `BENCH_QUICK=1 python3 benches/bench.py`, which leaves the database
# `bench`). Each build serves in turn on port 18811; each URL gets a 3 s warm-up, then 4 s of
# wrk at 4 and at 16 connections; three rounds. Prints one line per run: round, build, conns,
# URL, requests/s. Take the medians per column. DATABASE may name the GeoPackage
# (/tmp/clusterplan-bench/bench.gpkg) instead. LUA names a wrk script for every URL (one thread
# per connection), e.g. the PATCH of `make bench`: DATABASE=/tmp/clusterplan-bench/bench.gpkg
# LUA=/tmp/clusterplan-bench/patch-gpkg.lua PATHS=/ benches/ab.sh (the script sets the path).
set -euo pipefail
A=${A:?the first binary}
B=${B:?the second binary}
DATABASE=${DATABASE:-postgres://postgres@127.0.0.1:5432/bench}
# PATHS: the URLs to measure, space-separated (else the three below).
read -r -a URLS <<< "${PATHS:-/collections/clusters/items/160 /collections/clusters/items?limit=1000 /collections/clusters/items?limit=100&bbox=105.5,9.5,106.5,10.5}"
for round in 1 2 3; do
  for bin in "$A" "$B"; do
    "$bin" serve --listen 127.0.0.1:18811 --no-demo --database "$DATABASE" --tile-cache-mib 0 > /dev/null 2>&1 &
    pid=$!
    sleep 2
    for url in "${URLS[@]}"; do
      for conns in 4 16; do
        if [ -n "${LUA:-}" ]; then args=(-t"$conns" -s "$LUA"); else args=(-t2); fi
        wrk "${args[@]}" -c"$conns" -d3s "http://127.0.0.1:18811$url" > /dev/null
        rate=$(wrk "${args[@]}" -c"$conns" -d4s "http://127.0.0.1:18811$url" | awk '/Requests\/sec/ {print $2}')
        echo "$round $bin c=$conns $url $rate"
      done
    done
    kill "$pid"
    wait "$pid" 2> /dev/null || true
  done
done
