"""The API contract: webui/openapi.json is valid OpenAPI 3.1, served at /api/openapi.json,
describes every API route, and real responses validate against it.

Response objects are closed (`additionalProperties` or `unevaluatedProperties`
false), so a field the code adds without documenting it fails here; a test below
proves that on a real response. tests/test_web_schemathesis.py fuzzes the live
app with the same document.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from jsonschema.validators import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from webui import create_app

from .web.conftest import SEEDS, make_app, seed_index, web, web_app  # noqa: F401  (fixtures)

SPEC_FILE = Path(__file__).resolve().parents[1] / "webui" / "openapi.json"
SPEC = json.loads(SPEC_FILE.read_text(encoding="utf-8"))
SPEC_URI = "urn:news-archive-search:openapi"
REGISTRY = Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(SPEC))
API_PREFIXES = ("/api/", "/export", "/healthz", "/feed")  # routes the contract covers; the rest are HTML pages
TOKEN = "token-for-the-contract-tests"

SEED_IDS = ("f3ea0a8181685976", "65125868a07dbffe", "d1c3064665642bad")


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def _resolve(node: dict) -> tuple[dict, str]:
    """A Response object, following its $ref into components; with its JSON pointer."""
    if "$ref" in node:
        pointer = node["$ref"].lstrip("#")
        target = SPEC
        for part in pointer.strip("/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        return target, pointer
    return node, ""


def check(response, template: str, method: str = "get") -> None:
    """RESPONSE is one the contract allows for METHOD TEMPLATE: status, media type, headers, body."""
    operation = SPEC["paths"][template][method]
    status = str(response.status_code)
    assert status in operation["responses"], f"{method.upper()} {template}: status {status} is not documented"
    described, pointer = _resolve(operation["responses"][status])
    if not pointer:
        pointer = "/" + _pointer("paths", template, method, "responses", status)
    for name, header in described.get("headers", {}).items():
        header, _ = _resolve(header)
        assert name in response.headers, f"{template} {status}: header {name} missing"
        jsonschema.validate(response.headers[name], header["schema"])
    content = described.get("content")
    if not content:
        assert response.data == b""
        return
    assert response.mimetype in content, f"{template} {status}: {response.mimetype} is not documented ({list(content)})"
    if response.mimetype != "application/json":
        return
    schema = {"$ref": f"{SPEC_URI}#{pointer}/content/{_pointer('application/json')}/schema"}
    Draft202012Validator(schema, registry=REGISTRY).validate(response.get_json())


def errors_of(document, template: str, status: str = "200") -> list[str]:
    """What is wrong with DOCUMENT as the JSON body of TEMPLATE's STATUS response (empty: nothing)."""
    pointer = "/" + _pointer("paths", template, "get", "responses", status, "content", "application/json", "schema")
    validator = Draft202012Validator({"$ref": f"{SPEC_URI}#{pointer}"}, registry=REGISTRY)
    return [error.message for error in validator.iter_errors(document)]


# -- the document itself ------------------------------------------------------------------
def test_the_document_is_valid_openapi_3_1():
    validate_openapi(SPEC)
    assert SPEC["openapi"].startswith("3.1")


def test_the_app_serves_the_document_kept_in_the_repository(web):
    response = web.get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == SPEC
    check(response, "/api/openapi.json")


def test_every_api_route_of_the_app_is_described(web_app):
    described = {(path, method) for path, item in SPEC["paths"].items() for method in item}
    for rule in web_app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIXES):
            continue
        template = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (template, method.lower()) in described, f"{method} {template} is not in webui/openapi.json"
    assert {path for path, _ in described} <= {re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", r.rule)
                                               for r in web_app.url_map.iter_rules()}


