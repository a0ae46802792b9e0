"""What the demo residents write and what the OPDs answer (Indonesian, as residents write it).

Placeholders: ``{street}``, ``{kelurahan}``, ``{rt}``. One list of stories per leaf category,
one list of follow-ups per top-level category.
"""

from __future__ import annotations

STORIES: dict[str, list[tuple[str, str]]] = {
    "jalan-rusak": [
        ("Jalan berlubang di {street}",
         "Selamat pagi. Di {street} dekat simpang RT {rt}, Kel. {kelurahan}, ada lubang besar kira-kira "
         "satu meter. Kalau hujan tergenang dan tidak kelihatan, kemarin ada pengendara motor jatuh. "
         "Mohon segera diperbaiki sebelum ada korban lagi."),
        ("Aspal {street} mengelupas setelah galian pipa",
         "Bekas galian pipa di {street} (Kel. {kelurahan}) hanya ditimbun tanah dan sekarang amblas. "
         "Jalan jadi bergelombang dan berdebu. Mohon dinas terkait menegur kontraktornya dan menutup "
         "kembali dengan aspal."),
    ],
    "drainase": [
        ("Parit tersumbat di RT {rt} {kelurahan}",
         "Parit di sepanjang {street} RT {rt} Kel. {kelurahan} tersumbat sampah dan lumpur. Setiap hujan "
         "deras air meluap ke jalan dan masuk ke rumah warga. Mohon dilakukan normalisasi parit."),
        ("Drainase {street} tidak mengalir",
         "Saluran drainase di {street} sudah lama tidak dibersihkan, airnya hitam dan berbau. "
         "Banyak nyamuk. Warga Kel. {kelurahan} berharap ada pengerukan."),
    ],
    "jembatan": [
        ("Gertak kayu di {kelurahan} lapuk",
         "Gertak (jembatan kayu) penghubung gang di RT {rt} Kel. {kelurahan} papannya banyak yang lapuk "
         "dan patah. Anak-anak lewat setiap hari ke sekolah. Mohon diganti."),
    ],
    "lampu-jalan": [
        ("Lampu jalan mati di {street}",
         "Sudah dua minggu lampu penerangan jalan di {street} dekat RT {rt} mati total. Malam hari gelap "
         "sekali dan rawan jambret. Mohon segera diperbaiki."),
        ("PJU berkedip dan mati di {kelurahan}",
         "Lampu PJU di {street}, Kel. {kelurahan} hidup-mati sejak seminggu lalu, sekarang padam tiga "
         "titik berturut-turut."),
    ],
    "parkir": [
        ("Parkir liar di depan ruko {street}",
         "Kendaraan parkir dua lapis di depan ruko {street} sehingga jalan macet setiap sore. Juru parkir "
         "tidak memakai rompi dan karcis resmi. Mohon ditertibkan."),
    ],
    "lalu-lintas": [
        ("Lampu lalu lintas simpang {street} mati",
         "Traffic light di simpang {street} padam sejak pagi, kendaraan saling serobot. Mohon petugas "
         "Dishub segera memperbaiki atau mengatur lalu lintas."),
    ],
    "puskesmas": [
        ("Antrean Puskesmas {kelurahan} terlalu lama",
         "Saya membawa anak berobat ke Puskesmas {kelurahan} jam 7 pagi dan baru dilayani jam 11. "
         "Loket pendaftaran hanya satu yang buka. Mohon pelayanannya diperbaiki."),
        ("Petugas puskesmas kurang ramah",
         "Ibu saya lansia ditegur dengan nada tinggi oleh petugas loket Puskesmas {kelurahan} karena "
         "lupa membawa kartu BPJS. Mohon petugas dibina agar melayani dengan sopan."),
    ],
    "demam-berdarah": [
        ("Mohon fogging di RT {rt} {kelurahan}",
         "Dalam dua minggu ada tiga warga RT {rt} Kel. {kelurahan} dirawat karena DBD. Mohon dilakukan "
         "fogging dan pemeriksaan jentik."),
    ],
    "rumah-sakit": [
        ("Pelayanan IGD RSUD lambat",
         "Malam tadi ayah saya menunggu hampir tiga jam di IGD RSUD tanpa kejelasan. Mohon penjelasan "
         "prosedur triase dan perbaikan pelayanan."),
    ],
    "ppdb": [
        ("Anak tidak diterima SMP negeri padahal dekat rumah",
         "Rumah kami di {street} Kel. {kelurahan}, jaraknya kurang dari 500 meter dari SMP negeri, tetapi "
         "anak saya tidak lolos jalur zonasi. Mohon penjelasan perhitungan jaraknya."),
    ],
    "pungutan-sekolah": [
        ("Pungutan uang seragam di SD negeri",
         "Sekolah anak saya di Kel. {kelurahan} meminta uang seragam dan buku Rp 850.000. Bukankah "
         "sekolah negeri gratis? Mohon ditindaklanjuti."),
    ],
    "ktp-el": [
        ("KTP-el belum jadi setelah tiga bulan",
         "Saya rekam KTP-el di kantor Kecamatan sejak tiga bulan lalu, sampai sekarang statusnya masih "
         "menunggu blangko. Mohon kepastian kapan bisa diambil."),
        ("KTP-el hilang, cara mengurus ulang?",
         "KTP-el saya hilang di pasar. Apa saja syarat mencetak ulang dan apakah bisa di Kel. {kelurahan}?"),
    ],
    "kartu-keluarga": [
        ("Perubahan KK tidak kunjung selesai",
         "Saya mengajukan penambahan anggota KK (bayi baru lahir) sejak sebulan lalu secara online, "
         "tetapi belum ada kabar. Mohon dibantu."),
    ],
    "sampah": [
        ("Sampah menumpuk di TPS {street}",
         "TPS di {street} Kel. {kelurahan} sudah tiga hari tidak diangkut, sampah meluber ke badan jalan "
         "dan berbau busuk. Mohon segera diangkut."),
        ("Warga membuang sampah di parit RT {rt}",
         "Banyak warga membuang sampah ke parit di RT {rt} Kel. {kelurahan} karena tidak ada TPS dekat. "
         "Mohon disediakan tempat sampah dan dipasang larangan."),
    ],
    "pencemaran": [
        ("Bau limbah dari usaha di {street}",
         "Usaha pencucian di {street} membuang limbah langsung ke parit, airnya berbusa dan berbau. "
         "Mohon dicek izin lingkungannya."),
    ],
    "pohon": [
        ("Pohon miring hampir tumbang di {street}",
         "Pohon angsana besar di {street} sudah miring ke arah kabel listrik dan rumah warga. Mohon "
         "dipangkas sebelum musim angin kencang."),
    ],
    "bansos": [
        ("Tidak lagi menerima bantuan PKH",
         "Keluarga kami di RT {rt} Kel. {kelurahan} biasanya menerima PKH, tetapi dua bulan ini tidak "
         "cair. Mohon dicek apakah nama kami masih di DTKS."),
    ],
    "terlantar": [
        ("ODGJ berkeliaran di {street}",
         "Ada orang dengan gangguan jiwa tidur di emperan toko {street} dan kadang mengamuk. Mohon "
         "Dinas Sosial membantu penanganannya."),
    ],
    "pkl": [
        ("PKL berjualan di trotoar {street}",
         "Trotoar di {street} penuh lapak PKL sehingga pejalan kaki harus turun ke jalan. Mohon ditata."),
    ],
    "kebisingan": [
        ("Suara musik keras tengah malam di {kelurahan}",
         "Kafe di {street} Kel. {kelurahan} memutar musik keras sampai jam 2 pagi. Warga sulit tidur. "
         "Mohon ditertibkan."),
    ],
    "banjir": [
        ("Banjir air pasang di {kelurahan}",
         "Air pasang Sungai Kapuas masuk ke rumah warga RT {rt} Kel. {kelurahan} setinggi lutut sejak "
         "subuh. Mohon bantuan dan pompa air."),
        ("Genangan setinggi 40 cm di {street}",
         "Setelah hujan dua jam, {street} tergenang 40 cm dan motor mogok. Mohon penanganan genangan."),
    ],
    "karhutla": [
        ("Asap kebakaran lahan di Batu Layang",
         "Ada lahan gambut terbakar dekat {street}, asapnya masuk ke rumah dan sekolah. Mohon segera "
         "dipadamkan."),
    ],
    "air-mati": [
        ("Air PDAM mati tiga hari di {kelurahan}",
         "Air PDAM di {street} Kel. {kelurahan} tidak mengalir sejak tiga hari lalu tanpa pemberitahuan. "
         "Kami terpaksa membeli air. Mohon penjelasan."),
        ("Air PDAM keruh dan berbau",
         "Air PDAM di rumah kami RT {rt} Kel. {kelurahan} keruh kecoklatan dan berbau sejak kemarin."),
    ],
    "pipa-bocor": [
        ("Pipa PDAM bocor di {street}",
         "Pipa PDAM di pinggir {street} bocor dan menyembur, air terbuang percuma dan jalan jadi licin."),
    ],
    "rtlh": [
        ("Usulan bedah rumah untuk lansia",
         "Rumah Nenek Salmah di RT {rt} Kel. {kelurahan} atapnya bocor dan dindingnya lapuk. Beliau "
         "tinggal sendiri. Mohon diusulkan program rumah tidak layak huni."),
    ],
    "pelayanan-kelurahan": [
        ("Surat keterangan domisili dipersulit",
         "Saya mengurus surat keterangan domisili di Kantor Kel. {kelurahan} dan disuruh kembali tiga "
         "kali karena petugasnya tidak ada."),
    ],
    "pungli": [
        ("Diminta uang pelicin saat mengurus surat",
         "Oknum petugas meminta Rp 100.000 agar surat saya cepat selesai. Mohon ditindak. Saya minta "
         "identitas saya dirahasiakan."),
    ],
    "izin-usaha": [
        ("Pengajuan PBG tidak ada kabar",
         "Pengajuan Persetujuan Bangunan Gedung saya untuk ruko di {street} sudah dua bulan tanpa kabar "
         "di sistem. Mohon informasi."),
    ],
    "pbb": [
        ("Tagihan PBB naik drastis",
         "Tagihan PBB rumah saya di {street} tahun ini naik hampir tiga kali lipat. Mohon penjelasan "
         "dasar kenaikan NJOP."),
    ],
    "pasar": [
        ("Harga gas elpiji 3 kg di atas HET",
         "Di pangkalan dekat {street} Kel. {kelurahan}, elpiji 3 kg dijual Rp 28.000, jauh di atas HET. "
         "Mohon diawasi."),
    ],
}

