"""The personal-information notice shown before a report is submitted (个人信息保护法 第十七条、第三十五条).
A change of wording is a new VERSION: each case stores the version its reporter saw."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

VERSION = "2026-12-v1"
RETENTION = "自反映件办结之日起保存3年，期满后删除或匿名化处理；法律、行政法规另有规定的从其规定"


@dataclass(frozen=True)
class Section:
    title: str
    text: str


def sections() -> list[Section]:
    return [
        Section("谁处理您的信息", f"{settings.PERSONAL_DATA_CONTROLLER}（个人信息处理者）。联系方式：{settings.PERSONAL_DATA_CONTACT}。"),
        Section("为什么处理", "为受理、转办、办理和答复您反映的“办不成的事”，联系您核实情况、告知进度和结果，并请您评价办理情况。"
                "这是政务服务中心履行法定职责所必需（《个人信息保护法》第十三条第一款第三项、第三十四条）。"),
        Section("处理哪些信息", "您的姓名、手机号码；企业反映时的企业名称和统一社会信用代码；您描述的问题、诉求和上传的照片或材料。"
                "照片上传时会去除拍摄地点等附带信息。"),
        Section("怎样处理、给谁看", "仅由受理中心、承办和协办单位的经办人员在办理所需范围内查看；不在公开页面显示您的姓名和完整号码；"
                "不用于与本次反映无关的用途，不向其他单位或个人提供，法律另有规定的除外。"),
        Section("保存多久", RETENTION + "。"),
        Section("您的权利", "您可以查阅、复制、更正、补充您的个人信息，要求说明处理规则，在法律规定的情形下要求删除；"
                "可以通过上面的联系方式提出，我们将在15个工作日内答复。"),
    ]
