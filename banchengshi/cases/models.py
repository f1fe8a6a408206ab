from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from banchengshi.cases.choices import (
    UNSATISFIED_RATINGS,
    CaseStatus,
    Category,
    Channel,
    ClockKind,
    ClosureBasis,
    Complexity,
    DocumentKind,
    HandlingType,
    LinkKind,
    Portal,
    Rating,
    ReporterKind,
    VisitSource,
    WorkOrderRole,
    WorkOrderStatus,
)
from banchengshi.lib.fields import EncryptedCharField, LookupHashField
from banchengshi.lib.pii import NAME_PURPOSE
from banchengshi.sla.choices import ClockEvent

USER = settings.AUTH_USER_MODEL
PHONE_PURPOSE = "phone"  # what a reporter phone's lookup hash is keyed for (lib.pii.lookup_hash)


class Case(models.Model):
    """反映件: one report of a matter that could not get done."""

    reference = models.CharField(_("登记编号"), max_length=24, unique=True)
    status = models.CharField(_("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.REGISTERED)
    channel = models.CharField(_("反映渠道"), max_length=20, choices=Channel.choices)
    # Encrypted at rest (SM4-GCM, lib/pii.py); found by phone only through the hash (selectors.reported_by_phone).
    reporter_name = EncryptedCharField(_("反映人"), max_length=64)
    reporter_phone = EncryptedCharField(_("联系电话"), max_length=20, blank=True)
    reporter_phone_hash = LookupHashField(_("联系电话查找摘要"), source="reporter_phone", purpose=PHONE_PURPOSE)
    # The full name's blind index: a search word equal to the name finds the case, for the roles that see
    # names (cases/search.py); the name itself stays ciphertext.
    reporter_name_hash = LookupHashField(_("反映人姓名查找摘要"), source="reporter_name", purpose=NAME_PURPOSE)
    # Set when the retention period ended: the name is masked (张*), the phone and its hash cleared.
    anonymised_at = models.DateTimeField(_("个人信息匿名化时间"), null=True, blank=True)
    reporter_kind = models.CharField(_("反映人类型"), max_length=12, choices=ReporterKind.choices, default=ReporterKind.PERSON)
    reporter_organization = models.CharField(_("企业名称"), max_length=128, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    center = models.ForeignKey(
        "accounts.Unit", verbose_name=_("登记中心"), on_delete=models.PROTECT, related_name="registered_cases"
    )
    window = models.CharField(_("接待窗口"), max_length=64, blank=True)
    portal = models.CharField(_("网上办事平台"), max_length=16, choices=Portal.choices, blank=True)
    notice_version = models.CharField(_("个人信息告知书版本"), max_length=32, blank=True)
    # The upstream platform that sent the report in (an integration source's code) and its own id for it;
    # status changes flow back to that source.
    origin = models.CharField(_("来源平台"), max_length=32, blank=True, db_index=True)
    origin_ref = models.CharField(_("来源平台事件号"), max_length=64, blank=True)
    locality = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("属地（镇/街道）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="local_cases",
    )
    matter = models.ForeignKey(
        "dispatch.Matter", verbose_name=_("事项"), null=True, blank=True, on_delete=models.PROTECT
    )
    business_name = models.CharField(_("办理业务名称"), max_length=128, blank=True)
    reasons = models.JSONField(_("办不成原因"), default=list)
    reason_other = models.CharField(_("其他原因说明"), max_length=200, blank=True)
    category = models.CharField(_("问题类型"), max_length=10, choices=Category.choices, blank=True)
    description = models.TextField(_("遇到的问题"))
    demand = models.TextField(_("诉求"), blank=True)
    received_at = models.DateTimeField(_("登记时间"), db_index=True)
    registered_by = models.ForeignKey(USER, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    handling_type = models.CharField(_("办理方式"), max_length=12, choices=HandlingType.choices, blank=True)
    complexity = models.CharField(_("难易程度"), max_length=10, choices=Complexity.choices, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    verification = models.TextField(_("核实情况及处理意见"), blank=True)
    rejection_reason = models.TextField(_("不予受理原因"), blank=True)
    result = models.TextField(_("办理结果"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    review_approved_at = models.DateTimeField(_("审核通过时间"), null=True, blank=True)
    reporter_confirmed = models.BooleanField(_("反映人已确认"), default=False)
    closure_basis = models.CharField(_("办结依据"), max_length=16, choices=ClosureBasis.choices, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # The soonest limit of the case's running clocks (paused ones included), kept by cases/clocks.py with
    # every start, stop, pause and move: the queues walk an index on it instead of looking up every case's
    # clocks to sort them (a queue of 100,000 cases asked 100,000 index probes for its first 20 rows).
    next_due_at = models.DateTimeField(_("最近时限"), null=True, blank=True, editable=False)
    awaiting_manual_dispatch = models.BooleanField(_("待人工派单"), default=False, db_index=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("并入"), null=True, blank=True, on_delete=models.PROTECT, related_name="merged_cases"
    )
    resupervision_count = models.PositiveSmallIntegerField(_("再督办次数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("反映件")
        verbose_name_plural = _("反映件")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "received_at"]),
            # A unit's figures for a period (reports.figures): its centers' cases by received date.
            models.Index(fields=["center", "received_at"], name="case_center_received"),
            # The return-visit queue and its list of lapsed visits (selectors.visit_period): closed cases by
            # closing time, so the queue reads the cases closed within the period, not every one ever closed.
            models.Index(fields=["status", "closed_at"], name="case_status_closed"),
            # A queue's order (selectors.in_queue_order): by status, the soonest limit first.
            models.Index(fields=["status", "next_due_at", "received_at", "id"], name="case_status_next_due"),
            # A center's cases of a status, counted from the index alone (its id for the scope's IN): the queues'
            # badges and the ledger's status filters (in progress at RSJ for the center: 124 → 25 ms at a million).
            models.Index(fields=["status", "center", "id"], name="case_status_center"),
            # The overdue queue (selectors.queue_cases): every status, the oldest limit first.
            models.Index(fields=["next_due_at", "received_at", "id"], name="case_next_due",
                         condition=models.Q(next_due_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.reference


class WorkOrder(models.Model):
    """工单: the case as one unit holds it."""

    case = models.ForeignKey(Case, verbose_name=_("反映件"), on_delete=models.CASCADE, related_name="work_orders")
    unit = models.ForeignKey("accounts.Unit", verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="work_orders")
    role = models.CharField(_("主协办"), max_length=10, choices=WorkOrderRole.choices)
    status = models.CharField(_("状态"), max_length=12, choices=WorkOrderStatus.choices, default=WorkOrderStatus.PENDING)
    parent = models.ForeignKey(
        "self", verbose_name=_("下派自"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    created_by = models.ForeignKey(USER, verbose_name=_("派单人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("派单时间"))
    received_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    contacted_at = models.DateTimeField(_("首次联系时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    verification = models.TextField(_("核实情况"), blank=True)
    opinion = models.TextField(_("处理意见"), blank=True)
    result = models.TextField(_("办理结果"), blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True)
    # Its case's soonest running limit (`Case.next_due_at`), copied by cases/clocks.py wherever that changes: a
    # unit's queue of open orders walks the index below in order, where joining each order to its case sorted
    # all of them (RSJ's 8,376 open orders at a million cases, 180 ms).
    next_due_at = models.DateTimeField(_("反映件最近时限"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        ordering = ["id"]
        indexes = [
            # A department's cases (selectors.holding): its orders by case, probed per case or walked in case order.
            models.Index(fields=["unit", "case"], name="workorder_unit_case"),
            # The queue of cases awaiting an assisting unit (selectors.queue_cases): open orders by role.
            models.Index(fields=["role", "status", "case"], name="workorder_role_status"),
            # A unit's open orders in the queue's order (and its orders by status: the index's first columns).
            models.Index(fields=["unit", "status", "next_due_at", "case"], name="workorder_unit_next_due"),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference}/{self.pk}"


class Clock(models.Model):
    """One time limit of a case. `due_at`/`warn_at` are stored; the light is computed."""

    case = models.ForeignKey(Case, verbose_name=_("反映件"), on_delete=models.CASCADE, related_name="clocks")
    work_order = models.ForeignKey(WorkOrder, verbose_name=_("工单"), null=True, blank=True, on_delete=models.CASCADE, related_name="clocks")
    kind = models.CharField(_("时限类型"), max_length=20, choices=ClockKind.choices)
    working_days = models.PositiveSmallIntegerField(_("工作日数"))
    started_at = models.DateTimeField(_("起算时间"))
    due_at = models.DateTimeField(_("到期时间"), db_index=True)
    warn_at = models.DateTimeField(_("预警时间"), db_index=True)
    paused_at = models.DateTimeField(_("暂停于"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("已暂停工作秒数"), default=0)
    stopped_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Ended without the work being done (a returned order, a merged case): no light, not on time or late.
    cancelled = models.BooleanField(_("已撤销"), default=False)
    ended_by = models.CharField(_("结束原因"), max_length=24, choices=ClockEvent.choices, blank=True)
    calendar_fallback = models.BooleanField(_("按周一至周五推算"), default=False)
    overdue_noted_at = models.DateTimeField(_("超时记录时间"), null=True, blank=True)
    # The last colour its unit was reminded of ("", yellow, red): lets the reminder job's scan skip the
    # clocks already told without a join. Whether a reminder went is ClockAlert's (unique per colour).
    reminded = models.CharField(_("已提醒灯色"), max_length=8, blank=True, default="")

    class Meta:
        verbose_name = _("时限")
        verbose_name_plural = _("时限")
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(fields=["stopped_at", "due_at"]),
            # A case's soonest running limit (`Case.next_due_at`, clocks.refresh_next_due): only open clocks, so
            # it does not grow with the clocks of every case ever closed.
            models.Index(fields=["case", "due_at"], name="clock_open_case_due", condition=models.Q(stopped_at__isnull=True)),
            # The reminder job's scan (cases.reminders): only the running clocks, however many have ended.
            models.Index(
                fields=["warn_at"], name="clock_running_warn",
                condition=models.Q(stopped_at__isnull=True, paused_at__isnull=True, cancelled=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.get_kind_display()}"


class AlertLight(models.TextChoices):
    YELLOW = "yellow", "黄灯（临近时限）"
    RED = "red", "红灯（已超时）"


class ClockAlert(models.Model):
    """That a clock's light turned yellow or red and its unit was told: at most one row per clock and
    colour, so however many job runs or consumers see the change, one of them tells it. A clock that was
    already red when first seen gets its red alert and a yellow one marked not told (nobody needs to hear
    "soon due" after "overdue")."""

    clock = models.ForeignKey(Clock, verbose_name=_("时限"), on_delete=models.CASCADE, related_name="alerts")
    light = models.CharField(_("灯色"), max_length=8, choices=AlertLight.choices)
    at = models.DateTimeField(_("提醒时间"))
    due_at = models.DateTimeField(_("当时的到期时间"))
    told = models.BooleanField(_("已发提醒"), default=True)
    recipients = models.PositiveSmallIntegerField(_("提醒人数"), default=0)

    class Meta:
        verbose_name = _("时限提醒")
        verbose_name_plural = _("时限提醒")
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["clock", "light"], name="clock_alert_once_per_light")]

    def __str__(self) -> str:
        return f"{self.clock_id} {self.get_light_display()}"


class Visit(models.Model):
    """回访 on the national 好差评 five-level scale: a staff return visit or the reporter's own rating
    (one per round: a case is rated once each time it is closed)."""

    case = models.ForeignKey(Case, verbose_name=_("反映件"), on_delete=models.CASCADE, related_name="visits")
    rating = models.PositiveSmallIntegerField(_("满意度"), choices=Rating.choices)
    solved = models.BooleanField(_("问题是否解决"))
    note = models.TextField(_("回访记录"), blank=True)
    given_by = models.CharField(_("评价来源"), max_length=10, choices=VisitSource.choices, default=VisitSource.STAFF)
    visited_by = models.ForeignKey(USER, verbose_name=_("回访人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    visited_at = models.DateTimeField(_("回访时间"))

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["visited_at"]
        # The visit that counts (the latest of each case) for the ratings, without a sort per case.
        indexes = [models.Index(fields=["case", "-visited_at", "-id"], name="visit_latest_per_case")]

    def __str__(self) -> str:
        return f"{self.case} {self.get_rating_display()}"

    @property
    def unsatisfied(self) -> bool:
        """Calls for re-supervision: 不满意, 非常不满意, or the matter not solved."""
        return self.rating in UNSATISFIED_RATINGS or not self.solved


class Resupervision(models.Model):
    """再督办, with the notice (通报) sent to the lead unit."""

    case = models.ForeignKey(Case, verbose_name=_("反映件"), on_delete=models.CASCADE, related_name="resupervisions")
    unit = models.ForeignKey("accounts.Unit", verbose_name=_("被通报单位"), on_delete=models.PROTECT)
    reason = models.TextField(_("再督办原因"))
    created_by = models.ForeignKey(USER, verbose_name=_("督办人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("再督办时间"))

    class Meta:
        verbose_name = _("再督办")
        verbose_name_plural = _("再督办")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.case} 再督办"


class ReferenceCounter(models.Model):
    """The last reference number handed out on a day (row-locked while incremented)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


def attachment_path(instance: Attachment, filename: str) -> str:
    """Stored under a random name: the original name is kept in the row, never in the URL or path."""
    import uuid
    from pathlib import PurePath

    return f"attachments/{instance.uploaded_at:%Y/%m}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:10]}"


class Attachment(models.Model):
    """附件 of a case, downloadable only by those who may see the case."""

    case = models.ForeignKey(Case, verbose_name=_("反映件"), on_delete=models.CASCADE, related_name="attachments")
    work_order = models.ForeignKey(WorkOrder, verbose_name=_("工单"), null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("类型"), max_length=100, blank=True)
    # None: the reporter's own upload on the public pages.
    uploaded_by = models.ForeignKey(USER, verbose_name=_("上传人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class RecomputeStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "重算中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class ClockRecompute(models.Model):
    """A calendar, policy or unit change moving the open clocks it touches (cases.actions.calendar): done in
    the request when few, otherwise by a job, its progress kept here and shown in the admin."""

    reason = models.CharField(_("原因"), max_length=200)
    # Which open clocks: {} all, {"centers": [ids]} those of cases at these centers.
    scope = models.JSONField(_("范围"), default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=RecomputeStatus.choices, default=RecomputeStatus.QUEUED)
    total = models.PositiveIntegerField(_("待重算时限数"), default=0)
    done = models.PositiveIntegerField(_("已重算"), default=0)
    moved = models.PositiveIntegerField(_("时限有变化"), default=0)
    created_at = models.DateTimeField(_("发起时间"))
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("时限重算")
        verbose_name_plural = _("时限重算")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reason}（{self.get_status_display()}）"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))


class CaseText(models.Model):
    """The words of a case's text (description and demand) cut and hashed once (lib.textsim), so finding
    repeats compares stored features instead of cutting thousands of texts for each new report."""

    case = models.OneToOneField(Case, verbose_name=_("反映件"), primary_key=True, on_delete=models.CASCADE, related_name="text")
    features = models.BinaryField(_("文本特征"))
    version = models.PositiveSmallIntegerField(_("特征版本"), default=1)

    class Meta:
        verbose_name = _("反映件文本特征")
        verbose_name_plural = _("反映件文本特征")

    def __str__(self) -> str:
        return str(self.case_id)


class CaseLink(models.Model):
    """A possible repeat: `case` (the later report) tells what `other` (an earlier, open or recent case)
    told, found by cases.duplicates. Merged with 并单 or dismissed (不是重复) by a person."""

    case = models.ForeignKey(Case, verbose_name=_("反映件"), on_delete=models.CASCADE, related_name="links")
    other = models.ForeignKey(Case, verbose_name=_("可能重复的反映件"), on_delete=models.CASCADE, related_name="linked_from")
    kind = models.CharField(_("关联类型"), max_length=16, choices=LinkKind.choices)
    score = models.FloatField(_("相似度"))
    created_at = models.DateTimeField(_("发现时间"))
    dismissed_by = models.ForeignKey(USER, verbose_name=_("判定不重复的人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    dismissed_at = models.DateTimeField(_("判定不重复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("可能重复")
        verbose_name_plural = _("可能重复")
        ordering = ["-score", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "other"], name="case_link_once")]
        indexes = [models.Index(fields=["created_at"], name="case_link_created")]

    def __str__(self) -> str:
        return f"{self.case_id}~{self.other_id}"


class CaseDocument(models.Model):
    """A paper issued for a case (回执, 不予受理通知书, 一次性告知单 …), printable as a PDF.

    `data` is a snapshot of what the paper says, taken when it was issued, so that a reprint says the same
    even after the case, the catalog or the center's details change. It holds no reporter name or phone
    (those are SM4 ciphertext on the case; a print reads them from the case, masked by role)."""

    case = models.ForeignKey(Case, verbose_name=_("反映件"), on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("文书类型"), max_length=24, choices=DocumentKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    number = models.CharField(_("文号"), max_length=64, blank=True)
    issued_at = models.DateTimeField(_("出具时间"))
    issued_by = models.ForeignKey(USER, verbose_name=_("出具人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(_("文书内容"), default=dict)

    class Meta:
        verbose_name = _("文书")
        verbose_name_plural = _("文书")
        ordering = ["issued_at", "id"]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.title}"