FOLLOWUPS: dict[str, list[str]] = {
    "pekerjaan-umum": [
        "Terima kasih atas laporannya. Tim UPT Pemeliharaan Jalan dan Jembatan Dinas PUPR telah meninjau "
        "lokasi dan melakukan penambalan/perbaikan. Pekerjaan selesai dan lokasi sudah dapat dilalui.",
        "Tim Dinas PUPR telah melakukan normalisasi dengan alat berat dan pengangkutan sedimen. Kami "
        "mengimbau warga tidak membuang sampah ke saluran.",
    ],
    "perhubungan": [
        "Petugas Dinas Perhubungan telah mengganti lampu yang rusak dan memeriksa jaringan kabel. Lampu "
        "sudah menyala kembali. Terima kasih atas partisipasinya.",
        "Tim Dishub telah melakukan penertiban di lokasi dan akan melakukan patroli rutin setiap sore.",
    ],
    "kesehatan": [
        "Terima kasih atas masukannya. Kepala Puskesmas telah melakukan pembinaan petugas dan menambah "
        "loket pendaftaran pada jam sibuk. Pendaftaran online juga dapat digunakan.",
        "Petugas telah melakukan penyelidikan epidemiologi, pemeriksaan jentik dan fogging di lokasi. "
        "Mohon warga melanjutkan gerakan 3M Plus.",
    ],
    "pendidikan": [
        "Dinas Pendidikan dan Kebudayaan telah memanggil pihak sekolah. Pungutan tersebut dibatalkan dan "
        "dana yang sudah dibayarkan dikembalikan melalui komite sekolah.",
        "Hasil verifikasi jarak menggunakan titik koordinat domisili di KK; rinciannya kami sampaikan "
        "kepada pelapor. Masih tersedia kuota pada jalur lain.",
    ],
    "kependudukan": [
        "Dokumen kependudukan Bapak/Ibu sudah selesai dicetak dan dapat diambil di kantor Disdukcapil "
        "dengan membawa bukti pengajuan.",
        "Persyaratan: surat keterangan hilang dari kepolisian dan fotokopi KK. Pencetakan ulang dapat "
        "dilakukan di kantor kecamatan setempat pada hari kerja.",
    ],
    "lingkungan-hidup": [
        "Armada pengangkut sampah DLH telah mengangkut tumpukan sampah dan jadwal pengangkutan di TPS "
        "tersebut kami tambah menjadi setiap hari.",
        "Tim DLH telah memangkas pohon dan membersihkan lokasi. Terima kasih atas laporannya.",
    ],
    "sosial": [
        "Dinas Sosial telah melakukan verifikasi data; nama pelapor masih terdaftar di DTKS dan bantuan "
        "akan disalurkan pada tahap berikutnya.",
        "Tim reaksi cepat Dinas Sosial telah menjangkau yang bersangkutan dan membawanya ke rumah singgah.",
    ],
    "ketenteraman": [
        "Satpol PP telah melakukan penertiban dan memberikan teguran tertulis. Lokasi akan dipantau "
        "secara berkala.",
    ],
    "bencana": [
        "Tim reaksi cepat BPBD telah turun ke lokasi, memasang pompa air dan menyalurkan bantuan "
        "logistik. Genangan sudah surut.",
        "BPBD bersama Manggala Agni dan relawan telah memadamkan api; pendinginan dilakukan hingga asap hilang.",
    ],
    "air-bersih": [
        "Gangguan disebabkan perbaikan pipa transmisi. Pipa sudah diperbaiki dan aliran air kembali normal. "
        "Mohon maaf atas ketidaknyamanannya.",
        "Petugas Perumda Air Minum telah memperbaiki kebocoran dan melakukan pengurasan jaringan.",
    ],
    "perumahan": [
        "Rumah yang dilaporkan telah disurvei dan masuk daftar calon penerima bantuan RTLH tahun depan.",
    ],
    "administrasi": [
        "Camat telah melakukan pembinaan kepada petugas kelurahan; surat yang diajukan sudah selesai dan "
        "dapat diambil.",
        "Inspektorat telah menindaklanjuti laporan dengan pemeriksaan khusus. Identitas pelapor dijaga.",
    ],
    "perizinan": [
        "Permohonan telah diverifikasi tim teknis; kekurangan dokumen telah kami kirim melalui sistem.",
    ],
    "pajak-daerah": [
        "Kenaikan disebabkan penyesuaian NJOP. Wajib pajak dapat mengajukan keberatan atau pengurangan "
        "di kantor Bapenda dengan membawa SPPT.",
    ],
    "perdagangan": [
        "Tim pengawasan telah mendatangi pangkalan dan memberikan teguran; harga sudah kembali sesuai HET.",
    ],
}

