"""Validation hands back the plan it checked with (the preview re-checks edited rows with it)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from console.api.models import ContactList, ContactPhoneNumberColumn
from console.contacts.reader import open_csv
from console.contacts.rules import check_batch
from console.contacts.validate import ValidationOptions, validate

LIST = ContactList(
    name="plan",
    column_names=["Id", "Name", "Phone"],
    phone_columns=[ContactPhoneNumberColumn(column_name="Phone", type="cell")],
)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    p = tmp_path / "in.csv"
    p.write_text("phone,ID,name\r\n+12125550101,1,Ann\r\ncall me,2,Bob\r\n", encoding="utf-8")
    return p


def test_the_result_carries_its_plan_and_header_mapping(path: Path) -> None:
    with open_csv(path) as source:
        result = validate(source, LIST, options=ValidationOptions(id_column="Id", processes=1))
        assert result.columns == {"Id": 1, "Name": 2, "Phone": 0}
        assert result.plan is not None
        assert result.plan.id_index == 1
        # the plan re-checks a record as the run did: row 1's phone is an error
        again = check_batch(source.records(1, 2), result.plan, 1)
        assert again.status[0] == result.row_status(1)
        copy = pickle.loads(pickle.dumps(result))  # it crosses from the validation child
    assert copy.plan == result.plan
    assert copy.columns == result.columns


@pytest.mark.parametrize(("if_mapped", "raises"), [(False, True), (True, False)])
def test_an_unmapped_id_column_raises_unless_asked_to_check_without_it(
    tmp_path: Path, if_mapped: bool, raises: bool
) -> None:
    no_ids = tmp_path / "no-ids.csv"
    no_ids.write_text("Name,Phone\r\nAnn,+12125550101\r\n", encoding="utf-8")
    options = ValidationOptions(id_column="Id", id_column_if_mapped=if_mapped, processes=1)
    with open_csv(no_ids) as source:
        if raises:
            with pytest.raises(ValueError, match="Id"):
                validate(source, LIST, options=options)
        else:
            result = validate(source, LIST, options=options)
            assert result.plan is not None
            assert result.plan.id_index is None
