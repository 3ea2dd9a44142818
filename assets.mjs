// `make assets`: builds static/dist/, the files the pages link to, each named by a hash of its
// content so that a browser may keep it for a year (portal/core/assets.py serves the names).
//
//   css/portal.css  = the parts of Bootstrap the pages use (PurgeCSS over the templates and the
//                     script) + static/css/portal.css, minified
//   js/portal.js    = static/js/portal.js, minified (the pages use no Bootstrap JavaScript: the
//                     menus are <details>, nothing opens a modal, a tooltip or a collapse)
//   img/favicon.svg = as it is
//
// The manifest records a hash of every source file and the Bootstrap names the pages use, so
// that a test (tests/core/test_assets.py) can tell without Node when the committed build no
// longer matches its sources: a template that starts using a Bootstrap class the build left out.
// After changing a template's Bootstrap classes, portal.css or portal.js: `make assets`, and
// commit static/dist/ with the change.

import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import { transform } from "esbuild";
import postcss from "postcss";
import selectorParser from "postcss-selector-parser";
import { PurgeCSS } from "purgecss";

const ROOT = fileURLToPath(new URL(".", import.meta.url));
const DIST = join(ROOT, "static", "dist");
const BOOTSTRAP = join(ROOT, "node_modules", "bootstrap", "dist", "css", "bootstrap.css");

// Where the pages' class names are written: what PurgeCSS reads (the test reads the same:
// tests/core/test_assets.py, CONTENT). The Python code writes no class of its own; a class that a
// template or the script puts together from pieces must be in SAFELIST below.
const CONTENT = [
  ["templates", ".html"],
  ["static/js", ".js"],
];
// A name is a run of letters, digits, "-" and "_" (the same pattern as the test's NAME).
const NAME = /[A-Za-z0-9_-]+/g;

// Classes put together while a page is drawn, which no file spells out whole:
// `badge text-bg-{{ colour }}`, `alert-{{ category }}` (flash categories from the views).
// And the states Bootstrap's own rules expect, should a page ever set them.
const SAFELIST = {
  standard: [/^text-bg-/, /^alert-/, "active", "disabled", "show", "is-invalid", "is-valid"],
};

const SOURCES = [
  "static/css/portal.css",
  "static/js/portal.js",
  "static/img/favicon.svg",
  "assets.mjs",
  "package-lock.json",
];

function sha256(data) {
  return createHash("sha256").update(data).digest("hex");
}

function contentFiles() {
  const files = [];
  for (const [folder, ending] of CONTENT) {
    for (const name of readdirSync(join(ROOT, folder), { recursive: true })) {
      if (name.endsWith(ending)) files.push(join(folder, name));
    }
  }
  return files.sort();
}

// Every name a Bootstrap selector looks for in the pages: its classes, ids, tags and attributes.
function selectorNames(css) {
  const names = new Set();
  const collect = selectorParser((selectors) => {
    selectors.walk((node) => {
      if (["class", "id", "tag"].includes(node.type)) names.add(node.value);
      if (node.type === "attribute") {
        names.add(node.attribute);
        if (node.value) names.add(node.value);
      }
    });
  });
  postcss.parse(css).walkRules((rule) => {
    if (rule.parent?.type === "atrule" && /keyframes$/.test(rule.parent.name)) return;
    collect.processSync(rule.selector);
  });
  return [...names].filter((name) => /^[A-Za-z0-9_-]+$/.test(name)).sort();
}

async function minify(code, loader) {
  const result = await transform(code, { loader, minify: true, legalComments: "inline" });
  return result.code;
}

function hashedName(logical, body) {
  const base = logical.split("/").pop();
  const dot = base.lastIndexOf(".");
  return `dist/${base.slice(0, dot)}.${sha256(body).slice(0, 12)}${base.slice(dot)}`;
}

async function build() {
  const files = contentFiles();
  const texts = files.map((file) => readFileSync(join(ROOT, file), "utf8"));
  const bootstrap = readFileSync(BOOTSTRAP, "utf8");
  const portalCss = readFileSync(join(ROOT, "static/css/portal.css"), "utf8");

  const [purged] = await new PurgeCSS().purge({
    content: texts.map((raw) => ({ raw, extension: "html" })),
    css: [{ raw: bootstrap }],
    defaultExtractor: (text) => text.match(NAME) || [],
    safelist: SAFELIST,
    variables: true, // the custom properties no kept rule reads
    keyframes: true,
    fontFace: true,
  });

  const outputs = {
    "css/portal.css": await minify(`${purged.css}\n${portalCss}`, "css"),
    "js/portal.js": await minify(readFileSync(join(ROOT, "static/js/portal.js"), "utf8"), "js"),
    "img/favicon.svg": readFileSync(join(ROOT, "static/img/favicon.svg"), "utf8"),
  };

  const names = selectorNames(bootstrap);
  const known = new Set(names);
  const used = new Set();
  for (const text of texts) for (const word of text.match(NAME) || []) if (known.has(word)) used.add(word);

  rmSync(DIST, { recursive: true, force: true });
  mkdirSync(DIST, { recursive: true });
  const assets = {};
  for (const [logical, body] of Object.entries(outputs)) {
    assets[logical] = hashedName(logical, body);
    writeFileSync(join(ROOT, "static", assets[logical]), body);
  }
  const manifest = {
    note: "Made by `make assets` (assets.mjs); do not edit.",
    assets,
    sources: Object.fromEntries(SOURCES.map((f) => [f, sha256(readFileSync(join(ROOT, f)))])),
    bootstrap: {
      version: JSON.parse(readFileSync(join(ROOT, "node_modules/bootstrap/package.json"), "utf8"))
        .version,
      names,
      used: [...used].sort(),
    },
  };
  writeFileSync(join(DIST, "manifest.json"), `${JSON.stringify(manifest, null, 1)}\n`);
  for (const [logical, path] of Object.entries(assets)) {
    const size = Buffer.byteLength(outputs[logical]);
    console.log(`${relative(ROOT, join(ROOT, "static", path))}  ${size} bytes`);
  }
}

await build();
