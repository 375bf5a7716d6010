"""Pure parsing: the real saved pages in shared/real, the PORTALS.md patterns, encodings, detection."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler import classify_title, hanweb, is_self_assessment, numeric, parse_article, parse_listing, trs
from crawler.headers import disposition_name
from crawler.html import display_name

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"
if not REAL.is_dir():
    REAL = Path("/work/shared/real")
CZJ = "http://www.changsha.gov.cn/szf/ztzl/ysgk/bmyjshsgjf/csczj/"


def real(name: str) -> str:
    return (REAL / name).read_text(encoding="utf-8")


# --- real pages ------------------------------------------------------------------------


def test_changsha_czj_list_real():
    listing = trs.parse_listing(real("trs_changsha_czj_list.html"), CZJ + "index.html")
    assert len(listing.articles) == 14
    first = listing.articles[0]
    assert first.url == CZJ + "202602/t20260212_12312285.html"
    assert (first.title, first.date) == ("长沙市财政局2026年部门预算公开", "2026-02-12")
    # Re-published: the list date is not the URL date.
    republished = next(a for a in listing.articles if a.url.endswith("t20240219_11373437.html"))
    assert republished.date == "2023-02-06"
    assert listing.next_pages == [CZJ + "index_1.html"]
    assert not any("zssczjjg" in a.url for a in listing.articles)  # sub-column links are not articles


def test_changsha_jtj_list_real_second_page_pager():
    base = "http://www.changsha.gov.cn/szf/ztzl/ysgk/bmyjshsgjf/csjtj/"
    listing = parse_listing(real("trs_changsha_jtj_list.html"), base)  # platform detected
    assert len(listing.articles) == 15
    assert listing.articles[0].url == base + "202602/t20260212_12313790.html"
    assert listing.next_pages == [base + f"index_{k}.html" for k in (1, 2, 3)]
    html = real("trs_changsha_jtj_list.html").replace("createPageHTML(4, 0,", "createPageHTML(4, 2,")
    assert trs.parse_listing(html, base + "index_2.html").next_pages == [
        base + "index.html", base + "index_1.html", base + "index_3.html"
    ]


def test_tianjin_article_real():
    url = "https://cz.tj.gov.cn/zwgk_53713/yjsgktypt/ysgk/2018nbmysgkml/202008/t20200803_3332190.html"
    article = parse_article(real("trs_tianjin_article_rar.html"), url)
    assert article.title == "天津市交通运输委员会"
    assert article.published_at == "2018-03-06"  # PubDate, not PubTime (2025) nor the URL (2020)
    [attachment] = article.attachments
    assert attachment.url == (
        "https://cz.tj.gov.cn/zwgk_53713/yjsgktypt/ysgk/2018nbmysgkml/202008/W020200803658872276649.rar"
    )
    assert attachment.name == "天津市交通运输委员会.rar"


def test_wenzhou_jpaas_pdf_in_script_variable_real():
    url = "https://www.wenzhou.gov.cn/zwgk/zdlyxxgk/czxx/bmys/2026n/sjbmys/art/2026/art_4bac3f333a66ac93b1c3b782c1221d95.html"
    article = parse_article(real("jpaas_wenzhou_article.html"), url, platform="hanweb")
    assert article.title == "温州市公安局2026年部门预算"
    assert article.published_at == "2026-03-02"
    assert [a.url for a in article.attachments] == [
        "https://www.wenzhou.gov.cn/cms_files/filemanager/1544130/attach/20262/56571FC6B3E537667EF4719DFC2DAC18.pdf"
    ]
    assert not any(a.url.endswith(".css") or a.url.endswith(".js") for a in article.attachments)


# --- PORTALS.md patterns ---------------------------------------------------------------


CHONGQING = """<html><head><meta name="ArticleTitle" content="重庆市发展和改革委员会2026年部门预算公开">
<meta name="PubDate" content="2026-03-02 09:52"></head><body>
<div class="trs_editor_view TRS_UEDITOR"><p>正文</p>
<a appendix="true" data-appendix="true" needdownload="true" href="./P020260302346748437806.pdf"
   title="重庆市发展和改革委员会2026年部门预算公开.pdf" oldsrc="/protect/P0202603/P020260302/P020260302346748437806.pdf">附件1</a>
<a onclick="downloadFj('重庆市财政局（本级）2026年单位预算情况说明.pdf','./W020260302356020551996.pdf')">说明</a>
<a oldsrc="W020180320396662975085.PDF">无href</a>
<a href="javascript:void(0)">打印</a><a href="./t20260301_1.html">上一篇</a>
</div></body></html>"""


def test_trs_attachment_variants():
    base = "https://czj.cq.gov.cn/zwgk_268/fdzdgknr/ysjs/bmys/202603/t20260302_15478429.html"
    article = parse_article(CHONGQING, base)
    folder = base.rsplit("/", 1)[0] + "/"
    assert [(a.url, a.name) for a in article.attachments] == [
        (folder + "P020260302346748437806.pdf", "重庆市发展和改革委员会2026年部门预算公开.pdf"),
        (folder + "W020260302356020551996.pdf", "重庆市财政局（本级）2026年单位预算情况说明.pdf"),
        (folder + "W020180320396662975085.PDF", "无href.pdf"),
    ]
    assert article.published_at == "2026-03-02"


def test_hanweb_downfile_and_records():
    page = """<html><body><div id="zoom"><p>见附件</p>
