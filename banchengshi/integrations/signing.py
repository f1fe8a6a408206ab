"""Who sent a delivery: `X-Signature: sha256=HEX`, HEX = HMAC-SHA256(secret, timestamp + "." + raw body), made
with the source's current secret or, during a rotation, the one before; `X-Timestamp` within five minutes
of our clock. The same scheme as our own webhooks (`notify.transports.sign`)."""

from __future__ import annotations

import hmac
import re
from datetime import datetime

from banchengshi.integrations.models import IntegrationSource
from banchengshi.notify.transports import sign

WINDOW_SECONDS = 300
SIGNATURE = re.compile(r"sha256=([0-9a-fA-F]{64})")


class Unauthenticated(Exception):
    """The delivery is not the source's (401); the message says why, in Chinese, without any secret."""


def verify(source: IntegrationSource, *, timestamp: str, signature: str, body: bytes, now: datetime) -> str:
    """The signature's hex digest (lower case) when the delivery is the source's; raises Unauthenticated."""
    if not source.secrets:
        raise Unauthenticated(f"{source.name}尚未设置签名密钥，暂不接收事件（由管理员运行 set_integration_secret 设置）")
    if not signature:
        raise Unauthenticated("缺少签名（X-Signature）")
    if not timestamp:
        raise Unauthenticated("缺少时间戳（X-Timestamp）")
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        raise Unauthenticated("时间戳（X-Timestamp）应为 Unix 秒数")
    skew = int(timestamp) - int(now.timestamp())
    if abs(skew) > WINDOW_SECONDS:
        raise Unauthenticated(
            f"时间戳超出允许范围（与本系统时间相差 {abs(skew)} 秒，最多 {WINDOW_SECONDS} 秒），请检查时钟或重新签名"
        )
    found = SIGNATURE.fullmatch(signature.strip())
    if found is None:
        raise Unauthenticated("签名格式不正确，应为 sha256=64位十六进制")
    given = found.group(1).lower()
    if not any(hmac.compare_digest(sign(secret, timestamp, body), given) for secret in source.secrets):
        raise Unauthenticated("签名不正确（请求内容、时间戳或密钥不符）")
    return given
