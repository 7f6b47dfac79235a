"""The exception tree: one root, one CredentialsError, one Cancelled, and errors that survive pickling."""

from __future__ import annotations

import json
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor

import httpx
import pytest

import console.errors
from console.api import errors as api_errors
from console.api.errors import (
    ApiConnectionError,
    ApiError,
    ApiStatusError,
    ApiTimeoutError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from console.credentials import secrets

_URL = "https://api.mypurecloud.ie/api/v2/outbound/contactlists/abc"


def _status_error(status: int = 403, headers: dict[str, str] | None = None) -> ApiStatusError:
    body = {
        "message": "You must have outbound:contactList:add",
        "code": "missing.any.permissions",
        "status": status,
        "messageParams": {"permissions": "[outbound:contactList:add]"},
    }
    response = httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"ININ-Correlation-Id": "corr-7", **(headers or {})},
        request=httpx.Request("PUT", _URL),
    )
    return ApiStatusError.from_response(response, request_body='{"name":"x"}')


def _fields(exc: BaseException) -> dict[str, object]:
    out: dict[str, object] = {"class": type(exc), "str": str(exc)}
    if isinstance(exc, ApiError):
        out.update(message=exc.message, method=exc.method, path=exc.path)
        out["url"] = str(exc.request.url) if exc.request is not None else None
    if isinstance(exc, ApiStatusError):
        out.update(
            status=exc.status_code,
            code=exc.code,
            body=exc.body,
            correlation_id=exc.correlation_id,
            request_body=exc.request_body,
            response_text=exc.response_text,
        )
    if isinstance(exc, RateLimitError):
        out["retry_after"] = exc.retry_after
    if isinstance(exc, console.errors.CredentialsError):
        out["no_keyring"] = exc.no_keyring
    return out


def _examples() -> list[BaseException]:
    html = httpx.Response(
        502, content=b"<html><body>Bad gateway</body></html>", request=httpx.Request("GET", _URL)
    )
    return [
        _status_error(403),
        _status_error(429, {"Retry-After": "7"}),
        ApiStatusError.from_response(html),
        ApiConnectionError("refused", httpx.Request("GET", _URL)),
        ApiTimeoutError("read timed out", httpx.Request("POST", _URL)),
        ApiError("no request"),
        console.errors.CredentialsError("keyring locked", no_keyring=True),
        console.errors.Cancelled("cancelled"),
    ]


def test_one_tree() -> None:
    assert api_errors.ConsoleError is console.errors.ConsoleError
    assert api_errors.CredentialsError is console.errors.CredentialsError
    assert secrets.CredentialsError is console.errors.CredentialsError
    assert api_errors.OperationCancelledError is console.errors.Cancelled
    assert issubclass(ApiError, console.errors.ConsoleError)


@pytest.mark.parametrize("exc", _examples(), ids=lambda e: type(e).__name__)
def test_pickle_round_trip_keeps_everything(exc: BaseException) -> None:
    back = pickle.loads(pickle.dumps(exc))
    assert _fields(back) == _fields(exc)


def test_pickle_keeps_the_details_that_matter() -> None:
    limited = pickle.loads(pickle.dumps(_status_error(429, {"Retry-After": "7"})))
    assert isinstance(limited, RateLimitError)
    assert (limited.status_code, limited.retry_after, limited.correlation_id) == (429, 7.0, "corr-7")
    assert (limited.method, limited.path) == ("PUT", "/api/v2/outbound/contactlists/abc")
    denied = pickle.loads(pickle.dumps(_status_error(403)))
    assert isinstance(denied, PermissionDeniedError)
    assert denied.missing_permissions == ["outbound:contactList:add"]
    assert denied.request_body == '{"name":"x"}'


def raise_example(index: int) -> None:
    """Runs in a spawned child: raise one of the examples."""
    raise _examples()[index]


def test_errors_raised_in_a_spawned_child_arrive_whole() -> None:
    expected = _examples()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        for index, original in enumerate(expected):
            with pytest.raises(type(original)) as info:
                pool.submit(raise_example, index).result(timeout=60)
            assert _fields(info.value) == _fields(original)
    assert isinstance(expected[2], ServerError)
