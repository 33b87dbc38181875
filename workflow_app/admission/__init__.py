"""工作事项准入 — item-entry admission (权随责走、费随事转).

Departments may not push work down to villages and communities at will: an item enters a
community's work list only through the ``item_admission`` process (DMN screening against the
county's negative list and lead time, the town's opinion, the joint meeting's decision), leaves it
through ``item_withdrawal``, and the platform itself refuses work under an item that is not
admitted where it would go (``enforcement``, a guard on the case service). Modules:

- ``records``: the tables; ``coverage``: which units an item's targets cover (inheritance);
- ``items``: the admitted-items list, its versions and each unit's list versions;
- ``enforcement`` and ``refusals``: the guard and its ``admission_refused`` facts;
- ``settings``: each county's enforced levels and exempt processes;
- ``effects``, ``functions``, ``jobs``: what the models and the scheduler call;
- ``applications``, ``blocked``, ``burden``, ``exchange``: the read models and actions the API
  and pages use; ``demo``: the demo county's list and cases.
"""
