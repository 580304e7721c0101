"""The browser UI: a thin Gradio shell over ``qa``'s public API.

Run ``python app.py`` (or ``citeqa serve``) and open http://127.0.0.1:7860.
"""
from __future__ import annotations

import argparse
import base64
import html
import logging
import os
import re
import sys
import time
from dataclasses import replace
from pathlib import Path

import gradio as gr
import psutil

from embeddings import DocumentError, pages_between
from embeddings.loading import SUFFIXES
from qa import QA, Answer, Config, QuestionError, StoreMismatch, StoreUnavailable, WriterRefused, cite
from qa.answer import in_words
from qa.config import OCR_HELP, STORE_HELP
from qa.environment import quiet_libraries
from qa.generators import EXTRACTIVE, label

log = logging.getLogger("citeqa.app")

EXAMPLES = [
    "By how much did Russia-China trade grow in 2017?",
    "How many meetings had Putin and Xi Jinping held since 2013?",
    "How much did China agree to pay in fines to save ZTE?",
    "When were the first Russian and Chinese joint military exercises held?",
    "What is the population of Brazil?",
]
CONTEXT_CHARS = 320
MAX_K = 50
UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024
WORKERS = 8
"""Questions answered at once, their encoder and reader passes batched (qa.batching). With 20 users
on 2 cores, 4, 8 and 16 gave 7.1, 7.3 and 7.2 questions/s and a p95 wait of 3.1, 3.2 and 4.4 s."""
QUEUE_LIMIT = 64
"""Questions waiting beyond those; more are refused at once with "busy, try again"."""
CSS = """
.citeqa-answer {font-size: 1.15em; line-height: 1.5; padding: 12px 16px; border-radius: 8px;
  border-left: 5px solid #2563eb; background: #eff6ff; color: #111827}
.citeqa-answer.unanswerable {border-left-color: #9ca3af; background: #f3f4f6; color: #374151}
.citeqa-answer .badge {display: inline-block; font-size: 0.75em; font-weight: 600; text-transform: uppercase;
  letter-spacing: .04em; color: #6b7280; margin-bottom: 4px}
.citeqa-answer a {text-decoration: none; font-weight: 600; margin: 0; padding: 0; display: inline}
.citeqa-card {border: 1px solid #e5e7eb; border-radius: 8px; padding: 10px 14px; margin: 10px 0; color: #111827}
.citeqa-card.closest {border-style: dashed; color: #4b5563}
.citeqa-steps {margin: 8px 0 0 0}
.citeqa-steps .meta {color: #4b5563; font-size: 0.9em}
.citeqa-steps .question {color: #374151}
.citeqa-card .meta {color: #4b5563; font-size: 0.9em}
.citeqa-card mark {background: #fde68a; padding: 0 2px}
.citeqa-card mark .short {background: #f59e0b; font-weight: 700}
.citeqa-answer .lead {margin-bottom: 4px}
.citeqa-answer .short {font-size: 1.25em; font-weight: 700}
.citeqa-answer .sure {margin-left: 10px; padding: 1px 8px; border-radius: 10px; font-size: .85em; white-space: nowrap}
.citeqa-answer .sure.high {background: #dcfce7; color: #166534}
.citeqa-answer .sure.mid {background: #fef9c3; color: #854d0e}
.citeqa-answer .sure.low {background: #fee2e2; color: #991b1b}
.citeqa-card .context {margin: 8px 0; line-height: 1.5}
.citeqa-card .article {max-height: 360px; overflow-y: auto; white-space: pre-wrap; background: #fafafa; padding: 8px}
.citeqa-note {color: #6b7280; font-style: italic}
.citeqa-card .page-view {position: relative; display: inline-block; max-width: 100%; margin: 8px 0;
  border: 1px solid #e5e7eb}
.citeqa-card .page-view img {display: block; max-width: 100%; max-height: 1600px; width: auto; height: auto}
.citeqa-card .page-view .hl {position: absolute; background: rgba(253, 230, 138, .55); outline: 1px solid #f59e0b}
.citeqa-card .page-view .hl.short {background: rgba(245, 158, 11, .45); outline: 2px solid #b45309}
"""
# Opening "the whole article" scrolls its marked quote into view inside the article box.
HEAD = """<script>
document.addEventListener("toggle", (event) => {
  const box = event.target;
  if (!(box.matches && box.matches("details.citeqa-whole") && box.open)) return;
  const mark = box.querySelector("mark"), article = box.querySelector(".article");
  if (mark && article) article.scrollTop = mark.offsetTop - article.offsetTop - article.clientHeight / 3;
}, true);
</script>"""


