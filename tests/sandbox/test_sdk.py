"""The official SDK (PureCloudPlatformClientV2 269.0.0) against the sandbox, unchanged."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import urllib.parse
from typing import Any

import httpx
import pytest

from console.sandbox import Sandbox

sdk = pytest.importorskip("PureCloudPlatformClientV2")
from PureCloudPlatformClientV2.rest import ApiException  # noqa: E402

REDIRECT = "http://127.0.0.1:8910/callback"


@pytest.fixture
def client(sb: Sandbox) -> Any:
    return sdk.ApiClient(host=sb.url).get_client_credentials_token("sandbox-client", "sandbox-secret")


def build(cls: Any, **attrs: Any) -> Any:
    """SDK models take no constructor arguments; set their properties instead."""
    obj = cls()
    for name, value in attrs.items():
        setattr(obj, name, value)
    return obj


def new_list(name: str = "SDK list") -> Any:
    return build(
        sdk.ContactList,
        name=name,
        column_names=["ContactId", "Name", "Mobile"],
        phone_columns=[build(sdk.ContactPhoneNumberColumn, column_name="Mobile", type="cell")],
    )


def contact(list_id: str, cid: str, name: str) -> Any:
    return build(
        sdk.WritableDialerContact,
        id=cid,
        contact_list_id=list_id,
        data={"ContactId": cid, "Name": name, "Mobile": "+15555550100"},
    )


def test_token_good_and_bad_secret(sb: Sandbox, client: Any) -> None:
    assert client.access_token
    with pytest.raises(ApiException) as info:
        sdk.ApiClient(host=sb.url).get_client_credentials_token("sandbox-client", "wrong")
    assert info.value.status == 401
    assert json.loads(info.value.body)["error"] == "invalid_client"


def test_organization_me(client: Any) -> None:
    org = sdk.OrganizationApi(client).get_organizations_me()
    assert org.name == "Sandbox Org"
    assert org.product_platform == "GenesysCloud"


def test_list_create_get_update_immutable(client: Any) -> None:
    api = sdk.OutboundApi(client)
    made = api.post_outbound_contactlists(new_list())
    assert made.version == 1
    assert made.division.name == "Home"
    got = api.get_outbound_contactlist(made.id, include_size=True)
    assert got.size == 0
    assert got.phone_columns[0].column_name == "Mobile"
    got.name = "SDK list renamed"
    updated = api.put_outbound_contactlist(made.id, got)
    assert (updated.version, updated.name) == (2, "SDK list renamed")
    updated.phone_columns = [build(sdk.ContactPhoneNumberColumn, column_name="Name", type="cell")]
    with pytest.raises(ApiException) as info:
        api.put_outbound_contactlist(made.id, updated)
    body = json.loads(info.value.body)
    assert (info.value.status, body["code"]) == (400, "cannot.update.phone.columns")
    assert body["message"].endswith("Details: Phone number columns are different")


def test_add_upsert_and_cap(client: Any) -> None:
    api = sdk.OutboundApi(client)
    cl = api.post_outbound_contactlists(new_list("SDK contacts"))
    out = api.post_outbound_contactlist_contacts(
        cl.id, [contact(cl.id, "a", "Ann"), contact(cl.id, "b", "Bo")]
    )
    assert [c.id for c in out] == ["a", "b"]
    out = api.post_outbound_contactlist_contacts(cl.id, [contact(cl.id, "a", "Anne")])
    assert out[0].data["Name"] == "Anne"
    assert api.get_outbound_contactlist(cl.id, include_size=True).size == 2
    assert api.get_outbound_contactlist_contact(cl.id, "a").data["Name"] == "Anne"
    api.post_outbound_contactlist_contacts(cl.id, [contact(cl.id, f"x{i}", "n") for i in range(1000)])
    with pytest.raises(ApiException) as info:
        api.post_outbound_contactlist_contacts(cl.id, [contact(cl.id, f"y{i}", "n") for i in range(1001)])
    assert info.value.status == 400
    assert api.get_outbound_contactlist(cl.id, include_size=True).size == 1002
    api.post_outbound_contactlist_clear(cl.id)  # SDK sends a literal null body


def test_listing_envelope(client: Any) -> None:
    api = sdk.OutboundApi(client)
    for i in range(3):
        api.post_outbound_contactlists(new_list(f"Env {i}"))
    page = api.get_outbound_contactlists(page_size=2, page_number=1, include_size=True, name="Env")
    assert (page.total, page.page_count, page.page_size, page.page_number) == (3, 2, 2, 1)
    assert [e.name for e in page.entities] == ["Env 0", "Env 1"]
    assert page.next_uri.endswith("pageNumber=2&includeSize=true&name=Env")
    assert page.previous_uri is None
    assert page.entities[0].size == 0


def test_404_with_correlation_header(client: Any) -> None:
    with pytest.raises(ApiException) as info:
        sdk.OutboundApi(client).get_outbound_contactlist("does-not-exist")
    assert info.value.status == 404
    body = json.loads(info.value.body)
    assert body["code"] == "not.found"
    assert body["contextId"] == info.value.headers["ININ-Correlation-Id"]


def test_call_on_behalf_of_user_and_hang_up(sb: Sandbox, client: Any) -> None:
    sb.control({"switches": {"station_answer": 0}})  # the far end appears once the station answered
    users = sdk.UsersApi(client).get_users().entities
    agent = next(u for u in users if u.name == "Avery Agent")
    conv_api = sdk.ConversationsApi(client)
    created = conv_api.post_conversations_calls_user_user_id(
        agent.id, build(sdk.CreateCallRequest, phone_number="+15555550123")
    )
    call = conv_api.get_conversations_call(created.id)
    external = next(p for p in call.participants if p.purpose == "external")
    assert external.address == "tel:+15555550123"
    assert external.state in ("dialing", "connected")
    conv_api.patch_conversations_call_participant(
        created.id, external.id, build(sdk.MediaParticipantRequest, state="disconnected")
    )
    call = conv_api.get_conversations_call(created.id)
    assert {p.state for p in call.participants} == {"disconnected"}


def test_users_me_rejected_for_client_credentials(client: Any) -> None:
    with pytest.raises(ApiException) as info:
        sdk.UsersApi(client).get_users_me()
    assert info.value.status == 400
    assert "requires a user context" in json.loads(info.value.body)["message"]


def test_pkce_login_and_call(sb: Sandbox) -> None:
    api_client = sdk.ApiClient(host=sb.url)
    verifier = api_client.generate_pkce_code_verifier(64)
    challenge = api_client.compute_pkce_code_challenge(verifier)
    assert (
        challenge
        == base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    state = secrets.token_urlsafe(8)
    r = httpx.get(
        f"{sb.url}/oauth/authorize",
        params={
            "client_id": "sandbox-pkce",
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": state,
        },
    )
    assert r.status_code == 302
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(r.headers["location"]).query))
    assert query["state"] == state
    api_client, token = api_client.get_pkce_token("sandbox-pkce", verifier, query["code"], REDIRECT)
    assert token["access_token"] == api_client.access_token
    me = sdk.UsersApi(api_client).get_users_me()
    assert me.email == "sam.supervisor@sandbox.example"
    conv_api = sdk.ConversationsApi(api_client)
    created = conv_api.post_conversations_calls(build(sdk.CreateCallRequest, phone_number="+15555550124"))
    call = conv_api.get_conversations_call(created.id)
    user_part = next(p for p in call.participants if p.purpose == "user")
    assert user_part.user.id == me.id
    conv_api.patch_conversations_call_participant(
        created.id, user_part.id, build(sdk.MediaParticipantRequest, state="disconnected")
    )
    assert {p.state for p in conv_api.get_conversations_call(created.id).participants} == {"disconnected"}
    subject = sdk.AuthorizationApi(api_client).get_authorization_subjects_me()
    assert (subject.id, subject.name) == (me.id, "Sam Supervisor")
    grant = subject.grants[0]
    assert grant.division.home_division is True
    assert any(p.domain == "outbound" and "add" in p.actions for p in grant.role.policies)


def test_unanswered_station_reads_as_the_sdk_model(sb: Sandbox, client: Any) -> None:
    sb.control({"switches": {"station_answer": "never", "station_timeout": 0}})
    users = sdk.UsersApi(client).get_users().entities
    sam = next(u for u in users if u.name == "Sam Supervisor")
    conv_api = sdk.ConversationsApi(client)
    created = conv_api.post_conversations_calls_user_user_id(
        sam.id, build(sdk.CreateCallRequest, phone_number="+15555550123")
    )
    (caller,) = conv_api.get_conversations_call(created.id).participants
    assert (caller.purpose, caller.state, caller.disconnect_type) == ("user", "terminated", "error")
    assert caller.error_info.code == "error.ininedgecontrol.connection.timeout"


def test_sdk_retries_429_with_retry_after(sb: Sandbox, client: Any) -> None:
    sb.control({"faults": [{"kind": "429", "count": 2, "retry_after": 0}]})
    assert sdk.OrganizationApi(client).get_organizations_me().name == "Sandbox Org"
    assert sb.control({})["faults"] == []
