"""The learned stage: a linear classifier trained at load time from the intents themselves.

The grammar stage answers precisely what the templates say; people say more ("is there snow
in the forecast", "明天有没有雨"). This stage reads the *kind* of sentence from its words,
so a paraphrase whose content words point at one intent is still understood. It is trained
from the maker's own files, with no extra step: sentences sampled from every template graph
(slots stand as their type, "<list:room>", exactly as the entity finder tags heard text),
the intents' test sentences, and the `elsewhere:` phrases and negatives as a reject class,
so a command for something else has a class of its own to fall into.

Features are hashed (no vocabulary object): word unigrams and bigrams, character 4-grams of
English words (inflections and misspellings share most of them) and, for Chinese, characters
and toneless pinyin syllables (traditional and simplified characters, and homophones the
recogniser swaps, read the same). Inference is numpy alone: a sum of a few dozen weight rows.

The trained model is plain data - weights in an .npz read with allow_pickle=False and the
class names in JSON - cached in the state dir under a hash of the intent files, lists and this
module's feature version, so a changed intent file (a maker's new domain) trains a new model
and nothing is ever unpickled.
"""
from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import random
import shutil
import sys
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .. import heap
from .entities import Entity, Item
from .graph import SlotRef, TemplateGraph, Value, Word
from .phonetics import pinyin

log = logging.getLogger(__name__)

REJECT = "(reject)"         # the class of commands for something else
VERSION = 1                 # bump when features or training change: old caches stop matching
BITS = 16                   # 65,536 hashed features: collisions cost < 0.3 points on the dev sets
SAMPLES_MIN = 6             # sentences sampled per template graph ...
SAMPLES_PER_EDGE = 0.5      # ... plus this many per edge (big graphs say more different things)
SAMPLES_MAX = 60
KEEP_FREE_BYTES = 64_000_000   # the cache is written only when this much stays free after it
MAX_CACHE_BYTES = 50_000_000   # a cache file larger than this is not ours: rebuilt, never read
# a free-text slot is said as some words; these stand for them in sampled sentences (they occur
# in every intent with free text, so they teach nothing but the length of a real sentence)
FILLER = {"en": ["something", "the blue one", "jazz", "anna", "new york"],
          "zh": ["音乐", "蓝色", "小明", "东西"]}


@dataclass(frozen=True)
class Guess:
    """The learned stage's answer: the likeliest class and its probability, and the runner-up."""

    intent: str | None          # None: the reject class (a command for something else)
    probability: float
    runner: str | None
    runner_probability: float
    known: float = 1.0          # share of the sentence's words the training sentences had


class Sampler(Protocol):
    """What training needs of the grammar side: the graphs and example sentences, by class."""

    def graphs(self) -> Iterable[tuple[str, TemplateGraph]]: ...

    def sentences(self) -> Iterable[tuple[str, str, list[Item]]]: ...


# ------------------------------------------------------------------------------ features
def _hash(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) & ((1 << BITS) - 1)


def tokens_of_items(items: Sequence[Item]) -> list[str]:
    """Heard text as the classifier's tokens: a word, a Chinese character, "<type>" (an entity)."""
    return [f"<{it.type}>" if isinstance(it, Entity) else it.text.lower() for it in items]


def tokens_of_labels(labels: Sequence, lang: str, rng: random.Random) -> list[str]:
    """A sampled template path as tokens, the same way `tokens_of_items` reads heard text."""
    out: list[str] = []
    for label in labels:
        if isinstance(label, Word):
            out.append(label.text.lower())
        elif isinstance(label, Value):
            out.append(f"<{label.type}>")
        elif isinstance(label, SlotRef):
            if label.type == "text":
                if rng.random() < 0.7:
                    filler = rng.choice(FILLER[lang])
                    out.extend(list(filler) if lang == "zh" else filler.split())
            else:
                out.append(f"<{label.type}>")
    return out


