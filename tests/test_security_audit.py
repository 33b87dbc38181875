"""Issue 10, finding 7: the audit trail cannot be wiped — TRUNCATE is refused on PostgreSQL like UPDATE
and DELETE (on SQLite, which has no TRUNCATE, DELETE is refused)."""

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from tests.conftest import ON_POSTGRES
from tests.support import ok, sample_bundle
from workflow_app.extensions import db
from workflow_app.models import AuditEvent


def _count(app) -> int:
    with app.app_context():
        found = db.session.scalar(select(func.count()).select_from(AuditEvent))
        db.session.remove()
    return found


@pytest.mark.parametrize("statement", ["TRUNCATE audit_event", "TRUNCATE TABLE audit_event RESTART IDENTITY CASCADE",
                                       "DELETE FROM audit_event", "UPDATE audit_event SET kind = 'x'"])
def test_the_audit_trail_refuses_to_be_wiped(api, statement):
    ok(api.deploy(sample_bundle()), 201)
    before = _count(api.app)
    assert before > 0
    if statement.startswith("TRUNCATE") and not ON_POSTGRES:
        pytest.skip("SQLite has no TRUNCATE (its truncate optimisation is a DELETE, refused below)")
    with api.app.app_context():
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
        db.session.remove()
    assert _count(api.app) == before
