"""Front matter inferred from text, encodings, PDF line joining and the vector cache, each on small inputs."""

from __future__ import annotations

import numpy as np
import pytest

from askplan.encoders import HashEncoder
from askplan.errors import BadInput
from askplan.index.vectors import VectorCache
from askplan.ingest.extract import _drop_running_lines, _join_wrapped, clean_lines, decode_text
from askplan.ingest.frontmatter import detect_script, infer


def test_notice_head_and_signature() -> None:
    lines = ("安徽省人民政府办公厅关于印发支持工业互联网发展若干政策的通知", "皖政办秘〔2021〕82号",
             "各市人民政府，省政府各部门：", "《支持工业互联网发展若干政策》已经省政府同意，现印发给你们。",
             "安徽省人民政府办公厅", "2021年9月2日", "一、支持平台建设", "（一）对平台给予奖励。")
    found = infer(lines, {})
    assert (found.title, found.doc_number, found.issuer, found.date) == (
        lines[0], "皖政办秘〔2021〕82号", "安徽省人民政府办公厅", "2021-09-02")


def test_chinese_numeral_date_and_issuer_from_title() -> None:
    lines = ("某市人民政府关于加快发展数字经济的实施意见", "各区人民政府：", "为加快发展数字经济，提出如下意见。",
             "一、总体要求", "（一）坚持创新引领。", "二〇二二年三月十五日")
    found = infer(lines, {})
    assert (found.issuer, found.date) == ("某市人民政府", "2022-03-15")


def test_title_over_two_lines_and_metadata_wins() -> None:
    lines = ("某省关于印发数据要素市场培育", "行动方案的通知", "各市人民政府：")
    assert infer(lines, {}).title == "某省关于印发数据要素市场培育行动方案的通知"
    assert infer(lines, {"title": "元数据标题"}).title == "元数据标题"


def test_nothing_to_infer() -> None:
    found = infer(("加强统筹。", "建立月调度机制。"), {})
    assert (found.title, found.issuer, found.date) == ("", "", "")


def test_script_detection() -> None:
    assert detect_script(("安徽省實施長三角一體化發展規劃「十四五」行動方案",)) == "traditional"
    assert detect_script(("安徽省实施长三角一体化发展规划“十四五”行动方案",)) == "simplified"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030"])
def test_decode_text(encoding) -> None:
    text = "关于印发《行动方案》的通知：责任单位"
    assert decode_text(text.encode(encoding), "x.txt") == text


def test_undecodable_bytes_are_bad_input() -> None:
    with pytest.raises(BadInput, match="re-save it as UTF-8"):
        decode_text(b"\xff\xff\xff\x81\x20\xfe", "x.txt")


def test_running_header_and_wrapped_lines() -> None:
    wrap = "加快推进公共数据授权运营，建立健全数据流通交易规则，培育"
    pages = [["某市人民政府文件", "一、总体要求", wrap, "数据商。", "— 1 —"],
             ["某市人民政府文件", "（一）加强组织领导。", "— 2 —"]]
    assert _join_wrapped(_drop_running_lines(pages)) == [
        "一、总体要求", wrap + "数据商。", "（一）加强组织领导。"]


def test_vector_cache_reuses_rows_and_survives_a_damaged_file(tmp_path) -> None:
    encoder = HashEncoder(16)
    cache = VectorCache(tmp_path, encoder.name, encoder.dim)
    first = cache.encode(encoder, ["甲乙丙", "丁戊己"])
    assert cache.fresh == 2
    cache.save()
    again = VectorCache(tmp_path, encoder.name, encoder.dim)
    both = again.encode(encoder, ["丁戊己", "庚辛壬", "甲乙丙"])
    assert again.fresh == 1
    np.testing.assert_array_equal(both[[2, 0]], first)
    np.testing.assert_allclose(both[1], encoder.encode_documents(["庚辛壬"])[0])
    again.path.write_bytes(b"not an npz")
    damaged = VectorCache(tmp_path, encoder.name, encoder.dim)
    damaged.encode(encoder, ["甲乙丙"])
    assert damaged.fresh == 1
    other_model = VectorCache(tmp_path, "hash-bigram-32", 32)
    assert other_model.keys() == set()


