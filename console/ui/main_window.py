"""The main window: navigation to the four jobs, sandbox banner, error bar, status bar.

Later windows plug in as pages (see :mod:`console.ui.pages`); they share the window's
:class:`~console.ui.session.SessionController`, :class:`~console.ui.errors.ErrorSink` and
API log, and own their own ``WorkerController`` children, which :meth:`MainWindow.closeEvent`
cancels and joins.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console import APP_NAME
from console.api.notifications import ChannelStatus
from console.api.ratelimit import RateLimitState
from console.connect import (
    BUILTIN_SANDBOX_ID,
    BUILTIN_SANDBOX_NAME,
    SANDBOX_CLIENT,
    builtin_sandbox_profile,
    is_builtin_sandbox,
    region_label,
)
from console.credentials import Profile, ProfileStore, SecretVault, config_dir, data_dir
from console.paths import private_file
from console.ui.api_log import ApiLogModel
from console.ui.errors import DecodedError, ErrorSink, ErrorTarget
from console.ui.live import status_text as live_status_text
from console.ui.pages import PageContext
from console.ui.pages.activity import ActivityPage
from console.ui.pages.builder import BuilderPage
from console.ui.pages.call import CallPage
from console.ui.pages.log import LogPage
from console.ui.pages.preview import PreviewPage
from console.ui.profile_dialog import ProfileDialog
from console.ui.session import ConnectionReport, SessionController, SignedInUser
from console.ui.support_bundle import write_support_bundle
from console.ui.workers import WorkerController

SANDBOX_PROFILE_ID = BUILTIN_SANDBOX_ID
"""Id of the built-in sandbox's in-memory profile (never saved)."""


class ResetSandboxDialog:
    """Asks before "Reset sandbox" empties the built-in sandbox (tests patch :meth:`ask`)."""

    @classmethod
    def ask(cls, parent: QWidget) -> bool:
        """True when the user confirms."""
        answer = QMessageBox.question(
            parent,
            "Reset sandbox",
            "Delete every contact list, contact and call of the built-in sandbox and start it afresh?\n\n"
            "Nothing in a real org is touched.",
        )
        return answer == QMessageBox.StandardButton.Yes


PAGE_BUILDER, PAGE_PREVIEW, PAGE_CALL, PAGE_LOG, PAGE_ACTIVITY = range(5)


def settings_path() -> Path:
    """The window settings file (geometry, layout, page); no secrets are ever written there."""
    return config_dir() / "window.ini"


class SupportBundleDialog(QDialog):
    """Where to write the support bundle, and whether contact data goes in (off unless ticked).

    Tests patch :meth:`ask`.
    """

    def __init__(self, parent: QWidget | None, default: Path) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export support bundle")
        self.path_edit = QLineEdit(str(default))
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        self.include_check = QCheckBox("&Include contact data (names, numbers and fields of contacts sent)")
        self.include_check.setToolTip(
            "Off: contact requests are summarised as counts, column names and hashed ids. "
            "Tick it only when support needs the values themselves."
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel("The bundle holds the API log and the errors of this session, never a secret.")
        )
        layout.addLayout(row)
        layout.addWidget(self.include_check)
        layout.addWidget(buttons)

    @Slot()
    def _on_browse_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export support bundle", self.path_edit.text(), "Zip files (*.zip)"
        )
        if name:
            self.path_edit.setText(name)

    @classmethod
    def ask(cls, parent: QWidget | None, default: Path) -> tuple[Path, bool] | None:
        """The file and the contact-data choice, or None when cancelled."""
        dialog = cls(parent, default)
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.path_edit.text().strip():
            return None
        return Path(dialog.path_edit.text().strip()), dialog.include_check.isChecked()


