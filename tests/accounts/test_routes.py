"""Every route in the URLconf is public or for staff, and no staff route opens with a password alone.

A new route that is in neither list of accounts/routes.py fails here until someone decides.
"""

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts import routes
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

SAMPLES = {"int": "1", "uuid": str(uuid.uuid4()), "slug": "about-you", "str": "x", "path": "x"}


def _sample_regex(regex: str) -> str:
    def group(match):
        body = match.group(2)
        if "|" in body:
            return body.split("|")[0]
        return "1" if "\\d" in body else "x"

    path = re.sub(r"\(\?P<(\w+)>([^)]*)\)", group, regex)
    return path.replace("^", "").replace("$", "").replace("\\", "")


def _sample_route(route: str) -> str:
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m.group(1) or "str"], route)


def all_routes(patterns=None, prefix="", namespace=""):
    """(name with namespace, namespace, a concrete path) for every route."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        raw = str(pattern.pattern)
        piece = _sample_regex(raw) if raw.startswith("^") or "(?P<" in raw else _sample_route(raw)
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace) if n)
            yield from all_routes(pattern.url_patterns, prefix + piece, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name or ""
            yield name, namespace, "/" + prefix + piece


def is_staff(name: str, namespace: str) -> bool:
    return namespace.split(":")[0] in routes.STAFF_NAMESPACES or name in routes.STAFF


def test_every_route_is_classified_once():
    unclassified, both = [], []
    for name, namespace, path in all_routes():
        public, staff = name in routes.PUBLIC, is_staff(name, namespace)
        if public and staff:
            both.append(name)
        elif not public and not staff:
            unclassified.append(f"{name or '(no name)'} {path}")
    assert not unclassified, f"Add these to PUBLIC or STAFF in accounts/routes.py: {unclassified}"
    assert not both
    known = {name for name, _, _ in all_routes()}
    assert not (routes.PUBLIC | routes.STAFF) - known, "accounts/routes.py names routes that are gone"


def test_a_password_alone_opens_no_staff_route(sam):
    half_signed_in = client_for(sam, verified=False)
    staff_routes = [(n, p) for n, ns, p in all_routes() if is_staff(n, ns)]
    assert len(staff_routes) > 50  # the admin's pages are among them
    for name, path in staff_routes:
        for method in ("get", "post"):
            response = getattr(half_signed_in, method)(path)
            assert response.status_code == 302, (method, name, path)
            assert response["Location"].startswith("/accounts/two-factor/?next="), (method, name, path)


def test_public_routes_do_not_ask_for_a_second_factor(sam):
    half_signed_in = client_for(sam, verified=False)
    for name, namespace, path in all_routes():
        # The sign-in pages themselves lead on to the second step, of course.
        if not is_staff(name, namespace) and namespace != "accounts":
            response = half_signed_in.get(path)
            assert response.status_code < 500, (name, path)
            assert not response.get("Location", "").startswith("/accounts/two-factor/"), name


def test_anonymous_people_are_never_shown_a_staff_page():
    for name, namespace, path in all_routes():
        if is_staff(name, namespace):
            response = Client().get(path, follow=True)
            assert response.status_code in (200, 403, 404, 405), (name, path, response.status_code)
            if response.status_code == 200:
                assert response.redirect_chain, (name, path)
                assert response.redirect_chain[-1][0].startswith("/accounts/login/"), (name, path)
