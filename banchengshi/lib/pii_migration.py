"""Encrypting the rows that were written in clear before a column became an EncryptedCharField, and
re-encrypting rows under a new key (`manage.py rotate_pii_key`).

Raw SQL on purpose: the historical model's field would try to decrypt the clear values it reads. Each
migration that turns a column into ciphertext runs `encrypting(table, columns, hashes)` after widening the
column to text. Reversible: going back decrypts (under the same key) and writes the clear text again; a
value already encrypted (or already clear, going back) is left as it is, so a rerun changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import migrations

from banchengshi.lib import pii

BATCH = 500


def rewrite_rows(connection: Any, table: str, columns: list[str], change: Callable[[str, dict[str, str]], dict[str, str]]) -> int:
    """Pass each row's raw `columns` through `change` and write back what it changed; the rows changed."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    changed, last_id = 0, 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT {quote('id')}, {names} FROM {quote(table)} WHERE {quote('id')} > %s "  # noqa: S608 (names are ours)
                f"ORDER BY {quote('id')} LIMIT {BATCH}",
                [last_id],
            )
            rows = cursor.fetchall()
            if not rows:
                return changed
            for row_id, *values in rows:
                last_id = row_id
                before = {c: (v or "") for c, v in zip(columns, values, strict=True)}
                after = change(table, before)
                if after != before:
                    assignments = ", ".join(f"{quote(c)} = %s" for c in after)
                    cursor.execute(
                        f"UPDATE {quote(table)} SET {assignments} WHERE {quote('id')} = %s",  # noqa: S608
                        [*after.values(), row_id],
                    )
                    changed += 1


def encrypting(table: str, columns: list[str], hashes: dict[str, tuple[str, str]] | None = None) -> migrations.RunPython:
    """A RunPython that encrypts `columns` of `table` and fills each hash column of `hashes`
    ({hash column: (clear column, purpose)}); reversed, it decrypts them."""
    hashes = hashes or {}
    every = [*columns, *hashes]

    def seal(table: str, values: dict[str, str]) -> dict[str, str]:
        clear = {c: pii.decrypt(v, f"{table}.{c}") if pii.is_encrypted(v) else v for c, v in values.items() if c in columns}
        out = {c: v if pii.is_encrypted(v) else pii.encrypt(v, f"{table}.{c}") for c, v in values.items() if c in columns}
        out.update({h: pii.lookup_hash(clear[source], purpose) for h, (source, purpose) in hashes.items()})
        return out

    def unseal(table: str, values: dict[str, str]) -> dict[str, str]:
        out = {c: pii.decrypt(v, f"{table}.{c}") if pii.is_encrypted(v) else v for c, v in values.items() if c in columns}
        out.update({h: values[h] for h in hashes})
        return out

    def forward(apps: Any, schema_editor: Any) -> None:
        rewrite_rows(schema_editor.connection, table, every, seal)

    def backward(apps: Any, schema_editor: Any) -> None:
        rewrite_rows(schema_editor.connection, table, every, unseal)

    return migrations.RunPython(forward, backward, elidable=False)
