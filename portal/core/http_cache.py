"""Public pages that a browser, or a proxy between her and the portal, may keep and revalidate.

A public page (the competitions, their published results, the winners, the certificate check)
is the same for every visitor who is not logged in: it carries no CSRF token (the language
switch is a GET form for her, base.html), sets no cookie, and names its content with an ETag.
Her browser keeps it and asks again on every visit (`no-cache`): a page that did not change
comes back as a 304 of a few hundred bytes, and a change (results published) shows at once.
The language comes from the `lang` cookie or Accept-Language, so the kept copy varies by both.

The same page for someone logged in (her menu, her buttons, her token), or one that showed a
message once (a flash, kept in the session cookie), is `private, no-cache`: never kept by a proxy.
"""

from collections.abc import Callable
from functools import wraps

from flask import Response, make_response, request, session
from flask_login import current_user

from portal.core import cache

VARY = ("Accept-Language", "Cookie")


def shared_by_visitors(response: Response) -> bool:
    """The response is the same for any anonymous visitor who asked the same URL."""
    return (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and not current_user.is_authenticated
        and not session.modified
        and "Set-Cookie" not in response.headers
    )


def mark_public(response: Response) -> Response:
    if not shared_by_visitors(response):
        response.cache_control.private = True
        response.cache_control.no_cache = True
        return response
    response.cache_control.public = True
    response.cache_control.no_cache = True
    response.vary.update(VARY)
    response.add_etag()
    return response.make_conditional(request)


def public_cache(view: Callable) -> Callable:
    """For a public page's view: cacheable and revalidated (ETag) when the visitor is anonymous,
    and kept a minute on the server for every anonymous visitor (core.cache.kept_for_visitors)."""
    kept = cache.kept_for_visitors(view)

    @wraps(view)
    def cached(*args, **kwargs):
        return mark_public(make_response(kept(*args, **kwargs)))

    return cached
