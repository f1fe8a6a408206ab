"""The staff member's reminders: the count in the navigation bar, the page, marking read (one, all),
the API; only ever one's own."""

from __future__ import annotations

from typing import Any

from django.test import Client

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.conftest import District
from banchengshi.notify.models import Notice
from banchengshi.notify.services import queue_inapp


def client_for(district: District, name: str, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    sign_in(client, district.users[name])
    return client


def remind(district: District, name: str, title: str, capture: Any) -> Notice:
    with capture(execute=True):
        message = queue_inapp(district.users[name].pk, title, "反映件的首次联系时限将于 11月24日 17:00 到期。",
                              link="/cases/BC20261123000001/", subject="BC20261123000001")
    return Notice.objects.get(message=message)


def unread_badge(page: str) -> str | None:
    marker = 'data-testid="unread-count">'
    return page.split(marker, 1)[1].split("<", 1)[0] if marker in page else None


def test_the_count_the_page_and_marking_read(district: District, django_capture_on_commit_callbacks: Any) -> None:
    first = remind(district, "rsj", "黄灯：首次联系时限临近", django_capture_on_commit_callbacks)
    remind(district, "rsj", "红灯：办结时限已超时", django_capture_on_commit_callbacks)
    theirs = remind(district, "ybj", "黄灯：医保局的提醒", django_capture_on_commit_callbacks)
    rsj = client_for(district, "rsj")

    assert unread_badge(rsj.get("/").content.decode()) == "2"
    assert unread_badge(client_for(district, "ybj").get("/ledger/").content.decode()) == "1"
    assert unread_badge(client_for(district, "dispatcher").get("/").content.decode()) is None
    page = rsj.get("/reminders/").content.decode()
    assert "黄灯：首次联系时限临近" in page and "红灯：办结时限已超时" in page and "医保局的提醒" not in page
    assert 'href="/cases/BC20261123000001/"' in page and page.count('data-unread="1"') == 2

    # Another's reminder can be neither marked nor told apart from one that does not exist.
    assert rsj.post(f"/reminders/{theirs.pk}/read/").status_code == 404
    assert rsj.post("/reminders/999999/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None

    response = rsj.post(f"/reminders/{first.pk}/read/", {"next": "/reminders/?show=unread"})
    assert response.status_code == 302 and response["Location"] == "/reminders/?show=unread"
    assert rsj.post(f"/reminders/{first.pk}/read/", {"next": "https://evil.example/"})["Location"] == "/reminders/"
    unread_page = rsj.get("/reminders/", {"show": "unread"}).content.decode()
    assert "红灯：办结时限已超时" in unread_page and "首次联系时限临近" not in unread_page
    assert unread_badge(unread_page) == "1"

    assert rsj.post("/reminders/read-all/").status_code == 302
    home = rsj.get("/").content.decode()
    assert unread_badge(home) is None and 'data-testid="reminders-link"' in home
    assert not Notice.objects.filter(user=district.users["rsj"], read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None  # "all" is all of one's own


def test_marking_read_needs_a_post_with_the_csrf_token(district: District, django_capture_on_commit_callbacks: Any) -> None:
    notice = remind(district, "rsj", "黄灯：首次联系时限临近", django_capture_on_commit_callbacks)
    strict = client_for(district, "rsj", enforce_csrf_checks=True)
    assert strict.get(f"/reminders/{notice.pk}/read/").status_code == 405
    assert strict.post(f"/reminders/{notice.pk}/read/").status_code == 403
    assert strict.post("/reminders/read-all/").status_code == 403
    notice.refresh_from_db()
    assert notice.read_at is None
    assert Client().get("/reminders/").status_code == 302  # to the login page


def test_the_api_lists_and_marks_only_ones_own(district: District, django_capture_on_commit_callbacks: Any) -> None:
    mine = remind(district, "rsj", "黄灯：首次联系时限临近", django_capture_on_commit_callbacks)
    remind(district, "rsj", "红灯：办结时限已超时", django_capture_on_commit_callbacks)
    theirs = remind(district, "ybj", "黄灯：医保局的提醒", django_capture_on_commit_callbacks)
    api = district.api("rsj")

    body = api.get("/reminders").json()
    assert body["count"] == 2 and body["unread"] == 2
    assert {r["title"] for r in body["results"]} == {"黄灯：首次联系时限临近", "红灯：办结时限已超时"}
    first = next(r for r in body["results"] if r["id"] == mine.pk)
    assert first["case"] == "BC20261123000001" and first["link"] == "/cases/BC20261123000001/"
    assert first["created_at"].endswith("+08:00") and first["read_at"] is None

    assert api.post("/reminders/read", {"ids": [theirs.pk]}).json() == {"marked": 0, "unread": 2}
    assert api.post("/reminders/read", {"ids": [mine.pk]}).json() == {"marked": 1, "unread": 1}
    assert api.get("/reminders", unread="true").json()["count"] == 1
    assert api.post("/reminders/read").json() == {"marked": 1, "unread": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert district.api("ybj").get("/reminders").json()["unread"] == 1
