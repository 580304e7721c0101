import json

import pytest

from embeddings.loading import DocumentError, list_documents, read_document, read_metadata, read_passwords


def test_utf8_text_is_kept_exactly(tmp_path):
    raw = "Ünïcode “quotes” — and\r\nCRLF lines\n".encode("utf-8")
    (tmp_path / "a.txt").write_bytes(raw)
    doc = read_document(tmp_path / "a.txt", "a.txt")
    assert doc.text == raw.decode("utf-8")
    assert doc.encoding == "utf-8"


def test_cp1251_is_detected(tmp_path):
    text = "Москва и Пекин укрепляют сотрудничество в ответ на давление Запада. " * 5
    (tmp_path / "ru.txt").write_bytes(text.encode("cp1251"))
    doc = read_document(tmp_path / "ru.txt", "ru.txt")
    assert doc.text == text
    assert doc.encoding != "utf-8"


def test_binary_file_is_refused_with_its_name(tmp_path):
    (tmp_path / "x.txt").write_bytes(bytes(range(256)) * 10)
    with pytest.raises(DocumentError, match="x.txt"):
        read_document(tmp_path / "x.txt", "x.txt")


def test_empty_file_is_refused(tmp_path):
    (tmp_path / "e.md").write_text("  \n\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="e.md: empty"):
        read_document(tmp_path / "e.md", "e.md")


def test_size_limit_names_the_file(tmp_path):
    (tmp_path / "big.txt").write_text("word " * 1000, encoding="utf-8")
    with pytest.raises(DocumentError, match="big.txt: .* over the limit"):
        read_document(tmp_path / "big.txt", "big.txt", max_bytes=100)


def test_folder_lists_only_documents_and_skips_hidden(tmp_path):
    (tmp_path / "a.txt").write_text("A", encoding="utf-8")
    (tmp_path / "b.md").write_text("B", encoding="utf-8")
    (tmp_path / "c.pdf").write_bytes(b"%PDF")
    (tmp_path / "e.exe").write_bytes(b"MZ")
    (tmp_path / "f.XYZ").write_bytes(b"PK")
    (tmp_path / ".citeqa").mkdir()
    (tmp_path / ".citeqa" / "d.txt").write_text("D", encoding="utf-8")
    assert [d.source for d in list_documents(tmp_path)] == ["a.txt", "b.md", "c.pdf"]


def test_metadata_errors_name_file_and_entry(tmp_path):
    (tmp_path / "metadata.json").write_text(json.dumps({"a.txt": {"title": 5}}), encoding="utf-8")
    with pytest.raises(DocumentError, match="metadata.json: entry 'a.txt'"):
        read_metadata(tmp_path)


def test_passwords_come_from_metadata_json_but_never_into_the_metadata(tmp_path):
    (tmp_path / "metadata.json").write_text(json.dumps({"a.pdf": {"title": "A", "password": "s3cret"},
                                                        "b.pdf": {"title": "B"}}), encoding="utf-8")
    assert read_passwords(tmp_path) == {"a.pdf": "s3cret"}
    assert "s3cret" not in json.dumps(read_metadata(tmp_path)["a.pdf"].to_dict())
    (tmp_path / "metadata.json").write_text(json.dumps({"a.pdf": {"password": 1234}}), encoding="utf-8")
    with pytest.raises(DocumentError, match="entry 'a.pdf': field 'password' must be a string"):
        read_passwords(tmp_path)


def test_seed_metadata_matches_the_articles(seeds_copy):
    metas = read_metadata(seeds_copy)
    assert set(metas) == {d.source for d in list_documents(seeds_copy)}
    for source, meta in metas.items():
        text = (seeds_copy / source).read_text(encoding="utf-8")
        for value in (meta.title, meta.author, meta.publisher):
            assert value is None or value in text, (source, value)
