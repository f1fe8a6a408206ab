"""The fictional district with one account per role and sample cases in every state."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from banchengshi.accounts.models import Unit, User
from banchengshi.accounts.services import do_create_staff, generate_password
from banchengshi.audit.events import record_event
from banchengshi.cases import actions
from banchengshi.cases.actions.guides import do_issue_one_time_notice
from banchengshi.cases.choices import CaseStatus, WorkOrderRole, WorkOrderStatus
from banchengshi.cases.models import Case, WorkOrder
from banchengshi.cases.search import index_cases
from banchengshi.demo.generate import generate_cases
from banchengshi.dispatch.loading import DISTRICT_DIR, load_district
from banchengshi.dispatch.models import Matter
from banchengshi.dispatch.routing import CatalogKeywordSuggester
from banchengshi.dispatch.training import retrain
from banchengshi.guides.actions import do_edit_guide
from banchengshi.guides.loading import load_guides
from banchengshi.guides.models import Guide
from banchengshi.guides.selectors import content_of
from banchengshi.reports import typical_cases
from banchengshi.sla.models import Policy
from banchengshi.supervision import actions as supervision_actions

DEMO_SITE = "http://127.0.0.1:8000"  # `make run`'s address: the links of the demo's papers

ACCOUNTS = [
    # username, unit, role, display name
    ("dengji", "FWZX", "registrar", "王登记"),
    ("paidan", "FWZX", "dispatcher", "李派单"),
    ("fuzeren", "FWZX", "center_head", "赵主任"),
    ("rsj", "RSJ", "handler", "人社局处置专员"),
    ("ybj", "YBJ", "handler", "医保局处置专员"),
    ("scj", "SCJGJ", "handler", "市场监管局处置专员"),
    ("chenghe", "C-CH", "handler", "城河街道处置专员"),
    ("chenghe_dengji", "C-CH", "registrar", "城河街道登记员"),
    ("zwb", "ZWB", "admin_office", "政务服务办"),
    ("jiwei", "JWJW", "overseer", "纪委监委"),
    ("xitong", "ZWB", "system_admin", "系统管理员"),
    ("anquan", "ZWB", "security_admin", "安全管理员"),
    ("shenji", "ZWB", "audit_admin", "审计管理员"),
]

HANDLERS = {"RSJ": "rsj", "YBJ": "ybj", "SCJGJ": "scj"}  # the demo handler of each department


# The past quarters' cases (generate_cases), finished ones only so that no one's to-do list fills with them:
# the dashboard, 堵点分析, the quarterly report and 信息公开 then have quarters to show and compare.
PAST_QUARTERS = 5
PAST_CASES = 450
PAST_OUTCOMES = [(CaseStatus.NOT_ACCEPTED, 8), ("on_site_closed", 10), (CaseStatus.CLOSED, 16), (CaseStatus.VISITED, 30)]
# What people said, by the first reason of the case; after "来办<事项>，".
REASON_TEXT = {
    "proof_hard_to_find": "窗口要的证明不知道去哪里开，跑了几个地方都说不归他们管",
    "rule_mismatch": "窗口说情况不符合规定办不了，但说不清是哪一条",
    "material_mismatch": "材料上的信息和系统里的对不上，让我回去重新准备",
    "missing_evidence": "说材料不齐，每次去都让补一样新的",
    "rigid_policy": "政策写的是可以办，窗口却一定要原件，不肯变通",
    "digital_difficulty": "老人不会在手机上操作，网上申请提交不了",
    "complex_process": "流程太复杂，要跑好几个部门、填好几张表",
    "slow_or_rude": "提交后一直没有回音，打电话问态度也不好",
    "other": "不知道该找哪个部门，来回被推",
}
# Cases without a matter: texts that name none (the catalogue's suggester finds nothing in them).
NO_MATTER_TEXTS = ["窗口排队等了一上午，叫号系统出了故障没人解释。", "大厅自助终端坏了好几天，没有人来修。"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙朱胡郭何高林罗郑"
GIVEN = "伟芳敏静丽强磊军洋勇艳杰娟涛明"


@dataclass
class DemoResult:
    created: bool
    accounts: list[tuple[str, str, str, str]]  # username, password, unit name, role label


def _received(days_ago: float) -> Any:
    """A plausible time at the window: 10:00 local `days_ago` days back, never in the future."""
    now = timezone.localtime()
    moment = (now - timedelta(days=days_ago)).replace(hour=10, minute=0, second=0, microsecond=0)
    if days_ago < 1:
        moment = now - timedelta(hours=days_ago * 8)
    return min(moment, now)


def _register(registrar: User, center: Unit, days_ago: float, text: str, **extra: Any) -> Case:
    defaults: dict[str, Any] = {
        "channel": "window",
        "reporter_name": extra.pop("name", "张三"),
        "reporter_phone": extra.pop("phone", "13800138000"),
        "reasons": ["material_mismatch"],
        "category": "window",
    }
    defaults.update(extra)
    return actions.do_register_case(
        acting_user=registrar,
        center=center,
        description=text,
        received_at=_received(days_ago),
        **defaults,
    )


@transaction.atomic
def reset_demo_passwords() -> DemoResult:
    """New passwords for the demo accounts that exist in this database (for a lost or stale accounts file)."""
    accounts = []
    users = {u.username: u for u in User.objects.filter(username__in=[a[0] for a in ACCOUNTS]).select_related("unit")}
    for username, *_ in ACCOUNTS:
        user = users.get(username)
        if user is None:
            continue
        password = generate_password(username)
        user.set_password(password)
        user.must_change_password = not settings.DEMO_ACCOUNTS_EXEMPT  # a new password to change, as at first
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
        record_event("demo_password_reset", actor=None, username=username)
        accounts.append((username, password, user.unit.name if user.unit else "", user.get_role_display()))
    return DemoResult(created=False, accounts=accounts)


def _lead(case: Case, unit_code: str) -> Any:
    return case.work_orders.filter(unit__code=unit_code).order_by("-id").first()


@transaction.atomic
def build_demo() -> DemoResult:
    if User.objects.filter(username="dengji").exists():
        return DemoResult(created=False, accounts=[])
    load_district(DISTRICT_DIR)
    load_guides()  # each matter's 办事指南, published
    retrain("演示数据")  # the routing model of the catalog and dispatch_history.csv, before any dispatch
    units = {u.code: u for u in Unit.objects.all()}
    users: dict[str, User] = {}
    accounts = []
    for username, unit_code, role, name in ACCOUNTS:
        # Generated passwords, changed at first sign-in unless DEMO_ACCOUNTS_EXEMPT (a developer's copy).
        user, password = do_create_staff(username, unit=units[unit_code], role=role, display_name=name,
                                         must_change=False if settings.DEMO_ACCOUNTS_EXEMPT else None)
        users[username] = user
        accounts.append((username, password, units[unit_code].name, user.get_role_display()))
    matters = {m.code: m for m in Matter.objects.all()}
    fwzx, reg, disp, head = units["FWZX"], users["dengji"], users["paidan"], users["fuzeren"]
    # 城河街道 follows the 松江 rules: forward within 1 working day, answer on acceptance within 3.
    units["C-CH"].policy = Policy.objects.get(code="songjiang")
    units["C-CH"].save(update_fields=["policy"])
    town = units["C-CH"]
    _register(users["chenghe_dengji"], town, 4, "在街道办理居住证，系统提示社保缴纳记录不连续，但我一直在缴。",
              name="马女士", phone="13600007777", matter=matters["GAFJ-001"], business_name="居住证办理", reasons=["rule_mismatch"],
              channel="window")
    _register(users["chenghe_dengji"], town, 0.2, "新生儿医保参保登记，网上提交后一直显示审核中。", name="韩先生",
              phone="13600008888", matter=matters["YBJ-004"], business_name="新生儿参保登记", channel="phone")

    # 已登记 — waiting at the window for more than a day: its forwarding clock is red.
    c = _register(reg, fwzx, 2, "我在一网通办上申请开公司，提交后一直显示“待补正”，但没有说明要补什么材料。",
              name="陈先生", phone="13911112222", reporter_kind="enterprise", reporter_organization="示范区明达贸易有限公司",
              business_name="企业设立登记", matter=matters["SCJGJ-001"], channel="online", demand="希望告知需补正的材料")
    _guides(users, c)
    # 现场办结
    c = _register(reg, fwzx, 0.1, "老人不会用手机做养老金资格认证。", name="刘阿姨", phone="13700001111",
                  reasons=["digital_difficulty"], category="how", matter=matters["RSJ-001"], business_name="养老保险待遇资格认证")
    actions.do_resolve_on_site(c, acting_user=reg, result="工作人员协助在自助终端完成认证。")
    # 不予受理
    c = _register(reg, fwzx, 0.2, "要求为已超过法定期限的行政复议重新受理。", name="孙先生", phone="13600002222",
                  reasons=["rule_mismatch"])
    actions.do_reject_case(c, acting_user=reg, reason="行政复议申请已超过法定期限，依法不能受理，已告知可通过诉讼途径主张权利。")
    # 已受理、无法自动派单 — in the dispatcher's queue
    c = _register(reg, fwzx, 0.3, "小区门口的共享单车乱停放，多次反映没人管，不知道该找哪个部门。", name="周女士",
                  phone="13500003333", category="who", reasons=["other"], reason_other="不知道归哪个部门管")
    actions.do_accept_case(c, acting_user=reg, handling_type="consult", complexity="simple")  # due today: yellow
    actions.do_dispatch_case(c, acting_user=disp)
    # 已派单 — a 区级 matter dispatched automatically to its department
    c = _register(reg, fwzx, 0.5, "公司裁员后申领失业保险金，网上一直提示“未办理失业登记”，可我已经在街道登记过了。",
                  name="吴先生", phone="13400004444", matter=matters["RSJ-003"], business_name="失业保险金申领")
    actions.do_accept_case(c, acting_user=reg, handling_type="assist", complexity="general")
    actions.do_dispatch_case(c, acting_user=disp)
    # 办理中 — received and contacted
    c = _register(reg, fwzx, 1, "异地就医备案网上提交三次都被退回，说长期居住证明不符合要求。", name="郑女士",
                  phone="13300005555", matter=matters["YBJ-002"], business_name="异地就医备案")
    actions.do_accept_case(c, acting_user=reg, handling_type="coordinate", complexity="complex")
    actions.do_dispatch_case(c, acting_user=disp)
    order = _lead(c, "YBJ")
    actions.do_receive_work_order(order, acting_user=users["ybj"])
    actions.do_contact_reporter(order, acting_user=users["ybj"], note="已电话联系，了解到居住证明为社区开具的手写证明。")
    # 暂停计时 — waiting for the reporter's materials
    c = _register(reg, fwzx, 1, "退休申报时视同缴费年限认定不了，档案里缺少招工表。", name="冯先生", phone="13200006666",
                  matter=matters["RSJ-006"], business_name="退休申报", reasons=["proof_hard_to_find"])
    actions.do_accept_case(c, acting_user=reg, handling_type="coordinate", complexity="complex")
    actions.do_dispatch_case(c, acting_user=disp)
    order = _lead(c, "RSJ")
    actions.do_receive_work_order(order, acting_user=users["rsj"])
    actions.do_pause_case(c, acting_user=users["rsj"], reason="等待反映人到原单位调取招工表复印件")
    # 已答复 — the lead replied, an assisting unit is still working
    c = _register(reg, fwzx, 2, "开小饭馆办理食品经营许可，现场核查时说经营场所的房屋性质不符。", name="钱老板",
                  phone="13100007777", matter=matters["SCJGJ-003"], business_name="食品经营许可")
    actions.do_accept_case(c, acting_user=reg, handling_type="coordinate", complexity="general")
    actions.do_dispatch_case(c, acting_user=disp, lead_unit=units["SCJGJ"], assisting_units=[units["GHZY"]])
    order = _lead(c, "SCJGJ")
    actions.do_receive_work_order(order, acting_user=users["scj"])
    actions.do_reply_work_order(order, acting_user=users["scj"], result="经核实，场所为商业用房，可办理；已指导补充租赁合同。")
    # 待审核, 已办结, 已回访, 再督办, 审核通过待办结
    finished = []
    for text, name, phone, code, business in [
        ("社保卡照片被系统退回，重新拍了又要排队，跑了两次还没办下来。", "林女士", "13000008888", "RSJ-002", "社会保障卡申领"),
        ("医保卡丢了，补办时说要户籍地办理，我户口不在本区。", "黄先生", "13900001234", "YBJ-001", "医保卡补办"),
        ("失业金申领要解除劳动合同证明，原单位已经倒闭了拿不到。", "何先生", "13800005678", "RSJ-003", "失业保险金申领"),
        ("就业登记网上办不了，提示身份信息校验失败。", "高女士", "13700009012", "RSJ-004", "就业登记"),
        ("医疗费零星报销材料交了一个月，一直说发票有问题又说不清哪里不对。", "罗先生", "13600003456", "YBJ-003", "医疗费用零星报销"),
    ]:
        matter = matters[code]
        c = _register(reg, fwzx, 3, text, name=name, phone=phone, matter=matter, business_name=business)
        actions.do_accept_case(c, acting_user=reg, handling_type="assist", complexity="general")
        actions.do_dispatch_case(c, acting_user=disp, lead_unit=matter.department)
        order = _lead(c, matter.department.code)
        handler = users[HANDLERS[matter.department.code]]
        actions.do_receive_work_order(order, acting_user=handler)
        actions.do_contact_reporter(order, acting_user=handler, note="已联系反映人")
        actions.do_reply_work_order(order, acting_user=handler, result="已协调办理完毕并告知反映人。")
        finished.append(c)
    review, closed, visited, resupervised, approved = finished
    for c in (closed, visited, resupervised, approved):
        actions.do_review_case(c, acting_user=head, approve=True)
    # 审核通过待办结: waits for the reporter's confirmation or the end of the objection window
    for c in (closed, visited, resupervised):
        actions.do_close_case(c, acting_user=head, reporter_confirmed=True)
    actions.do_visit_case(visited, acting_user=disp, rating=5, solved=True, note="反映人表示非常满意")
    actions.do_visit_case(resupervised, acting_user=disp, rating=2, solved=False, note="反映人表示问题仍未解决")
    supervision_actions.do_resupervise_case(resupervised, acting_user=users["zwb"], reason="回访不满意，问题未解决，限期整改。")
    # 已并单 — the same person reports the same problem again
    c = _register(reg, fwzx, 0.05, "社保卡照片还是不合格，又白跑一趟。", name="林女士", phone="13000008888",
                  matter=matters["RSJ-002"], business_name="社会保障卡申领")
    actions.do_merge_case(c, acting_user=reg, into=review)
    _typical_case(users["zwb"], visited)
    _past_quarters()
    return DemoResult(created=True, accounts=accounts)


def _guides(users: dict[str, User], case: Case) -> None:
    """A 一次性告知单 on the enterprise's case (what its 待补正 left unsaid), and an edit of a guide by its
    department that waits for the admin office's review."""
    founding = Guide.objects.select_related("matter", "published").get(matter__code="SCJGJ-001")
    assert founding.published is not None
    names = [m.name for m in content_of(founding.published).materials]
    do_issue_one_time_notice(case, acting_user=users["dengji"], guide=founding, have=names[:2], not_needed=names[-1:],
                             link=f"{DEMO_SITE}/public/guides/SCJGJ-001/")
    jobless = Guide.objects.select_related("matter", "published").get(matter__code="RSJ-003")
    assert jobless.published is not None
    content = content_of(jobless.published)
    do_edit_guide(users["rsj"], jobless, replace(content, time_limit="材料齐全的当场受理，3个工作日内办结"),
                  note="承诺时限由5个工作日压缩为3个工作日")


