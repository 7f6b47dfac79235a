"""The Upload tab: mode, id column, what will be sent, the buttons, progress and the outcome."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from console.api.models import ContactList
from console.contacts.rules import guess_id_column
from console.jobs import ImportFlow, JobProgress, UploadMode, UploadOptions, UploadResult
from console.ui.preview.text import MODE_TEXT, MODES, outcome_lines, progress_line, upload_warning_text

__all__ = ["UploadPanel"]


class UploadPanel(QWidget):
    """The Upload tab's widgets; the page starts, pauses and cancels the upload.

    ``options()`` reads the choices; ``show_progress``/``show_outcome`` write what happened.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode_group = QButtonGroup(self)
        self.mode_upsert = QRadioButton("Add or update by contact id")
        self.mode_multipart = QRadioButton("File import (upload)")
        self.mode_presigned = QRadioButton("File import (signed URL)")
        for i, b in enumerate((self.mode_upsert, self.mode_multipart, self.mode_presigned)):
            self.mode_group.addButton(b, i)
        self.mode_upsert.setChecked(True)
        self.mode_text = QLabel(MODE_TEXT["upsert"])
        self.mode_text.setWordWrap(True)
        self.mode_text.setStyleSheet("color: #3c4043;")
        self.id_combo = QComboBox()
        self.id_combo.setToolTip("List column whose value is the contact id (drives add-or-update)")
        self.all_rows_check = QCheckBox("Also send rows with errors")
        self.all_rows_check.setToolTip("By default only rows without errors are sent")
        self.send_label = QLabel()
        self.upload_button = QPushButton("Upload")
        self.upload_button.setToolTip("Upload to the target list (Ctrl+U)")
        self.pause_button = QPushButton("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip("Hold between requests; click again to continue")
        self.cancel_upload_button = QPushButton("Cancel")
        self.cancel_upload_button.setToolTip("Stop; the upload can be resumed later without duplicates")
        self.upload_progress = QProgressBar()
        self.upload_progress.setRange(0, 1000)
        self.upload_status = QLabel()
        self.upload_status.setObjectName("uploadStatus")
        self.upload_status.setMinimumHeight(2 * self.upload_status.fontMetrics().lineSpacing() + 4)
        self.result_label = QLabel()
        self.result_label.setObjectName("uploadResult")
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.missing_list = QListWidget()
        self.missing_list.setToolTip("Source ids not found in the list after the upload")
        self.missing_list.setMaximumHeight(90)
        self.missing_list.hide()
        self.id_map_button = QPushButton("Export id map…")
        self.id_map_button.setToolTip("Write source id → contact id of every confirmed row as CSV")
        self.id_map_button.setEnabled(False)

        form = QFormLayout()
        form.addRow("Id column:", self.id_combo)
        buttons = QHBoxLayout()
        buttons.addWidget(self.upload_button)
        buttons.addWidget(self.pause_button)
        buttons.addWidget(self.cancel_upload_button)
        layout = QVBoxLayout(self)
        for mode in (self.mode_upsert, self.mode_multipart, self.mode_presigned, self.mode_text):
            layout.addWidget(mode)
        layout.addLayout(form)
        layout.addWidget(self.all_rows_check)
        # said before sending: a file import without an id column duplicates the contacts on a re-upload
        self.warning_label = QLabel()
        self.warning_label.setObjectName("uploadWarning")
        self.warning_label.setStyleSheet("color: #8a5a00;")
        layout.addWidget(self.warning_label)
        layout.addWidget(self.send_label)
        layout.addLayout(buttons)
        for w in (self.upload_progress, self.upload_status, self.result_label, self.missing_list):
            layout.addWidget(w)
        layout.addWidget(self.id_map_button)
        layout.addStretch(1)
        # Messages wrap inside the panel's width instead of widening it: a wider panel squeezes
        # the grid, and a resized grid repaints every visible cell (the stall measured when an
        # upload ended on the 1,000,000-row benchmark file).
        for label in (self.send_label, self.warning_label, self.upload_status, self.result_label):
            label.setWordWrap(True)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.mode_group.idToggled.connect(self._on_mode_toggled)
        self.id_combo.currentIndexChanged.connect(self._on_id_column_changed)
        self._update_warning()

    @Slot(int, bool)
    def _on_mode_toggled(self, button_id: int, checked: bool) -> None:
        if checked:
            self.mode_text.setText(MODE_TEXT[MODES[button_id]])
            self._update_warning()

    @Slot(int)
    def _on_id_column_changed(self, _index: int) -> None:
        self._update_warning()

    def _update_warning(self) -> None:
        mode = MODES[max(0, self.mode_group.checkedId())]
        text = upload_warning_text(mode, self.id_combo.currentData())
        self.warning_label.setText(text)
        self.warning_label.setVisible(bool(text))

    def fill_id_columns(self, definition: ContactList | None) -> None:
        """Offer the list's columns as the contact id, the guessed one chosen."""
        self.id_combo.clear()
        self.id_combo.addItem("(none)", None)
        if definition is None:
            return
        for name in definition.column_names:
            self.id_combo.addItem(name, name)
        guess = guess_id_column(definition)
        if guess is not None:
            self.id_combo.setCurrentIndex(self.id_combo.findData(guess))

    def options(self, mapping: dict[str, int | str] | None, region: str) -> UploadOptions:
        """The options the tab describes, for the header ``mapping`` and phone ``region``."""
        mode_id = self.mode_group.checkedId()
        return UploadOptions(
            mode=UploadMode.UPSERT if mode_id == 0 else UploadMode.IMPORT,
            id_column=self.id_combo.currentData(),
            all_rows=self.all_rows_check.isChecked(),
            import_flow=ImportFlow.PRESIGNED if mode_id == 2 else ImportFlow.MULTIPART,
            mapping=mapping,
            region=region,
            reserve=5,
            poll_interval=0.2,
        )

    def enable(self, *, can_upload: bool, uploading: bool, list_created: bool) -> None:
        """Upload needs a check and a created list; pause and cancel a running upload."""
        self.upload_button.setEnabled(can_upload)
        self.upload_button.setToolTip(
            "Upload to the target list (Ctrl+U)"
            if list_created
            else "Create the list in the list builder first; then it can be uploaded to"
        )
        self.pause_button.setEnabled(uploading)
        self.cancel_upload_button.setEnabled(uploading)
        if not uploading:
            self.pause_button.setChecked(False)

    def begin(self) -> None:
        """Clear the last outcome: an upload starts."""
        self.result_label.setText("")
        self.missing_list.clear()
        self.missing_list.hide()
        self.id_map_button.setEnabled(False)
        self.upload_progress.setValue(0)
        self.upload_status.setText("Starting…")

    def show_progress(self, p: JobProgress) -> None:
        """The bar and the status line for a progress report."""
        self.upload_progress.setValue(int(p.fraction * 1000))
        self.upload_status.setText(progress_line(p))

    def show_outcome(self, result: UploadResult, rejected_codes: list[str]) -> None:
        """The result text, the ids missing after the upload and the id map button."""
        self.result_label.setText("<br>".join(outcome_lines(result, rejected_codes)))
        rec = result.reconciliation
        missing = [*rec.missing, *rec.mismatched] if rec is not None else []
        if missing:
            self.missing_list.addItems(missing[:10_000])
            self.missing_list.show()
        self.id_map_button.setEnabled(bool(result.id_map))