def features(tokens: Sequence[str], lang: str) -> list[int]:
    """Hashed feature ids of a token sequence (a set: presence, not counts)."""
    feats: set[str] = set()
    prev = "^"
    for tok in tokens:
        feats.add("w" + tok)
        feats.add("b" + prev + " " + tok)
        if lang == "zh":
            if len(tok) == 1 and tok != "<":
                py = pinyin(tok)
                feats.add("p" + py)
                feats.add("q" + (pinyin(prev) if len(prev) == 1 else prev) + " " + py)
        elif not tok.startswith("<") and len(tok) > 3:
            padded = f"#{tok}#"
            feats.update("c" + padded[k:k + 4] for k in range(len(padded) - 3))
        prev = tok
    feats.add("b" + prev + " $")
    return sorted({_hash(f) for f in feats})


# ------------------------------------------------------------------------------ the model
class NoRoom(OSError):
    """Too little free space to cache the model without crowding out the state database."""


class LearnedModel:
    """Weights of a linear classifier over hashed features; `guess` is a few numpy row sums."""

    def __init__(self, classes: list[str], rows: np.ndarray, weights: np.ndarray, bias: np.ndarray):
        self.classes = classes
        self.dense = np.zeros((1 << BITS, len(classes)), dtype=np.float32)
        self.dense[rows] = weights
        self.bias = bias.astype(np.float32)
        self.rows, self.weights = rows, weights
        self.seen = np.zeros(1 << BITS, dtype=bool)
        self.seen[rows] = True

    def guess(self, tokens: Sequence[str], lang: str) -> Guess:
        ids = features(tokens, lang)
        words = [_hash("w" + t) for t in tokens if not t.startswith("<")]
        known = float(self.seen[words].mean()) if words else 1.0
        z = self.dense[ids].sum(axis=0) + self.bias
        z = np.exp(z - z.max())
        p = z / z.sum()
        top2 = np.argsort(p)[-2:][::-1]
        names = [None if self.classes[k] == REJECT else self.classes[k] for k in top2]
        return Guess(names[0], float(p[top2[0]]), names[1] if len(top2) > 1 else None,
                     float(p[top2[1]]) if len(top2) > 1 else 0.0, known)

    # -------------------------------------------------------------- plain-data cache
    def save(self, folder: Path, key: str) -> None:
        """Write `<key>.npz` (arrays only) and `<key>.json` (class names); atomically."""
        folder.mkdir(parents=True, exist_ok=True)
        need = self.weights.nbytes + KEEP_FREE_BYTES
        if shutil.disk_usage(folder).free < need:
            raise NoRoom(f"less than {need // 1_000_000} MB free: the state database needs it more")
        tmp = folder / f".{key}.{os.getpid()}.tmp.npz"      # two processes starting at once
        meta = folder / f".{key}.{os.getpid()}.tmp.json"
        try:
            with tmp.open("wb") as fh:
                np.savez_compressed(fh, rows=self.rows.astype(np.int32),
                                    weights=self.weights.astype(np.float32),
                                    bias=self.bias.astype(np.float32))
            info = {"version": VERSION, "bits": BITS, "classes": self.classes}
            meta.write_text(json.dumps(info), encoding="utf-8")
            tmp.replace(folder / f"{key}.npz")
            meta.replace(folder / f"{key}.json")
        finally:        # a half-written file must not keep the space (a full disk)
            tmp.unlink(missing_ok=True)
            meta.unlink(missing_ok=True)

    @classmethod
    def read(cls, folder: Path, key: str) -> LearnedModel | None:
        """The cached model, or None when absent; raises ValueError when a file is damaged."""
        npz, meta = folder / f"{key}.npz", folder / f"{key}.json"
        if not npz.is_file() or not meta.is_file():
            return None
        if npz.stat().st_size > MAX_CACHE_BYTES or meta.stat().st_size > MAX_CACHE_BYTES:
            raise ValueError("cache file too large")
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
            classes = info["classes"]
            if info.get("version") != VERSION or info.get("bits") != BITS \
                    or not isinstance(classes, list) \
                    or not all(isinstance(c, str) for c in classes):
                raise ValueError("cache written by another version")
            with np.load(npz, allow_pickle=False) as data:
                rows, weights, bias = data["rows"], data["weights"], data["bias"]
        except Exception as exc:   # OSError, bad JSON, zipfile.BadZipFile, pickled arrays, ...
            raise ValueError(f"{type(exc).__name__}: {exc}") from None
        n = len(classes)
        if rows.ndim != 1 or weights.shape != (len(rows), n) or bias.shape != (n,) \
                or (len(rows) and (rows.min() < 0 or rows.max() >= 1 << BITS)) \
                or not np.isfinite(weights).all() or not np.isfinite(bias).all():
            raise ValueError("arrays of the wrong shape or range")
        return cls(classes, rows, weights, bias)


