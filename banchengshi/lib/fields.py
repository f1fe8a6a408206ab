"""Model fields that keep personal information encrypted at rest (banchengshi/lib/pii.py).

`EncryptedCharField` reads and writes clear text in Python (`case.reporter_phone` is the phone) and SM4-GCM
ciphertext in the database. It cannot be filtered on: a random nonce makes every ciphertext of one value
different, so `filter(reporter_phone=…)` would silently find nothing; it raises instead, and lookups go
through a `LookupHashField` beside it (HMAC-SM3 of the normalized value, kept up to date on every save).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.lookups import Exact

from banchengshi.lib import pii


class EncryptedCharField(models.CharField):
    """A CharField whose `max_length` limits the clear text; the column is text (ciphertext is longer)."""

    description = "SM4-GCM encrypted text"

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        return models.TextField().db_type(connection)

    def context(self) -> str:
        """What the ciphertext is bound to (GCM associated data): its table and column."""
        return f"{self.model._meta.db_table}.{self.column}"

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        if value is None:
            return None
        return pii.decrypt(value, self.context())

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return pii.encrypt(str(value), self.context())

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        if lookup_name == "exact":
            return ClearedExact
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted (a fresh nonce per value): it cannot be compared in "
            "the database. Look it up through its hash column (e.g. cases.selectors.reported_by_phone)."
        )


class ClearedExact(Exact):
    """`field=""` only: a cleared value is stored as the empty string and may be asked for (an anonymised
    phone); any other comparison would meet a ciphertext and is refused."""

    def get_prep_lookup(self) -> Any:
        if self.rhs != "":
            raise FieldError(
                f"{self.lhs.target.model.__name__}.{self.lhs.target.name} is encrypted: only an empty value can be "
                "compared in the database. Look values up through their hash column."
            )
        return super().get_prep_lookup()


class LookupHashField(models.CharField):
    """HMAC-SM3 (hex) of the field `source`'s value, set on every save that writes this field."""

    description = "HMAC-SM3 lookup hash of another field"

    def __init__(self, *args: Any, source: str = "", purpose: str = "", **kwargs: Any) -> None:
        self.source = source
        self.purpose = purpose
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, purpose=self.purpose)
        for default in ("max_length", "blank", "editable", "db_index"):
            kwargs.pop(default, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = pii.lookup_hash(getattr(model_instance, self.source) or "", self.purpose)
        setattr(model_instance, self.attname, value)
        return value
