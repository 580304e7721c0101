"""The public-benchmark harness on tiny data in the same formats (the real runs are documented commands)."""
import json

from qa import public_sets

PARAGRAPHS = [
    ("Kazan", "The BRICS summit of 2024 was held in Kazan. Kazan is the capital of Tatarstan.", "Where was the BRICS summit of 2024 held?", "Kazan"),
    ("Rivers", "The Volga is the longest river in Europe. It flows into the Caspian Sea.", "Which is the longest river in Europe?", "The Volga"),
    ("Tea", "Green tea is made from unoxidised leaves. Black tea is fully oxidised.", "What is green tea made from?", "unoxidised leaves"),
]


def test_squad_harness_reports_every_mode(tmp_path):
    data = {"version": "1.1", "data": [{"title": title, "paragraphs": [{"context": context, "qas": [
        {"id": str(i), "question": question, "answers": [{"answer_start": context.find(answer), "text": answer}]}]}]}
        for i, (title, context, question, answer) in enumerate(PARAGRAPHS)]}
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    report = public_sets.squad(path, tmp_path / "cache", sample=3, answers=3, articles={"Kazan", "Rivers"})
    assert report["paragraphs"] == 3 and report["questions"] == 2, "only the given TEST articles are asked"
    assert set(report["retrieval"]) == {"dense", "bm25", "hybrid", "hybrid+reader"}
    assert report["retrieval"]["hybrid"]["recall@1"] == report["retrieval"]["hybrid+reader"]["recall@1"] == 1.0
    assert report["answers"]["f1"] > 0 and report["answers"]["unanswerable"] == 0
    assert "| hybrid |" in public_sets.markdown("squad", report)


def test_squad2_harness_scores_declines_and_the_reader_alone(tmp_path):
    unanswerable = "Where was the BRICS summit of 1812 held?"
    data = {"version": "v2.0", "data": [{"title": title, "paragraphs": [{"context": context, "qas": [
        {"id": str(i), "question": question, "answers": [{"text": answer}], "is_impossible": False},
        {"id": f"u{i}", "question": unanswerable if i == 0 else f"What colour is the {title} tram?", "answers": [],
         "is_impossible": True}]}]} for i, (title, context, question, answer) in enumerate(PARAGRAPHS)]}
    path = tmp_path / "dev-v2.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    report = public_sets.squad2(path, tmp_path / "cache", sample=3, articles={"Kazan", "Rivers", "Tea"})
    alone, open_ = report["reader_alone"], report["open"]
    assert alone["questions"] == 6 and alone["has_answer"] == alone["no_answer"] == 3
    assert open_["questions"] == 6 and open_["answerable"] == open_["unanswerable"] == 3
    assert 0 <= open_["f1"] <= 1 and 0 <= open_["unanswerable_declined"] <= 1
    assert alone["has_answer_f1"] > 0, "the trained reader finds these answers in their own paragraphs"
    assert open_["confidence"]["questions"] == 6 and open_["confidence"]["ece_all"] is not None
    text = public_sets.markdown("squad2", report)
    assert "Reader alone" in text and "Open corpus" in text and "Expected calibration error" in text


def test_scifact_harness_reads_beir_format(tmp_path):
    folder = tmp_path / "scifact"
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps({"_id": str(10 + i), "title": t, "text": c})
                                                   for i, (t, c, _, _) in enumerate(PARAGRAPHS)), encoding="utf-8")
    (folder / "queries.jsonl").write_text("\n".join(json.dumps({"_id": str(i), "text": q})
                                                    for i, (_, _, q, _) in enumerate(PARAGRAPHS)), encoding="utf-8")
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\r\n0\t10\t1\r\n1\t11\t1\r\n", encoding="utf-8")
    report = public_sets.scifact(folder, tmp_path / "cache")
    assert report["queries"] == 2 and report["documents"] == 3
    assert report["retrieval"]["hybrid+reader"]["ndcg@10"] == 1.0 and report["retrieval"]["dense"]["recall@100"] == 1.0
