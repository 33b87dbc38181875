"""The bulletin's files: no section heading of the PDF stands alone at the foot of a page, and no
username appears anywhere in the PDF or the XLSX (people by name only; units may show codes)."""

import io

import pdfplumber
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.support_indicators import (  # noqa: F401 - the *_fixture names are fixtures
    at,
    clock_fixture,
    events_fixture,
    two_towns,
)
from workflow_app.extensions import db
from workflow_app.indicators import pdf, present, service
from workflow_app.models import User

HEADINGS = {"一、总体情况", "二、排名", "镇街排名", "村社区排名", "网格排名", "部门排名",
            "三、超期未结案件（超期最久的）", "四、更正记录"}


@pytest.fixture
def march(events, clock):
    two_towns(events, clock, 3)
    clock.move_to(at(1, 10, month=4))
    return events


def test_no_heading_is_orphaned_at_the_foot_of_a_page(march, monkeypatch):
    """However much text stands above them, each heading shares its page with its table."""
    with march.app.app_context():
        supervisor = db.session.execute(select(User).where(User.username == "supervisor")).scalar_one()
        bulletin = service.bulletin_data(supervisor, "qingxi", "2026-03")
        line = present.status_line(bulletin)
        for padding in range(0, 64):
            monkeypatch.setattr(present, "status_line", lambda b, n=padding: "<br/>".join([line] * (n + 1)))
            with pdfplumber.open(io.BytesIO(pdf.render(bulletin))) as document:
                for number, page in enumerate(document.pages[:-1], start=1):
                    lines = [x.strip() for x in (page.extract_text() or "").splitlines() if x.strip()]
                    assert lines and lines[-1] not in HEADINGS, (padding, number, lines[-1])
        db.session.remove()


def test_no_username_in_the_bulletin_files(march):
    person = {"subject": "dc-dm-01", "period": "2026-03", "indicator": "结案",
              "delta": 1, "reason": "补录纸质上报单"}
    with march.app.app_context():  # an author whose name was never recorded
        db.session.execute(db.update(User).where(User.username == "supervisor").values(name=""))
        db.session.commit()
        usernames = set(db.session.execute(select(User.username)).scalars())
        db.session.remove()
    made = march.post("/indicators/adjustments", "supervisor", json=person)
    assert made.status_code == 201, made.get_json()
    workbook = march.get("/bulletins/qingxi/2026-03.xlsx", "supervisor")
    assert workbook.status_code == 200
    book = load_workbook(io.BytesIO(workbook.data))
    cells = {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None}
    assert "补录纸质上报单" in cells
    assert not cells & usernames, cells & usernames
    answer = march.get("/bulletins/qingxi/2026-03.pdf", "supervisor")
    with pdfplumber.open(io.BytesIO(answer.data)) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
    assert "补录纸质上报单" in text
    assert not [u for u in usernames if u in text and u != "system"]