def _linked(text: str) -> str:
    return re.sub(r"\[(\d+)\]", r'<a href="#citeqa-quote-\1">[\1]</a>', html.escape(text))


def answer_html(text: str, answerable: bool = True, lead: str | None = None, confidence: float | None = None) -> str:
    """The answer box: the short answer (``lead``) in bold, how sure it is, then the sentences that say it."""
    body = _linked(text)
    if lead:
        rest = text[len(lead):] if text.startswith(lead) else text
        rest = rest.strip().removeprefix("— ")  # a composed answer's "No — facts": the lead stands above them
        body = f'<div class="lead"><span class="short">{_linked(lead)}</span>{_sure(confidence)}</div>{_linked(rest)}'
    if answerable:
        return f'<div class="citeqa-answer">{body}</div>'
    best = ("" if confidence is None else
            f'<div class="citeqa-note">The best candidate answer was {html.escape(in_words(confidence))}.</div>')
    return f'<div class="citeqa-answer unanswerable"><div class="badge">Not in the articles</div><div>{body}</div>{best}</div>'


def steps_html(answer: Answer) -> str:
    """A composed answer's sub-questions in the order asked, each with its short answer, citation and confidence."""
    if not answer.steps:
        return ""
    rows = "".join(f'<li><span class="question">{html.escape(step.question)}</span> → '
                   f'<b>{html.escape(step.short_answer.text)}</b> {_linked(f"[{step.quote.citation}]")}'
                   f'{_sure(step.confidence)}</li>' for step in answer.steps)
    return f'<div class="citeqa-steps"><div class="meta">Answered in steps ({html.escape(answer.kind)}):</div><ol>{rows}</ol></div>'


def _lead(answer: Answer) -> str | None:
    """The short answer as the answer text opens with it: "No", "Alice Moreau", or "31.5% [1]"."""
    if answer.short_answer is None:
        return None
    if answer.steps and " — " in answer.answer:
        return answer.answer.split(" — ", 1)[0]
    return cite.lead(answer.short_answer, [q.citation for q in answer.quotes])


def _sure(confidence: float | None) -> str:
    if confidence is None:
        return ""
    level = "high" if confidence >= 0.85 else "mid" if confidence >= 0.65 else "low"
    return f'<span class="sure {level}" title="probability that the short answer is right">{html.escape(in_words(confidence))}</span>'


def _marked(text: str, quote, short) -> str:
    """The quote highlighted, and inside it the short answer when this quote holds it."""
    if short is None or short.citation != quote.citation or not quote.start <= short.start <= short.end <= quote.end:
        return f"<mark>{html.escape(quote.text)}</mark>"
    a, b = short.start - quote.start, short.end - quote.start
    return (f"<mark>{html.escape(quote.text[:a])}<span class=\"short\">{html.escape(quote.text[a:b])}</span>"
            f"{html.escape(quote.text[b:])}</mark>")


