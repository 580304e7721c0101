"""Pages are drawn in a worker with limits: a page made to cost the drawing costs a message, not the server.

The hostile pages are made at test time (``benchmarks.hostile.make_render_corpus``): their text reads as
it should, so each is indexed; a page 3 pt wide and 14,400 pt tall, one of 14,400 pt square, a 1.6 GB
image in 1.5 MB, and 200,000 blended full-page fills."""
import json
import shutil

import pytest

from benchmarks.hostile import PORT_ELRIC, make_render_corpus
from embeddings import DocumentError, Index, IndexSettings
from embeddings.formats.pdf import PageImage, PixelBudget, render_scale
from embeddings.rendering import PageRenderer, RenderSettings
from tests.conftest import ROOT
from tests.embeddings.fakes import HashEncoder

DOCS = ROOT.parent / "shared" / "docs"
NORMAL = "fake-memo.pdf"
OUTCOMES = {
    "render-tall-page.pdf": "reduced",
    "render-huge-page.pdf": "drawn",
    "render-image-bomb.pdf": "drawn",
    "render-slow-page.pdf": "to draw and was stopped: the page may be made to be slow to draw; remove it, or raise "
                            "IndexSettings.rendering.limits.",
}
"""Drawn; drawn smaller than asked; or the reason (its CPU limit, or its wall time when the machine is busy)."""


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages") / "docs"
    make_render_corpus(folder)
    shutil.copy(DOCS / "pdf" / NORMAL, folder / NORMAL)
    index, report = Index.open(folder, settings=IndexSettings(encoder=HashEncoder.name), encoder=HashEncoder(),
                               progress=False)
    assert sorted(report.added) == sorted([*PORT_ELRIC, NORMAL]) and not report.skipped
    return index


def quote_of(index: Index, source: str) -> dict[str, tuple[int, int]]:
    sentence = PORT_ELRIC.get(source, "There were 20,000 bottles of water")
    start = index.document(source).text.index(sentence)
    return {"quote": (start, start + len(sentence))}


def fresh(index: Index, settings: RenderSettings = RenderSettings()) -> Index:
    """The same index with a renderer (and worker) of its own."""
    return Index(index.folder, index.store, index.encoder, PageRenderer(settings))


@pytest.mark.parametrize("source", sorted(PORT_ELRIC))
def test_each_hostile_page_is_indexed_then_drawn_within_limits_or_refused_with_its_reason(pages, source):
    view = fresh(pages)
    marks = quote_of(pages, source)
    expected = OUTCOMES[source]
    if expected in ("drawn", "reduced"):
        image = view.page_image(source, 1, marks)
        assert image.jpeg.startswith(b"\xff\xd8") and image.width * image.height <= PixelBudget().max_pixels
        assert image.reduced is (expected == "reduced")
        assert all(0 <= v <= 1 for box in image.marks["quote"] for v in box), "boxes stay on the page"
    else:
        with pytest.raises(DocumentError) as refused:
            view.page_image(source, 1, marks)
        assert str(refused.value).startswith(f"{source}, page 1: ") and expected in str(refused.value)
    assert view.renderer.last_peak_mb < 1100
    normal = view.page_image(NORMAL, 1, quote_of(pages, NORMAL))  # by a new worker if that one was stopped
    assert abs(normal.width - 900) <= 1 and normal.marks["quote"] and not normal.reduced
    view.renderer.close()


def test_a_page_drawn_again_comes_from_the_cache_and_a_refusal_is_remembered(pages):
    view = fresh(pages)
    marks = quote_of(pages, NORMAL)
    first = view.page_image(NORMAL, 1, marks)
    assert view.page_image(NORMAL, 1, marks) is first
    assert view.page_image(NORMAL, 1, {"quote": (marks["quote"][0], marks["quote"][1] - 3)}) is not first
    with pytest.raises(DocumentError, match="to draw and was stopped") as refused:
        view.page_image("render-slow-page.pdf", 1, quote_of(pages, "render-slow-page.pdf"))
    assert view.renderer._sandbox._worker is None, "the worker that ran out of CPU time is gone"
    with pytest.raises(DocumentError) as again:
        view.page_image("render-slow-page.pdf", 1, {"quote": (0, 5)})
    assert str(again.value) == str(refused.value) and view.renderer._sandbox._worker is None, "no new worker tried it"
    view.renderer.close()


def test_nothing_is_kept_past_the_cache_size(pages):
    view = fresh(pages, RenderSettings(cache_mb=0))
    marks = quote_of(pages, NORMAL)
    assert view.page_image(NORMAL, 1, marks) is not view.page_image(NORMAL, 1, marks)
    assert not view.renderer._kept
    view.renderer.close()


def test_a_file_changed_since_it_was_indexed_is_not_drawn(pages, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(DOCS / "pdf" / NORMAL, folder / NORMAL)
    index, _ = Index.open(folder, settings=IndexSettings(encoder=HashEncoder.name), encoder=HashEncoder(), progress=False)
    (folder / NORMAL).write_bytes((DOCS / "pdf" / "multi-column-2p.pdf").read_bytes())
    with pytest.raises(DocumentError, match=f"{NORMAL}: changed on disk since it was indexed"):
        index.page_image(NORMAL, 1, {"quote": (0, 10)})


def test_the_pixel_budget_scales_a_page_down_and_says_so():
    assert render_scale((612, 792), 900, 4_000_000, 16_384) == (900 / 612, False)
    scale, reduced = render_scale((3, 14_400), 900, 4_000_000, 16_384)
    assert reduced and round(14_400 * scale) <= 16_384 and 3 * scale * 14_400 * scale <= 4_000_000
    scale, reduced = render_scale((2_000, 2_000), 900, 100_000, 16_384)
    assert reduced and (2_000 * scale) ** 2 == pytest.approx(100_000)
    with pytest.raises(ValueError, match="too thin to draw"):
        render_scale((0.001, 14_400), 900, 4_000_000, 16_384)
    with pytest.raises(ValueError, match="nothing to draw"):
        render_scale((0, 792), 900, 4_000_000, 16_384)
    with pytest.raises(ValueError, match="max_pixels must be at least"):
        PixelBudget(max_pixels=10)


def test_a_page_image_travels_as_json(pages):
    view = fresh(pages)
    image = view.page_image("render-tall-page.pdf", 1, quote_of(pages, "render-tall-page.pdf"))
    assert PageImage.from_dict(json.loads(json.dumps(image.to_dict()))) == image
    view.renderer.close()


def test_a_sync_with_a_broken_metadata_json_indexes_the_folder_without_it(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(DOCS / "pdf" / NORMAL, folder / NORMAL)
    (folder / "metadata.json").write_bytes(b"[" * 100_000)
    index, report = Index.open(folder, settings=IndexSettings(encoder=HashEncoder.name), encoder=HashEncoder(),
                               progress=False)
    assert report.added == [NORMAL] and index.documents[NORMAL].meta.title == "fake-memo"
    assert "metadata.json: nested too deeply" in report.skipped["metadata.json"]
    (folder / "metadata.json").write_text(json.dumps({NORMAL: {"title": "Delivery memo"}, "x.pdf": [1]}))
    index, report = Index.open(folder, settings=IndexSettings(encoder=HashEncoder.name), encoder=HashEncoder(),
                               progress=False)
    assert index.documents[NORMAL].meta.title == "Delivery memo" and report.changed == [NORMAL]
    assert "must be an object" in report.skipped["metadata.json: entry 'x.pdf'"]
