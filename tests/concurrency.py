"""Requests really sent at the same moment, to the app served on a real port with threads.

`Visitor` is one person's browser tab: it keeps its cookies, reads a page's form (its hidden
fields: CSRF token, version, form key) and sends it. `at_once(calls)` starts every call at the
same instant (a barrier) in threads of its own and returns their results in order.

The server (`concurrent_server` fixture in tests/conftest.py) runs on PostgreSQL only: there each
request has a connection of its own, as with gunicorn. In-memory SQLite is one connection shared
by every thread, which cannot show a race.
"""

import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from typing import TypeVar

T = TypeVar("T")


@dataclass
class Answer:
    status: int
    text: str
    location: str | None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is an answer to look at, as a browser's network log shows it


class _Forms(HTMLParser):
    """The fields of every form of a page: {action: {name: value}} (checked boxes only)."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._current: dict[str, str] | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = self.forms.setdefault(attrs.get("action") or "", {})
        elif self._current is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "file", "button"):
                self._current[attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self._current[self._textarea] = ""
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self._current[self._select] = attrs.get("value") or ""

    def handle_data(self, data):
        if self._current is not None and self._textarea:
            self._current[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._current = None


class Visitor:
    """One person's tab on the live server."""

    def __init__(self, base_url: str, language: str = "en"):
        self.base_url = base_url
        self.cookies = CookieJar()
        self.language = language

    def _open(self, path: str, data: dict | None = None) -> Answer:
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(
            self.base_url + path, data=body, headers={"Accept-Language": self.language}
        )
        try:
            with opener.open(request, timeout=60) as response:
                return Answer(response.status, response.read().decode(), None)
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read().decode(), error.headers.get("Location"))

    def get(self, path: str) -> Answer:
        return self._open(path)

    def post(self, path: str, data: dict) -> Answer:
        return self._open(path, data)

    def form(self, path: str, action: str | None = None) -> dict[str, str]:
        """The fields of the form on `path` that posts to `action` (by default to `path`)."""
        page = self.get(path)
        assert page.status == 200, (page.status, path)
        parser = _Forms()
        parser.feed(page.text)
        return dict(parser.forms[action or path])

    def log_in(self, email: str, password: str) -> None:
        fields = self.form("/login")
        answer = self.post("/login", fields | {"account": email, "password": password})
        assert answer.status == 302, answer.status


def at_once(calls: list[Callable[[], T]]) -> list[T]:
    """Run every call at the same instant, each in a thread of its own; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list[BaseException] = []

    def run(n: int, call: Callable[[], T]) -> None:
        barrier.wait()
        try:
            results[n] = call()
        except BaseException as error:  # re-raised in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    return results
