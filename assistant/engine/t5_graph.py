"""Hand-built ONNX graphs of a T5 (exporter side): encoder, first step, step with past.

optimum's decoder-with-past graph is ~420 nodes per step once optimised: besides the
layers it rebuilds a causal mask and the relative position bias from the shapes at every
step (Shape/Range/ScatterND chains), and every attention is a dozen reshape/transpose/
matmul/softmax nodes plus a ``Concat`` per cache tensor. The builders here write the same
computation directly from the PyTorch weights, with onnxruntime's fused
``com.microsoft.MultiHeadAttention`` (CPU kernel; the decoder's self-attention appends the
step to its past and returns the present cache, its cross-attention reads the
precomputed encoder K/V in their ``(batch, heads, length, head_dim)`` layout) and the
relative position bias looked up in a precomputed table. Inputs and outputs are optimum's,
so the stepper and every export consumer work unchanged; outputs equal optimum's graphs'
(tests/assistant/engine/test_t5_graph.py).

Only the plain T5 family is covered (relu, gelu or gelu_new feed-forward, gated or not,
up to :data:`MAX_PARAMETERS`); for anything else :func:`supports` says no and the
exporter uses optimum's graphs."""

from __future__ import annotations

from pathlib import Path

import numpy as np

ACTIVATIONS = {
    "relu": ("Relu", ""),
    "gelu_new": ("FastGelu", "com.microsoft"),  # tanh approximation, as transformers'
    "gelu": ("Gelu", "com.microsoft"),  # erf
}
"""T5 ``dense_act_fn`` -> onnxruntime op (type, domain)."""
OPSET = 17
MASK_FILTER = float(np.finfo(np.float32).min)  # what transformers adds to masked scores
MAX_PARAMETERS = 400_000_000
"""Graphs are written as single protobuf files (2 GB limit): larger models use optimum's."""


def supports(model) -> bool:
    """True when the builders here can express ``model`` (a ``T5ForConditionalGeneration``)."""
    config = model.config
    return (
        getattr(config, "model_type", "") == "t5"
        and config.dense_act_fn in ACTIVATIONS
        and sum(p.numel() for p in model.parameters()) <= MAX_PARAMETERS
    )


def position_bias_table(model, encoder: bool = False) -> np.ndarray:
    """Relative position bias by key-minus-query offset, as a ``(rows, heads)`` table.

    Decoder (causal): row ``d`` is the bias of a key ``d`` positions before the query,
    ``d = 0 .. max_distance``. Encoder (bidirectional): row ``r + max_distance`` is the
    bias of the offset ``r = -max_distance .. max_distance``. Offsets beyond
    ``relative_attention_max_distance`` share the last bucket, so clipping to the table
    is exact.
    """
    import torch

    config = model.config
    stack = model.encoder if encoder else model.decoder
    attention = stack.block[0].layer[0].SelfAttention
    far = config.relative_attention_max_distance
    offset = torch.arange(-far, far + 1) if encoder else -torch.arange(far + 1)
    buckets = attention._relative_position_bucket(
        offset,
        bidirectional=encoder,
        num_buckets=config.relative_attention_num_buckets,
        max_distance=far,
    )
    with torch.no_grad():
        return attention.relative_attention_bias.weight[buckets].float().numpy()


class _Graph:
    """Nodes and initializers under construction, with unique names."""

    def __init__(self) -> None:
        self.nodes: list = []
        self.inits: list = []
        self.types: list = []  # value_info: lets onnx shape inference type every tensor

    def const(self, name: str, value) -> str:
        from onnx import numpy_helper

        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def weight(self, name: str, linear) -> str:
        """A ``torch.nn.Linear`` weight as a MatMul right-hand side ``(in, out)``."""
        return self.const(name, linear.weight.detach().float().numpy().T.copy())

    def op(
        self, op_type: str, inputs: list[str], out: str, domain: str = "", dtype=None, **attrs
    ) -> str:
        """Add a node with one output named ``out`` of element type ``dtype`` (float)."""
        from onnx import TensorProto, helper

        self.nodes.append(
            helper.make_node(op_type, inputs, [out], name=out, domain=domain, **attrs)
        )
        self.types.append(helper.make_tensor_value_info(out, dtype or TensorProto.FLOAT, None))
        return out

    def matmul(self, x: str, linear, name: str) -> str:
        return self.op("MatMul", [x, self.weight(f"{name}.weight", linear)], f"{name}.out")

    def norm(self, x: str, layer_norm, name: str, eps: float) -> str:
        scale = self.const(f"{name}.weight", layer_norm.weight.detach().float().numpy())
        return self.op("SimplifiedLayerNormalization", [x, scale], name, axis=-1, epsilon=eps)


