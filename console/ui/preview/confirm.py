"""The upload's confirmation: where the rows go, how many, and what happens to rows with warnings.

:class:`UploadConfirmDialog` asks (a patch-able classmethod ``ask()``, pytest-qt
``docs/note_dialogs.rst``); :func:`~console.ui.preview.text.upload_confirm_text` words it.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from console.ui.words import plural

__all__ = ["UploadConfirmDialog", "WarningRows"]


class WarningRows(Enum):
    """What the upload does with rows whose worst finding is a warning."""

    SEND = "send"
    SKIP = "skip"


class UploadConfirmDialog(QDialog):
    """"Upload these rows to that list on that org?", with the choice for rows with warnings."""

    def __init__(self, text: str, warning_rows: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Upload contacts")
        self.setObjectName("uploadConfirm")
        summary = QLabel(text)
        summary.setObjectName("uploadConfirmText")
        summary.setWordWrap(True)
        summary.setTextFormat(Qt.TextFormat.RichText)
        summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.send_warnings = QRadioButton(f"&Send the {plural(warning_rows, 'row')} with warnings")
        self.skip_warnings = QRadioButton(f"S&kip the {plural(warning_rows, 'row')} with warnings")
        self.send_warnings.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.send_warnings)
        group.addButton(self.skip_warnings)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        upload = buttons.addButton("&Upload", QDialogButtonBox.ButtonRole.AcceptRole)
        upload.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        for radio in (self.send_warnings, self.skip_warnings):
            radio.setVisible(warning_rows > 0)
            layout.addWidget(radio)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    @property
    def choice(self) -> WarningRows:
        """The choice for rows with warnings."""
        return WarningRows.SKIP if self.skip_warnings.isChecked() else WarningRows.SEND

    @classmethod
    def ask(cls, parent: QWidget, text: str, warning_rows: int) -> WarningRows | None:
        """The user's choice for rows with warnings, or None when they cancel."""
        dialog = cls(text, warning_rows, parent)
        return dialog.choice if dialog.exec() == QDialog.DialogCode.Accepted else None
