"""A small statistical danger model next to the danger screen's cue lists. No Rasa.

The cue lists (bot/lse/danger_screen.py) are precise but miss phrasings nobody listed;
tried on sets written by people who never saw them, they found about half of the danger.
This model learns from the training data instead: three classes (no danger, suicide, harm
to others) by logistic regression on character and word n-grams of the normalised text,
with balanced class weights (recall first). The screen asks it only when no cue was found
and no benign reading was recognised; `threshold` on the probability of danger decides.
Measured on the development sets in docs/nlu.md.
"""
from __future__ import annotations

import math
import pickle
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from bot.lse.danger_screen import HARM_OTHERS, SUICIDE, normalise

NONE = "none"
CLASSES = (NONE, SUICIDE, HARM_OTHERS)
# Intents of the training data and the class each one teaches.
CLASS_OF_INTENT = {"danger_suicide": SUICIDE, "danger_acute": HARM_OTHERS}


NEGATIVES_KEY = "danger_screen_negatives"


def read_negatives(path: str | Path | None) -> list[str]:
    """The messages without danger of a negatives file (bot/data/danger_screen/): a YAML
    mapping with a list of texts under `danger_screen_negatives`."""
    if not path:
        return []
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    texts = data.get(NEGATIVES_KEY) if isinstance(data, dict) else None
    if not isinstance(texts, list) or not all(isinstance(text, str) for text in texts):
        raise ValueError(f"{path}: expected a list of texts under {NEGATIVES_KEY}")
    return texts


@dataclass(frozen=True)
class ModelVerdict:
    p_danger: float
    kind: str  # SUICIDE or HARM_OTHERS: the more likely of the two


def _pipeline(seed: int, c: float) -> Pipeline:
    features = FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2,
                                  sublinear_tf=True)),
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)),
    ])
    classifier = LogisticRegression(C=c, class_weight="balanced", max_iter=2000,
                                    random_state=seed)
    return Pipeline([("features", features), ("classifier", classifier)])


_WORD_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token_pattern


class _FastScorer:
    """The fitted pipeline's arithmetic with plain dicts: scikit-learn spends about 2 ms per
    call on building sparse matrices for one short message; this takes a fraction of that
    and gives the same probabilities (tests/unit/test_danger_model.py compares them)."""

    def __init__(self, pipeline: Pipeline) -> None:
        chars, words = (vectorizer for _, vectorizer in pipeline.named_steps["features"].transformer_list)
        classifier = pipeline.named_steps["classifier"]
        self.classes = list(classifier.classes_)
        offset = len(chars.vocabulary_)
        coef = classifier.coef_
        self.intercept = list(classifier.intercept_)
        self.binary = coef.shape[0] == 1
        self.chars = self._table(chars, coef, 0)
        self.words = self._table(words, coef, offset)
        self.char_range = chars.ngram_range
        self.word_range = words.ngram_range

    @staticmethod
    def _table(vectorizer: Any, coef: Any, offset: int) -> dict[str, tuple[float, tuple[float, ...]]]:
        """term -> (idf, the coefficients of each class times idf)."""
        idf = vectorizer.idf_
        table = {}
        for term, index in vectorizer.vocabulary_.items():
            weight = float(idf[index])
            table[term] = (weight, tuple(float(row[offset + index]) * weight for row in coef))
        return table

    def _char_ngrams(self, text: str) -> list[str]:
        low, high = self.char_range
        grams: list[str] = []
        for word in text.split():
            padded = " " + word + " "
            for n in range(low, high + 1):
                grams.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
        return grams

    def _word_ngrams(self, text: str) -> list[str]:
        tokens = _WORD_TOKEN.findall(text)
        low, high = self.word_range
        grams: list[str] = []
        for n in range(low, high + 1):
            grams.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
        return grams

    @staticmethod
    def _add(scores: list[float], grams: list[str],
             table: dict[str, tuple[float, tuple[float, ...]]]) -> None:
        found = [(table[gram], 1.0 + math.log(count)) for gram, count in Counter(grams).items()
                 if gram in table]
        if not found:
            return
        norm = math.sqrt(sum((entry[0] * tf) ** 2 for entry, tf in found))
        for k in range(len(scores)):
            scores[k] += sum(entry[1][k] * tf for entry, tf in found) / norm

    def probabilities(self, text: str) -> dict[str, float]:
        scores = list(self.intercept)
        self._add(scores, self._char_ngrams(text), self.chars)
        self._add(scores, self._word_ngrams(text), self.words)
        if self.binary:
            p = 1.0 / (1.0 + math.exp(-scores[0]))
            return {self.classes[0]: 1.0 - p, self.classes[1]: p}
        top = max(scores)
        exps = [math.exp(score - top) for score in scores]
        total = sum(exps)
        return {name: value / total for name, value in zip(self.classes, exps, strict=True)}


class DangerModel:
    def __init__(self, pipeline: Pipeline | None = None) -> None:
        self.pipeline = pipeline
        self._scorer = _FastScorer(pipeline) if pipeline is not None else None

    @classmethod
    def fit(cls, examples: Iterable[tuple[str, str | None]], seed: int = 2026,
            c: float = 4.0) -> DangerModel:
        """`examples`: (text, intent) pairs of the training data."""
        texts: list[str] = []
        labels: list[str] = []
        for text, intent in examples:
            texts.append(normalise(text))
            labels.append(CLASS_OF_INTENT.get(intent or "", NONE))
        if len(set(labels)) < 2:
            return cls(None)
        return cls(_pipeline(seed, c).fit(texts, labels))

    def predict(self, text: str) -> ModelVerdict | None:
        if self._scorer is None:
            return None
        p = self._scorer.probabilities(normalise(text))
        suicide, harm = p.get(SUICIDE, 0.0), p.get(HARM_OTHERS, 0.0)
        return ModelVerdict(p_danger=1.0 - p.get(NONE, 0.0),
                            kind=SUICIDE if suicide >= harm else HARM_OTHERS)

    def predict_many(self, texts: Sequence[str]) -> list[ModelVerdict | None]:
        """With scikit-learn itself (for tests and batch evaluation)."""
        if self.pipeline is None:
            return [None for _ in texts]
        classes = list(self.pipeline.classes_)
        rows = self.pipeline.predict_proba([normalise(text) for text in texts])
        verdicts: list[ModelVerdict | None] = []
        for row in rows:
            p = {name: float(row[classes.index(name)]) if name in classes else 0.0
                 for name in CLASSES}
            kind = SUICIDE if p[SUICIDE] >= p[HARM_OTHERS] else HARM_OTHERS
            verdicts.append(ModelVerdict(p_danger=1.0 - p[NONE], kind=kind))
        return verdicts

    def dumps(self) -> bytes:
        return pickle.dumps(self.pipeline)

    @classmethod
    def loads(cls, data: bytes) -> DangerModel:
        return cls(pickle.loads(data))  # noqa: S301 - our own model file, written at training
