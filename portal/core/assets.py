"""The stylesheet, script and icon the pages link to, by the names `make assets` gave them.

`make assets` (assets.mjs) writes static/dist/: each file named by a hash of its content, and
manifest.json, which maps the name a template asks for (`asset('css/portal.css')`) to that file.
The build is committed, so running and testing the portal needs no Node; a test
(tests/core/test_assets.py) fails when the build no longer matches its sources.

A browser keeps a file with a hashed name for a year without asking again: a new build has new
names, which the next page links to. There is no fallback to the unbuilt files: a missing or
broken build stops the app at start, rather than serving pages without their styles.
"""

import json
import os

from flask import Flask, Response, current_app, request, url_for

MANIFEST = os.path.join("dist", "manifest.json")  # under the static folder
A_YEAR = 365 * 24 * 3600


def load_manifest(static_folder: str) -> dict:
    path = os.path.join(static_folder, MANIFEST)
    try:
        with open(path, encoding="utf-8") as file:
            manifest = json.load(file)
    except FileNotFoundError:
        raise RuntimeError(f"{path} is missing: run `make assets`.") from None
    for name in manifest["assets"].values():
        if not os.path.isfile(os.path.join(static_folder, name)):
            raise RuntimeError(f"static/{name} named in {MANIFEST} is missing: run `make assets`.")
    return manifest


def asset(name: str) -> str:
    """The URL of a built file: `asset('css/portal.css')` → /static/dist/portal.<hash>.css."""
    return url_for("static", filename=current_app.extensions["assets"]["assets"][name])


def cache_built_files(response: Response) -> Response:
    """A file with a hashed name never changes: kept a year, never asked for again."""
    if request.endpoint == "static" and response.status_code in (200, 304):
        built = current_app.extensions["assets"]["assets"].values()
        if (request.view_args or {}).get("filename") in built:
            response.cache_control.public = True
            response.cache_control.max_age = A_YEAR
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
    return response


def init_app(app: Flask) -> None:
    app.extensions["assets"] = load_manifest(app.static_folder)
    app.add_template_global(asset)
    app.after_request(cache_built_files)
