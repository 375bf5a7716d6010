"""The benchmark corpus: ~200 filings in every published format, made once from the seeds.

Each filing is one seed with its money figures scaled by a per-filing factor, a few label
variants a clerk would type, and narrative padding (repeated paragraphs, each chunk ending
in a page break) so that page counts spread from 5 to 200 with the forms somewhere inside.
Everything derives from ``seed`` so two machines measure the same bytes.

LibreOffice is ~2 s a start-up here, so it runs once per target format over all files
(.docx -> .pdf, .docx -> .doc, .doc -> .docx for the converter cache), each with its own
profile. The .doc -> .docx results are stored where ``extractors.office`` looks for them
(keyed by the .doc's hash): the benchmark compares parsing, and both sides read the same
converted file; the cold conversion cost is reported on its own.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

CORPUS_VERSION = 4  # bump when the generator changes what it writes
DEFAULT_ROOT = Path(__file__).resolve().parent / ".corpus"
DEFAULT_FILINGS = 210
DEFAULT_SEED = 20240601
DEFAULT_MAX_PAGES = 200

# share of filings per format; PDFs dominate real portals and carry the long documents. A scanned
# filing is a short text PDF rasterised page by page (OCR costs seconds a page, so few and short).
FORMAT_WEIGHTS = {"pdf": 0.36, "docx": 0.20, "doc": 0.07, "wps": 0.04, "xlsx": 0.09, "xls": 0.06,
                  "html": 0.14, "scanned": 0.04}
SUFFIX = {"scanned": "pdf"}  # format -> file suffix where they differ

_DECIMAL_CELL = re.compile(r"^(\t\s*)(\d{1,7})\.(\d{1,2})(\s*)$")
_AMOUNT_IN_TEXT = re.compile(r"(\d{1,7}(?:\.\d{1,2})?)(\s*万元)")
_LEADING_NUMBER = re.compile(r"^(\t)(\d)、", re.M)

_PADDING_HEADINGS = [
    "（一）部门职责履行情况", "（二）重点工作完成情况", "（三）预算执行情况分析", "（四）存在的问题及原因",
    "（五）下一步改进措施", "（六）绩效评价结果应用情况",
]
_PADDING_SENTENCES = [
    "本部门坚持以习近平新时代中国特色社会主义思想为指导，认真落实预算绩效管理各项要求，强化支出责任。",
    "围绕年度工作目标，加强预算编制、执行、监督全过程管理，严格控制一般性支出，资金使用效益不断提高。",
    "对照年初设定的绩效目标，逐项梳理产出指标和效益指标的完成情况，做到目标明确、数据真实、结论客观。",
    "进一步健全内部控制制度，规范政府采购和资产管理流程，确保财政资金安全、规范、有效使用。",
    "部分项目前期论证不够充分，绩效目标设置不够细化量化，个别指标难以准确衡量实际产出和效果。",
    "下一步将加强绩效运行监控，及时纠偏，推动绩效评价结果与预算安排有机结合，提升财政资金使用效益。",
    "全年召开专题会议研究部署预算绩效管理工作，组织业务培训，提升干部职工的绩效意识和业务能力。",
    "严格执行中央八项规定精神，压减非刚性、非重点支出，公务接待、会议、培训等支出控制在预算范围内。",
]


@dataclass(frozen=True)
class Spec:
    """What one filing of the corpus is made of."""

    index: int
    seed: str  # seed file stem
    fmt: str
    pages: int  # target page count (narrative chunks are one page each)
    factor: float  # money figures are multiplied by this
    quoted_three_public: bool  # 三公经费 -> “三公”经费
    car_variant: bool  # 公务用车购置和维护经费 -> 公务用车购置及运行费
    numbering: str  # how 1、 items are numbered: 1、 (1) 1.

    @property
    def stem(self) -> str:
        return f"{self.index:03d}_{self.seed[:3]}_{self.fmt}"


def plan(filings: int = DEFAULT_FILINGS, seed: int = DEFAULT_SEED, max_pages: int = DEFAULT_MAX_PAGES) -> list[Spec]:
    from jixiao.samples import SAMPLE_NAMES

    rng = random.Random(seed)
    stems = sorted(SAMPLE_NAMES)
    formats = _formats(filings, rng)
    specs = []
    for index, fmt in enumerate(formats):
        specs.append(Spec(
            index=index,
            seed=stems[index % len(stems)],
            fmt=fmt,
            pages=min(max_pages, _pages(fmt, rng)),
            factor=round(rng.uniform(0.4, 3.0), 3),
            quoted_three_public=rng.random() < 0.4,
            car_variant=rng.random() < 0.4,
            numbering=rng.choice(["1、", "（1）", "1."]),
        ))
    return specs


def _formats(filings: int, rng: random.Random) -> list[str]:
    # Exact shares (not sampled) so small corpora still hold every format.
    names = list(FORMAT_WEIGHTS)
    if filings <= len(names):
        return sorted(names, key=FORMAT_WEIGHTS.get, reverse=True)[:filings]
    out: list[str] = []
    for name in names:
        out += [name] * max(1, round(FORMAT_WEIGHTS[name] * filings))
    while len(out) > filings:
        out.remove(max(names, key=out.count))
    while len(out) < filings:
        out.append("pdf")
    rng.shuffle(out)
    return out


def _pages(fmt: str, rng: random.Random) -> int:
    if fmt == "pdf":
        band = rng.random()
        if band < 0.15:
            return rng.randint(100, 200)
        if band < 0.40:
            return rng.randint(30, 99)
        return rng.randint(5, 29)
    if fmt == "scanned":
        return rng.randint(3, 5)
    return rng.randint(5, 40)


def seed_text(spec: Spec) -> str:
    """The seed dump with the filing's figures and label variants."""
    from jixiao.samples import SEEDS

    text = (SEEDS / f"{spec.seed}.txt").read_text(encoding="utf-8")

    def scale(value: str, decimals: int) -> str:
        return f"{float(value) * spec.factor:.{decimals}f}"

    lines = []
    for line in text.splitlines():
        match = _DECIMAL_CELL.match(line)
        if match:
            decimals = len(match.group(3))
            line = match.group(1) + scale(f"{match.group(2)}.{match.group(3)}", decimals) + match.group(4)
        elif not line.startswith("\t"):
            line = _AMOUNT_IN_TEXT.sub(lambda m: scale(m.group(1), 2) + m.group(2), line)
        lines.append(line)
    text = "\n".join(lines) + "\n"
    if spec.quoted_three_public:
        text = text.replace("三公经费", "“三公”经费")
    if spec.car_variant:
        text = text.replace("公务用车购置和维护经费", "公务用车购置及运行费")
    if spec.numbering == "（1）":
        text = _LEADING_NUMBER.sub(lambda m: f"{m.group(1)}（{m.group(2)}）", text)
    elif spec.numbering == "1.":
        text = _LEADING_NUMBER.sub(lambda m: f"{m.group(1)}{m.group(2)}.", text)
    return text


