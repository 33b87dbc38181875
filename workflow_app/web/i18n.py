"""Languages: Chinese (zh-CN) first, English through Flask-Babel.

Message ids in templates and code are the Chinese text itself, so Chinese needs no catalogue and
English comes from ``workflow_app/translations/en/LC_MESSAGES/messages.po``. The ``.mo`` files
are compiled from the ``.po`` files when the app starts (when missing or older than the .po).
``?lang=en`` (or ``zh``) on any page switches the language and the session remembers it.
"""

import logging
import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, request, session
from flask_babel import Babel, get_locale

from . import bp

log = logging.getLogger(__name__)
LANGUAGES = ("zh", "en")
DEFAULT = "zh"
babel = Babel()


def compile_catalogs(directory: Path) -> list[Path]:
    """Compile every ``.po`` under ``directory`` whose ``.mo`` is missing or older; returns those written."""
    written = []
    for po in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        try:
            with po.open("rb") as source:
                catalog = read_po(source)
            partial = mo.with_name(f"{mo.name}.{os.getpid()}.tmp")
            with partial.open("wb") as target:
                write_mo(target, catalog, use_fuzzy=False)
            os.replace(partial, mo)  # atomic: two app nodes starting together do not clash
            written.append(mo)
        except OSError as error:  # a read-only install: English falls back to the Chinese ids
            log.warning("could not compile %s: %s", po, error)
    return written


def select_locale() -> str:
    return session.get("lang", DEFAULT) if request else DEFAULT


def lang() -> str:
    """The current page language: 'zh' or 'en'."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh"


def N_(text: str) -> str:
    """Marks a Chinese text for extraction where it is translated later (``_(value)``)."""
    return text


def pick(zh, en=None):
    """The English text when the page is in English and one exists, else the Chinese."""
    return en if en and lang() == "en" else zh


def listing(values) -> str:
    """Items joined as the page's language writes a list: 甲、乙 / A, B."""
    return (", " if lang() == "en" else "、").join(str(v) for v in values or ())


def colon() -> str:
    """The colon after a label: full-width in Chinese, ': ' in English."""
    return ": " if lang() == "en" else "："


@bp.before_app_request
def _remember_language():
    wanted = request.args.get("lang")
    if wanted in LANGUAGES and not request.path.startswith("/api/"):
        session["lang"] = wanted


def init_app(app) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    directory = Path(app.root_path) / "translations"
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(directory))
    compile_catalogs(directory)
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(pick=pick, lang=lang, colon=colon)
    app.jinja_env.filters["listing"] = listing


def config_timezone() -> str:
    return current_app.config.get("DEFAULT_TIMEZONE", "Asia/Shanghai")
