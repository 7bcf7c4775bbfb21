"""Unit short forms: each expands to a different, longer unit-name fragment, and the department view finds
units by them."""

from __future__ import annotations

from askplan.departments import DepartmentRegistry
from askplan.thesaurus import EXPANSIONS


def test_short_forms_are_shorter_fragments_of_unit_names():
    assert all(len(short) <= len(full) for short, full in EXPANSIONS.items())


def test_department_found_by_short_form(corpus):
    registry = DepartmentRegistry.from_corpus(corpus)
    assert registry.resolve("发改委").name == "省发展改革委"
    assert registry.resolve("人社厅").name == "省人力资源社会保障厅"
