"""The browser UI: a thin Gradio shell over ``qa``'s public API.

Run ``python app.py`` (or ``citeqa serve``) and open http://127.0.0.1:7860.
"""
from __future__ import annotations

import argparse
import html
import os
import re
import sys
import time
from pathlib import Path

import gradio as gr

from qa import QA, Answer, Config, QuestionError

EXAMPLES = [
    "By how much did Russia-China trade grow in 2017?",
    "How many meetings had Putin and Xi Jinping held since 2013?",
    "How much did China agree to pay in fines to save ZTE?",
    "When were the first Russian and Chinese joint military exercises held?",
    "What is the population of Brazil?",
]
CONTEXT_CHARS = 320
CSS = """
.citeqa-answer {font-size: 1.15em; line-height: 1.5; padding: 12px 16px; border-radius: 8px;
  border-left: 5px solid #2563eb; background: #eff6ff; color: #111827}
.citeqa-answer.unanswerable {border-left-color: #9ca3af; background: #f3f4f6; color: #374151}
.citeqa-answer a {text-decoration: none; font-weight: 600}
.citeqa-card {border: 1px solid #e5e7eb; border-radius: 8px; padding: 10px 14px; margin: 10px 0; color: #111827}
.citeqa-card .meta {color: #4b5563; font-size: 0.9em}
.citeqa-card mark {background: #fde68a; padding: 0 2px}
.citeqa-card .context {margin: 8px 0; line-height: 1.5}
.citeqa-card .article {max-height: 360px; overflow-y: auto; white-space: pre-wrap; background: #fafafa; padding: 8px}
.citeqa-note {color: #6b7280; font-style: italic}
"""


def _answer_html(text: str, answerable: bool = True) -> str:
    body = html.escape(text)
    body = re.sub(r"\[(\d+)\]", r'<a href="#citeqa-quote-\1">[\1]</a>', body)
    return f'<div class="citeqa-answer{"" if answerable else " unanswerable"}">{body}</div>'


def _sources_html(qa: QA, answer: Answer) -> str:
    if not answer.answerable:
        return '<p class="citeqa-note">Nothing in the articles supports an answer, so nothing is cited.</p>'
    by_citation = {s.citation: s for s in answer.sources}
    cards = []
    for quote in answer.quotes:
        source = by_citation[quote.citation]
        text = qa.index.document(quote.source).text
        before = text[max(0, quote.start - CONTEXT_CHARS):quote.start]
        after = text[quote.end:quote.end + CONTEXT_CHARS]
        meta = " · ".join(html.escape(v) for v in (source.author, source.publisher, source.date) if v)
        mark = f"<mark>{html.escape(quote.text)}</mark>"
        whole = html.escape(text[:quote.start]) + f'<mark id="citeqa-full-{quote.citation}">{html.escape(quote.text)}</mark>' + html.escape(text[quote.end:])
        cards.append(
            f'<div class="citeqa-card" id="citeqa-quote-{quote.citation}">'
            f"<b>[{quote.citation}] {html.escape(source.label)}</b>"
            f'<div class="meta">{meta or "author, publisher and date not stated"} · {html.escape(quote.source)}</div>'
            f'<div class="context">…{html.escape(before)}{mark}{html.escape(after)}…</div>'
            f"<details><summary>Open the whole article</summary><div class=\"article\">{whole}</div></details></div>"
        )
    return "".join(cards)


def _passages_html(answer: Answer, title: str) -> str:
    rows = [f"<p><b>{html.escape(title)}</b></p>"]
    for p in answer.passages:
        rows.append(f'<div class="citeqa-card"><div class="meta">{html.escape(p.source)} [{p.start}:{p.end}] · '
                    f"score {p.score:.4f}</div><div>{html.escape(p.text)}</div></div>")
    return "".join(rows)


def build(qa: QA) -> gr.Blocks:
    def ask(question: str, k: int, show_passages: bool):
        engine = qa.configured(k=int(k))
        try:
            draft = ""
            for item in engine.stream(question):
                if isinstance(item, str):
                    draft += item
                    yield _answer_html(draft), "", ""
                else:
                    answer = item
        except QuestionError as error:
            yield f'<p class="citeqa-note">{html.escape(str(error))}</p>', "", ""
            return
        if answer.answerable:
            passages = _passages_html(answer, "Retrieved passages and their fused scores") if show_passages else ""
        else:
            passages = _passages_html(answer, "Closest passages — shown for context, not as support")
        yield _answer_html(answer.answer, answer.answerable), _sources_html(qa, answer), passages

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
        with gr.Accordion("Settings", open=False):
            k = gr.Slider(1, 20, value=qa.config.k, step=1, label="Passages retrieved")
            show = gr.Checkbox(False, label="Show retrieved passages with scores")
            gr.Markdown(f"Generator: `{qa.lm.name}` · encoder: `{qa.index.encoder.name}` · "
                        f"{len(qa.index.documents)} documents, {len(qa.index.passages)} passages indexed")
        inputs, outputs = [question, k, show], [answer, sources, passages]
        button.click(ask, inputs, outputs, api_name="ask")
        question.submit(ask, inputs, outputs, api_name=False)
    return demo


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(description="citeqa browser UI")
    parser.add_argument("--corpus", default=os.environ.get("CITEQA_CORPUS", str(Path(__file__).parent / "seeds")))
    parser.add_argument("--host", default=os.environ.get("CITEQA_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("CITEQA_PORT", "7860")))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    qa = QA.from_folder(args.corpus, Config())
    qa.ask(EXAMPLES[0])  # warm the models so the first real question is as fast as the rest
    demo = build(qa)
    demo.queue(default_concurrency_limit=1)
    print(f"citeqa: ready in {time.perf_counter() - started:.1f}s at http://{args.host}:{args.port}", flush=True)
    demo.launch(server_name=args.host, server_port=args.port, share=False, css=CSS, show_error=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
