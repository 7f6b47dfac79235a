"""Checking a file for the preview: the finding index and the phone repairs."""

from __future__ import annotations

import threading
from pathlib import Path

from console.contacts.reader import open_csv


def test_phone_repairs_from_the_workers_are_the_e164_of_each_flagged_cell(tmp_path: Path) -> None:
    """The repairs the validation workers report are what reading each flagged phone cell and asking
    ``PhoneRules.e164`` gives (the way the preview found them before), on one and on two processes."""
    from console.api.models import ContactList, ContactPhoneNumberColumn
    from console.contacts.phones import PhoneRules
    from console.contacts.rules import TRIM_CHARS
    from console.contacts.validate import ValidationOptions, validate
    from console.ui.preview import checking

    phones = ["(212) 555-0101", "442079460958", "call me", "212.555.0199 ", "555-0106", "+1 415 555 0107"]
    path = tmp_path / "phones.csv"
    lines = ["Id,Phone,Note"] + [f'{i},"{phones[i % len(phones)]}",x' for i in range(60)]
    lines += ["60,442079460958", "", '61,"442079460958","two\nlines"']  # ragged, blank, quoted newline
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    definition = ContactList(
        name="phones",
        column_names=["Id", "Phone"],
        phone_columns=[ContactPhoneNumberColumn(column_name="Phone", type="cell")],
    )
    with open_csv(path) as source:
        checked = checking.run_validation(
            source, definition, None, "Id", "US", cancel=threading.Event(), progress=lambda _: None
        )
        result = checked.result
        rules = PhoneRules("US")
        expected = []
        for row, col, code in result.iter_codes():
            if code.startswith("phone."):
                raw = source.record(row)[col]
                e164 = rules.e164(raw.strip(TRIM_CHARS))
                if e164 and e164 != raw:
                    expected.append((row, col, e164))
        two = validate(
            source, definition, options=ValidationOptions(processes=2, batch_rows=16, phone_repairs=True)
        )
    assert expected  # the file has repairable numbers
    assert checked.phone_fixes == expected
    assert two.phone_fixes == expected
