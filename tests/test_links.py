"""Links to the national outline (askplan.links): the link table over the hash-encoder index, the pure
evaluation, the API fields, the measure page and the CLI; one real-model test asserting hand-checked links."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from askplan import links as lk
from askplan.cli import main
from askplan.config import REPO_ROOT, Settings
from askplan.links import GoldError, GoldLinks, Link
from askplan.web import create_app

PLAN_DOC = "anhui-yrd-14fyp-action-plan-2021"  # the pair corpus/askplan.toml names under [links]
OUTLINE_DOC = "yrd-integration-outline-2019"

GOLD = REPO_ROOT / "eval" / "links_gold.jsonl"
OUTLINE_TITLE = "《长江三角洲区域一体化发展规划纲要》"


@pytest.fixture(scope="module")
def table(hash_service):
    return hash_service.links()


@pytest.fixture(scope="module")
def index(hash_service):
    return hash_service.retriever().index


# --- the table ------------------------------------------------------------------------------------------------

def test_every_plan_clause_gets_bounded_ranked_links_to_outline_sections(hash_service, table):
    corpus = hash_service.corpus
    clauses = [m for m in corpus.measures if m.doc == PLAN_DOC and m.label and not m.key.startswith("annex")]
    assert len(clauses) == 36 and table.links
    assert {link.source for link in table.links} <= {m.id for m in clauses}
    for m in clauses:
        links = table.implements(m.id)
        assert len(links) <= lk.MAX_LINKS
        assert [link.rank for link in links] == list(range(1, len(links) + 1))
        assert [link.score for link in links] == sorted((link.score for link in links), reverse=True)
        assert all(link.score >= lk.LINK_BAR for link in links[1:])
        assert not links or links[0].score >= lk.FIRST_BAR
    for link in table.links:
        target = corpus.measure(link.target)
        assert target.doc == OUTLINE_DOC and lk.is_section(target), link.target  # N.M, M >= 1
        assert not target.key.endswith(".0") and target.key != "0"


def test_reverse_view_mirrors_the_links(table):
    for link in table.links:
        assert link in table.implemented_by(link.target)
    for target, links in table.by_target.items():
        assert all(link.target == target for link in links)
        assert [link.score for link in links] == sorted((link.score for link in links), reverse=True)
    assert table.implements("no/such") == () and table.implemented_by("no/such") == ()


def test_links_are_deterministic(hash_service, index, table):
    again = lk.compute_links(hash_service.corpus, index)
    assert again == table and again.links == table.links


def test_the_service_computes_links_once_per_loaded_index(hash_settings, corpus):
    from askplan.service import AskplanService

    service = AskplanService(hash_settings, corpus=corpus)
    first = service.links()
    assert service.links() is first
    service._retriever = None  # what a rebuild does; the next load gets a fresh table
    assert service.links() is not first and service.links() == first


def test_excerpts_are_sentences_inside_each_end(hash_service, table):
    corpus = hash_service.corpus
    for link in table.links:
        for measure_id, (start, end) in ((link.target, link.target_excerpt), (link.source, link.source_excerpt)):
            text = corpus.measure(measure_id).text
            assert 0 <= start < end <= len(text) and text[start:end].strip()
    source_25 = [link for link in table.links if link.source == f"{PLAN_DOC}/25"]
    for link in source_25:  # a responsibility clause names units; it is never shown as the matching text
        assert "責任單位" not in corpus.measure(link.source).text[slice(*link.source_excerpt)]


def test_measure_vectors_are_normalised_means_of_passage_vectors(hash_service, index):
    n = len(hash_service.corpus.measures)
    vectors = lk.measure_vectors(index, n)
    assert vectors.shape == (n, index.manifest.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    row = next(i for i, m in enumerate(hash_service.corpus.measures) if m.id == f"{PLAN_DOC}/20")
    pids = [pid for pid, p in enumerate(index.passages) if p.measure_row == row]
    brute = index.faiss_index.reconstruct_n(0, index.faiss_index.ntotal)[pids].mean(axis=0)
    assert np.allclose(vectors[row], brute / np.linalg.norm(brute), atol=1e-5)


def test_scores_matrix_shape_and_zscores(hash_service, index):
    scores = lk.link_scores(hash_service.corpus, index)
    assert scores.combined.shape == scores.dense.shape == scores.lexical.shape == (36, len(scores.targets))
    assert all(lk.is_section(t) for t in scores.targets) and len(scores.targets) == 44
    z = lk.zscore_rows(np.array([[1.0, 2.0, 3.0], [5.0, 5.0, 5.0]]))
    assert np.allclose(z[0].mean(), 0) and np.allclose(z[0].std(), 1) and np.allclose(z[1], 0)


def test_a_corpus_without_the_outline_has_no_links(hash_service, index):
    scores = lk.link_scores(hash_service.corpus, index, outline_doc="no-such-doc")
    assert scores.combined.shape == (36, 0) and lk.select(scores).links == ()


def test_higher_bars_keep_fewer_links(hash_service, index):
    scores = lk.link_scores(hash_service.corpus, index)
    low, high = lk.select(scores, link_bar=1.0), lk.select(scores, link_bar=3.0)
    assert {(x.source, x.target) for x in high.links} <= {(x.source, x.target) for x in low.links}


def test_query_text_drops_responsibility_clauses(corpus):
    text = lk.query_text(corpus.measure(f"{PLAN_DOC}/25"))
    assert "碳达峰" in text and "煤炭消费减量替代" in text
    assert "责任单位" not in text and "领导小组成员单位" not in text


def test_section_citation_names_chapter_and_section(corpus):
    outline = corpus.document(OUTLINE_DOC)
    assert lk.section_citation(outline, corpus.measure(f"{OUTLINE_DOC}/5.2")) == \
        f"{OUTLINE_TITLE}第五章第二节 共同打造数字长三角"
    assert lk.section_citation(outline, corpus.measure(f"{OUTLINE_DOC}/12.5")).startswith(f"{OUTLINE_TITLE}第十二章第五节")
    plan = corpus.measure(f"{PLAN_DOC}/20")
    assert lk.citation_of(corpus, plan) == corpus.document(PLAN_DOC).citation(plan)


# --- evaluation -------------------------------------------------------------------------------------------------

def _link(source: str, target: str, score: float, rank: int = 1) -> Link:
    return Link(source, target, rank, score, 0.9, 10.0, (0, 1), (0, 1))


def test_evaluate_counts_partial_as_correct_and_only_implements_for_recall():
    table = lk.link_table([_link("p/1", "o/1", 3.0), _link("p/1", "o/2", 2.0, 2), _link("p/2", "o/9", 2.5),
                           _link("p/3", "o/1", 2.2)])  # p/3 is not in the gold: ignored
    gold = [GoldLinks("p/1", frozenset({"o/1", "o/3"}), frozenset({"o/2"})),
            GoldLinks("p/2", frozenset({"o/4"}), wrong=frozenset({"o/9"}))]
    report = lk.evaluate(table, gold)
    assert (report["links"], report["correct"], report["recalled"], report["expected"]) == (3, 2, 1, 3)
    assert report["precision"] == round(2 / 3, 4) and report["recall"] == round(1 / 3, 4)
    assert report["f1"] == round(2 * (2 / 3) * (1 / 3) / (2 / 3 + 1 / 3), 4)
    assert report["wrong"] == [("p/2", "o/9")] and report["wrong_listed_as_not"] == [("p/2", "o/9")]
    assert report["missed"] == [("p/1", "o/3"), ("p/2", "o/4")]
    assert lk.evaluate(lk.link_table([]), [])["f1"] == 0.0


def test_the_gold_file_is_well_formed(corpus):
    gold = lk.load_gold(GOLD)
    assert len(gold) >= 15
    chapters = {corpus.measure(g.measure).chapter[0] for g in gold}
    assert len(chapters) >= 10  # spread over the plan's chapters
    for g in gold:
        assert corpus.measure(g.measure).doc == PLAN_DOC
        assert not (g.implements & g.partial or g.implements & g.wrong or g.partial & g.wrong), g.measure
        for target in g.implements | g.partial | g.wrong:
            assert lk.is_section(corpus.measure(target)), target
    assert sum(len(g.wrong) for g in gold) >= 10  # negative pairs


def test_a_bad_gold_line_names_file_and_line(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text('{"measure": "a/1", "implements": []}\n\n{"implements": []}\n', encoding="utf-8")
    with pytest.raises(GoldError, match=r"gold.jsonl:3: .*KeyError"):
        lk.load_gold(path)
    with pytest.raises(GoldError, match="cannot read"):
        lk.load_gold(tmp_path / "missing.jsonl")


def test_sweep_and_two_fold_return_numbers(hash_service, index):
    gold = lk.load_gold(GOLD)
    scores = lk.link_scores(hash_service.corpus, index)
    rows = lk.sweep(scores, gold, [1.5, 2.0, 2.5])
    assert [r["link_bar"] for r in rows] == [1.5, 2.0, 2.5]
    assert rows[0]["links"] >= rows[1]["links"] >= rows[2]["links"]
    check = lk.two_fold(scores, gold, [1.5, 2.0, 2.5])
    assert len(check["bars"]) == 2 and 0 <= check["precision"] <= 1 and 0 <= check["recall"] <= 1
    text = lk.render_eval({**lk.evaluate(hash_service.links(), gold), "sweep": rows, "two_fold": check})
    assert "precision" in text and "two-fold" in text


# --- API, page and CLI --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(hash_service):
    app = create_app(service=hash_service, build_if_missing=False)
    with TestClient(app) as c:
        assert app.state.readiness.wait(30) == "ok"
        yield c


def _linked_pair(table) -> Link:
    return next(link for link in table.links if link.rank == 1)


def test_measure_api_has_implements(client, table):
    link = _linked_pair(table)
    body = client.get(f"/api/measures/{link.source}").json()
    assert body["implemented_by"] == []
    first = body["implements"][0]
    assert first["id"] == link.target and first["url"] == f"/m/{link.target}" and first["rank"] == 1
    assert first["citation"].startswith(f"{OUTLINE_TITLE}第") and first["excerpt"]
    assert first["score"] == link.score
    outline = client.get(f"/api/measures/{link.target}").json()
    assert outline["implements"] == [] and link.source in [x["id"] for x in outline["implemented_by"]]


def test_links_api_both_directions_and_errors(client, table):
    link = _linked_pair(table)
    body = client.get(f"/api/links/{link.source}").json()
    assert body["id"] == link.source and [x["id"] for x in body["implements"]] == \
        [x.target for x in table.implements(link.source)]
    reverse = client.get(f"/api/links/{link.target}", params={"simplified": "true"}).json()
    assert reverse["citation"].startswith(f"{OUTLINE_TITLE}第")
    mine = next(x for x in reverse["implemented_by"] if x["id"] == link.source)
    assert mine["citation"].startswith("《安徽省实施长三角一体化发展规划“十四五”行动方案》")  # Simplified, with “”
    assert client.get(f"/api/links/{PLAN_DOC}/99").status_code == 404
    assert client.get("/api/links/no-such-doc/1").status_code == 404
    assert "/api/links/{doc}/{key}" in client.get("/openapi.json").json()["paths"]


def test_measure_page_shows_links_and_the_outline_page_the_reverse(client, table):
    link = _linked_pair(table)
    page = client.get(f"/m/{link.source}")
    assert page.status_code == 200 and "上位规划依据" in page.text
    assert f'href="/m/{link.target}"' in page.text and OUTLINE_TITLE in page.text
    reverse = client.get(f"/m/{link.target}")
    assert "落实本节的地方条款" in reverse.text and f'href="/m/{link.source}"' in reverse.text
    assert "上位规划依据" not in client.get(f"/m/{OUTLINE_DOC}/0").text


def test_without_an_index_pages_still_work_and_links_are_null_or_503(tmp_path):
    settings = Settings(corpus_dir=REPO_ROOT / "corpus", index_dir=tmp_path / "none", model="hash-bigram-64")
    app = create_app(settings, build_if_missing=False)
    with TestClient(app) as c:
        app.state.readiness.wait(30)
        assert c.get(f"/api/measures/{PLAN_DOC}/20").json()["implements"] is None
        page = c.get(f"/m/{PLAN_DOC}/20")
        assert page.status_code == 200 and "上位规划依据" not in page.text
        r = c.get(f"/api/links/{PLAN_DOC}/20")
        assert r.status_code == 503 and "askplan index" in r.json()["detail"]


def _cli(hash_settings, *args):
    return CliRunner().invoke(main, ["links", "--corpus", str(hash_settings.corpus_dir), "--index",
                                     str(hash_settings.index_dir), "--model", hash_settings.model, *args])


def test_cli_links(hash_service, hash_settings, table):
    link = _linked_pair(table)
    one = _cli(hash_settings, link.source, "--json")
    assert one.exit_code == 0, one.output
    row = json.loads(one.output)
    assert row["id"] == link.source and row["implements"][0]["id"] == link.target
    every = _cli(hash_settings, "--json")
    assert every.exit_code == 0 and len(every.output.splitlines()) == 36
    text = _cli(hash_settings, link.target)
    assert text.exit_code == 0 and "implemented by:" in text.output
    report = _cli(hash_settings, "--eval", str(GOLD), "--json")
    assert report.exit_code == 0 and {"precision", "recall", "f1"} <= set(json.loads(report.output))
    missing = _cli(hash_settings, f"{PLAN_DOC}/99")
    assert missing.exit_code == 1 and "no measure" in missing.output


# --- the real model -------------------------------------------------------------------------------------------------

@pytest.mark.model
def test_real_model_links_hand_checked_pairs(real_service):
    table = real_service.links()

    def best(key: str) -> str:
        return table.implements(f"{PLAN_DOC}/{key}")[0].target.split("/")[1]

    assert best("20") == "5.2"  # 共同打造数字长三角
    assert best("17") == "5.1"  # 轨道上的长三角 -> 协同建设一体化综合交通体系
    assert best("25") == "6.2"  # 能耗双控、煤炭减量替代 -> 推进环境协同防治
    assert best("34") == "12.1"  # 党的全面领导 -> 加强党的集中统一领导
    assert {x.target.split("/")[1] for x in table.implements(f"{PLAN_DOC}/30")} >= {"9.1", "9.2"}
    report = lk.evaluate(table, lk.load_gold(GOLD))
    assert report["precision"] >= 0.88 and report["recall"] >= 0.85, report  # eval/links_README.md: 0.927 / 0.884