def build_encoder(model, path: Path) -> Path:
    """Write the encoder of ``model`` (``T5ForConditionalGeneration``) to ``path`` (fp32)
    with optimum's inputs (``input_ids``, ``attention_mask``) and output
    (``last_hidden_state``); return ``path``."""
    from onnx import TensorProto, helper

    config, g = model.config, _Graph()
    batch, length = "batch_size", "encoder_sequence_length"
    inputs = [
        helper.make_tensor_value_info(name, TensorProto.INT64, [batch, length])
        for name in ("input_ids", "attention_mask")
    ]
    x = g.op("Gather", [g.const("shared.weight", _embedding(model)), "input_ids"], "embedded")
    key_mask = _int32_mask(g, "attention_mask")
    bias = _encoder_bias(g, model)
    for i, block in enumerate(model.encoder.block):
        layer = block.layer[0]
        q, k, v = _projections(g, layer, layer.SelfAttention, x, f"e{i}.self", config, "qkv")
        attended = _mha(g, [q, k, v, "", key_mask, bias], f"e{i}.self", config)
        x = _residual(g, x, attended, layer.SelfAttention, f"e{i}.self")
        x = _feed_forward(g, block.layer[1], x, f"e{i}.ff", config)
    g.norm(x, model.encoder.final_layer_norm, "last_hidden_state", config.layer_norm_epsilon)
    output = helper.make_tensor_value_info(
        "last_hidden_state", TensorProto.FLOAT, [batch, length, config.d_model]
    )
    return _save(g, "t5_encoder", inputs, [output], path)


def build_decoder_step(model, path: Path) -> Path:
    """Write the one-token decoder step of ``model`` (``T5ForConditionalGeneration``) to
    ``path`` (fp32) with optimum's decoder-with-past inputs and outputs; return ``path``."""
    from onnx import TensorProto, helper

    config, g = model.config, _Graph()
    batch = "batch_size"
    inputs = [
        helper.make_tensor_value_info(
            "encoder_attention_mask", TensorProto.INT64, [batch, "encoder_sequence_length"]
        ),
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, [batch, 1]),
    ]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [batch, 1, None])]
    x = g.op("Gather", [g.const("shared.weight", _embedding(model)), "input_ids"], "embedded")
    key_mask = _int32_mask(g, "encoder_attention_mask")
    bias = _decoder_bias(g, model)
    for i, block in enumerate(model.decoder.block):
        past = {
            f"{kind}.{kv}": f"past_key_values.{i}.{kind}.{kv}"
            for kind in ("decoder", "encoder")
            for kv in ("key", "value")
        }
        present = [f"present.{i}.decoder.key", f"present.{i}.decoder.value"]
        inputs += [_cache_info(name, config, length) for length, name in _past_lengths(past)]
        outputs += [_cache_info(name, config, None) for name in present]
        layer = block.layer[0]
        q, k, v = _projections(g, layer, layer.SelfAttention, x, f"d{i}.self", config, "qkv")
        mha_in = [q, k, v, "", "", bias, past["decoder.key"], past["decoder.value"]]
        attended = _mha(g, mha_in, f"d{i}.self", config, present)
        x = _residual(g, x, attended, layer.SelfAttention, f"d{i}.self")
        layer = block.layer[1]
        (q,) = _projections(g, layer, layer.EncDecAttention, x, f"d{i}.cross", config, "q")
        mha_in = [q, past["encoder.key"], past["encoder.value"], "", key_mask]
        attended = _mha(g, mha_in, f"d{i}.cross", config)
        x = _residual(g, x, attended, layer.EncDecAttention, f"d{i}.cross")
        x = _feed_forward(g, block.layer[2], x, f"d{i}.ff", config)
    _logits(g, model, x)
    return _save(g, "t5_decoder_step", inputs, outputs, path)


