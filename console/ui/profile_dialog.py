"""Profiles and sign-in: add, edit, duplicate, delete, switch; test connection; user login.

The client secret typed here goes straight to the :class:`~console.credentials.SecretVault`
(OS keyring, or memory for this session only when the user ticks that box or no keyring
exists). The secret field is cleared after saving; nothing secret is put in the profile.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from pydantic import SecretStr, ValidationError
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.api.regions import Region
from console.connect import (
    BUILTIN_SANDBOX_ID,
    BUILTIN_SANDBOX_NAME,
    DEFAULT_REDIRECT_PORT,
    REGION_NAMES,
    SignInExpiredError,
    endpoint_for,
    redirect_uri,
)
from console.credentials import (
    CUSTOM_REGION,
    CredentialsError,
    KeyringSecretStore,
    Profile,
    ProfileStore,
    SecretVault,
    SignInMethod,
)
from console.credentials.secrets import NO_KEYRING_MESSAGE
from console.ui.doctor_panel import DoctorPanel
from console.ui.errors import DecodedError, decode_error
from console.ui.session import ConnectionReport, SessionController, SignedInUser

SESSION_ONLY_HINT = "Or use the secret for this session only; it will be forgotten when the app closes."
"""The window's way out when no keyring is usable (the command line has its own)."""


def _url_problem(profile: Profile) -> str | None:
    """Why the profile's base URL is refused (credentials in it, plain http to another computer), or None."""
    try:
        endpoint_for(profile)
    except ValueError as exc:
        return f"base URL: {exc}"
    return None