def sources_html(qa: QA, answer: Answer) -> str:
    if not answer.answerable:
        return '<p class="citeqa-note">Nothing in the articles supports an answer, so nothing is cited.</p>'
    by_citation = {s.citation: s for s in answer.sources}
    steps = {step.quote.citation: step.short_answer for step in answer.steps}
    cards = []
    for quote in answer.quotes:
        source, short = by_citation[quote.citation], steps.get(quote.citation, answer.short_answer)
        try:
            text = qa.index.document(quote.source).text
        except DocumentError:  # edited since this answer was verified: show the quote alone
            text, short = quote.text, None
            quote = replace(quote, start=0, end=len(text))
        meta = " · ".join(html.escape(v) for v in (source.author, source.publisher, source.date) if v)
        where = html.escape(quote.source) + (f" · {page_label(quote.pages)}" if quote.pages else "")
        mark = _marked(text, quote, short)
        context = (html.escape(text[max(0, quote.start - CONTEXT_CHARS):quote.start]) + mark
                   + html.escape(text[quote.end:quote.end + CONTEXT_CHARS]))
        whole = html.escape(text[:quote.start]) + mark + html.escape(text[quote.end:])
        inside = short is not None and short.citation == quote.citation and quote.start <= short.start <= short.end <= quote.end
        pages = page_views_html(qa, quote.source, quote.start, quote.end, (short.start, short.end) if inside else None)
        cards.append(
            f'<div class="citeqa-card" id="citeqa-quote-{quote.citation}">'
            f'<b>[{quote.citation}] <span class="title">{html.escape(source.label)}</span></b>'
            f'<div class="meta">{meta or "author, publisher and date not stated"} · {where}</div>'
            f'<div class="context">…{context}…</div>'
            f'{pages}<details class="citeqa-whole"><summary>Open the whole article</summary>'
            f'<div class="article">{whole}</div></details></div>'
        )
    return "".join(cards)


def page_views_html(qa: QA, source: str, start: int, end: int, short: tuple[int, int] | None = None) -> str:
    """"Open the page": each page of a PDF that the span stands on, rendered, its characters marked on it."""
    try:
        images = qa.page_images(source, start, end, short)
    except DocumentError as error:
        return f'<p class="citeqa-note">The page cannot be shown: {html.escape(str(error))}</p>'
    views = []
    for image in images:
        boxes = "".join(
            f'<div class="hl {name}" style="left:{l * 100:.3f}%;top:{t * 100:.3f}%;'
            f'width:{(r - l) * 100:.3f}%;height:{(b - t) * 100:.3f}%"></div>'
            for name in ("quote", "short") for l, t, r, b in image.marks.get(name, ()))
        data = base64.b64encode(image.jpeg).decode("ascii")
        views.append(f'{_reduced_note(image)}<div class="page-view" data-page="{image.page}"><img alt="page {image.page} '
                     f'of {html.escape(source)}" src="data:image/jpeg;base64,{data}">{boxes}</div>')
    if not views:
        return ""
    label = page_label(tuple(image.page for image in images))
    return f'<details class="citeqa-page"><summary>Open the page ({label})</summary>{"".join(views)}</details>'


def _reduced_note(image) -> str:
    if not image.reduced:
        return ""
    width, height = image.points
    return (f'<p class="citeqa-note citeqa-reduced">Page {image.page} measures {width:,.0f} × {height:,.0f} points, too '
            f'large to draw at full width: it is shown at {image.width:,} × {image.height:,} pixels, within the '
            f'server\'s budget for one page.</p>')


def page_label(pages: tuple[int, ...]) -> str:
    return f"p. {pages[0]}" if len(pages) == 1 else f"pp. {pages[0]}–{pages[-1]}"


def passages_html(qa: QA, answer: Answer, title: str, closest: bool = False) -> str:
    rows = [f"<p><b>{html.escape(title)}</b></p>"]
    for p in answer.passages:
        entry = qa.index.documents.get(p.source)
        pages = pages_between(entry.pages, p.start, p.end) if entry else ()
        where = f" · {page_label(pages)}" if pages else ""
        view = page_views_html(qa, p.source, p.start, p.end) if pages else ""
        rows.append(f'<div class="citeqa-card{" closest" if closest else ""}"><div class="meta">{html.escape(p.source)}'
                    f"{where} [{p.start}:{p.end}] · score {p.score:.4f}</div><div>{html.escape(p.text)}</div>{view}</div>")
    return "".join(rows)


def library_rows(qa: QA) -> list[list]:
    return [[source, entry.meta.title or "", entry.meta.author or "", entry.count]
            for source, entry in sorted(qa.index.documents.items())]


