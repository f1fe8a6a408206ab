"""SM4-GCM at rest and HMAC-SM3 lookup hashes (lib/pii.py), and the keys behind them (lib/keys.py)."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.core.exceptions import ImproperlyConfigured

from banchengshi.lib import pii
from banchengshi.lib.keys import load_key, parse_key

CONTEXT = "cases_case.reporter_phone"


def test_a_value_round_trips_and_is_never_stored_twice_the_same() -> None:
    first, second = pii.encrypt("13912345678", CONTEXT), pii.encrypt("13912345678", CONTEXT)
    assert first != second  # a fresh 96-bit nonce each time
    assert "13912345678" not in first and "5678" not in first
    assert first.startswith(f"pii1:{pii.current_key().id}:")
    assert pii.decrypt(first, CONTEXT) == pii.decrypt(second, CONTEXT) == "13912345678"
    assert pii.encrypt("", CONTEXT) == "" and pii.decrypt("", CONTEXT) == ""


def test_it_is_sm4_in_gcm_mode_with_the_table_and_column_as_associated_data() -> None:
    """Decrypted here with nothing but the cipher: SM4, GCM, a 12-byte nonce, a 16-byte tag, and the
    associated data naming the format, key and column."""
    stored = pii.encrypt("张三", "cases_case.reporter_name")
    _, key_id, packed = stored.split(":")
    raw = base64.b64decode(packed)
    nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
    decryptor = Cipher(algorithms.SM4(pii.current_key().encryption), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(f"pii1|{key_id}|cases_case.reporter_name".encode())
    assert (decryptor.update(body) + decryptor.finalize()).decode() == "张三"


def test_a_ciphertext_moved_to_another_column_is_refused() -> None:
    stored = pii.encrypt("张三", "cases_case.reporter_name")
    with pytest.raises(pii.TamperedPii, match="GCM"):
        pii.decrypt(stored, "cases_case.reporter_phone")


@pytest.mark.parametrize("change", ["flip_body", "flip_tag", "truncate", "not_base64", "clear_text"])
def test_tampered_ciphertext_is_refused_not_shown(change: str) -> None:
    stored = pii.encrypt("13912345678", CONTEXT)
    head, packed = stored.rsplit(":", 1)
    raw = bytearray(base64.b64decode(packed))
    if change == "flip_body":
        raw[14] ^= 0x01
        forged = f"{head}:{base64.b64encode(bytes(raw)).decode()}"
    elif change == "flip_tag":
        raw[-1] ^= 0x80
        forged = f"{head}:{base64.b64encode(bytes(raw)).decode()}"
    elif change == "truncate":
        forged = f"{head}:{base64.b64encode(bytes(raw[:20])).decode()}"
    elif change == "not_base64":
        forged = f"{head}:!!!!"
    else:
        forged = "13912345678"  # someone wrote a phone into the column directly
    with pytest.raises(pii.TamperedPii):
        pii.decrypt(forged, CONTEXT)


def test_a_wrong_key_is_a_clear_error_naming_the_keys(settings: Any) -> None:
    stored = pii.encrypt("13912345678", CONTEXT)
    written_with = pii.current_key().id
    settings.PII_KEY = secrets.token_bytes(32)
    with pytest.raises(pii.UnknownPiiKey) as refused:
        pii.decrypt(stored, CONTEXT)
    assert written_with in str(refused.value) and "PII_PREVIOUS_KEYS" in str(refused.value)


def test_a_key_with_a_forged_id_still_fails_on_the_tag(settings: Any) -> None:
    """Even a ciphertext that claims the current key's id is refused if it was made under another key."""
    other = pii.derive(secrets.token_bytes(32))
    forged_key = pii.PiiKey(id=pii.current_key().id, encryption=other.encryption, lookup=other.lookup)
    with pytest.raises(pii.TamperedPii):
        pii.decrypt(pii.encrypt("13912345678", CONTEXT, key=forged_key), CONTEXT)


def test_rotation_reads_old_values_and_finds_them_by_either_hash(settings: Any) -> None:
    old = settings.PII_KEY
    stored = pii.encrypt("13912345678", CONTEXT)
    old_hash = pii.lookup_hash("13912345678", "phone")
    settings.PII_KEY, settings.PII_PREVIOUS_KEYS = secrets.token_bytes(32), [old]
    assert pii.decrypt(stored, CONTEXT) == "13912345678"
    assert pii.key_id_of(pii.encrypt("x", CONTEXT)) == pii.current_key().id != pii.key_id_of(stored)
    hashes = pii.lookup_hashes("13912345678", "phone")
    assert old_hash in hashes and pii.lookup_hash("13912345678", "phone") in hashes and len(hashes) == 2


def test_lookup_hashes_are_keyed_and_separated_by_purpose() -> None:
    import hashlib

    value = "13912345678"
    keyed = pii.lookup_hash(value, "phone")
    assert keyed == pii.lookup_hash(value, "phone") and len(keyed) == 64
    assert keyed != pii.lookup_hash(value, "name")
    assert keyed not in {hashlib.sha256(value.encode()).hexdigest(), hashlib.new("sm3", value.encode()).hexdigest()
                         if "sm3" in hashlib.algorithms_available else ""}
    key = pii.current_key()
    assert key.lookup != key.encryption[:32] and len(key.encryption) == 16 and len(key.lookup) == 32


def test_keys_are_hex_or_base64_and_long_enough() -> None:
    key = secrets.token_bytes(32)
    assert parse_key(key.hex(), "PII_KEY") == key == parse_key(base64.b64encode(key).decode(), "PII_KEY")
    with pytest.raises(ImproperlyConfigured, match="at least 32 bytes"):
        parse_key(secrets.token_hex(8), "PII_KEY")
    with pytest.raises(ImproperlyConfigured, match="hexadecimal or base64"):
        parse_key("not a key at all", "PII_KEY")


def test_development_makes_a_key_file_readable_by_its_owner_only(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.delenv("PII_KEY", raising=False)
    monkeypatch.delenv("PII_KEY_FILE", raising=False)
    path = tmp_path / "pii_key"
    key = load_key("PII_KEY", default_file=path, production=False)
    assert len(key) == 32 and path.stat().st_mode & 0o777 == 0o600
    assert load_key("PII_KEY", default_file=path, production=False) == key  # made once, then read
    os.chmod(path, 0o644)
    with pytest.raises(ImproperlyConfigured, match="chmod 600"):
        load_key("PII_KEY", default_file=path, production=False)


def test_production_never_makes_up_a_key(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.delenv("PII_KEY", raising=False)
    monkeypatch.delenv("PII_KEY_FILE", raising=False)
    with pytest.raises(ImproperlyConfigured, match="production profile needs PII_KEY"):
        load_key("PII_KEY", default_file=tmp_path / "pii_key", production=True)
    assert not (tmp_path / "pii_key").exists()
    monkeypatch.setenv("PII_KEY", secrets.token_hex(32))
    assert len(load_key("PII_KEY", default_file=tmp_path / "pii_key", production=True)) == 32
