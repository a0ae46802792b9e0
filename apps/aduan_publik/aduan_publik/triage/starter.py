"""The starter data set: complaints for the demo city's taxonomy in the ways residents write them.

``python -m aduan_publik.triage.starter`` rewrites ``data/starter.jsonl.gz`` (seeded, so the file
is reproducible). Each line is ``{"text", "opd", "category", "split"}``; lines of the held-out split
(``split: "test"``) may carry ``dup_of`` / ``not_dup_of`` (an index into the held-out lines), the
format ``triage-eval`` reads. A city replaces it with its own verified history (docs/triage.md).

The phrases were written for this project from the kinds of reports Indonesian cities publish;
styles mix formal letters, chat abbreviations, Pontianak Malay, Indonesian/English and typos.
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..demo.city import AREAS, CATEGORIES, OPDS
from . import NOT_A_COMPLAINT, NOT_AUTHORITY

DATA_FILE = Path(__file__).resolve().parent / "data" / "starter.jsonl.gz"

# category code -> complaint cores; "{p}" is where the place goes.
ISSUES: dict[str, list[str]] = {
    "jalan-rusak": [
        "jalan berlubang besar di {p} sudah banyak motor jatuh",
        "jln rusak parah di {p}, aspal ngelupas dan lubang dimana mana",
        "aspal di {p} hancur, kalau hujan lubangnya jadi kolam",
        "jalan di {p} rusak berat belum diperbaiki padahal sudah lapor",
        "jalan kat {p} berlobang besar, bahaya bagi pengendara",
        "road damaged at {p}, lots of potholes, very dangerous",
        "tambalan jalan di {p} sudah rusak lagi, batu koral berserakan",
        "semenisasi gang di {p} retak dan amblas",
    ],
    "drainase": [
        "parit di {p} tersumbat sampah, air meluap ke rumah warga",
        "drainase di {p} mampet, tiap hujan langsung tergenang",
        "parit depan rumah di {p} dangkal perlu dikeruk",
        "saluran air di {p} tersumbat lumpur, bau dan nyamuk banyak",
        "gorong gorong di {p} ambruk sehingga air tidak mengalir",
        "parit kat {p} penuh lumpur, air tak bisa ngalir",
        "the drain at {p} is clogged, water overflows every rain",
    ],
    "jembatan": [
        "jembatan di {p} kayunya lapuk dan berlubang",
        "gertak di {p} sudah rapuh, anak sekolah takut lewat",
        "jembatan kecil di {p} miring dan pagar pembatasnya patah",
        "papan gertak di {p} banyak yang patah, bahaya malam hari",
        "jembatan penghubung di {p} retak, mohon dicek kekuatannya",
    ],
    "lampu-jalan": [
        "lampu jalan di {p} mati sudah seminggu, gelap gulita",
        "pju di {p} padam semua, rawan begal malam hari",
        "lampu penerangan jalan di {p} kedap kedip dan sering mati",
        "lampu jalan kat {p} dah lame mati, gelap nian",
        "street light at {p} not working, very dark at night",
        "tiang lampu jalan di {p} miring hampir roboh dan lampunya mati",
    ],
    "parkir": [
        "parkir liar di {p} bikin macet, jukir minta bayaran lebih",
        "juru parkir di {p} tidak pakai karcis dan minta lima ribu",
        "kendaraan parkir di bahu jalan {p} sampai menutup jalan",
        "tukang parkir liar di minimarket {p} padahal ada tulisan gratis parkir",
        "jukir di {p} kasar dan memaksa bayar parkir",
    ],
    "lalu-lintas": [
        "lampu merah di simpang {p} mati, lalu lintas semrawut",
        "traffic light di {p} rusak, hampir tabrakan tadi pagi",
        "rambu lalu lintas di {p} roboh dan hilang",
        "marka jalan di {p} sudah pudar, perlu dicat ulang",
        "lampu lalu lintas di {p} durasi hijaunya terlalu pendek, macet panjang",
        "perlu polisi tidur atau rambu di {p}, kendaraan ngebut terus",
    ],
    "puskesmas": [
        "pelayanan puskesmas di {p} lambat, antri dari pagi belum dipanggil",
        "petugas puskesmas {p} judes dan tidak ramah ke pasien",
        "obat di puskesmas {p} sering kosong, disuruh beli di apotek",
        "puskesmas di {p} tutup sebelum jam pelayanan selesai",
        "dokter puskesmas {p} tidak ada di tempat saat jam praktek",
        "bidan di puskesmas {p} minta biaya padahal pakai bpjs",
    ],
    "demam-berdarah": [
        "banyak warga di {p} kena demam berdarah, mohon fogging",
        "sudah tiga anak dbd di {p}, minta pengasapan segera",
        "nyamuk banyak sekali di {p}, takut dbd, kapan fogging",
        "tetangga di {p} dirawat karena demam berdarah, tolong fogging dan abate",
        "many dengue cases around {p}, please do fogging",
    ],
    "rumah-sakit": [
        "pelayanan igd rsud lambat, pasien dibiarkan menunggu berjam jam",
        "di rumah sakit daerah pasien bpjs ditolak dengan alasan kamar penuh",
        "perawat rsud tidak ramah dan membentak keluarga pasien",
        "antrian poli di rsud sangat panjang, sistem online tidak jalan",
        "toilet ruang rawat inap rsud kotor dan air tidak mengalir",
        "rsud sultan syarif mohamad alkadrie minta uang muka untuk pasien darurat",
    ],
    "ppdb": [
        "ppdb sistem zonasi tidak adil, rumah dekat sekolah tapi anak tidak diterima",
        "website ppdb error terus tidak bisa daftar sejak pagi",
        "anak saya tidak lolos ppdb smp negeri padahal jarak rumah dekat",
        "ada dugaan titipan di ppdb sd negeri dekat {p}",
        "pendaftaran peserta didik baru jalur afirmasi membingungkan, tidak ada info",
    ],
    "pungutan-sekolah": [
        "sekolah negeri di {p} memungut uang seragam dan buku mahal",
        "sekolah minta sumbangan pembangunan wajib padahal sekolah negeri",
        "ada pungutan uang perpisahan di sd negeri {p} jutaan rupiah",
        "guru menjual lks wajib beli di sekolah di {p}",
        "uang komite sekolah di smp negeri {p} memberatkan orang tua",
    ],
    "ktp-el": [
        "ktp elektronik saya belum jadi sudah tiga bulan, katanya blanko habis",
        "rekam ktp el di disdukcapil antri panjang dan sistem offline",
        "e-ktp rusak mau cetak ulang disuruh bolak balik",
        "ktp saya salah nama, urus perbaikan lama sekali",
        "blanko ktp kosong terus, sudah lama nunggu print ktp",
        "my id card ktp still not printed after months",
    ],
    "kartu-keluarga": [
        "urus kartu keluarga baru lama sekali tidak selesai selesai",
        "akta kelahiran anak saya belum terbit sudah dua bulan",
        "pecah kk di disdukcapil disuruh lengkapi berkas berulang kali",
        "akta kematian orang tua belum keluar padahal berkas lengkap",
        "perubahan data kartu keluarga online tidak bisa, server error",
    ],
    "sampah": [
        "sampah menumpuk di tps {p} sudah seminggu tidak diangkut",
        "tumpukan sampah di {p} bau busuk dan banyak lalat",
        "truk sampah tidak lewat di {p} sudah beberapa hari",
        "orang buang sampah sembarangan di pinggir jalan {p}",
        "sampah kat {p} dah menggunung, bau nian",
        "garbage piling up at {p}, not collected for a week",
        "tps liar di {p} meluber sampai ke badan jalan",
    ],
    "pencemaran": [
        "pabrik di {p} buang limbah ke sungai, airnya hitam dan bau",
        "asap pembakaran sampah di {p} bikin sesak napas",
        "bau busuk dari usaha peternakan di {p} mengganggu warga",
        "limbah cair dari rumah makan di {p} dibuang ke parit",
        "usaha cucian di {p} buang limbah sabun ke saluran warga",
    ],
    "pohon": [
        "pohon besar di {p} miring hampir tumbang, mohon ditebang",
        "dahan pohon di {p} patah menimpa kabel, bahaya",
        "taman kota di {p} tidak terawat, rumput tinggi dan kotor",
        "pohon di pinggir jalan {p} rantingnya menutup lampu jalan perlu dipangkas",
        "pohon tumbang di {p} menutup jalan sejak tadi malam",
    ],
    "bansos": [
        "saya keluarga miskin di {p} tapi tidak pernah dapat bansos",
        "bantuan sosial salah sasaran di {p}, orang mampu malah dapat",
        "nama saya hilang dari dtks padahal masih tidak mampu",
        "bansos pkh di {p} dipotong oleh oknum pendamping",
        "cara daftar dtks bagaimana, ibu saya lansia tidak punya penghasilan",
        "bantuan beras untuk warga {p} tidak dibagikan merata",
    ],
    "terlantar": [
        "ada odgj berkeliaran di {p} dan mengganggu warga",
        "banyak pengemis dan anak jalanan di lampu merah {p}",
        "gelandangan tidur di emperan toko {p}, kasihan perlu dibantu",
        "orang dengan gangguan jiwa di {p} mengamuk, mohon ditangani",
        "manusia gerobak di {p} membawa anak kecil meminta minta",
    ],
    "pkl": [
        "pedagang kaki lima di {p} berjualan di trotoar, pejalan kaki susah lewat",
        "pkl di {p} menutup badan jalan sampai macet",
        "lapak pkl liar di {p} bikin kumuh dan sampah berserakan",
        "pedagang kat {p} jualan sampai ke jalan, macet tiap sore",
        "street vendors at {p} block the sidewalk",
    ],
    "kebisingan": [
        "suara musik keras dari kafe di {p} sampai tengah malam",
        "acara pesta di {p} pakai sound system keras sampai jam dua pagi",
        "bengkel di {p} bising sekali dari pagi sampai malam",
        "balapan liar di {p} tiap malam minggu, knalpot brong bising",
        "tempat karaoke di {p} berisik dan buka melewati jam izin",
    ],
    "banjir": [
        "banjir di {p} setinggi lutut, air pasang masuk rumah",
        "air pasang di {p} merendam rumah warga, butuh bantuan",
        "rumah warga di {p} terendam banjir sejak semalam",
        "banjir rob di {p} makin parah, warga mengungsi",
        "flood at {p}, water entering houses",
    ],
    "karhutla": [
        "ada kebakaran lahan di {p}, asap tebal masuk rumah",
        "lahan gambut terbakar di dekat {p}, api belum padam",
        "kabut asap dari kebakaran lahan di {p} bikin anak batuk",
        "orang bakar lahan di {p} api membesar tolong segera",
    ],
    "air-mati": [
        "air pdam di {p} mati sudah tiga hari",
        "air pdam keruh dan bau di {p}, tidak bisa dipakai",
        "air ledeng di {p} kecil sekali alirannya, hanya malam ngalir",
        "air pdam kat {p} tak ngalir dari kemarin",
        "tagihan pdam naik drastis padahal air sering mati di {p}",
        "no water from pdam at {p} for days",
    ],
    "pipa-bocor": [
        "pipa pdam bocor di {p}, air terbuang percuma",
        "pipa air bersih pecah di {p} sampai jalan tergenang",
        "kebocoran pipa pdam di {p} sudah seminggu belum ditambal",
        "meteran air bocor di depan rumah {p}",
    ],
    "rtlh": [
        "rumah warga di {p} tidak layak huni, atap bocor dan dinding lapuk",
        "mohon bantuan bedah rumah untuk lansia di {p}",
        "program rumah tidak layak huni di {p} tidak tepat sasaran",
        "rumah nenek di {p} hampir roboh, minta bantuan rtlh",
    ],
    "pelayanan-kelurahan": [
        "pelayanan di kantor kelurahan {p} lambat, petugas sering tidak ada",
        "urus surat pengantar di kantor lurah {p} dipersulit",
        "kantor kelurahan {p} tutup di jam kerja",
        "pegawai kelurahan {p} main hp waktu melayani warga",
        "surat keterangan domisili di kelurahan {p} lama keluarnya",
    ],
    "pungli": [
        "oknum petugas minta uang pelicin untuk urus surat di {p}",
        "ada pungli saat urus izin, diminta bayar di luar tarif resmi",
        "petugas kelurahan {p} minta uang rokok untuk tanda tangan",
        "pungutan liar oleh oknum pegawai saat mengurus berkas",
        "saya dimintai uang oleh petugas agar berkas cepat diproses",
    ],
    "izin-usaha": [
        "urus izin usaha lewat oss tidak bisa, sistem error terus",
        "pengajuan pbg sudah tiga bulan belum terbit",
        "mal pelayanan publik antri lama untuk izin usaha",
        "bangunan di {p} tidak punya izin pbg tapi tetap dibangun",
        "nib saya bermasalah, petugas dpmptsp tidak memberi solusi",
    ],
    "pbb": [
        "tagihan pbb saya naik dua kali lipat tanpa penjelasan",
        "sppt pbb tidak sampai ke rumah di {p}",
        "bayar bphtb lama prosesnya di bapenda",
        "nama di sppt pbb salah, mohon dibetulkan",
        "njop tanah di {p} naik tinggi sekali, pbb memberatkan",
    ],
    "pasar": [
        "harga cabai di pasar {p} naik tinggi sekali",
        "pasar tradisional di {p} becek, kotor dan atapnya bocor",
        "timbangan pedagang di pasar {p} curang",
        "minyak goreng langka di pasar {p}",
        "los pasar di {p} dijual belikan oleh oknum",
    ],
}

NOT_AUTHORITY_CORES = [
    "listrik padam terus di {p}, pln tidak ada kabar",
    "tagihan listrik pln naik tidak wajar bulan ini",
    "kabel pln menjuntai rendah di {p}, bahaya",
    "bpjs kesehatan saya tidak aktif padahal sudah bayar",
    "klaim bpjs ketenagakerjaan saya dipersulit",
    "motor saya dicuri di {p}, polisi belum tindak lanjuti",
    "ada begal di {p} tadi malam, mohon patroli polisi",
    "jalan nasional trans kalimantan di ambawang rusak parah",
    "jalan provinsi arah kubu raya berlubang banyak",
    "sertifikat tanah saya di bpn belum selesai bertahun tahun",
    "urus sim di satlantas dipungli calo",
    "perpanjang stnk di samsat antri lama",
    "sinyal telkomsel hilang di {p} sejak kemarin",
    "indihome sering putus, teknisi tidak datang",
    "jalan di kubu raya rusak parah dekat perbatasan",
    "paket saya dari jne hilang tidak ada kabar",
]

NONE_CORES = [
    "assalamualaikum admin",
    "selamat pagi min, apa kabar",
    "tes", "test test", "halo", "p", "ok terima kasih",
    "terima kasih atas responnya min",
    "jual obat pelangsing herbal hubungi wa kami",
    "pinjaman online cepat cair tanpa jaminan klik urlx",
    "promo pulsa murah hari ini saja",
    "follow instagram kami untuk info giveaway",
    "info loker pabrik gaji besar hubungi admin",
    "slot gacor maxwin daftar sekarang",
    "selamat hari raya idul fitri mohon maaf lahir batin",
    "mantap pak wali, sukses selalu",
    "siapa nama walikota pontianak sekarang",
    "cuma mau coba aplikasinya",
    "kirim stiker",
    "wkwkwk",
]

OPENERS = ["", "", "Yth. Admin, ", "min ", "mimin ", "selamat siang, ", "assalamualaikum, ", "pak wali ",
           "lapor min, ", "kamek nak lapor, ", "hello admin, ", "tolong min ", "permisi, "]
CLOSERS = ["", "", " Mohon segera ditindaklanjuti. Terima kasih.", " tlg dong udh lama bgt",
           " please fix asap", " gk ada yg urus", " sudah lama nian", " mohon perhatiannya pak",
           " udh dilaporin blm ada tindakan", " sangat mengganggu warga", " terima kasih min",
           " already {n} days", " dah {n} hari", " sudah {n} minggu"]
PREFIXES = ["di ", "kat ", "dekat ", "depan ", "sekitar "]
GANGS = ["Gg. Mawar", "Gg. Sepakat", "Gg. Bersatu", "Gg. Amal", "Gg. Family", "Gg. Karya Baru", "Gg. Haji Mursyid"]
LANDMARKS = ["masjid raya", "pasar flamboyan", "sekolah dasar", "taman alun kapuas", "bundaran tugu",
             "kantor camat", "pasar kemuning", "simpang empat"]


def leaf_categories() -> dict[str, str]:
    """Leaf category code -> its default OPD code, from the demo city's tree."""
    leaves: dict[str, str] = {}

    def walk(nodes: list[Any]) -> None:
        for code, _name, opd, _over, children in nodes:
            if children:
                walk(children)
            else:
                leaves[code] = opd
    walk(CATEGORIES)
    return leaves


