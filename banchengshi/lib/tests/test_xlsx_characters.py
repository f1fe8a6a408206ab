"""lib/xlsx.py keeps its own copy of openpyxl's pattern of characters XML cannot hold (so a worker does not import
openpyxl at start-up): the two agree on every character below U+0080."""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from banchengshi.lib.xlsx import ILLEGAL_CHARACTERS, clean


def test_the_copy_agrees_with_openpyxl_on_every_control_character() -> None:
    for code in range(0x80):
        char = chr(code)
        assert bool(ILLEGAL_CHARACTERS.match(char)) == bool(ILLEGAL_CHARACTERS_RE.match(char)), hex(code)
    assert clean("甲\x00乙\x0b丙\t丁\n") == "甲乙丙\t丁\n"