# ------------------------------------------------------------------------------ training
def training_set(sampler: Sampler, seed: int = 7) -> tuple[list[list[int]], list[str]]:
    """Feature ids and class of every training sentence (sampled paths deduplicated)."""
    rng = random.Random(seed)
    xs: list[list[int]] = []
    ys: list[str] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for cls_name, graph in sampler.graphs():
        n = min(SAMPLES_MAX, SAMPLES_MIN + int(SAMPLES_PER_EDGE * graph.size))
        for _ in range(n):
            toks = tokens_of_labels(graph.sample(rng), graph.lang, rng)
            key = (cls_name, tuple(toks))
            if not toks or key in seen:
                continue
            seen.add(key)
            xs.append(features(toks, graph.lang))
            ys.append(cls_name)
    for cls_name, lang, items in sampler.sentences():
        xs.append(features(tokens_of_items(items), lang))
        ys.append(cls_name)
    return xs, ys


def _scipy() -> tuple[Any, Any]:
    """SciPy's L-BFGS and sparse matrix, its BLAS loaded single-threaded.

    L-BFGS on 300,000 weights is many small vector operations: with a BLAS thread per core they
    wait on each other, and on a loaded 2-core machine training took 6 s instead of 1 s. SciPy's
    own BLAS reads the thread count once, when it is loaded, so the setting is restored at once.
    """
    fresh = "scipy.optimize" not in sys.modules
    before = os.environ.get("OPENBLAS_NUM_THREADS")
    if fresh and before is None:
        os.environ["OPENBLAS_NUM_THREADS"] = "1"
    try:
        from scipy.optimize import fmin_l_bfgs_b
        from scipy.sparse import csr_matrix
    finally:
        if fresh and before is None:
            os.environ.pop("OPENBLAS_NUM_THREADS", None)
    return fmin_l_bfgs_b, csr_matrix


class Untrainable(ValueError):
    """The intents give nothing to tell apart: the grammar stage works alone."""


def train(sampler: Sampler, seed: int = 7) -> LearnedModel:
    """Fit a multinomial logistic regression on the sampled sentences.

    The loss and gradient are a few sparse products written here and minimised with SciPy's
    L-BFGS (imported only when training: a cached model needs numpy alone). scikit-learn's
    LogisticRegression fits the same model, but importing it costs 1-2 s of start-up on 2 cores.
    """
    fmin_l_bfgs_b, csr_matrix = _scipy()

    xs, ys = training_set(sampler, seed)
    classes = sorted(set(ys))
    if len(classes) < 2:
        raise Untrainable("fewer than two classes (one intent, no elsewhere phrases or negatives)")
    index = {c: k for k, c in enumerate(classes)}
    indptr = np.cumsum([0] + [len(x) for x in xs])
    indices = np.fromiter((i for x in xs for i in x), dtype=np.int32, count=int(indptr[-1]))
    # only the few thousand hashed columns some sentence has
    used, columns = np.unique(indices, return_inverse=True)
    X = csr_matrix((np.ones(len(indices)), columns.astype(np.int32), indptr),
                   shape=(len(xs), len(used)))
    XT = X.T.tocsr()
    y = np.array([index[c] for c in ys])
    n, d, k = len(xs), len(used), len(classes)
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y] = 1.0
    counts = np.bincount(y, minlength=k)
    # every class counts the same ("balanced"); the loss is a mean, so the stopping rule does
    # not depend on how many sentences the intents make
    weight = (1.0 / (k * counts))[y][:, None]

    def loss(flat: np.ndarray) -> tuple[float, np.ndarray]:
        W, b = flat[:d * k].reshape(d, k), flat[d * k:]
        Z = X @ W + b
        Z -= Z.max(axis=1, keepdims=True)
        E = np.exp(Z)
        S = E.sum(axis=1, keepdims=True)
        nll = float((weight[:, 0] * (np.log(S[:, 0]) - (Z * onehot).sum(axis=1))).sum())
        G = weight * (E / S - onehot)
        gW = XT @ G + W / (C_REG * n)
        penalty = 0.5 / (C_REG * n) * float((W * W).sum())
        return nll + penalty, np.concatenate([gW.ravel(), G.sum(axis=0)])

    flat, _, info = fmin_l_bfgs_b(loss, np.zeros(d * k + k), maxiter=MAX_ITER, pgtol=PGTOL)
    log.debug("learned stage: %d L-BFGS iterations, %s", info["nit"], info["task"])
    coef = flat[:d * k].reshape(d, k).astype(np.float32)
    bias = flat[d * k:].astype(np.float32)
    keep = np.abs(coef).max(axis=1) > 1e-6
    return LearnedModel(classes, used[keep].astype(np.int32), coef[keep], bias)


