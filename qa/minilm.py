"""The bundled all-MiniLM-L6-v2 encoder's forward pass in NumPy, for questions.

Why not sentence-transformers here: importing it (with PyTorch and transformers) and loading the
model takes five to eight seconds, the most of a cold `qa ask`, to encode one short question. The
model is a six-layer BERT; its forward pass is a few matrix products, written out below from the
BERT architecture, with the model's own tokenizer (`tokenizers`) and weights (`safetensors`) read
from the same package. Ingest still embeds with sentence-transformers (batches of thousands of
chunks are what PyTorch is for); a test checks that both give the same vectors.
"""

from __future__ import annotations

import json
import math
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np


def _erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz and Stegun 7.1.26 (error under 1.5e-7, below float32's precision here)."""
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    result: np.ndarray = sign * (1.0 - poly * np.exp(-x * x))
    return result


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(-1, keepdims=True)
    result: np.ndarray = (x - mean) / np.sqrt(variance + eps) * weight + bias
    return result


class MiniLMQueryEncoder:
    """Encodes a question as the bundled model does: BERT, mean pooling, unit length. All in
    float32: scalars are Python floats, since a NumPy float64 scalar would turn every product
    after it into float64 (and copy the weights to float64 at each layer)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        config = json.loads((folder / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.max_tokens = int(json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"])
        """Longer questions are cut, as sentence-transformers cuts them."""

    @cached_property
    def _tokenizer(self) -> Any:
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(self.max_tokens)
        return tokenizer

    @cached_property
    def _weights(self) -> dict[str, np.ndarray]:
        from safetensors.numpy import load_file

        weights = load_file(str(self.folder / "model.safetensors"))
        return {
            name: np.ascontiguousarray(value.T if value.ndim == 2 and not name.startswith("embeddings.") else value, np.float32)
            for name, value in weights.items()
        }

    def get_query_embedding(self, text: str) -> list[float]:
        w = self._weights
        ids = np.array(self._tokenizer.encode(text).ids)
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][: len(ids)]
        x = self._normalized(x + w["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
        layer = 0
        while f"encoder.layer.{layer}.attention.self.query.weight" in w:
            x = self._layer(x, f"encoder.layer.{layer}.")
            layer += 1
        pooled = x.mean(axis=0)
        return [float(v) for v in pooled / max(float(np.linalg.norm(pooled)), 1e-12)]

    def _normalized(self, x: np.ndarray, name: str) -> np.ndarray:
        return _layer_norm(x, self._weights[f"{name}.weight"], self._weights[f"{name}.bias"], self.eps)

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        """A linear layer (its weight kept transposed, as x @ W needs it)."""
        result: np.ndarray = x @ self._weights[f"{name}.weight"] + self._weights[f"{name}.bias"]
        return result

    def _layer(self, x: np.ndarray, prefix: str) -> np.ndarray:
        tokens, width = x.shape
        size = width // self.heads

        def heads(name: str) -> np.ndarray:
            return self._dense(x, f"{prefix}attention.self.{name}").reshape(tokens, self.heads, size).transpose(1, 0, 2)

        query, key, value = heads("query"), heads("key"), heads("value")
        scores = query @ key.transpose(0, 2, 1) / math.sqrt(size)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        context = (scores / scores.sum(-1, keepdims=True)) @ value
        context = context.transpose(1, 0, 2).reshape(tokens, width)
        x = self._normalized(x + self._dense(context, f"{prefix}attention.output.dense"), f"{prefix}attention.output.LayerNorm")
        inner = self._dense(x, f"{prefix}intermediate.dense")
        inner = 0.5 * inner * (1.0 + _erf(inner / math.sqrt(2.0)))
        return self._normalized(x + self._dense(inner, f"{prefix}output.dense"), f"{prefix}output.LayerNorm")
