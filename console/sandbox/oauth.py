"""OAuth endpoints: ``POST /oauth/token`` and ``GET /oauth/authorize`` (genesys-api.md §1).

Grants: client credentials (Basic header), authorization code for confidential clients,
authorization code with PKCE (S256) for public clients, and refresh tokens. Errors use the
OAuth shape (``OAuthError``), never ErrorBody.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import urllib.parse

from console.sandbox.errors import OAuthError
from console.sandbox.store import SUPERVISOR_ID, AuthCode, OAuthClient, Token
from console.sandbox.wire import Request, Response

CODE_LIFETIME = 60.0
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def is_loopback_redirect(uri: str) -> bool:
    """True for an ``http://`` loopback redirect URI with any port and path (RFC 8252)."""
    try:
        parts = urllib.parse.urlsplit(uri)
    except ValueError:
        return False
    return parts.scheme == "http" and (parts.hostname or "") in _LOOPBACK_HOSTS and not parts.fragment


def pkce_challenge(verifier: str) -> str:
    """base64url(SHA-256(verifier)) without padding (the S256 method)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _form(req: Request) -> dict[str, str]:
    ctype = req.headers.get("content-type", "")
    if "application/x-www-form-urlencoded" not in ctype:
        raise OAuthError(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
    try:
        pairs = urllib.parse.parse_qsl(req.body.decode(), keep_blank_values=True)
    except UnicodeDecodeError:
        raise OAuthError(400, "invalid_request", "The form body is not UTF-8") from None
    return dict(pairs)


def _basic(req: Request) -> tuple[str, str] | None:
    header = req.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        raw = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError(401, "invalid_client", "authentication failed") from None
    client_id, sep, secret = raw.partition(":")
    if not sep:
        raise OAuthError(401, "invalid_client", "authentication failed")
    return client_id, secret


def _confidential_client(req: Request, form: dict[str, str]) -> OAuthClient:
    creds = _basic(req)
    if creds is None and "client_secret" in form:
        if req.state.switch("form_body_credentials") != "accept":
            raise OAuthError(
                401, "invalid_client", "client credentials must be sent in the Authorization header (Basic)"
            )
        creds = (form.get("client_id", ""), form["client_secret"])
    if creds is None:
        raise OAuthError(401, "invalid_client", "authentication failed")
    client = req.state.clients.get(creds[0])
    if client is None or client.secret is None or not secrets.compare_digest(client.secret, creds[1]):
        raise OAuthError(401, "invalid_client", "authentication failed")
    return client


def issue(req: Request, client: OAuthClient, user_id: str | None, *, refresh: bool) -> Response:
    """Issue an access token (and optionally a refresh token) and answer the token JSON."""
    state = req.state
    lifetime = int(state.config["token_lifetime"])
    value = secrets.token_urlsafe(48)
    state.tokens[value] = Token(value, client, user_id, req.now + lifetime, client.permissions)
    body: dict[str, object] = {"access_token": value, "token_type": "bearer", "expires_in": lifetime}
    if refresh:
        refresh_value = secrets.token_urlsafe(48)
        state.refresh_tokens[refresh_value] = (client.client_id, user_id)
        body["refresh_token"] = refresh_value
    return Response(200, body, headers={"Cache-Control": "no-store"})


def token(req: Request) -> Response:
    """``POST /oauth/token``."""
    form = _form(req)
    grant = form.get("grant_type", "")
    state = req.state
    with state.lock:
        if grant == "client_credentials":
            client = _confidential_client(req, form)
            if client.grant != "CLIENT-CREDENTIALS":
                raise OAuthError(
                    400, "unauthorized_client", "the client may not use the client_credentials grant"
                )
            return issue(req, client, None, refresh=False)
        if grant == "authorization_code":
            return _code_grant(req, form)
        if grant == "refresh_token":
            return _refresh(req, form)
        if not grant:
            raise OAuthError(400, "invalid_request", "grant_type is required")
        raise OAuthError(400, "unsupported_grant_type", f"unsupported grant_type [{grant}]")


def _code_grant(req: Request, form: dict[str, str]) -> Response:
    state = req.state
    if _basic(req) is not None or "client_secret" in form:
        client = _confidential_client(req, form)
    else:
        found = state.clients.get(form.get("client_id", ""))
        if found is None:
            raise OAuthError(401, "invalid_client", "authentication failed")
        client = found
        if client.secret is not None:
            raise OAuthError(401, "invalid_client", "client authentication is required for this client")
    code = state.codes.pop(form.get("code", ""), None)  # single use: gone even when the rest fails
    if code is None or code.expires_at < req.now:
        raise OAuthError(400, "invalid_grant", "authorization code is invalid or expired")
    if code.client_id != client.client_id:
        raise OAuthError(400, "invalid_grant", "authorization code was issued to another client")
    if code.redirect_uri != form.get("redirect_uri", ""):
        raise OAuthError(400, "invalid_grant", "redirect_uri does not match the authorization request")
    if code.challenge is not None:
        verifier = form.get("code_verifier", "")
        if not verifier:
            raise OAuthError(400, "invalid_grant", "code_verifier is required")
        if not secrets.compare_digest(pkce_challenge(verifier), code.challenge):
            raise OAuthError(400, "invalid_grant", "code_verifier does not match the code_challenge")
    refresh = client.secret is not None or state.switch("pkce_refresh_token") == "true"
    return issue(req, client, code.user_id, refresh=refresh)


def _refresh(req: Request, form: dict[str, str]) -> Response:
    state = req.state
    if _basic(req) is not None:
        client = _confidential_client(req, form)
    else:
        found = state.clients.get(form.get("client_id", ""))
        if found is None or found.secret is not None:
            raise OAuthError(401, "invalid_client", "authentication failed")
        client = found
    entry = state.refresh_tokens.pop(form.get("refresh_token", ""), None)
    if entry is None or entry[0] != client.client_id:
        raise OAuthError(400, "invalid_grant", "refresh token is invalid")
    return issue(req, client, entry[1], refresh=True)


def authorize(req: Request) -> Response:
    """``GET /oauth/authorize``: approves the sandbox supervisor and redirects with a code."""
    state = req.state
    client_id = req.q("client_id") or ""
    redirect_uri = req.q("redirect_uri") or ""
    client = state.clients.get(client_id)
    if client is None or client.grant not in ("CODE", "PKCE"):
        raise OAuthError(400, "invalid_client", f"unknown or non-interactive client_id [{client_id}]")
    if not is_loopback_redirect(redirect_uri):
        raise OAuthError(
            400, "invalid_request", f"redirect_uri [{redirect_uri}] is not registered for this client"
        )
    params: dict[str, str] = {}
    st = req.q("state")
    challenge = req.q("code_challenge")
    method = req.q("code_challenge_method")
    if req.q("response_type") != "code":
        params = {"error": "unsupported_response_type", "error_description": "response_type must be code"}
    elif client.grant == "PKCE" and (not challenge or method != "S256"):
        params = {
            "error": "invalid_request",
            "error_description": "code_challenge and code_challenge_method=S256 are required",
        }
    else:
        code = secrets.token_urlsafe(32)
        with state.lock:
            state.codes[code] = AuthCode(
                code, client_id, redirect_uri, SUPERVISOR_ID, req.now + CODE_LIFETIME, challenge, method
            )
        params = {"code": code}
    if st is not None:
        params["state"] = st
    sep = "&" if urllib.parse.urlsplit(redirect_uri).query else "?"
    location = redirect_uri + sep + urllib.parse.urlencode(params)
    return Response(302, None, headers={"Location": location})
