"""Personal information at rest: SM4-GCM encryption and HMAC-SM3 lookup hashes (GB/T 39786 密评 asks for
the national algorithms; `cryptography` gives both from OpenSSL).

One master key (settings.PII_KEY, outside the database) yields two keys through HKDF-SM3 with different
labels: a 128-bit SM4 key that encrypts, and a 256-bit key for the lookup hashes. Whoever learns a lookup
hash learns nothing that decrypts, and the other way round.

A stored value reads `pii1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>`:
- `pii1` is the format, so a later one can be told apart;
- the key id (the first 8 hex digits of an HMAC-SM3 of the key, never the key) says which key wrote it, so
  keys rotate: the old key stays in PII_PREVIOUS_KEYS until `rotate_pii_key` has rewritten every row;
- a fresh random 96-bit nonce per value: the same phone is stored differently each time;
- the associated data binds the value to its table and column (`cases_case.reporter_phone`), so a
  ciphertext copied into another row's other column, or into another table, is refused like a tampered one.
The empty string is stored as the empty string: a cleared value (an anonymised phone) has nothing to hide.
"""

from __future__ import annotations

import base64
import binascii
import functools
import os
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

FORMAT = "pii1"
NONCE_BYTES = 12  # 96 bits, GCM's natural nonce
TAG_BYTES = 16
NAME_PURPOSE = "name"  # a reporter's full name's lookup hash (full-text search, cases/search.py)


class PiiError(Exception):
    """A stored value that cannot be read back: never shown as if it were the value."""


class UnknownPiiKey(PiiError):
    pass


class TamperedPii(PiiError):
    pass


@dataclass(frozen=True)
class PiiKey:
    id: str
    encryption: bytes
    lookup: bytes


def _hkdf(master: bytes, label: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SM3(), length=length, salt=None, info=label).derive(master)


def _hmac_sm3(key: bytes, data: bytes) -> bytes:
    signer = hmac.HMAC(key, hashes.SM3())
    signer.update(data)
    return signer.finalize()


@functools.lru_cache(maxsize=16)
def derive(master: bytes) -> PiiKey:
    return PiiKey(
        id=_hmac_sm3(master, b"banchengshi pii key id").hex()[:8],
        encryption=_hkdf(master, b"banchengshi pii sm4-gcm v1", 16),
        lookup=_hkdf(master, b"banchengshi pii lookup hmac-sm3 v1", 32),
    )


def keys() -> list[PiiKey]:
    """The current key first, then the ones being rotated away from."""
    return [derive(settings.PII_KEY), *(derive(k) for k in settings.PII_PREVIOUS_KEYS)]


def current_key() -> PiiKey:
    return derive(settings.PII_KEY)


def _associated(key_id: str, context: str) -> bytes:
    return f"{FORMAT}|{key_id}|{context}".encode()


def encrypt(clear: str, context: str, key: PiiKey | None = None) -> str:
    """`clear` sealed under the current key (or `key`), bound to `context` (its table.column)."""
    if clear == "":
        return ""
    key = key or current_key()
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(key.encryption), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(_associated(key.id, context))
    body = encryptor.update(clear.encode()) + encryptor.finalize()
    packed = base64.b64encode(nonce + body + encryptor.tag).decode()
    return f"{FORMAT}:{key.id}:{packed}"


def is_encrypted(stored: str) -> bool:
    return stored.startswith(f"{FORMAT}:")


def key_id_of(stored: str) -> str:
    """The id of the key a stored value was written with ("" for an empty value)."""
    return stored.split(":")[1] if is_encrypted(stored) and stored.count(":") == 2 else ""


def decrypt(stored: str, context: str) -> str:
    """The clear value; PiiError (with a message for the operator) when the value is not ours, was written
    with a key this installation does not have, or was changed (the GCM tag does not match)."""
    if stored == "":
        return ""
    parts = stored.split(":")
    if len(parts) != 3 or parts[0] != FORMAT:
        raise TamperedPii(f"{context} 中的值不是加密的个人信息（应以 {FORMAT}: 开头）：数据库被直接改写，或数据迁移未执行")
    key_id, packed = parts[1], parts[2]
    key = next((k for k in keys() if k.id == key_id), None)
    if key is None:
        raise UnknownPiiKey(
            f"{context} 的值由密钥 {key_id} 加密，本机的 PII_KEY（{current_key().id}）和 PII_PREVIOUS_KEYS 中都没有这把密钥："
            "请配置加密时使用的密钥，而不是生成新密钥"
        )
    try:
        raw = base64.b64decode(packed, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise TamperedPii(f"{context} 的密文已损坏（不是 base64）") from exc
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise TamperedPii(f"{context} 的密文已损坏（长度不足）")
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key.encryption), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(_associated(key.id, context))
    try:
        clear = decryptor.update(body) + decryptor.finalize()
    except InvalidTag as exc:
        raise TamperedPii(f"{context} 的密文校验失败（GCM 认证标签不符）：密文被改动，或被挪到了别的行、列") from exc
    return clear.decode()


def normalized(value: str, purpose: str) -> str:
    """A value as its lookup hash takes it: a name ("name") full-width folded and without spaces, so that
    李 建国 and 李建国 hash alike; others as given (phones are normalized before they are stored)."""
    if purpose == NAME_PURPOSE:
        return "".join(unicodedata.normalize("NFKC", value).split())
    return value


def lookup_hash(value: str, purpose: str, key: PiiKey | None = None) -> str:
    """HMAC-SM3 of a normalized value under the lookup key: equal values, equal hashes, nothing to decrypt.
    `purpose` separates kinds of value ("phone"), so a hash of one never matches a hash of another."""
    value = normalized(value, purpose)
    if value == "":
        return ""
    key = key or current_key()
    return _hmac_sm3(key.lookup, f"{purpose}\x00{value}".encode()).hex()


def lookup_hashes(value: str, purpose: str) -> list[str]:
    """The value's hash under every key still read, so lookups keep working while keys rotate."""
    return list(dict.fromkeys(lookup_hash(value, purpose, key) for key in keys()))
