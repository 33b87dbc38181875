"""The browser libraries the pages use, served from ``node_modules/`` (``npm install`` at the
repository root puts them there; nothing third-party is committed).

Only a whitelist of packages and files is served. Without node_modules the route answers 503
with what to run, and the pages that need a library say so in place."""

from pathlib import Path

from flask import Response, abort, current_app, send_file

from ..config import PROJECT_ROOT
from . import bp

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
    return send_file(target, max_age=86400)


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
