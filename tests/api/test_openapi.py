"""The OpenAPI document: valid OpenAPI 3, served as JSON, and exactly the app's routes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from openapi_spec_validator import validate
from werkzeug.exceptions import NotFound

from backend import create_app
from backend.api import params
from backend.api.openapi import load_document
from backend.api.problems import NOT_FOUND_DETAIL, bad_parameter, status_title
from backend.api.problems import PROBLEM_TYPE as ABOUT_BLANK
from backend.api.wikiviews import SOURCE_NAMES
from backend.settings import Settings

UA = {"User-Agent": "wikiviews-tests/1.0 (tests@example.org)"}
IGNORED_METHODS = {"HEAD", "OPTIONS"}
PROBLEM_TYPE = "application/problem+json"


@pytest.fixture
def docs_app(sqlite_settings: Settings) -> Iterator[Flask]:
    """The app on an empty, migrated SQLite store."""
    application = create_app(sqlite_settings)
    application.config["TESTING"] = True
    yield application
    application.extensions["wikiviews_engine"].dispose()


def routes(app: Flask) -> set[tuple[str, str]]:
    """(endpoint, method) of every route the app answers, HEAD and OPTIONS aside."""
    return {
        (rule.endpoint, method.lower())
        for rule in app.url_map.iter_rules()
        # The statistics page (backend/web) is HTML for browsers, not part of the API.
        if rule.endpoint != "static" and not rule.endpoint.startswith("web.")
        for method in rule.methods - IGNORED_METHODS
    }


def operations(document: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(operationId, method) of every documented operation, and its path."""
    return {
        (op["operationId"], method): path
        for path, item in document["paths"].items()
        for method, op in item.items()
    }


def resolve(document: dict[str, Any], parameter: dict[str, Any]) -> dict[str, Any]:
    """A parameter, its ``$ref`` followed."""
    if "$ref" in parameter:
        name = parameter["$ref"].rsplit("/", 1)[1]
        return document["components"]["parameters"][name]
    return parameter


def example_url(document: dict[str, Any], path: str, method: str) -> str:
    """``path`` with each path parameter replaced by its percent-encoded example."""
    url = path
    for parameter in document["paths"][path][method]["parameters"]:
        parameter = resolve(document, parameter)
        if parameter["in"] == "path":
            url = url.replace(f"{{{parameter['name']}}}", quote(str(parameter["example"]), ""))
    return url


def test_the_document_is_valid_openapi_3(docs_app: Flask) -> None:
    document = load_document()
    validate(document)
    assert document["openapi"].startswith("3.")


