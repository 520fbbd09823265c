"""Helpers for the tests of cooperating organisations and webhooks: organisations, partner accounts and endpoints
made through the real services, and a local HTTP receiver that verifies signatures."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from weiyuan.accounts.models import User
from weiyuan.core.validators import credit_code_check_char
from weiyuan.network.models import Centre, Region
from weiyuan.partners.models import Organisation
from weiyuan.partners.services import OrganisationInput, member_create, organisation_create
from weiyuan.webhooks.outbound import SIGNATURE_HEADER, signature_verify
from weiyuan.webhooks.services import webhook_endpoint_create

_seq = itertools.count(1)


def credit_code(prefix: str = "11310115") -> str:
    first17 = (prefix + f"{next(_seq):09d}")[:17]
    return first17 + credit_code_check_char(first17)


def org_input(**overrides: Any) -> OrganisationInput:
    n = next(_seq)
    data: dict[str, Any] = {
        "name": f"测试合作单位{n}",
        "kind": "court",
        "region": Region.objects.get(code=overrides.pop("region_code", "310115")),
    }
    data.update(overrides)
    return OrganisationInput(**data)


def make_org(actor: User, keeper: Centre, **overrides: Any) -> Organisation:
    return organisation_create(actor=actor, keeper=keeper, data=org_input(**overrides))


def make_partner(director: User, org: Organisation) -> User:
    """A partner account acting for `org` (fresh from the database, so no cached access state)."""
    n = next(_seq)
    member, _password = member_create(
        actor=director, organisation=org, display_name=f"合作单位账户{n}", email=f"partner{n}@example.cn"
    )
    return User.objects.get(pk=member.user_id)


def make_endpoint(director: User, org: Organisation, url: str, events: list[str] | None = None) -> tuple[Any, str]:
    endpoint, secret = webhook_endpoint_create(
        actor=director, organisation=org, url=url, events=events or ["referral.created"]
    )
    return endpoint, secret


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified: bool


@dataclass
class Receiver:
    """A local webhook receiver: answers with the next status of `script` (then 200), verifying each signature
    with the endpoint's secret the way a partner would (docs/partners.md)."""

    url: str
    script: list[int]
    secret: str = ""
    received: list[Received] = field(default_factory=list)


@contextmanager
def local_receiver(script: list[int] | None = None) -> Iterator[Receiver]:
    state = Receiver(url="", script=list(script or []))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = dict(self.headers.items())
            verified = bool(state.secret) and signature_verify(
                secret=state.secret, body=body, header=headers.get(SIGNATURE_HEADER, "")
            )
            state.received.append(Received(headers, body, verified))
            status = state.script.pop(0) if state.script else 200
            if not verified:
                status = 400
            payload = json.dumps({"ok": 200 <= status < 300}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/weiyuan"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