<a href="/module/download/downfile.jsp?classid=0&filename=6a1b2c3d4e5f60718293a4b5c6d7e8f9.pdf&showname=%E8%87%AA%E8%AF%84%E6%8A%A5%E5%91%8A.pdf">下载</a>
</div></body></html>"""
    article = hanweb.parse_article(page, "http://czt.example.gov.cn/art/2024/5/20/art_1_2.html")
    [attachment] = article.attachments
    assert attachment.url.startswith("http://czt.example.gov.cn/module/download/downfile.jsp?")
    assert attachment.name == "自评报告.pdf"
    listing_html = """<html><body><div id="1"><script type="text/xml"><datastore><recordset>
<record><![CDATA[<li><a href="/art/2024/5/20/art_1229_5001.html" title="2023年度部门整体支出绩效自评报告">x</a><span>2024-05-20</span></li>]]></record>
</recordset></datastore></script></div></body></html>"""
    listing = parse_listing(listing_html, "http://czt.example.gov.cn/col/col1229/index.html")
    assert [(a.url, a.date) for a in listing.articles] == [
        ("http://czt.example.gov.cn/art/2024/5/20/art_1229_5001.html", "2024-05-20")
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://fgw.yueyang.gov.cn/8739/8740/default.htm", ["default_1.htm", "default_2.htm"]),
        ("http://jsj.yueyang.gov.cn/54027/54028/54043/54055/index.htm", ["index_1.htm", "index_2.htm"]),
        ("http://jsj.yueyang.gov.cn/54027/54028/54043/54055/", ["index_1.htm", "index_2.htm"]),
    ],
)
def test_numeric_pager(url, expected):
    page = """<ul class="news-list"><li><a href="content_2188057.html" title="岳阳市发改委2022年度部门整体支出绩效自评报告">岳阳市…</a><span>2023-02-23</span></li></ul>
<div id="pagination"><span>1/3页</span></div>"""
    listing = numeric.parse_listing(page, url)
    folder = url if url.endswith("/") else url.rsplit("/", 1)[0] + "/"
    assert listing.next_pages == [folder + name for name in expected]
    [article] = listing.articles
    assert article.title == "岳阳市发改委2022年度部门整体支出绩效自评报告"  # the title attribute, not the cut text
    assert article.url == folder + "content_2188057.html"


def test_plain_next_link():
    page = '<ul><li><a href="/a/t20240101_1.html">甲单位2023年度绩效自评报告</a> 2024-01-01</li></ul><a href="list_2.html">下一页</a>'
    listing = parse_listing(page, "http://x.gov.cn/a/list.html")
    assert listing.next_pages == ["http://x.gov.cn/a/list_2.html"]
    assert listing.articles[0].date == "2024-01-01"


# --- detection, encodings, names -------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "verdict"),
    [
        ("岳阳市人大常委会2022年度部门整体支出绩效自评报告", "report"),
        ("株洲市渌口区人大常委会2021年度部门整体支出绩效评价报告", "report"),
        ("2023年度项目支出绩效自评表", "report"),
        ("长沙市财政局2026年部门预算公开", "budget"),
        ("2024年度长沙市财政局部门决算", "final_accounts"),
        ("关于开展2023年度部门整体支出绩效自评工作的通知", "notice"),
        ("2023年度绩效情况", "maybe"),
        ("天津市交通运输委员会", "other"),
    ],
)
def test_classify_title(title, verdict):
    assert classify_title(title) == verdict


def test_is_self_assessment_uses_the_body_not_the_url():
    assert is_self_assessment("2023年度绩效情况", "根据要求，现将本单位2023年度部门整体支出绩效自评报告公开如下")
    assert not is_self_assessment("2023年度绩效情况", "2024年度绩效目标表")
    assert not is_self_assessment("长沙市财政局2024年度部门预算", "绩效自评")


def test_names_are_display_only():
    assert display_name("../../etc/passwd", "http://x/a.pdf") == "passwd.pdf"
    assert display_name("..\\..\\x\x00y.docx", "http://x/a.docx") == "xy.docx"
    assert display_name("附件1", "http://x/W0123.XLS") == "附件1.xls"
    raw_gbk = "2023年绩效自评表.xls".encode("gbk").decode("latin-1")
    assert disposition_name(f'attachment; filename="{raw_gbk}"') == "2023年绩效自评表.xls"
    assert disposition_name("attachment; filename*=UTF-8''%E8%87%AA%E8%AF%84.pdf") == "自评.pdf"


def test_an_article_titled_with_the_department_alone_is_decided_by_its_attachments():
    names = ("古丈县财政局2023年度部门整体支出绩效自评报告.pdf",)
    assert is_self_assessment("古丈县财政局", "详见附件。", names)
    assert not is_self_assessment("古丈县财政局", "详见附件。", ("古丈县财政局2024年部门预算.pdf",))
    assert not is_self_assessment("古丈县财政局", "详见附件。")
