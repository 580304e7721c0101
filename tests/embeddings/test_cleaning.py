from embeddings.cleaning import content_sections


def kept(text):
    return [text[s.start:s.end] for section in content_sections(text) for s in section]


def test_chrome_is_skipped_and_poll_kept(seeds_copy):
    text = (seeds_copy / "000_bbae39c19cb2c249.txt").read_text(encoding="utf-8")
    lines = kept(text)
    assert "Rate this article" not in lines
    assert "Share this article" not in lines
    assert "(votes: 6, rating: 5)" not in lines
    assert any("Poll conducted" in line for line in lines)
    assert any("U.S. wants to dissolve Russia" in line for line in lines)


def test_contact_block_is_skipped(seeds_copy):
    text = (seeds_copy / "002_87f3cffaa3c6d45a.txt").read_text(encoding="utf-8")
    lines = kept(text)
    assert not any(line.startswith(("Tel.", "E-mail", "ORCID", "SPIN")) for line in lines)
    assert "Not to Disappear One by One" in lines


def test_repeated_paragraph_is_indexed_once(seeds_copy):
    text = (seeds_copy / "000_bbae39c19cb2c249.txt").read_text(encoding="utf-8")
    lines = kept(text)
    assert len(lines) == len(set(lines))
    assert sum(line.startswith("During the 2016 U.S. Presidential bid") for line in lines) == 1


def test_leave_a_reply_and_download_prompt_are_skipped():
    text = "Real content here.\n\nLeave a Reply\n\nPlease select digest to download:\n"
    assert kept(text) == ["Real content here."]


def test_cleaning_never_rewrites_text():
    text = "  Line one.  \n\nShare this article\n\tLine two!\n"
    for section in content_sections(text):
        for span in section:
            assert text[span.start:span.end].strip() == text[span.start:span.end]
