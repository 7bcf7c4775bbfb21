"""Responsible units printed as table columns (a 任务清单 flattened one cell per line)."""

from __future__ import annotations

from pathlib import Path

from askplan.corpus import load_document
from askplan.corpus.table_units import row_responsibility, unit_columns

HEAD = "---\ntitle: 某区重点任务清单\nissuer: 某区人民政府\ndate: 2024-01-01\nscript: simplified\nsource: test\n---\n"
TABLE = """某区人民政府关于印发重点任务清单的通知

各街道、区政府各部门：现将任务清单印发给你们，请认真落实。

附件

序号

重点任务

完成时限

牵头

单位

配合

单位

（1）建成社区食堂20家。

2024年底

区民政局

各街道、区市场监管局

（2）新增养老床位500张。

2025年底

（3）改造老旧小区电梯30部。

2025年底

区住房保障局

区房管局

区财政局、各街道

（4）完成河道整治12公里。

2026年6月

区水务局

区生态环境局
"""


def _doc(tmp_path: Path, body: str):
    path = tmp_path / "district-task-list-2024.txt"
    path.write_text(HEAD + body, encoding="utf-8")
    return load_document(path)


def _leads(doc) -> dict[str, tuple[str | None, tuple[str, ...]]]:
    return {m.label: (m.responsibilities[0].lead, m.responsibilities[0].co_units) if m.responsibilities else (None, ())
            for m in doc.measures if m.label}


def test_header_split_over_lines_gives_the_unit_columns() -> None:
    (cols,) = unit_columns(TABLE)
    assert (cols.count, cols.lead, cols.others) == (2, 0, (1,))
    assert TABLE[:cols.end].rstrip().endswith("单位")


def test_rows_read_their_unit_cells(tmp_path: Path) -> None:
    leads = _leads(_doc(tmp_path, TABLE))
    assert leads["（1）"] == ("区民政局", ("各街道", "区市场监管局"))
    assert leads["（4）"] == ("区水务局", ("区生态环境局",))


def test_a_row_without_unit_cells_shares_the_merged_cell_above(tmp_path: Path) -> None:
    assert _leads(_doc(tmp_path, TABLE))["（2）"][0] == "区民政局"


def test_a_lead_cell_broken_over_two_lines_keeps_its_first_unit(tmp_path: Path) -> None:
    lead, co = _leads(_doc(tmp_path, TABLE))["（3）"]
    assert lead == "区住房保障局"
    assert co[0] == "区房管局"


def test_prose_naming_the_columns_is_no_header() -> None:
    prose = "各牵头部门、配合部门要加强协作。\n\n（1）建成社区食堂20家。\n\n区民政局\n\n各街道\n"
    assert unit_columns(prose) == []


def test_columns_after_the_unit_columns_keep_rows_from_being_misread(tmp_path: Path) -> None:
    body = "序号\n\n重点任务\n\n牵头单位\n\n配合单位\n\n完成时限\n\n（1）建成社区食堂20家。\n\n区民政局\n\n各街道\n\n2024年底\n"
    assert _leads(_doc(tmp_path, body))["（1）"] == (None, ())


def test_figures_are_not_read_as_units() -> None:
    (cols,) = unit_columns(TABLE)
    assert row_responsibility("建成社区食堂20家。\n\n建成10家\n\n建成10家", cols) is None
    assert row_responsibility("区民政局\n\n各街道", cols) is None  # no task text before the cells


ANNEX = """某区推进光伏应用实施方案

一、工作任务

（一）推进示范工程。支持交通场站建设光伏设施。

附表

任务分工表

序号

事项

工作措施

责任单位

推进示范工程

1

“光伏+地铁”工程

充分利用车站屋顶建设光伏设施

地铁集团

2

新建车站屋顶光伏覆盖面积达到50%

3

“光伏+港口”工程

利用港区仓库屋顶建设分布式光伏

港务集团、区交通委

4

*推进东码头屋顶光伏设施建设
"""


def test_a_single_unit_column_is_a_header_after_other_columns() -> None:
    (cols,) = unit_columns(ANNEX)
    assert (cols.count, cols.lead, cols.others) == (1, 0, ())
    assert unit_columns("责任单位\n\n区民政局\n\n建成社区食堂20家。\n") == []  # a label alone is no table


