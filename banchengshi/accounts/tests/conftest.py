from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from banchengshi.conftest import MONDAY_10AM


@pytest.fixture
def clock() -> Iterator[Any]:
    """Monday 10:00 in Shanghai, still until a test moves it (lockouts, idle sessions, TOTP steps)."""
    with time_machine.travel(MONDAY_10AM, tick=False) as traveller:
        yield traveller
