"""The call page's widgets and layout (no behaviour), built the way ``pyuic`` builds a form.

:class:`CallUi` is mixed into :class:`~console.ui.call.page.CallPage`: ``setup_ui`` creates
every widget as an attribute of the page and lays them out in a scroll area: the route, the
form (number, caller id, queue, user, the external-contact picker's rows), the buttons and the
live state, the participants and the session's call history. Wiring is the page's.
"""

from __future__ import annotations

import phonenumbers
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.ui.call.contacts import ERROR_STYLE, ContactPicker
from console.ui.call.models import CallHistoryModel, ParticipantTableModel

FLASH_STYLE = "background: #fff3cd; border: 2px solid #e0a800;"
"""Style of a field the page points the user to (for 2.5 s)."""


class CallUi:
    """The call page's widgets (created by :meth:`setup_ui`)."""

    route_label: QLabel
    number_edit: QLineEdit
    region_combo: QComboBox
    number_status: QLabel
    caller_id_edit: QLineEdit
    caller_id_name_edit: QLineEdit
    queue_combo: QComboBox
    user_combo: QComboBox
    user_label: QLabel
    place_button: QPushButton
    hang_up_button: QPushButton
    state_label: QLabel
    error_label: QLabel
    participants: ParticipantTableModel
    participant_view: QTableView
    history: CallHistoryModel
    history_view: QTableView
    scroll_area: QScrollArea

    def setup_ui(self, page: QWidget, title: str, contacts: ContactPicker) -> None:
        """Create the widgets and lay them out on ``page``; ``contacts`` gives the picker's rows."""
        heading = QLabel(f"<h2>{title}</h2>")
        self.route_label = QLabel()
        self.route_label.setObjectName("callRoute")
        self.route_label.setWordWrap(True)
        self.route_label.setTextFormat(Qt.TextFormat.RichText)
        self.route_label.setStyleSheet(
            "background: #eef3fb; border: 1px solid #b6c8e6; border-radius: 4px; padding: 6px;color: #1c2b45;"
        )

        form = self._build_form(self._build_fields(), contacts)
        buttons = self._build_actions()
        live_box, history_box = self._build_tables(page)
        # a scroll area keeps the window resizable below the form's natural height
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(heading)
        layout.addWidget(self.route_label)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.error_label)
        layout.addWidget(live_box)
        layout.addWidget(history_box, 1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(content)
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll_area)

    def _build_fields(self) -> QLayout:
        self.number_edit = QLineEdit()
        self.number_edit.setObjectName("callNumber")
        self.number_edit.setPlaceholderText("+1 317 555 0123")
        self.number_edit.setToolTip(
            "Number to call: formatted as you type; start with + and the country code, or use the region"
        )
        self.number_edit.setClearButtonEnabled(True)
        self.region_combo = QComboBox()
        self.region_combo.setObjectName("callRegion")
        self.region_combo.setToolTip("Default region for numbers typed without +country code")
        for region in sorted(phonenumbers.SUPPORTED_REGIONS):
            self.region_combo.addItem(f"{region} +{phonenumbers.country_code_for_region(region)}", region)
        self.region_combo.setCurrentIndex(self.region_combo.findData("US"))
        number_row = QHBoxLayout()
        number_row.addWidget(self.number_edit, 1)
        number_row.addWidget(self.region_combo)
        self.number_status = QLabel()
        self.number_status.setObjectName("callNumberStatus")
        self.number_status.setWordWrap(True)

        self.caller_id_edit = QLineEdit()
        self.caller_id_edit.setObjectName("callCallerId")
        self.caller_id_edit.setPlaceholderText("optional, e.g. +1 317 555 0100")
        self.caller_id_edit.setToolTip("Caller id number shown to the callee (E.164); empty: the org default")
        self.caller_id_name_edit = QLineEdit()
        self.caller_id_name_edit.setObjectName("callCallerIdName")
        self.caller_id_name_edit.setPlaceholderText("optional, e.g. Sandbox Outbound")
        self.caller_id_name_edit.setToolTip("Caller id name shown to the callee")
        self.queue_combo = QComboBox()
        self.queue_combo.setObjectName("callQueue")
        self.queue_combo.setToolTip("Place the call on behalf of a queue (callFromQueueId); optional")
        self.queue_combo.addItem("(none: call as the user)", None)
        self.user_combo = QComboBox()
        self.user_combo.setObjectName("callUser")
        self.user_combo.setToolTip("The user the call is placed on behalf of (client-credentials route)")
        self.user_label = QLabel("On behalf of user:")
        return number_row

    def _build_form(self, number_row: QLayout, contacts: ContactPicker) -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        number_label = QLabel("&Number to call:")
        number_label.setBuddy(self.number_edit)
        contact_label = QLabel("External &contact:")
        contact_label.setBuddy(contacts.contact_combo)
        form.addRow(number_label, number_row)
        form.addRow("", self.number_status)
        form.addRow("Caller id &number:", self.caller_id_edit)
        form.addRow("Caller id n&ame:", self.caller_id_name_edit)
        form.addRow("From &queue:", self.queue_combo)
        form.addRow(self.user_label, self.user_combo)
        form.addRow(contact_label, contacts.contact_row)
        form.addRow("", contacts.contact_form)
        form.addRow("", contacts.contact_status)
        return form

    def _build_actions(self) -> QLayout:
        self.place_button = QPushButton("&Place call")
        self.place_button.setObjectName("callPlace")
        self.place_button.setToolTip("Dial the number now (Ctrl+Return). Never retried automatically.")
        self.place_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.hang_up_button = QPushButton("&Hang up")
        self.hang_up_button.setObjectName("callHangUp")
        self.hang_up_button.setToolTip("Disconnect the called party (Ctrl+H)")
        self.hang_up_button.setShortcut(QKeySequence("Ctrl+H"))
        self.hang_up_button.setEnabled(False)
        self.state_label = QLabel("No call.")
        self.state_label.setObjectName("callState")
        self.state_label.setStyleSheet("font-weight: bold; padding: 2px 6px;")
        buttons = QHBoxLayout()
        buttons.addWidget(self.place_button)
        buttons.addWidget(self.hang_up_button)
        buttons.addWidget(self.state_label, 1)
        self.error_label = QLabel()
        self.error_label.setObjectName("callError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.RichText)
        self.error_label.setStyleSheet(ERROR_STYLE)

        return buttons

    def _build_tables(self, page: QWidget) -> tuple[QGroupBox, QGroupBox]:
        self.participants = ParticipantTableModel(page)
        self.participant_view = QTableView()
        self.participant_view.setObjectName("callParticipants")
        self.participant_view.setModel(self.participants)
        self.history = CallHistoryModel(page)
        self.history_view = QTableView()
        self.history_view.setObjectName("callHistory")
        self.history_view.setModel(self.history)
        for view, widths in (
            (self.participant_view, (80, 130, 190, 100, 80)),
            (self.history_view, (70, 130, 170, 90, 190)),
        ):
            view.verticalHeader().setVisible(False)
            view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            view.verticalHeader().setDefaultSectionSize(22)
            view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            view.horizontalHeader().setStretchLastSection(True)
            for col, width in enumerate(widths):
                view.setColumnWidth(col, width)
        self.participant_view.setMinimumHeight(72)
        self.participant_view.setMaximumHeight(120)  # a test call has two or three parties
        self.history_view.setMinimumHeight(90)
        live_box = QGroupBox("Participants (live)")
        QVBoxLayout(live_box).addWidget(self.participant_view)
        history_box = QGroupBox("Test calls this session")
        QVBoxLayout(history_box).addWidget(self.history_view)

        return live_box, history_box
