"""The demo the README's `make run` sets up: cases whose matter fits their text, one phone per person."""

from __future__ import annotations

import os
from collections import defaultdict

from django.core.management import call_command

from banchengshi.cases.models import Case
from banchengshi.dispatch.routing import CatalogKeywordSuggester


def test_every_case_carries_the_matter_its_text_names(bare_db: None) -> None:
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    suggester = CatalogKeywordSuggester()
    cases = list(Case.objects.select_related("matter"))
    assert len(cases) >= 15
    for case in cases:
        best = suggester.suggest(case.description, limit=1)
        if case.matter is None:
            assert best == [], f"{case.description} fits {best[0].matter}"
        else:
            assert best and best[0].matter == case.matter, (case.description, case.matter, best)


def test_one_phone_per_person_and_one_person_per_phone(bare_db: None) -> None:
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    phones, names = defaultdict(set), defaultdict(set)
    for name, phone in Case.objects.values_list("reporter_name", "reporter_phone"):
        phones[name].add(phone)
        names[phone].add(name)
    assert {n: p for n, p in phones.items() if len(p) > 1} == {}
    assert {p: n for p, n in names.items() if len(n) > 1} == {}
    assert len(phones) >= 14
