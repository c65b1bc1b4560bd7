#!/usr/bin/env bash
# Two server builds on the `make bench` PostGIS data, alternated: `A=old-binary B=new-binary
# benches/ab.sh` (after one `BENCH_QUICK=1 python3 benches/bench.py`, which leaves the database
# `bench` and the floor's scripts). Each build serves in turn on port 18811; each URL gets a 3 s
# warm-up, then 4 s of wrk at each of CONNS ("4 16") connections; ROUNDS (3) rounds. Prints one
# line per run: round, build, conns, URL, requests/s, and the CPU one request cost the server and
# PostgreSQL (utime + stime from /proc before and after the run: unlike requests/s, it does not
# move with how busy the two cores were). Take the medians per column. DATABASE may name the
# GeoPackage (/tmp/clusterplan-bench/bench.gpkg) instead. LUA names a wrk script for every URL (one
# thread per connection), e.g. the PATCH of `make bench`: DATABASE=/tmp/clusterplan-bench/bench.gpkg
# LUA=/tmp/clusterplan-bench/patch-gpkg.lua PATHS=/ benches/ab.sh (the script sets the path).
# FLOORS="feature zoning …" also runs those floor scripts (floor-<name>.sql) with pgbench as
# `make bench` does, after each round: transactions/s and the CPU of pgbench and of PostgreSQL.
set -euo pipefail
A=${A:?the first binary}
B=${B:?the second binary}
DATABASE=${DATABASE:-postgres://postgres@127.0.0.1:5432/bench}
WORK=${WORK:-/tmp/clusterplan-bench}
# PATHS: the URLs to measure, space-separated (else the three below).
read -r -a URLS <<< "${PATHS:-/collections/clusters/items/160 /collections/clusters/items?limit=1000 /collections/clusters/items?limit=100&bbox=105.5,9.5,106.5,10.5}"
read -r -a CONN_COUNTS <<< "${CONNS:-4 16}"
read -r -a FLOOR_SCRIPTS <<< "${FLOORS:-}"
ticks=$(getconf CLK_TCK)
# As `make bench` runs the floor: the server sessions' settings (written by bench.py).
if [ ${#FLOOR_SCRIPTS[@]} -gt 0 ]; then export PGOPTIONS; PGOPTIONS=$(cat "$WORK/floor-pgoptions"); fi

# CPU ticks of every PostgreSQL process, with the children the postmaster has reaped (pgbench's
# backends end with their sessions).
postgres_ticks() {
  local total=0 p
  for p in $(pgrep -x postgres || true); do
    total=$((total + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$p/stat" 2> /dev/null || echo 0)))
  done
  echo "$total"
}

per_request() { # ticks before, ticks after, requests -> "N µs"
  awk -v a="$1" -v b="$2" -v n="$3" -v t="$ticks" 'BEGIN { printf "%.0f µs", (b - a) / t / n * 1e6 }'
}

for round in $(seq 1 "${ROUNDS:-3}"); do
  for bin in "$A" "$B"; do
    "$bin" serve --listen 127.0.0.1:18811 --no-demo --database "$DATABASE" --tile-cache-mib 0 > /dev/null 2>&1 &
    pid=$!
    sleep 2
    for url in "${URLS[@]}"; do
      for conns in "${CONN_COUNTS[@]}"; do
        if [ -n "${LUA:-}" ]; then args=(-t"$conns" -s "$LUA"); else args=(-t$((conns < 2 ? conns : 2))); fi
        wrk "${args[@]}" -c"$conns" -d3s "http://127.0.0.1:18811$url" > /dev/null
        s0=$(awk '{print $14 + $15}' "/proc/$pid/stat"); p0=$(postgres_ticks)
        out=$(wrk "${args[@]}" -c"$conns" -d4s "http://127.0.0.1:18811$url")
        s1=$(awk '{print $14 + $15}' "/proc/$pid/stat"); p1=$(postgres_ticks)
        n=$(awk '/requests in/ {print $1}' <<< "$out")
        rate=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
        echo "$round $bin c=$conns $url $rate server $(per_request "$s0" "$s1" "$n") postgres $(per_request "$p0" "$p1" "$n")"
      done
    done
    kill "$pid"
    wait "$pid" 2> /dev/null || true
  done
  for name in "${FLOOR_SCRIPTS[@]}"; do
    for conns in "${CONN_COUNTS[@]}"; do
      args=(-n -M prepared -f "$WORK/floor-$name.sql" -c "$conns" -j $((conns < 2 ? conns : 2)) -D vold=0
        -h 127.0.0.1 -U postgres bench)
      pgbench "${args[@]}" -T 3 > /dev/null 2>&1
      p0=$(postgres_ticks)
      out=$({ /usr/bin/time -f "cpu %U %S" pgbench "${args[@]}" -T 4; } 2>&1)
      p1=$(postgres_ticks)
      n=$(awk '/number of transactions actually processed/ {split($NF, a, "/"); print a[1]}' <<< "$out")
      rate=$(awk '/^tps/ {print $3; exit}' <<< "$out")
      client=$(awk -v n="$n" '/^cpu / {printf "%.0f µs", ($2 + $3) / n * 1e6}' <<< "$out")
      echo "$round floor c=$conns $name $rate pgbench $client postgres $(per_request "$p0" "$p1" "$n")"
    done
  done
done
