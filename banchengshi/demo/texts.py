"""What generated cases say (demo/generate.py): reporters' stories in their own words, their demands, the
results and their names, drawn from a random stream of their own so that the other draws (states, clocks,
orders) stay what they were for a seed. The search benchmark (bench/search_at_scale.py) counts on their
shares: about one case in eight speaks of 社保, one in eleven of a 医保卡 and of 补办 (the words apart),
about one in five thousand of a 渔船.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

STORIES = (
    "社保卡在银行激活时名字显示问号，银行让我找社保中心，社保中心又让我回银行",
    "帮父亲办社保转移接续，外省的缴费记录一直转不过来，跑了三趟",
    "灵活就业人员想续交社保，网上系统显示参保状态异常，窗口说要等上级处理",
    "我的医保卡丢了，在网上申请补办一直提示身份信息不一致",
    "医保卡芯片坏了去补办，窗口说要先到银行注销，银行说要先补办新卡",
    "孩子的医保报销材料交了两个月没有结果，打电话也没人接",
    "公积金提取要开收入证明，单位已经注销了开不出来",
    "公司营业执照变更经营范围，网上提交后被退回三次，每次理由不一样",
    "营业执照年报逾期被列入经营异常名录，想移出不知道找哪个部门",
    "不动产权证办理要求提供原始购房发票，开发商已经倒闭了",
    "办理居住证要社区开证明，社区说不归他们管",
    "退休金资格认证人脸识别一直不通过，老人腿脚不便没法跑窗口",
    "残疾证年审材料重复提交，窗口让回去再复印一份",
    "新生儿落户需要出生证明原件，医院补开要一个月",
    "申请低保需要的收入证明，村委会和镇里互相推",
    "个体户发票领用在网上办不了，系统一直转圈",
    "预约了窗口号，到了以后说系统维护，让改天再来",
    "自助机打印的证明单位不认，要求盖窗口的章",
    "企业开办一件事提交后一周没有反馈，电话查询说在审批",
    "宅基地翻建审批材料交到镇里后没有下文，也不告诉还缺什么",
    "失业金申领提示已就业，其实公司早就解除合同了",
    "异地就医备案在手机上办不了，提示参保地未开通",
    "工伤认定材料递交后超过时限没有结论",
    "驾驶证换领体检信息上传失败，车管所说是医院的问题",
)
RARE = (
    "渔船检验证书到期换证，海事和农业部门都说不归自己管",
    "渔船燃油补贴申请材料交了三个月没有消息",
)
RARE_SHARE = 0.0002
SECOND = (
    "", "", "", "", "希望尽快解决。", "已经跑了好几趟了。", "窗口工作人员态度还可以，就是办不成。",
    "网上和窗口说法不一样。", "打12345也没有结果。", "老人不会用手机。",
)
DEMANDS = (
    "希望一次办成", "请明确告知需要哪些材料", "希望相关部门协调解决", "希望能在网上办理", "尽快给个答复",
    "希望补办手续简化", "希望帮办代办",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = (
    "建国", "秀英", "桂英", "志强", "海燕", "丽华", "伟", "芳", "敏", "静", "磊", "军", "洋", "勇", "艳", "杰",
    "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂兰", "玉兰", "红梅", "建华", "国强", "文静", "晓东",
    "志明", "春梅", "海涛", "建平", "丽娟", "永刚", "美玲", "德明", "淑珍", "凤英", "卫东", "振华", "雪梅",
)
ENTERPRISES = (
    "示范区明达贸易有限公司", "崇明绿岛农业合作社", "长兴海工装备有限公司", "城桥镇鑫源餐饮店", "陈家镇生态旅游有限公司",
)


@dataclass(frozen=True)
class Said:
    name: str
    description: str
    demand: str
    organization: str


def draw(rng: random.Random) -> Said:
    """One reporter and what they said."""
    story = rng.choice(RARE) if rng.random() < RARE_SHARE else rng.choice(STORIES)
    second = rng.choice(SECOND)
    enterprise = rng.random() < 0.1
    return Said(
        name=rng.choice(SURNAMES) + rng.choice(GIVEN),
        description=f"{story}。{second}" if second else f"{story}。",
        demand=rng.choice(DEMANDS),
        organization=rng.choice(ENTERPRISES) if enterprise else "",
    )