def test_a_table_printed_inside_one_measure_reads_one_responsibility_a_row(tmp_path: Path) -> None:
    (measure,) = [m for m in _doc(tmp_path, ANNEX).measures if "任务分工表" in m.text]
    rows = measure.responsibilities
    assert [r.lead for r in rows] == ["地铁集团", "地铁集团", "港务集团", "港务集团"]  # rows 2 and 4: merged cells
    assert rows[2].co_units == ("区交通委",) and not any(r.prose for r in rows)
    fourth = measure.text.index("东码头")
    assert measure.responsibility_at(fourth).lead == "港务集团"
    assert measure.responsibility_at(measure.text.index("覆盖面积")).lead == "地铁集团"


TABBED = ("某区家庭医生签约服务实施方案\n\n一、工作任务\n\n（一）扩大服务供给。\n\n附件\n\n任务分工表\n\n"
          "序号\t工作事项\t主要内容\t牵头单位\t配合单位\n"
          "1\t扩大家庭医生来源。\t现阶段家庭医生以全科医生为主，\n"
          "逐步向专科拓展。\t区卫生健康局、各街道\t区人社局\n"
          "鼓励退休医师参与签约服务。\n"
          "2\t优化签约服务团队。\t家庭医生可以组建团队提供签约服务。\t区人社局\t/\n"
          "3\t加强宣传引导。\t采取群众易于接受的方式开展宣传。\t/\t/\n"
          "4\t保障合理用药。\t落实药品目录管理政策。\t区卫生健康局\t/\n"
          "统一药品供应目录，保障药品供应。\t区医保局\t区卫生健康局\n")


def test_a_tab_separated_table_reads_each_row_and_its_continuation_lines(tmp_path: Path) -> None:
    (measure,) = [m for m in _doc(tmp_path, TABBED).measures if "任务分工表" in m.text]
    rows = measure.responsibilities
    assert [(r.lead, r.co_units) for r in rows] == [
        ("区卫生健康局", ("各街道", "区人社局")),  # its units on the row's second line, aligned to the last columns
        ("区人社局", ()),  # "/" is no unit
        ("区人社局", ()),  # no unit cells: the merged cell above
        ("区卫生健康局", ()), ("区医保局", ("区卫生健康局",)),  # a row split into sub-rows with units of their own
    ]
    assert measure.responsibility_at(measure.text.index("向专科拓展")).lead == "区卫生健康局"
    assert measure.responsibility_at(measure.text.index("退休医师")).lead == "区卫生健康局"  # after its units
    assert measure.responsibility_at(measure.text.index("组建团队")).lead == "区人社局"
    assert measure.responsibility_at(measure.text.index("统一药品供应目录")).lead == "区医保局"


def test_a_tab_separated_line_without_a_unit_column_is_no_header(tmp_path: Path) -> None:
    body = TABBED.replace("牵头单位\t配合单位", "完成时限\t备注")
    (measure,) = [m for m in _doc(tmp_path, body).measures if "任务分工表" in m.text]
    assert measure.responsibilities == ()


PROMOTED = """某部关于推广改革举措的通知

各省人民政府：现将推广清单印发给你们。

一、推广的改革举措

二、认真抓好组织实施

附件

推广清单

序号｜改革举措｜主要内容｜指导部门｜推广范围

一、知识产权保护方面

1｜知识产权案件“三合一”审判｜整合分散的审判资源，实行民事、刑事、行政案件审判“三合一”。｜最高人民法院｜全国

2｜专利保险机制｜开发专利代理责任险等保险产品，降低创新主体的侵权损失。｜国家知识产权局、中国银保监会｜全国

二、管理体制创新方面

3｜仪器设备开放共享机制｜科研仪器设备所有方与专业服务机构协议约定服务价格。｜科技部、财政部｜全国

4｜决策容错机制｜以地方立法形式建立推动改革创新的决策容错机制。｜全国
"""


def test_rows_of_a_bar_separated_table_after_its_header_read_their_unit_cells(tmp_path: Path) -> None:
    # askplan add writes an HTML or Word table's cells joined by ｜; the numbered rows fall into measures of their
    # own (by section), away from the header, whose 指导部门 column (a 推广清单's guiding ministry) says who leads
    doc = _doc(tmp_path, PROMOTED)

    def lead(row: str):
        (m,) = [m for m in doc.measures if row in m.text]
        r = m.responsibility_at(m.text.index(row))
        return (r.lead, r.co_units) if r else None

    assert lead("知识产权案件“三合一”审判") == ("最高人民法院", ())
    assert lead("专利保险机制") == ("国家知识产权局", ("中国银保监会",))
    assert lead("仪器设备开放共享机制") == ("科技部", ("财政部",))
    assert lead("一、推广的改革举措") is None  # the notice above the table names no one
    # a ｜ table without a unit column gives no one
    assert all(not m.responsibilities for m in _doc(tmp_path, PROMOTED.replace("指导部门", "备注")).measures)