def extraction_of(spec: Spec):
    from extractors.textdump import parse_dump

    return parse_dump(seed_text(spec), f"{spec.stem}.txt")


def padding_chunks(spec: Spec, base_pages: int = 3) -> list[list[str]]:
    """One list of paragraphs per padded page; the forms themselves take ~``base_pages``."""
    rng = random.Random(spec.index * 7919 + 17)
    chunks = []
    for k in range(max(0, spec.pages - base_pages)):
        heading = _PADDING_HEADINGS[k % len(_PADDING_HEADINGS)]
        body = ["".join(rng.sample(_PADDING_SENTENCES, 3)) for _ in range(3)]
        chunks.append([heading, *body])
    return chunks


def _insertion_points(blocks: int, chunks: int, rng: random.Random) -> list[int]:
    """Where each chunk goes among the document's top-level blocks: forms end up inside."""
    return sorted(rng.randint(0, blocks) for _ in range(chunks))


def render_padded_docx(spec: Spec, path: Path) -> Path:
    from docx import Document as open_docx
    from docx.enum.text import WD_BREAK

    from jixiao.samples.render import render_docx

    render_docx(extraction_of(spec), path)
    chunks = padding_chunks(spec)
    if not chunks:
        return path
    document = open_docx(str(path))
    body = document.element.body
    anchors = [child for child in body.iterchildren() if child.tag.endswith(("}p", "}tbl"))]
    rng = random.Random(spec.index)
    points = _insertion_points(len(anchors), len(chunks), rng)
    for chunk, point in zip(chunks, points):
        made = [document.add_paragraph(text) for text in chunk]
        made[-1].add_run().add_break(WD_BREAK.PAGE)
        if point < len(anchors):
            for paragraph in made:
                anchors[point].addprevious(paragraph._p)
        # else: add_paragraph already put them at the end (before sectPr)
    document.save(str(path))
    return path


