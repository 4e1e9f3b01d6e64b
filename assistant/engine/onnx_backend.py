"""The production backend (runtime side): ONNX Runtime sessions driven by our numpy search.

Three layers, as in optimum: :class:`OrtSessions` (sessions, threads, warm-up), the
:class:`OrtStepper` (one batch: encoder once, cross-attention KV once, then one decoder
call per token with the self-attention cache), and :class:`OnnxGenerator` (the
:class:`~assistant.engine.types.TextGenerator`). No torch, no transformers, no exporter:
an export folder is read through its format (:mod:`.layout`) only.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from assistant.engine.codec import PromptCodec
from assistant.engine.encoder_cache import EncodedPrompt, EncoderCache, prompt_key
from assistant.engine.layout import ONNX_PARTS, read_json_object, verify_export
from assistant.engine.search import Sequence, beam_search, greedy_search, step_gate
from assistant.engine.types import GenerationConfig, Hypothesis, ModelLoadError


class OrtSessions:
    """The encoder and decoder sessions of one export, created once and reused.

    Args:
        folder: An export folder (verified against its manifest's checksums).
        threads: Intra-op threads per session (None: onnxruntime's default, all cores).
        spin: Let idle worker threads spin-wait. Off by default: on a shared or busy
            machine spinning threads steal the CPU the work needs (measured 1.9x slower
            per decoder step here, see BENCHMARKS.md); on an idle machine it saves a
            little latency. None reads ``DOCGEN_ORT_SPIN`` (``1`` turns it on).
        decoder_threads: Intra-op threads of the decoder sessions (default: ``threads``;
            env ``DOCGEN_ORT_DECODER_THREADS``). One decode step is ~400 small ops: on a
            busy machine every parallel op waits for a second thread to be scheduled.
        providers: onnxruntime execution providers (default: the CPU provider only; the
            benchmark passes OpenVINO's from an ``onnxruntime-openvino`` install).

    Extra onnxruntime session config entries can be given in ``DOCGEN_ORT_CONFIG``
    (``"key=value;key=value"``).

    Attributes:
        manifest: The export's verified manifest.
        encoder: The encoder's ``InferenceSession``.
        decoder: The first decoder step's session (also computes the cross-attention KV).
        decoder_with_past: The session of every later decoder step.
        sessions: The three sessions by part name (:data:`~assistant.engine.layout.ONNX_PARTS`).
    """

    def __init__(
        self,
        folder: Path,
        threads: int | None = None,
        spin: bool | None = None,
        decoder_threads: int | None = None,
        providers: list | None = None,
    ) -> None:
        import onnxruntime as ort

        if spin is None:
            spin = os.environ.get("DOCGEN_ORT_SPIN", "0") == "1"
        if decoder_threads is None and os.environ.get("DOCGEN_ORT_DECODER_THREADS"):
            decoder_threads = int(os.environ["DOCGEN_ORT_DECODER_THREADS"])
        self.manifest = verify_export(folder)
        parts = {**ONNX_PARTS, **self.manifest.get("onnx", {})}
        self.sessions = {}
        for part, name in parts.items():
            options = ort.SessionOptions()
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            count = decoder_threads if part != "encoder" and decoder_threads else threads
            options.intra_op_num_threads = count or 0
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            options.add_session_config_entry(
                "session.intra_op.allow_spinning", "1" if spin else "0"
            )
            for key, value in _extra_config():
                options.add_session_config_entry(key, value)
            try:
                self.sessions[part] = ort.InferenceSession(
                    str(folder / name), options, providers=providers or ["CPUExecutionProvider"]
                )
            except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph types
                raise ModelLoadError(
                    f"{folder / name} cannot be loaded by onnxruntime ({exc}). "
                    "Re-export the model with `docgen model export MODEL`."
                ) from exc
        self.encoder = self.sessions["encoder"]
        self.decoder = self.sessions["decoder"]
        self.decoder_with_past = self.sessions["decoder_with_past"]
        self.past_names = [i.name for i in self.decoder_with_past.get_inputs() if "past" in i.name]
        self.num_layers = len(self.past_names) // 4
        self.decoder_outputs = [o.name for o in self.decoder.get_outputs()]
        self.past_outputs = [o.name for o in self.decoder_with_past.get_outputs()]

    def run_encoder(self, feeds: dict) -> np.ndarray:
        """The encoder's hidden states for ``input_ids`` / ``attention_mask``."""
        return self.encoder.run(None, feeds)[0]

    def run_decoder(self, first: bool, feeds: dict) -> list:
        """One decoder call (``first``: step 0, which also returns the cross-attention KV);
        outputs in the graph's order, as OrtValues (IO binding) or numpy arrays."""
        if first:
            return _run_bound(self.decoder, feeds, self.decoder_outputs)
        return _run_bound(self.decoder_with_past, feeds, self.past_outputs)


class OrtStepper:
    """One batch in flight: encoder outputs, cross KV (computed once), self-attention KV."""

    def __init__(
        self,
        sessions: OrtSessions,
        input_ids: np.ndarray | None,
        mask: np.ndarray,
        repeat: int = 1,
    ) -> None:
        self.s = sessions
        hidden = None
        if input_ids is not None:
            feeds = {"input_ids": input_ids, "attention_mask": mask}
            hidden = sessions.run_encoder(feeds)
        self.hidden, self.mask, self.repeat = hidden, mask, repeat
        self.cross: list = []  # per layer: encoder.key, encoder.value (OrtValue or numpy)
        self.past: list = []  # per layer: decoder.key, decoder.value (OrtValue or numpy)
        self._first: np.ndarray | None = None  # step 0's logits when already computed

    @classmethod
    def from_encoded(
        cls, sessions: OrtSessions, rows: list[EncodedPrompt], repeat: int = 1
    ) -> OrtStepper:
        """A stepper whose encoder and first decoder step are done: ``rows`` (one per
        prompt, e.g. from an :class:`~assistant.engine.encoder_cache.EncoderCache`) are
        padded into one batch and repeated ``repeat`` times for beams; the first
        :meth:`step` returns their step-0 logits without running a session."""
        width = max(row.length for row in rows)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, row in enumerate(rows):
            mask[i, : row.length] = 1
        stepper = cls(sessions, None, np.repeat(mask, repeat, axis=0), repeat)
        stepper.past = [
            np.repeat(np.stack([row.self_kv[j] for row in rows]), repeat, axis=0)
            for j in range(len(rows[0].self_kv))
        ]
        stepper.cross = [
            np.repeat(_stack_padded([row.cross_kv[j] for row in rows], width), repeat, axis=0)
            for j in range(len(rows[0].cross_kv))
        ]
        stepper._first = np.repeat(np.stack([row.logits for row in rows]), repeat, axis=0)
        return stepper

    def step(self, tokens: np.ndarray) -> np.ndarray:
        """Run the decoder on one token per row; return the last position's logits.

        Inputs and outputs go through IO binding: the cache stays in onnxruntime's own
        buffers (OrtValues) from one step to the next instead of round-tripping through
        numpy; only the logits are read back.
        """
        ids = np.ascontiguousarray(tokens.reshape(-1, 1))
        if self._first is not None:  # step 0 came from the encoder cache
            logits, self._first = self._first, None
            return logits.copy()
        if not self.cross:
            return self._first_step(ids)
        feeds = {"input_ids": ids, "encoder_attention_mask": self.mask}
        for i in range(self.s.num_layers):
            feeds[f"past_key_values.{i}.decoder.key"] = self.past[2 * i]
            feeds[f"past_key_values.{i}.decoder.value"] = self.past[2 * i + 1]
            feeds[f"past_key_values.{i}.encoder.key"] = self.cross[2 * i]
            feeds[f"past_key_values.{i}.encoder.value"] = self.cross[2 * i + 1]
        outs = self.s.run_decoder(False, feeds)
        self.past = outs[1:]
        return _as_numpy(outs[0])[:, -1, :]

    def _first_step(self, ids: np.ndarray) -> np.ndarray:
        """Step 0: also computes every layer's cross-attention KV, once per prompt.

        With beams, all beams of a prompt start identical, so step 0 runs on one row
        per prompt and its outputs are repeated (``repeat`` x less work than running
        every beam).
        """
        feeds = {
            "input_ids": ids[:: self.repeat],
            "encoder_hidden_states": self.hidden,
            "encoder_attention_mask": self.mask,
        }
        outs = self.s.run_decoder(True, feeds)
        logits = _as_numpy(outs[0])[:, -1, :]
        if self.repeat > 1:
            outs = [np.repeat(_as_numpy(o), self.repeat, axis=0) for o in outs[1:]]
            outs.insert(0, None)
            logits = np.repeat(logits, self.repeat, axis=0)
            self.mask = np.repeat(self.mask, self.repeat, axis=0)
        self.hidden = None  # no longer needed: the cross KV holds what the decoder reads
        layers = [outs[1 + 4 * i : 5 + 4 * i] for i in range(self.s.num_layers)]
        self.past = [a for layer in layers for a in layer[:2]]
        self.cross = [a for layer in layers for a in layer[2:]]
        return logits

    def reorder(self, rows: np.ndarray) -> None:
        """Reorder the self-attention cache for beam search.

        Cross KV rows need no reordering: beams of one prompt share it and beams never
        move between prompts.
        """
        self.past = [_as_numpy(kv)[rows] for kv in self.past]

    def keep(self, rows: np.ndarray) -> None:
        """Drop finished rows: keep only ``rows`` (their cache, cross KV and mask)."""
        self.past = [_as_numpy(kv)[rows] for kv in self.past]
        self.cross = [_as_numpy(kv)[rows] for kv in self.cross]
        self.mask = self.mask[rows]


def encode_prompts(
    sessions: OrtSessions, sequences: list[list[int]], pad_id: int, start_id: int
) -> list[EncodedPrompt]:
    """Run the encoder and the first decoder step on ``sequences`` (token ids, one batch)
    and return each prompt's unpadded :class:`EncodedPrompt`."""
    started = time.perf_counter()
    width = max(len(seq) for seq in sequences)
    ids = np.full((len(sequences), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(sequences), width), dtype=np.int64)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = seq
        mask[row, : len(seq)] = 1
    stepper = OrtStepper(sessions, ids, mask)
    logits = stepper._first_step(np.full((len(sequences), 1), start_id, dtype=np.int64))
    past = [_as_numpy(kv) for kv in stepper.past]
    cross = [_as_numpy(kv) for kv in stepper.cross]
    cost = (time.perf_counter() - started) / len(sequences)
    return [
        EncodedPrompt(
            length=len(seq),
            logits=logits[i].copy(),
            self_kv=[kv[i].copy() for kv in past],
            cross_kv=[np.ascontiguousarray(kv[i, :, : len(seq)]) for kv in cross],
            cost_s=cost,
        )
        for i, seq in enumerate(sequences)
    ]


def _stack_padded(arrays: list[np.ndarray], width: int) -> np.ndarray:
    """Stack ``(heads, length, d)`` arrays into ``(rows, heads, width, d)``, zero-padded."""
    heads, _, dim = arrays[0].shape
    out = np.zeros((len(arrays), heads, width, dim), dtype=arrays[0].dtype)
    for i, array in enumerate(arrays):
        out[i, :, : array.shape[1]] = array
    return out


def _extra_config() -> list[tuple[str, str]]:
    """Session config entries from ``DOCGEN_ORT_CONFIG`` ("key=value;key=value"), for
    tuning experiments without code changes."""
    pairs = []
    for item in os.environ.get("DOCGEN_ORT_CONFIG", "").split(";"):
        key, sep, value = item.partition("=")
        if sep and key.strip():
            pairs.append((key.strip(), value.strip()))
    return pairs


def _as_numpy(value) -> np.ndarray:
    return value if isinstance(value, np.ndarray) else value.numpy()


def _run_bound(session, feeds: dict, output_names: list[str]) -> list:
    """Run ``session`` with IO binding; numpy or OrtValue inputs, OrtValue outputs."""
    binding = session.io_binding()
    for name, value in feeds.items():
        if isinstance(value, np.ndarray):
            binding.bind_cpu_input(name, value)
        else:
            binding.bind_ortvalue_input(name, value)
    for name in output_names:
        binding.bind_output(name, "cpu")
    session.run_with_iobinding(binding)
    return binding.get_outputs()


class OnnxGenerator:
    """A :class:`~assistant.engine.types.TextGenerator` over an ONNX export.

    Args:
        folder: Export folder (see :func:`assistant.engine.export_model`).
        model_id: Name reported as ``model_id`` (default: the folder).
        threads: Intra-op threads (None: all cores).
        max_input_tokens: Truncation length (default: the tokenizer's ``model_max_length``).
        warmup: Run one short generation at load so the first request is not slow.
        max_batch_size: Prompts per batched run; longer lists are length-bucketed.
        sessions: Ready sessions of ``folder`` with :class:`OrtSessions`' interface
            (``run_encoder``, ``run_decoder``, ``num_layers``), e.g. OpenVINO's
            (:mod:`.openvino_backend`); default: onnxruntime sessions.
        path: The engine path this generator runs (:data:`.choice.PATHS`), as reported.

    Attributes:
        folder: The export folder.
        sessions: Its :class:`OrtSessions` (benchmarks time single sessions through it).
        codec: The :class:`~assistant.engine.codec.PromptCodec`.
        max_batch_size: As above; may be changed between calls.
        model_id: What the model was loaded from, as reported.
        max_input_tokens: The truncation length in effect.
        encoder_cache: An :class:`~assistant.engine.encoder_cache.EncoderCache` of
            prompts' encoded states (None, the default: every prompt is encoded); may be
            set between calls. The server sets one so that a hover's draft and the
            "Generate docstring" that follows encode their prompt once.
    """

    backend = "onnx"

    def __init__(
        self,
        folder: Path,
        model_id: str | None = None,
        threads: int | None = None,
        max_input_tokens: int | None = None,
        warmup: bool = True,
        max_batch_size: int = 16,
        sessions=None,
        path: str | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.max_batch_size = max(1, max_batch_size)
        self.sessions = sessions if sessions is not None else OrtSessions(self.folder, threads)
        self.path = path
        self.choice: dict | None = None  # the loader's choice record (docgen model info)
        self.codec = PromptCodec(self.folder, max_input_tokens)
        self.model_id = model_id or str(self.folder)
        self.max_input_tokens = self.codec.max_input_tokens
        self.start_id = _decoder_start_id(self.folder)
        self.encoder_cache: EncoderCache | None = None
        if warmup:
            self.generate(["warm up"], GenerationConfig(max_new_tokens=2))

    def generate(
        self, prompts: list[str], config: GenerationConfig | None = None
    ) -> list[list[Hypothesis]]:
        """Generate ``num_return_sequences`` hypotheses per prompt, best first.

        Prompts longer than ``max_input_tokens`` tokens are truncated, keeping their
        head; an empty prompt is valid (the model sees EOS alone).
        """
        return self.codec.hypotheses(self.generate_ids(prompts, config))

    def generate_ids(
        self, prompts: list[str], config: GenerationConfig | None = None
    ) -> list[list[Sequence]]:
        """Like :meth:`generate` but return token ids (EOS included when produced).

        More than ``max_batch_size`` prompts are sorted by length and run in chunks of
        similar lengths (less padding, smaller KV caches); results keep the input order.
        """
        config = config or GenerationConfig()
        tokens = self.codec.tokenize(list(prompts))
        if len(tokens) <= self.max_batch_size:
            return self.generate_from_ids(*self.codec.pad(tokens), config) if tokens else []
        order = sorted(range(len(tokens)), key=lambda i: len(tokens[i]))
        results: list[list[Sequence]] = [[] for _ in tokens]
        for start in range(0, len(order), self.max_batch_size):
            chunk = order[start : start + self.max_batch_size]
            ids, mask = self.codec.pad([tokens[i] for i in chunk])
            for i, result in zip(chunk, self.generate_from_ids(ids, mask, config), strict=True):
                results[i] = result
        return results

    def generate_from_ids(
        self, ids: np.ndarray, mask: np.ndarray, config: GenerationConfig
    ) -> list[list[Sequence]]:
        """Search from already tokenized, right-padded ``(input_ids, attention_mask)``.

        With an :attr:`encoder_cache`, prompts it holds skip the encoder and the first
        decoder step; the others are encoded together and kept in it.
        """
        eos = self.codec.eos_id
        repeat = config.num_beams
        if self.encoder_cache is not None:
            rows = self._encoded([ids[i, : int(mask[i].sum())].tolist() for i in range(len(ids))])
            stepper = OrtStepper.from_encoded(self.sessions, rows, repeat)
        else:
            stepper = OrtStepper(self.sessions, ids, mask, repeat=repeat)
        if repeat == 1:
            return [[s] for s in greedy_search(stepper, len(ids), config, self.start_id, eos)]
        return beam_search(stepper, len(ids), config, self.start_id, eos)

    def _encoded(self, sequences: list[list[int]]) -> list[EncodedPrompt]:
        """Each prompt's encoded state: from the cache, the misses encoded in one batch."""
        cache = self.encoder_cache
        assert cache is not None
        keys = [prompt_key(self.model_id, seq) for seq in sequences]
        rows: list[EncodedPrompt | None] = [cache.get(key) for key in keys]
        missing = [i for i, row in enumerate(rows) if row is None]
        for part in _token_chunks([len(sequences[i]) for i in missing], ENCODE_CHUNK_TOKENS):
            step_gate()  # a bulk batch's encoder yields like its decoder steps do
            chunk = [missing[k] for k in part]
            fresh = encode_prompts(
                self.sessions, [sequences[i] for i in chunk], self.codec.pad_id, self.start_id
            )
            for i, row in zip(chunk, fresh, strict=True):
                rows[i] = row
                cache.put(keys[i], row)
        return [row for row in rows if row is not None]

    def generate_texts(
        self, prompts: list[str], config: GenerationConfig | None = None
    ) -> list[str]:
        """Return the best text per prompt."""
        return [hyps[0].text for hyps in self.generate(prompts, config)]


ENCODE_CHUNK_TOKENS = 768
"""Prompt tokens encoded per encoder run when prompts are encoded for the encoder cache:
a batch's misses go in runs of about this many tokens (at least one prompt each), with
the thread's step gate before each, so a bulk batch's encoder holds the cores for tens
of milliseconds at a time, not the hundreds its whole batch takes."""


def _token_chunks(lengths: list[int], budget: int) -> list[list[int]]:
    """Split positions ``0..len(lengths)-1`` into consecutive runs of at most ``budget``
    tokens (a longer prompt runs alone)."""
    runs: list[list[int]] = []
    total = 0
    for k, length in enumerate(lengths):
        if runs and total + length <= budget:
            runs[-1].append(k)
            total += length
        else:
            runs.append([k])
            total = length
    return runs


def _decoder_start_id(folder: Path) -> int:
    config = read_json_object(folder / "config.json")
    value = config.get("decoder_start_token_id")
    return int(value if value is not None else config.get("pad_token_id") or 0)
