"""通报 as numbered official documents: 文号 by year and sequence, the PDF, the list, and no number twice."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test import Client

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.audit.models import Event
from banchengshi.conftest import District
from banchengshi.papers.tests.helpers import flat, page_images, pdf_text
from banchengshi.supervision.actions import do_issue_notice
from banchengshi.supervision.models import Notice

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _issue(district: District, title: str = "关于人社局超时办理的通报", unit: str = "RSJ") -> Notice:
    return do_issue_notice(acting_user=district.users["admin_office"], unit=district.units[unit], kind="general",
                           title=title, body="经查，该单位本季度有3件反映件超时办理。\n请于5个工作日内书面说明整改情况。")


def test_numbers_run_1_2_in_a_year_and_start_again_at_1_the_next_year(district: District, settings: Any) -> None:
    settings.NOTICE_NUMBER_PREFIX = "示政服办通"
    with time_machine.travel(datetime(2026, 12, 30, 10, 0, tzinfo=SHANGHAI), tick=False):
        first, second = _issue(district), _issue(district)
    with time_machine.travel(datetime(2027, 1, 4, 10, 0, tzinfo=SHANGHAI), tick=False):
        third = _issue(district)
    assert [(n.year, n.sequence) for n in (first, second, third)] == [(2026, 1), (2026, 2), (2027, 1)]
    assert [n.number for n in (first, second, third)] == ["示政服办通〔2026〕1号", "示政服办通〔2026〕2号", "示政服办通〔2027〕1号"]
    assert Event.objects.filter(action="notice_issued", data__number="示政服办通〔2026〕2号").count() == 1


def test_the_notice_prints_as_an_official_document_with_number_signer_and_date(district: District, monday: Any) -> None:
    notice = _issue(district)
    response = sign_in(Client(), district.users["admin_office"]).get(f"/notices/{notice.pk}/print.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    page_images(response.content, "papers-notice")
    text = flat(pdf_text(response.content))
    organ = district.users["admin_office"].unit.name
    assert f"{organ}文件" in text
    assert notice.number in text and notice.number.endswith("〔2026〕1号")
    assert "关于人社局超时办理的通报" in text and f"{district.units['RSJ'].name}：" in text
    assert "经查，该单位本季度有3件反映件超时办理。" in text and "请于5个工作日内书面说明整改情况。" in text
    assert f"签发人：{district.users['admin_office']}" in text and "2026年11月23日10时00分签发" in text
    assert "（印章）" in text and "2026年11月23日" in text
    assert Event.objects.filter(action="printed", data__notice=notice.pk).count() == 1


def test_the_list_shows_number_title_signer_and_time_and_the_api_the_number(district: District, monday: Any) -> None:
    notice = _issue(district)
    page = sign_in(Client(), district.users["rsj"]).get("/notices/").content.decode()
    for words in (notice.number, notice.title, str(district.users["admin_office"]), "2026-11-23 10:00", f"/notices/{notice.pk}/print.pdf"):
        assert words in page, words
    listed = district.api("rsj").get("/notices").json()["results"][0]
    assert listed["number"] == notice.number and listed["url"] == f"/notices/{notice.pk}/print.pdf"


def test_a_unit_not_notified_gets_no_notice_pdf(district: District, monday: Any) -> None:
    notice = _issue(district)
    response = sign_in(Client(), district.users["ybj"]).get(f"/notices/{notice.pk}/print.pdf")
    assert response.status_code == 404


def test_the_database_refuses_a_number_twice_in_a_year(district: District, monday: Any) -> None:
    notice = _issue(district)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notice.objects.create(unit=notice.unit, kind="general", title="重号", body="重号", issued_by=notice.issued_by,
                              issued_at=notice.issued_at, year=notice.year, sequence=notice.sequence)


# SQLite's test database is in memory (one shared-cache database, table locks rather than the file's write lock);
# on a file every transaction is BEGIN IMMEDIATE (settings), so writers take turns and the counter is safe there.
@pytest.mark.skipif(connection.vendor == "sqlite", reason="in-memory SQLite: writers do not take turns as on a file")
@pytest.mark.django_db(transaction=True)
def test_notices_issued_at_once_get_distinct_numbers(district: District) -> None:
    times, barrier, errors = 8, threading.Barrier(8), []

    def one(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            _issue(district, title=f"并发通报{i}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    year = Notice.objects.filter(title__startswith="并发通报").values_list("year", flat=True).first()
    assert sorted(Notice.objects.filter(year=year).values_list("sequence", flat=True)) == list(range(1, times + 1))
