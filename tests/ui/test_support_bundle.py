"""Contact data stays put (issue 16, fault 7): the support bundle and the files the app writes."""

from __future__ import annotations

import json
import os
import stat
import sys
import zipfile
from pathlib import Path

import pytest

from console.api.models import ContactList, ContactPhoneNumberColumn, WritableDialerContact
from console.paths import cache_dir, config_dir, data_dir, state_dir
from console.ui.main_window import MainWindow, SupportBundleDialog
from console.ui.preview.resume import sidecar_dir
from console.ui.support_bundle import hash_id

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")

PHONE = "+12125550199"
NAME = "Zed Zebrafish"
CONTACT_ID = "contact-7781"


def _list_with_a_contact(window: MainWindow) -> str:
    with window.session.new_client() as client:  # its exchanges go to the window's API log
        created = client.create_contact_list(
            ContactList(
                name="bundle test",
                column_names=["Phone", "Name"],
                phone_columns=[ContactPhoneNumberColumn(column_name="Phone", type="cell")],
            )
        )
        assert created.id
        client.add_contacts(
            created.id,
            [
                WritableDialerContact(
                    id=CONTACT_ID, contactListId=created.id, data={"Phone": PHONE, "Name": NAME}
                )
            ],
        )
        client.get_contact(created.id, CONTACT_ID)
        return created.id


def _export(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, path: Path, include: bool
) -> dict[str, bytes]:
    monkeypatch.setattr(SupportBundleDialog, "ask", classmethod(lambda cls, parent, default: (path, include)))
    window.export_action.trigger()  # File > Export support bundle…, as the user does
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_support_bundle_leaves_contact_data_out_unless_asked(
    make_window, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window: MainWindow = make_window(force_sandbox=True, auto_test=False)
    _list_with_a_contact(window)

    files = _export(window, monkeypatch, tmp_path / "default.zip", include=False)
    blob = b"".join(files.values())
    for value in (PHONE, NAME, CONTACT_ID):
        assert value.encode() not in blob, value
    log = files["api-log.jsonl"].decode()
    assert hash_id(CONTACT_ID) in log  # the same contact stays recognisable
    summaries = [
        json.loads(line["requestBody"])
        for line in map(json.loads, log.splitlines())
        if line["method"] == "POST" and line["url"].endswith("/contacts")
    ]
    assert summaries == [
        {
            "contactDataLeftOut": True,
            "contacts": 1,
            "columns": ["Name", "Phone"],
            "idHashes": [hash_id(CONTACT_ID)],
        }
    ]
    assert "Contact data: left out" in files["README.txt"].decode()
    assert json.loads(files["versions.json"])["contactData"] == "left out"
    assert "contact data left out" in window.statusBar().currentMessage()
    if sys.platform != "win32":
        assert stat.S_IMODE((tmp_path / "default.zip").stat().st_mode) == 0o600

    files = _export(window, monkeypatch, tmp_path / "with-contacts.zip", include=True)
    blob = b"".join(files.values())
    assert PHONE.encode() in blob
    assert NAME.encode() in blob
    assert "Contact data: included" in files["README.txt"].decode()
    assert json.loads(files["versions.json"])["contactData"] == "included"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_nothing_the_app_writes_is_readable_by_others(
    make_window, qtbot, tmp_path: Path, monkeypatch
) -> None:
    window: MainWindow = make_window()  # the built-in sandbox: its state file in the data folder
    with qtbot.waitSignal(window.session.connection_tested, timeout=15000):
        pass
    list_id = _list_with_a_contact(window)
    csv = tmp_path / "edited.csv"
    csv.write_text("Phone,Name\r\n+12125550101,Ann\r\n+12125550102,Bob\r\n", encoding="utf-8")
    page = window.preview_page
    with qtbot.waitSignal(page.lists_loaded, timeout=15000):
        page.load_lists()  # the list was made after the page loaded the org's lists
    window.open_csv(csv)
    with qtbot.waitSignal(page.validated, timeout=30000):
        page.select_list(list_id)
    ended: list[object] = []
    page.upload_finished.connect(ended.append)
    page.upload_failed.connect(ended.append)
    page.upload_panel.id_combo.setCurrentIndex(page.upload_panel.id_combo.findData("Name"))
    page.start_upload()  # writes the file as shown to the private upload folder first
    qtbot.waitUntil(lambda: bool(ended), timeout=30000)
    assert type(ended[0]).__name__ == "UploadOutcome", ended
    _export(window, monkeypatch, data_dir() / "support.zip", include=False)
    window.close()  # window.ini, the sandbox's state

    # the job finished: its copy of the edited file is gone
    assert [p.name for p in sidecar_dir(data_dir()).glob("*.csv")] == []
    readable = []
    for root in (config_dir(), data_dir(), state_dir(), cache_dir()):
        for folder, dirs, names in os.walk(root):
            for name in [*dirs, *names]:
                mode = stat.S_IMODE(os.stat(os.path.join(folder, name)).st_mode)
                if mode & 0o077:
                    readable.append(f"{os.path.join(folder, name)} {oct(mode)}")
    assert readable == []
    assert any((data_dir() / "sandbox").iterdir())  # the walk saw the sandbox's state
