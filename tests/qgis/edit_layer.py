"""QGIS (headless) edits the clusters layer of a running clusterplan, as a planner would.

Usage: QT_QPA_PLATFORM=offscreen /usr/bin/python3 edit_layer.py BASE_URL QGIS_TOKEN OTHER_TOKEN

QGIS signs in with an authentication configuration of the "API Header" method (what the
README tells planners to make), loads the layer through the OAPIF provider and, each time
through an edit session that QGIS must report as committed: adds a feature, changes an
attribute, moves a vertex. A second client (another planner, with If-Match) edits the same
feature in between: a change to another field is kept, and QGIS's change of a field the
other client changed meanwhile is refused, so that change is not lost. QGIS then reloads and
deletes the feature. Every check raises on failure; the last line printed is a JSON summary
that the Rust test compares with what the server holds.
"""

import json
import os
import sys
import tempfile
import urllib.request

BASE, TOKEN, OTHER_TOKEN = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
CODE = "QGIS-1"

auth_dir = tempfile.mkdtemp(prefix="qgis-auth-")
os.environ["QGIS_AUTH_DB_DIR_PATH"] = auth_dir

from qgis.core import (  # noqa: E402  (QGIS reads the environment on import)
    Qgis,
    QgsApplication,
    QgsAuthMethodConfig,
    QgsDataSourceUri,
    QgsFeature,
    QgsGeometry,
    QgsVectorDataProvider,
    QgsVectorLayer,
)

app = QgsApplication([], False)
app.initQgis()


def check(condition, message):
    if not condition:
        raise SystemExit(f"FAILED: {message}")


def other(method, path, body=None, version=None):
    """The second client: plain HTTP with its own planner's token and If-Match."""
    request = urllib.request.Request(BASE + path, method=method)
    request.add_header("Authorization", f"Bearer {OTHER_TOKEN}")
    request.add_header("X-Change-Reason", "second client")
    if version is not None:
        request.add_header("If-Match", f'"{version}"')
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/merge-patch+json")
    with urllib.request.urlopen(request, data) as answer:
        return json.loads(answer.read() or b"null")


def commit(layer, what):
    ok = layer.commitChanges()
    errors = layer.commitErrors()
    return ok, errors


print("QGIS", Qgis.version())

# The authentication configuration planners make: method "API Header", header Authorization.
manager = QgsApplication.authManager()
check(manager.setMasterPassword("a master password for the test", True), "master password")
config = QgsAuthMethodConfig("APIHeader")
config.setName("clusterplan planner")
config.setConfig("Authorization", f"Bearer {TOKEN}")
check(manager.storeAuthenticationConfig(config)[0], "store the authentication configuration")

uri = QgsDataSourceUri()
uri.setParam("url", BASE)
uri.setParam("typename", "clusters")
uri.setAuthConfigId(config.id())
layer = QgsVectorLayer(uri.uri(False), "clusters", "OAPIF")
check(layer.isValid(), f"layer loads: {layer.error().summary()}")
# QGIS's featureCount() for an OAPIF layer is computed once and kept across reloads: count the
# features a read returns.
def count():
    return sum(1 for _ in layer.getFeatures())


before = count()
caps = layer.dataProvider().capabilities()
for cap in ["AddFeatures", "ChangeAttributeValues", "ChangeGeometries", "DeleteFeatures"]:
    check(caps & getattr(QgsVectorDataProvider, cap), f"editing capability {cap}")
fields = layer.fields()


def find():
    """The test feature as QGIS holds it, after a fresh read."""
    layer.dataProvider().reloadData()
    layer.reload()
    found = [f for f in layer.getFeatures() if f["code"] == CODE]
    check(len(found) == 1, f"one feature {CODE}, found {len(found)}")
    return found[0]


# 1. Add.
feature = QgsFeature(fields)
feature["code"] = CODE
feature["name"] = "Cụm thêm từ QGIS"
feature["kind"] = "cluster"
feature["status"] = "in_plan"
feature.setGeometry(
    QgsGeometry.fromWkt(
        "MultiPolygon(((106.700 10.400, 106.705 10.400, 106.705 10.404, 106.700 10.404, 106.700 10.400)))"
    )
)
layer.startEditing()
check(layer.addFeature(feature), "add to the edit buffer")
ok, errors = commit(layer, "add")
check(ok, f"QGIS reports the creation as committed: {errors}")
added = find()
check(count() == before + 1, f"one more feature: {before} before, {count()} now")
server_id = other("GET", f"/collections/clusters/items?filter=code%3D%27{CODE}%27")["features"][0]["id"]

# 2. Change an attribute.
layer.startEditing()
check(layer.changeAttributeValue(added.id(), fields.indexOf("name"), "Tên sửa trong QGIS"), "change name")
ok, errors = commit(layer, "attribute")
check(ok, f"QGIS reports the attribute change as committed: {errors}")

# The second client changes another field (with If-Match, after reading).
current = other("GET", f"/collections/clusters/items/{server_id}")
other("PATCH", f"/collections/clusters/items/{server_id}", {"properties": {"notes": "ghi chú của máy khác"}},
      current["properties"]["version"])

# 3. Move a vertex: QGIS has not re-read since, yet the notes it never touched are kept.
layer.startEditing()
check(layer.moveVertex(106.7002, 10.4001, added.id(), 0), "move vertex 0")
# The closing vertex moves with the first one.
ok, errors = commit(layer, "vertex")
check(ok, f"QGIS reports the geometry change as committed: {errors}")

# 4. A conflict: the second client renames the feature; QGIS, from its older read, renames
# it too. QGIS's change is refused (it reports a failure), the second client's is kept.
current = other("GET", f"/collections/clusters/items/{server_id}")
other("PATCH", f"/collections/clusters/items/{server_id}", {"properties": {"name": "Tên của máy khác"}},
      current["properties"]["version"])
layer.startEditing()
check(layer.changeAttributeValue(added.id(), fields.indexOf("name"), "Tên cũ của QGIS"), "stale change")
ok, errors = commit(layer, "conflict")
check(not ok, "QGIS reports the conflicting change as failed")
layer.rollBack()
conflict_errors = errors

# The state both clients wrote, before the deletion.
kept = other("GET", f"/collections/clusters/items/{server_id}")

# 5. Delete, after QGIS reads the layer again.
fresh = find()
check(fresh["name"] == "Tên của máy khác", f"QGIS reads the other client's name: {fresh['name']}")
layer.startEditing()
check(layer.deleteFeature(fresh.id()), "delete from the edit buffer")
ok, errors = commit(layer, "delete")
check(ok, f"QGIS reports the deletion as committed: {errors}")
layer.dataProvider().reloadData()
layer.reload()
check(count() == before, "the feature is gone from the layer")

print(json.dumps({
    "id": server_id,
    "features_before": before,
    "kept": kept,
    "conflict_errors": conflict_errors,
}, ensure_ascii=False))
# QGIS 3.40 may crash in exitQgis() while a provider still holds network threads; the work is
# done and printed, so leave without the teardown.
sys.stdout.flush()
os._exit(0)
