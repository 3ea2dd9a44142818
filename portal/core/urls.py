"""Absolute links for e-mails, built from PUBLIC_URL: the mail is often written outside a request."""

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    public = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(
        public.netloc, script_name=public.path or "/", url_scheme=public.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
