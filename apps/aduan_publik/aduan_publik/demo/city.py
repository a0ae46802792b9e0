"""The reference data of the demo city, modelled on Kota Pontianak (Kalimantan Barat).

OPD names follow the city's organisation (32 OPDs, as the city reports); the kecamatan and
kelurahan are the real ones. Codes are short, upper case and used in the demo logins
(``penghubung.<code lowercase>``).
"""

from __future__ import annotations

CITY_NAME = "Kota Pontianak"

# (code, name, kind)
OPDS: list[tuple[str, str, str]] = [
    ("SETDA", "Sekretariat Daerah", "sekretariat"),
    ("SETWAN", "Sekretariat DPRD", "sekretariat"),
    ("INSPEKTORAT", "Inspektorat", "inspektorat"),
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah", "badan"),
    ("BKPSDM", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "badan"),
    ("BKD", "Badan Keuangan Daerah", "badan"),
    ("BAPENDA", "Badan Pendapatan Daerah", "badan"),
    ("BPBD", "Badan Penanggulangan Bencana Daerah", "badan"),
    ("KESBANGPOL", "Badan Kesatuan Bangsa dan Politik", "badan"),
    ("PUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "dinas"),
    ("DINKES", "Dinas Kesehatan", "dinas"),
    ("DIKBUD", "Dinas Pendidikan dan Kebudayaan", "dinas"),
    ("DLH", "Dinas Lingkungan Hidup", "dinas"),
    ("DISHUB", "Dinas Perhubungan", "dinas"),
    ("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", "dinas"),
    ("DINSOS", "Dinas Sosial", "dinas"),
    ("DISKOMINFO", "Dinas Komunikasi dan Informatika", "dinas"),
    ("PERKIM", "Dinas Perumahan Rakyat dan Kawasan Permukiman", "dinas"),
    ("DPMPTSP", "Dinas Penanaman Modal, Tenaga Kerja dan Pelayanan Terpadu Satu Pintu", "dinas"),
    ("DKUMP", "Dinas Koperasi, Usaha Mikro dan Perdagangan", "dinas"),
    ("DPPKP", "Dinas Pangan, Pertanian dan Perikanan", "dinas"),
    ("DPPKBPPPA", "Dinas Pengendalian Penduduk, KB, Pemberdayaan Perempuan dan Perlindungan Anak", "dinas"),
    ("DISPORAPAR", "Dinas Kepemudaan, Olahraga dan Pariwisata", "dinas"),
    ("SATPOLPP", "Satuan Polisi Pamong Praja", "satpol"),
    ("RSUD", "RSUD Sultan Syarif Mohamad Alkadrie", "rsud"),
    ("PDAM", "Perumda Air Minum Tirta Khatulistiwa", "bumd"),
    ("KEC-BARAT", "Kecamatan Pontianak Barat", "kecamatan"),
    ("KEC-KOTA", "Kecamatan Pontianak Kota", "kecamatan"),
    ("KEC-SELATAN", "Kecamatan Pontianak Selatan", "kecamatan"),
    ("KEC-TENGGARA", "Kecamatan Pontianak Tenggara", "kecamatan"),
    ("KEC-TIMUR", "Kecamatan Pontianak Timur", "kecamatan"),
    ("KEC-UTARA", "Kecamatan Pontianak Utara", "kecamatan"),
]

# kecamatan -> (OPD code, kelurahan, streets, approximate centre lat/lon)
AREAS: dict[str, dict] = {
    "Pontianak Barat": {
        "opd": "KEC-BARAT",
        "kelurahan": ["Pal Lima", "Sungai Beliung", "Sungai Jawi Dalam", "Sungai Jawi Luar"],
        "streets": ["Jl. Kom Yos Sudarso", "Jl. Hasanuddin", "Jl. Pak Kasih", "Jl. Tabrani Ahmad",
                    "Jl. Husein Hamzah"],
        "centre": (-0.0330, 109.3090),
    },
    "Pontianak Kota": {
        "opd": "KEC-KOTA",
        "kelurahan": ["Darat Sekip", "Mariana", "Sungai Bangkong", "Sungai Jawi", "Tengah"],
        "streets": ["Jl. Gajah Mada", "Jl. Tanjungpura", "Jl. Diponegoro", "Jl. Merdeka", "Jl. Gusti Hamzah",
                    "Jl. H. Rais A. Rahman"],
        "centre": (-0.0360, 109.3260),
    },
    "Pontianak Selatan": {
        "opd": "KEC-SELATAN",
        "kelurahan": ["Akcaya", "Benua Melayu Darat", "Benua Melayu Laut", "Kota Baru", "Parit Tokaya"],
        "streets": ["Jl. Ahmad Yani", "Jl. Sultan Abdurrahman", "Jl. Dr. Wahidin", "Jl. Reformasi",
                    "Jl. Prof. M. Yamin", "Jl. Purnama"],
        "centre": (-0.0560, 109.3420),
    },
    "Pontianak Tenggara": {
        "opd": "KEC-TENGGARA",
        "kelurahan": ["Bangka Belitung Darat", "Bangka Belitung Laut", "Bansir Darat", "Bansir Laut"],
        "streets": ["Jl. Paris II", "Jl. Ya'M Sabran", "Jl. Sepakat II", "Jl. Kurnia", "Jl. Bansir"],
        "centre": (-0.0700, 109.3600),
    },
    "Pontianak Timur": {
        "opd": "KEC-TIMUR",
        "kelurahan": ["Banjar Serasan", "Dalam Bugis", "Parit Mayor", "Saigon", "Tambelan Sampit",
                      "Tanjung Hilir", "Tanjung Hulu"],
        "streets": ["Jl. Tanjung Raya I", "Jl. Tanjung Raya II", "Jl. Panglima Aim", "Jl. Sultan Hamid II",
                    "Jl. Tritura"],
        "centre": (-0.0300, 109.3620),
    },
    "Pontianak Utara": {
        "opd": "KEC-UTARA",
        "kelurahan": ["Batu Layang", "Siantan Hilir", "Siantan Hulu", "Siantan Tengah"],
        "streets": ["Jl. Khatulistiwa", "Jl. 28 Oktober", "Jl. Budi Utomo", "Jl. Selat Panjang",
                    "Jl. Parit Pangeran"],
        "centre": (0.0100, 109.3300),
    },
}

# A LAPOR!-style topic tree: (code, name, default OPD code, overrides, children).
# Overrides show the per-category deadlines: disasters are verified and answered faster.
Node = tuple[str, str, str, dict, list]
CATEGORIES: list[Node] = [
    ("pekerjaan-umum", "Pekerjaan Umum", "PUPR", {}, [
        ("jalan-rusak", "Jalan rusak/berlubang", "PUPR", {}, []),
        ("drainase", "Drainase dan parit", "PUPR", {"complete_days": 30}, []),
        ("jembatan", "Jembatan dan gertak", "PUPR", {}, []),
    ]),
    ("perhubungan", "Perhubungan", "DISHUB", {}, [
        ("lampu-jalan", "Lampu penerangan jalan umum", "DISHUB", {"complete_days": 7}, []),
        ("parkir", "Parkir liar dan juru parkir", "DISHUB", {}, []),
        ("lalu-lintas", "Lampu lalu lintas dan rambu", "DISHUB", {}, []),
    ]),
    ("kesehatan", "Kesehatan", "DINKES", {}, [
        ("puskesmas", "Pelayanan puskesmas", "DINKES", {}, []),
        ("demam-berdarah", "Demam berdarah dan fogging", "DINKES", {"respond_working_days": 2}, []),
        ("rumah-sakit", "Pelayanan rumah sakit daerah", "RSUD", {}, []),
    ]),
    ("pendidikan", "Pendidikan", "DIKBUD", {}, [
        ("ppdb", "Penerimaan peserta didik baru", "DIKBUD", {}, []),
        ("pungutan-sekolah", "Pungutan di sekolah", "DIKBUD", {}, []),
    ]),
    ("kependudukan", "Kependudukan", "DISDUKCAPIL", {}, [
        ("ktp-el", "KTP elektronik", "DISDUKCAPIL", {}, []),
        ("kartu-keluarga", "Kartu keluarga dan akta", "DISDUKCAPIL", {}, []),
    ]),
    ("lingkungan-hidup", "Lingkungan Hidup", "DLH", {}, [
        ("sampah", "Sampah dan TPS", "DLH", {"respond_working_days": 2}, []),
        ("pencemaran", "Pencemaran dan bau", "DLH", {}, []),
        ("pohon", "Pohon dan taman kota", "DLH", {}, []),
    ]),
    ("sosial", "Sosial", "DINSOS", {}, [
        ("bansos", "Bantuan sosial dan DTKS", "DINSOS", {}, []),
        ("terlantar", "Gelandangan, pengemis dan ODGJ", "DINSOS", {}, []),
    ]),
    ("ketenteraman", "Ketenteraman dan Ketertiban", "SATPOLPP", {}, [
        ("pkl", "Pedagang kaki lima", "SATPOLPP", {}, []),
        ("kebisingan", "Kebisingan dan gangguan", "SATPOLPP", {}, []),
    ]),
    ("bencana", "Bencana", "BPBD", {"verify_working_days": 1, "respond_working_days": 1}, [
        ("banjir", "Banjir dan air pasang", "BPBD", {}, []),
        ("karhutla", "Kebakaran lahan dan asap", "BPBD", {}, []),
    ]),
    ("air-bersih", "Air Bersih", "PDAM", {}, [
        ("air-mati", "Air PDAM mati/keruh", "PDAM", {"respond_working_days": 2}, []),
        ("pipa-bocor", "Pipa bocor", "PDAM", {}, []),
    ]),
    ("perumahan", "Perumahan dan Permukiman", "PERKIM", {}, [
        ("rtlh", "Rumah tidak layak huni", "PERKIM", {}, []),
    ]),
    ("administrasi", "Administrasi Pemerintahan", "SETDA", {}, [
        ("pelayanan-kelurahan", "Pelayanan kantor kelurahan", "SETDA", {}, []),
        ("pungli", "Pungutan liar oleh petugas", "INSPEKTORAT", {}, []),
    ]),
    ("perizinan", "Perizinan dan Investasi", "DPMPTSP", {}, [
        ("izin-usaha", "Izin usaha dan PBG", "DPMPTSP", {}, []),
    ]),
    ("pajak-daerah", "Pajak Daerah", "BAPENDA", {}, [
        ("pbb", "PBB dan BPHTB", "BAPENDA", {}, []),
    ]),
    ("perdagangan", "Perdagangan dan UMKM", "DKUMP", {}, [
        ("pasar", "Pasar tradisional dan harga", "DKUMP", {}, []),
    ]),
]

# Where "bukan wewenang" complaints are forwarded (No Wrong Door).
FORWARD_TARGETS = [
    "Dinas PUPR Provinsi Kalimantan Barat (jalan provinsi)",
    "Balai Pelaksanaan Jalan Nasional Kalimantan Barat",
    "PLN UP3 Pontianak",
    "Polresta Pontianak Kota",
    "BPJS Kesehatan Cabang Pontianak",
    "Pemerintah Kabupaten Kubu Raya",
    "Kantor Pertanahan Kota Pontianak (BPN)",
]
