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
    report = public_sets.squad(path, tmp_path / "cache", sample=3, answers=3)
    assert report["paragraphs"] == 3 and report["questions"] == 3
    assert set(report["retrieval"]) == {"dense", "bm25", "hybrid", "hybrid+rerank"}
    assert report["retrieval"]["hybrid"]["recall@1"] == report["retrieval"]["hybrid+rerank"]["recall@1"] == 1.0
    assert report["answers"]["f1"] > 0
    assert "| hybrid |" in public_sets.markdown("squad", report)


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
    assert report["retrieval"]["hybrid+rerank"]["ndcg@10"] == 1.0 and report["retrieval"]["dense"]["recall@100"] == 1.0
