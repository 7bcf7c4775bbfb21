"""Corpus facts come from front matter and askplan.toml beside the texts; both are optional."""

from __future__ import annotations

from askplan.corpus import load_corpus
from conftest import CORPUS

HEADER = "---\ntitle: 某市某方案\nissuer: 某市\ndate: 2022-01-01\nscript: simplified\nsource: test\n{extra}---\n"
BODY = "一、总体要求\n（一）指导思想。坚持发展。\n（二）基本原则。统筹推进。\n"


def _write(folder, slug, extra=""):
    (folder / f"{slug}.txt").write_text(HEADER.format(extra=extra) + BODY, encoding="utf-8")


def test_bundled_config(corpus):
    assert corpus.primary.slug == "anhui-yrd-14fyp-action-plan-2021"
    assert corpus.config.links == ("anhui-yrd-14fyp-action-plan-2021", "yrd-integration-outline-2019")
    assert "纲要" in corpus.document("yrd-integration-outline-2019").aliases
    assert (CORPUS / "askplan.toml").is_file()


def test_no_config_no_primary(tmp_path):
    _write(tmp_path, "a-plan")
    corpus = load_corpus(tmp_path)
    assert corpus.primary is None and corpus.config.links is None and not corpus.problems


def test_front_matter_keys(tmp_path):
    _write(tmp_path, "a-plan", "role: primary\nregion: 某省\naliases: 某方案、那个方案\n")
    doc = load_corpus(tmp_path).document("a-plan")
    assert (doc.role, doc.region, doc.aliases) == ("primary", "某省", ("某方案", "那个方案"))


def test_front_matter_wins_over_the_config_file(tmp_path):
    _write(tmp_path, "a-plan", "region: 甲省\n")
    (tmp_path / "askplan.toml").write_text('[documents.a-plan]\nregion = "乙省"\nrole = "primary"\n', encoding="utf-8")
    doc = load_corpus(tmp_path).document("a-plan")
    assert (doc.region, doc.role) == ("甲省", "primary")


def test_a_bad_config_is_a_problem_and_the_texts_still_load(tmp_path):
    _write(tmp_path, "a-plan")
    (tmp_path / "askplan.toml").write_text("[documents\n", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert [d.slug for d in corpus.documents] == ["a-plan"]
    assert any("askplan.toml" in p.message for p in corpus.problems)


def test_a_bad_role_is_named(tmp_path):
    _write(tmp_path, "a-plan", "role: boss\n")
    corpus = load_corpus(tmp_path)
    assert not corpus.documents and "role must be" in corpus.problems[0].message


def test_unit_alias_from_the_config(tmp_path):
    from askplan.departments import DepartmentRegistry

    (tmp_path / "a-plan.txt").write_text(HEADER.format(extra="") + "（一）推进发展。（责任单位：市发展改革委）\n",
                                         encoding="utf-8")
    (tmp_path / "askplan.toml").write_text('[units]\n"计划委" = "市发展改革委"\n', encoding="utf-8")
    registry = DepartmentRegistry.from_corpus(load_corpus(tmp_path))
    assert registry.resolve("计划委").name == "市发展改革委"
