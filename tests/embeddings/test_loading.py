import json

import pytest

from embeddings.loading import DocumentError, list_documents, read_document, read_metadata


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


def test_a_bad_metadata_entry_is_left_out_with_its_reason_and_the_others_kept(tmp_path):
    (tmp_path / "metadata.json").write_text(json.dumps({"a.txt": {"title": 5}, "b.txt": "Bee", "c.txt": {"title": "C"},
                                                        "d.txt": {"title": "D" * 5000}}), encoding="utf-8")
    metadata = read_metadata(tmp_path)
    assert set(metadata.metas) == {"c.txt"} and metadata.metas["c.txt"].title == "C"
    assert "metadata field 'title' must be a string or null" in metadata.problems["metadata.json: entry 'a.txt'"]
    assert "must be an object" in metadata.problems["metadata.json: entry 'b.txt'"]
    assert "5,000 characters, over 1,000" in metadata.problems["metadata.json: entry 'd.txt'"]
    assert all(str(tmp_path / "metadata.json") in reason for reason in metadata.problems.values())


def test_passwords_come_from_metadata_json_but_never_into_the_metadata(tmp_path):
    (tmp_path / "metadata.json").write_text(json.dumps({"a.pdf": {"title": "A", "password": "s3cret"},
                                                        "b.pdf": {"title": "B"}}), encoding="utf-8")
    assert read_metadata(tmp_path).passwords == {"a.pdf": "s3cret"}
    assert "s3cret" not in json.dumps(read_metadata(tmp_path).metas["a.pdf"].to_dict())
    (tmp_path / "metadata.json").write_text(json.dumps({"a.pdf": {"password": 1234}}), encoding="utf-8")
    assert "entry 'a.pdf': field 'password' must be a string" in read_metadata(tmp_path).problems["metadata.json: entry 'a.pdf'"]


HOSTILE_METADATA = {
    "huge": (b'{"a.txt": {"title": "' + b"A" * (5 * 2**20) + b'"}}', "over 4 MB"),
    "deep": (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    "deep object": (b'{"a": ' * 100_000 + b"1" + b"}" * 100_000, "nested too deeply"),
    "long number": (b'{"a.txt": ' + b"9" * 10_000 + b"}", "a number too long"),
    "latin-1": ('{"a.txt": {"title": "Café"}}'.encode("latin-1"), "not UTF-8 (byte 24)"),
    "not JSON": (b'{"a.txt": {"title": "A",}}', "not valid JSON (Expecting property name"),
    "a list": (b'[{"a.txt": {"title": "A"}}]', "expected an object mapping file name to metadata, found a JSON list"),
    "empty": (b"", "not valid JSON"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_METADATA))
def test_a_hostile_metadata_json_is_refused_whole_with_its_reason(tmp_path, case):
    raw, reason = HOSTILE_METADATA[case]
    (tmp_path / "metadata.json").write_bytes(raw)
    metadata = read_metadata(tmp_path)
    assert not metadata.metas and not metadata.passwords
    assert list(metadata.problems) == ["metadata.json"]
    message = metadata.problems["metadata.json"]
    assert message.startswith(str(tmp_path / "metadata.json")) and reason in message and "indexed without it" in message


def test_seed_metadata_matches_the_articles(seeds_copy):
    metas = read_metadata(seeds_copy).metas
    assert set(metas) == {d.source for d in list_documents(seeds_copy)}
    for source, meta in metas.items():
        text = (seeds_copy / source).read_text(encoding="utf-8")
        for value in (meta.title, meta.author, meta.publisher):
            assert value is None or value in text, (source, value)
