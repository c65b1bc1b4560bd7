#!/usr/bin/env python3
"""`make bench`: our server beside the database's own floor, on both stores, in one command.

    cargo build --profile dist -p clusterplan-server
    python3 benches/bench.py                 # full run: writes the table into BENCHMARKS.md
    BENCH_QUICK=1 python3 benches/bench.py   # smoke run (~3 min): fewer features, 3 s, 1 repetition
    BENCH_COMPARE=1 python3 benches/bench.py # run, then exit 1 when a ratio is > 20 % below the
                                             # table committed in BENCHMARKS.md (not rewritten),
                                             # on as many clusters as that table (unless CLUSTERS)

What it does, in order:
1. Generates the data (`gen.py`: CLUSTERS clusters, 10 zones each, fixed seed) and loads it
   through the HTTP API as a planner (clusters in order, so both stores give the same ids; zones
   8 requests at a time) into a fresh PostGIS database (BENCH_DB, default `bench`, dropped and
   created again) and a fresh GeoPackage file, then publishes both layers, so reads are
   anonymous reads of the published layer.
2. Captures the SQL each workload's request sends: `ALTER DATABASE … SET log_statement = 'all'`,
   a server started after that (so its sessions log), each request sent once to warm the
   connection and once more to be captured, the statements of the second one read back from the
   PostgreSQL log with their bind parameters (`DETAIL:  parameters: $1 = …`), setting reset.
   Each workload becomes a pgbench script (BENCH_DIR/floor-*.sql): one transaction = every
   statement of one request, parameters substituted as literals. The PATCH script has one branch
   per client, each on its own cluster, with the expected version carried in a variable.
   BENCHMARKS.md ("Our server beside the database's floor") says more, and what the floor
   leaves out.
3. Measures, interleaved: for each repetition, workload and connection count, pgbench on the
   script (`-M prepared`, the floor), then wrk against the server on PostGIS and on the
   GeoPackage (the order of the three rotates between repetitions). Medians over repetitions;
   the 1-minute load average is recorded before each run, and the CPU time each process spent
   (the server, PostgreSQL, pgbench or wrk, from /proc and getrusage) around it.
4. Writes the table between the `bench:begin`/`bench:end` markers of BENCHMARKS.md (the rest of
   the file is left alone), and every figure to WORK/results.json.

Both servers run with `--tile-cache-mib 0`: a cached tile costs no SQL at all, so with the cache
the tile rows would measure memory, not the path the floor measures.

The server measured is the binary as shipped: the `dist` profile (whole-program LTO, one codegen unit;
`cargo deb --profile dist` packages it), which spends less CPU per request than `release`.

Environment: BIN (default the `dist` binary), PGURL (postgres://postgres@127.0.0.1:5432), BENCH_DB (bench),
PG_LOG (the server's log file; default the newest in /var/log/postgresql), CLUSTERS (1000; quick
300), DURATION (10s; quick 3s), REPS (3; quick 1), CONNECTIONS ("4 16"), BENCH_DIR
(/tmp/clusterplan-bench), BENCH_REUSE=1 (keep the stores of the last run with the same CLUSTERS).
Needs wrk, pgbench and psql, and PostGIS on the PostgreSQL server. Python 3.11 standard library.
"""

import json
import math
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in benches/
sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
COMPARE = os.environ.get("BENCH_COMPARE", "") not in ("", "0") or "--compare" in sys.argv
CLUSTERS = int(os.environ.get("CLUSTERS", 300 if QUICK else 1000))
DURATION = os.environ.get("DURATION", "3s" if QUICK else "10s")
REPS = int(os.environ.get("REPS", 1 if QUICK else 3))
CONNECTIONS = [int(c) for c in os.environ.get("CONNECTIONS", "4 16").split()]
PGURL = os.environ.get("PGURL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DB = os.environ.get("BENCH_DB", "bench")
WORK = Path(os.environ.get("BENCH_DIR", "/tmp/clusterplan-bench"))
REUSE = os.environ.get("BENCH_REUSE", "") not in ("", "0")
TARGET = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
BIN = os.environ.get("BIN", f"{TARGET}/dist/clusterplan")
BENCHMARKS = ROOT / "BENCHMARKS.md"
BEGIN, END = "<!-- bench:begin (written by benches/bench.py) -->", "<!-- bench:end -->"
PASSWORD = "bench planner password"
# PATCH: each connection edits its own cluster (wrk: one thread per connection; pgbench: one
# branch per client), so neither side measures waiting for another writer's row lock.
PATCH_FEATURES = max(CONNECTIONS)
# Captured PATCHes are sent at a version of at least this: the floor's script finds the
# parameters that are the expected version (and the next) by value, so it must not be a value
# like 1 or 2 that other parameters hold too.
PATCH_VERSION = 40


def die(message):
    print(f"bench: {message}", file=sys.stderr)
    sys.exit(2)


def log(message):
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def seconds(duration):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)?", duration)
    if not m:
        die(f"DURATION {duration!r} is not like 10s")
    return float(m[1]) * {"ms": 0.001, "s": 1, None: 1, "m": 60, "h": 3600}[m[2]]


