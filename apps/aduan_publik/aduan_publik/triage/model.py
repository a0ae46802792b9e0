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
    return SGDClassifier(loss="log_loss", alpha=2e-5, max_iter=50, tol=1e-4, random_state=seed,
                         class_weight=None, average=False)


class TriageModel:
    """Fit with :meth:`fit`; ask with :meth:`predict`; :meth:`vectors` gives unit vectors for similarity."""

    def __init__(self) -> None:
        self.word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=60000, sublinear_tf=True,
                                    dtype=np.float32)
        self.char = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), n_features=CHAR_FEATURES,
                                      alternate_sign=False, norm=None, dtype=np.float32)
        self.char_idf = TfidfTransformer(sublinear_tf=True)
        self.opd_clf = _classifier(1)
        self.cat_clf = _classifier(2)
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
        self.opd_clf.fit(X, list(opds))
        rows = [i for i, c in enumerate(categories) if c]
        if rows:
            self.cat_clf.fit(X[rows], [categories[i] for i in rows])
        for clf in (self.opd_clf, self.cat_clf):  # half the memory, same ranking
            if hasattr(clf, "coef_"):
                clf.coef_ = clf.coef_.astype(np.float32)
        self.info.update(n_train=len(texts), n_opds=len(self.opd_clf.classes_),
                         n_categories=len(getattr(self.cat_clf, "classes_", [])))
        return self

    # -- asking -----------------------------------------------------------------------------------
    def predict(self, text: str, *, top: int = 5) -> Prediction:
        return self.predict_many([text], top=top)[0]

    def predict_many(self, texts: Sequence[str], *, top: int = 5) -> list[Prediction]:
        words, chars = self._parts(texts)
        X = self._join(words, chars)
        opd_p = self.opd_clf.predict_proba(X)
        cat_p = self.cat_clf.predict_proba(X) if hasattr(self.cat_clf, "coef_") else None
        out = []
        for i in range(len(texts)):
            opds = _ranked(self.opd_clf.classes_, opd_p[i], top)
            cats = _ranked(self.cat_clf.classes_, cat_p[i], 3) if cat_p is not None else []
            out.append(Prediction(opds=opds, categories=cats, terms=self._terms(words[i], opds[0][0])))
        return out

    def _terms(self, row: Any, label: str, n: int = 4) -> list[str]:
        """The words of this text that pushed hardest towards ``label`` (the reason shown to the admin)."""
        k = int(np.searchsorted(self.opd_clf.classes_, label))
        weights = self.opd_clf.coef_[k, : row.shape[1]]
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
        total = sum(getattr(c, "coef_", np.zeros(0)).nbytes for c in (self.opd_clf, self.cat_clf))
        total += self.char_idf.idf_.nbytes + self.word.idf_.nbytes
        total += sum(len(k) + 80 for k in self.word.vocabulary_)  # dict entry and short str objects
        return int(total)


def _ranked(classes: Any, probs: Any, top: int) -> list[tuple[str, float]]:
    order = np.argsort(-probs)[:top]
    return [(str(classes[j]), float(probs[j])) for j in order]
