"""Error pages speak Chinese and lead back to 工作台 (DEBUG is off in tests, so Django uses them)."""

from __future__ import annotations

import re

from django.test import Client, RequestFactory
from django.views.defaults import bad_request, server_error

from banchengshi.accounts.tests.otp import sign_in
from banchengshi.conftest import District

ENGLISH_WORD = re.compile(r"\b[A-Za-z]{3,}\b")


def visible_text(html: str, username: str = "") -> str:
    """The page's words: no tags, scripts, styles or attributes, nor the signed-in user's account name."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    return text.replace(username, " ") if username else text


def client_for(district: District, name: str) -> Client:
    client = Client()
    sign_in(client, district.users[name])
    return client


def test_an_unknown_case_says_so_in_chinese(district: District) -> None:
    response = client_for(district, "registrar").get("/cases/BC20990101-0001/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "找不到您要的页面" in html and "未找到该反映件" in html
    assert 'href="/"' in html and "返回工作台" in html
    assert "我的待办" in html  # inside the workbench's navigation
    assert not ENGLISH_WORD.findall(visible_text(html, "registrar"))


def test_an_unknown_address_does_not_show_the_resolver(district: District) -> None:
    response = client_for(district, "dispatcher").get("/no-such-page/")
    assert response.status_code == 404
    text = visible_text(response.content.decode(), "dispatcher")
    assert "找不到您要的页面" in text and "Resolver404" not in text
    assert not ENGLISH_WORD.findall(text)


def test_a_forbidden_page_says_why(district: District) -> None:
    response = client_for(district, "rsj").get("/cases/new/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "您无权访问此页面" in html and "您的角色无权登记反映件" in html and "返回工作台" in html
    assert not ENGLISH_WORD.findall(visible_text(html, "rsj"))


def test_a_forbidden_admin_page_is_chinese_too(district: District) -> None:
    response = client_for(district, "admin_office").get("/admin/accounts/user/")
    assert response.status_code == 403
    text = visible_text(response.content.decode(), "admin_office")
    assert "您无权访问此页面" in text and "管理后台" in text
    assert not ENGLISH_WORD.findall(text)


def test_anonymous_visitors_get_the_chinese_404(db: None) -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "找不到您要的页面" in response.content.decode()


def test_400_and_500_render_without_a_request_context(db: None) -> None:
    request = RequestFactory().get("/")
    error = server_error(request)  # renders 500.html with no context at all
    assert error.status_code == 500
    html = error.content.decode()
    assert "系统出错了" in html and "返回工作台" in html
    assert not ENGLISH_WORD.findall(visible_text(html))
    bad = bad_request(request, Exception("Invalid HTTP_HOST header"))
    assert bad.status_code == 400
    assert "请求有误" in bad.content.decode() and "HTTP_HOST" not in bad.content.decode()


def test_a_stale_form_gets_the_chinese_csrf_page(district: District) -> None:
    client = Client(enforce_csrf_checks=True)
    sign_in(client, district.users["registrar"])
    response = client.post("/cases/new/", {})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_the_browser_s_favicon_request_gets_the_app_s_icon(db: object) -> None:
    """Every first page load asks for /favicon.ico; a 404 there showed as a console error and a log warning."""
    answer = Client().get("/favicon.ico")
    assert answer.status_code == 301 and answer["Location"].endswith(".svg") and "favicon" in answer["Location"]
    page = Client().get("/privacy/").content.decode()
    assert 'rel="icon"' in page and "favicon" in page