def build_first_step(model, path: Path) -> Path:
    """Write the first decoder step of ``model`` to ``path`` (fp32): optimum's
    ``decoder_model`` inputs and outputs for one token per row (the decoder start), which
    also projects the encoder states to every layer's cross-attention K/V, once per prompt.

    With a single key, self-attention is exactly its value (softmax over one score is 1),
    so the step needs no query projection and no position bias.
    """
    from onnx import TensorProto, helper

    config, g = model.config, _Graph()
    batch, enc = "batch_size", "encoder_sequence_length"
    inputs = [
        helper.make_tensor_value_info("encoder_attention_mask", TensorProto.INT64, [batch, enc]),
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, [batch, 1]),
        helper.make_tensor_value_info(
            "encoder_hidden_states", TensorProto.FLOAT, [batch, enc, config.d_model]
        ),
    ]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [batch, 1, None])]
    x = g.op("Gather", [g.const("shared.weight", _embedding(model)), "input_ids"], "embedded")
    key_mask = _int32_mask(g, "encoder_attention_mask")
    heads = g.const("heads_shape", np.array([0, -1, config.num_heads, config.d_kv]))
    for i, block in enumerate(model.decoder.block):
        present = {
            f"{kind}.{kv}": f"present.{i}.{kind}.{kv}"
            for kind in ("decoder", "encoder")
            for kv in ("key", "value")
        }
        outputs += [_cache_info(name, config, None) for name in present.values()]
        layer = block.layer[0]
        k, v = _projections(g, layer, layer.SelfAttention, x, f"d{i}.self", config, "kv")
        for kv, value in (("key", k), ("value", v)):  # (batch, 1, heads * d) -> (b, h, 1, d)
            shape = g.const(f"d{i}.self.{kv}_shape", np.array([0, config.num_heads, 1, -1]))
            g.op("Reshape", [value, shape], present[f"decoder.{kv}"])
        x = _residual(g, x, v, layer.SelfAttention, f"d{i}.self")
        layer = block.layer[1]
        attention = layer.EncDecAttention
        for kv in ("key", "value"):  # (batch, length, heads * d) -> (b, h, length, d)
            projected = g.matmul("encoder_hidden_states", getattr(attention, kv[0]), f"d{i}.{kv}")
            split = g.op("Reshape", [projected, heads], f"d{i}.cross.{kv}_heads")
            g.op("Transpose", [split], present[f"encoder.{kv}"], perm=[0, 2, 1, 3])
        (q,) = _projections(g, layer, attention, x, f"d{i}.cross", config, "q")
        mha_in = [q, present["encoder.key"], present["encoder.value"], "", key_mask]
        attended = _mha(g, mha_in, f"d{i}.cross", config)
        x = _residual(g, x, attended, attention, f"d{i}.cross")
        x = _feed_forward(g, block.layer[2], x, f"d{i}.ff", config)
    _logits(g, model, x)
    return _save(g, "t5_decoder_first_step", inputs, outputs, path)


def _logits(g: _Graph, model, x: str) -> str:
    config = model.config
    x = g.norm(x, model.decoder.final_layer_norm, "final_norm", config.layer_norm_epsilon)
    if config.tie_word_embeddings:  # T5 rescales before the tied output projection
        x = g.op("Mul", [x, g.const("output_scale", np.float32(config.d_model**-0.5))], "scaled")
    return g.op("MatMul", [x, g.weight("lm_head.weight", model.lm_head)], "logits")


def _save(g: _Graph, name: str, inputs: list, outputs: list, path: Path) -> Path:
    import onnx
    from onnx import helper

    graph = helper.make_graph(g.nodes, name, inputs, outputs, g.inits)
    graph.value_info.extend(t for t in g.types if t.name not in {o.name for o in outputs})
    opsets = [helper.make_opsetid("", OPSET), helper.make_opsetid("com.microsoft", 1)]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="docgen", ir_version=8)
    onnx.save(model, str(path))  # IR 8 (not onnx's newest): ONNX Runtime 1.23, Python 3.10's last
    return path


def _past_lengths(past: dict[str, str]):
    for key, name in past.items():
        kind = key.split(".")[0]
        yield (
            ("past_decoder_sequence_length" if kind == "decoder" else "encoder_sequence_length"),
            name,
        )


def _cache_info(name: str, config, length):
    from onnx import TensorProto, helper

    shape = ["batch_size", config.num_heads, length, config.d_kv]
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def _embedding(model) -> np.ndarray:
    return model.shared.weight.detach().float().numpy()


def _int32_mask(g: _Graph, mask: str) -> str:
    from onnx import TensorProto

    i32 = TensorProto.INT32
    return g.op("Cast", [mask], f"{mask}.int32", dtype=i32, to=i32)