# --- PostgreSQL ---------------------------------------------------------------------------

def pg_args(db):
    u = urllib.parse.urlsplit(f"{PGURL}/{db}")
    return ["-h", u.hostname or "127.0.0.1", "-p", str(u.port or 5432), "-U", u.username or "postgres", db]


def psql(sql, db="postgres"):
    r = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql, *pg_args(db)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        die(f"psql ({sql[:60]}…): {r.stderr.strip()}")
    return r.stdout.strip()


def pg_log_path():
    if os.environ.get("PG_LOG"):
        return Path(os.environ["PG_LOG"])
    current = psql("SELECT coalesce(pg_current_logfile(), '')")
    if current:
        return Path(current if current.startswith("/") else f"{psql('SHOW data_directory')}/{current}")
    logs = sorted(Path("/var/log/postgresql").glob("*.log"), key=lambda p: p.stat().st_mtime)
    if not logs:
        die("no PostgreSQL log found: set PG_LOG to the file the server writes its log to")
    return logs[-1]


def preflight():
    for tool, hint in (("wrk", "apt-get install wrk"), ("pgbench", "apt-get install postgresql-client"),
                       ("psql", "apt-get install postgresql-client")):
        if not shutil.which(tool):
            die(f"{tool} is missing ({hint})")
    if not os.access(BIN, os.X_OK):
        die(f"no server binary at {BIN}: cargo build --profile dist -p clusterplan-server (or set BIN)")
    r = subprocess.run(["psql", "-X", "-At", "-c", "SELECT 1", *pg_args("postgres")], capture_output=True, text=True)
    if r.returncode != 0:
        die(f"PostgreSQL at {PGURL} does not answer: {r.stderr.strip()}")
    if psql("SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'") != "1":
        die("PostGIS is not installed on the PostgreSQL server (Debian: apt-get install postgresql-15-postgis-3)")
    path = pg_log_path()
    if not os.access(path, os.R_OK):
        die(f"cannot read the PostgreSQL log {path} (run as a user that may, or set PG_LOG)")
    return path


# --- the server ---------------------------------------------------------------------------

class Server:
    def __init__(self, name, database):
        self.dir = WORK / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.database = database
        out, err = self.dir / "stdout", self.dir / "stderr"
        self.proc = subprocess.Popen(
            [BIN, "serve", "--listen", "127.0.0.1:0", "--no-demo", "--database", database, "--tile-cache-mib", "0"],
            # The server as shipped: its default log level (`CLUSTERPLAN_LOG` unset, `info`), so
            # the request span it keeps for error lines is part of what is measured.
            stdout=out.open("w"), stderr=err.open("w"),
            env={k: v for k, v in os.environ.items() if k != "CLUSTERPLAN_LOG"})
        for _ in range(600):
            text = out.read_text()
            if m := re.search(r"^listening on (\S+)", text, re.M):
                self.base = m[1]
                return
            if self.proc.poll() is not None:
                die(f"server on {database} exited: {err.read_text()[-2000:]}")
            time.sleep(0.1)
        self.stop()
        die(f"server on {database} did not start in 60 s")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def cli(*args):
    r = subprocess.run([BIN, *args], capture_output=True, text=True, env={**os.environ, "CLUSTERPLAN_PASSWORD": PASSWORD})
    if r.returncode != 0:
        die(f"clusterplan {' '.join(args)}: {r.stderr.strip()}")
    return r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""


