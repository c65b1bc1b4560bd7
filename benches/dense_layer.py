#!/usr/bin/env python3
"""Loads a dense published layer into a running clusterplan server, deterministically.

    benches/dense_layer.py BASE TOKEN [COUNT]

COUNT (default 20 000) industrial parks, each a 65-vertex circle of about 440 m radius, on a
grid over southern Vietnam (104.5–107.5 E, 8.8–11.0 N): the zoom-5 tile 5/15/25 (z/y/x) holds them all.
Posted through the API with 8 clients (so every one is validated and versioned as any other
write), then published. Standard library only.
"""

import json
import math
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor

BASE, TOKEN = sys.argv[1], sys.argv[2]
COUNT = int(sys.argv[3]) if len(sys.argv) > 3 else 20_000
COLUMNS = 200
RADIUS = 0.004  # degrees


def feature(i):
    row, col = divmod(i, COLUMNS)
    lon = 104.5 + col * 0.015
    lat = 8.8 + row * 0.022
    ring = [
        [round(lon + RADIUS * math.cos(a), 7), round(lat + RADIUS * math.sin(a), 7)]
        for a in (2 * math.pi * k / 64 for k in range(64))
    ]
    ring.append(ring[0])
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"code": f"DENSE-{i:06d}", "name": f"Dense {i}", "kind": "industrial_park", "status": "in_plan"},
    }


def send(method, path, body):
    request = urllib.request.Request(
        BASE + path,
        data=json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return answer.status, answer.read()


def post(i):
    status, _ = send("POST", "/collections/clusters/items", feature(i))
    if status != 201:
        raise SystemExit(f"feature {i}: HTTP {status}")


with ThreadPoolExecutor(8) as pool:
    for n, _ in enumerate(pool.map(post, range(COUNT)), 1):
        if n % 2000 == 0:
            print(f"{n} features", file=sys.stderr)
status, body = send("POST", "/collections/clusters/publish", {"note": "dense benchmark layer"})
print(body.decode())
