"""Sandbox state: seed data, tokens, switches, faults and an optional SQLite backing.

Everything lives in memory under one re-entrant lock (``SandboxState.lock``). With a state
file, contact lists, contacts and external contacts are also written through to SQLite and
loaded back at start, so they survive a restart. Tokens, conversations, faults and the
request log are always in memory.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_NS = uuid.UUID("0b7e4a52-5d0f-4c57-9a51-3f0b4a7c2d10")


def seed_id(name: str) -> str:
    """A stable UUID for a seeded object (same across restarts)."""
    return str(uuid.uuid5(_NS, name))


ORG_ID = seed_id("org")
HOME_DIVISION_ID = seed_id("division:home")
OUTBOUND_DIVISION_ID = seed_id("division:outbound")
SUPERVISOR_ID = seed_id("user:sam")
AGENT_ID = seed_id("user:avery")
ATTEMPT_LIMITS_ID = seed_id("attemptlimits:default")

#: Every permission the emulated endpoints check (CLI names, genesys-api.md §4, §5, §8).
ALL_PERMISSIONS: tuple[str, ...] = (
    "outbound:contactList:view",
    "outbound:contactList:add",
    "outbound:contactList:edit",
    "outbound:contactList:delete",
    "outbound:contactList:search",
    "outbound:contactList:upload",
    "outbound:contact:view",
    "outbound:contact:add",
    "outbound:contact:edit",
    "outbound:contact:delete",
    "outbound:attemptLimits:view",
    "outbound:eventLog:view",
    "outbound:contactListTemplate:view",
    "outbound:contactListTemplate:add",
    "outbound:contactListTemplate:edit",
    "outbound:contactListTemplate:delete",
    "routing:queue:view",
    "conversation:call:add",
    "conversation:communication:view",
    "conversation:communication:disconnect",
    "externalContacts:contact:view",
    "externalContacts:contact:add",
)
READONLY_PERMISSIONS: tuple[str, ...] = tuple(
    p for p in ALL_PERMISSIONS if p.endswith(":view") or p.endswith(":search")
)

#: Switches and their allowed values; the first value is the default (docs/sandbox-control.md).
SWITCHES: dict[str, tuple[str, ...]] = {
    "duplicate_list_name": ("400", "409", "allow"),
    "unknown_contact_columns": ("reject", "ignore", "store"),
    "missing_contact_columns": ("allow", "reject"),
    "contacts_cap_status": ("400", "413"),
    "readonly_fields_on_create": ("ignore", "reject"),
    "version_mismatch": ("409", "400"),
    "call_bad_number": ("reject", "fail_later"),
    "client_credentials_user_call": ("400", "403"),
    "pkce_refresh_token": ("false", "true"),
    "form_body_credentials": ("reject", "accept"),
    "import_success_shape": ("no_state", "in_progress_100"),
    "import_status_updates": ("always", "never"),
}
#: Free-form switches (any string / a number of seconds) and their defaults.
FREE_SWITCHES: dict[str, str] = {
    "reject_list_write": "",
    "call_connect_after": "0.5",
    "station_answer": "1",
    "station_timeout": "60",
    "import_lag": "2",
    "heartbeat_seconds": "30",
    "channel_lifetime": "86400",
    "refused_topics": "",
    "date_skew_seconds": "0",
}


def default_switches() -> dict[str, str]:
    """Every switch at its default value."""
    out = {name: values[0] for name, values in SWITCHES.items()}
    out.update(FREE_SWITCHES)
    return out


@dataclass
class OAuthClient:
    """A registered OAuth client.

    Attributes:
        client_id: Client id.
        secret: Client secret (None for a public PKCE client).
        name: Display name.
        grant: ``CLIENT-CREDENTIALS``, ``CODE`` or ``PKCE``.
        permissions: Permissions of its tokens (client credentials) or of the user (code grants).
    """

    client_id: str
    secret: str | None
    name: str
    grant: str
    permissions: frozenset[str]


@dataclass
class Token:
    """An issued access token.

    Attributes:
        value: The bearer string.
        client: The OAuth client it was issued to.
        user_id: The user for code/PKCE tokens; None for client credentials.
        expires_at: Epoch seconds after which it answers 401.
        permissions: What it may do.
        revoked: Set by ``expire_tokens``.
    """

    value: str
    client: OAuthClient
    user_id: str | None
    expires_at: float
    permissions: frozenset[str]
    revoked: bool = False


@dataclass
class AuthCode:
    """A pending authorization code (single use, short-lived)."""

    code: str
    client_id: str
    redirect_uri: str
    user_id: str
    expires_at: float
    challenge: str | None
    challenge_method: str | None


@dataclass
class ImportJob:
    """One asynchronous import's visible status (ImportStatus JSON, genesys-api.md §6.3)."""

    status: dict[str, Any]
    running: bool = True


