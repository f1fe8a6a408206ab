"""The compact dictionary (lib/words.py) cuts every text as jieba's own dict-based tokenizer does."""

from __future__ import annotations

import csv
from pathlib import Path

import jieba
import pytest

from banchengshi.lib import words

HISTORY = Path(__file__).resolve().parents[2] / "dispatch" / "district" / "dispatch_history.csv"


@pytest.fixture(scope="module")
def reference() -> jieba.Tokenizer:
    """jieba as it ships (its dict of strings), given the same trade words."""
    tokenizer = jieba.Tokenizer()
    for word in words.TRADE_WORDS:
        tokenizer.add_word(word)
    return tokenizer


def texts() -> list[str]:
    with HISTORY.open(encoding="utf-8") as f:
        return [row["text"] for row in csv.DictReader(f)]


def test_every_history_text_is_cut_as_jieba_cuts_it(reference: jieba.Tokenizer) -> None:
    sample = texts()
    assert len(sample) > 100
    for text in [*sample, "社保卡补办跑了好几趟都办不成", "一网通办上营业执照副本怎么换领", "ABC123 医保卡"]:
        assert words.cut(text) == list(reference.cut(text)), text
        assert words.cut_for_search(text, hmm=False) == list(reference.cut_for_search(text, HMM=False)), text


def test_the_dictionary_is_compact_and_answers_like_a_dict(reference: jieba.Tokenizer) -> None:
    frequencies = words.tokenizer().FREQ
    assert isinstance(frequencies, words.Frequencies)
    # A reference made before any word was added: its entries are exactly the dictionary file's.
    plain = jieba.Tokenizer()
    plain.initialize()
    assert len(frequencies.hashes) == len(plain.FREQ)  # no two entries share a key
    assert frequencies.hashes.nbytes + frequencies.frequencies.nbytes < 10 * 2**20
    for word in ["社保", "失业", "登记", "补办", "办不成"]:
        assert word in frequencies and frequencies[word] == reference.FREQ[word] and frequencies.get(word) == reference.FREQ[word]
    assert "失" in frequencies and "办不" in frequencies  # prefixes of words: present, frequency 0 unless a word
    assert "并不存在的词语组合" not in frequencies and frequencies.get("并不存在的词语组合", 7) == 7
    with pytest.raises(KeyError):
        frequencies["并不存在的词语组合"]