def _decoder_bias(g: _Graph, model) -> str:
    """``(1, heads, 1, past + 1)`` bias of the new token's query over every key so far."""
    from onnx import TensorProto

    rows = position_bias_table(model)
    table = g.const("position_bias_table", rows)
    i64 = TensorProto.INT64
    shape = g.op(
        "Shape", ["past_key_values.0.decoder.key"], "past_shape", dtype=i64, start=2, end=3
    )
    past = g.op("Squeeze", [shape], "past_length", dtype=i64)
    step = g.const("minus_one", np.int64(-1))
    distance = g.op("Range", [past, step, step], "key_distance", dtype=i64)
    far = g.const("max_distance", np.int64(len(rows) - 1))
    clipped = g.op("Min", [distance, far], "bucket_row", dtype=i64)
    bias = g.op("Gather", [table, clipped], "bias_by_key")  # (keys, heads)
    bias = g.op("Transpose", [bias], "bias_heads_keys", perm=[1, 0])
    return g.op("Unsqueeze", [bias, g.const("bias_axes", np.array([0, 2]))], "self_bias")


def _encoder_bias(g: _Graph, model) -> str:
    """``(1, heads, length, length)`` bias: table row ``key - query + max_distance``."""
    from onnx import TensorProto

    rows = position_bias_table(model, encoder=True)
    far = (len(rows) - 1) // 2
    i64 = TensorProto.INT64
    shape = g.op("Shape", ["input_ids"], "input_shape", dtype=i64, start=1, end=2)
    length = g.op("Squeeze", [shape], "input_length", dtype=i64)
    zero, one = g.const("zero", np.int64(0)), g.const("one", np.int64(1))
    positions = g.op("Range", [zero, length, one], "positions", dtype=i64)
    queries = g.op("Unsqueeze", [positions, g.const("axis_1", np.array([1]))], "queries", dtype=i64)
    offset = g.op("Sub", [positions, queries], "key_offset", dtype=i64)  # (query, key)
    low, high = g.const("far_low", np.int64(-far)), g.const("far_high", np.int64(far))
    offset = g.op("Clip", [offset, low, high], "key_offset_clipped", dtype=i64)
    row = g.op("Add", [offset, high], "bias_row", dtype=i64)
    bias = g.op("Gather", [g.const("position_bias_table", rows), row], "bias_by_offset")
    bias = g.op("Transpose", [bias], "bias_heads", perm=[2, 0, 1])  # (heads, query, key)
    return g.op("Unsqueeze", [bias, g.const("axis_0", np.array([0]))], "encoder_bias")


def _projections(g: _Graph, layer, attention, x: str, name: str, config, which: str):
    h = g.norm(x, layer.layer_norm, f"{name}.norm", config.layer_norm_epsilon)
    return [g.matmul(h, getattr(attention, p), f"{name}.{p}") for p in which]


def _mha(g: _Graph, inputs: list[str], name: str, config, present=()) -> str:
    """T5 attention with onnxruntime's fused kernel: no 1/sqrt(d) scaling, masked keys
    get the same -inf-like score transformers adds."""
    from onnx import TensorProto, helper

    out = f"{name}.attention"
    g.nodes.append(
        helper.make_node(
            "MultiHeadAttention",
            inputs,
            [out, *present],
            name=out,
            domain="com.microsoft",
            num_heads=config.num_heads,
            scale=1.0,
            mask_filter_value=MASK_FILTER,
        )
    )
    g.types.append(helper.make_tensor_value_info(out, TensorProto.FLOAT, None))
    return out


def _residual(g: _Graph, x: str, attended: str, attention, name: str) -> str:
    return g.op("Add", [x, g.matmul(attended, attention.o, f"{name}.o")], f"{name}.residual")


def _feed_forward(g: _Graph, layer, x: str, name: str, config) -> str:
    dense = layer.DenseReluDense
    h = g.norm(x, layer.layer_norm, f"{name}.norm", config.layer_norm_epsilon)
    op_type, domain = ACTIVATIONS[config.dense_act_fn]
    if config.is_gated_act:
        gate = g.op(op_type, [g.matmul(h, dense.wi_0, f"{name}.wi_0")], f"{name}.act", domain)
        h = g.op("Mul", [gate, g.matmul(h, dense.wi_1, f"{name}.wi_1")], f"{name}.gated")
    else:
        h = g.op(op_type, [g.matmul(h, dense.wi, f"{name}.wi")], f"{name}.act", domain)
    out = g.matmul(h, dense.wo, f"{name}.wo")
    return g.op("Add", [x, out], f"{name}.residual")
