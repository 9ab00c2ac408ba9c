"""Scopes on every endpoint: each view has a rule (integrations/scopes.py), and a key gets
exactly what its scopes allow, for every route and method of the API."""

import inspect
import re

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from conftest import assert_error
from integrations import scopes
from integrations.authentication import ApiKeyAuthentication
from integrations.models.api_keys import AREAS
from integrations.tests.factories import READ_SCOPES, key_client, make_key

WRITE_METHODS = {"post", "put", "patch", "delete"}
REFUSALS = {"scope_missing", "api_key_forbidden"}


def _walk(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern


def _views():
    """(route name, view class, HTTP methods) of every DRF view in the URL conf."""
    for namespace, pattern in _walk(get_resolver().url_patterns):
        view_class = getattr(pattern.callback, "cls", None)
        if view_class is None or namespace == "admin:":
            continue
        actions = getattr(pattern.callback, "actions", None)
        if actions:
            methods = set(actions)
        else:
            methods = {m for m in view_class.http_method_names if hasattr(view_class, m)}
        methods -= {"options", "head"}
        yield f"{namespace}{pattern.name}", pattern, view_class, sorted(methods)


SAMPLE_BY_CONVERTER = {"IntConverter": "1", "UUIDConverter": "00000000-0000-4000-8000-000000000001"}


def _url(name, pattern) -> str:
    groups = set(pattern.pattern.regex.groupindex)
    converters = getattr(pattern.pattern, "converters", {})
    by_converter = {
        group: SAMPLE_BY_CONVERTER.get(type(converters.get(group)).__name__, "abc")
        for group in groups
    }
    for kwargs in (by_converter, dict.fromkeys(groups, "1"), dict.fromkeys(groups, "abc")):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot build a URL for {name}")


def _takes_keys(view_class) -> bool:
    return any(
        issubclass(authenticator, ApiKeyAuthentication)
        for authenticator in view_class.authentication_classes
    )


CASES = [
    pytest.param(name, pattern, view_class, method, id=f"{method.upper()} {name}")
    for name, pattern, view_class, methods in _views()
    for method in methods
]


def test_every_view_declares_what_keys_may_do_there():
    undeclared = [
        f"{view_class.__module__}.{view_class.__qualname__}"
        for _, _, view_class, _ in _views()
        if scopes.rule_for(view_class) is None
    ]
    # Give each new view a rule: an area (APP_RULES / VIEW_RULES in integrations/scopes.py,
    # or an `api_key_rule` on the view) or FORBIDDEN.
    assert not undeclared, undeclared


def test_the_walk_sees_the_whole_api():
    names = {name for name, *_ in _views()}
    assert {"client-list", "api-key-list", "auth-me", "feed"} <= names
    assert len(CASES) > 100


def _other_area_scopes(needed) -> list[str]:
    """Every scope of the areas the request does not need: a key of another area."""
    areas = {scope.split(":")[1] for scope in needed}
    return [f"write:{area}" for area in AREAS if area not in areas]


@pytest.mark.parametrize(("name", "pattern", "view_class", "method"), CASES)
def test_a_key_gets_exactly_what_its_scopes_allow(name, pattern, view_class, method, trainer):
    if not _takes_keys(view_class):
        pytest.skip("an anonymous endpoint: it never reads a key")
    if inspect.iscoroutinefunction(pattern.callback):
        pytest.skip("an async function (the SSE stream, bearer or ticket only); cls documents it")
    url = _url(name, pattern)
    needed = scopes.rule_for(view_class).scopes_for(method)

    def call(scope_list):
        _, raw = make_key(trainer, scopes=scope_list)
        return getattr(key_client(raw), method)(url, {}, format="json")

    if needed is None:
        assert_error(call(["write:" + area for area in AREAS]), 403, "api_key_forbidden")
        return
    if needed:
        # No scope of the area: refused, reads included.
        assert_error(call(_other_area_scopes(needed)), 403, "scope_missing")
    if method in WRITE_METHODS and any(s.startswith("write:") for s in needed):
        # A read key (every area) cannot write.
        assert_error(call(READ_SCOPES), 403, "scope_missing")
    if name == "schema":
        return  # public, and building the schema costs a second
    # The scopes it needs get past the key checks (to the view's own answer).
    response = call(list(needed) or ["read:clients"])
    if response.status_code == 403:
        codes = {error["code"] for error in response.json()["errors"]}
        assert not codes & REFUSALS, (name, method, response.content)


def test_write_includes_read():
    assert scopes.granted(["write:clients"], ("read:clients",))
    assert not scopes.granted(["read:clients"], ("write:clients",))
    assert not scopes.granted(["write:clients"], ("read:clients", "read:billing"))


def test_the_dashboard_needs_both_clients_and_billing(trainer, client_link):
    _, clients_only = make_key(trainer, scopes=["read:clients"])
    _, both = make_key(trainer, scopes=["read:clients", "read:billing"])
    url = reverse("trainer-dashboard")
    body = assert_error(key_client(clients_only).get(url), 403, "scope_missing")
    assert re.search(r"read:billing", body["errors"][0]["detail"])
    assert key_client(both).get(url).status_code == 200


def test_who_am_i_answers_any_key_but_no_key_edits_the_profile(trainer):
    _, raw = make_key(trainer, scopes=["read:plans"])
    api = key_client(raw)
    assert api.get(reverse("auth-me")).json()["email"] == trainer.email
    assert_error(api.patch(reverse("auth-me"), {"full_name": "X"}), 403, "api_key_forbidden")
    assert_error(
        api.post(reverse("auth-password-change"), {"old_password": "x", "new_password": "y"}),
        403,
        "api_key_forbidden",
    )
