from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    """What an upstream platform reports; each has its own mapping onto a case (`mapping.py`)."""

    ABANDONED = "abandoned", _("一网通办中途退出")
    BAD_REVIEW = "bad_review", _("好差评差评")
    OTHER = "other", _("其他反映")


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", _("已登记")
    DUPLICATE = "duplicate", _("重复投递")
    REFUSED = "refused", _("已拒收")
