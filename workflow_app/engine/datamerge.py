"""Task data never shares objects between tasks.

SpiffWorkflow 3.2 merges task data with ``DeepMerge.merge`` when a task inherits its parent's data,
when a join gathers its branches and when a multi-instance gathers its children. That merge copies
lists and dicts *shallowly*: the nested dicts of a list stay the same objects in both tasks, and a
later merge that updates them in place (``merge_array`` merges list items that are dicts) rewrites
another task's data. Seen as: two parallel branches whose people each submit a list of objects
under the same key; at the join, the first branch's items overwrite the second branch's own
submission, in that branch's task and everything after it (the case ends with one branch's list,
silently).

The platform installs a merge that deep-copies what it merges in (once per merge, not at every
level of its recursion), so no task's data holds an object another task's data holds. The
library's merge rules (which value wins, how lists combine) are unchanged."""

import copy

from SpiffWorkflow.util.deep_merge import DeepMerge

_library_merge = DeepMerge.merge


def _merge_a_copy(a, b, path=None):
    """``DeepMerge.merge`` of a deep copy of ``b`` (its recursive calls, which pass a path, work on
    parts of that copy already)."""
    if path:
        return _library_merge(a, b, path)
    return _library_merge(a, copy.deepcopy(b), path)


def install() -> None:
    if DeepMerge.merge is not _merge_a_copy:
        DeepMerge.merge = staticmethod(_merge_a_copy)