def build(qa: QA) -> gr.Blocks:
    def view(k: int, writer: str, min_confidence: float | None = None) -> QA:
        if not 1 <= int(k) <= MAX_K:
            raise ValueError(f"k (passages retrieved) must be between 1 and {MAX_K}, not {k}")
        changes = {"k": int(k)}
        if min_confidence is not None and qa.min_confidence is not None:
            if not 0.0 <= float(min_confidence) <= 1.0:
                raise ValueError(f"min_confidence must be between 0 and 1, not {min_confidence}")
            changes["min_confidence"] = float(min_confidence)
        try:
            return qa.with_writer(writer, **changes)
        except RuntimeError:  # a listed generator that fails to load: the operator's log says which
            log.exception("answer writer %r could not be loaded", writer)
            raise RuntimeError(f"the answer writer {writer!r} is unavailable; choose {EXTRACTIVE}") from None

    def ask(question: str, k: int, show_passages: bool, writer: str = EXTRACTIVE, sure_percent: float | None = None):
        try:
            yield '<p class="citeqa-note">Reading the articles…</p>', "", ""
            draft = ""
            least = None if sure_percent is None else float(sure_percent) / 100
            for item in view(k, writer, least).stream(question):
                if isinstance(item, Answer):
                    answer = item
                else:
                    draft += item
                    yield answer_html(draft), "", ""
        except (QuestionError, ValueError, RuntimeError) as error:
            yield f'<p class="citeqa-note">{html.escape(str(error))}</p>', "", ""
            return
        if not answer.answerable:
            passages = passages_html(qa, answer, "Closest passages — shown for context, not as support", closest=True)
        else:
            passages = passages_html(qa, answer, "Retrieved passages, best evidence first, with their fused retrieval scores") if show_passages else ""
        shown = answer_html(answer.answer, answer.answerable, _lead(answer), answer.confidence) + steps_html(answer)
        yield shown, sources_html(qa, answer), passages

    def answer_json(question: str, k: int = qa.config.k, writer: str = EXTRACTIVE,
                    min_confidence: float | None = None) -> dict:
        """The same JSON as ``Answer.to_dict()``; ``writer`` is one of the server's answer writers;
        ``min_confidence`` (0 to 1, default the server's): answer only when at least that sure."""
        try:
            return view(k, writer, min_confidence).ask(question).to_dict()
        except (QuestionError, WriterRefused, ValueError, RuntimeError) as error:
            raise gr.Error(str(error)) from None

    def upload(files, progress=gr.Progress(track_tqdm=True)):
        """Status, the library table, and an emptied file picker (the next upload starts afresh)."""
        if not files:
            return f"Choose one or more {', '.join(SUFFIXES)} files first.", library_rows(qa), None
        paths = [Path(f if isinstance(f, str) else f.name) for f in files]
        try:
            intake, sync = qa.add_documents(paths, max_bytes=UPLOAD_LIMIT_BYTES)
        except StoreUnavailable as error:  # the files are in the folder: the next sync indexes them
            return f"Saved, but not indexed yet — {error}", library_rows(qa), None
        lines = [f"Added {', '.join(intake.added)}." if intake.added else "No new documents added."]
        lines += [f"Already indexed: {', '.join(intake.already_present)}."] if intake.already_present else []
        lines += [f"Rejected — {reason}" for reason in intake.rejected.values()]
        lines += [f"Index: {sync.summary()}"]
        return "\n\n".join(lines), library_rows(qa), None

    with gr.Blocks(title="citeqa") as demo:
        gr.Markdown("# citeqa\nAsk about the articles. Every answer quotes them word for word and cites its source.")
        with gr.Row():
            question = gr.Textbox(label="Question", placeholder="Ask a question about the articles…", scale=5,
                                  max_length=qa.config.max_question_chars, elem_id="citeqa-question")
            button = gr.Button("Ask", variant="primary", scale=1, elem_id="citeqa-ask")
        answer = gr.HTML(elem_id="citeqa-answer")
        sources = gr.HTML(elem_id="citeqa-sources")
        passages = gr.HTML(elem_id="citeqa-passages")
        gr.Examples(EXAMPLES, inputs=question)
        with gr.Accordion("Settings", open=False, elem_id="citeqa-settings"):
            k = gr.Slider(1, 20, value=qa.config.k, step=1, label="Passages retrieved")
            show = gr.Checkbox(False, label="Show retrieved passages with scores")
            writer = gr.Dropdown(qa.writers, value=EXTRACTIVE, label="Answer written by",
                                 info="extractive: the short answer and the sentences that say it; a generator "
                                      "rewrites them, checked against the quotes", elem_id="citeqa-writer")
            default_sure = round(100 * qa.min_confidence) if qa.min_confidence is not None else 0
            sure = gr.Slider(0, 100, value=default_sure, step=1, label="Answer only when at least N% sure",
                             info=f"default {default_sure}%: lower answers more questions and is wrong more often",
                             visible=qa.min_confidence is not None, elem_id="citeqa-sure")
        with gr.Accordion("Documents", open=False, elem_id="citeqa-documents"):
            files = gr.File(label=f"Add documents: {', '.join(SUFFIXES)} (up to {UPLOAD_LIMIT_BYTES // 2**20} MB each)",
                            file_count="multiple", file_types=list(SUFFIXES), elem_id="citeqa-upload")
            add = gr.Button("Add to the index", elem_id="citeqa-add")
            status = gr.Markdown(elem_id="citeqa-upload-status")
            library = gr.Dataframe(library_rows(qa), headers=["file", "title", "author", "passages"],
                                   interactive=False, label="Indexed documents")
        inputs, outputs = [question, k, show, writer, sure], [answer, sources, passages]
        button.click(ask, inputs, outputs, api_name="ask")
        question.submit(ask, inputs, outputs, api_visibility="private")
        add.click(upload, [files], [status, library, files], api_visibility="private")
        gr.api(answer_json, api_name="answer")
    return demo