def http(method, url, body=None, token=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    h = {"Accept": "application/geo+json, application/json"} | (headers or {})
    if data is not None:
        h.setdefault("Content-Type", "application/json")
    if token:
        h["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def expect(status, answer, what):
    if answer[0] != status:
        die(f"{what}: HTTP {answer[0]} (expected {status}): {answer[2][:1000].decode(errors='replace')}")
    return answer


# --- loading ------------------------------------------------------------------------------

def load(server, token, n):
    """Posts n clusters, then their zones, then publishes; returns the clusters' ids."""
    base = server.base

    def post_cluster(i):
        _, _, body = expect(201, http("POST", f"{base}/collections/clusters/items", gen.cluster(i, n), token),
                            f"cluster {i}")
        return json.loads(body)["id"]

    started = time.monotonic()
    # Clusters one at a time, so both stores give them the same ids; zones 8 at a time.
    ids = [post_cluster(i) for i in range(n)]
    log(f"  {n} clusters in {time.monotonic() - started:.0f} s")
    with ThreadPoolExecutor(8) as pool:

        def post_zones(i):
            for z in gen.zones(i, n, ids[i]):
                expect(201, http("POST", f"{base}/collections/zones/items", z, token), f"zone of cluster {i}")

        list(pool.map(post_zones, range(n)))
    log(f"  {n * gen.ZONES_PER_CLUSTER} zones, {time.monotonic() - started:.0f} s in all")
    expect(200, http("POST", f"{base}/collections/clusters/publish", {"note": "benchmark data (benches/gen.py)"}, token),
           "publish")
    return ids


def bump_versions(server, token, ids, version):
    """PATCHes each cluster until it is at `version` at least (see PATCH_VERSION)."""
    def bump(fid):
        current = current_version(server.base, token, fid)
        while current < version:
            _, headers, _ = expect(200, patch(server.base, token, fid, current, f"bump {current}"), "PATCH")
            current = int(headers["ETag"].strip('"'))

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(bump, ids))


def patch(base, token, fid, version, note):
    return http("PATCH", f"{base}/collections/clusters/items/{fid}", {"properties": {"notes": note}}, token,
                {"If-Match": f'"{version}"', "Content-Type": "application/merge-patch+json"})


# --- workloads ----------------------------------------------------------------------------

def tile(z, lon, lat):
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return f"/collections/clusters/tiles/WebMercatorQuad/{z}/{y}/{x}"


def workloads(n, ids):
    cols, _ = gen._grid(n)
    middle = n // 2 + cols // 2
    lon, lat, *_ = gen._site(middle, n)
    zlon, zlat = gen.inside_zone(middle, n, 0)
    cql = urllib.parse.quote("status IN ('in_plan','established') AND planned_area_ha > 40 AND name LIKE '%5%'")
    return [
        ("items-bbox", "items bbox LIMIT 100", "/collections/clusters/items?bbox=105.5,9.5,106.5,10.5&limit=100"),
        ("items-1000", "items LIMIT 1 000", "/collections/clusters/items?limit=1000"),
        ("cql2", "CQL2 filter (LIMIT 100)", f"/collections/clusters/items?limit=100&filter={cql}"),
        ("feature", "feature by id", f"/collections/clusters/items/{ids[middle]}"),
        ("zoning", "zoning at a point", f"/zoning?lon={zlon}&lat={zlat}"),
        ("patch", "versioned PATCH", None),
        ("z12", "MVT z12", tile(12, lon, lat)),
        ("z14", "MVT z14", tile(14, lon, lat)),
        ("z16", "MVT z16", tile(16, lon, lat)),
    ]


# --- capturing the SQL --------------------------------------------------------------------

LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[(\d+)\] (?:(\S*)@(\S*) )?([A-Z]+):  (.*)$", re.S)
PARAM = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')(?:, |$)", re.S)


def read_log(path, offset):
    """Statements of the bench database logged after `offset`: [(sql, {n: literal})]."""
    with open(path, "rb") as f:
        f.seek(offset)
        text = f.read().decode(errors="replace")
    messages = []
    for line in text.split("\n"):
        if line.startswith("\t") and messages:
            messages[-1][-1] += "\n" + line[1:]
        elif m := LINE.match(line):
            messages.append(list(m.groups()))
    statements = []
    for _pid, _user, db, level, message in messages:
        if db != DB:
            continue
        if level == "LOG" and (m := re.match(r"(?:statement|execute [^:]*): (.*)", message, re.S)):
            statements.append((m[1], {}))
        elif level == "DETAIL" and message.startswith("parameters: ") and statements:
            statements[-1] = (statements[-1][0], {k: v for k, v in PARAM.findall(message[len("parameters: "):])})
        elif level == "ERROR":
            die(f"a captured request failed in PostgreSQL: {message}")
    return statements


def literal(value):
    """A logged parameter as SQL text pgbench leaves alone: pgbench reads `:name` anywhere as a
    variable, so a literal holding ':' is written as E'…' with the colon escaped."""
    if value == "NULL" or ":" not in value:
        return value
    inner = value[1:-1].replace("\\", "\\\\").replace(":", "\\072")
    return f"E'{inner}'"


def quote_colons(sql):
    """The same for string constants in the statement's own text."""
    return re.sub(r"(?<![A-Za-z0-9_])'(?:[^']|'')*'", lambda m: literal(m[0]), sql)


def render(sql, params, by_value=None):
    by_value = by_value or {}

    def substitute(m):
        value = params.get(m[1])
        if value is None:
            die(f"no logged value for ${m[1]} in: {sql[:200]}")
        if value.strip("'") in by_value and value != "NULL":
            return by_value[value.strip("'")]
        return literal(value)

    # Constants in the text first, then parameters (whose literals are already safe).
    sql = quote_colons(sql.strip().rstrip(";"))
    return re.sub(r"\$(\d+)\b", substitute, sql) + ";"


def capture(log_path, ids, work, patch_ids, planner):
    """pgbench scripts for every workload, and the session settings the server's connections use."""
    psql(f"ALTER DATABASE {DB} SET log_statement = 'all'")
    server = None
    try:
        server = Server("capture", f"{PGURL}/{DB}")
        start = log_path.stat().st_size
        scripts = {}
        for key, _, path in workloads(CLUSTERS, ids):
            if path is None:
                continue
            expect(200, http("GET", server.base + path), f"{key} (warm)")
            time.sleep(0.2)
            offset = log_path.stat().st_size
            expect(200, http("GET", server.base + path), key)
            time.sleep(0.5)
            statements = read_log(log_path, offset)
            if not statements:
                die(f"nothing logged for {key}: is {log_path} the log of {PGURL}?")
            scripts[key] = "\n".join(render(s, p) for s, p in statements) + "\n"
        # PATCH: one capture per client, each on its own cluster at PATCH_VERSION; the warm-up
        # edits a cluster outside the set.
        warm = ids[-1]
        expect(200, patch(server.base, planner, warm, current_version(server.base, planner, warm), "warm"), "PATCH (warm)")
        branches = []
        for client, fid in enumerate(patch_ids):
            version = current_version(server.base, planner, fid)
            time.sleep(0.2)
            offset = log_path.stat().st_size
            expect(200, patch(server.base, planner, fid, version, "benchmark edit"), f"PATCH {fid}")
            time.sleep(0.5)
            statements = read_log(log_path, offset)
            by_value = {str(version): "CAST(:vold AS bigint)", str(version + 1): "CAST(:vnew AS bigint)"}
            body = "\n".join(render(s, p, by_value) for s, p in statements)
            branches.append(
                f"\\{'if' if client == 0 else 'elif'} :client_id = {client}\n"
                f"\\if :vold = 0\nSELECT version AS vold FROM clusters WHERE id = {fid} \\gset\n\\endif\n"
                f"\\set vnew :vold + 1\n{body}\n\\set vold :vnew\n")
        scripts["patch"] = "-- one branch per client, each on its own cluster; :vold is its version\n" + \
            "".join(branches) + "\\endif\n"
        # Settings the server's connections make when they open (`SET …` at connect).
        settings = []
        for sql, _ in read_log(log_path, start):
            if m := re.fullmatch(r"\s*SET\s+(\w+)\s*(?:=|TO)\s*'?([^';]+)'?\s*;?\s*", sql, re.I):
                if (m[1], m[2]) not in settings:
                    settings.append((m[1], m[2]))
    finally:
        psql(f"ALTER DATABASE {DB} RESET log_statement")
        if server:
            server.stop()
    for key, text in scripts.items():
        (work / f"floor-{key}.sql").write_text(text)
    # For `benches/ab.sh FLOORS=…`, which runs the same scripts with the same settings.
    (work / "floor-pgoptions").write_text(pgoptions(settings) + "\n")
    return scripts, settings


def pgoptions(settings):
    """The server sessions' settings as `PGOPTIONS` for pgbench."""
    return " ".join(f"-c {k}={v}" for k, v in settings)


def current_version(base, token, fid):
    _, headers, _ = expect(200, http("GET", f"{base}/collections/clusters/items/{fid}", token=token), "read")
    return int(headers["ETag"].strip('"'))


# --- measuring ----------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def ticks(pid, reaped=False):
    """CPU clock ticks (utime + stime) of a process so far, with `reaped` those of its children
    it waited for too; 0 once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return sum(int(v) for v in fields[11:15 if reaped else 13])  # utime stime [cutime cstime]


def postgres_ticks():
    """CPU ticks of every PostgreSQL process, with the backends the postmaster has reaped (a
    pgbench client's backend ends with its session)."""
    total = 0
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == "postgres":
                total += ticks(comm.parent.name, reaped=True)
        except OSError:
            pass
    return total


def child_cpu():
    """CPU seconds of this script's finished children (pgbench, wrk) so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def per_request(seconds_used, n):
    """Microseconds of CPU per request (or transaction); None without a figure."""
    return None if seconds_used is None or not n else seconds_used / n * 1e6


def measured(server, run):
    """`run()`, one pgbench or wrk run: its rate and failures, with the CPU per request of the
    client, of the server process `server` (None: no server) and of PostgreSQL meanwhile."""
    server_ticks, pg_ticks = ticks(server) if server else 0, postgres_ticks()
    rate, bad, n, client = run()
    server_cpu = (ticks(server) - server_ticks) / TICK if server else None
    cpu = {"client_us": per_request(client, n), "server_us": per_request(server_cpu, n),
           "postgres_us": per_request((postgres_ticks() - pg_ticks) / TICK, n)}
    return rate, bad, n, cpu

def pgbench(script, connections, secs, settings, check=False):
    env = {**os.environ, "PGOPTIONS": pgoptions(settings)}
    args = ["pgbench", "-n", "-M", "prepared", "-f", str(script), "-c", str(connections),
            "-j", str(min(connections, 2)), "-D", "vold=0"]
    args += ["-t", "1"] if check else ["-T", str(max(1, round(secs)))]
    cpu = child_cpu()
    r = subprocess.run(args + pg_args(DB), capture_output=True, text=True, env=env)
    cpu = child_cpu() - cpu
    out = r.stdout + r.stderr
    failed = re.search(r"number of failed transactions: (\d+)", out)
    if r.returncode != 0 or "aborted" in out or (failed and failed[1] != "0"):
        die(f"pgbench on {script.name} failed:\n{out[-3000:]}")
    m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
    n = re.search(r"number of transactions actually processed: (\d+)", out)
    return (float(m[1]) if m else None), 0, (int(n[1]) if n else 0), cpu


PATCH_LUA = r"""-- Each wrk thread (one connection each) edits its own cluster under If-Match: it reads the
-- version once (GET), then every answer's ETag is the version for the next PATCH.
local ids = { %(ids)s }
local token = "%(token)s"
local started = 0
function setup(thread)
  started = started + 1
  thread:set("fid", ids[started])
end
local version = nil
local n = 0
function request()
  local path = "/collections/clusters/items/" .. fid
  if version == nil then
    return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
  end
  n = n + 1
  return wrk.format("PATCH", path, {
    ["Authorization"] = "Bearer " .. token,
    ["If-Match"] = '"' .. version .. '"',
    ["Content-Type"] = "application/merge-patch+json",
  }, '{"properties":{"notes":"benchmark edit ' .. n .. '"}}')
end
function response(status, headers, body)
  local tag = nil
  for name, value in pairs(headers) do
    if name:lower() == "etag" then tag = value end
  end
  if status == 200 and tag then version = tag:match('"(%%d+)"') else version = nil end
end
"""


def wrk(base, path, connections, duration, lua=None):
    threads = connections if lua else min(connections, 2)
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}", "--timeout", "10s"]
    if lua:
        args += ["-s", str(lua)]
    cpu = child_cpu()
    r = subprocess.run(args + [base + (path or "/")], capture_output=True, text=True)
    cpu = child_cpu() - cpu
    if r.returncode != 0:
        die(f"wrk failed: {r.stderr.strip()}")
    out = r.stdout
    m = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m|h)", out)
    total, secs = int(m[1]), seconds(m[2] + m[3])
    non2xx = int(n[1]) if (n := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    errors = sum(int(e) for e in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return (total - non2xx) / secs, non2xx + errors, total, cpu


# --- the table ----------------------------------------------------------------------------

def builds_running():
    """Whether compilers run beside us (another build on the machine): said in the table."""
    names = set()
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            names.add(comm.read_text().strip())
        except OSError:
            pass
    return bool(names & {"rustc", "cc1plus", "cc1", "ld", "cargo"})


def fmt(x, digits=0):
    return "–" if x is None else f"{x:,.{digits}f}".replace(",", " ")


def table(results, labels, meta):
    lines = [
        BEGIN,
        "## `make bench`: our server beside the PostGIS floor (issue 21)",
        "",
        f"Measured {meta['date']} with `{meta['command']}` on {meta['machine']}: {meta['clusters']} clusters "
        f"({meta['vertices']}-vertex), {meta['zones']} zones, published and read anonymously (PATCH as a "
        f"planner), both servers `--tile-cache-mib 0`; wrk / pgbench {meta['duration']} per run, "
        f"{meta['reps']} interleaved repetition(s), medians. Load average (1 min) over the run "
        f"{meta['load_min']:.1f}–{meta['load_max']:.1f}{meta['load_note']}.",
        "",
        "The floor is pgbench (`-M prepared`) running the statements the server sent for the same "
        "request on PostGIS (captured from the PostgreSQL log): a ratio of 1.00 means HTTP, rights "
        "and encoding cost nothing. The GeoPackage ratio is to the same PostGIS floor.",
        "",
        "| workload | conns | floor tps | ours PostGIS req/s | PostGIS ÷ floor | ours GeoPackage req/s | GeoPackage ÷ floor | load (median) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, label in labels:
        for c in CONNECTIONS:
            r = results[f"{key}/{c}"]
            floor, pg, gp = r["floor"], r["postgis"], r["gpkg"]
            ratio = lambda x: "–" if not floor or x is None else f"{x / floor:.2f}×"  # noqa: E731
            bad = lambda side: f" ({r[side + '_bad']} failed)" if r.get(side + "_bad") else ""  # noqa: E731
            lines.append(f"| {label} | {c} | {fmt(floor)} | {fmt(pg)}{bad('postgis')} | {ratio(pg)} | "
                         f"{fmt(gp)}{bad('gpkg')} | {ratio(gp)} | {r['load']:.1f} |")
    lines += [
        "",
        "CPU per request, µs (medians; utime + stime from `/proc` over each run: the server's process, "
        "every PostgreSQL process, and the client, pgbench or wrk). These move less than the rates "
        "with how busy the two cores were. On a machine that both sides keep busy, a ratio above is "
        "about the floor's sum (pgbench + PostgreSQL) over ours (server + PostgreSQL + wrk).",
        "",
        "| workload | conns | floor: pgbench | floor: PostgreSQL | PostGIS: server | PostGIS: PostgreSQL "
        "| PostGIS: wrk | GeoPackage: server | GeoPackage: wrk |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for key, label in labels:
        for c in CONNECTIONS:
            cpu = results[f"{key}/{c}"]["cpu"]
            cells = [cpu["floor"]["client_us"], cpu["floor"]["postgres_us"], cpu["postgis"]["server_us"],
                     cpu["postgis"]["postgres_us"], cpu["postgis"]["client_us"], cpu["gpkg"]["server_us"],
                     cpu["gpkg"]["client_us"]]
            lines.append(f"| {label} | {c} | " + " | ".join(fmt(x) for x in cells) + " |")
    lines += ["", f"Raw figures of each run: `{meta['results']}` (not committed). "
              "How the floor is captured and its limits: the section above.", END]
    return "\n".join(lines)


def committed_ratios(text):
    ratios = {}
    if BEGIN not in text:
        return ratios
    section = text.split(BEGIN, 1)[1].split(END, 1)[0]
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 8 and cells[1].isdigit():
            parse = lambda s: float(s.rstrip("×")) if s.endswith("×") else None  # noqa: E731
            ratios[(cells[0], int(cells[1]))] = {"postgis": parse(cells[4]), "gpkg": parse(cells[6])}
    return ratios


def write_table(section):
    text = BENCHMARKS.read_text()
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    BENCHMARKS.write_text(text)


# --- main ---------------------------------------------------------------------------------

def main():
    global CLUSTERS
    started = time.monotonic()
    if COMPARE and "CLUSTERS" not in os.environ:
        # Compare like with like: the committed table's data size, at this run's durations.
        if m := re.search(r"with `[^`]*` on .*?: (\d+) clusters", BENCHMARKS.read_text().split(BEGIN)[-1]):
            CLUSTERS = int(m[1])
    log_path = preflight()
    WORK.mkdir(parents=True, exist_ok=True)
    gpkg = WORK / "bench.gpkg"
    state_file = WORK / "state.json"
    state = json.loads(state_file.read_text()) if REUSE and state_file.exists() else None
    if state and state.get("clusters") != CLUSTERS:
        state = None
    if state is None:
        log(f"fresh stores: database {DB}, {gpkg}")
        psql(f"DROP DATABASE IF EXISTS {DB}")
        psql(f"CREATE DATABASE {DB}")
        psql("CREATE EXTENSION IF NOT EXISTS postgis", DB)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{gpkg}{suffix}").unlink(missing_ok=True)
    servers = {"postgis": Server("postgis", f"{PGURL}/{DB}"), "gpkg": Server("gpkg", str(gpkg))}
    try:
        tokens = {}
        for name, server in servers.items():
            if state is None:
                cli("user", "add", "bench-planner", "--role", "planner", "--database", server.database)
            tokens[name] = cli("token", "create", "bench-planner", "--database", server.database)
        if state is None:
            ids = {}
            for name, server in servers.items():
                log(f"loading {CLUSTERS} clusters and {CLUSTERS * gen.ZONES_PER_CLUSTER} zones into {name}")
                ids[name] = load(server, tokens[name], CLUSTERS)
            if ids["postgis"] != ids["gpkg"]:
                die("the two stores gave the clusters different ids")
            state = {"clusters": CLUSTERS, "ids": ids["postgis"]}
        ids = state["ids"]
        patch_ids = ids[:PATCH_FEATURES]
        log(f"PATCH clusters to version {PATCH_VERSION} at least on PostGIS (see PATCH_VERSION)")
        bump_versions(servers["postgis"], tokens["postgis"], patch_ids, PATCH_VERSION)
        state_file.write_text(json.dumps(state))

        # The capture needs a server whose sessions open after log_statement is set.
        servers["postgis"].stop()
        log(f"capturing the SQL of each request from {log_path}")
        scripts, settings = capture(log_path, ids, WORK, patch_ids, tokens["postgis"])
        log(f"  session settings of the server's connections, given to pgbench: {settings or 'none'}")
        servers["postgis"] = Server("postgis", f"{PGURL}/{DB}")
        # Each script once per client; the PATCH one must move each of its clusters on by one.
        versions = lambda: psql(f"SELECT string_agg(version::text, ',' ORDER BY id) FROM clusters "  # noqa: E731
                                f"WHERE id IN ({','.join(map(str, patch_ids))})", DB)
        before = versions()
        for key in scripts:
            pgbench(WORK / f"floor-{key}.sql", max(CONNECTIONS), 0, settings, check=True)
        after = versions()
        if [int(a) - int(b) for a, b in zip(after.split(","), before.split(","))] != [1] * len(patch_ids):
            die(f"the floor's PATCH script did not move each cluster on by one version: {before} → {after}")

        labels = [(key, label) for key, label, _ in workloads(CLUSTERS, ids)]
        paths = {key: path for key, _, path in workloads(CLUSTERS, ids)}
        lua = {}
        for name in servers:
            lua[name] = WORK / f"patch-{name}.lua"
            lua[name].write_text(PATCH_LUA % {"ids": ", ".join(map(str, patch_ids)), "token": tokens[name]})

        log("warming up (1 s of each workload on each side)")
        for key, _ in labels:
            pgbench(WORK / f"floor-{key}.sql", max(CONNECTIONS), 1, settings)
            for name, server in servers.items():
                wrk(server.base, paths[key], max(CONNECTIONS), "1s", lua[name] if key == "patch" else None)

        runs = {}
        sides = ["floor", "postgis", "gpkg"]
        for rep in range(REPS):
            order = sides[rep % 3:] + sides[:rep % 3]
            for key, label in labels:
                for c in CONNECTIONS:
                    for side in order:
                        load1, busy = os.getloadavg()[0], builds_running()
                        # Each run is called at once, inside `measured`: the loop's variables are current.
                        if side == "floor":
                            script = WORK / f"floor-{key}.sql"
                            rate, bad, n, cpu = measured(None, lambda: pgbench(script, c, seconds(DURATION), settings))
                        else:
                            server, script = servers[side], lua[side] if key == "patch" else None
                            rate, bad, n, cpu = measured(
                                server.proc.pid, lambda: wrk(server.base, paths[key], c, DURATION, script))
                        runs.setdefault(f"{key}/{c}", []).append(
                            {"rep": rep, "side": side, "rate": rate, "failed": bad, "load1": load1, "builds": busy,
                             "requests": n, **cpu})
                        log(f"rep {rep + 1}/{REPS} {key:<10} c={c:<3} {side:<8} {rate:10.1f}/s"
                            f"{f'  ({bad} failed)' if bad else ''}  load {load1:.2f}")
    finally:
        for server in servers.values():
            server.stop()

    results = {}
    for k, rs in runs.items():
        def med(side, what="rate", rs=rs):
            values = [r[what] for r in rs if r["side"] == side and r[what] is not None]
            return statistics.median(values) if values else None
        results[k] = {"floor": med("floor"), "postgis": med("postgis"), "gpkg": med("gpkg"),
                      "cpu": {side: {what: med(side, what) for what in ("client_us", "server_us", "postgres_us")}
                              for side in ("floor", "postgis", "gpkg")},
                      "postgis_bad": sum(r["failed"] for r in rs if r["side"] == "postgis"),
                      "gpkg_bad": sum(r["failed"] for r in rs if r["side"] == "gpkg"),
                      "load": statistics.median(r["load1"] for r in rs)}
    loads = [r["load1"] for rs in runs.values() for r in rs]
    busy = sum(r["builds"] for rs in runs.values() for r in rs)
    note = os.environ.get("BENCH_LOAD_NOTE", "")
    if busy:
        note += f"; **other builds (compilers) were running during {busy} of {len(loads)} runs**"
    cores = os.cpu_count()
    meminfo = Path("/proc/meminfo").read_text()
    mem_gib = int(re.search(r"MemTotal:\s+(\d+)", meminfo)[1]) / 2**20
    command = "make bench-smoke" if QUICK else "make bench"
    overrides = [f"{k}={os.environ[k]}" for k in ("CLUSTERS", "DURATION", "REPS", "CONNECTIONS") if k in os.environ]
    meta = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(overrides + [command]),
        "machine": f"{cores} cores, {mem_gib:.0f} GiB, PostgreSQL {psql('SHOW server_version').split()[0]}",
        "clusters": CLUSTERS, "zones": CLUSTERS * gen.ZONES_PER_CLUSTER, "vertices": gen.VERTICES + 1,
        "duration": DURATION, "reps": REPS, "load_min": min(loads), "load_max": max(loads),
        "load_note": note, "results": WORK / "results.json",
        "minutes": (time.monotonic() - started) / 60,
    }
    (WORK / "results.json").write_text(json.dumps({"meta": {**meta, "results": str(meta["results"])},
                                                   "runs": runs, "medians": results}, indent=1))
    section = table(results, labels, meta)
    print(section)
    log(f"done in {meta['minutes']:.1f} min")
    if COMPARE:
        committed = committed_ratios(BENCHMARKS.read_text())
        if not committed:
            die("BENCHMARKS.md holds no committed bench table to compare with")
        worse = []
        for key, label in labels:
            for c in CONNECTIONS:
                old = committed.get((label, c))
                r = results[f"{key}/{c}"]
                for side in ("postgis", "gpkg"):
                    if old and old[side] and r["floor"] and r[side] is not None:
                        now = r[side] / r["floor"]
                        if now < 0.8 * old[side]:
                            worse.append(f"{label} c={c} {side}: {now:.2f}× (committed {old[side]:.2f}×)")
        if worse:
            print("ratios more than 20 % below the committed table:\n  " + "\n  ".join(worse), file=sys.stderr)
            sys.exit(1)
        log("no ratio more than 20 % below the committed table")
    else:
        write_table(section)
        log(f"table written to {BENCHMARKS}")


if __name__ == "__main__":
    main()