def _lifetime_text(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    hours, rest = divmod(int(seconds), 3600)
    minutes = rest // 60
    return f"{int(seconds)} s ({hours} h {minutes:02d} min)"


_NO_TEST_YET = "Run “Test connection” to see the org, the token and the permissions."

class ProfileDialog(QDialog):
    """Manage connection profiles and sign-in.

    The list starts with the built-in sandbox ("Sandbox (built in)"): read-only, never saved,
    one "Use" away.

    Signals:
        profile_activated(object): the user chose "Use this profile" (a :class:`Profile`).
        sandbox_requested(): the user chose to use the built-in sandbox.

    Args:
        store: The profiles file.
        vault: Where secrets go.
        session: The app's session (tests and sign-in run through it).
        parent: The main window.
        builtin_sandbox: Returns the built-in sandbox's profile, starting it when needed (None: the
            list shows no sandbox entry).
    """

    profile_activated = Signal(object)
    sandbox_requested = Signal()

    def __init__(
        self,
        store: ProfileStore,
        vault: SecretVault,
        session: SessionController,
        parent: QWidget | None = None,
        *,
        builtin_sandbox: Callable[[], Profile] | None = None,
    ) -> None:
        super().__init__(parent)
        self._builtin = builtin_sandbox
        self.setWindowTitle("Profiles — Outbound Console")
        self.setObjectName("profileDialog")
        self.store = store
        self.vault = vault
        self.session = session
        self._editing_id: str | None = None

        # -- left: the list -------------------------------------------------------------
        self.profile_list = QListWidget()
        self.profile_list.setObjectName("profileList")
        self.profile_list.currentItemChanged.connect(self._on_list_current_changed)
        self.add_button = QPushButton("&Add")
        self.duplicate_button = QPushButton("D&uplicate")
        self.delete_button = QPushButton("&Delete")
        self.add_button.clicked.connect(self.new_profile)
        self.duplicate_button.clicked.connect(self.duplicate_profile)
        self.delete_button.clicked.connect(self.delete_profile)
        list_buttons = QHBoxLayout()
        for b in (self.add_button, self.duplicate_button, self.delete_button):
            list_buttons.addWidget(b)
        left = QVBoxLayout()
        left.addWidget(QLabel("Profiles"))
        left.addWidget(self.profile_list, 1)
        left.addLayout(list_buttons)

        # -- right: the form -----------------------------------------------------------------
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. EU production")
        self.region_combo = QComboBox()
        for region in Region:
            self.region_combo.addItem(f"{REGION_NAMES[region]} — {region.domain}", region.sdk_name)
        self.region_combo.addItem("Custom URL (sandbox, API gateway)", CUSTOM_REGION)
        self.region_combo.currentIndexChanged.connect(self._on_form_mode_changed)
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("http://127.0.0.1:8765")
        self.client_id_edit = QLineEdit()
        self.sign_in_combo = QComboBox()
        self.sign_in_combo.addItem(
            "Client credentials (OAuth client id + secret)", SignInMethod.CLIENT_CREDENTIALS
        )
        self.sign_in_combo.addItem("User login in the browser (PKCE)", SignInMethod.PKCE)
        self.sign_in_combo.currentIndexChanged.connect(self._on_form_mode_changed)
        self.secret_edit = QLineEdit()
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_edit.setObjectName("secretEdit")
        self.session_only_check = QCheckBox("Use this secret for this session only (not saved)")
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)  # never 0: the redirect URI must match one registered on the client
        self.port_spin.setValue(DEFAULT_REDIRECT_PORT)
        self.redirect_edit = QLineEdit(redirect_uri(DEFAULT_REDIRECT_PORT))
        self.redirect_edit.setObjectName("redirectEdit")
        self.redirect_edit.setReadOnly(True)
        self.redirect_edit.setToolTip(
            "Register exactly this URI among the authorized redirect URIs of the OAuth client used "
            "for user login. The console listens on it during sign-in."
        )
        self.copy_redirect_button = QPushButton("&Copy")
        self.copy_redirect_button.setToolTip("Copy the redirect URI to the clipboard")
        self.copy_redirect_button.clicked.connect(self.copy_redirect_uri)
        self.port_spin.valueChanged.connect(self._on_port_changed)
        redirect_row = QHBoxLayout()
        redirect_row.addWidget(self.redirect_edit, 1)
        redirect_row.addWidget(self.copy_redirect_button)
        self.pkce_client_edit = QLineEdit()
        self.pkce_client_edit.setPlaceholderText('public client for "Sign in as a user" (optional)')
        self.proxy_edit = QLineEdit()
        self.proxy_edit.setObjectName("proxyEdit")
        self.proxy_edit.setPlaceholderText("http://proxy.example:3128 (optional)")
        self.proxy_edit.setToolTip(
            "A proxy for every request of this profile, this computer's sandbox included. "
            "Empty: the HTTPS_PROXY / HTTP_PROXY / ALL_PROXY environment variables apply "
            "(NO_PROXY and this computer go direct)."
        )
        self.keyring_label = QLabel()
        self.keyring_label.setWordWrap(True)
        self.keyring_label.setObjectName("keyringLabel")
        self.keyring_label.setStyleSheet("color: #8a5300;")

        form = QFormLayout()
        form.addRow("&Name", self.name_edit)
        form.addRow("&Region", self.region_combo)
        form.addRow("Base &URL", self.url_edit)
        form.addRow("Client &id", self.client_id_edit)
        form.addRow("Sign-&in", self.sign_in_combo)
        form.addRow("Client &secret", self.secret_edit)
        form.addRow("", self.session_only_check)
        form.addRow("User login client", self.pkce_client_edit)
        form.addRow("Redirect &port", self.port_spin)
        form.addRow("Redirect URI to register", redirect_row)
        form.addRow("Pro&xy", self.proxy_edit)
        # the keyring warning wraps below the form, where its height follows its width (a
        # word-wrapped label in a form row is clipped: issue 16)
        self.keyring_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

        self.save_button = QPushButton("&Save")
        self.save_button.setDefault(True)
        self.use_button = QPushButton("Save && &use this profile")
        self.test_button = QPushButton("&Test connection")
        self.doctor_button = QPushButton("Chec&k this org")  # console.ui.doctor_panel (issue 22)
        self.doctor_button.setToolTip("Read-only checks: network, clock, OAuth, permissions, live updates")
        self.doctor_button.clicked.connect(self.check_org)
        self.cancel_test_button = QPushButton("Cance&l test")
        self.cancel_test_button.setObjectName("cancelTestButton")
        self.cancel_test_button.setToolTip("Stop the connection test now")
        self.cancel_test_button.hide()
        self.cancel_test_button.clicked.connect(self.session.cancel_test)
        self.sign_in_button = QPushButton("Sign in as a &user")
        self.sign_out_button = QPushButton("Sign &out")
        self.close_button = QPushButton("Close")
        self.save_button.clicked.connect(self.save)
        self.use_button.clicked.connect(self.use_profile)
        self.test_button.clicked.connect(self.test_connection)
        self.sign_in_button.clicked.connect(self.sign_in)
        self.sign_out_button.clicked.connect(self.session.sign_out)
        self.close_button.clicked.connect(self.accept)
        actions = QHBoxLayout()
        for b in (
            self.save_button,
            self.use_button,
            self.test_button,
            self.cancel_test_button,
            self.doctor_button,
            self.sign_in_button,
            self.sign_out_button,
        ):
            actions.addWidget(b)
        actions.addStretch(1)
        actions.addWidget(self.close_button)

        # -- results -------------------------------------------------------------------------
        self.status_label = QLabel()
        self.status_label.setObjectName("statusLabel")
        self.status_label.setWordWrap(True)
        self.user_label = QLabel()
        self.user_label.setObjectName("userLabel")
        self.result_label = QLabel(_NO_TEST_YET)
        self.result_label.setObjectName("resultLabel")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.checks_table = QTableWidget(0, 3)
        self.checks_table.setObjectName("checksTable")
        self.checks_table.setHorizontalHeaderLabels(["Console action", "Permission", "Result"])
        self.checks_table.verticalHeader().setVisible(False)
        self.checks_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.checks_table.horizontalHeader()
        # twelve rows: the results wrap inside their cell instead of being cut off (issue 16)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.checks_table.setWordWrap(True)
        # rows follow their wrapped text as the dialog narrows (twelve rows, never a big table)
        self.checks_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.checks_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.checks_table.setColumnWidth(0, 180)
        self.checks_table.setColumnWidth(1, 200)
        results = QGroupBox("Connection")
        results_layout = QVBoxLayout(results)
        results_layout.addWidget(self.result_label)
        results_layout.addWidget(self.user_label)
        results_layout.addWidget(self.checks_table, 1)

        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(self.keyring_label)
        right.addLayout(actions)
        right.addWidget(self.status_label)
        right.addWidget(results, 1)

        top = QHBoxLayout(self)
        left_box = QWidget()
        left_box.setLayout(left)
        left_box.setMaximumWidth(230)
        top.addWidget(left_box)
        top.addLayout(right, 1)
        self.resize(940, 640)

        session.connection_tested.connect(self._on_session_connection_tested)
        session.connection_failed.connect(self._on_session_connection_failed)
        session.signed_in.connect(self._on_session_signed_in)
        session.sign_in_failed.connect(self._on_session_sign_in_failed)
        session.signed_out.connect(self._on_session_signed_out)
        session.busy_changed.connect(self._on_session_busy_changed)
        session.test_cancelled.connect(self._on_session_test_cancelled)

        self._keyring_ok = KeyringSecretStore.available()
        self._update_keyring_label()
        self.reload()
        self._on_session_signed_in(session.user)

    # -- list -----------------------------------------------------------------------------

    def reload(self, select_id: str | None = None) -> None:
        """Refill the list from the store and select ``select_id`` (or the active/first profile)."""
        self.profile_list.blockSignals(True)
        self.profile_list.clear()
        if self._builtin is not None:
            item = QListWidgetItem(BUILTIN_SANDBOX_NAME)
            item.setData(Qt.ItemDataRole.UserRole, BUILTIN_SANDBOX_ID)
            item.setToolTip("This computer's own emulator of the API: not a real org, never saved")
            self.profile_list.addItem(item)
        for p in self.store.profiles:
            item = QListWidgetItem(p.name)
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            self.profile_list.addItem(item)
        self.profile_list.blockSignals(False)
        wanted = select_id or (self.session.profile.id if self.session.profile else None)
        row = next(
            (
                i
                for i in range(self.profile_list.count())
                if self.profile_list.item(i).data(Qt.ItemDataRole.UserRole) == wanted
            ),
            0 if self.store.profiles or self._builtin is None else -1,
        )
        if row == 0 and self._builtin is not None and wanted != BUILTIN_SANDBOX_ID and self.store.profiles:
            row = 1  # the first saved profile rather than the sandbox
        if row >= 0:
            self.profile_list.setCurrentRow(row)
            self._on_list_current_changed(self.profile_list.currentItem(), None)
        else:
            self.new_profile()

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_list_current_changed(
        self, current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        if current is None:
            return
        if current.data(Qt.ItemDataRole.UserRole) == BUILTIN_SANDBOX_ID:
            self.load_builtin()
            return
        profile = self.store.get(str(current.data(Qt.ItemDataRole.UserRole)))
        if profile is not None:
            self.load_profile(profile)

    @property
    def on_builtin(self) -> bool:
        """Whether the form shows the built-in sandbox (read-only)."""
        return self._editing_id == BUILTIN_SANDBOX_ID

    def load_builtin(self) -> None:
        """Show the built-in sandbox: nothing to edit or save, "Use this profile" switches to it."""
        self._editing_id = BUILTIN_SANDBOX_ID
        self.name_edit.setText(BUILTIN_SANDBOX_NAME)
        self.region_combo.setCurrentIndex(self.region_combo.findData(CUSTOM_REGION))
        self.url_edit.setText("this computer (a free port at every start)")
        self.client_id_edit.setText("sandbox-client")
        self.secret_edit.clear()
        self.secret_edit.setPlaceholderText("built in: not needed")
        self.pkce_client_edit.setText("sandbox-pkce")
        self.proxy_edit.clear()
        self.status_label.clear()
        self._set_form_editable(False)

    def _set_form_editable(self, editable: bool) -> None:
        widgets: tuple[QWidget, ...] = (
            self.name_edit,
            self.region_combo,
            self.client_id_edit,
            self.sign_in_combo,
            self.pkce_client_edit,
            self.port_spin,
            self.proxy_edit,
            self.save_button,
            self.duplicate_button,
            self.delete_button,
        )
        for widget in widgets:
            widget.setEnabled(editable)
        self.use_button.setText("Save && &use this profile" if editable else "&Use this profile")
        if editable:
            self._on_form_mode_changed()
        else:
            for other in (self.url_edit, self.secret_edit, self.session_only_check):
                other.setEnabled(False)

    def load_profile(self, p: Profile) -> None:
        """Show ``p`` in the form."""
        self._set_form_editable(True)
        self._editing_id = p.id
        self.name_edit.setText(p.name)
        self.region_combo.setCurrentIndex(self.region_combo.findData(p.region))
        self.url_edit.setText(p.custom_url or "")
        self.client_id_edit.setText(p.client_id)
        self.sign_in_combo.setCurrentIndex(self.sign_in_combo.findData(p.sign_in))
        self.port_spin.setValue(p.redirect_port or DEFAULT_REDIRECT_PORT)  # an old "any free port" profile
        self.pkce_client_edit.setText(p.pkce_client_id or "")
        self.proxy_edit.setText(p.proxy_url or "")
        self.secret_edit.clear()
        self.session_only_check.setChecked(self.vault.is_session_only(p.id) or not self._keyring_ok)
        self._update_secret_placeholder()
        self._on_form_mode_changed()
        self.status_label.clear()

    @Slot()
    def new_profile(self) -> None:
        """Clear the form for a new profile."""
        self._set_form_editable(True)
        self._editing_id = None
        self.profile_list.clearSelection()
        self.name_edit.setText("New profile")
        self.region_combo.setCurrentIndex(self.region_combo.findData(Region.US_EAST_1.sdk_name))
        self.url_edit.clear()
        self.client_id_edit.clear()
        self.sign_in_combo.setCurrentIndex(0)
        self.secret_edit.clear()
        self.pkce_client_edit.clear()
        self.port_spin.setValue(DEFAULT_REDIRECT_PORT)
        self.proxy_edit.clear()
        self.session_only_check.setChecked(not self._keyring_ok)
        self._update_secret_placeholder()
        self._on_form_mode_changed()
        self._clear_results()
        self.name_edit.setFocus()
        self.name_edit.selectAll()

    def _clear_results(self) -> None:
        """Forget the previous profile's messages and connection test (a new profile starts clean)."""
        self.status_label.clear()
        self.result_label.setText(_NO_TEST_YET)
        self.checks_table.setRowCount(0)

    @Slot()
    def duplicate_profile(self) -> None:
        """Copy the selected profile (and its secret) under a new name."""
        if self._editing_id is None or self.on_builtin:
            return
        copy = self.store.duplicate(self._editing_id)
        try:
            secret = self.vault.get(self._editing_id)
            if secret is not None:
                self.vault.put(copy.id, secret, session_only=self.vault.is_session_only(self._editing_id))
        except CredentialsError as exc:
            self._show_status(decode_error(exc, "Copy the secret"), error=True)
        self.reload(copy.id)

    @Slot()
    def delete_profile(self) -> None:
        """Delete the selected profile and its secret."""
        if self._editing_id is None or self.on_builtin:
            return
        pid = self._editing_id
        self.store.delete(pid)
        try:
            self.vault.forget(pid)
        except CredentialsError as exc:
            self._show_status(decode_error(exc, "Delete the secret"), error=True)
        if self.session.profile is not None and self.session.profile.id == pid:
            self.session.set_profile(None)
        self.reload()

    # -- form -------------------------------------------------------------------------

    def form_profile(self) -> Profile:
        """The profile as the form describes it.

        Raises:
            ValidationError: A field is missing or wrong.
        """
        data: dict[str, object] = {
            "name": self.name_edit.text(),
            "region": self.region_combo.currentData(),
            "custom_url": self.url_edit.text().strip() or None,
            "client_id": self.client_id_edit.text(),
            "sign_in": self.sign_in_combo.currentData(),
            "redirect_port": self.port_spin.value(),
            "pkce_client_id": self.pkce_client_edit.text().strip() or None,
            "proxy_url": self.proxy_edit.text().strip() or None,
        }
        if self._editing_id is not None:
            data["id"] = self._editing_id
        if data["region"] != CUSTOM_REGION:
            data["custom_url"] = None
        return Profile.model_validate(data)

    @Slot()
    def save(self) -> Profile | None:
        """Validate and store the profile; the typed secret goes to the vault. Returns the profile."""
        if self.on_builtin:
            return None  # the built-in sandbox is never saved (its port changes at every start)
        try:
            profile = self.form_profile()
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'profile'}: {e['msg']}" for e in exc.errors()
            )
            self._show_text(f"Not saved: {problems}", error=True)
            return None
        problem = _url_problem(profile)
        if problem:
            self._show_text(f"Not saved: {problem}", error=True)
            return None
        self.store.upsert(profile)
        self._editing_id = profile.id
        typed = self.secret_edit.text()
        message = f"Saved “{profile.name}”."
        if typed and profile.needs_secret:
            session_only = self.session_only_check.isChecked()
            try:
                self.vault.put(profile.id, SecretStr(typed), session_only=session_only)
            except CredentialsError as exc:
                if exc.no_keyring:
                    self._keyring_ok = False
                    self._update_keyring_label()
                    self.session_only_check.setChecked(True)
                self.reload(profile.id)
                hint = f" {SESSION_ONLY_HINT}" if exc.no_keyring else ""
                self._show_text(f"Profile saved, secret NOT saved. {exc}{hint}", error=True)
                self.secret_edit.setText(typed)  # keep it so "this session only" can be chosen
                return profile
            self.secret_edit.clear()
            where = "for this session only" if session_only else "in the system keyring"
            message += f" Client secret stored {where}."
        self.reload(profile.id)
        self._show_text(message)
        return profile

    @Slot()
    def use_profile(self) -> None:
        """Save, make this the active profile, and remember it for next time (its org is checked at once)."""
        if self.on_builtin:
            self.sandbox_requested.emit()
            self._show_text(f"Using “{BUILTIN_SANDBOX_NAME}”.")
            return
        profile = self.save()
        if profile is None:
            return
        self.store.set_last_profile(profile.id)
        self.session.set_profile(profile)
        self.profile_activated.emit(profile)

    @Slot()
    def test_connection(self) -> None:
        """Test the profile as the form shows it (typed secret, else the stored one); Cancel stops it."""
        if self.on_builtin and self._builtin is not None:
            self.result_label.setText(f"Testing “{BUILTIN_SANDBOX_NAME}”…")
            self.checks_table.setRowCount(0)
            self.session.test_connection(self._builtin())
            return
        try:
            profile = self.form_profile()
        except ValidationError as exc:
            self._show_text(f"Cannot test: {exc.errors()[0]['msg']}", error=True)
            return
        problem = _url_problem(profile)
        if problem:
            self._show_text(f"Cannot test: {problem}", error=True)
            return
        typed = self.secret_edit.text()
        self.result_label.setText(f"Testing “{profile.name}”…")
        self.checks_table.setRowCount(0)
        self.session.test_connection(profile, SecretStr(typed) if typed else None)

    @Slot()
    def check_org(self) -> None:
        """Run the doctor's read-only steps on the profile as the form shows it, in a :class:`DoctorPanel`."""
        try:
            profile = self.form_profile()
        except ValidationError as exc:
            self._show_text(f"Cannot check: {exc.errors()[0]['msg']}", error=True)
            return
        self.doctor_panel = DoctorPanel.start_for(self, profile, self.secret_edit.text(), self.session)

    @Slot()
    def sign_in(self) -> None:
        """Save, switch to this profile, and run the browser sign-in."""
        if self.on_builtin and self._builtin is not None:
            sandbox = self._builtin()
            if self.session.profile is None or self.session.profile.id != sandbox.id:
                self.sandbox_requested.emit()
            self.user_label.setText("Waiting for the browser sign-in…")
            self.session.sign_in(sandbox)
            return
        profile = self.save()
        if profile is None:
            return
        if self.session.profile is None or self.session.profile.id != profile.id:
            self.session.set_profile(profile)
            self.profile_activated.emit(profile)
        self.user_label.setText("Waiting for the browser sign-in…")
        self.session.sign_in(profile)

    @Slot()
    def copy_redirect_uri(self) -> None:
        """Put the redirect URI to register on the clipboard."""
        QGuiApplication.clipboard().setText(self.redirect_edit.text())
        self._show_text(f"Copied {self.redirect_edit.text()}: register it on the OAuth client.")

    @Slot(int)
    def _on_port_changed(self, port: int) -> None:
        self.redirect_edit.setText(redirect_uri(port))

    @Slot()
    def _on_form_mode_changed(self) -> None:
        custom = self.region_combo.currentData() == CUSTOM_REGION
        self.url_edit.setEnabled(custom)
        cc = self.sign_in_combo.currentData() == SignInMethod.CLIENT_CREDENTIALS
        self.secret_edit.setEnabled(cc)
        self.session_only_check.setEnabled(cc and self._keyring_ok)
        self.pkce_client_edit.setEnabled(cc)
        self._update_secret_placeholder()

    def _update_secret_placeholder(self) -> None:
        if self.sign_in_combo.currentData() == SignInMethod.PKCE:
            self.secret_edit.setPlaceholderText("not needed for user login")
            return
        stored = False
        if self._editing_id is not None:
            try:
                stored = self.vault.get(self._editing_id) is not None
            except CredentialsError:
                stored = False
        if stored and self.vault.is_session_only(self._editing_id or ""):
            self.secret_edit.setPlaceholderText("•••• held for this session only; type to replace")
        elif stored:
            self.secret_edit.setPlaceholderText("•••• stored in the system keyring; type to replace")
        else:
            self.secret_edit.setPlaceholderText("not stored yet")

    def _update_keyring_label(self) -> None:
        if self._keyring_ok:
            self.keyring_label.clear()
            self.keyring_label.hide()
        else:
            self.keyring_label.setText(f"{NO_KEYRING_MESSAGE} {SESSION_ONLY_HINT}")
            self.keyring_label.show()
            self.session_only_check.setChecked(True)
            self.session_only_check.setEnabled(False)

    # -- session results ------------------------------------------------------------

    def show_note(self, text: str) -> None:
        """A sentence about the profile shown (why it cannot connect yet), neither success nor error."""
        self.status_label.setStyleSheet("color: #8a5300;")
        self.status_label.setText(text)

    def _show_text(self, text: str, *, error: bool = False) -> None:
        self.status_label.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")
        self.status_label.setText(text)

    def _show_status(self, decoded: DecodedError, *, error: bool) -> None:
        self._show_text(f"{decoded.title}. {decoded.explanation}", error=error)

    @Slot(object)
    def _on_session_connection_tested(self, report: object) -> None:
        if not isinstance(report, ConnectionReport):
            return
        user = report.user or "none (client credentials act as the OAuth client, not a person)"
        budget = ""
        if report.rate_limit is not None and report.rate_limit.remaining is not None:
            budget = (
                f"<br>Rate limit: {report.rate_limit.remaining} of {report.rate_limit.allowed} requests left"
            )
        self.result_label.setText(
            f"<b>Connected to {report.org_name}</b> (org id {report.org_id})<br>"
            f"Region: {report.region}<br>"
            f"Token: {report.token_type}, {report.grant}, "
            f"lifetime {_lifetime_text(report.token_lifetime)}<br>"
            f"User context: {user}{budget}"
        )
        self.checks_table.setRowCount(len(report.checks))
        for row, check in enumerate(report.checks):
            verdict = {True: "✔ allowed", False: "✘ not allowed", None: "… not read"}[check.allowed]
            cells = [check.action, check.permission, f"{verdict} — {check.detail}"]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.checks_table.setItem(row, col, item)

    @Slot(object)
    def _on_session_connection_failed(self, exc: object) -> None:
        if isinstance(exc, SignInExpiredError):
            self.result_label.setText(f"<b>Your sign-in has expired</b><br>{html.escape(str(exc))}")
            self.checks_table.setRowCount(0)
        elif isinstance(exc, BaseException):
            decoded = decode_error(exc, "Test connection")
            cause = "".join(f"<br>{html.escape(d)}" for d in decoded.details[:2])
            self.result_label.setText(f"<b>{html.escape(decoded.title)}</b><br>{decoded.explanation}{cause}")
            self.checks_table.setRowCount(0)

    @Slot(object)
    def _on_session_signed_in(self, user: object) -> None:
        if isinstance(user, SignedInUser):
            self.user_label.setText(f"Signed in as <b>{user.label}</b>")
        else:
            self.user_label.setText("No user signed in.")
        self.sign_out_button.setEnabled(isinstance(user, SignedInUser))

    @Slot(object)
    def _on_session_sign_in_failed(self, exc: object) -> None:
        if not isinstance(exc, BaseException):
            return
        self._on_session_signed_in(self.session.user)
        if isinstance(exc, CredentialsError):
            self._show_text(str(exc), error=True)  # our own words: the port taken, the sign-in expired
        else:
            self._show_status(decode_error(exc, "Sign in as a user"), error=True)

    @Slot()
    def _on_session_signed_out(self) -> None:
        self._on_session_signed_in(None)

    @Slot()
    def _on_session_test_cancelled(self) -> None:
        self.result_label.setText("Test cancelled. Nothing was changed.")
        self.checks_table.setRowCount(0)

    @Slot(bool)
    def _on_session_busy_changed(self, busy: bool) -> None:
        self.test_button.setEnabled(not busy)
        self.sign_in_button.setEnabled(not busy)
        self.cancel_test_button.setVisible(self.session.testing)
