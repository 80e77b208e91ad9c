"""A multipart field whose name cannot be read (found by the junk test on PostgreSQL)."""

from __future__ import annotations

from survey.models import Role

#: name="junk_\" escapes its own closing quote: Werkzeug gives the part the name None.
BODY = b'--XX\r\nContent-Disposition: form-data; name="junk_\\"\r\n\r\n\r\n--XX--\r\n'


def test_a_part_without_a_readable_name_is_refused_not_a_crash(client, as_role):
    as_role(Role.ADMIN)
    response = client.post(
        "/staff/register",
        data=BODY,
        content_type="multipart/form-data; boundary=XX",
        headers={"Accept-Language": "vi"},
    )
    assert response.status_code == 400
    assert "ký tự không phải là văn bản" in response.get_data(as_text=True)