class Clock:
    """The sandbox's time: the wall clock plus an offset tests can move forward.

    Everything that waits for a deadline (token and code expiry, a presigned URL's expiry, an
    import's progress, a call's ring time) reads :meth:`now`, so a test says
    ``{"advance_clock": 5}`` instead of sleeping five seconds (STYLE.md: time is a seam).
    Waiters (:meth:`wait_until`) wake at once when the clock is advanced.
    """

    def __init__(self) -> None:
        self._offset = 0.0
        self._moved = threading.Condition(threading.Lock())

    def now(self) -> float:
        """Current sandbox time, epoch seconds."""
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the clock ``seconds`` forward and wake every waiter."""
        with self._moved:
            self._offset += seconds
            self._moved.notify_all()

    def reset(self) -> None:
        """Back to the wall clock."""
        with self._moved:
            self._offset = 0.0
            self._moved.notify_all()

    def wait_until(self, deadline: float) -> None:
        """Block until sandbox time reaches ``deadline`` (real time passing, or :meth:`advance`)."""
        with self._moved:
            while (left := deadline - self.now()) > 0:
                self._moved.wait(left)

    def wait_moved(self, timeout: float) -> None:
        """Block until the clock is advanced or reset, or ``timeout`` real seconds pass."""
        with self._moved:
            self._moved.wait(timeout)

    def call_later(self, delay: float, fn: Callable[[], None]) -> None:
        """Run ``fn`` on a daemon thread once ``delay`` sandbox seconds have passed."""
        deadline = self.now() + delay

        def run() -> None:
            self.wait_until(deadline)
            fn()

        threading.Thread(target=run, name="sandbox-later", daemon=True).start()


@dataclass
class RateWindow:
    """A per-token fixed 60-second window."""

    start: float
    count: int = 0


@dataclass
class SandboxState:
    """All mutable sandbox data. Guard every access with ``lock``.

    Attributes:
        config: The live configuration values (``token_lifetime``, ``rate_limit``, ``import_delay``...).
        lists: Contact lists by id (stored JSON, without size/importStatus).
        contacts: Per list id, contacts by contact id (insertion ordered).
        imports: Per list id, the last import's status.
        conversations: Call conversations by id.
        external_contacts: External contacts by id.
        tokens: Issued tokens by value.
        refresh_tokens: Refresh token value to (client id, user id).
        codes: Pending authorization codes.
        switches: Current switch values.
        faults: Pending faults, consumed in order.
        windows: Rate-limit windows by token key.
        log: Recent requests (for ``GET /sandbox/requests``).
        clock: The sandbox's time (movable by ``{"advance_clock": seconds}``).
    """

    config: dict[str, Any]
    clients: dict[str, OAuthClient]
    lock: threading.RLock = field(default_factory=threading.RLock)
    lists: dict[str, dict[str, Any]] = field(default_factory=dict)
    contacts: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    imports: dict[str, ImportJob] = field(default_factory=dict)
    conversations: dict[str, dict[str, Any]] = field(default_factory=dict)
    external_contacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)  # contact-list templates by id
    tokens: dict[str, Token] = field(default_factory=dict)
    refresh_tokens: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    switches: dict[str, str] = field(default_factory=default_switches)
    faults: list[dict[str, Any]] = field(default_factory=list)
    windows: dict[str, RateWindow] = field(default_factory=dict)
    log: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=5000))
    events: list[dict[str, Any]] = field(default_factory=list)  # outbound event log, newest first
    persist: SqlitePersistence | None = None
    generation: int = 0
    clock: Clock = field(default_factory=Clock)
    hub: Any = None  # the notification hub (console/sandbox/notifications.py), made by the server

    def switch(self, name: str) -> str:
        """The current value of a switch."""
        return self.switches[name]

    # -- seed -------------------------------------------------------------------------------------
    @property
    def org(self) -> dict[str, Any]:
        """The organization (Organization JSON)."""
        return {
            "id": ORG_ID,
            "name": "Sandbox Org",
            "defaultLanguage": "en-us",
            "defaultCountryCode": "US",
            "thirdPartyOrgName": "sandbox-org",
            "domain": "sandbox-org",
            "version": 1,
            "state": "active",
            "voicemailEnabled": False,
            "productPlatform": "GenesysCloud",
            "features": {"outbound": True},
            "selfUri": f"/api/v2/organizations/{ORG_ID}",
        }

    divisions: tuple[dict[str, Any], ...] = (
        {"id": HOME_DIVISION_ID, "name": "Home", "description": "The home division", "homeDivision": True},
        {
            "id": OUTBOUND_DIVISION_ID,
            "name": "Outbound Team",
            "description": "Outbound dialing",
            "homeDivision": False,
        },
    )
    users: tuple[dict[str, Any], ...] = (
        {
            "id": SUPERVISOR_ID,
            "name": "Sam Supervisor",
            "email": "sam.supervisor@sandbox.example",
            "username": "sam.supervisor@sandbox.example",
            "title": "Outbound Supervisor",
            "department": "Outbound",
        },
        {
            "id": AGENT_ID,
            "name": "Avery Agent",
            "email": "avery.agent@sandbox.example",
            "username": "avery.agent@sandbox.example",
            "title": "Agent",
            "department": "Outbound",
        },
    )
    queues: tuple[dict[str, Any], ...] = (
        {"id": seed_id("queue:sales"), "name": "Outbound Sales"},
        {"id": seed_id("queue:collections"), "name": "Collections"},
        {"id": seed_id("queue:support"), "name": "Customer Support"},
    )
    attempt_limits: tuple[dict[str, Any], ...] = (
        {
            "id": ATTEMPT_LIMITS_ID,
            "name": "Default attempt limits",
            "maxAttemptsPerContact": 5,
            "maxAttemptsPerNumber": 3,
            "timeZoneId": "UTC",
            "resetPeriod": "NEVER",
            "version": 1,
        },
    )

    def division_ref(self, division_id: str) -> dict[str, Any] | None:
        """``{id, name, selfUri}`` of a division, or None when unknown."""
        for d in self.divisions:
            if d["id"] == division_id:
                return {
                    "id": d["id"],
                    "name": d["name"],
                    "selfUri": f"/api/v2/authorization/divisions/{d['id']}",
                }
        return None

    def user(self, user_id: str) -> dict[str, Any] | None:
        """The seeded user with that id, or None."""
        return next((u for u in self.users if u["id"] == user_id), None)

    # -- persistence ------------------------------------------------------------------------------
    def save_list(self, contact_list: dict[str, Any]) -> None:
        """Write a list through to the state file (if any)."""
        if self.persist:
            self.persist.put("lists", contact_list["id"], contact_list)

    def delete_list(self, list_id: str) -> None:
        """Remove a list and its contacts from memory and the state file."""
        self.lists.pop(list_id, None)
        self.contacts.pop(list_id, None)
        self.imports.pop(list_id, None)
        if self.persist:
            self.persist.delete("lists", list_id)
            self.persist.clear_contacts(list_id)

    def save_contacts(self, list_id: str, contacts: Iterable[dict[str, Any]]) -> None:
        """Write contacts through to the state file (if any)."""
        if self.persist:
            self.persist.put_contacts(list_id, contacts)

    def delete_contacts(self, list_id: str, ids: Iterable[str]) -> None:
        """Remove contacts from the state file (if any); memory is the caller's job."""
        if self.persist:
            self.persist.delete_contacts(list_id, ids)

    def clear_contacts(self, list_id: str) -> None:
        """Empty a list's contacts in memory and in the state file."""
        if list_id in self.contacts:
            self.contacts[list_id] = {}
        if self.persist:
            self.persist.clear_contacts(list_id)

    def save_external(self, contact: dict[str, Any]) -> None:
        """Write an external contact through to the state file (if any)."""
        if self.persist:
            self.persist.put("external", contact["id"], contact)

    def load(self) -> None:
        """Load persisted lists, contacts and external contacts (start-up)."""
        if not self.persist:
            return
        self.lists = dict(self.persist.all("lists"))
        self.external_contacts = dict(self.persist.all("external"))
        self.contacts = {list_id: {} for list_id in self.lists}
        for list_id, contact in self.persist.all_contacts():
            self.contacts.setdefault(list_id, {})[contact["id"]] = contact

    def reset_data(self) -> None:
        """Back to the seed: no lists, contacts, imports, calls, external contacts, tokens."""
        self.lists.clear()
        self.contacts.clear()
        self.imports.clear()
        self.conversations.clear()
        self.external_contacts.clear()
        self.templates.clear()
        self.tokens.clear()
        self.refresh_tokens.clear()
        self.codes.clear()
        self.windows.clear()
        self.faults.clear()
        self.log.clear()
        self.events.clear()
        self.switches = default_switches()
        self.clock.reset()
        self.generation += 1
        if self.persist:
            self.persist.wipe()


