from embeddings.intake import add_files, safe_name


def test_names_are_sanitised():
    assert safe_name("../../x.txt") == "x.txt"
    assert safe_name("..\\..\\evil.md") == "evil.md"
    assert safe_name(".hidden.txt") == "hidden.txt"
    assert safe_name("Réunion notes (final).TXT") == "Reunion_notes_final.txt"
    assert safe_name("/etc/passwd") == "passwd"


def test_files_are_added_checked_and_never_overwrite(tmp_path):
    corpus, uploads = tmp_path / "corpus", tmp_path / "uploads"
    corpus.mkdir(), uploads.mkdir()
    (corpus / "a.txt").write_text("Existing article.", encoding="utf-8")
    (uploads / "a.txt").write_text("A different article with the same name.", encoding="utf-8")
    (uploads / "same.txt").write_text("Existing article.", encoding="utf-8")
    (uploads / "bin.txt").write_bytes(b"\x00\x01" * 100)
    (uploads / "x.pdf").write_bytes(b"%PDF-1.4")
    (uploads / "tool.exe").write_bytes(b"MZ")
    (uploads / "big.md").write_text("word " * 100, encoding="utf-8")
    report = add_files(corpus, sorted(uploads.iterdir()), max_bytes=200)
    assert report.added == ["a-2.txt"]
    assert report.already_present == ["a.txt"]
    assert set(report.rejected) == {"bin.txt", "x.pdf", "big.md", "tool.exe"}
    assert "only .txt, .md, .pdf, .docx, .html, .htm, .odt, .rtf, .epub files" in report.rejected["tool.exe"]
    assert "not a readable PDF" in report.rejected["x.pdf"] and "over the limit" in report.rejected["big.md"]
    assert (corpus / "a.txt").read_text(encoding="utf-8") == "Existing article."
    assert sorted(p.name for p in corpus.iterdir()) == ["a-2.txt", "a.txt"]
