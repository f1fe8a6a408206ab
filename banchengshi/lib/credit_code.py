"""统一社会信用代码 (GB 32100-2015): 18 characters, the last a check character over the first 17."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * weight for ch, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalize_credit_code(raw: str) -> str:
    """The code in upper case without spaces, or ValueError with a Chinese message."""
    code = "".join(raw.split()).upper()
    if len(code) != 18:
        raise ValueError(f"统一社会信用代码应为18位，您填写了{len(code)}位")
    bad = [ch for ch in code if ch not in ALPHABET]
    if bad:
        raise ValueError(f"统一社会信用代码中不能有“{bad[0]}”（不使用字母 I、O、S、V、Z）")
    if check_character(code[:17]) != code[17]:
        raise ValueError("统一社会信用代码校验位不对，请核对后重新填写")
    return code