def _typical_case(office: User, case: Case) -> None:
    """One published 典型案例, proposed from the visited case and written up as the office would, so that
    信息公开 shows one."""
    typical = typical_cases.do_propose(office, case.reference)
    typical_cases.do_edit(office, typical, typical_cases.Text(
        "原单位倒闭开不出解除劳动合同证明，失业保险金照样领到",
        "群众申领失业保险金时，窗口要求提供解除劳动合同证明，但原单位已经倒闭，无法开具。",
        "窗口登记后派单至区人力资源和社会保障局。人社局核实企业已注销，依据社保缴费记录和企业注销信息确认劳动关系"
        "已经终止，不再要求原单位出具证明。",
        "群众当周领到失业保险金；人社局在办事指南中写明“企业已注销的，以注销信息代替解除劳动合同证明”，窗口一次性告知。",
    ))
    typical_cases.do_approve(office, typical)


def _past_quarters() -> None:
    """PAST_CASES finished cases received over the PAST_QUARTERS quarters before this one, each with a text
    that names its matter, and one name per phone (a few people report more than once)."""
    today = timezone.localdate()
    first_month = today.month - (today.month - 1) % 3
    this_quarter = datetime(today.year, first_month, 1, tzinfo=timezone.get_current_timezone())
    months = today.year * 12 + first_month - 1 - 3 * PAST_QUARTERS
    start = datetime(months // 12, months % 12 + 1, 1, tzinfo=timezone.get_current_timezone())
    generate_cases(PAST_CASES, start=start, end=this_quarter, seed=2026, prefix="LS", phones=PAST_CASES * 2 // 3,
                   outcomes=PAST_OUTCOMES, recent_open=False)
    suggester = CatalogKeywordSuggester()
    people = [s + g for s in SURNAMES for g in GIVEN]
    cases = list(Case.objects.filter(reference__startswith="LS").select_related("matter"))
    for n, case in enumerate(cases):
        if case.matter is None:
            case.description = NO_MATTER_TEXTS[n % len(NO_MATTER_TEXTS)]
        else:
            case.description = f"来办{case.matter.name}，{REASON_TEXT[case.reasons[0]]}。"
            best = suggester.suggest(case.description, limit=1)
            case.matter = best[0].matter if best else None  # what the text names, as the registrar would pick
        case.reporter_name = people[int(case.reporter_phone[3:]) % len(people)]
        Case._meta.get_field("reporter_name_hash").pre_save(case, False)  # a name search finds the new name
    Case.objects.bulk_update(cases, ["description", "matter", "reporter_name", "reporter_name_hash"], batch_size=500)
    index_cases(cases)  # bulk_update sends no save signal: the search index is told here
    # The lead unit is the matter's department (as the dispatcher would send it), so that a department's
    # quarterly report lists its own matters.
    leads = list(WorkOrder.objects.filter(case__reference__startswith="LS", case__matter__isnull=False,
                                          role=WorkOrderRole.LEAD).exclude(status=WorkOrderStatus.RETURNED)
                 .select_related("case__matter"))
    for order in leads:
        order.unit_id = order.case.matter.department_id  # type: ignore[union-attr]
    WorkOrder.objects.bulk_update(leads, ["unit"], batch_size=500)
