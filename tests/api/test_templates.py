"""Contact-list template client methods against the sandbox (§7)."""

from __future__ import annotations

from typing import Any

import pytest

from console.api import GenesysClient
from console.api.errors import BadRequestError
from console.api.models import ContactList, ContactListTemplate
from tests.api.conftest import sandbox_requests

LIST = ContactList.model_validate(
    {
        "id": "not-sent",
        "version": 4,
        "name": "Spring",
        "division": {"id": "some-division"},
        "dateExpiration": "2030-01-01T00:00:00.000Z",
        "columnNames": ["ContactId", "Mobile", "Zip"],
        "phoneColumns": [{"columnName": "Mobile", "type": "cell"}],
        "automaticTimeZoneMapping": True,
        "zipCodeColumnName": "Zip",
    }
)


def test_template_body_has_no_list_only_fields() -> None:
    body = ContactListTemplate.from_list(LIST).create_body()
    assert body == {
        "name": "Spring",
        "columnNames": ["ContactId", "Mobile", "Zip"],
        "phoneColumns": [{"columnName": "Mobile", "type": "cell"}],
        "automaticTimeZoneMapping": True,
        "zipCodeColumnName": "Zip",
    }


def test_create_get_list_templates(api: GenesysClient, sandbox: Any) -> None:
    created = api.create_contact_list_template(ContactListTemplate.from_list(LIST))
    assert created.id
    assert created.version == 1
    [post] = [r for r in sandbox_requests(sandbox) if r["method"] == "POST" and "templates" in r["path"]]
    assert "division" not in post["body"]
    assert "not-sent" not in post["body"]
    got = api.get_contact_list_template(created.id)
    assert got.phone_column_names() == ["Mobile"]
    assert got.to_list().create_body()["zipCodeColumnName"] == "Zip"
    api.create_contact_list_template(
        ContactListTemplate.from_list(LIST.model_copy(update={"name": "Summer"}))
    )
    page = api.list_contact_list_templates(name="Spr")
    assert [t.name for t in page.entities] == ["Spring"]
    assert page.total == 1
    with pytest.raises(BadRequestError) as info:
        api.create_contact_list_template(ContactListTemplate.from_list(LIST))
    assert info.value.body is not None
    assert info.value.body.details
    assert info.value.body.details[0].field_name == "name"
