"""Schemathesis hooks for tests/it/schemathesis.rs (loaded through SCHEMATHESIS_HOOKS).

One adjustment of the document as Schemathesis reads it, where OGC API - Features asks for
what JSON Schema calls an error: `limit` has a `maximum` (QGIS reads the page size it may ask
for from it), yet a larger value "SHALL NOT result in an error" and is served as the maximum
(OGC 17-069r4, /req/core/fc-limit-response-1). Schemathesis would count every such 200 as an
invalid request accepted, so for its run the maximum of `limit` becomes a description only.
"""

import schemathesis


@schemathesis.hook
def before_load_schema(context, raw_schema):
    for item in raw_schema.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and parameter.get("name") == "limit":
                    schema = parameter.get("schema", {})
                    if "maximum" in schema:
                        schema.pop("maximum")
