"""API tokens: how they are made, refused, revoked and counted. Flushes, never commits.

A token is a 256-bit secret (survey.tokens) given once to the admin who creates it, for
a named client, with a scope and an expiry; only its digest is stored. Creating and
revoking are audited. A use is counted (``use_count``, ``last_used_at``) on every
accepted request, not audited one by one: the audit trail records what people did, and
a data warehouse polling every minute would drown it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from survey import audit, tokens
from survey.models import ApiScope, ApiToken, StaffUser
from survey.models.base import utcnow
from survey.timezone import LOCAL

#: The longest a token may live; a client that still needs the API gets a new one.
MAX_DAYS = 730
CLIENT_MAX = 120


class TokenRefused(ValueError):
    """A token that cannot be made as asked; ``problems`` maps each field to what is wrong."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


@dataclass(frozen=True)
class Caller:
    """The token an API request came with, once accepted (no ORM object: its session is gone)."""

    id: int
    client: str
    scope: ApiScope

    def may(self, scope: ApiScope) -> bool:
        return self.scope is ApiScope.ANALYST or scope is ApiScope.VIEWER


def expiry_of(day: date) -> datetime:
    """A token given until ``day`` works to the end of that day in the city's time."""
    return datetime.combine(day + timedelta(days=1), time(0), LOCAL).astimezone(UTC)


def _checked(client: str, scope: str, expires_on: date | None, today: date) -> tuple[str, ApiScope, date]:
    problems = {}
    client = (client or "").strip()
    if not client:
        problems["client"] = _("Name the system the token is for.")
    elif len(client) > CLIENT_MAX:
        problems["client"] = _("At most %(n)d characters.", n=CLIENT_MAX)
    if scope not in {s.value for s in ApiScope}:
        problems["scope"] = _("Choose viewer or analyst.")
    if expires_on is None or not today < expires_on <= today + timedelta(days=MAX_DAYS):
        problems["expires_on"] = _("Choose a day after today and at most %(n)d days ahead.", n=MAX_DAYS)
    if problems:
        raise TokenRefused(problems)
    return client, ApiScope(scope), expires_on  # type: ignore[return-value]


def create(
    session: Session, client: str, scope: str, expires_on: date | None, actor: StaffUser
) -> tuple[ApiToken, str]:
    """A new token and its secret (show it once: it is not kept)."""
    today = utcnow().astimezone(LOCAL).date()
    client, chosen, day = _checked(client, scope, expires_on, today)
    secret, digest = tokens.new_token()
    token = ApiToken(
        client=client,
        scope=chosen,
        token_hash=digest,
        expires_at=expiry_of(day),
        created_by_id=actor.id,
        use_count=0,
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        "api_token.created",
        token,
        client=client,
        scope=chosen,
        expires_at=token.expires_at,
        actor_id=actor.id,
    )
    return token, secret


def revoke(session: Session, token: ApiToken, actor: StaffUser) -> bool:
    """Revoke ``token`` from now on; False if it was revoked already."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    token.revoked_by_id = actor.id
    audit.record(session, "api_token.revoked", token, client=token.client, actor_id=actor.id)
    return True


def listed(session: Session) -> list[ApiToken]:
    """Every token, the newest first (revoked and expired ones too: they explain old uses)."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


class Refusal(Exception):
    """Why a presented token is not accepted: ``code`` is a problem code (survey.api.problems)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def accept(session: Session, secret: str, now: datetime) -> Caller:
    """The caller of a token that is live now, its use counted; else :class:`Refusal`.

    ``session`` is a writing unit of its own (survey.work.beside): the count is kept even
    though the request itself only reads.
    """
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == tokens.digest(secret))).first()
    if token is None:
        raise Refusal("token_invalid")
    if token.revoked_at is not None:
        raise Refusal("token_revoked")
    if not token.live(now):
        raise Refusal("token_expired")
    session.execute(
        update(ApiToken)
        .where(ApiToken.id == token.id)
        .values(use_count=ApiToken.use_count + 1, last_used_at=now)
    )
    return Caller(token.id, token.client, token.scope)
