"""The upload panel says before sending what a file import without an id column means for re-uploads."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from console.api.models import ContactList
from console.ui.preview.upload_panel import UploadPanel


def test_a_file_import_without_an_id_column_warns_about_duplicates(qtbot: QtBot) -> None:
    panel = UploadPanel()
    qtbot.addWidget(panel)
    panel.fill_id_columns(ContactList.model_validate({"name": "L", "columnNames": ["id", "phone"]}))
    panel.id_combo.setCurrentIndex(panel.id_combo.findData(None))
    assert panel.warning_label.text() == ""  # add-or-update: no file import yet
    panel.mode_multipart.click()
    assert "duplicates" in panel.warning_label.text()
    panel.id_combo.setCurrentIndex(panel.id_combo.findData("id"))
    assert panel.warning_label.text() == ""  # an id column: a re-upload updates the same contacts
    panel.mode_presigned.click()
    panel.id_combo.setCurrentIndex(panel.id_combo.findData(None))
    assert "duplicates" in panel.warning_label.text()
