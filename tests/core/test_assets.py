"""The built stylesheet and script (static/dist/, `make assets`): the committed build matches its
sources, the pages link only to it, a browser keeps it a year, and everything text is compressed."""

import hashlib
import json
import re
from pathlib import Path

import pytest

from portal.core.assets import A_YEAR, load_manifest

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"
MANIFEST = json.loads((STATIC / "dist" / "manifest.json").read_text(encoding="utf-8"))
# What assets.mjs reads for the class names the pages use, and how it cuts them out.
CONTENT = [("templates", ".html"), ("static/js", ".js")]
NAME = re.compile(r"[A-Za-z0-9_-]+")
REBUILD = "run `make assets` and commit static/dist/"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_the_build_was_made_from_the_sources_as_they_are():
    changed = [
        path
        for path, digest in MANIFEST["sources"].items()
        if sha256((ROOT / path).read_bytes()) != digest
    ]
    assert not changed, f"{', '.join(changed)} changed since the build: {REBUILD}"


def test_the_build_has_the_bootstrap_classes_the_templates_use():
    """PurgeCSS kept the rules whose names the templates and the script spell out: the same
    names must be spelled out today, or a page would use a class the stylesheet left out."""
    names = set(MANIFEST["bootstrap"]["names"])
    used = set()
    for folder, ending in CONTENT:
        for path in (ROOT / folder).rglob(f"*{ending}"):
            used |= names.intersection(NAME.findall(path.read_text(encoding="utf-8")))
    built = set(MANIFEST["bootstrap"]["used"])
    assert used == built, (
        f"Bootstrap names now used but left out of the stylesheet: {sorted(used - built)}; "
        f"no longer used: {sorted(built - used)}: {REBUILD}"
    )


def test_each_built_file_is_named_by_its_content_and_nothing_else_is_there():
    for name in MANIFEST["assets"].values():
        digest = re.search(r"\.([0-9a-f]{12})\.[a-z]+$", name).group(1)
        assert sha256((STATIC / name).read_bytes()).startswith(digest), name
    present = {f"dist/{path.name}" for path in (STATIC / "dist").iterdir()}
    assert present == set(MANIFEST["assets"].values()) | {"dist/manifest.json"}


def test_the_stylesheet_keeps_bootstraps_licence_and_the_portals_own_rules():
    css = (STATIC / MANIFEST["assets"]["css/portal.css"]).read_text(encoding="utf-8")
    assert "Bootstrap  v5.3.8" in css and "Licensed under MIT" in css
    assert ".site-header" in css and ".container" in css and ".text-bg-success" in css
    assert ".modal" not in css and ".carousel" not in css  # parts no page uses


def test_without_a_build_the_app_does_not_start(tmp_path):
    with pytest.raises(RuntimeError, match="make assets"):
        load_manifest(str(tmp_path))
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "manifest.json").write_text('{"assets": {"css/portal.css": "dist/x.css"}}')
    with pytest.raises(RuntimeError, match="dist/x.css"):
        load_manifest(str(tmp_path))


def linked(page: str) -> list[str]:
    """The stylesheets, scripts, icons and images a page makes the browser fetch."""
    tags = re.findall(r"<(?:link|script|img)\b[^>]*>", page)
    return [re.search(r'(?:href|src)="([^"]+)"', tag).group(1) for tag in tags]


def test_every_page_links_only_the_built_files(client):
    page = client.get("/").get_data(as_text=True)
    assert sorted(linked(page)) == sorted(
        f"/static/{name}"
        for name in (
            MANIFEST["assets"]["css/portal.css"],
            MANIFEST["assets"]["js/portal.js"],
            MANIFEST["assets"]["img/favicon.svg"],
            MANIFEST["assets"]["img/favicon.svg"],  # the tab's icon and the header's logo
        )
    )


def test_a_built_file_is_kept_a_year_and_others_are_revalidated(client):
    for name in MANIFEST["assets"].values():
        response = client.get(f"/static/{name}")
        assert response.status_code == 200
        assert response.cache_control.public and response.cache_control.immutable
        assert response.cache_control.max_age == A_YEAR
        assert not response.cache_control.no_cache
        response.close()
    for plain in ("/static/dist/manifest.json", "/static/css/portal.css"):
        response = client.get(plain)
        assert not response.cache_control.immutable and not response.cache_control.max_age
        response.close()


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_pages_and_static_text_are_compressed(client, encoding):
    for url in ("/", f"/static/{MANIFEST['assets']['css/portal.css']}", "/api/v1/openapi.json"):
        response = client.get(url, headers={"Accept-Encoding": encoding})
        assert response.status_code == 200, url
        assert response.headers["Content-Encoding"] == encoding, url
        assert "Accept-Encoding" in response.vary
        response.close()
