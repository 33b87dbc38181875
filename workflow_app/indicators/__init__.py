"""考核评价: indicators and scores from the recorded facts.

Definitions are data (``processes/indicators/indicators.json``, locality overlays under
``processes/localities/<unit>/indicators/``), versioned by content hash. Facts roll up into daily
rollups of *atoms* as they are recorded (each scheduler tick, and before every read); counts,
rates, banded scores and composites are computed from the atoms of a period; ended months are
frozen into snapshots and corrected only by adjustments; bulletins come as a page, a PDF and an
XLSX workbook.

Modules: ``document`` (the definitions file), ``versions`` (deploying and resolving them),
``ledger``/``overdue``/``verdicts``/``stream`` (rolling the facts up), ``rollups``/``sources``
(reading atoms), ``figures``/``formulas`` (computing), ``report`` (tables), ``explain``,
``adjustments``, ``freezing``/``closing`` (frozen months), ``bulletin``/``pdf``/``workbook``,
``jobs`` (the scheduler job), ``history`` (the demo's twelve months).
"""

from . import tables  # noqa: F401 - the tables are part of the schema wherever the package is used