MAX_ITER = 200
PGTOL = 1e-4     # stop once no gradient component exceeds this (mean loss)
C_REG = 4.0     # inverse regularisation: lower keeps weights spread over more words


def cache_key(files: Iterable[Path], lists: object) -> str:
    """A hash of what the model is learned from: the intent files' bytes, the config lists, and
    the feature version. Any change trains a new model."""
    settings = (f"v{VERSION} bits{BITS} c{C_REG} it{MAX_ITER},{PGTOL} "
                f"s{SAMPLES_MIN},{SAMPLES_PER_EDGE},{SAMPLES_MAX}")
    h = hashlib.sha256(settings.encode())
    for path in files:
        h.update(str(path).encode("utf-8", "replace") + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"(unreadable)")
        h.update(b"\0")
    h.update(json.dumps(lists, sort_keys=True, default=str).encode("utf-8"))
    return h.hexdigest()[:32]


_MEMORY: dict[str, LearnedModel] = {}      # one process loading the same intents twice trains once


def obtain(sampler: Sampler, key: str, cache_dir: Path | None) -> tuple[LearnedModel | None, str]:
    """The model for `key`: from memory, from the cache dir, or trained (and cached). Also says
    which ("memory", "cache", "trained", or "none" when there is nothing to learn) for start-up
    figures. A damaged cache file is logged once and replaced."""
    got = _MEMORY.get(key)
    if got is not None:
        return got, "memory"
    folder = cache_dir / "nlu-learned" if cache_dir is not None else None
    if folder is not None:
        try:
            cached = LearnedModel.read(folder, key)
        except ValueError as exc:
            log.warning("learned-model cache %s is damaged (%s): training again", folder / key, exc)
            cached = None
        if cached is not None:
            _MEMORY[key] = cached
            return cached, "cache"
    t = time.perf_counter()
    try:
        model = train(sampler)
    except Untrainable as exc:
        log.info("no learned stage: %s", exc)
        return None, "none"
    log.info("learned stage trained in %.2f s (%d classes)", time.perf_counter() - t,
             len(model.classes))
    # training's sparse matrices and optimiser buffers are freed but glibc keeps the pages: give
    # them back, or they add to the recogniser's peak for as long as the process runs
    gc.collect()
    heap.trim()
    if folder is not None:
        try:
            model.save(folder, key)
            _prune(folder, keep=key)
        except NoRoom as exc:
            log.info("learned model not cached in %s: %s", folder, exc)
        except OSError as exc:
            log.warning("could not cache the learned model in %s: %s", folder, exc)
    _MEMORY[key] = model
    return model, "trained"


def _prune(folder: Path, keep: str, limit: int = 4) -> None:
    """Keep the newest few cached models: every edit of an intent file leaves one behind."""
    models = sorted(folder.glob("*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in models[limit:]:
        if old.stem != keep:
            old.unlink(missing_ok=True)
            old.with_suffix(".json").unlink(missing_ok=True)