def test_the_document_is_served_as_json_with_an_etag(docs_app: Flask) -> None:
    client = docs_app.test_client()
    response = client.get("/api/openapi.json", headers=UA)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == load_document()
    again = client.get(
        "/api/openapi.json", headers={**UA, "If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_every_route_is_documented_and_nothing_else(docs_app: Flask) -> None:
    documented = set(operations(load_document()))
    answered = routes(docs_app)
    assert answered - documented == set(), "routes without documentation"
    assert documented - answered == set(), "documented operations the app does not answer"


def test_a_new_route_without_documentation_is_noticed(docs_app: Flask) -> None:
    docs_app.add_url_rule("/api/wikiviews/v1/undocumented", "undocumented", lambda: "")
    documented = set(operations(load_document()))
    assert routes(docs_app) - documented == {("undocumented", "get")}


def test_each_documented_path_reaches_its_operation(docs_app: Flask) -> None:
    document = load_document()
    adapter = docs_app.url_map.bind("localhost")
    for (endpoint, method), path in operations(document).items():
        url = example_url(document, path, method)
        assert "{" not in url, f"{path}: a path parameter without an example"
        try:
            matched, _ = adapter.match(url, method=method.upper())
        except NotFound:
            pytest.fail(f"{url} (documented for {endpoint}) matches no route")
        assert matched == endpoint, url


def test_path_parameters_are_the_routes_arguments(docs_app: Flask) -> None:
    """Flask arguments and documented parameters agree, as far as a rule names them."""
    document = load_document()
    rules = {rule.endpoint: rule for rule in docs_app.url_map.iter_rules()}
    for (endpoint, method), path in operations(document).items():
        names = set(re.findall(r"{([^}]+)}", path))
        declared = {
            resolve(document, p)["name"]
            for p in document["paths"][path][method]["parameters"]
            if resolve(document, p)["in"] == "path"
        }
        assert names == declared, path
        rule = rules[endpoint]
        arguments = {a.replace("_", "-") for a in rule.arguments}
        if "rest" in arguments:
            # A catch-all path argument: the title and the parameters after it.
            assert arguments - {"rest"} < names, path
        else:
            assert arguments == names, path


def test_every_operation_documents_its_errors_as_problems(docs_app: Flask) -> None:
    document = load_document()
    responses = document["components"]["responses"]
    for (endpoint, method), path in operations(document).items():
        answers = document["paths"][path][method]["responses"]
        assert "200" in answers, endpoint
        if path.startswith(("/api/", "/json/")):
            assert "403" in answers, f"{endpoint}: the User-Agent rule applies to it"
        if path.startswith(("/api/wikiviews/", "/json/")):
            assert "429" in answers, f"{endpoint}: the extensions are rate-limited"
        for status, answer in answers.items():
            # 414 comes from gunicorn, before the app: its HTML page.
            if status.startswith(("4", "5")) and status != "414" and "$ref" in answer:
                name = answer["$ref"].rsplit("/", 1)[1]
                assert PROBLEM_TYPE in responses[name]["content"], name


#: The allowed values in code of every enum the document declares, by parameter or field name.
CODE_ENUMS: dict[str, tuple[str, ...]] = {
    "access": params.ACCESS,
    "agent": params.AGENTS,
    "access-site": params.LEGACY_ACCESS_SITES,
    "source": tuple(SOURCE_NAMES.values()),
}


def enums(node: Any, name: str = "") -> Iterator[tuple[str, list[Any]]]:
    """(parameter or property name, enum) of every ``enum`` in the document."""
    if isinstance(node, dict):
        if "enum" in node:
            yield name, node["enum"]
        if node.get("in") in ("path", "query") and "schema" in node:
            yield from enums(node["schema"], node["name"])
        for key, value in node.items():
            if key == "properties":
                for field, schema in value.items():
                    yield from enums(schema, field)
            elif key not in ("schema", "enum"):
                yield from enums(value, name)
    elif isinstance(node, list):
        for value in node:
            yield from enums(value, name)


def test_enums_equal_the_allowed_values_in_code() -> None:
    document = load_document()
    parameters = document["components"]["parameters"]
    assert parameters["articleGranularity"]["schema"]["enum"] == list(params.ARTICLE_GRANULARITIES)
    assert parameters["aggregateGranularity"]["schema"]["enum"] == list(
        params.AGGREGATE_GRANULARITIES
    )
    found = list(enums(document))
    checked = {name for name, _ in found if name in CODE_ENUMS}
    assert checked == set(CODE_ENUMS), "an enum of the code is no longer in the document"
    for name, values in found:
        if name in CODE_ENUMS:
            assert values == list(CODE_ENUMS[name]), name
        elif name == "granularity":
            assert set(values) <= {*params.AGGREGATE_GRANULARITIES}, values
    schemas = document["components"]["schemas"]
    item = schemas["ArticlesItem"]["properties"]["granularity"]["enum"]
    assert item == ["hourly", *params.ARTICLE_GRANULARITIES]


def test_problem_examples_are_what_the_code_sends() -> None:
    document = load_document()
    problem = document["components"]["schemas"]["Problem"]["properties"]["type"]
    assert problem["enum"] == [ABOUT_BLANK]
    responses = document["components"]["responses"]
    for name, response in responses.items():
        for example in response.get("content", {}).get(PROBLEM_TYPE, {}).get("examples", {}):
            value = response["content"][PROBLEM_TYPE]["examples"][example]["value"]
            assert value["type"] == ABOUT_BLANK, name
            assert value["title"] == status_title(value["status"]), name
            assert name == f"Problem{value['status']}", name
    examples = responses["Problem404"]["content"][PROBLEM_TYPE]["examples"]
    assert examples["not_found"]["value"]["detail"] == NOT_FOUND_DETAIL
    enum_example = responses["Problem400"]["content"][PROBLEM_TYPE]["examples"]["enum"]["value"]
    assert enum_example["detail"] == bad_parameter("access", params.ACCESS).detail


@pytest.mark.parametrize("parameter", ["redirects", "zeroFill", "format"])
def test_documented_query_values_are_exactly_those_accepted(
    docs_app: Flask, parameter: str
) -> None:
    """Flags and ``format``: every documented value is accepted, an undocumented one is not."""
    spec = load_document()["components"]["parameters"][parameter]
    client = docs_app.test_client()
    url = "/api/wikiviews/v1/per-article/en.wikipedia/all-access/user/daily/20240201/20240202"

    def status(value: str) -> int:
        response = client.get(url, query_string={"titles": "X", spec["name"]: value}, headers=UA)
        return response.status_code

    for value in spec["schema"]["enum"]:
        assert status(value) != 400, value
    assert status("maybe") == 400
