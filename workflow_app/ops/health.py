"""Liveness and readiness.

``alive()``: the process answers (no database involved: a database outage must not get every app
node restarted). ``readiness()``: the database answers, its schema is at the newest migration, and
some scheduler ticked within WORKFLOW_HEARTBEAT_STALE seconds (time-driven work is being done);
each check says why it failed.
"""

import time
from dataclasses import dataclass, field
from pathlib import Path

from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import text

from .. import clock
from ..extensions import db
from . import heartbeats

_HEADS: dict = {}


@dataclass
class Readiness:
    ready: bool
    checks: dict = field(default_factory=dict)  # name -> {"ok": bool, "detail": str}
    words: dict = field(default_factory=dict)  # name -> (Chinese message id, its values): the page's words
    reasons: list = field(default_factory=list)


def alive() -> dict:
    return {"status": "alive"}


def head_revisions() -> set[str]:
    """The newest migration(s) in this checkout (read once per process)."""
    directory = current_app.extensions["migrate"].directory
    if directory not in _HEADS:
        _HEADS[directory] = set(ScriptDirectory(str(Path(directory))).get_heads())
    return _HEADS[directory]


def _database() -> tuple[bool, str, set]:
    began = time.perf_counter()
    try:
        db.session.execute(text("SELECT 1"))
        current = set(db.session.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except Exception as error:  # the reason is what the probe reports
        db.session.rollback()
        return False, f"database unreachable: {type(error).__name__}", set()
    return True, f"answered in {(time.perf_counter() - began) * 1000:.1f} ms", current


def readiness() -> Readiness:
    result = Readiness(ready=True)

    def check(name: str, ok: bool, detail: str) -> None:
        result.checks[name] = {"ok": ok, "detail": detail}
        if not ok:
            result.ready = False
            result.reasons.append(f"{name}: {detail}")

    def say(name: str, message: str, **values) -> None:
        result.words[name] = (message, values)

    began = time.perf_counter()
    reachable, detail, current = _database()
    check("database", reachable, detail)
    if reachable:
        say("database", "%(ms).1f 毫秒内应答", ms=(time.perf_counter() - began) * 1000)
    else:
        say("database", "数据库无法连接")
    if reachable:
        heads = head_revisions()
        say("migrations", "已是最新版本 %(at)s" if current == heads
            else "当前版本 %(at)s，最新为 %(newest)s：请运行 flask migrate",
            at=", ".join(sorted(current)) or "—", newest=", ".join(sorted(heads)))
        check("migrations", current == heads,
              f"at {', '.join(sorted(current)) or 'nothing'}" + ("" if current == heads else
                                                                 f"; the newest is {', '.join(sorted(heads))}: "
                                                                 "run `flask migrate`"))
        try:
            nodes = heartbeats.nodes(clock.now())
        except Exception as error:  # a schema behind (or drifted): the probe says so, never a 500
            db.session.rollback()
            check("scheduler", False, f"heartbeats cannot be read: {type(error).__name__}")
            say("scheduler", "无法读取调度心跳")
            return result
        fresh = [n for n in nodes if not n.stale]
        if fresh:
            check("scheduler", True, f"{len(fresh)} scheduler(s) ticking; last beat {fresh[0].age:.0f} s ago")
            say("scheduler", "%(n)d 个调度节点在运行，最近心跳 %(age).0f 秒前", n=len(fresh), age=fresh[0].age)
        elif nodes:
            check("scheduler", False, f"no scheduler ticked in the last {heartbeats.stale_after():.0f} s "
                                      f"(last beat {nodes[0].age:.0f} s ago, from {nodes[0].node})")
            say("scheduler", "最近 %(limit).0f 秒内没有调度节点心跳（最近一次 %(age).0f 秒前，来自 %(node)s）",
                limit=heartbeats.stale_after(), age=nodes[0].age, node=nodes[0].node)
        else:
            check("scheduler", False, "no scheduler has ever ticked: run `flask scheduler` or `workflow-app serve`")
            say("scheduler", "尚无调度节点心跳：请运行 flask scheduler 或 workflow-app serve")
    return result
