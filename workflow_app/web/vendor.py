"""The browser libraries the pages use, served from ``node_modules/`` (``npm install`` at the
repository root puts them there; nothing third-party is committed).

Only a whitelist of packages and files is served. Without node_modules the route answers 503
with what to run, and the pages that need a library say so in place."""

import re
from functools import lru_cache
from pathlib import Path

from flask import Response, abort, current_app, send_file

from ..config import PROJECT_ROOT
from ..inbox.queries import role_names
from . import bp
from .i18n import lang

_FONT = "dist/assets/bpmn-font/"
FILES = {
    "bpmn-js": {
        "dist/bpmn-navigated-viewer.production.min.js",
        "dist/bpmn-modeler.production.min.js",
        "dist/assets/diagram-js.css",
        "dist/assets/bpmn-js.css",
        _FONT + "css/bpmn.css",
        _FONT + "css/bpmn-embedded.css",
        *(_FONT + f"font/bpmn.{ext}" for ext in ("woff2", "woff", "ttf", "eot", "svg")),
    },
    "htmx.org": {"dist/htmx.min.js"},
    "leaflet": {"dist/leaflet.js", "dist/leaflet.css",
                *(f"dist/images/{name}.png" for name in ("marker-icon", "marker-icon-2x", "marker-shadow",
                                                          "layers", "layers-2x"))},
    # the designer: properties panel, decision tables (dmn-js)
    "bpmn-js-properties-panel": {"dist/bpmn-js-properties-panel.umd.js"},
    "bpmn-io-properties-panel": {"dist/assets/properties-panel.css"},
    "dmn-js": {"dist/dmn-modeler.production.min.js",
               *(f"dist/assets/{name}.css" for name in ("diagram-js", "dmn-js-shared", "dmn-js-drd",
                                                         "dmn-js-decision-table", "dmn-js-decision-table-controls",
                                                         "dmn-js-literal-expression")),
               "dist/assets/dmn-font/css/dmn.css", "dist/assets/dmn-font/css/dmn-embedded.css",
               *(f"dist/assets/dmn-font/font/dmn.{ext}" for ext in ("woff2", "woff", "ttf", "eot", "svg"))},
}
DIRS = {"bpmn-io-properties-panel": "@bpmn-io/properties-panel"}  # scoped packages, by a URL-safe name
# bpmn-js-properties-panel's UMD bundle carries @bpmn-io/properties-panel but exports only its providers
# and useService; the platform's own provider (static/platform-properties.js) builds its groups from the
# library's entry components, so the served bundle also exports those (public name: name in the bundle).
PANEL_BUNDLE = ("bpmn-js-properties-panel", "dist/bpmn-js-properties-panel.umd.js")
PANEL_COMPONENTS = {"TextFieldEntry": "TextfieldEntry", "TextAreaEntry": "TextAreaEntry",
                    "SelectEntry": "SelectEntry", "ListGroup": "ListGroup"}
PANEL_ANCHOR = "exports.useService = useService;"
MISSING = "node_modules is missing: run `npm install --no-audit --no-fund` at the repository root.\n"


def root() -> Path:
    return Path(current_app.config.get("NODE_MODULES_DIR") or PROJECT_ROOT / "node_modules")


def available(package: str) -> bool:
    """True when the package's files are installed (pages show a note otherwise)."""
    return all((root() / DIRS.get(package, package) / name).is_file() for name in FILES.get(package, ())
               if name.endswith(".js"))


@bp.get("/vendor/<package>/<path:path>")
def vendor(package: str, path: str):
    if path not in FILES.get(package, ()):
        abort(404)
    target = root() / DIRS.get(package, package) / path
    if not target.is_file():
        return Response(MISSING, status=503, mimetype="text/plain")
    if (package, path) == PANEL_BUNDLE:
        return Response(_panel_bundle(str(target), target.stat().st_mtime), mimetype="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})
    return send_file(target, max_age=86400)


@lru_cache(maxsize=2)
def _panel_bundle(path: str, _mtime: float) -> str:
    """The properties panel bundle with the entry components added to its exports (those it has)."""
    text = Path(path).read_text(encoding="utf-8")
    extra = "".join(f"\n  exports.{public} = {inner};" for public, inner in PANEL_COMPONENTS.items()
                    if re.search(rf"^  function {inner}\(", text, re.MULTILINE))
    return text.replace(PANEL_ANCHOR, PANEL_ANCHOR + extra, 1)


def designer_roles() -> list[dict]:
    """The platform's roles for the modeler's lane-role select: code and name in the page's language."""
    chosen = lang()
    return sorted(({"code": code, "name": (en if chosen == "en" and en else zh) or code}
                   for code, (zh, en) in role_names().items()), key=lambda r: r["code"])


# The tab icon: a small SVG drawn here (a flow: two steps joined by an arrow) — no file to ship.
FAVICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
           '<rect width="32" height="32" rx="6" fill="#1f6feb"/>'
           '<rect x="5" y="11" width="9" height="10" rx="2" fill="#fff"/>'
           '<rect x="19" y="11" width="9" height="10" rx="2" fill="#fff"/>'
           '<path d="M14 16h4" stroke="#fff" stroke-width="2"/></svg>')


@bp.get("/favicon.ico")
@bp.get("/favicon.svg")
def favicon():
    return Response(FAVICON, mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})


def init_app(app) -> None:
    app.jinja_env.globals["vendor_available"] = available
    app.jinja_env.globals["designer_roles"] = designer_roles
