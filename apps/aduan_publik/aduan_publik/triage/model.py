"""The triage model: word and character n-gram features, two linear classifiers (OPD, category).

Why this shape: complaints are short, misspelt and mixed-language, so character n-grams (hashed,
no vocabulary to hold in memory) carry typos and slang, and word n-grams (a vocabulary) give the
human-readable reasons. Logistic loss trained by SGD keeps training on 100,000 complaints within
a minute or two on one CPU core and a suggestion under a millisecond or so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.preprocessing import normalize

from .text import normalise

CHAR_FEATURES = 2**17


@dataclass
class Prediction:
    """Ranked labels with probabilities (highest first) and the words that weighed most for the first."""

    opds: list[tuple[str, float]]
    categories: list[tuple[str, float]]
    terms: list[str] = field(default_factory=list)


def _classifier(seed: int) -> SGDClassifier:
    return SGDClassifier(loss="log_loss", alpha=2e-5, max_iter=20, tol=1e-3, random_state=seed,
                         class_weight=None, average=False)


@dataclass
class Head:
    """A trained linear classifier kept as plain arrays, laid out for one-row predictions.

    ``weights`` is (features x classes), C-ordered: a sparse row times it reads only the rows of
    the features present (scikit-learn's own ``coef_.T`` would be copied whole at every call).
    """

    classes: Any
    weights: Any
    intercept: Any

    @classmethod
    def of(cls, clf: SGDClassifier) -> Head:
        return cls(classes=clf.classes_, weights=np.ascontiguousarray(clf.coef_.T, dtype=np.float32),
                   intercept=clf.intercept_.astype(np.float32))

    def proba(self, X: Any) -> Any:
        """One-vs-rest logistic probabilities, normalised per row (what ``predict_proba`` computes)."""
        scores = np.asarray(X @ self.weights) + self.intercept
        if len(self.classes) == 2:  # a binary head has one column: the second class's score
            p1 = 1 / (1 + np.exp(-scores[:, 0]))
            return np.column_stack([1 - p1, p1])
        p = 1 / (1 + np.exp(-np.clip(scores, -30, 30)))
        return p / p.sum(axis=1, keepdims=True)


class TriageModel:
    """Fit with :meth:`fit`; ask with :meth:`predict`; :meth:`vectors` gives unit vectors for similarity."""

    def __init__(self) -> None:
        self.word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=60000, sublinear_tf=True,
                                    dtype=np.float32)
        self.char = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), n_features=CHAR_FEATURES,
                                      alternate_sign=False, norm=None, dtype=np.float32)
        self.char_idf = TfidfTransformer(sublinear_tf=True)
        self.heads: dict[str, Head] = {}
        self.info: dict[str, Any] = {}

    # -- features ---------------------------------------------------------------------------------
    def _parts(self, texts: Sequence[str], *, fit: bool = False) -> tuple[Any, Any]:
        norm = [normalise(t) for t in texts]
        if fit:
            words = self.word.fit_transform(norm)
            chars = self.char_idf.fit_transform(self.char.transform(norm))
        else:
            words = self.word.transform(norm)
            chars = self.char_idf.transform(self.char.transform(norm))
        return words, chars

    @staticmethod
    def _join(words: Any, chars: Any) -> Any:
        return sparse.hstack([words, chars], format="csr", dtype=np.float32)

    def vectors(self, texts: Sequence[str]) -> Any:
        """Unit-length rows: the dot product of two rows is their text similarity (0 to 1)."""
        words, chars = self._parts(texts)
        return normalize(self._join(words, chars))

    # -- training ---------------------------------------------------------------------------------
    def fit(self, texts: Sequence[str], opds: Sequence[str], categories: Sequence[str | None]) -> TriageModel:
        """Train both classifiers; rows without a category train only the OPD classifier."""
        words, chars = self._parts(texts, fit=True)
        X = self._join(words, chars)
        self.heads = {"opd": Head.of(_classifier(1).fit(X, list(opds)))}
        rows = [i for i, c in enumerate(categories) if c]
        if rows:
            self.heads["category"] = Head.of(_classifier(2).fit(X[rows], [categories[i] for i in rows]))
        self._feature_names = None
        self.info.update(n_train=len(texts), n_opds=len(self.heads["opd"].classes),
                         n_categories=len(self.heads["category"].classes) if rows else 0)
        return self

    # -- asking -----------------------------------------------------------------------------------
    def predict(self, text: str, *, top: int = 5) -> Prediction:
        return self.predict_many([text], top=top)[0]

    def predict_many(self, texts: Sequence[str], *, top: int = 5) -> list[Prediction]:
        words, chars = self._parts(texts)
        X = self._join(words, chars)
        opd = self.heads["opd"]
        opd_p = opd.proba(X)
        cat = self.heads.get("category")
        cat_p = cat.proba(X) if cat is not None else None
        out = []
        for i in range(len(texts)):
            opds = _ranked(opd.classes, opd_p[i], top)
            cats = _ranked(cat.classes, cat_p[i], 3) if cat is not None and cat_p is not None else []
            out.append(Prediction(opds=opds, categories=cats, terms=self._terms(words[i], opds[0][0])))
        return out

    def _terms(self, row: Any, label: str, n: int = 4) -> list[str]:
        """The words of this text that pushed hardest towards ``label`` (the reason shown to the admin)."""
        head = self.heads["opd"]
        k = int(np.searchsorted(head.classes, label))
        weights = head.weights[: row.shape[1], k]
        idx, vals = row.indices, row.data * weights[row.indices]
        names = self._names()
        order = [j for j in np.argsort(-vals) if vals[j] > 0][: n * 2]
        terms: list[str] = []
        for j in order:
            term = str(names[idx[j]])
            if not any(term in t or t in term for t in terms):
                terms.append(term)
        return terms[:n]

    def _names(self) -> Any:
        if getattr(self, "_feature_names", None) is None:
            self._feature_names = self.word.get_feature_names_out()
        return self._feature_names

    def memory_bytes(self) -> int:
        """Roughly what the model holds in memory: coefficient matrices, idf weights and vocabulary."""
        total = sum(h.weights.nbytes for h in self.heads.values())
        total += self.char_idf.idf_.nbytes + self.word.idf_.nbytes
        total += sum(len(k) + 80 for k in self.word.vocabulary_)  # dict entry and short str objects
        return int(total)


def _ranked(classes: Any, probs: Any, top: int) -> list[tuple[str, float]]:
    order = np.argsort(-probs)[:top]
    return [(str(classes[j]), float(probs[j])) for j in order]