class MainWindow(QMainWindow):
    """The console's main window.

    Signals:
        closed(): the window closed and every worker thread was joined.

    Args:
        store: Saved profiles.
        vault: Secrets.
        session: The active connection.
        sink: The app's error sink.
        log_model: The session's API log.
        sandbox: The built-in sandbox when it already runs (stopped on close); any object with
            ``url``, ``reset()`` and ``stop()``.
        sandbox_factory: Starts the built-in sandbox when it is chosen (and it does not run yet).
    """

    closed = Signal()

    def __init__(
        self,
        store: ProfileStore,
        vault: SecretVault,
        session: SessionController,
        sink: ErrorSink,
        log_model: ApiLogModel,
        *,
        sandbox: object | None = None,
        sandbox_factory: Callable[[], Any] | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self.setAcceptDrops(True)
        self.store = store
        self.vault = vault
        self.session = session
        self.sink = sink
        self.log_model = log_model
        self.sandbox: Any = sandbox
        self.sandbox_factory = sandbox_factory
        self.profile_dialog: ProfileDialog | None = None
        self._credentials_prompt: str | None = None
        self._pending_note: str | None = None
        session.setParent(self)
        sink.setParent(self)
        log_model.setParent(self)

        # -- banner and error bar ---------------------------------------------------------
        self.sandbox_banner = QLabel("Sandbox — not a real org. Nothing you do here reaches Genesys Cloud.")
        self.sandbox_banner.setObjectName("sandboxBanner")
        self.sandbox_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.sandbox_banner.setStyleSheet(
            "background: #fff3cd; color: #5c4400; font-weight: bold; padding: 6px;"
            "border-bottom: 1px solid #e0c36a;"
        )
        self.sandbox_banner.hide()

        self.error_bar = QFrame()
        self.error_bar.setObjectName("errorBar")
        self.error_bar.setStyleSheet(
            "QFrame#errorBar { background: #fde2e1; border-bottom: 1px solid #e3a3a0; }"
        )
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        error_log_button = QPushButton("Show API log")
        error_log_button.clicked.connect(self._on_error_log_clicked)
        error_close_button = QPushButton("Dismiss")
        error_close_button.clicked.connect(self.error_bar.hide)
        bar = QHBoxLayout(self.error_bar)
        bar.setContentsMargins(8, 4, 8, 4)
        bar.addWidget(self.error_label, 1)
        bar.addWidget(error_log_button)
        bar.addWidget(error_close_button)
        self.error_bar.hide()

        # -- navigation and pages ---------------------------------------------------------
        context = PageContext(session=session, sink=sink, log_model=log_model)
        self.builder_page = BuilderPage(context)
        self.preview_page = PreviewPage(context)
        self.call_page = CallPage(context)
        self.log_page = LogPage(context)
        self.activity_page = ActivityPage(context)
        self.stack = QStackedWidget()
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setMinimumWidth(170)
        self.nav.setStyleSheet("QListWidget#navigation::item { padding: 6px 8px; }")
        for page in (self.builder_page, self.preview_page, self.call_page, self.log_page, self.activity_page):
            # A page larger than the window scrolls instead of forcing the window wider than a
            # laptop screen (the builder alone wants ~1120 px).
            scroll = QScrollArea()
            scroll.setObjectName(f"{type(page).__name__}Scroll")
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setWidget(page)
            self.stack.addWidget(scroll)
            self.nav.addItem(str(getattr(page, "title", type(page).__name__)))
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        # "Target list: the definition being built" in the preview follows the builder.
        self.builder_page.definition_changed.connect(self.preview_page.set_builder_definition)
        # a list created in the builder is a target at once; a name the org's lists use is caught there
        self.builder_page.sent.connect(self.preview_page.add_list)
        self.preview_page.lists_loaded.connect(self.builder_page.set_known_lists)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([190, 830])

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sandbox_banner)
        layout.addWidget(self.error_bar)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self._build_actions()
        self._build_status_bar()

        # "Go to field" of the decoder: wherever the field is on screen, the window shows its page
        sink.register_target_handler("field", self._show_builder_field, page="builder")
        sink.register_target_handler("field", self._show_any_field)
        sink.register_target_handler("cell", self._show_preview_cell)

        self.log_page.log_widget.export_requested.connect(self.export_support_bundle)
        sink.reported.connect(self._on_sink_reported)
        session.profile_changed.connect(self._on_session_profile_changed)
        session.org_status_changed.connect(self._on_session_org_status_changed)
        session.signed_in.connect(self._on_session_signed_in)
        session.signed_out.connect(self._on_session_signed_out)
        session.rate_limit_changed.connect(self._on_session_rate_limit_changed)
        session.connection_tested.connect(self._on_session_connection_tested)

        self.nav.setCurrentRow(PAGE_BUILDER)
        self.resize(self._first_run_size())
        self.restore_settings()
        self._on_session_profile_changed(session.profile)

    # -- construction helpers -------------------------------------------------------------

    def _first_run_size(self) -> QSize:
        """Most of the screen, up to 1400x900 (the pages are laid out for about 1280x760)."""
        free = (self.screen() or QGuiApplication.primaryScreen()).availableGeometry()
        return QSize(min(1400, max(800, free.width() - 40)), min(900, max(560, free.height() - 60)))

    def _action(
        self, text: str, shortcut: QKeySequence | QKeySequence.StandardKey | str | None, slot: object
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        self.open_action = self._action("&Open CSV…", QKeySequence.StandardKey.Open, self.choose_csv)
        self.profiles_action = self._action("&Profiles…", "Ctrl+P", self.show_profiles)
        self.test_action = self._action("&Test connection", "Ctrl+T", self._on_test_triggered)
        self.export_action = self._action(
            "&Export support bundle…", "Ctrl+Shift+E", self.export_support_bundle
        )
        self.quit_action = self._action("&Quit", QKeySequence.StandardKey.Quit, self.close)
        for a in (self.open_action, self.profiles_action, self.test_action, self.export_action):
            file_menu.addAction(a)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        account = menu.addMenu("&Account")
        self.sign_in_action = self._action("Sign in as a &user", "Ctrl+Shift+L", self._on_sign_in_triggered)
        self.sign_out_action = self._action("Sign &out", None, self.session.sign_out)
        account.addAction(self.sign_in_action)
        account.addAction(self.sign_out_action)
        go = menu.addMenu("&Go")
        self.page_actions: list[QAction] = []
        for row in range(self.nav.count()):
            # a page title's "&" is text ("CSV preview & upload"), not a mnemonic
            action = QAction(self.nav.item(row).text().replace("&", "&&"), self)
            action.setShortcut(QKeySequence(f"Ctrl+{row + 1}"))
            action.setData(row)
            action.triggered.connect(self._on_page_action_triggered)
            self.addAction(action)
            go.addAction(action)
            self.page_actions.append(action)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        # the profile is a button: its menu switches profile (the built-in sandbox always first)
        self.profile_button = QToolButton()
        self.profile_button.setObjectName("profileButton")
        self.profile_button.setAutoRaise(True)
        self.profile_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.profile_button.setToolTip("Switch profile: the built-in sandbox or a saved org")
        self.profile_menu = QMenu(self.profile_button)
        self.profile_menu.setObjectName("profileMenu")
        self.profile_menu.aboutToShow.connect(self._fill_profile_menu)
        self.profile_button.setMenu(self.profile_menu)
        self._fill_profile_menu()
        bar.addPermanentWidget(self.profile_button)
        self.profile_label = QLabel()
        self.profile_label.hide()  # its words are on profile_button; kept for callers reading the text
        self.org_label = QLabel()
        self.region_label = QLabel()
        self.user_label = QLabel()
        self.rate_label = QLabel()
        self.live_label = QLabel("Live updates: -")  # issue 17: console/ui/live.py
        self.call_page.calls.live_status_changed.connect(self._on_live_status_changed)
        for name, label in (
            ("orgStatus", self.org_label),
            ("regionStatus", self.region_label),
            ("userStatus", self.user_label),
            ("rateStatus", self.rate_label),
            ("liveStatus", self.live_label),
        ):
            label.setObjectName(name)
            label.setStyleSheet("padding: 0 6px; border-left: 1px solid #c8c8c8;")
            bar.addPermanentWidget(label)
        self._set_user_text(None)
        self.rate_label.setText("Rate limit: -")

    @Slot(object)
    def _on_live_status_changed(self, status: object) -> None:
        if isinstance(status, ChannelStatus):
            text, tip = live_status_text(status)
            self.live_label.setText(text)
            self.live_label.setToolTip(tip)

    # -- settings -------------------------------------------------------------------------

    def _settings(self) -> QSettings:
        # created 0600 first: QSettings keeps an existing file's mode (issue 21: private files)
        return QSettings(str(private_file(settings_path())), QSettings.Format.IniFormat)

    def restore_settings(self) -> None:
        """Restore size, position, splitters and page from the settings file."""
        s = self._settings()
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = s.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        for key, splitter in (
            ("window/splitter", self.splitter),
            ("log/splitter", self.log_page.log_widget.splitter),
        ):
            value = s.value(key)
            if isinstance(value, QByteArray):
                splitter.restoreState(value)
        page = s.value("window/page")
        if page is not None and str(page).isdigit() and int(str(page)) < self.nav.count():
            self.nav.setCurrentRow(int(str(page)))

    def save_settings(self) -> None:
        """Write size, position, splitters and page (nothing secret)."""
        s = self._settings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("log/splitter", self.log_page.log_widget.splitter.saveState())
        s.setValue("window/page", self.nav.currentRow())
        s.sync()

    # -- actions --------------------------------------------------------------------------

    def current_page(self) -> QWidget | None:
        """The page shown now (the stack holds each page inside a scroll area)."""
        holder = self.stack.currentWidget()
        return holder.widget() if isinstance(holder, QScrollArea) else holder

    def show_page(self, index: int) -> None:
        """Switch to a page (0 builder, 1 preview, 2 test call, 3 API log, 4 activity)."""
        self.nav.setCurrentRow(index)

    @Slot()
    def _on_page_action_triggered(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.show_page(int(action.data()))

    @Slot()
    def _on_error_log_clicked(self) -> None:
        self.show_page(PAGE_LOG)

    @Slot()
    def show_profiles(self) -> ProfileDialog:
        """Open (or raise) the non-modal profile dialog."""
        if self.profile_dialog is None:
            self.profile_dialog = ProfileDialog(
                self.store, self.vault, self.session, self, builtin_sandbox=self.builtin_sandbox
            )
            self.profile_dialog.sandbox_requested.connect(self.use_builtin_sandbox)
        self.profile_dialog.show()
        self.profile_dialog.raise_()
        return self.profile_dialog

    # -- jump targets (the decoder's "Go to") ---------------------------------------------------

    def _bring_forward(self, page: int) -> None:
        self.show_page(page)
        self.raise_()
        self.activateWindow()

    def _show_builder_field(self, target: ErrorTarget) -> bool:
        if target.field is None or self.builder_page.widget_for(target.field) is None:
            return False
        self._bring_forward(PAGE_BUILDER)
        return self.builder_page.reveal(target.field) is not None

    def _show_any_field(self, target: ErrorTarget) -> bool:
        """A field of unknown page: the page shown now first, then the others that have it."""
        handlers = {PAGE_BUILDER: self._show_builder_field, PAGE_CALL: self.call_page.show_target}
        current = self.nav.currentRow()
        order = sorted(handlers, key=lambda page: page != current)
        return any(handlers[page](target) for page in order)

    def _show_preview_cell(self, target: ErrorTarget) -> bool:
        source = self.preview_page.source
        if target.row is None or source is None:
            return False
        header = [str(h).casefold() for h in getattr(source, "header", [])]
        column = (target.column or "").casefold()
        col = header.index(column) if column in header else -1
        self._bring_forward(PAGE_PREVIEW)
        return self.preview_page.jump_to(target.row, col)

    # -- profiles and the built-in sandbox --------------------------------------------------

    @Slot()
    def _fill_profile_menu(self) -> None:
        menu = self.profile_menu
        menu.clear()
        active = self.session.profile.id if self.session.profile is not None else None
        entries = [(BUILTIN_SANDBOX_ID, BUILTIN_SANDBOX_NAME), *((p.id, p.name) for p in self.store.profiles)]
        for pid, name in entries:
            action = menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(pid == active)
            action.setData(pid)
            action.triggered.connect(self._on_profile_menu_triggered)
            if pid == BUILTIN_SANDBOX_ID:
                self.use_sandbox_action = action
                menu.addSeparator()
        menu.addSeparator()
        reset = menu.addAction("&Reset sandbox…")
        reset.setObjectName("resetSandboxAction")
        reset.triggered.connect(self.reset_sandbox)
        self.reset_sandbox_action = reset
        manage = menu.addAction("&Manage profiles…")
        manage.triggered.connect(self.show_profiles)

    @Slot()
    def _on_profile_menu_triggered(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.switch_profile(str(action.data()))

    def switch_profile(self, profile_id: str) -> None:
        """Use the built-in sandbox or a saved profile (remembered for the next start); checks its org."""
        if profile_id == BUILTIN_SANDBOX_ID:
            self.use_builtin_sandbox()
            return
        profile = self.store.get(profile_id)
        if profile is None:
            return
        self.store.set_last_profile(profile.id)
        missing = self.session.missing_credentials(profile) if profile.needs_secret else None
        self.session.set_profile(profile, check=missing is None)
        if missing is not None:
            self.ask_for_credentials(missing)

    def builtin_sandbox(self) -> Profile:
        """The built-in sandbox's profile, starting the sandbox first when it does not run.

        Raises:
            RuntimeError: The window was built without a way to start the sandbox and none runs.
        """
        if self.sandbox is None:
            if self.sandbox_factory is None:
                raise RuntimeError("the built-in sandbox is not available in this window")
            self.sandbox = self.sandbox_factory()
        profile = builtin_sandbox_profile(str(self.sandbox.url))
        self.session.hold_secret(profile.id, SecretStr(SANDBOX_CLIENT[1]))  # memory only, never saved
        return profile

    @Slot()
    def use_builtin_sandbox(self) -> None:
        """Switch to the built-in sandbox (started on demand) and remember it for the next start."""
        profile = self.builtin_sandbox()
        self.store.set_last_profile(BUILTIN_SANDBOX_ID)
        self.session.set_profile(profile)

    @Slot()
    def reset_sandbox(self) -> bool:
        """Empty the built-in sandbox (its saved lists and contacts too), after asking; True when done."""
        if not ResetSandboxDialog.ask(self):
            return False
        if self.sandbox is None:
            self.builtin_sandbox()
        self.sandbox.reset()
        self.show_note(f"{BUILTIN_SANDBOX_NAME}: reset to its first-start state.")
        if is_builtin_sandbox(self.session.profile):
            self.session.set_profile(self.session.profile)  # tokens were forgotten: check again
        return True

    def ask_for_credentials(self, sentence: str) -> None:
        """Open the profile form on the active profile with ``sentence`` (why it cannot connect yet)."""
        self._credentials_prompt = sentence
        QTimer.singleShot(0, self, self._on_credentials_prompt_due)

    @Slot()
    def _on_credentials_prompt_due(self) -> None:
        sentence, self._credentials_prompt = self._credentials_prompt, None
        if sentence is None:
            return
        dialog = self.show_profiles()
        dialog.reload()
        dialog.show_note(sentence)
        dialog.secret_edit.setFocus()

    @Slot()
    def _on_test_triggered(self) -> None:
        self.session.test_connection()

    @Slot()
    def _on_sign_in_triggered(self) -> None:
        self.session.sign_in()

    def open_csv(self, path: Path) -> None:
        """Open a CSV in the preview page."""
        self.preview_page.open_csv(path)
        self.show_page(PAGE_PREVIEW)

    @Slot()
    def choose_csv(self) -> None:
        """Ask for a CSV file and open it in the preview."""
        name, _ = QFileDialog.getOpenFileName(
            self, "Open contact CSV", "", "CSV files (*.csv);;All files (*)"
        )
        if name:
            self.open_csv(Path(name))

    @Slot()
    def export_support_bundle(
        self, path: Path | None = None, *, include_contact_data: bool = False
    ) -> Path | None:
        """Write the support bundle; unless ``path`` is given, asks where and whether contact data goes in."""
        if not isinstance(path, Path):
            chosen = SupportBundleDialog.ask(self, data_dir() / "outbound-console-support.zip")
            if chosen is None:
                return None
            path, include_contact_data = chosen
        written = write_support_bundle(
            path,
            self.log_model.entries,
            errors=self.sink.history,
            known_secrets=self._known_secrets(),
            include_contact_data=include_contact_data,
        )
        what = "with contact data" if include_contact_data else "contact data left out"
        self.statusBar().showMessage(f"Support bundle written to {written} ({what})", 8000)
        return written

    def _known_secrets(self) -> list[str]:
        values: list[str] = []
        profiles = [*self.store.profiles, *([self.session.profile] if self.session.profile else [])]
        for p in profiles:
            try:
                secret = self.session.secret_for(p)
            except Exception:  # noqa: BLE001 - a broken keyring must not stop the export
                secret = None
            if secret is not None:
                values.append(secret.get_secret_value())
        if self.session.user is not None:
            values.append(self.session.user.token.value.get_secret_value())
        return values

    # -- drag and drop -------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept a dragged CSV file."""
        if any(u.isLocalFile() and u.toLocalFile().lower().endswith(".csv") for u in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        """Open the dropped CSV in the preview."""
        for url in event.mimeData().urls():
            if url.isLocalFile() and url.toLocalFile().lower().endswith(".csv"):
                self.open_csv(Path(url.toLocalFile()))
                event.acceptProposedAction()
                return
        event.ignore()

    # -- session feedback -----------------------------------------------------------------

    @property
    def on_sandbox(self) -> bool:
        """Whether the active profile is the embedded sandbox."""
        return is_builtin_sandbox(self.session.profile)

    @Slot(object)
    def _on_session_profile_changed(self, profile: object) -> None:
        if isinstance(profile, Profile):
            self.profile_label.setText(f"Profile: {profile.name}")
            self.region_label.setText(f"Region: {region_label(profile)}")
        else:
            self.profile_label.setText("Profile: none")
            self.region_label.setText("Region: -")
        self.profile_button.setText(f"{self.profile_label.text()} ▾")
        self.org_label.setText(f"Org: {self.session.org_status}")
        self.sandbox_banner.setVisible(self.on_sandbox)
        # ends with the app's name: Qt appends the display name to a title that does not (it said it twice)
        self.setWindowTitle(f"{profile.name} — {APP_NAME}" if isinstance(profile, Profile) else APP_NAME)

    @Slot(str)
    def _on_session_org_status_changed(self, text: str) -> None:
        self.org_label.setText(f"Org: {text}")

    def show_note(self, text: str) -> None:
        """A sentence for the status bar (kept in front of the next "Connected to")."""
        self._pending_note = text
        self.statusBar().showMessage(text, 15000)

    @Slot(object)
    def _on_session_connection_tested(self, report: object) -> None:
        if isinstance(report, ConnectionReport):
            note, self._pending_note = self._pending_note, None
            message = f"Connected to {report.org_name}"
            self.statusBar().showMessage(f"{note} {message}" if note else message, 15000 if note else 5000)

    def _set_user_text(self, user: SignedInUser | None) -> None:
        self.user_label.setText(f"User: {user.name}" if user else "User: not signed in")

    @Slot(object)
    def _on_session_signed_in(self, user: object) -> None:
        self._set_user_text(user if isinstance(user, SignedInUser) else None)

    @Slot()
    def _on_session_signed_out(self) -> None:
        self._set_user_text(None)

    @Slot(object)
    def _on_session_rate_limit_changed(self, state: object) -> None:
        if isinstance(state, RateLimitState) and state.remaining is not None:
            self.rate_label.setText(f"Rate limit: {state.remaining}/{state.allowed} left")

    @Slot(object)
    def _on_sink_reported(self, decoded: object) -> None:
        if isinstance(decoded, DecodedError):
            self.error_label.setText(f"<b>{decoded.title}</b><br>{decoded.explanation}")
            self.error_label.setToolTip(decoded.text())
            self.error_bar.show()

    # -- close ----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save settings, cancel and join every worker, stop the sandbox, then close."""
        self.save_settings()
        self.session.cancel_all()
        self.call_page.calls.close_live()
        controllers = self.findChildren(WorkerController)
        for controller in controllers:
            controller.cancel()
        # the page first: it turns off its list reload, which a joined load's finished would start
        self.preview_page.shutdown(10_000)  # joins its workers and closes the open CSV
        for controller in controllers:
            controller.shutdown(10_000)
        self.session.shutdown(10_000)
        if self.profile_dialog is not None:
            self.profile_dialog.close()
        stop = getattr(self.sandbox, "stop", None)
        if callable(stop):
            stop()
            self.sandbox = None
        event.accept()
        self.closed.emit()
