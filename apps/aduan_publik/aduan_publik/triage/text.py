"""Normalising Indonesian as residents write it: slang, abbreviations, repeated letters, local words."""

from __future__ import annotations

import re
import unicodedata

# Chat abbreviations and Pontianak Malay words mapped to standard Indonesian, so "gk ada", "tdk ade"
# and "tidak ada" become the same features. Typos are left to the character n-grams.
SLANG = {
    "gk": "tidak", "ga": "tidak", "gak": "tidak", "nggak": "tidak", "ngga": "tidak", "tdk": "tidak",
    "tak": "tidak", "ndak": "tidak", "g": "tidak", "enggak": "tidak", "kagak": "tidak",
    "yg": "yang", "tlg": "tolong", "tolonk": "tolong", "udh": "sudah", "udah": "sudah", "sdh": "sudah",
    "dah": "sudah", "blm": "belum", "belom": "belum", "bgt": "banget", "bngt": "banget",
    "dgn": "dengan", "dg": "dengan", "krn": "karena", "karna": "karena", "utk": "untuk", "tuk": "untuk",
    "jln": "jalan", "jl": "jalan", "jalanan": "jalan", "kel": "kelurahan", "kec": "kecamatan",
    "sy": "saya", "aku": "saya", "kamek": "saya", "kami": "saya", "gw": "saya", "gue": "saya",
    "pak": "bapak", "bpk": "bapak", "bu": "ibu", "min": "admin", "mimin": "admin",
    "ade": "ada", "nak": "mau", "mo": "mau", "pengen": "mau", "ingin": "mau",
    "macam mane": "bagaimana", "gimana": "bagaimana", "gmn": "bagaimana", "bgmn": "bagaimana",
    "knp": "kenapa", "napa": "kenapa", "ape": "apa", "sape": "siapa", "mane": "mana",
    "lg": "lagi", "lgi": "lagi", "jg": "juga", "aja": "saja", "aje": "saja", "sj": "saja",
    "trs": "terus", "trus": "terus", "bbrp": "beberapa", "hr": "hari", "mgg": "minggu", "bln": "bulan",
    "org": "orang", "tp": "tapi", "tpi": "tapi", "kalo": "kalau", "klo": "kalau", "kl": "kalau",
    "dr": "dari", "dri": "dari", "sm": "sama", "ama": "sama", "bs": "bisa", "bsa": "bisa",
    "msh": "masih", "masi": "masih", "skrg": "sekarang", "skg": "sekarang", "bnyk": "banyak",
    "byk": "banyak", "dpn": "depan", "blkg": "belakang", "dkt": "dekat", "sblh": "sebelah",
    "rt": "rt", "rw": "rw", "pdam": "pdam", "pju": "lampu jalan", "lpj": "lampu jalan",
    "tps": "tps", "dbd": "demam berdarah", "ktp": "ktp", "kk": "kartu keluarga", "sktm": "sktm",
    "bansos": "bansos", "pkl": "pkl", "puskes": "puskesmas", "rs": "rumah sakit", "sekolahan": "sekolah",
    "ortu": "orang tua", "dlm": "dalam", "pd": "pada", "spt": "seperti", "smp": "sampai", "sampe": "sampai",
}
_PHRASES = {k: v for k, v in SLANG.items() if " " in k}
_WORDS = {k: v for k, v in SLANG.items() if " " not in k}
_TOKEN = re.compile(r"[a-z0-9]+")
_REPEAT = re.compile(r"(.)\1{2,}")  # "bangeeettt" -> "banget" (three or more of a letter become one)
_URL = re.compile(r"https?://\S+|www\.\S+")


def normalise(text: str) -> str:
    """Lower-case, ASCII-fold, expand slang; URLs become the token ``urlx`` (a spam sign)."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    text = _URL.sub(" urlx ", text)
    text = _REPEAT.sub(r"\1", text)
    for phrase, standard in _PHRASES.items():
        text = text.replace(phrase, standard)
    return " ".join(_WORDS.get(tok, tok) for tok in _TOKEN.findall(text))


def complaint_text(title: str, description: str) -> str:
    """The text a complaint is judged on: its title (when it is not just the description's start) and body."""
    title, description = (title or "").strip(), (description or "").strip()
    if not title or description.startswith(title.rstrip(".… ")):
        return description
    return f"{title}. {description}"
