"""Issue 15: the platform's properties provider is built from @bpmn-io/properties-panel's entry
components, which bpmn-js-properties-panel's UMD bundle carries but does not export; the served
bundle exports them too (and is served unchanged when it has no such components). The modeler page
embeds the platform's roles for the lane-role select."""

import json
import re

import pytest

from tests.conftest import ROOT
from tests.support import ok, sample_bundle
from tests.test_web_pages import login

BUNDLE = "/vendor/bpmn-js-properties-panel/dist/bpmn-js-properties-panel.umd.js"
FAKE = """(function (exports) {
  function TextfieldEntry(props) {}
  function ListGroup(props) {}
  exports.useService = useService;
})(this);"""


def fake_modules(tmp_path, text: str):
    target = tmp_path / "bpmn-js-properties-panel" / "dist" / "bpmn-js-properties-panel.umd.js"
    target.parent.mkdir(parents=True)
    target.write_text(text)
    return tmp_path


def test_the_panel_bundle_also_exports_the_entry_components_it_has(make_app, tmp_path):
    app = make_app(NODE_MODULES_DIR=str(fake_modules(tmp_path, FAKE)))
    served = app.test_client().get(BUNDLE)
    assert served.status_code == 200 and served.mimetype == "text/javascript"
    body = served.get_data(as_text=True)
    assert "exports.TextFieldEntry = TextfieldEntry;" in body and "exports.ListGroup = ListGroup;" in body
    assert "SelectEntry" not in body  # a component the bundle lacks is not exported (no ReferenceError)


def test_a_bundle_without_the_export_list_is_served_unchanged(make_app, tmp_path):
    text = FAKE.replace("exports.useService = useService;", "exports.other = other;")
    app = make_app(NODE_MODULES_DIR=str(fake_modules(tmp_path, text)))
    assert app.test_client().get(BUNDLE).get_data(as_text=True) == text


def test_the_installed_bundle_exports_every_component_the_provider_uses(app):
    if not (ROOT / "node_modules" / "bpmn-js-properties-panel").is_dir():
        pytest.skip("node_modules is missing")
    body = app.test_client().get(BUNDLE).get_data(as_text=True)
    exported = set(re.findall(r"exports\.(\w+) = ", body))
    assert {"TextFieldEntry", "TextAreaEntry", "SelectEntry", "ListGroup", "useService"} <= exported


def test_the_modeler_page_embeds_the_roles_by_name(api):
    ok(api.deploy(sample_bundle()), 201)
    browser = login(api.app, "designer")
    page = browser.get("/designer/minor_event/versions/1/edit").get_data(as_text=True)
    roles = json.loads(re.search(r"window\.WorkflowRoles = (\[.*?\]);", page).group(1))
    assert {"code": "town_leader", "name": "镇街领导"} in roles
    english = browser.get("/designer/minor_event/versions/1/edit?lang=en").get_data(as_text=True)
    assert '"name": "Town leader"' in english
