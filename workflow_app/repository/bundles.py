"""Bundles on disk: ``processes/<key>/…`` is a platform-wide definition and
``processes/localities/<unit-code>/<key>/…`` a locality's variant; forms come from ``forms/``."""

from dataclasses import dataclass
from pathlib import Path

BUNDLE_SUFFIXES = (".bpmn", ".bpmn20.xml", ".dmn", ".json")
LOCALITIES = "localities"
NOT_BUNDLES = {LOCALITIES, "indicators", "evaluation"}  # indicators/: the indicator definitions (deployed by the
# indicators package); evaluation/: the localities' evaluation data (read by the evaluation package)


@dataclass
class BundleSource:
    key: str
    locality: str | None
    directory: Path
    files: list[tuple[str, bytes]]


def _read(directory: Path) -> list[tuple[str, bytes]]:
    return [
        (path.name, path.read_bytes())
        for path in sorted(directory.iterdir())
        if path.is_file() and path.name.lower().endswith(BUNDLE_SUFFIXES)
    ]


def discover(processes_dir: str | Path) -> list[BundleSource]:
    root = Path(processes_dir)
    found = []
    if not root.is_dir():
        return found
    for directory in sorted(p for p in root.iterdir() if p.is_dir() and p.name not in NOT_BUNDLES):
        if files := _read(directory):
            found.append(BundleSource(directory.name, None, directory, files))
    localities = root / LOCALITIES
    if localities.is_dir():
        for unit_dir in sorted(p for p in localities.iterdir() if p.is_dir()):
            for directory in sorted(p for p in unit_dir.iterdir() if p.is_dir() and p.name not in NOT_BUNDLES):
                if files := _read(directory):
                    found.append(BundleSource(directory.name, unit_dir.name, directory, files))
    return found


def form_reader(forms_dir: str | Path):
    """A lookup of shared forms by file name; names with any path part are never read."""
    root = Path(forms_dir).resolve()

    def read(name: str) -> bytes | None:
        if not name or len(name) > 255 or "\x00" in name or name != Path(name).name or name.startswith("."):
            return None
        path = root / name
        try:
            return path.read_bytes() if path.is_file() else None
        except OSError:  # a name the file system refuses is a form that is not there
            return None

    return read
