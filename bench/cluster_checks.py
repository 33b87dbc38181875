"""bench/cluster.py's checks of the database after the run: nothing doubled, nothing lost, audit = state."""

from sqlalchemy import create_engine, text

CHECKS = {
    "no task completed twice": (
        "SELECT human_task_id FROM audit_event WHERE kind = 'task_completed' AND human_task_id IS NOT NULL "
        "GROUP BY human_task_id HAVING count(*) > 1"),
    "completed tasks match the audit": (
        "SELECT t.id FROM human_task t WHERE (t.state = 'completed') <> EXISTS (SELECT 1 FROM audit_event a "
        "WHERE a.kind = 'task_completed' AND a.human_task_id = t.id)"),
    "no case started twice": (
        "SELECT nonce FROM (SELECT coalesce(substring(data from '#([0-9]c[0-9]+-[0-9]+)'), data::json->>'ref') "
        "AS nonce FROM process_instance) n WHERE nonce IS NOT NULL GROUP BY nonce HAVING count(*) > 1"),
    "no timer fired twice": (
        "SELECT instance_id FROM audit_event WHERE kind = 'timer_fired' GROUP BY instance_id HAVING count(*) > 1"),
    "no timer lost": (
        "SELECT i.id FROM process_instance i JOIN process_version v ON v.id = i.version_id WHERE v.key = 'bench_timer' "
        "AND NOT ((i.next_timer_due IS NOT NULL AND i.next_timer_due > now() AT TIME ZONE 'UTC' - interval '2 seconds' "
        "AND NOT EXISTS (SELECT 1 FROM audit_event a WHERE a.instance_id = i.id AND a.kind = 'timer_fired')) "
        "OR (i.next_timer_due IS NULL AND (SELECT count(*) FROM audit_event a WHERE a.instance_id = i.id "
        "AND a.kind = 'timer_fired') = 1))"),
    "audit consistent with each case's state": (
        "SELECT i.id FROM process_instance i WHERE "
        "(SELECT count(*) FROM audit_event a WHERE a.instance_id = i.id AND a.kind = 'instance_started') <> 1 "
        "OR (SELECT count(*) FROM audit_event a WHERE a.instance_id = i.id AND a.kind = 'instance_completed') "
        "<> CASE WHEN i.status = 'completed' THEN 1 ELSE 0 END "
        "OR EXISTS (SELECT 1 FROM audit_event a WHERE a.instance_id = i.id AND a.kind = 'instance_error') "
        "OR i.status NOT IN ('running', 'completed') "
        "OR (SELECT count(*) FROM audit_event a WHERE a.instance_id = i.id AND a.kind = 'task_created') "
        "<> (SELECT count(*) FROM human_task t WHERE t.instance_id = i.id) "
        "OR (i.status = 'completed' AND EXISTS (SELECT 1 FROM human_task t WHERE t.instance_id = i.id "
        "AND t.state = 'open'))"),
}


def check_database(url: str, stats) -> dict:
    engine = create_engine(url)
    results = {}
    try:
        with engine.connect() as conn:
            for name, query in CHECKS.items():
                rows = [r[0] for r in conn.execute(text(query))]
                results[name] = {"result": "ok" if not rows else "FAILED",
                                 "detail": f"{len(rows)}: {rows[:5]}" if rows else None}
            ids = list(stats.acknowledged.values())
            found = conn.execute(text("SELECT count(*) FROM process_instance WHERE id = ANY(:ids)"),
                                 {"ids": ids}).scalar_one() if ids else 0
            results["every acknowledged start exists"] = {
                "result": "ok" if found == len(ids) else "FAILED",
                "detail": f"{len(ids)} acknowledged, {found} found; {len(stats.unknown_starts)} cut off mid-flight"}
            counts = dict(conn.execute(text("SELECT kind, count(*) FROM audit_event WHERE kind IN "
                                            "('instance_started', 'task_completed', 'timer_fired', "
                                            "'instance_completed') GROUP BY kind")).all())
            results["totals"] = {"result": "ok", "detail": ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))}
    finally:
        engine.dispose()
    return results
