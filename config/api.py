"""One NinjaAPI under /api/v1/. Errors are JSON {"detail": "..."} in Chinese with a 4xx status."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.datastructures import MultiValueDict
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser

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
from banchengshi.reports.api import bottlenecks_router
from banchengshi.reports.api import router as stats_router
from banchengshi.reports.api_files import router as report_files_router
from banchengshi.sla.api import router as due_router
from banchengshi.sla.calendar import CalendarError
from banchengshi.supervision.api import cases_router as resupervise_router
from banchengshi.supervision.api import meetings_router, notices_router, rectifications_router


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


class FieldError(Schema):
    field: str = Field(description="出错的字段（点号分隔的路径），整个请求有误时为空")
    message: str


# What every refusal of the API looks like (the handlers below and lib.input_guard write it).
class ErrorOut(Schema):
    detail: str = Field(description="中文说明")
    errors: list[FieldError] = Field(default_factory=list, description="422：逐项列出的问题")
    current_status: str = Field("", description="409（状态不允许此操作）：反映件当前状态")
    retry_after: int = Field(0, description="429：多少秒后可再试（同 Retry-After 头）")


# The refusals each operation may answer with, by what it takes and who may call it. They come from the
# handlers of this module and the middleware in front of every route, so they are declared here, for every
# operation at once, rather than on each route (a route's own `response=` still wins for a status it names).
ERROR_DESCRIPTIONS = {
    400: "请求无法解析（不是有效的 JSON 对象，或含有 NUL、不成对的代理项等无法保存的字符）",
    401: "未登录或令牌无效（缺少、错误、已过期或已吊销）",
    403: "角色或职责不允许此操作",
    404: "未找到，或无权查看",
    409: "当前状态不允许此操作",
    422: "请求内容有误（detail 与 errors 说明每一处）",
    429: "请求过于频繁，请按 Retry-After 稍后再试",
}


def _refusals(method: str, operation: dict[str, Any], *, public: bool) -> list[int]:
    parameters = operation.get("parameters", [])
    has_path = any(p.get("in") == "path" for p in parameters)
    has_body = "requestBody" in operation
    codes = [400]  # a NUL anywhere, even in a query parameter the operation does not read; bad JSON
    if operation.get("security"):
        codes += [401, 403, 404]  # a reference in a body (a unit, a case to merge into) may be unknown too
    elif has_path:
        codes.append(404)
    if method in ("post", "put"):
        codes.append(409)
    if parameters or has_body:
        codes.append(422)
    if public and (has_path or has_body):  # the limits of the citizen's codes, reports and tracking
        codes.append(429)
    return codes


class StrictParser(Parser):
    """Ninja's parser, without its two leniencies. A body that is JSON but not an object (`5`, `[]`) passed
    for a schema whose fields all have defaults (pydantic read the number's attributes and found none); it
    is refused like unparsable JSON (400). A parameter given twice (`?case=A&case=B`) where one value is
    expected was read as its last value; now both reach validation, which refuses them (422)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("the body is not a JSON object")
        return data

    def parse_querydict(self, data: MultiValueDict[str, Any], list_fields: list[str],
                        request: HttpRequest) -> dict[str, Any]:
        parsed = super().parse_querydict(data, list_fields, request)
        for key in parsed.keys() - set(list_fields):
            values = data.getlist(key)
            if len(values) > 1:
                parsed[key] = values
        return parsed


class BanchengshiAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error.pop("$defs", {}))
        components["ErrorOut"] = error
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
        public = f"{schema.path_prefix}public/"  # the citizen's routes, under the public pages' limits
        for path, item in schema["paths"].items():
            for method, operation in item.items():
                responses = operation.setdefault("responses", {})
                for code in _refusals(method, operation, public=path.startswith(public)):
                    # Ninja keys a route's own responses by int: one of those wins, and a str key beside it
                    # would be the same key twice in the JSON (Swagger UI refuses such a document).
                    if code not in responses and str(code) not in responses:
                        responses[code] = {"description": ERROR_DESCRIPTIONS[code], **ref}
        return schema


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


api = BanchengshiAPI(
    title="办成事 API",
    version="1",
    description=DESCRIPTION,
    auth=TokenAuth(),
    urls_namespace="api-v1",
    docs_decorator=docs_access,
    parser=StrictParser(),
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
api.add_router("/rectifications", rectifications_router)  # 反馈整改 of units (supervision)
api.add_router("/stats", stats_router)  # the figures of the caller's scope (reports.figures)
api.add_router("/bottlenecks", bottlenecks_router)  # 堵点分析 of the caller's scope (reports.bottlenecks)
api.add_router("/reports", report_files_router)  # the quarterly 统计报表 and the 工作简报 as files (reports)
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
NINJA_MESSAGES = {"Cannot parse request body": "请求体不是有效的 JSON 对象"}


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _detail(request, exc.status_code, NINJA_MESSAGES.get(str(exc), str(exc)))
