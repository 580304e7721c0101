"""``citeqa``: index a folder, ask a question, serve the UI. A thin shell over ``qa``."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from embeddings import DocumentError

from .config import OCR_HELP, STORE_HELP
from .environment import quiet_libraries


def _add_engine_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", default="seeds", help="folder of documents: .txt .md .pdf .docx .html (default: seeds)")
    parser.add_argument("--index-dir", help="where the index is kept (default: CORPUS/.citeqa)")
    parser.add_argument("--encoder", help="sentence-transformers model name or path")
    parser.add_argument("--generator", help="transformers causal LM name, path or .gguf file")
    parser.add_argument("--writer", choices=("extract", "generate"), help="how the answer text is written")
    parser.add_argument("--retrieval", choices=("hybrid", "dense", "bm25"), help="retrieval mode (default hybrid)")
    parser.add_argument("--k", type=int, help="passages retrieved per question (default 5)")
    parser.add_argument("--reader", help="folder of trained reader weights (default: the bundled one)")
    parser.add_argument("--min-confidence", type=float, metavar="P",
                        help="answer only when at least this sure, 0 to 1 (default: the reader's, chosen on SQuAD TUNE)")
    parser.add_argument("--answerable-share", type=float, metavar="A",
                        help="share of your questions the documents can answer, between 0 and 1; the confidence is "
                             "corrected for it (default: the corpus' own from `citeqa calibrate`, else 0.85)")
    parser.add_argument("--stop-score", type=float, metavar="S",
                        help="stop reading after the first passage when its answer scores at least this "
                             "(default: the reader's, chosen on SQuAD TUNE; inf: read every passage)")
    parser.add_argument("--hops", type=int, choices=(1, 2),
                        help="retrieval rounds for one span: 2 retrieves again with what an unsure first read "
                             "found (default 1: off)")
    parser.add_argument("--hop-with", choices=("sentence", "span", "title"),
                        help="what of the first read joins the question in the second hop (default sentence)")
    parser.add_argument("--no-compose", dest="compose", action="store_const", const=False,
                        help="answer every question as one span: no comparisons, yes/no or reasons in steps")
    parser.add_argument("--store", help=STORE_HELP)
    parser.add_argument("--ocr", metavar="LANGS", help=OCR_HELP)


def _config(args: argparse.Namespace):
    from qa import Config

    changes = {name: getattr(args, name) for name in ("index_dir", "encoder", "generator", "writer", "retrieval", "k", "reader", "store",
                                                    "ocr", "min_confidence", "answerable_share", "stop_score", "hops",
                                                    "hop_with", "compose")
               if getattr(args, name, None) is not None}
    return Config().with_(**changes)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="citeqa", description="Answers that quote the articles word for word.")
    commands = parser.add_subparsers(dest="command", required=True)
    index = commands.add_parser("index", help="build or update the index of a folder of documents")
    index.add_argument("folder", help="folder of documents (.txt .md .pdf .docx .html .htm)")
    index.add_argument("--index-dir", help="where the index is kept (default: FOLDER/.citeqa)")
    index.add_argument("--encoder", help="sentence-transformers model name or path")
    index.add_argument("--store", help=STORE_HELP)
    index.add_argument("--ocr", metavar="LANGS", help=OCR_HELP)
    ask = commands.add_parser("ask", help="answer one question with quotes and citations")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print Answer.to_dict() as JSON")
    _add_engine_options(ask)
    evaluate = commands.add_parser("eval", help="evaluate on a question set; writes report.json, report.md, report.png")
    evaluate.add_argument("--questions", help="JSONL question set (default: the seeds set shipped with citeqa)")
    evaluate.add_argument("--out", default="reports/eval", help="folder for the report (default: reports/eval)")
    evaluate.add_argument("--benchmark", choices=("seeds", "squad", "squad2", "scifact"), default="seeds",
                          help="squad/squad2/scifact: the public sets in ../shared/bench (TEST articles only for SQuAD)")
    evaluate.add_argument("--data", help="SQuAD dev-v1.1.json / dev-v2.0 file or the SciFact folder (default: ../shared/bench/...)")
    evaluate.add_argument("--sample", type=int, default=None,
                          help="SQuAD questions sampled (seeded; default 1000; squad2: this many answerable and unanswerable, default 600)")
    evaluate.add_argument("--answers", type=int, default=0, help="SQuAD: also answer this many sampled questions (EM/F1)")
    evaluate.add_argument("--cache", default=".bench-cache", help="where benchmark corpora and indexes are kept")
    _add_engine_options(evaluate)
    calibrate = commands.add_parser("calibrate", help="fit the confidence and the answering point to your corpus "
                                                      "from labelled questions; kept beside the index")
    calibrate.add_argument("--questions", required=True,
                           help="JSONL question set in the evaluation format (docs/evaluation.md), about this corpus")
    _add_engine_options(calibrate)
    from .training import train_reader

    trainer = commands.add_parser("train-reader", help="train the reader on SQuAD TRAIN articles, then calibrate it")
    train_reader.add_arguments(trainer)
    serve = commands.add_parser("serve", help="run the browser UI")
    serve.add_argument("--host", default=None, help="address to bind (default 127.0.0.1, or CITEQA_HOST)")
    serve.add_argument("--port", type=int, default=None, help="port (default 7860, or CITEQA_PORT)")
    serve.add_argument("--corpus", default=None, help="folder of documents (default: seeds, or CITEQA_CORPUS)")
    serve.add_argument("--generators", default=None,
                       help="comma-separated generators users may choose (default: the bundled one; '' for none)")
    serve.add_argument("--workers", type=int, default=None, help="questions answered at once, batched (default 8)")
    serve.add_argument("--queue-limit", type=int, default=None, help="questions waiting; more are told busy (default 64)")
    serve.add_argument("--store", default=None, help=STORE_HELP)
    serve.add_argument("--ocr", metavar="LANGS", default=None, help=OCR_HELP)
    return parser


def _index(args: argparse.Namespace) -> int:
    from embeddings import Index, IndexSettings, store_uri

    settings = IndexSettings(**{name: getattr(args, name) for name in ("encoder", "ocr") if getattr(args, name)})
    _, report = Index.open(args.folder, args.index_dir, settings, store=store_uri(args.store))
    print(report.summary())
    return 0


def _ask(args: argparse.Namespace) -> int:
    from qa import QA

    qa = QA.from_folder(args.corpus, _config(args), progress=not args.json)
    answer = qa.ask(args.question)
    print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2) if args.json else str(answer))
    return 0


def _public_benchmark(args: argparse.Namespace) -> int:
    from qa import public_sets, reliability

    shared = Path(__file__).resolve().parent.parent.parent / "shared" / "bench"
    if args.benchmark == "squad":
        report = public_sets.squad(Path(args.data or shared / "squad" / "dev-v1.1.json"), Path(args.cache),
                                   args.sample or 1000, answers=args.answers, config=_config(args))
    elif args.benchmark == "squad2":
        report = public_sets.squad2(Path(args.data or shared / "squad" / "dev-v2.0.from-explorer.json"), Path(args.cache),
                                    args.sample or 600, config=_config(args))
    else:
        report = public_sets.scifact(Path(args.data or shared / "scifact"), Path(args.cache), config=_config(args))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    (out / "report.md").write_text(public_sets.markdown(args.benchmark, report), encoding="utf-8")
    for part in ("answers", "open"):
        if (report.get(part) or {}).get("confidence"):
            reliability.chart(report[part]["confidence"], out / "confidence.png", f"{args.benchmark} ({part})")
    print(public_sets.markdown(args.benchmark, report))
    return 0


def _eval(args: argparse.Namespace) -> int:
    from qa import QA
    from qa.evaluation import markdown

    if args.benchmark != "seeds":
        return _public_benchmark(args)
    qa = QA.from_folder(args.corpus, _config(args))
    report = qa.evaluate(args.questions, args.out)
    print(markdown(report))
    print(f"report written to {args.out}/report.json, report.md, report.png")
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from qa import QA
    from qa.confidence.corpus import MIN_RECALIBRATION
    from qa.evaluation import load_questions

    load_questions(args.questions)  # a broken file is refused before the models load
    qa = QA.from_folder(args.corpus, _config(args))
    before = (qa.answerable_share, qa.min_confidence)
    made = qa.calibrate(args.questions)
    print(f"{made.questions} questions ({made.answerable} answerable) about {qa.index.folder}")
    print(f"answerable share {before[0]:.2f} -> {made.answerable_share:.2f}; answering point "
          f"{before[1]:.3f} -> {made.min_confidence:.3f}; log-odds "
          + (f"refitted: slope {made.slope:.2f}, intercept {made.intercept:.2f}" if made.recalibrated else
             f"as shipped (refitted from {MIN_RECALIBRATION} questions with right and wrong answers)"))
    print(f"written to {qa.calibration_folder / 'calibration.json'}; `citeqa eval --questions ...` on this "
          f"corpus now reports before and after (on these questions they are training figures)")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import app

    options = ("corpus", "host", "port", "generators", "workers", "queue_limit", "store", "ocr")
    return app.main([f"--{name.replace('_', '-')}={getattr(args, name)}" for name in options
                     if getattr(args, name) is not None])


def _train_reader(args: argparse.Namespace) -> int:
    from .training import train_reader

    return train_reader.run(args)


def main(argv: list[str] | None = None) -> int:
    quiet_libraries()
    args = _parser().parse_args(argv)
    from qa import QuestionError

    try:
        commands = {"index": _index, "ask": _ask, "eval": _eval, "serve": _serve, "train-reader": _train_reader,
                    "calibrate": _calibrate}
        return commands[args.command](args)
    except (QuestionError, DocumentError, ValueError, RuntimeError) as error:
        print(f"citeqa: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