class SqlitePersistence:
    """Write-through SQLite storage for lists, contacts and external contacts.

    Args:
        path: The state file; created when missing.
    """

    def __init__(self, path: str | Path) -> None:
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS objects (kind TEXT, id TEXT, json TEXT, PRIMARY KEY(kind, id))"
            )
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS contacts (seq INTEGER PRIMARY KEY AUTOINCREMENT, list_id TEXT, "
                "id TEXT, json TEXT, UNIQUE(list_id, id))"
            )

    def put(self, kind: str, object_id: str, data: dict[str, Any]) -> None:
        """Insert or replace one object."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO objects VALUES (?, ?, ?)", (kind, object_id, json.dumps(data))
            )

    def delete(self, kind: str, object_id: str) -> None:
        """Delete one object."""
        with self._lock:
            self._db.execute("DELETE FROM objects WHERE kind = ? AND id = ?", (kind, object_id))

    def all(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        """All objects of a kind, as (id, data)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, json FROM objects WHERE kind = ? ORDER BY rowid", (kind,)
            ).fetchall()
        return [(row[0], json.loads(row[1])) for row in rows]

    def put_contacts(self, list_id: str, contacts: Iterable[dict[str, Any]]) -> None:
        """Upsert contacts keeping their first insertion position."""
        rows = [(list_id, c["id"], json.dumps(c)) for c in contacts]
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT INTO contacts (list_id, id, json) VALUES (?, ?, ?) "
                "ON CONFLICT(list_id, id) DO UPDATE SET json = excluded.json",
                rows,
            )
            self._db.execute("COMMIT")

    def delete_contacts(self, list_id: str, ids: Iterable[str]) -> None:
        """Delete some contacts of a list."""
        with self._lock:
            self._db.executemany(
                "DELETE FROM contacts WHERE list_id = ? AND id = ?", [(list_id, i) for i in ids]
            )

    def clear_contacts(self, list_id: str) -> None:
        """Delete every contact of a list."""
        with self._lock:
            self._db.execute("DELETE FROM contacts WHERE list_id = ?", (list_id,))

    def all_contacts(self) -> list[tuple[str, dict[str, Any]]]:
        """Every contact as (list id, data), in insertion order."""
        with self._lock:
            rows = self._db.execute("SELECT list_id, json FROM contacts ORDER BY seq").fetchall()
        return [(row[0], json.loads(row[1])) for row in rows]

    def wipe(self) -> None:
        """Delete everything."""
        with self._lock:
            self._db.execute("DELETE FROM objects")
            self._db.execute("DELETE FROM contacts")

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