def test_vector_cache_keys_ending_in_zero_bytes_survive_a_save(tmp_path) -> None:
    """A sha256 digest ends in a zero byte once in 256: such keys must read back equal."""
    from askplan.index.vectors import _key

    encoder = HashEncoder(16)
    texts = [f"第{i}条" for i in range(2000)]
    assert any(_key(encoder.name, t).endswith(b"\0") for t in texts)
    cache = VectorCache(tmp_path, encoder.name, encoder.dim)
    cache.encode(encoder, texts)
    cache.save()
    again = VectorCache(tmp_path, encoder.name, encoder.dim)
    again.encode(encoder, texts)
    assert again.fresh == 0


def test_vector_cache_holds_one_copy_of_the_vectors_and_saves_repeated_texts_once(tmp_path) -> None:
    """Only the rows of the last encode are saved, a repeated text once, and read back in place."""
    from askplan.index.vectors import _key

    encoder = HashEncoder(16)
    cache = VectorCache(tmp_path, encoder.name, encoder.dim)
    cache.encode(encoder, ["甲乙丙", "丁戊己", "庚辛壬"])
    cache.save()
    again = VectorCache(tmp_path, encoder.name, encoder.dim)
    out = again.encode(encoder, ["丁戊己", "癸子丑", "丁戊己"])
    assert again.fresh == 1
    np.testing.assert_array_equal(out[0], out[2])
    again.save()
    third = VectorCache(tmp_path, encoder.name, encoder.dim)
    assert third.keys() == {_key(encoder.name, t) for t in ("丁戊己", "癸子丑")}  # 甲乙丙, 庚辛壬 unused: dropped
    with np.load(third.path) as data:
        assert data["vectors"].shape == (2, encoder.dim)  # 丁戊己 once
    np.testing.assert_array_equal(third.vector(_key(encoder.name, "癸子丑")), out[1])
    np.testing.assert_array_equal(third.encode(encoder, ["癸子丑", "丁戊己"]), out[[1, 0]])
    assert third.fresh == 0


