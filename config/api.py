"""One NinjaAPI under /api/v1/. Errors are JSON {"detail": "..."} in Chinese with a 4xx status."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from banchengshi.accounts.auth import TokenAuth
from banchengshi.accounts.models import ApiToken
from banchengshi.cases.api import attachments as attachments_router
from banchengshi.cases.api import router as cases_router
from banchengshi.cases.api import work_orders as work_orders_router
from banchengshi.cases.api_calendar import router as calendar_router
from banchengshi.cases.transitions import InvalidTransition
from banchengshi.dispatch.api import router as dispatch_router
from banchengshi.idempotency.services import idempotent
from banchengshi.integrations.api import router as integrations_router
from banchengshi.lib.errors import ActionError, ActionForbidden, TooManyRequests
from banchengshi.lib.validation import describe_errors
from banchengshi.notify.api import router as reminders_router
from banchengshi.public.actions import ReportRefused
from banchengshi.public.api import router as public_router
from banchengshi.sla.api import router as due_router
from banchengshi.sla.calendar import CalendarError
from banchengshi.supervision.api import cases_router as resupervise_router
from banchengshi.supervision.api import meetings_router, notices_router


def docs_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The API's documentation (Swagger UI at /api/v1/docs, the schema at /api/v1/openapi.json): open in
    development; in production (settings.API_DOCS_PUBLIC off) only to a signed-in staff member (is_staff:
    those who may open the admin) or a request with a valid API token. Otherwise the page sends the
    browser to sign in and the schema answers 401, as the API does."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if settings.API_DOCS_PUBLIC:
            return view(request, *args, **kwargs)
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff:
            return view(request, *args, **kwargs)
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip() and TokenAuth().authenticate(request, token.strip()):
            return view(request, *args, **kwargs)
        if request.path.endswith(".json") or request.headers.get("Authorization"):
            return JsonResponse({"detail": "未登录或令牌无效"}, status=401, json_dumps_params={"ensure_ascii": False})
        if user.is_authenticated:
            return JsonResponse({"detail": "接口文档仅对管理后台工作人员开放"}, status=403,
                                json_dumps_params={"ensure_ascii": False})
        return redirect_to_login(request.get_full_path())

    return guarded


DESCRIPTION = """“办不成事”反映窗口受理处置系统的接口。时间均为带时区偏移的 ISO 8601；未带偏移的输入按北京时间理解。

**重试与 `Idempotency-Key`**：每个 POST（登记反映件 `POST /cases`、群众自助反映 `POST /public/reports` 等）都可带请求头
`Idempotency-Key`（1–255 位可见 ASCII 字符，建议每个新请求用一个新的 UUID）。没有收到应答（连接中断、超时、5xx）时，
用**同一个键原样重发**：首次请求已完成的，返回首次的应答（状态码和内容相同，如同一个登记编号，并带
`Idempotent-Replayed: true`），不会重复登记，也不会重复记入时间线和审计记录；首次请求未完成的，照常办理一次。
同一个键用于不同的请求（方法、地址或请求体字节不同）时答 422。两个相同键的请求同时到达时，后到的等待先到的完成，
然后得到同一个应答。4xx 应答不保存：改正请求后可用同一个键再发。键按调用方区分（接口令牌所属账号；无令牌的群众端
为一个调用方，必须请求体完全相同才会重放），保存 `IDEMPOTENCY_KEY_HOURS` 小时（默认 24），之后自动清理。"""


def caller_scope(request: HttpRequest) -> str:
    """Whose Idempotency-Key this is, read before authentication: the account of a known API token (any
    token of one account shares its keys), else the public (whose retries must match byte for byte)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        user_id = ApiToken.objects.filter(digest=ApiToken.digest_of(token.strip())).values_list("user_id", flat=True).first()
        return f"user:{user_id}" if user_id is not None else "unknown-token"
    return "public"


api = NinjaAPI(
    title="办成事 API",
    version="1",
    description=DESCRIPTION,
    auth=TokenAuth(),
    urls_namespace="api-v1",
    docs_decorator=docs_access,
)
# Around authentication and the endpoint ("view" mode): a retried POST is answered from its first run.
api.add_decorator(idempotent(caller_scope), mode="view")
api.add_router("/cases", cases_router)
api.add_router("/cases", resupervise_router)  # POST /cases/{reference}/resupervise (supervision)
api.add_router("/work-orders", work_orders_router)
api.add_router("/attachments", attachments_router)
api.add_router("/calendar", due_router)  # GET /calendar/due (sla)
api.add_router("/calendar", calendar_router)  # GET and PUT /calendar/{year} (cases: a new year moves clocks)
api.add_router("/dispatch", dispatch_router)
api.add_router("/meetings", meetings_router)
api.add_router("/notices", notices_router)  # 通报 to units (supervision)
api.add_router("/reminders", reminders_router)  # the staff member's own reminders (notify)
api.add_router("/public", public_router)  # no token: the citizen's own report, progress, confirmation, rating
api.add_router("/integrations", integrations_router)  # no token: upstream events, signed with the source's secret


def _detail(request: HttpRequest, status: int, detail: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    message = str(exc) if str(exc) and not str(exc).startswith("No ") else "未找到"
    return _detail(request, 404, message)


@api.exception_handler(ActionForbidden)
def forbidden(request: HttpRequest, exc: ActionForbidden) -> HttpResponse:
    return _detail(request, 403, str(exc))


@api.exception_handler(InvalidTransition)
def invalid_transition(request: HttpRequest, exc: InvalidTransition) -> HttpResponse:
    return _detail(request, 409, str(exc), current_status=exc.current)


@api.exception_handler(TooManyRequests)
def too_many(request: HttpRequest, exc: TooManyRequests) -> HttpResponse:
    response = _detail(request, 429, exc.message, retry_after=exc.wait_seconds)
    response["Retry-After"] = str(exc.wait_seconds)
    return response


@api.exception_handler(ReportRefused)
def report_refused(request: HttpRequest, exc: ReportRefused) -> HttpResponse:
    errors = [{"field": name, "message": message} for name, message in exc.problems.items()]
    return _detail(request, 422, exc.message, errors=errors)


@api.exception_handler(ActionError)
def action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
    return _detail(request, exc.status, exc.message)


@api.exception_handler(CalendarError)
def calendar_error(request: HttpRequest, exc: CalendarError) -> HttpResponse:
    return _detail(request, 422, str(exc))


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = describe_errors(exc.errors)
    summary = "；".join(f"{e['field']}：{e['message']}" if e["field"] else e["message"] for e in errors)
    return _detail(request, 422, f"请求内容有误：{summary}", errors=errors)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _detail(request, 401, "未登录或令牌无效")


# Django Ninja's own messages, in the language of the rest of the API.
NINJA_MESSAGES = {"Cannot parse request body": "请求体不是有效的 JSON"}


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _detail(request, exc.status_code, NINJA_MESSAGES.get(str(exc), str(exc)))
