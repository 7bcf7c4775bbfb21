"""Real files for the ``askplan add`` tests, each a policy text in a different layout: a Word notice with a
table, automatic numbering and a page-number footer; a two-page PDF with a running header and page numbers; a
saved web page with navigation, a site banner, a breadcrumb and a footer."""

from __future__ import annotations

from pathlib import Path

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
PDF_FIXTURE = Path(__file__).parent / "fixtures" / "ingest" / "data-market-notice.pdf"
ITEM = "加快推进公共数据授权运营，建立健全数据流通交易规则，培育数据商和第三方专业服务机构。"


def write_docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "某县人民政府办公室文件"
    d.sections[0].footer.paragraphs[0].text = "— 1 —"
    for line in ("某县人民政府办公室关于印发某县农村人居环境整治提升方案的通知", "某政办〔2023〕7号",
                 "各乡镇人民政府，县政府各部门：", "《某县农村人居环境整治提升方案》已经县政府同意，现印发给你们，请认真贯彻执行。",
                 "某县人民政府办公室", "2023年6月18日", "一、重点任务",
                 "（一）推进农村厕所革命。新改建农村户用卫生厕所3000户，同步开展粪污无害化处理。（责任单位：县农业农村局、县卫生健康委）",
                 "（二）治理农村生活污水。建设污水处理设施12处，行政村生活污水治理率达到45%。（责任单位：县生态环境分局）",
                 "二、保障措施"):
        d.add_paragraph(line)
    d.add_paragraph("加强组织领导。由县农业农村局牵头建立月调度机制。", style="List Number")
    d.add_paragraph("强化资金保障。统筹涉农资金用于村庄清洁行动。", style="List Number")
    table = d.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, (("乡镇", "改厕任务（户）"), ("城关镇", "420")), strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    d.save(str(path))
    return path


def write_pdf(path: Path) -> Path:
    """With fpdf2 and a CJK font when both are installed, else the committed copy made by this function."""
    try:
        from fpdf import FPDF
    except ImportError:
        FPDF = None  # noqa: N806
    if FPDF is None or not CJK_FONT.exists():
        path.write_bytes(PDF_FIXTURE.read_bytes())
        return path

    class Page(FPDF):
        def header(self):
            self.set_font("cjk", size=9)
            self.cell(0, 8, "某市人民政府文件", align="C")
            self.ln(10)

        def footer(self):
            self.set_y(-15)
            self.set_font("cjk", size=9)
            self.cell(0, 8, f"— {self.page_no()} —", align="C")

    pdf = Page()
    pdf.add_font("cjk", "", str(CJK_FONT))
    pdf.set_font("cjk", size=12)
    pdf.add_page()
    lines = ["某市人民政府关于印发某市数据要素市场培育行动方案的通知", "某政发〔2024〕12号", "各区人民政府，市政府各部门：",
             "现将《某市数据要素市场培育行动方案》印发给你们，请认真贯彻执行。", "某市人民政府", "2024年3月5日", "一、总体要求"]
    lines += [f"（{n}）第{n}项工作。{ITEM * 2}（责任单位：市数据局、市发展改革委）" for n in "一二三四五"]
    lines += ["（六）建设数据交易场所。在临空经济区设立数据交易服务中心，开展数据资产登记。（5月底完成，牵头考核单位：市数据局）"]
    for line in lines:
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    for line in ("二、保障措施", "（七）加强组织领导。由市数据局牵头建立工作推进机制。"):
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


HTML = """<!DOCTYPE html><html><head><meta charset="gb2312">
<meta name="ArticleTitle" content="某省关于支持低空经济高质量发展的若干措施">
<meta name="PubDate" content="2025-04-02 10:30">
<meta name="ContentSource" content="某省人民政府办公厅">
<title>某省关于支持低空经济高质量发展的若干措施_政策文件_某省人民政府门户网站</title></head>
<body><div id="header"><a href="/">首页</a> <a href="/zwgk">政务公开</a></div>
<nav><ul><li>机构</li><li>政策</li><li>服务</li></ul></nav>
<div class="breadcrumb">当前位置：首页 &gt; 政务公开 &gt; 政策文件</div>
<div class="article"><h1>某省关于支持低空经济高质量发展的若干措施</h1>
<p>维基文库，自由的图书馆</p>
<p>为加快培育低空经济新动能，制定如下措施。</p>
<p>第一条　支持通用机场建设。对新建A1级通用机场给予一次性补助2000万元。（责任单位：省发展改革委）</p>
<p>第二条　培育无人机物流。开通无人机配送航线，对年度飞行架次超过1万的企业给予奖励。（责任单位：省交通运输厅、省邮政管理局）</p>
<p>第三条　本措施自印发之日起施行。</p>
<table><tr><th>指标</th><th>2025年</th></tr><tr><td>低空航线（条）</td><td>300</td></tr></table>
</div>
<div class="share">分享到：微信 微博</div>
<p>【打印本页】【关闭窗口】</p>
<footer>版权所有：某省人民政府办公厅　网站标识码：3400000001　皖ICP备05001234号</footer>
</body></html>"""


def write_html(path: Path) -> Path:
    path.write_bytes(HTML.encode("gb18030"))
    return path
