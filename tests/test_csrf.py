"""Every POST route refuses a missing or wrong CSRF token (the test walks app.url_map)."""

from __future__ import annotations

import re

from survey.models import Role

SAMPLE = {
    "user_id": 1,
    "wave_id": 1,
    "response_id": 1,
    "invitation_id": 1,
    "job_id": 1,
    "action": "open",
    "change": "withdraw",
    "kind": "framework",
    "purpose": "invitation",
    "mailout_id": 1,
}


def post_paths(app):
    paths = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(SAMPLE.get(m.group(1), "0" * 32)), rule.rule)
        paths.append((rule.endpoint, path))
    return paths


def test_every_post_route_refuses_a_missing_or_wrong_token(app, client, db, as_role):
    as_role(Role.ADMIN)  # logged in as the most powerful user: only the token may stop it
    paths = post_paths(app)
    assert len(paths) >= 20
    for endpoint, path in paths:
        if endpoint == "bench.bare":
            continue
        missing = client.post(path, data={"lang": "en"})
        assert missing.status_code == 400, (endpoint, missing.status_code)
        wrong = client.post(path, data={"csrf_token": "forged.token.value", "lang": "en"})
        assert wrong.status_code == 400, (endpoint, wrong.status_code)
