"""The error decoder: reached from the error bar, the API log and Ctrl+Shift+D; jumps; resend; 429."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton

from console.api import Endpoint, GenesysClient
from console.api.models import WritableDialerContact
from console.ui.app import create_main_window
from console.ui.decoder import DecoderDialog, ResendConfirm
from console.ui.errors import DecodedError, ErrorTarget
from console.ui.main_window import PAGE_CALL, PAGE_LOG, MainWindow
from console.ui.pages.call import CallPage
from tests.ui.conftest import follow_redirects, requests_to

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def window(qtbot, tmp_home, memory_keyring) -> Iterator[MainWindow]:
    win = create_main_window(force_sandbox=True, auto_test=False, open_browser=follow_redirects)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.findChild(QPushButton, "errorDecodeButton") is not None, timeout=5000)
    yield win
    win.close()


def provoke_400(win: MainWindow, qtbot) -> tuple[CallPage, DecodedError]:
    """Place a call from a queue deleted since the page loaded: a 400 naming callFromQueueId."""
    page = win.call_page
    with qtbot.waitSignal(page.lookups_loaded, timeout=10000):
        win.page_actions[PAGE_CALL].trigger()
    qtbot.keyClicks(page.number_edit, "+13175550123")
    page.user_combo.setCurrentIndex(0)
    page.queue_combo.addItem("Queue deleted since the page loaded", "00000000-0000-0000-0000-000000000000")
    page.queue_combo.setCurrentIndex(page.queue_combo.count() - 1)
    with qtbot.waitSignal(win.sink.reported, timeout=10000) as blocker:
        page.place_button.click()
    return page, blocker.args[0]


def decoder_of(win: MainWindow) -> DecoderDialog:
    assert isinstance(win.sink.decoder, DecoderDialog)
    return win.sink.decoder


def test_error_bar_opens_decoder_on_a_400(window: MainWindow, qtbot) -> None:
    page, decoded = provoke_400(window, qtbot)
    assert window.error_bar.isVisible()
    button = window.findChild(QPushButton, "errorDecodeButton")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = decoder_of(window)
    assert dialog.isVisible()
    assert "400" in dialog.status_label.text()
    assert "bad.request" in dialog.status_label.text()
    assert "is not a queue of this organization" in dialog.message_label.text()
    assert dialog.correlation_edit.text() == decoded.correlation_id
    assert decoded.correlation_id
    assert "Correct callFromQueueId" in dialog.fix_label.text()
    assert dialog.request_label.text().startswith("POST /api/v2/conversations/calls/user/")
    body = json.loads(dialog.request_view.toPlainText())
    assert body["callFromQueueId"] == page.queue_combo.currentData()
    tree = dialog.details_tree
    groups = {tree.topLevelItem(i).text(0): tree.topLevelItem(i) for i in range(tree.topLevelItemCount())}
    assert groups["Details"].child(0).text(1) == "fieldName: callFromQueueId"
    shot = dialog.grab()
    assert not shot.isNull()
    if os.environ.get("OUTBOUND_SCREENSHOTS"):  # regenerate docs/screenshots (scripts/screenshots.py too)
        assert shot.save(str(SCREENSHOTS / "decoder-400.png"))
    # copy the correlation id
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == decoded.correlation_id
    # go to the field from the decoder, from another page
    window.show_page(PAGE_LOG)
    assert dialog.jump_button.text() == "Go to field callFromQueueId"
    assert dialog.jump_button.isEnabled()
    with qtbot.waitSignal(window.sink.jumped):
        qtbot.mouseClick(dialog.jump_button, Qt.MouseButton.LeftButton)
    assert window.current_page() is page
    assert window.nav.currentRow() == PAGE_CALL
    dialog.close()


def test_api_log_row_opens_decoder(window: MainWindow, qtbot) -> None:
    _, decoded = provoke_400(window, qtbot)
    window.show_page(PAGE_LOG)
    log = window.log_page.log_widget
    rows = [r for r in range(log.proxy.rowCount()) if log.proxy.index(r, 3).data() == "400"]
    assert rows, "the failed POST is in the log"
    button = window.findChild(QPushButton, "apiLogDecodeButton")
    log.select_row(0)
    assert not button.isEnabled() or log.current_entry().record.status == 400  # type: ignore[union-attr]
    log.select_row(rows[0])
    assert button.isEnabled()
    button.click()
    dialog = decoder_of(window)
    assert dialog.decoded is not None
    assert dialog.decoded.code == "bad.request"
    assert dialog.decoded.correlation_id == decoded.correlation_id
    assert "callFromQueueId" in dialog.request_view.toPlainText()
    assert "Correct callFromQueueId" in dialog.fix_label.text()
    dialog.close()


def test_shortcut_opens_decoder_and_history(window: MainWindow, qtbot) -> None:
    provoke_400(window, qtbot)
    window.sandbox.control({"faults": [{"kind": "status", "status": 503, "count": 10, "method": "GET"}]})  # type: ignore[attr-defined]
    with qtbot.waitSignal(window.sink.reported, timeout=20000):
        window.session.test_connection()
    action = next(a for a in window.actions() if a.objectName() == "errorDecoderAction")
    assert action.shortcut().toString() == "Ctrl+Shift+D"
    action.trigger()
    dialog = decoder_of(window)
    assert dialog.decoded is window.sink.last
    assert dialog.history_combo.count() == 2
    assert "Test connection failed" in dialog.history_combo.itemText(0)
    dialog.history_combo.setCurrentIndex(1)
    assert dialog.decoded is not None
    assert dialog.decoded.status == 400
    dialog.close()


def test_resend_edited_request(window: MainWindow, qtbot, monkeypatch) -> None:
    provoke_400(window, qtbot)
    dialog = window.sink.open_decoder()
    assert isinstance(dialog, DecoderDialog)
    qtbot.mouseClick(dialog.edit_button, Qt.MouseButton.LeftButton)
    assert dialog.editor.isVisible()
    assert dialog.method_combo.currentText() == "POST"
    body = json.loads(dialog.body_edit.toPlainText())
    # a typo: the body is kept and the message names the place
    broken = json.dumps(body, indent=2).replace('",\n', '"\n', 1)
    dialog.body_edit.setPlainText(broken)
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert dialog.editor_error.text().startswith("Body: not valid JSON at line")
    assert dialog.body_edit.toPlainText() == broken
    # a write asks first; "Cancel" sends nothing
    del body["callFromQueueId"]
    dialog.body_edit.setPlainText(json.dumps(body))
    asked: list[str] = []
    monkeypatch.setattr(ResendConfirm, "ask", classmethod(lambda cls, parent, m, p: asked.append(m) or False))
    before = len(requests_to(window, "POST", "/conversations/calls"))
    assert not dialog.resend()
    assert asked == ["POST"]
    assert dialog.editor_error.text() == "Not sent."
    monkeypatch.setattr(ResendConfirm, "ask", classmethod(lambda cls, parent, m, p: True))
    with qtbot.waitSignal(dialog.resent, timeout=10000) as sent:
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert sent.args[0].status == 200
    assert '"id"' in dialog.result_view.toPlainText()
    assert len(requests_to(window, "POST", "/conversations/calls")) == before + 1
    # a corrected body with a bad number: the server's rejection (switch) is decoded and jumps to the field
    window.sandbox.control({"switches": {"call_bad_number": "reject"}})  # type: ignore[attr-defined]
    body["phoneNumber"] = "12345"
    dialog.body_edit.setPlainText(json.dumps(body))
    qtbot.waitUntil(dialog.send_button.isEnabled, timeout=5000)  # the first resend's thread has ended
    with qtbot.waitSignal(dialog.resend_failed, timeout=10000) as failed:
        dialog.send_button.click()
    decoded = failed.args[0]
    assert decoded.catalog_key == "call.invalid.number"
    assert "country code" in decoded.fix
    assert decoded.message == "The phone number [12345] is not a valid E.164 number."
    assert decoded.target == ErrorTarget("field", field="phoneNumber", page="call")
    assert "Failed again" in dialog.result_view.toPlainText()
    assert window.sink.jump(decoded.target)
    # the decoder is the active window; the number field is the main window's focus widget
    assert window.focusWidget() is window.call_page.number_edit
    dialog.close()


def test_client_credentials_direct_call_is_explained(window: MainWindow, qtbot, monkeypatch) -> None:
    provoke_400(window, qtbot)
    window.sandbox.control({"switches": {"client_credentials_user_call": "403"}})  # type: ignore[attr-defined]
    dialog = window.sink.open_decoder()
    assert isinstance(dialog, DecoderDialog)
    dialog.open_editor()
    dialog.path_edit.setText("conversations/calls")
    assert not dialog.resend()
    assert dialog.editor_error.text().startswith("Path: must start with /api/v2/")
    dialog.path_edit.setText("/api/v2/conversations/calls")
    dialog.body_edit.setPlainText('{"phoneNumber": "+13175550123"}')
    monkeypatch.setattr(ResendConfirm, "ask", classmethod(lambda cls, parent, m, p: True))
    with qtbot.waitSignal(dialog.resend_failed, timeout=10000) as failed:
        dialog.send_button.click()
    assert failed.args[0].status == 403
    assert failed.args[0].catalog_key == "user.context"
    dialog.history_combo.setCurrentIndex(0)
    assert "Sign in as a user" in dialog.fix_label.text()
    dialog.close()


def test_rate_limit_countdown(window: MainWindow, qtbot) -> None:
    provoke_400(window, qtbot)
    # Retry-After beyond the client's give-up limit: not waited for, so the supervisor sees it
    window.sandbox.control({"faults": [{"kind": "429", "count": 1, "retry_after": 200, "method": "GET"}]})  # type: ignore[attr-defined]
    dialog = window.sink.open_decoder()
    assert isinstance(dialog, DecoderDialog)
    dialog.open_editor()
    dialog.method_combo.setCurrentText("GET")
    dialog.path_edit.setText("/api/v2/organizations/me")
    dialog.body_edit.clear()
    with qtbot.waitSignal(dialog.resend_failed, timeout=10000):
        dialog.send_button.click()
    dialog.history_combo.setCurrentIndex(0)
    assert dialog.decoded is not None
    assert dialog.decoded.status == 429
    assert dialog.decoded.catalog_key == "too.many.requests"
    assert "Wait 200 s" in dialog.fix_label.text()
    qtbot.waitUntil(lambda: "Retry possible in" in dialog.countdown_label.text(), timeout=2000)
    first = int(dialog.countdown_label.text().split("in ")[1].split(" s")[0])
    assert 195 <= first <= 200
    assert not dialog.send_button.isEnabled()
    dialog.close()


def test_cell_target_reaches_a_registered_page(window: MainWindow, qtbot) -> None:
    """How the CSV preview plugs in: register a 'cell' handler; contact errors carry row and column."""
    shown: list[ErrorTarget] = []

    def show_cell(target: ErrorTarget) -> bool:
        shown.append(target)
        return True

    window.sink.register_target_handler("cell", show_cell, page="preview")
    endpoint = Endpoint.custom(window.sandbox.url)  # type: ignore[attr-defined]
    with GenesysClient.with_client_credentials(endpoint, "sandbox-client", "sandbox-secret") as api:
        from console.api.models import ContactList, ContactPhoneNumberColumn

        created = api.create_contact_list(
            ContactList(
                name="Cells",
                column_names=["Id", "Mobile"],
                phone_columns=[ContactPhoneNumberColumn(column_name="Mobile", type="cell")],
            )
        )
        assert created.id
        good = WritableDialerContact(id="1", contact_list_id=created.id, data={"Id": "1", "Mobile": "+1"})
        bad = WritableDialerContact(id="2", contact_list_id=created.id, data={"Id": "2", "Fax": "x"})
        try:
            api.add_contacts(created.id, [good, bad])
        except Exception as exc:  # noqa: BLE001 - the page would report whatever failed
            decoded = window.sink.report(exc, context="Upload contacts")
    assert decoded.target == ErrorTarget("cell", field="[1].data.Fax", row=1, column="Fax", page="preview")
    assert decoded.catalog_key == "contact.unknown.column"
    dialog = window.sink.open_decoder(decoded)
    assert isinstance(dialog, DecoderDialog)
    assert dialog.jump_button.text() == "Go to row 2, column Fax"
    dialog.jump_button.click()
    assert shown == [decoded.target]
    dialog.close()


def test_explicit_field_target_from_a_page(window: MainWindow, qtbot) -> None:
    """A page that validated locally reports with its own target (e.g. the list builder)."""
    target = ErrorTarget("field", field="phoneColumns[0].columnName", page="builder")
    decoded = window.sink.report(
        ValueError("Mobile is not one of the columnNames"), context="Check list", target=target
    )
    window.show_page(PAGE_LOG)
    assert window.sink.jump(decoded.target)  # type: ignore[arg-type]
    assert window.current_page() is window.builder_page  # the window shows the builder's field
    assert window.builder_page.widget_for("phoneColumns[0].columnName") is not None
    assert not window.sink.jump(ErrorTarget("field", field="x", page="nobody-home"))
