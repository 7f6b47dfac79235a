"""The builder's widgets read into and written from a :class:`~console.ui.builder.mapping.FormState`.

:class:`BuilderForm` adds to the widgets of :class:`~console.ui.builder.view.BuilderUi` what
needs to know which widget holds which field: reading and showing a form state, offering the
list's columns to the column pickers, pinning findings at their widgets, and finding the
widget of a wire path (``phoneColumns[0].type``). The JSON side is
:mod:`console.ui.builder.mapping`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QListWidgetItem, QWidget

from console.contacts.listcheck import ListFinding
from console.ui.builder.mapping import EntityRef, FormRow, FormState, parse_path
from console.ui.builder.rows import RowsEditor, set_finding
from console.ui.builder.view import BuilderUi
from console.ui.words import plural


def _rows(editor: RowsEditor) -> list[FormRow]:
    return [FormRow(values, editor.extras(i)) for i, values in enumerate(editor.rows())]


def _show_rows(editor: RowsEditor, rows: list[FormRow]) -> None:
    editor.set_rows([r.values for r in rows], [r.extras for r in rows])


def _ref(combo: QComboBox) -> EntityRef:
    return EntityRef(str(combo.currentData() or ""), combo.currentText())


class BuilderForm(BuilderUi):
    """Form state in and out of the builder's widgets; findings and wire paths at their widgets."""

    def form_state(self, shown: FormState) -> FormState:
        """What the widgets hold now; ``shown`` (the state last shown) gives what no widget holds."""
        return FormState(
            name=self.name_edit.text(),
            columns=[r["name"] for r in self.columns.rows()],
            phones=_rows(self.phones),
            emails=_rows(self.emails),
            whatsapp=_rows(self.whatsapp),
            types=_rows(self.types),
            division=_ref(self.division_combo),
            attempt_limits=_ref(self.limits_combo),
            preview_column=self.preview_combo.currentText(),
            preview_values=self.preview_values.text(),
            preview_loaded=shown.preview_loaded,
            auto_time_zone=self.auto_tz.isChecked(),
            zip_column=self.zip_combo.currentText(),
            trim_whitespace=self.trim.isChecked(),
            retention_type=self.retention_combo.currentText(),
            retention_days=self.retention_days.text(),
            time_zone=self.time_zone_combo.currentText(),
            expiry=self.expiry.value(),
            others=shown.others,
        )

    def show_form(self, state: FormState, samples: dict[str, list[str]]) -> None:
        """Show ``state`` in every widget (``samples``: CSV values offered for the preview column)."""
        self.name_edit.setText(state.name)
        self.columns.set_rows([{"name": c} for c in state.columns])
        self.offer_columns(state.columns, samples)
        _show_rows(self.phones, state.phones)
        _show_rows(self.emails, state.emails)
        _show_rows(self.whatsapp, state.whatsapp)
        _show_rows(self.types, state.types)
        self.select(self.division_combo, state.division.id, state.division.name)
        self.select(self.limits_combo, state.attempt_limits.id, state.attempt_limits.name)
        self.preview_combo.setCurrentText(state.preview_column)
        self.preview_values.setText(state.preview_values)
        self.auto_tz.setChecked(state.auto_time_zone)
        self.zip_combo.setCurrentText(state.zip_column)
        self.trim.setChecked(state.trim_whitespace)
        self.retention_combo.setCurrentText(state.retention_type)
        self.retention_days.setText(state.retention_days)
        self.time_zone_combo.setCurrentText(state.time_zone)
        self.expiry.set_value(state.expiry)

    @staticmethod
    def select(combo: QComboBox, entity_id: str, name: str | None) -> None:
        """Select ``entity_id`` in ``combo``, adding it (named ``name``) when the combo lacks it."""
        index = combo.findData(entity_id)
        if index < 0:
            combo.addItem(name or entity_id, entity_id)
            index = combo.count() - 1
        combo.setCurrentIndex(index)

    def offer_columns(self, names: list[str], samples: dict[str, list[str]]) -> None:
        """Offer the list's columns in every column picker."""
        for editor in (self.phones, self.emails, self.whatsapp, self.types):
            editor.set_columns(names)
        for combo in (self.preview_combo, self.zip_combo):
            current = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(["", *names])
            combo.setCurrentText(current)
            combo.blockSignals(False)
        self.offer_preview_values(samples)

    def offer_preview_values(self, samples: dict[str, list[str]]) -> None:
        """Offer the CSV's values of the preview column (none without a CSV)."""
        values = samples.get(self.preview_combo.currentText(), [])
        self.preview_offer.blockSignals(True)
        self.preview_offer.clear()
        self.preview_offer.addItem("Values from the CSV…" if values else "(no CSV values)")
        self.preview_offer.addItems(values)
        self.preview_offer.setEnabled(bool(values))
        self.preview_offer.blockSignals(False)

    def rename_column(self, was: str, now: str) -> None:
        """A column renamed: every picker that chose it follows."""
        for editor in (self.phones, self.emails, self.whatsapp, self.types):
            editor.rename_column(was, now)
        for combo in (self.preview_combo, self.zip_combo):
            if combo.currentText() == was:
                combo.setCurrentText(now)

    def show_findings(self, findings: list[ListFinding]) -> None:
        """List ``findings`` and mark each at its widget (the first finding per widget)."""
        for editor in (self.columns, self.phones, self.emails, self.whatsapp, self.types):
            editor.clear_marks()
        for w in self._plain_widgets().values():
            set_finding(w, "", "")
        self.findings_list.clear()
        errors = sum(1 for f in findings if f.severity == "error")
        warnings = len(findings) - errors
        if not findings:
            self.summary_label.setText("<b>Local check:</b> <span style='color:#2e7d32'>✔ no problems</span>")
        else:
            counts = f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"
            self.summary_label.setText(f"<b>Local check:</b> {counts}")
        marked: set[int] = set()
        for finding in findings:
            icon = "✖" if finding.severity == "error" else "⚠"
            item = QListWidgetItem(f"{icon} {finding.message}\n    → {finding.fix}")
            item.setData(Qt.ItemDataRole.UserRole, finding.path)
            item.setToolTip(f"{finding.code} at {finding.path}")
            self.findings_list.addItem(item)
            widget = self.widget_for(finding.path)
            if widget is not None and id(widget) not in marked:
                marked.add(id(widget))
                set_finding(widget, finding.severity, f"{finding.message}\nFix: {finding.fix}")

    def _plain_widgets(self) -> dict[str, QWidget]:
        return {
            "name": self.name_edit,
            "division": self.division_combo,
            "attemptLimits": self.limits_combo,
            "previewModeColumnName": self.preview_combo,
            "previewModeAcceptedValues": self.preview_values,
            "automaticTimeZoneMapping": self.auto_tz,
            "zipCodeColumnName": self.zip_combo,
            "trimWhitespace": self.trim,
            "retentionType": self.retention_combo,
            "retentionDays": self.retention_days,
            "timeZone": self.time_zone_combo,
            "dateExpiration": self.expiry.edit,
        }

    def widget_for(self, path: str) -> QWidget | None:
        """The widget editing the field at a wire path (``phoneColumns[0].columnName`` ...), if any."""
        parsed = parse_path(path)
        if parsed is None:
            return None
        key, index, sub = parsed
        plain = self._plain_widgets()
        if key in plain:
            return plain[key]
        editors = {
            "columnNames": (self.columns, "name"),
            "phoneColumns": (self.phones, "columnName"),
            "emailColumns": (self.emails, "columnName"),
            "whatsAppColumns": (self.whatsapp, "columnName"),
            "columnDataTypeSpecifications": (self.types, "columnName"),
        }
        if key not in editors:
            return None
        editor, default = editors[key]
        if index is None or index >= editor.row_count():
            return editor.table if editor.row_count() else editor.add_button
        field = sub or default
        for candidate in (field, field.removesuffix("Name"), default):
            try:
                return editor.editor(index, candidate)
            except (KeyError, StopIteration):
                continue
        return None

    def reveal(self, path: str) -> QWidget | None:
        """Switch to the tab of the field at ``path`` and focus its widget."""
        widget = self.widget_for(path)
        if widget is None:
            return None
        for i in range(self.tabs.count()):
            tab = self.tabs.widget(i)
            if tab is not None and tab.isAncestorOf(widget):
                self.tabs.setCurrentIndex(i)
                break
        widget.setFocus()
        return widget
