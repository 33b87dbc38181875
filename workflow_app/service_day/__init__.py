"""The monthly grid service day (网格服务日) and paired visits to special groups (专人结对).

The rules are models and data: each locality's service-day rule (``settings``, dates in
``schedule`` and ``rules``), the processes ``grid_service_day`` (one case per grid on its service
day), ``service_day_planning`` (the town's theme, N working days before) and ``household_visit``
(visit cadences between service days, DMN ``visit_cadence``), and the DMN ``visit_due`` that
picks the households due a visit. This package supplies the mechanisms they name: the start
schedules (``schedule``), script functions (``functions``), effects (``effects``), the job that
opens visits as they come due (``jobs``), pairings (``pairing``), visit histories and the
service-day page (``visits``), the coverage report (``coverage``) and the demo (``demo``).
"""
