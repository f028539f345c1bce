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

import pickle
from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence, Tuple

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from bot.lse.danger_screen import HARM_OTHERS, SUICIDE, normalise

NONE = "none"
CLASSES = (NONE, SUICIDE, HARM_OTHERS)
# Intents of the training data and the class each one teaches.
CLASS_OF_INTENT = {"danger_suicide": SUICIDE, "danger_acute": HARM_OTHERS}


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


class DangerModel:
    def __init__(self, pipeline: Optional[Pipeline] = None) -> None:
        self.pipeline = pipeline

    @classmethod
    def fit(cls, examples: Iterable[Tuple[str, Optional[str]]], seed: int = 2026,
            c: float = 4.0) -> "DangerModel":
        """`examples`: (text, intent) pairs of the training data."""
        texts: List[str] = []
        labels: List[str] = []
        for text, intent in examples:
            texts.append(normalise(text))
            labels.append(CLASS_OF_INTENT.get(intent or "", NONE))
        if len(set(labels)) < 2:
            return cls(None)
        return cls(_pipeline(seed, c).fit(texts, labels))

    def predict(self, text: str) -> Optional[ModelVerdict]:
        if self.pipeline is None:
            return None
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str]) -> List[Optional[ModelVerdict]]:
        if self.pipeline is None:
            return [None for _ in texts]
        classes = list(self.pipeline.classes_)
        rows = self.pipeline.predict_proba([normalise(text) for text in texts])
        verdicts: List[Optional[ModelVerdict]] = []
        for row in rows:
            p = {name: float(row[classes.index(name)]) if name in classes else 0.0
                 for name in CLASSES}
            kind = SUICIDE if p[SUICIDE] >= p[HARM_OTHERS] else HARM_OTHERS
            verdicts.append(ModelVerdict(p_danger=1.0 - p[NONE], kind=kind))
        return verdicts

    def dumps(self) -> bytes:
        return pickle.dumps(self.pipeline)

    @classmethod
    def loads(cls, data: bytes) -> "DangerModel":
        return cls(pickle.loads(data))  # noqa: S301 - our own model file, written at training