def padded_extraction(spec: Spec):
    """The seed's blocks with the padding paragraphs among them (for .xlsx and HTML)."""
    from core.records import Paragraph

    extraction = extraction_of(spec)
    blocks = sorted(
        [(p.order, 0, p) for p in extraction.paragraphs] + [(t.order, 1, t) for t in extraction.tables],
        key=lambda b: (b[0], b[1]),
    )
    chunks = padding_chunks(spec)
    points = _insertion_points(len(blocks), len(chunks), random.Random(spec.index))
    by_point: dict[int, list[list[str]]] = {}
    for chunk, point in zip(chunks, points):
        by_point.setdefault(point, []).append(chunk)
    extraction.paragraphs, extraction.tables = [], []
    order = 0
    for position in range(len(blocks) + 1):
        for chunk in by_point.get(position, []):
            for text in chunk:
                extraction.paragraphs.append(Paragraph(text=text, source=extraction.source, order=order))
                order += 1
        if position < len(blocks):
            block = blocks[position][2]
            if blocks[position][1] == 0:
                extraction.paragraphs.append(Paragraph(text=block.text, source=block.source, order=order))
            else:
                block.order = order
                extraction.tables.append(block)
            order += 1
    return extraction


# --- the corpus on disk ------------------------------------------------------------------


@dataclass
class Corpus:
    root: Path
    files: list[dict]  # {"path", "format", "pages", "seed", "bytes"}
    generation: dict  # timings of the generation (LibreOffice batches)

    @property
    def folder(self) -> Path:
        return self.root / "files"

    @property
    def cache_dir(self) -> Path:
        """Set as JIXIAO_CACHE_DIR: holds the converted .doc files."""
        return self.root / "cache"

    def paths(self) -> list[Path]:
        return [self.root / f["path"] for f in self.files]

    def pdf_pages(self) -> int:
        return sum(f["pages"] for f in self.files if f["format"] == "pdf")

    def formats(self) -> dict[Path, str]:
        """Each file's format (a scanned PDF is ``scanned``, not ``pdf``)."""
        return {self.root / f["path"]: f["format"] for f in self.files}

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.files:
            out[f["format"]] = out.get(f["format"], 0) + 1
        return dict(sorted(out.items()))


def load_or_generate(
    root: Path = DEFAULT_ROOT, filings: int = DEFAULT_FILINGS, seed: int = DEFAULT_SEED, regenerate: bool = False,
    log=print, max_pages: int = DEFAULT_MAX_PAGES,
) -> Corpus:
    manifest = root / "manifest.json"
    wanted = {"version": CORPUS_VERSION, "filings": filings, "seed": seed}
    if max_pages != DEFAULT_MAX_PAGES:
        wanted["max_pages"] = max_pages
    if manifest.is_file() and not regenerate:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if data.get("params") == wanted and all((root / f["path"]).is_file() for f in data["files"]):
            return Corpus(root, data["files"], data["generation"])
    return generate(root, filings, seed, log=log, max_pages=max_pages, params=wanted)


