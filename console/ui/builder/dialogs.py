"""The builder's questions to the user, each a patch-able classmethod ``ask()`` (pytest-qt note_dialogs)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget


class ConfirmSendDialog:
    """Asks "Create (or Update) this list on that org?", naming org, region and list."""

    @classmethod
    def ask(cls, parent: QWidget, title: str, text: str) -> bool:
        """True when the user confirms."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
        send = box.addButton(title, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is send


class ImmutableChangeDialog:
    """Explains that an update changes fixed fields; offers "Save as a new list"."""

    SAVE_AS_NEW = "new"
    CANCEL = "cancel"

    @classmethod
    def ask(cls, parent: QWidget, text: str) -> str:
        """``"new"`` to save as a new list, ``"cancel"`` otherwise."""
        box = QMessageBox(QMessageBox.Icon.Warning, "This update would be refused", text, parent=parent)
        new = box.addButton("Save as a new list…", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(new)
        box.exec()
        return cls.SAVE_AS_NEW if box.clickedButton() is new else cls.CANCEL


class NameDialog:
    """Asks for a name (new list, template)."""

    @classmethod
    def ask(cls, parent: QWidget, title: str, label: str, default: str) -> str | None:
        """The name typed, or None when cancelled."""
        text, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, default)
        return text.strip() if ok and text.strip() else None


class FilePicker:
    """Open/save file choosers."""

    @classmethod
    def open_path(cls, parent: QWidget, title: str, filters: str) -> Path | None:
        """A file to read, or None."""
        path, _ = QFileDialog.getOpenFileName(parent, title, "", filters)
        return Path(path) if path else None

    @classmethod
    def save_path(cls, parent: QWidget, title: str, filters: str, suggested: str) -> Path | None:
        """A file to write, or None."""
        path, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
        return Path(path) if path else None
