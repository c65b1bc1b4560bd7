#!/usr/bin/env bash
# CPU per request of two server builds on the `make bench` data, alternated: `A=old-binary
# B=new-binary PATHS="/collections/clusters/items/160 …" benches/cpu-ab.sh` (after one
# `BENCH_QUICK=1 python3 benches/bench.py`, which leaves the database `bench` and the floor's
# scripts). CPU is read from /proc (utime + stime) of the server and of every PostgreSQL process
# before and after a wrk run, so it does not depend on how busy the two cores were: it is what one
# request cost, where req/s moves with everything else on the machine. Each build serves in turn
# on port 18811; each URL gets a 2 s warm-up, then 4 s of wrk at CONNS (4) connections; ROUNDS (3)
# rounds. Prints: round, build, URL, server µs/request, PostgreSQL µs/request, requests/s.
# FLOORS="zoning feature …" also measures the floor's scripts (/tmp/clusterplan-bench/floor-*.sql)
# with pgbench the same way: pgbench µs/transaction, PostgreSQL µs/transaction, transactions/s.
# DATABASE may name the GeoPackage (PostgreSQL's column then stays near 0).
set -euo pipefail
A=${A:?the first binary}
B=${B:?the second binary}
DATABASE=${DATABASE:-postgres://postgres@127.0.0.1:5432/bench}
CONNS=${CONNS:-4}
ROUNDS=${ROUNDS:-3}
WORK=${WORK:-/tmp/clusterplan-bench}
read -r -a URLS <<< "${PATHS:-/collections/clusters/items/160}"
read -r -a FLOOR_SCRIPTS <<< "${FLOORS:-}"
ticks=$(getconf CLK_TCK)
threads=$((CONNS < 2 ? CONNS : 2))

# CPU ticks of every PostgreSQL process, with the children the postmaster has reaped (pgbench's
# backends end with their sessions).
postgres_ticks() {
  local total=0 p
  for p in $(pgrep -x postgres || true); do
    total=$((total + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$p/stat" 2> /dev/null || echo 0)))
  done
  echo "$total"
}

per_request() { # ticks-before ticks-after requests -> µs per request
  awk -v a="$1" -v b="$2" -v n="$3" -v t="$ticks" 'BEGIN { printf "%.0f", (b - a) / t / n * 1e6 }'
}

for round in $(seq 1 "$ROUNDS"); do
  for bin in "$A" "$B"; do
    "$bin" serve --listen 127.0.0.1:18811 --no-demo --database "$DATABASE" --tile-cache-mib 0 > /dev/null 2>&1 &
    pid=$!
    sleep 2
    for url in "${URLS[@]}"; do
      wrk -t"$threads" -c"$CONNS" -d2s "http://127.0.0.1:18811$url" > /dev/null
      s0=$(awk '{print $14 + $15}' "/proc/$pid/stat"); p0=$(postgres_ticks)
      out=$(wrk -t"$threads" -c"$CONNS" -d4s "http://127.0.0.1:18811$url")
      s1=$(awk '{print $14 + $15}' "/proc/$pid/stat"); p1=$(postgres_ticks)
      n=$(awk '/requests in/ {print $1}' <<< "$out")
      rate=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
      echo "$round $bin $url server $(per_request "$s0" "$s1" "$n") µs postgres $(per_request "$p0" "$p1" "$n") µs $rate req/s"
    done
    kill "$pid"
    wait "$pid" 2> /dev/null || true
  done
  for name in "${FLOOR_SCRIPTS[@]}"; do
    # As `make bench` runs the floor: the server sessions' settings, prepared statements.
    export PGOPTIONS="-c plan_cache_mode=force_generic_plan -c jit=off -c max_parallel_workers_per_gather=0"
    args=(-n -M prepared -f "$WORK/floor-$name.sql" -c "$CONNS" -j "$threads" -D vold=0 -h 127.0.0.1 -U postgres bench)
    pgbench "${args[@]}" -T 2 > /dev/null 2>&1
    p0=$(postgres_ticks)
    out=$({ /usr/bin/time -f "cpu %U %S" pgbench "${args[@]}" -T 4; } 2>&1)
    p1=$(postgres_ticks)
    n=$(awk '/number of transactions actually processed/ {split($NF, a, "/"); print a[1]}' <<< "$out")
    rate=$(awk '/^tps/ {print $3; exit}' <<< "$out")
    client=$(awk -v n="$n" '/^cpu / {printf "%.0f", ($2 + $3) / n * 1e6}' <<< "$out")
    echo "$round floor $name pgbench $client µs postgres $(per_request "$p0" "$p1" "$n") µs $rate tps"
  done
done
