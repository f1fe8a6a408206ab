"""Re-encrypt every encrypted column under the current PII_KEY and recompute the lookup hashes.

Rotating the key: generate a new one, start every process with PII_KEY=<new> and PII_PREVIOUS_KEYS=<old>
(both keep working: old values are read, new ones written under the new key, phones found under either
hash), run this command, then drop PII_PREVIOUS_KEYS. The models come from Django's registry (every
EncryptedCharField in every app), so a column added later is rotated without changing this command.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from banchengshi.audit.events import record_event
from banchengshi.lib import pii
from banchengshi.lib.fields import EncryptedCharField, LookupHashField
from banchengshi.lib.pii_migration import rewrite_rows


def _rotator(current: pii.PiiKey, encrypted: list[str], hashes: dict[str, tuple[str, str]]) -> Any:
    def rotate(table: str, values: dict[str, str]) -> dict[str, str]:
        clear = {c: pii.decrypt(values[c], f"{table}.{c}") for c in encrypted}
        out = {c: values[c] if pii.key_id_of(values[c]) in ("", current.id) else pii.encrypt(clear[c], f"{table}.{c}")
               for c in encrypted}
        out.update({h: pii.lookup_hash(clear[source], purpose) for h, (source, purpose) in hashes.items()})
        return out

    return rotate


class Command(BaseCommand):
    help = "用当前 PII_KEY 重新加密全部个人信息和对接密钥，并重算电话查找摘要（轮换密钥：新密钥设为 PII_KEY，旧密钥放入 PII_PREVIOUS_KEYS，运行本命令后删去旧密钥）"

    def handle(self, *args: Any, **options: Any) -> None:
        current = pii.current_key()
        total = 0
        for model in apps.get_models():
            fields = model._meta.concrete_fields
            encrypted = [f for f in fields if isinstance(f, EncryptedCharField)]
            if not encrypted:
                continue
            by_name = {f.name: f for f in fields}
            hashes = {f.column: (by_name[f.source].column, f.purpose) for f in fields if isinstance(f, LookupHashField)}
            columns = [f.column for f in encrypted]
            with transaction.atomic():
                changed = rewrite_rows(connection, model._meta.db_table, [*columns, *hashes],
                                       _rotator(current, columns, hashes))
            total += changed
            self.stdout.write(f"{model._meta.verbose_name}：{changed} 行已改用密钥 {current.id}")
        previous = [key.id for key in pii.keys()[1:]]
        record_event("pii_key_rotated", key=current.id, previous=previous, rows=total)
        self.stdout.write(f"完成：共 {total} 行。确认无误后可从 PII_PREVIOUS_KEYS 中删去旧密钥"
                          f"{'（' + '、'.join(previous) + '）' if previous else ''}，并单独备份新密钥。")