POSTPONE_REQUESTS = [
    "Mohon lengkapi lokasi tepatnya (nama jalan/gang dan RT).",
    "Mohon lampirkan foto kondisi di lokasi.",
    "Mohon jelaskan kapan kejadian dan siapa petugas yang dimaksud.",
]

RETURN_REASONS = [
    "Lokasi tersebut merupakan kewenangan OPD lain, mohon dialihkan.",
    "Bukan tugas dan fungsi kami; urusan ini ditangani dinas teknis terkait.",
]

RATING_COMMENTS = [
    "Terima kasih, cepat ditangani.",
    "Sudah diperbaiki, semoga dirawat.",
    "Lumayan, tapi agak lama.",
    "Penanganan belum tuntas.",
    "",
]

FIRST_NAMES = [
    "Ahmad", "Budi", "Siti", "Nur", "Rizki", "Dewi", "Hendra", "Yuliana", "Agus", "Fitri", "Dedi", "Rina",
    "Syarif", "Utin", "Gusti", "Hasanah", "Antonius", "Maria", "Lim", "Suryani", "Fransiskus", "Herman",
    "Mulyadi", "Nurhayati", "Yohanes", "Indah", "Slamet", "Wahyuni", "Kurniawan", "Aisyah",
]
LAST_NAMES = [
    "Santoso", "Rahmawati", "Pratama", "Alkadrie", "Hidayat", "Wijaya", "Saputra", "Kurnia", "Halim",
    "Setiawan", "Nugroho", "Lestari", "Syahrani", "Tan", "Gunawan", "Firmansyah", "Susanti", "Effendi",
]