def _open_objects(node, where: str = "#"):
    """Schemas under NODE that list properties but let others through."""
    if isinstance(node, dict):
        closed = node.get("additionalProperties") is False or node.get("unevaluatedProperties") is False
        if "properties" in node and not closed and not where.endswith("HitFields") and "/allOf/" not in where:
            yield where
        for key, value in node.items():
            yield from _open_objects(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _open_objects(value, f"{where}/{i}")


def test_every_response_object_is_closed_so_an_undocumented_field_fails():
    open_ = [w for w in _open_objects(SPEC["components"]["schemas"], "#/components/schemas")]
    assert open_ == []
    hit_users = [name for name, schema in SPEC["components"]["schemas"].items()
                 if any(part.get("$ref", "").endswith("/HitFields") for part in schema.get("allOf", []))]
    assert sorted(hit_users) == ["ExportHit", "Hit"]
    assert all(SPEC["components"]["schemas"][name]["unevaluatedProperties"] is False for name in hit_users)


def test_a_response_with_an_undocumented_field_does_not_validate(web):
    document = web.get("/api/search", query_string={"q": "korea"}).get_json()
    assert errors_of(document, "/api/search") == []
    for where in (document, document["hits"][0], document["hits"][0]["actors"][0], document["facets"],
                  document["facets"]["outlet"][0], document["facets"]["actor"][0]):
        where["not_in_the_contract"] = 1
        assert any("not_in_the_contract" in message for message in errors_of(document, "/api/search")), where
        del where["not_in_the_contract"]
    del document["hits"][0]["snippet"]
    assert any("snippet" in message for message in errors_of(document, "/api/search"))


# -- real responses -------------------------------------------------------------------------
SEARCHES = [
    {},
    {"q": "korea"},
    {"q": "K9 howitzer"},
    {"q": '"North Korea" NOT japan', "sort": "oldest"},
    {"outlet": ["Medium", "korea times"]},
    {"outlet": "No Such Outlet"},
    {"outlet": "Medium", "from": "2023-11", "to": "2023-11"},
    {"actor": "Putin", "not_actor": "Japan"},
    {"not_outlet": "unknown", "from": "2023", "to": "2024-06"},
    {"undated": "1"},
    {"from": "2023-11-07", "undated": "yes"},
    {"page": "2", "per_page": "2"},
    {"page": "1000", "per_page": "100"},
    {"q": "howitzr"},
    {"q": "zeppelin"},
]
BAD_SEARCHES = [
    {"q": '"unclosed'},
    {"q": "x" * 1001},
    {"q": "nope:word"},
    {"q": "a*"},
    {"page": "0"},
    {"page": "x"},
    {"per_page": "101"},
    {"from": "2023-13"},
    {"to": "2023-02-30"},
    {"from": "\uff12\uff10\uff12\uff13"},  # fullwidth digits: the contract says 0-9
    {"sort": "best"},
]


@pytest.mark.parametrize("params", SEARCHES)
def test_searches_validate(web, params):
    response = web.get("/api/search", query_string=params)
    assert response.status_code == 200
    check(response, "/api/search")


def test_searches_cover_hits_facets_and_suggestions(web):
    documents = [web.get("/api/search", query_string=params).get_json() for params in SEARCHES]
    assert any(d["hits"] and d["hits"][0]["score"] is not None for d in documents)
    assert any(d["hits"] and d["hits"][0]["score"] is None for d in documents)
    assert any(d["suggestion"] for d in documents)
    assert any(d["facets"]["month"] for d in documents) and any(d["facets"]["actor"] for d in documents)
    assert any(v["count"] == 0 for d in documents for v in d["facets"]["outlet"])  # a selected outlet with none


@pytest.mark.parametrize("params", BAD_SEARCHES)
def test_bad_searches_are_documented_400s(web, params):
    for template in ("/api/search", "/export.json", "/export.csv", "/feed"):
        if template != "/api/search" and set(params) & {"page", "per_page"} and template != "/feed":
            continue  # the exports do not use page or per_page
        if template == "/feed" and "page" in params:
            continue  # a feed is always its first page
        response = web.get(template, query_string=params)
        assert response.status_code == 400, (template, params)
        check(response, template)


@pytest.mark.parametrize("article_id", SEED_IDS)
def test_articles_validate(web, article_id):
    response = web.get(f"/api/articles/{article_id}")
    assert response.status_code == 200
    check(response, "/api/articles/{article_id}")


def test_an_unknown_article_is_a_documented_404(web):
    response = web.get("/api/articles/0000000000000000")
    assert response.status_code == 404
    check(response, "/api/articles/{article_id}")


@pytest.mark.parametrize("name", ["Vladimir Putin", "Putin", "South Korea", "Ghana"])
def test_actor_profiles_validate(web, name):
    response = web.get(f"/api/actors/{name}")
    assert response.status_code == 200
    check(response, "/api/actors/{name}")


def test_an_unknown_actor_is_a_documented_404(web):
    response = web.get("/api/actors/Nobody Anyone Knows")
    assert response.status_code == 404
    check(response, "/api/actors/{name}")


@pytest.mark.parametrize("params", [{}, {"q": "korea", "sort": "oldest"}, {"outlet": "Medium"}, {"q": "zeppelin"}])
def test_exports_and_feeds_validate(web, params):
    for template in ("/export.json", "/export.csv", "/feed"):
        response = web.get(template, query_string=params)
        assert response.status_code == 200
        check(response, template)


def test_a_truncated_export_validates(seed_index):
    client = make_app(seed_index, SEEDS, EXPORT_LIMIT=2).test_client()
    response = client.get("/export.json")
    assert response.get_json()["truncated"] is True
    check(response, "/export.json")


def test_health_validates(web):
    response = web.get("/healthz")
    assert response.status_code == 200
    check(response, "/healthz")


def test_without_an_index_every_route_answers_a_documented_503(tmp_path):
    client = create_app({"INDEX_DIR": str(tmp_path / "none"), "CORPUS_DIR": str(tmp_path), "TESTING": True}).test_client()
    for template, url in (("/healthz", "/healthz"), ("/api/search", "/api/search?q=korea"),
                          ("/api/articles/{article_id}", "/api/articles/65125868a07dbffe"),
                          ("/api/actors/{name}", "/api/actors/South Korea"),
                          ("/export.json", "/export.json"), ("/export.csv", "/export.csv"), ("/feed", "/feed")):
        response = client.get(url)
        assert response.status_code == 503, url
        check(response, template)


@pytest.mark.parametrize("method, url, allowed", [
    ("post", "/healthz", {"GET", "HEAD", "OPTIONS"}),
    ("delete", "/api/search", {"GET", "HEAD", "OPTIONS"}),
    ("get", "/api/add", {"POST", "OPTIONS"}),
    ("put", "/feed", {"GET", "HEAD", "OPTIONS"}),
])
def test_a_wrong_method_is_a_405_that_names_the_allowed_ones(web, method, url, allowed):
    response = getattr(web, method)(url)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed  # RFC 9110 15.5.6


def test_adding_a_page_answers_documented_responses(corpus, root, web_server):
    url = f"{web_server}/2024/03/11/drone.html"
    disabled = make_app(root, corpus).test_client()
    check(disabled.post("/api/add", json={"url": url}, headers={"Authorization": f"Bearer {TOKEN}"}), "/api/add", "post")
    client = make_app(root, corpus, ADMIN_TOKEN=TOKEN).test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for response, status in (
        (client.post("/api/add", json={"url": url}, headers={"Authorization": "Bearer wrong"}), 401),
        (client.post("/api/add", data={"url": url}, headers=auth), 415),
        (client.post("/api/add", json={"url": "/etc/passwd"}, headers=auth), 400),
        (client.post("/api/add", json=["not", "an", "object"], headers=auth), 400),
        (client.post("/api/add", json={"url": url}, headers=auth), 200),
    ):
        assert response.status_code == status, response.get_json()
        check(response, "/api/add", "post")
    assert disabled.post("/api/add", json={"url": url}).status_code == 403