def taxonomy() -> list[tuple[str, str, str, str]]:
    """(category code, category and parent names, OPD code, OPD name) of the demo city's leaf categories."""
    opd_names = {code: name for code, name, _kind in OPDS}
    rows: list[tuple[str, str, str, str]] = []

    def walk(nodes: list[Any], parent: str) -> None:
        for code, name, opd, _over, children in nodes:
            if children:
                walk(children, name)
            else:
                rows.append((code, f"{name} {parent}", opd, opd_names[opd]))
    walk(CATEGORIES, "")
    return rows


def _place(rng: random.Random) -> str:
    area = rng.choice(list(AREAS.values()))
    pick = rng.random()
    if pick < 0.45:
        street = rng.choice(area["streets"]).replace("Jl. ", rng.choice(["Jl. ", "jln ", "jalan ", "jl "]))
        return street + (" " + rng.choice(GANGS) if rng.random() < 0.2 else "")
    if pick < 0.8:
        return rng.choice(["kelurahan ", "kel. ", "", "kel "]) + rng.choice(area["kelurahan"])
    return f"{rng.choice(area['kelurahan'])} dekat {rng.choice(LANDMARKS)}"


def _typos(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 4:
            j = rng.randrange(1, len(w) - 1)
            words[i] = w[:j] + w[j + 1:] if rng.random() < 0.5 else w[:j] + w[j + 1] + w[j] + w[j + 2:]
    return " ".join(words)


def _dress(core: str, place: str, rng: random.Random, *, with_place: bool = False) -> str:
    body = core.replace("{p}", place) if "{p}" in core else core
    if "{p}" not in core and (with_place or rng.random() < 0.3):
        body += " " + rng.choice(PREFIXES) + place
    text = rng.choice(OPENERS) + body + rng.choice(CLOSERS).replace("{n}", str(rng.randint(2, 14)))
    if rng.random() < 0.25:
        text = _typos(text, rng)
    if rng.random() < 0.3:
        text = text.lower()
    return text


def _core(rng: random.Random, cores: list[str], unseen: bool) -> str:
    """A phrase; the last one of every list is kept for the held-out split (wording never trained on)."""
    return rng.choice(cores if unseen else cores[:-1])


def _one(rng: random.Random, leaves: dict[str, str], unseen: bool = False) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.07:
        return {"text": _dress(_core(rng, NOT_AUTHORITY_CORES, unseen), _place(rng), rng), "opd": NOT_AUTHORITY,
                "category": None}
    if roll < 0.12:
        return {"text": rng.choice(OPENERS) + _core(rng, NONE_CORES, unseen), "opd": NOT_A_COMPLAINT,
                "category": None}
    code = rng.choice(list(leaves))
    text = _dress(_core(rng, ISSUES[code], unseen), _place(rng), rng)
    if rng.random() < 0.08:  # several issues in one message: the first one is the label
        other = rng.choice([c for c in leaves if leaves[c] != leaves[code]])
        text += rng.choice([". selain itu ", ". satu lagi, ", " dan juga "]) + rng.choice(ISSUES[other]).replace(
            "{p}", _place(rng))
    return {"text": text, "opd": leaves[code], "category": code}


def generate(n: int, *, seed: int = 15) -> Iterator[dict[str, Any]]:
    """``n`` labelled complaints (no split, no duplicate pairs): also the bench's training volume."""
    rng, leaves = random.Random(seed), leaf_categories()
    for _ in range(n):
        yield _one(rng, leaves)


def _dup_pairs(rng: random.Random, leaves: dict[str, str], n: int, base: int) -> list[dict[str, Any]]:
    """Held-out lines in threes: an incident, the same incident told again, a different one nearby.

    ``base`` is the index the first of these lines will have in the held-out split.
    """
    lines: list[dict[str, Any]] = []
    for _ in range(n):
        code = rng.choice(list(leaves))
        place = _place(rng)
        first = base + len(lines)
        # The same incident names its place both times (else nobody, model or admin, could tell).
        lines.append({"text": _dress(rng.choice(ISSUES[code]), place, rng, with_place=True), "opd": leaves[code],
                      "category": code})
        lines.append({"text": _dress(rng.choice(ISSUES[code]), place, rng, with_place=True), "opd": leaves[code],
                      "category": code, "dup_of": first})
        if rng.random() < 0.5:  # same issue elsewhere in the city
            other_code, other_place = code, _place(rng)
            while other_place.split()[-1] == place.split()[-1]:
                other_place = _place(rng)
        else:  # another issue at the same place
            other_code, other_place = rng.choice([c for c in leaves if leaves[c] != leaves[code]]), place
        lines.append({"text": _dress(rng.choice(ISSUES[other_code]), other_place, rng, with_place=True),
                      "opd": leaves[other_code], "category": other_code, "not_dup_of": first})
    return lines


def build(*, n_train: int = 1800, n_test: int = 300, n_dup: int = 100, seed: int = 15) -> list[dict[str, Any]]:
    rng, leaves = random.Random(seed), leaf_categories()
    rows = [{**_one(rng, leaves), "split": "train"} for _ in range(n_train)]
    seen = {r["text"] for r in rows}
    test: list[dict[str, Any]] = []
    while len(test) < n_test:  # a held-out line is never one the model was trained on ("tes", "halo"...)
        row = _one(rng, leaves, unseen=True)
        if row["text"] not in seen:
            test.append(row)
            seen.add(row["text"])
    while len(test) < n_test + 3 * n_dup:
        triple = _dup_pairs(rng, leaves, 1, len(test))
        if not {r["text"] for r in triple} & seen:
            test += triple
            seen |= {r["text"] for r in triple}
    return rows + [{**row, "split": "test"} for row in test]


def read(path: Path = DATA_FILE, *, split: str | None = None) -> list[dict[str, Any]]:
    """Lines of a (possibly gzipped) JSONL file; with ``split``, only that split's lines."""
    opener: Any = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return [r for r in rows if split is None or r.get("split") == split]


def write(rows: list[dict[str, Any]], path: Path = DATA_FILE) -> None:
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))  # mtime=0: the same bytes every time


if __name__ == "__main__":  # pragma: no cover - the maintainer's tool
    write(build())
    print(DATA_FILE)
