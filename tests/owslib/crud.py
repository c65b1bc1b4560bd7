"""OWSLib (0.35, PyPI) creates, updates and deletes a feature of a running clusterplan.

Usage: python crud.py BASE_URL TOKEN   (python of a venv with OWSLib)

OWSLib sends a body given as a string as `text/xml` (the server reads a JSON object as JSON) and
no If-Match: the update sends the feature it read back, whose `version` property is the
precondition; the delete follows a read of the feature. Raises on any failure; the last line
is a JSON summary for the Rust test.
"""

import json
import sys

import owslib
from owslib.ogcapi.features import Features

BASE, TOKEN = sys.argv[1].rstrip("/"), sys.argv[2]
CODE = "OWSLIB-1"


def client():
    return Features(BASE, headers={"Authorization": f"Bearer {TOKEN}"})


feature = {
    "type": "Feature",
    "geometry": {
        "type": "Polygon",
        "coordinates": [[[106.80, 10.40], [106.805, 10.40], [106.805, 10.404], [106.80, 10.404], [106.80, 10.40]]],
    },
    "properties": {"code": CODE, "name": "Cụm từ OWSLib", "kind": "cluster", "status": "in_plan"},
}
# A string body: OWSLib labels it `text/xml`.
assert client().collection_item_create("clusters", json.dumps(feature, ensure_ascii=False))
api = client()
found = [f for f in api.collection_items("clusters", limit=1000)["features"] if f["properties"]["code"] == CODE]
assert len(found) == 1, found
identifier = found[0]["id"]

read = api.collection_item("clusters", identifier)
read["properties"]["name"] = "Tên sửa bằng OWSLib"
assert client().collection_item_update("clusters", identifier, json.dumps(read, ensure_ascii=False))
updated = api.collection_item("clusters", identifier)
assert updated["properties"]["name"] == "Tên sửa bằng OWSLib", updated
assert updated["properties"]["version"] == 2, updated

assert api.collection_item_delete("clusters", identifier)
try:
    api.collection_item("clusters", identifier)
    raise SystemExit("FAILED: the feature is still there")
except RuntimeError:
    pass
print(json.dumps({"owslib": owslib.__version__, "id": identifier}))
