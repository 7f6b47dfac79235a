"""The contact-list builder page, driven like a user would, against the sandbox over real HTTP."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from PySide6.QtCore import QDate, QDateTime, QTime, QTimeZone
from PySide6.QtWidgets import QComboBox, QLineEdit

from console.credentials import CUSTOM_REGION, Profile, SecretVault
from console.ui.api_log import ApiLogModel, ExchangeRecorder
from console.ui.builder.dialogs import ConfirmSendDialog, FilePicker, ImmutableChangeDialog, NameDialog
from console.ui.errors import ErrorSink
from console.ui.pages import PageContext
from console.ui.pages.builder import BuilderPage
from console.ui.session import SessionController
from console.ui.workers import WorkerController

# The offscreen platform plugin says so on every show(); harmless (pytest-qt docs/logging.rst).
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")

SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
CSV = (
    "ContactId,FirstName,Mobile,HomePhone,Email,Zip,Tier,Notes\\Internal\n"
    "1,Ana,+12025550143,(202) 555-0178,ana@example.com,20001,VIP,x\n"
    "2,Bo,+13105550199,310-555-0122,bo@example.com,90210,Gold,y\n"
    "3,Cy,+16175550111,,cy@example.org,02139,Callback,z\n"
)


class Sent:
    """Records what the patched dialogs were asked and answers for the user."""

    def __init__(self) -> None:
        self.confirmations: list[str] = []
        self.guards: list[str] = []
        self.answer = True
        self.guard_answer = ImmutableChangeDialog.SAVE_AS_NEW
        self.name: str | None = None
        self.path: Path | None = None


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Sent:
    sent = Sent()

    def confirm(cls: Any, parent: Any, title: str, text: str) -> bool:
        sent.confirmations.append(text)
        return sent.answer

    def guard(cls: Any, parent: Any, text: str) -> str:
        sent.guards.append(text)
        return sent.guard_answer

    monkeypatch.setattr(ConfirmSendDialog, "ask", classmethod(confirm))
    monkeypatch.setattr(ImmutableChangeDialog, "ask", classmethod(guard))
    monkeypatch.setattr(NameDialog, "ask", classmethod(lambda cls, p, t, label, d: sent.name))
    monkeypatch.setattr(FilePicker, "open_path", classmethod(lambda cls, p, t, f: sent.path))
    monkeypatch.setattr(FilePicker, "save_path", classmethod(lambda cls, p, t, f, s: sent.path))
    return sent


@pytest.fixture
def page(qtbot: Any, sandbox: Any, tmp_home: Path, memory_keyring: Any) -> Iterator[BuilderPage]:
    sink = ErrorSink()
    recorder = ExchangeRecorder()
    session = SessionController(SecretVault(), sink, recorder)
    profile = Profile(
        id="sb", name="Sandbox", region=CUSTOM_REGION, custom_url=sandbox.url, client_id="sandbox-client"
    )
    session.hold_secret(profile.id, SecretStr("sandbox-secret"))
    session.set_profile(profile)
    with qtbot.waitSignal(session.connection_tested, timeout=15000):
        session.test_connection()
    httpx.delete(f"{sandbox.url}/sandbox/requests")  # the connection test's probes are not ours
    widget = BuilderPage(PageContext(session=session, sink=sink, log_model=ApiLogModel()))
    qtbot.addWidget(widget)
    widget.resize(1400, 860)
    widget.show()
    yield widget
    for ctl in widget.findChildren(WorkerController):
        ctl.shutdown()
    session.shutdown()
    session.transport.close()  # the app keeps one pool for its lifetime; a test ends it


def requests(sandbox: Any, method: str) -> list[dict[str, Any]]:
    log = httpx.get(f"{sandbox.url}/sandbox/requests").json()["requests"]
    return [r for r in log if r["method"] == method and "/outbound/contactlists" in r["path"]]


def wait_idle(qtbot: Any, page: BuilderPage) -> None:
    qtbot.waitUntil(lambda: not any(c.is_running for c in page.findChildren(WorkerController)), timeout=10000)


def send(qtbot: Any, page: BuilderPage, button: Any) -> Any:
    """Click a send button and wait for the answer; on failure say what the page shows."""
    try:
        with qtbot.waitSignal(page.sent, timeout=10000) as blocker:
            button.click()
    except Exception as exc:
        history = [d.text() for d in page.context.sink.history]
        raise AssertionError(f"not sent: {page.result_label.text()!r}; errors: {history}") from exc
    return blocker


def codes(page: BuilderPage) -> dict[str, str]:
    return {f.path: f.code for f in page.findings}


def test_csv_to_create_update_guard_and_server_rejection(
    page: BuilderPage, qtbot: Any, dialogs: Sent, sandbox: Any, tmp_path: Path
) -> None:
    csv = tmp_path / "spring.csv"
    csv.write_text(CSV, encoding="utf-8")
    dialogs.path = csv
    # -- build from the CSV header: phones, email and ZIP suggested from sampled values
    page.csv_button.click()
    qtbot.waitUntil(lambda: page.columns.row_count() == 8, timeout=10000)
    assert page.name_edit.text() == "spring"
    assert page.phones.rows() == [
        {"columnName": "Mobile", "type": "cell", "callableTimeColumn": "", "callableTimeColumnName": ""},
        {"columnName": "HomePhone", "type": "home", "callableTimeColumn": "", "callableTimeColumnName": ""},
    ]
    assert [r["columnName"] for r in page.emails.rows()] == ["Email"]
    assert page.auto_tz.isChecked()
    assert page.zip_combo.currentText() == "Zip"
    # the JSON preview is the body create_body() gives
    assert json.loads(page.json_view.toPlainText()) == page.definition.create_body()
    # -- the local check found the backslash, at the offending cell
    assert codes(page) == {"columnNames[7]": "column.bad_character"}
    cell = page.columns.editor(7, "name")
    assert cell.property("finding") == "error"
    assert "backslash" in cell.toolTip()
    # sending is refused locally: nothing reaches the org
    page.create_button.click()
    assert "Not sent" in page.result_label.text()
    assert requests(sandbox, "POST") == []
    assert dialogs.confirmations == []
    # -- fix it the way a user would; the mark goes
    assert isinstance(cell, QLineEdit)
    cell.setText("Notes")
    assert page.findings == []
    assert cell.property("finding") in ("", None)
    # -- preview column and values offered from the CSV
    page.tabs.setCurrentIndex(2)
    page.preview_combo.setCurrentText("Tier")
    offered = [page.preview_offer.itemText(i) for i in range(1, page.preview_offer.count())]
    assert offered == ["VIP", "Gold", "Callback"]
    page.preview_offer.setCurrentIndex(1)
    page.preview_offer.activated.emit(1)
    assert page.preview_values.text() == "VIP"
    # -- create after a confirmation naming org, region and list
    preview = json.loads(page.json_view.toPlainText())
    blocker = send(qtbot, page, page.create_button)
    created = blocker.args[0]
    assert created.version == 1
    [confirm] = dialogs.confirmations
    assert "“spring”" in confirm
    assert "Sandbox Org" in confirm
    assert f"region 127.0.0.1:{sandbox.port}" in confirm  # a custom URL is shown by its host
    [post] = requests(sandbox, "POST")
    assert json.loads(post["body"]) == preview
    assert page.loaded is not None
    qtbot.waitUntil(page.update_button.isEnabled, timeout=5000)  # once the send worker has ended
    # -- edit and update: the version increments
    page.name_edit.setText("spring campaign")
    assert json.loads(page.json_view.toPlainText())["version"] == 1
    blocker = send(qtbot, page, page.update_button)
    assert blocker.args[0].version == 2
    qtbot.waitUntil(page.update_button.isEnabled, timeout=5000)
    assert "(version 1)" in dialogs.confirmations[-1]
    assert sandbox.state.lists[created.id]["name"] == "spring campaign"
    assert "version 2" in page.mode_label.text()
    # -- change the dial order: the guard explains and offers "Save as a new list"
    page.tabs.setCurrentIndex(1)
    page.phones.table.selectRow(1)
    page.phones.up_button.click()
    assert [r["columnName"] for r in page.phones.rows()] == ["HomePhone", "Mobile"]
    dialogs.name = "spring campaign B"
    blocker = send(qtbot, page, page.update_button)
    [guard] = dialogs.guards
    assert "phoneColumns" in guard
    copy = blocker.args[0]
    assert copy.id != created.id
    assert copy.version == 1
    assert copy.name == "spring campaign B"
    assert copy.phone_column_names() == ["HomePhone", "Mobile"]
    assert sandbox.state.lists[created.id]["version"] == 2  # the original was not touched
    assert [r["method"] for r in requests(sandbox, "PUT")] == ["PUT"]
    qtbot.waitUntil(page.update_button.isEnabled, timeout=5000)
    # -- a server-side rejection, decoded and pinned to the field it names
    sandbox.control({"switches": {"reject_list_write": "phoneColumns[1].type"}})
    page.name_edit.setText("spring campaign C")
    page.update_button.click()
    qtbot.waitUntil(lambda: "Refused by the server" in page.result_label.text(), timeout=10000)
    assert codes(page) == {"phoneColumns[1].type": "bad.request"}
    target = page.phones.editor(1, "type")
    assert isinstance(target, QComboBox)
    assert target.property("finding") == "error"
    assert "rejected by the server" in target.toolTip()
    assert page.tabs.currentIndex() == 1
    assert page.context.sink.history[-1].status == 400
    # the user's edit is kept; editing clears the stale server finding
    assert page.name_edit.text() == "spring campaign C"
    page.name_edit.setText("spring campaign D")
    assert page.findings == []
    wait_idle(qtbot, page)


def test_org_search_load_pickers_templates_and_files(
    page: BuilderPage, qtbot: Any, dialogs: Sent, sandbox: Any, tmp_path: Path
) -> None:
    token = httpx.post(
        f"{sandbox.url}/oauth/token",
        auth=("sandbox-client", "sandbox-secret"),
        data={"grant_type": "client_credentials"},
    ).json()["access_token"]
    body = {
        "name": "Autumn",
        "columnNames": ["ContactId", "Mobile", "Email", "Score"],
        "phoneColumns": [{"columnName": "Mobile", "type": "cell"}],
        "columnDataTypeSpecifications": [
            {"columnName": "Score", "columnDataType": "NUMERIC", "min": 1, "max": 9}
        ],
        "retentionType": "RetentionDays",
        "retentionDays": 30,
    }
    r = httpx.post(
        f"{sandbox.url}/api/v2/outbound/contactlists", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 200
    # search the org and load the list
    page.search_edit.setText("Aut")
    page.search_button.click()
    qtbot.waitUntil(
        lambda: page.results.count() == 1 and page.results.item(0).text() == "Autumn", timeout=10000
    )
    page.load_button.click()
    qtbot.waitUntil(lambda: page.loaded is not None, timeout=10000)
    assert page.types.rows() == [
        {"columnName": "Score", "columnDataType": "NUMERIC", "min": "1", "max": "9", "maxLength": ""}
    ]
    assert page.retention_combo.currentText() == "RetentionDays"
    assert page.retention_days.text() == "30"
    # a non-number keeps the user's text and is reported at the cell
    page.tabs.setCurrentIndex(0)
    page.types.set_value(0, "max", "nine")
    assert codes(page) == {"columnDataTypeSpecifications[0].max": "value.not_integer"}
    assert page.types.editor(0, "max").property("finding") == "error"
    assert page.types.value(0, "max") == "nine"
    page.types.set_value(0, "max", "9")
    # pickers loaded from the org when the Settings tab opens
    page.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: page.division_combo.findText("Outbound Team") > 0, timeout=10000)
    assert page.limits_combo.findText("Default attempt limits") > 0
    page.division_combo.setCurrentIndex(page.division_combo.findText("Outbound Team"))
    page.limits_combo.setCurrentIndex(page.limits_combo.findText("Default attempt limits"))
    blocker = send(qtbot, page, page.update_button)
    assert blocker.args[0].division.name == "Outbound Team"
    assert blocker.args[0].attempt_limits.name == "Default attempt limits"
    # save the definition locally and read it back (the file validate --definition reads)
    dialogs.path = tmp_path / "autumn.json"
    page.save_button.click()
    qtbot.waitUntil(lambda: "Saved to" in page.result_label.text(), timeout=10000)
    wait_idle(qtbot, page)
    from console.contacts.rules import load_definition

    assert load_definition(tmp_path / "autumn.json").column_names == body["columnNames"]
    page.new_button.click()
    assert page.loaded is None
    assert page.columns.rows() == [{"name": "ContactId"}]
    assert codes(page) == {"name": "name.required", "phoneColumns": "media.required"}
    page.open_button.click()
    qtbot.waitUntil(lambda: page.name_edit.text() == "Autumn", timeout=10000)
    assert page.loaded is None  # a file starts a new list
    assert page.division_combo.currentText() == "Outbound Team"
    # push as a template, then start a new list from it
    dialogs.name = "Autumn template"
    page.template_button.click()
    qtbot.waitUntil(lambda: "Template “Autumn template” created" in page.result_label.text(), timeout=10000)
    [stored] = sandbox.state.templates.values()
    assert "division" not in stored
    page.org_kind.setCurrentIndex(1)
    page.search_edit.setText("")
    page.search_button.click()
    qtbot.waitUntil(
        lambda: page.results.count() == 1 and "Autumn template" in page.results.item(0).text(), timeout=10000
    )
    page.load_button.click()
    qtbot.waitUntil(lambda: "from template" in page.result_label.text(), timeout=10000)
    assert page.loaded is None
    assert page.columns.rows()[-1] == {"name": "Score"}
    wait_idle(qtbot, page)


def test_rename_column_follows_references_and_signal(page: BuilderPage, qtbot: Any) -> None:
    page.start_blank()
    page.name_edit.setText("Blank")
    page.columns.add_button.click()
    page.columns.set_value(1, "name", "Cell")
    page.phones.add_button.click()
    page.phones.set_value(0, "columnName", "Cell")
    assert codes(page) == {"phoneColumns[0].type": "media.type_required"}
    page.phones.set_value(0, "type", "cell")
    with qtbot.waitSignal(page.definition_changed) as blocker:
        page.columns.set_value(1, "name", "Mobile")
    assert blocker.args[0].phone_column_names() == ["Mobile"]
    assert page.findings == []
    # finding list click reveals the field
    page.phones.set_value(0, "type", "")
    page.tabs.setCurrentIndex(0)
    item = page.findings_list.item(0)
    page.findings_list.itemClicked.emit(item)
    assert page.tabs.currentIndex() == 1


def test_screenshot_with_a_local_finding(
    page: BuilderPage, qtbot: Any, dialogs: Sent, tmp_path: Path
) -> None:
    csv = tmp_path / "spring-contacts.csv"
    csv.write_text(CSV, encoding="utf-8")
    dialogs.path = csv
    page.csv_button.click()
    qtbot.waitUntil(lambda: page.columns.row_count() == 8, timeout=10000)
    page.reveal("columnNames[7]")
    shot = page.grab()
    assert not shot.isNull()
    if os.environ.get("OUTBOUND_SCREENSHOTS"):
        shot.save(str(SCREENSHOTS / "builder.png"))
    page.tabs.setCurrentIndex(1)
    if os.environ.get("OUTBOUND_SCREENSHOTS_EXTRA"):
        page.grab().save(os.environ["OUTBOUND_SCREENSHOTS_EXTRA"])
    wait_idle(qtbot, page)


def api(sandbox: Any) -> httpx.Client:
    """An API client for the sandbox (client credentials), as a script or another tool would use."""
    token = httpx.post(
        f"{sandbox.url}/oauth/token",
        auth=("sandbox-client", "sandbox-secret"),
        data={"grant_type": "client_credentials"},
    ).json()["access_token"]
    return httpx.Client(base_url=f"{sandbox.url}/api/v2", headers={"Authorization": f"Bearer {token}"})


def load_by_search(page: BuilderPage, qtbot: Any, name: str) -> None:
    page.org_kind.setCurrentIndex(0)
    page.search_edit.setText(name)
    page.search_button.click()
    qtbot.waitUntil(lambda: page.results.count() == 1 and page.results.item(0).text() == name, timeout=10000)
    page.load_button.click()
    qtbot.waitUntil(lambda: page.loaded is not None and page.loaded.name == name, timeout=10000)
    wait_idle(qtbot, page)


WINTER_COLUMNS = ["ContactId", "Mobile", "Home", "Email", "WhatsApp", "Zone", "Window", "Score", "Tier"]


def test_update_keeps_every_field_of_a_loaded_list(
    page: BuilderPage, qtbot: Any, dialogs: Sent, sandbox: Any
) -> None:
    limits_id = sandbox.state.attempt_limits[0]["id"]
    body = {
        "name": "Winter",
        "columnNames": WINTER_COLUMNS,
        "phoneColumns": [
            {
                "columnName": "Mobile",
                "type": "cell",
                "callableTimeColumn": "Zone",
                "callableTimeColumnName": "Window",
                "futurePhoneSetting": {"keep": True},  # a key this console does not know
            },
            {"columnName": "Home", "type": "home", "callableTimeColumnName": "Window"},
        ],
        "emailColumns": [
            {
                "columnName": "Email",
                "type": "work",
                "contactableTimeColumn": "Zone",
                "contactableTimeColumnName": "Window",
                "futureEmailSetting": 7,
            }
        ],
        "whatsAppColumns": [
            {"columnName": "WhatsApp", "type": "cell", "contactableTimeColumnName": "Window"}
        ],
        "columnDataTypeSpecifications": [
            {"columnName": "Score", "columnDataType": "NUMERIC", "min": 1, "max": 9, "futureSpec": "x"}
        ],
        "previewModeColumnName": "Tier",
        "previewModeAcceptedValues": ["Yes, call", " VIP "],
        "attemptLimits": {"id": limits_id},
        "automaticTimeZoneMapping": False,
        "trimWhitespace": False,
        "retentionType": "RetentionDays",
        "retentionDays": 30,
        "dateExpiration": "2031-03-04T05:06:07.089Z",
        "timeZone": "Europe/London",
    }
    with api(sandbox) as client:
        r = client.post("/outbound/contactlists", json=body)
        assert r.status_code == 200, r.text
        list_id = r.json()["id"]
        before = client.get(f"/outbound/contactlists/{list_id}").json()
        assert before["phoneColumns"][0]["futurePhoneSetting"] == {"keep": True}  # the sandbox keeps these
        # The sandbox drops unknown top-level keys; a newer server may send one: put it in its store.
        with sandbox.state.lock:
            sandbox.state.lists[list_id]["futureListSetting"] = {"mode": "strict"}
        load_by_search(page, qtbot, "Winter")
        # the loaded values are shown in their editors
        assert page.phones.rows()[0] == {
            "columnName": "Mobile",
            "type": "cell",
            "callableTimeColumn": "Zone",
            "callableTimeColumnName": "Window",
        }
        assert page.phones.rows()[1]["callableTimeColumnName"] == "Window"
        assert page.emails.rows()[0]["contactableTimeColumnName"] == "Window"
        assert page.whatsapp.rows()[0]["contactableTimeColumnName"] == "Window"
        assert page.expiry.box.isChecked()
        assert page.expiry.edit.text() == "2031-03-04 05:06:07.089"
        assert page.findings == []
        # change only the name and update
        page.name_edit.setText("Winter 2")
        preview = json.loads(page.json_view.toPlainText())
        blocker = send(qtbot, page, page.update_button)
        wait_idle(qtbot, page)
        assert dialogs.guards == []
        assert "Also changed" not in dialogs.confirmations[-1]
        assert blocker.args[0].version == 2
        [put] = requests(sandbox, "PUT")
        sent_body = json.loads(put["body"])
        assert sent_body == preview
        assert sent_body["dateExpiration"] == "2031-03-04T05:06:07.089Z"
        assert sent_body["futureListSetting"] == {"mode": "strict"}
        after = client.get(f"/outbound/contactlists/{list_id}").json()
    assert after["version"] == before["version"] + 1
    assert after["name"] == "Winter 2"
    unchanged = {"name", "version", "dateModified"}
    assert {k: v for k, v in after.items() if k not in unchanged} == {
        k: v for k, v in before.items() if k not in unchanged
    }


def test_time_column_names_and_expiry_edited_in_the_ui(
    page: BuilderPage, qtbot: Any, dialogs: Sent, sandbox: Any
) -> None:
    body = {
        "name": "Spring",
        "columnNames": WINTER_COLUMNS,
        "phoneColumns": [{"columnName": "Mobile", "type": "cell"}],
        "emailColumns": [{"columnName": "Email", "type": "work"}],
    }
    with api(sandbox) as client:
        r = client.post("/outbound/contactlists", json=body)
        assert r.status_code == 200, r.text
        load_by_search(page, qtbot, "Spring")
        page.tabs.setCurrentIndex(1)
        # a column that does not exist is reported at its own cell
        page.phones.set_value(0, "callableTimeColumnName", "Windw")
        assert codes(page) == {"phoneColumns[0].callableTimeColumnName": "column.unknown"}
        cell = page.phones.editor(0, "callableTimeColumnName")
        assert cell.property("finding") == "error"
        assert page.phones.editor(0, "callableTimeColumn").property("finding") in ("", None)
        # pick the column from the combo, as a user would; the JSON preview shows it
        assert isinstance(cell, QComboBox)
        assert cell.findText("Window") > 0
        cell.setCurrentIndex(cell.findText("Window"))
        assert page.findings == []
        preview = json.loads(page.json_view.toPlainText())
        assert preview["phoneColumns"] == [
            {"columnName": "Mobile", "type": "cell", "callableTimeColumnName": "Window"}
        ]
        # phone columns are fixed after create: the guard offers a new list, which has it
        dialogs.name = "Spring (windows)"
        blocker = send(qtbot, page, page.update_button)
        wait_idle(qtbot, page)
        assert "phoneColumns" in dialogs.guards[-1]
        copy = client.get(f"/outbound/contactlists/{blocker.args[0].id}").json()
        assert copy["phoneColumns"] == preview["phoneColumns"]
        # contactableTimeColumnName and an expiry on the copy, sent as an update
        page.emails.set_value(0, "contactableTimeColumnName", "Window")
        page.tabs.setCurrentIndex(2)
        page.expiry.box.setChecked(True)
        page.expiry.edit.setDateTime(
            QDateTime(QDate(2032, 1, 31), QTime(23, 59, 59, 5), QTimeZone(QTimeZone.Initialization.UTC))
        )
        preview = json.loads(page.json_view.toPlainText())
        assert preview["dateExpiration"] == "2032-01-31T23:59:59.005Z"
        assert preview["emailColumns"][0]["contactableTimeColumnName"] == "Window"
        send(qtbot, page, page.update_button)
        wait_idle(qtbot, page)
        assert "emailColumns" in dialogs.confirmations[-1]  # a warning: may be refused
        stored = client.get(f"/outbound/contactlists/{copy['id']}").json()
        assert stored["version"] == copy["version"] + 1
        assert stored["emailColumns"][0]["contactableTimeColumnName"] == "Window"
        assert stored["dateExpiration"] == "2032-01-31T23:59:59.005Z"
        assert stored["phoneColumns"] == copy["phoneColumns"]
        # no expiry: the key is not sent, and the server drops it
        page.expiry.box.setChecked(False)
        assert "dateExpiration" not in json.loads(page.json_view.toPlainText())
        send(qtbot, page, page.update_button)
        wait_idle(qtbot, page)
        stored = client.get(f"/outbound/contactlists/{copy['id']}").json()
        assert "dateExpiration" not in stored
        assert not page.expiry.edit.isEnabled()


def test_moved_and_removed_rows_keep_their_own_unknown_keys(page: BuilderPage) -> None:
    from console.api.models import ContactList

    page.set_definition(
        ContactList.model_validate(
            {
                "name": "Rows",
                "columnNames": ["A", "B", "C"],
                "emailColumns": [
                    {"columnName": "A", "type": "work", "x": 1},
                    {"columnName": "B", "type": "work", "x": 2},
                    {"columnName": "C", "type": "work", "x": 3},
                ],
            }
        )
    )
    page.emails.table.selectRow(2)
    page.emails.up_button.click()
    page.emails.table.selectRow(0)
    page.emails.remove_button.click()
    assert [(e["columnName"], e["x"]) for e in page.definition.create_body()["emailColumns"]] == [
        ("C", 3),
        ("B", 2),
    ]


def test_org_pickers_keep_a_reference_they_do_not_list(page: BuilderPage, qtbot: Any) -> None:
    from console.api.models import ContactList

    page.set_definition(
        ContactList.model_validate(
            {
                "name": "Refs",
                "columnNames": ["A"],
                "phoneColumns": [{"columnName": "A", "type": "cell"}],
                "division": {"id": "div-elsewhere", "name": "Elsewhere"},
                "attemptLimits": {"id": "limits-page-2", "name": "Page 2 limits"},
            }
        )
    )
    page.jobs.pickers_loaded.emit(([("Home", "home-id")], [("Default", "default-id")]))
    body = page.definition.create_body()
    assert body["division"] == {"id": "div-elsewhere"}
    assert body["attemptLimits"] == {"id": "limits-page-2"}
    assert page.limits_combo.currentText() == "Page 2 limits"
    assert page.limits_combo.findData("default-id") > 0