def generate(
    root: Path, filings: int, seed: int, log=print, max_pages: int = DEFAULT_MAX_PAGES, params: dict | None = None
) -> Corpus:
    from core.records import sha256_file
    from jixiao.samples import SAMPLE_NAMES
    from jixiao.samples.formats import convert_files
    from jixiao.samples.pdfs import pdf_to_scanned

    if root.exists():
        shutil.rmtree(root)
    files_dir, work = root / "files", root / "work"
    files_dir.mkdir(parents=True)
    work.mkdir()
    specs = plan(filings, seed, max_pages)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    from concurrent.futures import ProcessPoolExecutor

    (work / "pdf").mkdir()
    (work / "doc").mkdir()
    # python-docx merges are slow (~1-3 s for the big seeds): one process per core.
    with ProcessPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
        rendered = list(pool.map(_render_one, specs, [files_dir] * len(specs), [work] * len(specs), chunksize=4))
    masters = {spec.index: path for spec, path in zip(specs, rendered) if path is not None}
    timings["python_render_s"] = time.perf_counter() - started
    log(f"corpus: rendered {len(specs)} documents in {timings['python_render_s']:.1f} s; LibreOffice next")

    pdf_specs = [s for s in specs if s.fmt in ("pdf", "scanned")]
    doc_specs = [s for s in specs if s.fmt in ("doc", "wps")]
    xls_specs = [s for s in specs if s.fmt == "xls"]
    t0 = time.perf_counter()
    if pdf_specs:
        convert_files([masters[s.index] for s in pdf_specs], "pdf", files_dir, timeout=3600)
        for spec in pdf_specs:
            if spec.fmt == "scanned":
                text_pdf = files_dir / f"{spec.stem}.pdf"
                pdf_to_scanned(text_pdf, work / "scan.pdf")
                shutil.move(work / "scan.pdf", text_pdf)
    timings["soffice_docx_to_pdf_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    if doc_specs:
        convert_files([masters[s.index] for s in doc_specs], "doc", files_dir, timeout=1800)
        for spec in doc_specs:
            if spec.fmt == "wps":  # WPS Writer's .wps is the Word 97 binary
                (files_dir / f"{spec.stem}.doc").rename(files_dir / f"{spec.stem}.wps")
    timings["soffice_docx_to_doc_s"] = time.perf_counter() - t0
    if xls_specs:
        t0 = time.perf_counter()
        convert_files([masters[s.index] for s in xls_specs], "xls", files_dir, timeout=1800)
        timings["soffice_xlsx_to_xls_s"] = time.perf_counter() - t0
    # The converter cache the pipeline reads (extractors.office): <sha256 of the .doc>.docx.
    t0 = time.perf_counter()
    converted_dir = root / "cache" / "converted"
    converted_dir.mkdir(parents=True)
    if doc_specs:
        docs = [files_dir / f"{s.stem}.{s.fmt}" for s in doc_specs]
        back = convert_files(docs, "docx", work / "doc-back", timeout=1800)
        for doc, docx in zip(docs, back):
            shutil.copyfile(docx, converted_dir / f"{sha256_file(doc)}.docx")
    timings["soffice_doc_to_docx_s"] = time.perf_counter() - t0
    timings["soffice_doc_to_docx_files"] = len(doc_specs)
    log(f"corpus: LibreOffice took {sum(v for k, v in timings.items() if k.startswith('soffice') and k.endswith('_s')):.1f} s")

    files = []
    for spec in specs:
        # Report-like names: the crawler keeps articles whose title reads as a self-assessment.
        suffix = SUFFIX.get(spec.fmt, spec.fmt)
        made = files_dir / f"{spec.stem}.{suffix}"
        path = files_dir / f"{spec.index:03d}_{SAMPLE_NAMES[spec.seed]}.{suffix}"
        made.rename(path)
        pages = _pdf_pages(path) if suffix == "pdf" else spec.pages
        files.append({
            "path": path.relative_to(root).as_posix(), "format": spec.fmt, "pages": pages, "seed": spec.seed,
            "bytes": path.stat().st_size, "spec": asdict(spec),
        })
    shutil.rmtree(work)
    timings["total_s"] = time.perf_counter() - started
    manifest = {"params": params or {"version": CORPUS_VERSION, "filings": filings, "seed": seed},
                "generation": timings, "files": files}
    (root / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return Corpus(root, files, timings)


def _render_one(spec: Spec, files_dir: Path, work: Path) -> Path | None:
    """Write the filing's file (or, for .pdf/.doc, its .docx master); returns the master."""
    from jixiao.samples.formats import render_html, render_xlsx

    if spec.fmt in ("docx", "pdf", "doc", "wps", "scanned"):
        folder = files_dir if spec.fmt == "docx" else work / spec.fmt
        folder.mkdir(exist_ok=True)
        return render_padded_docx(spec, folder / f"{spec.stem}.docx")
    if spec.fmt in ("xlsx", "xls"):
        folder = files_dir if spec.fmt == "xlsx" else work / spec.fmt
        folder.mkdir(exist_ok=True)
        workbook = render_xlsx(padded_extraction(spec), folder / f"{spec.stem}.xlsx")
        return workbook if spec.fmt == "xls" else None  # an .xls is converted from its .xlsx master
    elif spec.fmt == "html":
        encoding, declared = ("gbk", "gb2312") if spec.index % 2 else ("utf-8", None)
        page = render_html(padded_extraction(spec), title=spec.stem, encoding=encoding, declared=declared)
        (files_dir / f"{spec.stem}.html").write_bytes(page)
    return None


def _pdf_pages(path: Path) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return len(document)
    finally:
        document.close()
