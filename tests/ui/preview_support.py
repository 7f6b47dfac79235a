"""Fixtures and helpers of the preview page tests: a page signed in to the sandbox, test files."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from PySide6.QtCore import QModelIndex, Qt

from console.api import Endpoint, GenesysClient
from console.api.models import ContactList, ContactPhoneNumberColumn
from console.credentials import CUSTOM_REGION, Profile, SecretVault
from console.ui.api_log import ApiLogModel, ExchangeRecorder
from console.ui.errors import ErrorSink
from console.ui.pages import PageContext
from console.ui.pages.preview import PreviewPage
from console.ui.preview.confirm import UploadConfirmDialog, WarningRows
from console.ui.session import SessionController

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
COLUMNS = ["ContactId", "FirstName", "City", "Phone"]
CONTACTS = r"/contactlists/[^/]+/contacts$"
DISPLAY, TOOLTIP, BACKGROUND = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.BackgroundRole,
)

# The messy file: cp1252, semicolons, a header in other case, a ragged row, bad phones, a duplicate id.
MESSY_ROWS = [
    "ContactId;firstname;City;Phone",
    "A1;Zoë;Brûlé;(212) 555-0101",  # row 0: clean, non-ASCII in cp1252
    "A2;José;Boston;442079460958",  # row 1: UK number without its + (warning, repairable)
    "A3;Ann;Boston;call me",  # row 2: invalid phone (error)
    "A2;Dup;Boston;(617) 555-0103",  # row 3: duplicate id (error)
    "A5;Rag;Boston;(305) 555-0105;extra",  # row 4: ragged (error)
    "A6;Eve;Boston;555-0106",  # row 5: too short (error)
    "A7;Li;  Boston  ;(415) 555-0107",  # row 6: clean (padded city, trimmed by the list)
]


def write_messy(path: Path) -> Path:
    path.write_bytes(("\r\n".join(MESSY_ROWS) + "\r\n").encode("cp1252"))
    return path


@pytest.fixture
def api(sandbox: Any) -> Iterator[GenesysClient]:
    client = GenesysClient.with_client_credentials(
        Endpoint.custom(sandbox.url), "sandbox-client", "sandbox-secret", rng=lambda: 0.0
    )
    yield client
    client.close()


_lists = iter(range(10_000))


@pytest.fixture
def list_id(api: GenesysClient) -> str:
    created = api.create_contact_list(
        ContactList(
            name=f"preview test list {next(_lists)} {time.monotonic_ns()}",
            column_names=COLUMNS,
            phone_columns=[ContactPhoneNumberColumn(column_name="Phone", type="cell")],
        )
    )
    assert created.id
    return created.id


@pytest.fixture
def make_page(
    qtbot: Any, tmp_home: Path, memory_keyring: Any, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[], PreviewPage]]:
    """A preview page on a session signed in to the session sandbox (a "window" of its own).

    The upload's confirmation answers "send" (a test that looks at it patches it again).
    """
    send = classmethod(lambda cls, parent, text, n: WarningRows.SEND)
    monkeypatch.setattr(UploadConfirmDialog, "ask", send)
    made: list[tuple[PreviewPage, SessionController]] = []

    def make() -> PreviewPage:
        sink = ErrorSink()
        recorder = ExchangeRecorder()
        session = SessionController(SecretVault(), sink, recorder)
        page = PreviewPage(PageContext(session=session, sink=sink, log_model=ApiLogModel()))
        sink.setParent(page)
        recorder.setParent(page)
        session.setParent(page)
        qtbot.addWidget(page)
        page.resize(1280, 760)
        page.show()
        profile = Profile(
            id="sbx", name="Sandbox", region=CUSTOM_REGION, custom_url=sandbox.url, client_id="sandbox-client"
        )
        session.hold_secret(profile.id, SecretStr("sandbox-secret"))
        with qtbot.waitSignal(page.lists_loaded, timeout=15000):
            session.set_profile(profile)
        made.append((page, session))
        return page

    yield make
    for page, session in made:
        close_page(page, session)


def close_page(page: PreviewPage, session: SessionController | None = None) -> None:
    try:
        page.shutdown()
        (session or page.context.session).shutdown(5000)
    except RuntimeError:  # already deleted
        pass


def view_index(page: PreviewPage, row: int, col: int) -> QModelIndex:
    v = page.model.view_row(row)
    assert v is not None, f"row {row} not shown"
    return page.model.index(v, col + 1)


def open_checked(page: PreviewPage, qtbot: Any, path: Path, list_id: str) -> None:
    page.open_csv(path)
    with qtbot.waitSignal(page.validated, timeout=30000):
        page.select_list(list_id)


def list_contents(sandbox: Any, list_id: str) -> list[dict[str, Any]]:
    with sandbox.state.lock:
        return [dict(c) for c in sandbox.state.contacts.get(list_id, {}).values()]


def write_big(path: Path, n: int) -> dict[str, dict[str, str]]:
    """``n`` rows in cp1252 with semicolons; every 50th phone is bad. Returns id -> data of valid rows."""
    lines = ["ContactId;FirstName;City;Phone"]
    expected: dict[str, dict[str, str]] = {}
    for i in range(n):
        cid = f"K{i:05d}"
        phone = "n/a" if i % 50 == 49 else f"(212) {200 + i % 700:03d}-{i % 10000:04d}"
        lines.append(f"{cid};Zoë {i};Brûlé;{phone}")
        if i % 50 != 49:
            expected[cid] = {
                "ContactId": cid,
                "FirstName": f"Zoë {i}",
                "City": "Brûlé",
                "Phone": f"+1212{200 + i % 700:03d}{i % 10000:04d}",
            }
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return expected


def write_long(path: Path, n: int) -> Path:
    """``n`` rows (UTF-8, commas); every 50th phone is bad."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("ContactId,FirstName,City,Phone\r\n")
        for i in range(n):
            phone = "n/a" if i % 50 == 49 else f"(212) {200 + i % 700:03d}-{i % 10000:04d}"
            fh.write(f"L{i:07d},Name {i},Boston,{phone}\r\n")
    return path


def open_all_rows(make_page: Callable[[], PreviewPage], qtbot: Any, path: Path) -> PreviewPage:
    """A page showing every row of ``path`` (no target list), scrolled to the bottom."""
    page = make_page()
    page.open_csv(path)
    while page.model.canFetchMore(QModelIndex()):
        page.model.fetchMore(QModelIndex())
    page.view.scrollToBottom()
    qtbot.wait(50)
    return page


def watch_check(page: PreviewPage) -> tuple[list[Any], list[Any]]:
    """Lists that collect the page's check progress and its validated results."""
    progress: list[Any] = []
    validated: list[Any] = []
    page.validate_ctl.progressed.connect(progress.append)
    page.validated.connect(validated.append)
    return progress, validated
