from __future__ import annotations

import re

from tests import factories
from tests.invitations.conftest import BASE_URL

LINK = re.compile(re.escape(BASE_URL) + r"/i/([A-Za-z0-9_-]+)")
UNSUBSCRIBE = re.compile(re.escape(BASE_URL) + r"/unsubscribe/([A-Za-z0-9_-]+)")


def firm(email: str | None, **fields):
    return factories.enterprise(contact_email=email, **fields)


def token_in(message, pattern=LINK) -> str:
    found = pattern.findall(message.get_content())
    assert len(found) == 1, message.get_content()
    return found[0]
