"""The answer writers a server offers: chosen by label, nothing outside the operator's list loaded."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from qa.generators import EXTRACTIVE, Generators, WriterRefused, label


def test_labels_show_hub_names_as_they_are_and_paths_by_their_last_part_only():
    assert label("HuggingFaceTB/SmolLM2-135M-Instruct") == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert label("/srv/models/tiny-llama") == "tiny-llama"
    assert label("./weights/model.Q4.gguf") == "model.Q4.gguf"
    assert label("~/m/chat") == "chat"


def test_a_writer_outside_the_list_is_refused_without_naming_a_path_and_never_loaded():
    loaded = []
    generators = Generators(["/srv/models/secret-folder/tiny"], lambda name: loaded.append(name) or name)
    assert generators.labels == [EXTRACTIVE, "tiny"]
    for asked in ["/etc/passwd", "../../srv/models/secret-folder/tiny", "/srv/models/secret-folder/tiny", None, 3]:
        with pytest.raises(WriterRefused) as refused:
            generators.get(asked)
        assert "/" not in str(refused.value) and "secret-folder" not in str(refused.value)
        assert "choose one of: extractive, tiny" in str(refused.value)
    assert loaded == []


def test_each_listed_generator_is_loaded_once_even_when_many_ask_at_once():
    loaded, lock = [], threading.Lock()

    def load(name):
        with lock:
            loaded.append(name)
        return object()

    generators = Generators(["/a/one", "two"], load)
    with ThreadPoolExecutor(10) as pool:
        models = list(pool.map(lambda _: generators.get("one")[1], range(20)))
    assert len({id(m) for m in models}) == 1
    assert generators.get("two")[0] == "two"
    assert sorted(loaded) == ["/a/one", "two"]


def test_two_entries_with_one_label_are_a_configuration_error():
    with pytest.raises(ValueError, match="both be offered as 'model'"):
        Generators(["/a/model", "/b/model"], lambda name: name)
    with pytest.raises(ValueError, match="'extractive'"):
        Generators(["/x/extractive"], lambda name: name)