def test_vector_cache_streams_in_batches_like_one_call(tmp_path, monkeypatch) -> None:
    """Texts given in chunks reach the encoder as one call over the distinct uncached texts would give them: in
    first-appearance order, in batches of EMBED_BATCH (a multiple of the engine's batch); cached rows and repeats
    are copied, and the rows land at their positions in a vector file."""
    import os

    from askplan.index import vectors
    from askplan.index.vectors import RowFile

    encoder = HashEncoder(16)
    cached = VectorCache(tmp_path, encoder.name, encoder.dim)
    cached.encode(encoder, ["已存0", "已存1"])
    cached.save()
    calls: list[list[str]] = []

    class Recording:
        name, dim = encoder.name, encoder.dim

        def encode_documents(self, texts, *, progress=False):
            calls.append(list(texts))
            return encoder.encode_documents(texts)

    monkeypatch.setattr(vectors, "EMBED_BATCH", 32)
    texts = [f"第{i % 45}句" if i % 7 else f"已存{i % 2}" for i in range(130)]
    chunks = [texts[:5], texts[5:60], [], texts[60:61], texts[61:]]
    cache = VectorCache(tmp_path, encoder.name, encoder.dim)
    with open(tmp_path / "rows.f32", "w+b") as f:
        assert cache.write(Recording(), chunks, RowFile(f.fileno(), encoder.dim)) == len(texts)
        got = RowFile(f.fileno(), encoder.dim).read(0, len(texts))
        assert os.fstat(f.fileno()).st_size == len(texts) * 4 * encoder.dim
        cache.save()  # reads the rows back from the vector file
    distinct = list(dict.fromkeys(t for t in texts if not t.startswith("已存")))
    assert [t for call in calls for t in call] == distinct
    assert [len(c) for c in calls] == [32] * (len(distinct) // 32) + [len(distinct) % 32]
    assert cache.fresh == len(distinct)
    np.testing.assert_array_equal(got, encoder.encode_documents(texts))
    again = VectorCache(tmp_path, encoder.name, encoder.dim)
    assert again.keys() == {vectors._key(encoder.name, t) for t in set(texts)}
    for t in set(texts):
        np.testing.assert_array_equal(again.vector(vectors._key(encoder.name, t)), encoder.encode_documents([t])[0])


def test_row_file_without_pread_and_pwrite(tmp_path, monkeypatch) -> None:
    """Where the OS has no pread/pwrite (Windows), rows are written and read with a seek first."""
    from askplan.index.vectors import RowFile

    rows = np.arange(40, dtype=np.float32).reshape(10, 4)
    with open(tmp_path / "rows.f32", "w+b") as f:
        RowFile(f.fileno(), 4).put(0, rows)
        monkeypatch.delattr("os.pread")
        monkeypatch.delattr("os.pwrite")
        file = RowFile(f.fileno(), 4)
        file.put(3, rows[:2] * -1)
        got = file.read(0, 10)
    want = rows.copy()
    want[3:5] = rows[:2] * -1
    np.testing.assert_array_equal(got, want)


def test_a_vector_cache_with_fewer_rows_than_its_header_is_ignored(tmp_path) -> None:
    """A cache file whose ``vectors`` member holds fewer rows than its header says (a valid zip otherwise) is
    ignored like any damaged file, not read past its end in the middle of a build."""
    import zipfile

    from askplan.index.vectors import _key

    encoder = HashEncoder(16)
    texts = [f"第{i}条" for i in range(100)]
    keys = np.frombuffer(b"".join(_key(encoder.name, t) for t in texts), dtype=np.uint8).reshape(100, 32)
    path = VectorCache(tmp_path, encoder.name, encoder.dim).path
    path.parent.mkdir(parents=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        with z.open("keys.npy", "w") as f:
            np.lib.format.write_array(f, keys)
        with z.open("vectors.npy", "w") as f:
            np.lib.format.write_array_header_1_0(f, {"descr": "<f4", "fortran_order": False, "shape": (100, 16)})
            f.write(np.zeros((10, 16), dtype="<f4").tobytes())
    again = VectorCache(tmp_path, encoder.name, encoder.dim)
    out = again.encode(encoder, texts[95:])
    assert again.keys() == set() and again.fresh == 5
    np.testing.assert_array_equal(out, encoder.encode_documents(texts[95:]))


def _html_lines(tmp_path, body: str) -> tuple[str, ...]:
    from askplan.ingest.extract import extract

    path = tmp_path / "page.html"
    path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    return extract(path).lines


def test_html_article_laid_out_in_one_table_cell_keeps_its_paragraphs(tmp_path) -> None:
    # gov.cn pages put the whole article in one <td>; joined as a table row it was one line and one measure
    lines = _html_lines(tmp_path, '<table><tbody><tr><td class="b12c" id="UCAP-CONTENT">'
                                  "<p>国务院办公厅关于开展城镇小区配套幼儿园治理工作的通知</p>"
                                  "<p>一、总体要求</p><p>以习近平新时代中国特色社会主义思想为指导。</p>"
                                  "<p>二、治理任务</p><p>（一）摸底排查。各地要全面摸排。</p>"
                                  "<table><tr><td><p>任务</p></td><td><p>责任单位</p></td></tr>"
                                  "<tr><td><p>摸底排查</p></td><td><p>教育部</p><p>住房城乡建设部</p></td></tr></table>"
                                  "</td></tr></tbody></table>")
    assert lines[:5] == ("国务院办公厅关于开展城镇小区配套幼儿园治理工作的通知", "一、总体要求",
                         "以习近平新时代中国特色社会主义思想为指导。", "二、治理任务", "（一）摸底排查。各地要全面摸排。")
    # a table inside the article is still read a row a line, its cells' paragraphs joined
    assert lines[5:] == ("任务｜责任单位", "摸底排查｜教育部 住房城乡建设部")


def test_html_table_rows_with_one_filled_cell_stay_rows(tmp_path) -> None:
    # a heading row spanning a data table and a row whose one cell holds one paragraph: a row a line, as before
    lines = _html_lines(tmp_path, '<table><tr><td colspan="2"><p>表1 重点任务</p></td></tr>'
                                  "<tr><td><p>（一）推进建设</p></td><td></td></tr>"
                                  "<tr><td>1</td><td>省发展改革委</td></tr></table>")
    assert lines == ("表1 重点任务", "（一）推进建设", "1｜省发展改革委")


def test_title_skips_records_of_adoption_and_body_headings() -> None:
    # a law's head: amendment records name a 决定 and a first chapter heading names a 规划; neither is the title
    lines = ("2018年4月27日 第十三届全国人民代表大会常务委员会第二次会议《关于修改<中华人民共和国国境卫生检疫法>等六部法律的决定》修正",
             "第二章 能源规划", "中华人民共和国能源法", "第一条 为了推动能源高质量发展，制定本法。")
    assert infer(lines, {}).title == "中华人民共和国能源法"
    # a title that opens with a year is none of these: 2025年全省数字政府建设工作要点 has no 年 right after a date
    assert infer(("关于印发2025年工作要点的通知", "各市人民政府："), {}).title == "关于印发2025年工作要点的通知"


def test_markdown_top_heading_is_the_title(tmp_path) -> None:
    from askplan.ingest.extract import extract

    path = tmp_path / "law.md"
    path.write_text("# 中华人民共和国车辆购置税法\n\n2018年12月29日 第十三届全国人民代表大会常务委员会第七次会议通过\n\n"
                    "<!-- INFO END -->\n\n"
                    "第一条 在中华人民共和国境内购置汽车的单位和个人，为车辆购置税的纳税人。\n", encoding="utf-8")
    found = extract(path)
    assert found.meta["title"] == "中华人民共和国车辆购置税法"
    assert infer(found.lines, found.meta).title == "中华人民共和国车辆购置税法"
    assert found.lines[0] == "中华人民共和国车辆购置税法"  # the heading marker is dropped from the text
    assert not any("INFO END" in line for line in found.lines)  # and a note for Markdown tools


def test_title_over_three_lines_spaced_and_with_brackets() -> None:
    # gov.cn pages break titles with <br>; a printed heading spaces its characters out; a title naming a law in 《》
    # goes on past the law's 法 until its brackets close
    assert infer(("国务院办公厅对全国政协十届四次会议", "第4626号提案的答复", "国办函〔2006〕12号"), {}).title == \
        "国务院办公厅对全国政协十届四次会议第4626号提案的答复"
    assert infer(("国务院关于授权香港特别行政区实施管辖的", "深圳湾口岸港方口岸区范围和", "土 地 使 用 期 限 的 批 复",
                  "国函〔2006〕132号"), {}).title == "国务院关于授权香港特别行政区实施管辖的深圳湾口岸港方口岸区范围和土地使用期限的批复"
    assert infer(("国务院关于在海南博鳌乐城国际医疗旅游先行区", "暂时调整实施《中华人民共和国药品管理法",
                  "实施条例》有关规定的决定", "国发〔2018〕43号"), {}).title == \
        "国务院关于在海南博鳌乐城国际医疗旅游先行区暂时调整实施《中华人民共和国药品管理法实施条例》有关规定的决定"
    # a complete title is not joined with the line after it
    assert infer(("某市人民政府关于加强安全生产的通知", "安全生产工作方案", "各区人民政府："), {}).title == \
        "某市人民政府关于加强安全生产的通知"


def test_issuer_of_a_forwarding_notice_is_the_forwarding_body() -> None:
    # the forwarded report is signed at the end by its drafter; the notice's issuer is the body the title names
    lines = ("国务院办公厅转发国家地震局关于1997年地震趋势和加强防震减灾工作意见报告的通知", "国办发〔1997〕5号",
             "各省、自治区、直辖市人民政府：", "国家地震局《关于1997年地震趋势和加强防震减灾工作的意见》已经国务院同意，现转发给你们。",
             "一、加强监测预报。", "国家地震局", "一九九七年一月二十日")
    assert infer(lines, {}).issuer == "国务院办公厅"
    assert infer(("国务院办公厅对全国政协十届四次会议第4626号提案的答复", "您提出的提案收悉。"), {}).issuer == "国务院办公厅"
    # without a body in the title, the signature at the end
    assert infer(("关于印发数据要素方案的通知", "各区：", "现印发给你们。", "某市数据局", "2024年3月1日"), {}).issuer == "某市数据局"


def test_page_tools_above_a_title_are_dropped_and_never_joined_to_it() -> None:
    # a provincial news site's tool bar, one word a line, then the report's title
    raw = ["下载", "打印", "全屏", "收藏", "【字号：", "加大", "还原", "减小", "】", "2026年安徽省政府工作报告",
           "——2026年2月5日在安徽省第十四届人民代表大会第四次会议上", "各位代表："]
    lines, dropped = clean_lines(raw)
    assert (lines[0], dropped) == ("2026年安徽省政府工作报告", 9)
    assert infer(tuple(raw), {}).title == "2026年安徽省政府工作报告"  # even were they kept
    # a photo caption naming the report holds a full stop: no title
    assert infer(("政府工作报告。 贵州日报记者摄", "政府工作报告", "各位代表："), {}).title == "政府工作报告"
    assert clean_lines(["加大财政投入力度。"])[0] == ["加大财政投入力度。"]


def test_an_html_task_table_added_reads_its_unit_column(tmp_path) -> None:
    # the whole path of a gov.cn-style page: the article in one cell, a task table inside it, askplan add's text,
    # then the corpus parser: each row's 牵头单位 cell leads it
    from askplan.corpus import load_document
    from askplan.ingest.add import Overrides, corpus_text

    page = tmp_path / "tasks.html"
    page.write_text("<html><body><table><tr><td><p>某市人民政府办公室关于印发重点任务分工的通知</p>"
                    "<p>各区人民政府：现将重点任务分工印发给你们。</p><p>某市人民政府办公室</p><p>2024年3月1日</p>"
                    "<p>附件</p><p>重点任务分工</p><table>"
                    "<tr><td>序号</td><td>重点任务</td><td>牵头单位</td><td>配合单位</td></tr>"
                    "<tr><td>1</td><td>建设城市数据资源平台，推进公共数据共享。</td><td>市数据局</td><td>市财政局</td></tr>"
                    "<tr><td>2</td><td>开展低空经济应用场景试点，培育无人机物流企业。</td><td>市发展改革委</td><td>市交通运输局</td></tr>"
                    "</table></td></tr></table></body></html>", encoding="utf-8")
    slug, text = corpus_text(page, Overrides())
    (tmp_path / f"{slug}.txt").write_text(text, encoding="utf-8")
    doc = load_document(tmp_path / f"{slug}.txt")
    assert doc.title == "某市人民政府办公室关于印发重点任务分工的通知" and doc.issuer == "某市人民政府办公室"

    def lead(words: str):
        (m,) = [m for m in doc.measures if words in m.text]
        r = m.responsibility_at(m.text.index(words))
        return (r.lead, r.co_units)

    assert lead("城市数据资源平台") == ("市数据局", ("市财政局",))
    assert lead("低空经济应用场景") == ("市发展改革委", ("市交通运输局",))


def test_a_work_report_is_issued_by_its_places_government() -> None:
    def issuer(title: str) -> str:
        return infer((title, "各位代表：", "现在，我代表省人民政府，向大会报告政府工作。"), {}).issuer

    assert issuer("2026年甘肃省政府工作报告") == "甘肃省人民政府"
    assert issuer("陕西省2026年政府工作报告") == "陕西省人民政府"
    assert issuer("2026年宁夏回族自治区政府工作报告") == "宁夏回族自治区人民政府"
    assert issuer("2026年四川省人民政府工作报告") == "四川省人民政府"
    assert issuer("政府工作报告") == ""  # no place: the flag names it
    # a resolution on a report is the congress's, not the government's
    assert issuer("甘肃省人民代表大会关于政府工作报告的决议") == "甘肃省人民代表大会"


def test_a_news_pages_source_time_caption_and_font_switch_are_dropped() -> None:
    raw = ["首页", ">", "云南要闻", "2026年政府工作报告", "来源：云南日报", "2026-02-03 09:02:33", "大", "中", "小",
           "——2026年1月28日在云南省第十四届人民代表大会第四次会议上", "省长王予波作政府工作报告。本报记者 李某摄", "各位代表："]
    lines, dropped = clean_lines(raw)
    assert lines == ["云南要闻", "2026年政府工作报告", "——2026年1月28日在云南省第十四届人民代表大会第四次会议上", "各位代表："]
    assert dropped == 8
    # one size alone, or two of them, is text (a table's cells)
    assert clean_lines(["规模", "大", "中", "数量", "小"])[0] == ["规模", "大", "中", "数量", "小"]
