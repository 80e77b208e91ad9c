"""Throttling of staff log-in attempts: who is counted, and how the count stays exact.

Three counts, each a moving window in the rate-limit storage (RATELIMIT_STORAGE_URI):

- per client address (``RATELIMIT_LOGIN_PER_ADDRESS``): one address guessing at many
  accounts;
- per account *and* address (``RATELIMIT_LOGIN_PER_ACCOUNT``): one address guessing at
  one account. Counting the account alone let anybody lock an administrator out with
  five wrong passwords; now the attacker's failures block the attacker's address, and
  the administrator, from another address, logs in as usual;
- per account from all addresses together (``RATELIMIT_LOGIN_ACCOUNT_CEILING``), set
  above what one address may try, so only a guesser with many addresses reaches it. Then
  the account is closed to everyone for the window: being locked out for minutes is the
  lesser harm than a distributed guesser trying without end.

An attempt is counted *before* the password is checked (``limits``' moving window adds
an entry only if the limit still allows it, atomically in memory and in Redis), so a
burst of concurrent attempts cannot all pass a check made before any of them was
counted. A correct password clears the account-and-address count (the user's own typing
slips are forgiven); its attempt stays counted per address and in the ceiling.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import Flask, current_app
from limits import RateLimitItem, parse_many
from limits.strategies import MovingWindowRateLimiter

from survey.extensions import limiter

_strategies: dict[int, MovingWindowRateLimiter] = {}


def _strategy() -> MovingWindowRateLimiter:
    storage = limiter.storage
    strategy = _strategies.get(id(storage))
    if strategy is None or strategy.storage is not storage:
        strategy = _strategies[id(storage)] = MovingWindowRateLimiter(storage)
    return strategy


def _account(email: str) -> str:
    # A digest keeps whatever was typed as the e-mail out of the storage's key syntax.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Counts:
    """The counts one attempt belongs to: (setting, identifiers) pairs."""

    keys: tuple[tuple[str, tuple[str, ...]], ...]

    @classmethod
    def of(cls, email: str, address: str | None) -> Counts:
        account, address = _account(email), address or "unknown"
        return cls(
            (
                ("RATELIMIT_LOGIN_PER_ADDRESS", ("login-address", address)),
                ("RATELIMIT_LOGIN_PER_ACCOUNT", ("login-account-address", account, address)),
                ("RATELIMIT_LOGIN_ACCOUNT_CEILING", ("login-account", account)),
            )
        )

    def _items(self):
        for setting, identifiers in self.keys:
            for item in parse_many(current_app.config[setting]):
                yield setting, item, identifiers

    def take(self) -> int | None:
        """Count one attempt; None if every limit allows it, else seconds until one does."""
        strategy = _strategy()
        for _setting, item, identifiers in self._items():
            if not strategy.hit(item, *identifiers):
                return _retry_after(strategy, item, identifiers)
        return None

    def forgive(self) -> None:
        """After a correct password: forget this account's attempts from this address."""
        strategy = _strategy()
        for setting, item, identifiers in self._items():
            if setting == "RATELIMIT_LOGIN_PER_ACCOUNT":
                strategy.clear(item, *identifiers)


def _retry_after(strategy: MovingWindowRateLimiter, item: RateLimitItem, identifiers) -> int:
    import time

    reset, _remaining = strategy.get_window_stats(item, *identifiers)
    return max(1, int(reset - time.time()) + 1)


def warn_if_counting_per_process(app: Flask) -> None:
    """Log a warning at start-up when each process keeps its own rate-limit counts.

    With ``memory://`` every worker of every server counts on its own, so every limit
    (log-in included) is multiplied by the number of workers. Debug and test runs have
    one process and are left alone.
    """
    uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    if uri.startswith("memory://") and not (app.debug or app.testing):
        app.logger.warning(
            "RATELIMIT_STORAGE_URI is %s: each worker process counts rate limits on its own, so "
            "every limit, the log-in throttle included, is multiplied by the number of workers. "
            "Set SURVEY_RATELIMIT_STORAGE_URI=redis://host:6379/0 in production.",
            uri,
        )