def main(argv: list[str] | None = None) -> int:
    quiet_libraries()
    parser = argparse.ArgumentParser(description="citeqa browser UI")
    parser.add_argument("--corpus", default=os.environ.get("CITEQA_CORPUS", str(Path(__file__).parent / "seeds")))
    parser.add_argument("--host", default=os.environ.get("CITEQA_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("CITEQA_PORT", "7860")))
    parser.add_argument("--generators", default=os.environ.get("CITEQA_GENERATORS", ",".join(Config().generators)),
                        help="comma-separated generator names or paths users may choose (none: empty string)")
    parser.add_argument("--workers", type=int, default=WORKERS, help="questions answered at once (batched)")
    parser.add_argument("--queue-limit", type=int, default=QUEUE_LIMIT,
                        help="questions waiting beyond those; more are refused with 'busy, try again'")
    parser.add_argument("--store", default=None, help=STORE_HELP)
    parser.add_argument("--ocr", metavar="LANGS", default=os.environ.get("CITEQA_OCR") or None, help=OCR_HELP)
    args = parser.parse_args(argv)
    generators = tuple(g.strip() for g in args.generators.split(",") if g.strip())
    missing = [g for g in generators if label(g) != g and not Path(g).expanduser().exists()]
    if missing or args.workers < 1 or args.queue_limit < 0:
        parser.error(f"--generators: not found: {', '.join(missing)}" if missing
                     else "--workers must be at least 1 and --queue-limit at least 0")
    try:
        config = Config(generators=generators, max_batch=args.workers, store=args.store).with_(ocr=args.ocr)
        qa = QA.from_folder(args.corpus, config)
    except (StoreUnavailable, StoreMismatch, ValueError) as error:
        parser.exit(2, f"citeqa: {error}\n")
    demo = build(qa)
    demo.queue(default_concurrency_limit=args.workers, max_size=args.queue_limit)
    demo.launch(server_name=args.host, server_port=args.port, share=False, css=CSS, head=HEAD, show_error=False,
                max_file_size=UPLOAD_LIMIT_BYTES, prevent_thread_lock=True)
    since_start = time.time() - psutil.Process().create_time()
    print(f"citeqa: ready {since_start:.1f}s after process start at http://{args.host}:{args.port}", flush=True)
    # The first question through fresh kernels is slower, so one is asked now; a user's question
    # arriving meanwhile waits for it (about a second) on the corpus lock.
    qa.ask(EXAMPLES[0])
    demo.block_thread()
    return 0


if __name__ == "__main__":
    sys.exit(main())
