"""The model on its own: the held-out split of the starter set, slang, the gazetteer, the duplicate score."""

from __future__ import annotations

import pytest

from aduan_publik.triage import duplicates, starter, store
from aduan_publik.triage.evaluate import EvalFileError, check_rows, evaluate, items
from aduan_publik.triage.gazetteer import Gazetteer, demo_areas, demo_streets
from aduan_publik.triage.text import normalise


@pytest.fixture(scope="module")
def model():
    return store.train_starter(from_db=False)


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer(demo_areas(), demo_streets())


def test_starter_set_is_large_labelled_and_split():
    rows = starter.read()
    train, test = starter.read(split="train"), starter.read(split="test")
    assert len(rows) >= 1500 and len(train) + len(test) == len(rows) and len(test) >= 300
    assert {"BUKAN_WEWENANG", "NONE"} <= {r["opd"] for r in rows}
    assert all(r["category"] is None for r in rows if r["opd"] in ("BUKAN_WEWENANG", "NONE"))
    assert sum("dup_of" in r for r in test) >= 50 and sum("not_dup_of" in r for r in test) >= 50
    assert not {r["text"] for r in test} & {r["text"] for r in train}  # no held-out line was trained on


def test_held_out_targets_of_point_7(model, gazetteer):
    scores = evaluate(model, gazetteer, starter.read(split="test"))
    assert scores.top1 >= 0.85 and scores.top3 >= 0.95
    assert scores.dup_precision is not None and scores.dup_precision >= 0.9
    assert scores.dup_recall is not None and scores.dup_recall >= 0.8


def test_slang_and_abbreviations_become_standard_words():
    assert normalise("Tlg min, lampu jln udh mati bgt gk ada yg urus!!!") == (
        "tolong admin lampu jalan sudah mati banget tidak ada yang urus")
    assert normalise("bangeeettt https://x.example/promo") == "banget urlx"


@pytest.mark.parametrize(("text", "opd"), [
    ("min lampu jln di gajah mada mati udh seminggu gk ada yg urus", "DISHUB"),
    ("sampah numpuk di tps dekat pasar gk diangkut2, bau bgt", "DLH"),
    ("listrik padam terus dari pagi, pln gimana ni", "BUKAN_WEWENANG"),
    ("slot gacor maxwin daftar sekarang", "NONE"),
])
def test_suggests_the_responsible_opd(model, text, opd):
    prediction = model.predict(text)
    assert prediction.opds[0][0] == opd
    assert abs(sum(p for _, p in model.predict(text, top=100).opds) - 1.0) < 1e-6
    if opd not in ("BUKAN_WEWENANG", "NONE"):
        assert prediction.terms  # a reason: the words that decided it


def test_gazetteer_finds_streets_kelurahan_typos_and_ignores_common_words(gazetteer):
    place = gazetteer.find("lampu mati di jln Gajah Mada dekat kel. Siatan Hulu")  # a typo in the kelurahan
    assert place.street == "gajah mada" and place.kelurahan == "KEL-SIANTAN-HULU"
    assert place.kecamatan == "KEC-PTK-UTARA"  # the kelurahan's kecamatan wins over the street's
    assert gazetteer.find("parit tersumbat di tengah jalan").kelurahan is None
    assert gazetteer.find("parit tersumbat di kelurahan tengah").kelurahan == "KEL-TENGAH"
    assert not gazetteer.find("air mati dari kemarin").known


def test_duplicate_score_needs_text_place_and_topic(model, gazetteer):
    def item(text, lat=None, lon=None):
        found = items(model, gazetteer, [text], model.predict_many([text]))[0]
        return duplicates.Item(vector=found.vector, place=found.place, topics=found.topics, opds=found.opds,
                               lat=lat, lon=lon)

    a = item("sampah menumpuk di tps jalan gajah mada sudah seminggu tidak diangkut")
    same = item("min tumpukan sampah di jln gajah mada bau busuk bnyk lalat")
    elsewhere = item("sampah menumpuk di tps jalan khatulistiwa sudah seminggu tidak diangkut")
    other_issue = item("lampu jalan di jalan gajah mada mati sudah seminggu")
    assert duplicates.score(a, same) >= duplicates.THRESHOLD
    assert duplicates.score(a, elsewhere) < duplicates.THRESHOLD
    assert duplicates.score(a, other_issue) < duplicates.THRESHOLD
    near = item("sampah menumpuk", -0.0300, 109.3000)
    assert duplicates.place_match(near, item("sampah", -0.0301, 109.3001)) == 1.0  # about 15 m apart
    assert duplicates.place_match(near, item("sampah", -0.0600, 109.3600)) == 0.0


def test_bad_evaluation_lines_are_named():
    with pytest.raises(EvalFileError, match="line 2"):
        check_rows([{"text": "a", "opd": "DLH"}, {"text": "b"}])
    with pytest.raises(EvalFileError, match="line 1: 'dup_of'"):
        check_rows([{"text": "a", "opd": "DLH", "dup_of": 0}])
