"""Issue 16, fault 2: every page fits a 1024x700 screen (and 1366x768) without sideways scrolling."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QScrollArea, QWidget

from console.api.models import ContactList, ContactPhoneNumberColumn
from console.ui.decoder import DecoderDialog
from console.ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")

SMALL, LAPTOP = QSize(1024, 700), QSize(1366, 768)


@pytest.fixture
def window(make_window: Callable[..., MainWindow], qtbot: Any, tmp_path: Path) -> MainWindow:
    """A window with something on every page: a list being edited, a checked file, API log lines."""
    win = make_window(force_sandbox=True, auto_test=False)
    definition = ContactList(
        name="Spring renewals for the north-east region, second wave",
        column_names=["ContactId", "FirstName", "LastName", "City", "home_phone", "Email"],
        phone_columns=[ContactPhoneNumberColumn(column_name="home_phone", type="home")],
    )
    api = win.session.new_client()
    try:
        created = api.create_contact_list(definition)
    finally:
        api.close()
    win.builder_page.set_definition(created, loaded=created)
    csv = tmp_path / "a-contact-file-with-a-long-name-from-the-crm-export.csv"
    rows = ["ContactId,FirstName,LastName,City,home_phone,Email"]
    rows += [f"C{i},Ann,Lee,Boston,(617) 555-01{i:02d},ann{i}@example" for i in range(30)]
    csv.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    preview = win.preview_page
    with qtbot.waitSignal(preview.lists_loaded, timeout=15000):
        preview.load_lists()
    preview.open_csv(csv)
    with qtbot.waitSignal(preview.validated, timeout=30000):
        preview.select_list(str(created.id))
    preview.edit_cell(0, 4, "(617) 555-0199")  # "Undo Edit home_phone"
    return win


def page_areas(window: MainWindow) -> dict[str, tuple[QWidget, QScrollArea]]:
    out = {}
    for k in range(window.stack.count()):
        holder = window.stack.widget(k)
        assert isinstance(holder, QScrollArea)
        page = holder.widget()
        assert page is not None
        out[type(page).__name__] = (page, holder)
    return out


@pytest.mark.parametrize("size", [SMALL, LAPTOP], ids=["1024x700", "1366x768"])
def test_every_page_fits_without_sideways_scrolling(window: MainWindow, qtbot: Any, size: QSize) -> None:
    window.resize(size)
    qtbot.wait(100)
    assert window.minimumSizeHint().width() <= size.width()
    assert window.minimumSizeHint().height() <= size.height()
    for k, (name, (page, area)) in enumerate(page_areas(window).items()):
        window.show_page(k)
        qtbot.wait(200)  # the scroll area lays the page out for the new size
        central = area.viewport().size()
        hint = page.minimumSizeHint()
        assert hint.width() <= central.width(), f"{name} needs {hint.width()} px of {central.width()}"
        assert hint.height() <= central.height(), f"{name} needs {hint.height()} px of {central.height()}"
        assert not area.horizontalScrollBar().isVisible(), f"{name} scrolls sideways"


def test_the_decoder_fits_a_small_screen(window: MainWindow) -> None:
    dialog = DecoderDialog(window.sink)
    hint = dialog.minimumSizeHint()
    assert hint.width() <= SMALL.width()
    assert hint.height() <= SMALL.height() - 60  # title bar and panel


def test_undo_and_redo_keep_a_fixed_width_with_the_action_in_the_tooltip(window: MainWindow) -> None:
    tools = window.preview_page.tools
    assert tools.undo_button.text() == "Undo"
    assert tools.undo_button.toolTip().startswith("Undo Edit home_phone")


