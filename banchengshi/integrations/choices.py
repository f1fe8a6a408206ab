from django.db import models


class EventType(models.TextChoices):
    """What an upstream platform reports; each has its own mapping onto a case (`mapping.py`)."""

    ABANDONED = "abandoned", "一网通办中途退出"
    BAD_REVIEW = "bad_review", "好差评差评"
    OTHER = "other", "其他反映"


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", "已登记"
    DUPLICATE = "duplicate", "重复投递"
    REFUSED = "refused", "已拒收"
