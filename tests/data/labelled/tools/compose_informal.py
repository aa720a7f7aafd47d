"""Compose the ``origin: "composed"`` part of ``corpus-informal.jsonl``.

Every body part below was written by hand for this corpus; the script only
assembles them (opening + problem + details + closing, a place phrase, an
account) so that the composed posts cover long rants and pasted WhatsApp
messages without one template repeated.  It is deterministic (fixed seed, no
clock), never uses one body part in more than three posts, and replaces the
composed lines of the corpus in place, keeping the written ones:

    python tests/data/labelled/tools/compose_informal.py [--count N]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
CORPUS = ROOT / "tests/data/labelled/corpus-informal.jsonl"
WILAYAH = ROOT / "functions/aduan/data/wilayah"
SEED = 20261201
MAX_USES = 3
FIRST_ID = 10001

# --------------------------------------------------------------------------
# places: (how people write it, regency name in BPS, kecamatan in BPS or None)
# --------------------------------------------------------------------------
PLACES = [
    (" di Tembalang", "KOTA SEMARANG", "TEMBALANG"),
    (" di daerah Banyumanik", "KOTA SEMARANG", "BANYUMANIK"),
    (" di Kec. Genuk Semarang", "KOTA SEMARANG", "GENUK"),
    (" di Pedurungan", "KOTA SEMARANG", "PEDURUNGAN"),
    (" di kampung kami Semarang Utara", "KOTA SEMARANG", "SEMARANG UTARA"),
    (" di Gunungpati", "KOTA SEMARANG", "GUNUNG PATI"),
    (" di Ngaliyan", "KOTA SEMARANG", "NGALIYAN"),
    (" di kota smg", "KOTA SEMARANG", None),
    (" di Laweyan, Solo", "KOTA SURAKARTA", "LAWEYAN"),
    (" di Jebres", "KOTA SURAKARTA", "JEBRES"),
    (" di Banjarsari Solo", "KOTA SURAKARTA", "BANJARSARI"),
    (" di Solo", "KOTA SURAKARTA", None),
    (" di Magelang Utara", "KOTA MAGELANG", "MAGELANG UTARA"),
    (" di kota Magelang", "KOTA MAGELANG", None),
    (" di Tingkir", "KOTA SALATIGA", "TINGKIR"),
    (" di Salatiga", "KOTA SALATIGA", None),
    (" di Pekalongan Barat", "KOTA PEKALONGAN", "PEKALONGAN BARAT"),
    (" di Margadana", "KOTA TEGAL", "MARGADANA"),
    (" di Kota Tegal", "KOTA TEGAL", None),
    (" di Majenang", "KABUPATEN CILACAP", "MAJENANG"),
    (" di Kroya Cilacap", "KABUPATEN CILACAP", "KROYA"),
    (" di Cilacap", "KABUPATEN CILACAP", None),
    (" di Ajibarang", "KABUPATEN BANYUMAS", "AJIBARANG"),
    (" di Purwokerto", "KABUPATEN BANYUMAS", None),
    (" di Sokaraja", "KABUPATEN BANYUMAS", "SOKARAJA"),
    (" di Bobotsari", "KABUPATEN PURBALINGGA", "BOBOTSARI"),
    (" di Purbalingga", "KABUPATEN PURBALINGGA", None),
    (" di Karangkobar", "KABUPATEN BANJARNEGARA", "KARANGKOBAR"),
    (" di Banjarnegara", "KABUPATEN BANJARNEGARA", None),
    (" di Gombong", "KABUPATEN KEBUMEN", "GOMBONG"),
    (" di kab. Kebumen", "KABUPATEN KEBUMEN", None),
    (" di Kutoarjo", "KABUPATEN PURWOREJO", "KUTOARJO"),
    (" di Purworejo", "KABUPATEN PURWOREJO", None),
    (" di Kertek Wonosobo", "KABUPATEN WONOSOBO", "KERTEK"),
    (" di Wonosobo", "KABUPATEN WONOSOBO", None),
    (" di Mertoyudan", "KABUPATEN MAGELANG", "MERTOYUDAN"),
    (" di Muntilan", "KABUPATEN MAGELANG", "MUNTILAN"),
    (" di kab. Magelang", "KABUPATEN MAGELANG", None),
    (" di Ampel Boyolali", "KABUPATEN BOYOLALI", "AMPEL"),
    (" di Boyolali", "KABUPATEN BOYOLALI", None),
    (" di Delanggu", "KABUPATEN KLATEN", "DELANGGU"),
    (" di Klaten", "KABUPATEN KLATEN", None),
    (" di Kartasura", "KABUPATEN SUKOHARJO", "KARTASURA"),
    (" di Sukoharjo", "KABUPATEN SUKOHARJO", None),
    (" di Baturetno", "KABUPATEN WONOGIRI", "BATURETNO"),
    (" di Wonogiri", "KABUPATEN WONOGIRI", None),
    (" di Colomadu", "KABUPATEN KARANGANYAR", "COLOMADU"),
    (" di Karanganyar", "KABUPATEN KARANGANYAR", None),
    (" di Gemolong", "KABUPATEN SRAGEN", "GEMOLONG"),
    (" di Sragen", "KABUPATEN SRAGEN", None),
    (" di Godong", "KABUPATEN GROBOGAN", "GODONG"),
    (" di Grobogan", "KABUPATEN GROBOGAN", None),
    (" di Cepu", "KABUPATEN BLORA", "CEPU"),
    (" di Blora", "KABUPATEN BLORA", None),
    (" di Lasem", "KABUPATEN REMBANG", "LASEM"),
    (" di kab. Rembang", "KABUPATEN REMBANG", None),
    (" di Juwana", "KABUPATEN PATI", "JUWANA"),
    (" di Pati", "KABUPATEN PATI", None),
    (" di Jekulo", "KABUPATEN KUDUS", "JEKULO"),
    (" di Kudus", "KABUPATEN KUDUS", None),
    (" di Bangsri", "KABUPATEN JEPARA", "BANGSRI"),
    (" di Jepara", "KABUPATEN JEPARA", None),
    (" di Mranggen", "KABUPATEN DEMAK", "MRANGGEN"),
    (" di Demak", "KABUPATEN DEMAK", None),
    (" di Ungaran Timur", "KABUPATEN SEMARANG", "UNGARAN TIMUR"),
    (" di Ambarawa", "KABUPATEN SEMARANG", "AMBARAWA"),
    (" di kab. Semarang", "KABUPATEN SEMARANG", None),
    (" di Parakan", "KABUPATEN TEMANGGUNG", "PARAKAN"),
    (" di Temanggung", "KABUPATEN TEMANGGUNG", None),
    (" di Weleri", "KABUPATEN KENDAL", "WELERI"),
    (" di Kendal", "KABUPATEN KENDAL", None),
    (" di Gringsing", "KABUPATEN BATANG", "GRINGSING"),
    (" di Batang", "KABUPATEN BATANG", None),
    (" di Kajen", "KABUPATEN PEKALONGAN", "KAJEN"),
    (" di Wiradesa", "KABUPATEN PEKALONGAN", "WIRADESA"),
    (" di Comal", "KABUPATEN PEMALANG", "COMAL"),
    (" di Pemalang", "KABUPATEN PEMALANG", None),
    (" di Slawi", "KABUPATEN TEGAL", "SLAWI"),
    (" di Adiwerna", "KABUPATEN TEGAL", "ADIWERNA"),
    (" di Bumiayu", "KABUPATEN BREBES", "BUMIAYU"),
    (" di Brebes", "KABUPATEN BREBES", None),
]
NO_PLACE_SHARE = 0.3

ACCOUNT = {
    "3374": "@pemkotsmg",
    "3372": "@pemkotsolo",
    "3371": "@pemkotmagelang",
    "3373": "@pemkotsalatiga",
    "3375": "@pemkotpekalongan",
    "3376": "@pemkottegal",
    "3301": "@pemkabcilacap",
    "3302": "@pemkabbanyumas",
    "3303": "@pemkabpurbalingga",
    "3304": "@pemkabbanjarnegara",
    "3305": "@pemkabkebumen",
    "3306": "@pemkabpurworejo",
    "3307": "@pemkabwonosobo",
    "3308": "@pemkabmagelang",
    "3309": "@pemkabboyolali",
    "3310": "@pemkabklaten",
    "3311": "@pemkabsukoharjo",
    "3312": "@pemkabwonogiri",
    "3313": "@pemkabkaranganyar",
    "3314": "@pemkabsragen",
    "3315": "@pemkabgrobogan",
    "3316": "@pemkabblora",
    "3317": "@pemkabrembang",
    "3318": "@pemkabpati",
    "3319": "@pemkabkudus",
    "3320": "@pemkabjepara",
    "3321": "@pemkabdemak",
    "3322": "@pemkabsmg",
    "3323": "@pemkabtemanggung",
    "3324": "@pemkabkendal",
    "3325": "@pemkabbatang",
    "3326": "@pemkabpekalongan",
    "3327": "@pemkabpemalang",
    "3328": "@pemkabtegal",
    "3329": "@pemkabbrebes",
}
CATEGORY_ACCOUNT = {
    "listrik": "@pln_123",
    "air": "@pdam_jateng",
    "bencana": "@bpbdjateng",
    "kesehatan": "@bpjskesehatanri",
    "kependudukan": "@disdukcapil_jateng",
    "pajak": "@samsatjateng",
    "sosial": "@kemensosri",
    "transportasi": "@dishubjateng",
}
GENERIC_ACCOUNTS = ["@laporgub_jtg", "@humasjateng"]

# --------------------------------------------------------------------------
# report bodies: category -> list of (text with {p} for the place, urgent)
# --------------------------------------------------------------------------
B = {
    "jalan": [
        ("jalan utama{p} bolong2 kayak habis dibom, lubangnya ada yg sedalam betis", 0),
        ("aspal jalan{p} ngelupas semua tinggal batu, tiap hari ada motor kepleset", 0),
        ("jembatan kecil{p} udah retak & miring, mobil pick up ga berani lewat lagi", 0),
        ("galian kabel{p} ditutup asal2an, skrg jalannya ambles & jadi kubangan", 0),
        ("trotoar{p} paving-nya pada copot & ada lubang gorong2 yg menganga tanpa tutup", 0),
        ("jalan kampung{p} yg dicor taun lalu udh pecah2, besinya nongol, ban motor sy sampe sobek", 0),
        ("jalan desa{p} ke arah sawah ancur, kalo ujan kayak bubur, petani ngangkut gabah susah", 0),
        ("proyek pelebaran jalan{p} mangkrak 4 bulan, tanah & batu numpuk di pinggir, debunya ke mana2", 0),
        ("jembatan{p} ambrol separo barusan, ada motor hampir kecebur, jalannya sekarang putus", 1),
        ("polisi tidur{p} tingginya ga kira2, udah ada ibu2 jatuh bonceng anak", 0),
        ("jalan tanjakan{p} retak memanjang & turun sedikit2, takut ambles kalo dilewati truk", 0),
        ("lubang besar di tengah jalan{p} cuma ditandain ban bekas sama warga, udah 2 bulan", 0),
    ],
    "drainase": [
        ("selokan{p} mampet penuh sampah & lumpur, tiap ujan air naik ke jalan", 0),
        ("gorong2{p} ketutup bangunan, air ga bisa lewat jadi genangan ga surut2", 0),
        ("saluran irigasi{p} jebol, air ke sawah habis, padi petani mulai kering", 0),
        ("sungai kecil{p} dangkal banget penuh sedimen, hujan sejam aja udah meluap", 0),
        ("genangan{p} ga pernah kering, jadi sarang nyamuk & baunya bikin mual", 0),
        ("rob{p} tiap sore masuk gang, got nya malah ngalir balik ke jalan", 0),
        ("pintu air{p} rusak ga bisa dibuka, air numpuk di kampung", 0),
        ("got depan sekolah{p} ga ada tutupnya & penuh air item, anak2 sering kecemplung", 0),
        ("drainase jalan raya{p} lebih tinggi dari jalannya, jadi air malah ngumpul di aspal", 0),
        ("kali{p} penuh eceng gondok & sampah kasur, air ga ngalir sama sekali", 0),
    ],
    "sampah": [
        ("sampah{p} udah seminggu lebih ga diangkut, numpuk sampe ke badan jalan", 0),
        ("TPS{p} luber, baunya nyampe rumah warga 100 meter", 0),
        ("orang2 buang sampah sembarangan di lahan kosong{p}, malem2 pake motor", 0),
        ("truk sampah{p} cuma lewat seminggu sekali padahal iuran tiap bulan jalan terus", 0),
        ("pasar{p} lantainya penuh sampah sayur busuk, belatung di mana2", 0),
        ("sampah kiriman numpuk di pinggir sungai{p}, bau & bikin banjir", 0),
        ("bak sampah di taman{p} jebol & ga pernah dikosongin, sampah berserakan", 0),
        ("ada yg bakar sampah tiap sore{p}, asap nya masuk rumah & kamar bayi", 0),
        ("petugas sampah{p} minta tambahan uang di luar iuran, kalo ga ngasih sampahnya ga diambil", 0),
        ("TPA{p} udah penuh, sampah longsor ke kebun warga", 0),
    ],
    "lingkungan": [
        ("pohon besar{p} miring ke arah jalan, akarnya udah keangkat", 0),
        ("ranting pohon{p} udah nyentuh kabel listrik, tiap angin keluar percikan", 0),
        ("dahan pohon kering{p} gantung di atas jalan, tinggal nunggu jatuh", 0),
        ("pohon{p} udah lama ga dipangkas, nutupin lampu jalan & rambu", 0),
        ("pohon tumbang{p} melintang di jalan, kendaraan ga bisa lewat", 1),
        ("limbah pabrik{p} dibuang ke kali, airnya item & ikan2 mati", 0),
        ("bau busuk dari peternakan{p} nyebar ke kampung tiap malem", 0),
        ("taman kota{p} ga keurus, rumput tinggi, bangku rusak, lampu taman mati", 0),
        ("asap & debu pabrik{p} nempel di jemuran, warga batuk2", 0),
        ("penebangan pohon peneduh{p} tanpa pemberitahuan, sekarang panas & gersang", 0),
        ("galian tanah liar{p} bikin bukit gundul, takut longsor", 0),
    ],
    "penerangan": [
        ("lampu PJU{p} mati semua, jalan gelap gulita", 0),
        ("lampu jalan{p} kedip2 terus dari sebulan lalu", 0),
        ("tiang lampu jalan{p} miring & lampunya udah lama mati", 0),
        ("PJU tenaga surya{p} baru dipasang 3 bulan udah ga nyala, panelnya ilang", 0),
        ("lampu jalan{p} nyala siang hari tapi malemnya malah mati 🙃", 0),
        ("sepanjang jalan{p} ga ada lampu sama sekali, rawan begal & kecelakaan", 0),
        ("lampu penyeberangan & PJU depan sekolah{p} padam, anak2 pulang les gelap2an", 0),
        ("kabel lampu jalan{p} dicuri, lampunya mati udah 2 bulan", 0),
    ],
    "transportasi": [
        ("bangjo{p} mati dari pagi, simpangnya semrawut", 0),
        ("jukir liar{p} narik 5rb, karcis ga ada, kalo ditanya malah marah", 0),
        ("truk2 parkir di bahu jalan{p} tiap malem, bikin jalan sempit & bahaya", 0),
        ("angkot{p} ngetem sembarangan bikin macet panjang tiap pagi", 0),
        ("halte bus{p} atapnya bolong & kursinya dicopot, penumpang kepanasan", 0),
        ("rambu{p} ketutup spanduk & dahan pohon, pendatang sering salah arah", 0),
        ("truk over muatan lewat jalan kecil{p}, jalan kampung jadi rusak", 0),
        ("marka jalan{p} udah ilang semua, malem ga keliatan jalurnya", 0),
        ("jadwal bus feeder{p} ga jelas, nunggu bisa sejam lebih", 0),
        ("lampu merah{p} durasinya ngaco, yg ijo cuma 10 detik antrian sampai 1 km", 0),
    ],
    "air": [
        ("air PDAM{p} ga ngalir udah 4 hari", 0),
        ("air PDAM{p} keruh kecoklatan & bau lumpur", 0),
        ("pipa PDAM bocor{p}, air muncrat ke jalan terus dari kemaren", 0),
        ("tagihan PDAM{p} naik 3x lipat padahal pemakaian biasa aja", 0),
        ("PDAM{p} cuma ngalir tengah malem, itu pun kecil bgt", 0),
        ("meteran air{p} muter padahal semua keran ditutup", 0),
        ("pemasangan sambungan baru PDAM{p} udah bayar 2 bulan belum dipasang", 0),
        ("air PDAM{p} bau kaporit nyengat, kulit anak sy gatel2 abis mandi", 0),
    ],
    "listrik": [
        ("listrik{p} mati hampir tiap hari tanpa pemberitahuan", 0),
        ("tegangan listrik{p} naik turun, elektronik udah ada yg rusak", 0),
        ("kabel listrik{p} menjuntai rendah banget, truk lewat bisa nyangkut", 1),
        ("tiang listrik{p} keropos & miring ke rumah warga", 0),
        ("kabel listrik putus{p} jatuh ke jalan, masih ada percikan api!!", 1),
        ("token listrik{p} udah dibeli tapi ga bisa dimasukin, katanya kode salah", 0),
        ("gardu{p} bunyi dengung keras & sering meledak kecil kalo hujan", 0),
        ("pasang baru listrik{p} udah bayar sebulan lebih belum juga dipasang meterannya", 0),
    ],
    "kependudukan": [
        ("KTP-el sy{p} udah rekam 4 bulan belum jadi, alasannya blangko habis", 0),
        ("perbaikan KK{p} udah diajukan 2 bulan ga ada kabar", 0),
        ("akta kelahiran anak sy{p} salah ketik nama, ngurus perbaikannya disuruh bolak balik", 0),
        ("antrian dukcapil{p} harus dateng jam 4 subuh, kuotanya cuma 50 orang", 0),
        ("pindah domisili{p} udah 3 minggu, datanya masih nyangkut di daerah asal", 0),
        ("NIK sy{p} ga terbaca di sistem, mau daftar BPJS & sekolah anak jadi ga bisa", 0),
        ("KIA anak2{p} ga pernah jadi padahal udah daftar lewat sekolah", 0),
        ("layanan jemput bola perekaman KTP buat lansia{p} katanya ada tapi ga pernah dateng", 0),
    ],
    "pajak": [
        ("tagihan PBB sy{p} tiba2 naik 4x lipat tanpa penjelasan", 0),
        ("sudah bayar pajak motor online{p} tp status di aplikasi masih nunggak", 0),
        ("retribusi pasar{p} ditarik 2x sehari sama petugas yg beda", 0),
        ("SPPT PBB{p} ga pernah dikirim, tau2 kena denda", 0),
        ("pajak kendaraan motor yg udah dijual{p} masih ditagih ke sy terus", 0),
        ("retribusi sampah{p} dimasukin ke tagihan air padahal sampah ga pernah diangkut", 0),
        ("pajak reklame warung kecil sy{p} disamain sama toko besar", 0),
    ],
    "kesehatan": [
        ("puskesmas{p} dokternya jarang ada, pasien cuma dilayani perawat", 0),
        ("obat di puskesmas{p} sering kosong, disuruh beli di luar", 0),
        ("RSUD{p} nolak pasien BPJS dengan alasan kamar penuh", 0),
        ("kasus DBD{p} nambah terus, udah 5 anak dirawat, fogging belum ada", 0),
        ("ambulans desa{p} ga bisa dipake, sopirnya ga ada kalo malem", 0),
        ("posyandu{p} udah 3 bulan ga ada PMT & timbangan rusak", 0),
        ("antrian BPJS di RS{p} dari subuh sampai sore, lansia pada kecapekan", 0),
        ("petugas puskesmas{p} judes & marahin pasien lansia yg ga ngerti", 0),
        ("bapak sy sesak napas{p}, ambulans ditelpon ga diangkat, sekarang butuh dibawa ke RS", 1),
    ],
    "pendidikan": [
        ("sekolah negeri{p} narik sumbangan wajib 1,5 juta buat seragam & kegiatan", 0),
        ("atap ruang kelas SD{p} udah bocor & kayunya lapuk, takut ambruk pas anak2 belajar", 0),
        ("PPDB zonasi{p} anak sy yg rumahnya deket malah ga keterima", 0),
        ("honor guru honorer{p} telat dibayar 5 bulan", 0),
        ("KIP anak sy{p} ga cair padahal udah terdaftar, sekolah & dinas saling lempar", 0),
        ("guru{p} sering ga masuk kelas, murid disuruh nyatet sendiri", 0),
        ("wajib beli LKS & buku paket di koperasi sekolah{p} tiap semester", 0),
        ("sekolah{p} nahan ijazah anak sy krn masih ada tunggakan uang komite", 0),
    ],
    "sosial": [
        ("PKH ibu sy{p} ga cair lagi sejak namanya ilang dari DTKS", 0),
        ("bansos{p} salah sasaran, yg punya mobil dapet, janda tua malah ga dapet", 0),
        ("BPNT{p} dipotong oknum 30rb tiap pencairan alasannya uang transport", 0),
        ("KIS PBI sy{p} tiba2 nonaktif pas mau berobat", 0),
        ("BLT{p} katanya udah cair tapi pas dicek saldonya nol", 0),
        ("ada lansia hidup sendiri di gubuk{p} ga pernah dapet bantuan apa2", 0),
        ("pengemis & anak jalanan{p} makin banyak di perempatan, ada yg bawa bayi", 0),
        ("ODGJ{p} keliaran di jalan, kadang ngamuk lempar batu ke warung", 0),
        ("rumah tetangga sy{p} udah mau roboh, atap bocor, tp ga pernah dapet RTLH", 0),
        ("pendataan DTKS{p} cuma formalitas, petugasnya ga pernah dateng ke rumah", 0),
        ("bantuan beras{p} berasnya apek & berkutu", 0),
    ],
    "ketertiban": [
        ("tetangga{p} nyetel sound system sampe jam 2 pagi tiap malem minggu", 0),
        ("karaoke{p} buka sampai subuh, suaranya ganggu satu kampung", 0),
        ("PKL{p} jualan di trotoar & badan jalan, pejalan kaki harus turun ke jalan", 0),
        ("anjing liar{p} makin banyak & udah ada yg gigit anak kecil", 0),
        ("bangunan liar{p} berdiri di sempadan sungai & atas saluran", 0),
        ("balap liar{p} tiap subuh, knalpot brong bikin satu kampung kebangun", 0),
        ("anak muda mabuk2an{p} tiap malem di pos ronda, suka malak yg lewat", 0),
        ("judi togel & sabung ayam{p} terang2an tiap sore", 0),
        ("maling motor{p} udah 4 kali bulan ini, warga resah", 0),
        ("monyet liar{p} turun ke kampung masuk rumah, kemarin gigit anak", 0),
        ("ruko baru{p} dibangun nyaplok trotoar, katanya belum ada izin", 0),
        ("bengkel las{p} di tengah permukiman bunyinya berisik sampai malam", 0),
    ],
    "bencana": [
        ("longsor{p} barusan nimbun jalan & sebagian rumah, tanah masih gerak", 1),
        ("banjir{p} udah masuk rumah sepinggang & terus naik, banyak lansia belum dievakuasi", 1),
        ("tanggul sungai{p} jebol, air deres masuk kampung", 1),
        ("kebakaran{p} rumah warga, api makin besar, damkar belum dateng", 1),
        ("angin puting beliung{p} barusan, atap2 rumah terbang, ada warga luka", 1),
        ("pohon besar tumbang{p} nimpa rumah & mobil warga, ada yg kejepit", 1),
        ("kekeringan{p}, sumur warga kering semua, butuh dropping air bersih", 0),
        ("tanah retak2{p} makin lebar sejak semalam, warga takut longsor", 1),
        ("banjir bandang{p} bawa lumpur & kayu, jembatan desa keseret", 1),
    ],
    "pelayanan": [
        ("petugas kelurahan{p} minta uang 'administrasi' buat surat pengantar", 0),
        ("kantor desa{p} sering tutup pas jam kerja, perangkatnya ga ada", 0),
        ("ngurus izin usaha{p} disuruh bolak balik 5x, syaratnya berubah2 terus", 0),
        ("aplikasi pengaduan ga bisa login, OTP ga pernah masuk", 0),
        ("akun sy di aplikasi layanan{p} keblokir, CS ga bisa dihubungi", 0),
        ("laporan sy{p} di aplikasi ditandai 'selesai' padahal belum ada tindakan apa2", 0),
        ("pegawai kecamatan{p} main HP & ngerokok pas pelayanan, jawabnya ketus", 0),
        ("seleksi perangkat desa{p} katanya udah ada titipan, nilainya ga diumumkan", 0),
        ("web pendaftaran lowongan honorer{p} down di hari terakhir, berkas ga bisa diupload", 0),
        ("ngurus PBG/IMB{p} 5 bulan ga kelar, ada calo yg nawarin jalur cepat", 0),
    ],
    "ekonomi": [
        ("gas LPG 3 kg{p} langka, di pengecer sampe 30rb", 0),
        ("pupuk subsidi{p} ga ada di kios, petani disuruh beli non subsidi", 0),
        ("harga beras{p} naik terus, warga kecil pada kelimpungan", 0),
        ("pedagang pasar baru{p} sepi pembeli, kios di lantai atas ga laku", 0),
        ("ATM satu2nya{p} rusak udah 2 minggu, warga harus ke kota", 0),
        ("buruh pabrik{p} di-PHK tanpa pesangon yg jelas", 0),
        ("lamaran kerja lewat bursa kerja pemda{p} ga ada kabarnya berbulan2", 0),
        ("bantuan modal UMKM{p} cuma buat yg kenal perangkat", 0),
        ("atap pasar tradisional{p} bocor & lapak pedagang kebanjiran", 0),
    ],
    "lainnya": [
        ("wifi gratis di balai desa{p} mati udah 3 bulan", 0),
        ("toilet umum di taman{p} pintunya rusak & airnya mati", 0),
        ("jam kota{p} mati berbulan2, nunjukin jam yg sama terus", 0),
        ("papan nama jalan{p} pada ilang, kurir & ambulans sering nyasar", 0),
        ("perpustakaan daerah{p} tutup terus padahal jadwalnya buka", 0),
        ("fasilitas olahraga lapangan desa{p} rusak, ring basket copot & gawangnya patah", 0),
        ("menara sirine peringatan{p} bunyi sendiri tengah malem bikin panik", 0),
    ],
}

# stories: category -> personal paragraphs that make a post a long rant (no place in them)
S = {
    "jalan": [
        "Kemarin sore sy pulang kerja bonceng istri, hujan deres, lubangnya ketutup air jadi ga keliatan. Motor sy masuk lubang, velg depan penyok, istri sy jatuh & lututnya robek. Orang2 yg nolongin bilang minggu ini udah yg ketiga jatuh di titik yg sama.",
        "Sy tiap hari antar anak sekolah lewat situ, anak sy sampe hafal mana lubang yg harus dihindari. Dia bilang 'pak, jalannya kayak permainan ular tangga'. Lucu sih, tapi sy sedih dengernya.",
        "Tetangga sy sopir ambulans desa, katanya tiap bawa pasien lewat situ harus jalan pelan banget, pasien di belakang teriak kesakitan tiap kena lubang. Pernah ada ibu mau lahiran hampir lahir di jalan.",
    ],
    "drainase": [
        "Tiap hujan kami sekeluarga udah punya ritual: angkat kasur, angkat kabel2, parkir motor di teras tetangga yg lebih tinggi. Anak sy yg kecil malah seneng main air, padahal airnya campur comberan. Minggu lalu dia gatal2 sebadan.",
        "Sy udah 3 kali ganti kulkas & mesin cuci gara2 kerendem. Warga udah iuran beli pompa, tapi pompa kecil ga ada artinya kalo salurannya sendiri buntu.",
        "Dulu waktu sy kecil kampung ini ga pernah kebanjiran. Sejak saluran ditutup bangunan & ga pernah dikeruk, tiap tahun makin parah.",
    ],
    "sampah": [
        "Warung makan sy di dekat situ jadi sepi, pembeli pada ngeluh bau & lalat. Sy udah coba semprot wangi2an, ga ngaruh. Omzet turun separo sejak sampahnya numpuk.",
        "Anak sy kena diare minggu lalu, kata dokter puskesmas kemungkinan dari lalat. Di kampung kami ada 4 anak lain yg sakit sama.",
        "Kami warga udah coba pilah sampah & bikin bank sampah kecil2an, tapi yg residu tetep harus diangkut. Kalo truknya ga dateng, semua usaha itu percuma.",
    ],
    "lingkungan": [
        "Rumah sy persis di bawah pohon itu. Tiap angin kenceng sy ngungsiin anak2 ke rumah mertua, takut dahannya jatuh nimpa genteng. Tahun lalu di kampung sebelah ada pohon yg ambruk nimpa rumah.",
        "Ibu sy punya asma, sejak bau & asap itu makin sering, dia harus pakai nebulizer hampir tiap malam. Biaya obatnya lumayan buat kami.",
        "Dulu anak2 main di taman itu tiap sore, sekarang ga ada yg berani karena gelap, semak tinggi & banyak sampah.",
    ],
    "penerangan": [
        "Adik sy cewek pulang kerja shift malam, tiap lewat situ dia telpon sy minta dijemput karena takut. Bulan lalu temennya dijambret di titik yg sama, HP & tas dibawa kabur.",
        "Sy pernah hampir nabrak orang nyebrang karena bener2 gelap, baru keliatan pas udah deket. Untung masih sempat ngerem.",
    ],
    "transportasi": [
        "Sy kerja pakai bus, tiap hari harus berangkat sejam lebih awal karena ga pasti busnya datang. Pernah nunggu 50 menit, akhirnya naik ojol & telat, dipotong gaji.",
        "Anak sy hampir keserempet motor waktu nyebrang di situ, karena mobil2 parkir sampai tikungan & pengendara ga bisa liat pejalan kaki.",
    ],
    "air": [
        "Istri sy tiap malam bangun jam 1 buat nampung air di ember & drum, pagi2 udah capek duluan. Anak2 mandi pakai air galon kalau tampungan habis. Sebulan kami bisa habis 300rb cuma buat beli air.",
        "Sy buka usaha laundry kecil di rumah, sejak air PDAM ga lancar sy terpaksa nolak pelanggan. Penghasilan turun jauh.",
    ],
    "listrik": [
        "Anak sy kelas 6 mau ujian, tiap malam belajar pakai lampu emergency yg cuma tahan 2 jam. Kulkas sy udah rusak, sayur & ikan busuk semua.",
        "Sy jualan es & frozen food, tiap listrik padam lama dagangan sy cair semua. Bulan ini rugi hampir sejuta.",
    ],
    "kependudukan": [
        "Sy udah 4 kali izin kerja buat ngurus ini, atasan sy udah mulai ngomel. Tiap dateng ada aja syarat baru yg sebelumnya ga disebut.",
        "Gara2 data ini belum beres, anak sy ga bisa didaftarin BPJS & sekolah nanya terus. Sy bingung harus ke mana lagi.",
    ],
    "pajak": [
        "Sy pensiunan, penghasilan cuma dari uang pensiun. Kalau pajaknya naik segitu, sy harus pilih bayar pajak atau beli obat darah tinggi sy.",
        "Sy udah bayar tepat waktu tiap tahun, ga pernah nunggak. Kok malah sy yg dipersulit & disuruh bolak-balik buktiin.",
    ],
    "kesehatan": [
        "Ibu sy udah 70 tahun, duduk dari subuh sampai siang di kursi plastik, pulang2 kakinya bengkak. Sy ngerti pasiennya banyak, tapi lansia mestinya ada prioritas.",
        "Anak sy demam tinggi 3 hari, sy bawa ke puskesmas malam2, dokternya ga ada, cuma dikasih parasetamol & disuruh pulang. Besoknya dia harus dirawat di RS karena DBD.",
    ],
    "pendidikan": [
        "Anak sy sampai nangis ga mau berangkat sekolah karena namanya disebut di depan kelas belum bayar. Sy buruh harian, penghasilan ga tentu, tapi sy pengen dia tetap sekolah.",
        "Sy udah ngomong baik2 ke wali kelas & komite, jawabannya 'sudah kesepakatan'. Kesepakatan siapa, sy ga pernah diajak rapat.",
    ],
    "sosial": [
        "Suami sy kerja serabutan, kadang seminggu ga dapat kerjaan. Anak sy 3, yg besar mau masuk SMP. Kami tinggal di kontrakan 1 kamar. Sy ga minta macam2, cuma pengen didata dengan benar.",
        "Sy udah bolak balik ke desa, ke kecamatan, ke dinsos. Tiap tempat nyuruh ke tempat lain. Ongkos bolak baliknya aja udah lebih dari bantuannya.",
        "Yang bikin sy sedih, tetangga yg rumahnya bagus & punya mobil malah dapat. Kami yg lantainya masih tanah ga pernah disentuh.",
    ],
    "ketertiban": [
        "Bayi sy umur 4 bulan kebangun tiap malam jam 1 gara2 suara itu, istri sy sampai stres & ASI nya berkurang. Sy udah negur baik2, malah dibilang 'ga usah rese'.",
        "Ibu sy punya penyakit jantung, dokter bilang harus istirahat cukup. Tiap malam dia ga bisa tidur. Sy takut kenapa2.",
    ],
    "bencana": [
        "Sy nulis ini sambil gendong anak di atas meja, air udah masuk dapur & kamar. Tetangga2 teriak2 minta tolong. Kami ga tau harus lari ke mana.",
        "Suara gemuruhnya kedengeran dari tadi, warga udah keluar rumah semua, tapi lansia & orang sakit susah dievakuasi. HP sinyal putus2.",
    ],
    "pelayanan": [
        "Sy udah datang 4 kali, tiap kali jawabannya beda2. Terakhir ada yg nawarin 'bisa dibantu biar cepet' asal ada uang rokoknya. Sy tolak, dan sampai sekarang berkas sy ga jelas.",
        "Sy sampai cuti 3 hari cuma buat urusan ini. Kalau memang prosesnya begitu, mbok ya ditulis jelas di depan supaya warga ga bolak balik.",
    ],
    "ekonomi": [
        "Sy udah jualan di pasar ini 20 tahun lebih, belum pernah seberat sekarang. Sehari kadang cuma laku 30rb, padahal retribusi & listrik jalan terus.",
        "Kami petani cuma bisa pasrah, modal tanam udah keluar, hasilnya ga nutup. Utang ke koperasi numpuk.",
    ],
    "lainnya": [
        "Fasilitas itu dulu dibangun pakai uang rakyat & diresmikan rame2, sekarang dibiarkan rusak. Sayang banget, padahal warga butuh.",
        "Anak2 sekolah & warga sering pakai tempat itu, sekarang pada pindah karena ga bisa dipakai lagi.",
    ],
}

# details: category or "*" -> short frustrated sentences
D = {
    "*": [
        "udah lapor ke RT & kelurahan tp ga ada tindakan",
        "udah 3x lapor di aplikasi, statusnya cuma 'diterima'",
        "tiap hari sy lewat situ, makin lama makin parah",
        "warga udh iuran buat benerin sementara tp ga kuat",
        "anak2 sekolah tiap pagi lewat situ",
        "katanya udah masuk anggaran tahun ini, buktinya mana",
        "kemarin ada petugas foto2 terus pulang, ga balik lagi",
        "jangan nunggu ada korban dulu baru bergerak",
        "kami ini bayar pajak lho min",
        "sy punya foto & videonya kalo diperlukan",
        "ini bukan sekali dua kali, udah dari tahun lalu",
        "warga udah capek ngeluh di grup WA",
        "tolong jangan cuma dibales template 'akan kami teruskan'",
        "pas kampanye janjinya mau diberesin semua",
        "tetangga2 juga ngerasain hal yg sama",
        "udah sempet viral di FB tapi tetep aja",
        "sy sampe cuti kerja buat ngurus ini",
        "ini kan pelayanan dasar, masa harus nunggu viral",
        "minggu lalu udah dicek katanya, tapi ya gitu2 aja",
        "warga lain takut lapor, makanya sy yg lapor",
        "sy cuma pengen hak sy sebagai warga",
        "orang tua sy udah sepuh, kasian kalo harus bolak balik",
        "di desa sebelah udah beres, desa kami kok dianaktirikan",
        "petugasnya saling lempar, dinas A bilang urusan dinas B",
        "sy nulis ini sambil nahan emosi, maaf kalo kasar",
        "kalo malem ga keliatan sama sekali, bahaya buat yg belum tau",
        "udah pernah diberitain koran lokal juga, tetep ga ada perubahan",
        "pak RT udah bikin surat ke kelurahan sebulan lalu",
        "yg jadi korban ya warga kecil kayak kami",
        "katanya nunggu perubahan anggaran, sampai kapan?",
        "dulu pernah dibenerin, cuma tahan 2 bulan",
        "sy udah ke kantornya langsung, disuruh nulis di buku tamu doang",
        "mohon yg berwenang turun langsung ke lapangan, jangan cuma lihat foto",
        "warga udah kumpulin tanda tangan 60 KK",
        "sy sebagai warga cuma bisa lapor lewat sini",
        "kalo dibiarin terus nanti makin mahal benerinnya",
        "lokasinya gampang kok dicari, tanya aja warung deket situ",
        "terakhir dicek petugas katanya 'nanti dijadwalkan'",
        "ini udah masuk bulan ketiga",
        "sy bukan cari sensasi, beneran butuh penanganan",
        "tolong diprioritaskan, banyak lansia di sini",
        "semua orang di kampung udah tau, kecuali yg berwenang kayaknya",
        "jujur sy kecewa, padahal sy pendukung pemkab",
        "ada tetangga yg sampe sakit gara2 ini",
        "kami udah swadaya sebisanya tp ini di luar kemampuan warga",
        "nomor pengaduan yg di spanduk ga pernah diangkat",
        "sy tag akun ini krn lapor ke bawah ga pernah nyampe",
        "katanya tunggu musrenbang, musrenbang udah lewat 2x",
        "anak sy tanya kenapa ga dibenerin2, sy bingung jawabnya",
        "tiap ada kunjungan pejabat baru deh buru2 dirapiin",
        "mohon maaf kalo salah alamat, sy ga tau harus lapor kemana",
        "kalo perlu sy anter petugasnya ke lokasi",
        "udah kebiasaan kayaknya, ga ada yg ngerasa bertanggung jawab",
        "sekedar info, ini jalur yg dipake anak sekolah & pasar",
        "makanya warga jadi males lapor, percuma",
        "pas pilkada aja rajin dateng, sekarang ga ada yg nongol",
        "dari subuh sampe malem kondisinya sama",
        "sy udah kirim foto ke email pengaduan, ga ada balasan",
        "tolong kabari progresnya ya min biar warga tenang",
        "kami cuma minta kepastian kapan",
    ],
    "jalan": [
        "minggu kemarin ada pengendara motor jatuh sampe patah tangan",
        "truk pasir tiap hari lewat, jalannya ga kuat",
        "ambulans aja jalannya pelan banget krn lubang",
    ],
    "drainase": [
        "kalo hujan deres air masuk teras rumah",
        "nyamuknya ampun2an, tetangga ada yg kena DBD",
        "baunya nyengat sampai ke dalam rumah",
    ],
    "sampah": ["lalat sampe masuk ke makanan", "tikus2 gede pada keluar malem", "malu kalo ada tamu dateng"],
    "lingkungan": [
        "kalo angin sore kenceng warga takut keluar rumah",
        "sumur warga ikut tercemar",
        "udah ada dahan yg jatuh kena motor",
    ],
    "penerangan": [
        "jambret & begal makin sering kejadian",
        "cewek2 pulang kerja pada takut lewat",
        "udah ada yg nabrak lubang krn gelap",
    ],
    "transportasi": [
        "tiap pagi macet sampe 1 km",
        "hampir ada tabrakan tadi pagi",
        "pengendara pada nyerobot jalur",
    ],
    "air": [
        "terpaksa beli air galon buat mandi",
        "tagihan tetep jalan padahal air ga ngalir",
        "anak2 sekolah ga mandi",
    ],
    "listrik": ["kulkas & TV udah rusak", "dagangan es sy cair semua", "anak2 belajar pake lilin"],
    "kependudukan": [
        "sy butuh buat daftar kerja",
        "anak sy mau daftar sekolah ga bisa krn itu",
        "katanya sistem offline terus",
    ],
    "pajak": [
        "sy rakyat kecil, ga sanggup bayar segitu",
        "mau ngajuin keberatan ga ngerti caranya",
        "denda jalan terus",
    ],
    "kesehatan": [
        "pasien lansia duduk di lantai nunggu",
        "kami pakai BPJS tapi tetep disuruh bayar",
        "anak sy panas tinggi 3 hari",
    ],
    "pendidikan": [
        "yg ga bayar namanya dibacain di kelas",
        "anak sy sampe malu berangkat sekolah",
        "kami orang tua ga pernah diajak rapat",
    ],
    "sosial": [
        "padahal kami keluarga ga mampu, suami buruh harian",
        "NIK & KK kami udah sesuai dukcapil",
        "pendampingnya ga bisa dihubungi",
    ],
    "ketertiban": [
        "bayi sy kebangun tiap malem",
        "ditegur malah nantang",
        "warga takut krn katanya ada backing",
    ],
    "bencana": ["butuh bantuan SEKARANG", "listrik mati & sinyal susah", "warga ngungsi ke masjid"],
    "pelayanan": [
        "pelayanan publik kok kayak gini",
        "sy ga mau pake calo",
        "ujung2nya minta duit 'seikhlasnya'",
    ],
    "ekonomi": ["buat makan aja susah", "petani udah mau tanam", "kami punya anak2 yg sekolah"],
    "lainnya": [
        "padahal itu fasilitas umum",
        "dulu bagus, skrg terbengkalai",
        "warga pengen bisa dipakai lagi",
    ],
}

OPENINGS = [
    "{a} min",
    "{a} min tolong",
    "Selamat pagi {a},",
    "selamat siang min {a}",
    "Assalamualaikum {a},",
    "{a} lapor min,",
    "{a} izin lapor,",
    "{a} pak/bu mohon maaf,",
    "Bapak Gubernur yth, {a}",
    "{a} pak bupati/wali kota yth,",
    "salam min {a},",
    "{a} punten min,",
    "{a} halo min,",
    "{a}",
    "min {a} mau tanya,",
    "{a} mohon infonya,",
    "{a} mau nanya min,",
    "nyuwun sewu {a},",
    "{a} sugeng enjing min,",
    "{a} permisi min,",
    "RT @{h}: {a}",
    "{a} {a2}",
]
CLOSINGS = [
    "semoga segera ditangani 🙏",
    "mohon segera",
    "tolong ditindaklanjuti min",
    "terima kasih 🙏",
    "makasih min",
    "mohon perhatiannya",
    "matur nuwun 🙏",
    "mohon segera diperbaiki",
    "tolong lah 😭",
    "gimana ini min?",
    "kapan diberesin?",
    "semoga cepet ada solusi",
    "ditunggu tindakannya",
    "salam dari warga yg sabar 🙂",
    "makasih sebelumnya",
    "mohon infonya ya min",
    "🙏🙏",
    "😤😤",
    "mohon dibantu",
    "bagaimana solusinya min",
    "jangan cuma diread",
    "",
]
QUESTION_FRAMES = [
    "mau tanya min, {b}, harus lapor ke mana ya",
    "bagaimana prosedurnya biar ditangani, soalnya {b}",
    "mohon infonya, {b}, kapan ada penanganan",
    "mau nanya dong, {b}. itu urusannya dinas apa",
    "gmn caranya ngajuin perbaikan, {b}",
    "min mohon informasinya, {b}, apa sudah ada jadwal",
    "kira2 kapan ya diurus, {b}",
]
WA_FRAMES = [
    'Diteruskan dari grup WA warga:\n\n"{body}"\n\nmohon ditindaklanjuti min',
    "copas dari grup RT biar jelas:\n\n{body}",
    "*INFO WARGA*\n{body}\n\nmohon bantu sampaikan ke dinas terkait 🙏",
    "Bapak/Ibu yth, saya ingin menyampaikan keluhan warga:\n{body}\nAtas perhatiannya kami ucapkan terima kasih.",
]
HANDLE_PARTS = ["warga", "arek", "mas", "mbak", "cah", "wong", "kang", "dulur"]
HANDLE_TAILS = ["smg", "solo", "jtg", "kidul", "lor", "ngapak", "pantura", "gunung"]
NAMES = [
    "Sri Wahyuni",
    "Bambang S.",
    "Dwi Lestari",
    "Agus Prasetyo",
    "Yuni Astuti",
    "Slamet Riyanto",
    "Eko Budi",
    "Rina Kusuma",
    "Joko Susilo",
    "Nur Hidayah",
    "Wahyu Aji",
    "Tri Handayani",
]

# --------------------------------------------------------------------------
# non-report parts
# --------------------------------------------------------------------------
SPAM_PITCH = [
    "kerja online dari rumah, cuma modal HP",
    "pinjaman dana cair 30 menit tanpa jaminan",
    "slot gacor malam ini pasti maxwin",
    "jual kavling murah SHM siap bangun",
    "jasa naikin followers & like real aktif",
    "investasi emas digital profit harian",
    "lowongan kerja kapal pesiar gaji dolar, tanpa pengalaman",
    "obat herbal pelangsing 7 hari turun 5 kg",
    "paket umroh promo cuma 19 juta",
    "jasa bikin SIM tanpa tes",
    "arisan online untung 100%",
    "jual akun premium streaming murah meriah",
    "kredit motor DP 500rb langsung bawa pulang",
    "bisnis reseller skincare tanpa modal",
    "togel online resmi diskon terbesar",
    "part time admin medsos penghasilan jutaan",
    "jual HP second mulus garansi",
    "top up diamond murah 24 jam",
    "gadai sertifikat & BPKB bunga ringan",
    "jasa joki tugas & skripsi kilat",
    "jual madu asli hutan Jateng",
    "casino live dealer online 24 jam",
    "mesin cuci & kulkas cicilan tanpa kartu kredit",
    "penerimaan pegawai BUMN jalur khusus tanpa tes",
    "pulsa & kuota murah semua operator",
    "pesugihan putih tanpa tumbal",
    "sedot WC murah se-Semarang raya",
    "jual tanah sawah pinggir jalan provinsi",
    "open donasi pembangunan panti ke rekening pribadi pengurus",
    "bimbel masuk PTN dijamin lolos",
]
SPAM_HOOK = [
    "penghasilan 500rb-2jt per hari",
    "cair tiap hari ke dana/ovo",
    "bonus new member 100%",
    "ga perlu pengalaman",
    "slot terbatas!!",
    "dijamin legal & aman",
    "terbukti sudah ribuan member",
    "bisa dicicil",
    "proses cepat 1 jam",
    "deposit mulai 10rb",
    "tanpa BI checking",
    "gratis ongkir se-Jateng",
    "langsung cair hari ini",
    "modal kecil untung besar",
    "aman tanpa survey",
    "promo cuma minggu ini",
    "testimoni real no tipu2",
    "admin fast respon",
    "bisa COD Semarang & Solo",
    "WD berapapun dibayar",
    "kuota terbatas buruan",
    "100% amanah",
]
SPAM_CTA = [
    "minat chat WA {p}",
    "hub {p}",
    "klik link di bio 👆",
    "DM aja kak 🙏",
    "info lanjut WA {p}",
    "daftar sekarang di bit.ly/cuan{n}",
    "wa.me/{pp}",
    "cek profil ya kak",
]
PRAISE_WHAT = {
    "jalan": [
        "jalan kampung kami udah diaspal mulus",
        "jembatan desa udah dibangun lagi",
        "lubang di jalan raya udah ditambal rapi",
        "trotoar baru udah jadi & lebar",
        "jalan desa udah dicor sampai ujung",
        "jembatan gantung udah diganti papan baru",
    ],
    "penerangan": [
        "lampu jalan udah nyala semua",
        "PJU baru dipasang di gang kami",
        "lampu taman udah diganti LED terang",
        "PJU di tikungan udah dipasang",
    ],
    "sampah": [
        "sampahnya udah diangkut bersih",
        "TPS udah dipindah & dibersihin",
        "truk sampah skrg dateng tiap hari",
        "sampah di pinggir kali udah dibersihin",
    ],
    "air": [
        "air PDAM udah lancar lagi",
        "pipa bocor udah ditambal cepet",
        "tagihan PDAM yg salah udah dikoreksi",
    ],
    "listrik": [
        "listrik udah nyala lagi",
        "kabel yg menjuntai udah dirapiin",
        "tiang listrik miring udah diganti",
    ],
    "kependudukan": [
        "KTP sy jadi cuma sehari",
        "akta anak sy jadi lewat online",
        "perekaman KTP keliling dateng ke desa",
    ],
    "kesehatan": [
        "pelayanan puskesmas skrg cepet & ramah",
        "ambulans desa dateng 10 menit",
        "fogging udah dilakukan di RW kami",
    ],
    "drainase": [
        "selokan udah dikeruk, ujan kemaren ga banjir",
        "gorong2 udah dibuka lagi",
        "pompa rob udah jalan 24 jam",
    ],
    "lingkungan": [
        "pohon yg miring udah dipangkas",
        "taman kota skrg rapi",
        "pohon tumbang kemaren cepet dievakuasi",
        "ranting yg nyentuh kabel udah dipangkas bareng PLN",
        "taman bermain anak udah dicat & diperbaiki",
    ],
}
PRAISE_OPEN = [
    "makasih min",
    "terima kasih banyak",
    "matur nuwun sanget",
    "salut buat petugasnya",
    "alhamdulillah",
    "respect buat pemkab",
    "top markotop",
    "keren min",
]
PRAISE_TAIL = [
    "sehat selalu buat petugasnya 🙏",
    "pertahankan ya 👍",
    "semoga makin baik ke depannya",
    "warga seneng bgt",
    "gercep 👏👏",
    "❤️",
    "pelayanannya mantap",
    "jadi bangga sama kota sendiri",
]
OPEN_PROBLEM = {
    "jalan": [
        "tp jalan di ujung gang masih bolong2",
        "tp trotoar depan pasar masih ambles",
        "tp jembatan kecil dekat makam belum diperbaiki",
    ],
    "penerangan": [
        "tp lampu jalan di pertigaan masih mati",
        "tp PJU di tikungan dekat sawah belum nyala",
        "tp lampu gang sebelah masih kedip2",
    ],
    "sampah": [
        "tp sampah di pasar masih numpuk",
        "tp TPS dekat SD masih luber",
        "tp sampah di pinggir kali belum diangkut",
    ],
    "drainase": [
        "tp got depan masjid masih mampet",
        "tp gorong2 dekat pertigaan masih ketutup lumpur",
        "tp genangan di depan sekolah belum surut",
    ],
    "air": [
        "tp airnya sekarang jadi keruh",
        "tp tekanan airnya masih kecil banget",
        "tp meteran air sy masih muter sendiri",
    ],
    "listrik": [
        "tp listrik masih sering mati malem2",
        "tp tegangan masih naik turun",
        "tp tiang di ujung gang masih miring",
    ],
    "kesehatan": [
        "tp obat di puskesmas masih sering kosong",
        "tp antrian BPJS di RS masih dari subuh",
        "tp posyandu lansia belum jalan lagi",
    ],
    "kependudukan": [
        "tp KK sy yg diajuin bareng belum jadi",
        "tp KIA anak sy belum dicetak",
        "tp data NIK ibu sy masih belum padan",
    ],
    "lingkungan": [
        "tp pohon yg di depan SD belum dipangkas",
        "tp dahan kering di atas jalan raya masih nggantung",
        "tp bau limbah pabrik masih nyengat tiap malem",
    ],
}

GAZ_RE = re.compile(r"\s+")


def load_codes() -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    with open(WILAYAH / "regencies.csv", encoding="utf-8") as f:
        regencies = {r["name"]: r["id"] for r in csv.DictReader(f)}
    with open(WILAYAH / "districts.csv", encoding="utf-8") as f:
        districts = {(r["regency_id"], r["name"]): r["id"] for r in csv.DictReader(f)}
    return regencies, districts


class Pool:
    """Hands out parts at random, each at most MAX_USES times."""

    def __init__(self, rng: random.Random, items: list, limit: int = MAX_USES):
        self.rng, self.items, self.limit = rng, list(items), limit
        self.used = [0] * len(self.items)

    def take(self, exclude: frozenset | set = frozenset()):
        """A part not yet used MAX_USES times and, when possible, not already in this post."""
        free = [i for i, n in enumerate(self.used) if n < self.limit]
        if not free:
            raise RuntimeError("part pool exhausted")
        fresh = [i for i in free if self.items[i] not in exclude]
        i = self.rng.choice(fresh or free)
        self.used[i] += 1
        return self.items[i]

    def left(self) -> int:
        return sum(self.limit - n for n in self.used)


def export_form(text: str, rng: random.Random) -> str:
    """What other complaint systems export: lower case, no punctuation or emoji, numbers as a token."""
    token = rng.choice(["<angka>", "NUM", "<num>", "[angka]"])
    t = re.sub(r"@\w+", " ", text.lower())
    t = re.sub(r"\d+([.,]\d+)*", f" {token} ", t)
    t = t.replace("2an", " ").replace("2", " ")  # reduplication marks like "bolong2"
    t = re.sub(r"[^\w<>\[\] ]+", " ", t)
    t = t.replace("_", " ")
    return GAZ_RE.sub(" ", t).strip()


def make_phone(rng: random.Random) -> str:
    d = "".join(rng.choice("0123456789") for _ in range(8))
    pre = rng.choice(["0812", "0813", "0857", "0878", "0896", "0821", "0852"])
    return rng.choice([f"{pre}-{d[:4]}-{d[4:]}", f"{pre}{d}", f"{pre} {d[:4]} {d[4:]}", f"+62{pre[1:]}{d}"])


def compose(count: int) -> list[dict]:
    rng = random.Random(SEED)
    regencies, districts = load_codes()
    places = []
    for phrase, reg_name, kec in PLACES:
        reg = regencies[reg_name]
        dist = districts[(reg, kec)] if kec else None
        places.append((phrase, reg, dist))
    bodies = {c: Pool(rng, items) for c, items in B.items()}
    details = {c: Pool(rng, items, limit=MAX_USES) for c, items in D.items()}
    stories = {c: Pool(rng, items) for c, items in S.items()}
    openings = OPENINGS
    spam = (Pool(rng, SPAM_PITCH), Pool(rng, SPAM_HOOK))
    praise = Pool(rng, [(c, w) for c in sorted(PRAISE_WHAT) for w in PRAISE_WHAT[c]])
    still_open = {c: Pool(rng, items) for c, items in OPEN_PROBLEM.items()}
    cats = sorted(B)
    out: list[dict] = []
    n_reports = round(count * 0.72)
    for i in range(count):
        pii: list[dict] = []
        register = "informal"
        if i < n_reports:
            cat = cats[i % len(cats)]
            if bodies[cat].left() == 0:
                cat = max(cats, key=lambda c: bodies[c].left())
            body, urgent = bodies[cat].take()
            if rng.random() < NO_PLACE_SHARE:
                phrase, reg, dist = "", None, None
            else:
                phrase, reg, dist = rng.choice(places)
            main = body.format(p=phrase)
            acct = CATEGORY_ACCOUNT.get(cat) if rng.random() < 0.3 else None
            acct = acct or (ACCOUNT[reg] if reg and rng.random() < 0.7 else rng.choice(GENERIC_ACCOUNTS))
            style = rng.random()
            opening = rng.choice(openings)
            asks = "tanya" in opening or "info" in opening
            parts = [main]
            used = {body}
            n_det = rng.choice([1, 1, 2, 2, 3, 4]) if style > 0.3 else rng.choice([4, 5, 6])
            for _ in range(n_det):
                pool = details[cat] if rng.random() < 0.4 and details[cat].left() else details["*"]
                if pool.left():
                    detail = pool.take(used)
                    if detail not in used:
                        parts.append(detail)
                        used.add(detail)
            if style < 0.3 and bodies[cat].left():
                second, urg2 = bodies[cat].take({(body, urgent)})
                if second != body:
                    parts.insert(1, "selain itu " + second.format(p=""))
                    urgent = urgent or urg2
            if not urgent and not asks and rng.random() < 0.2:
                parts[0] = rng.choice(QUESTION_FRAMES).format(b=main)
            sep = rng.choice([". ", ", ", ". ", ".. ", "\n", " - "])
            core = sep.join(parts)
            if (style < 0.45 or style > 0.93) and stories[cat].left():
                core += "\n\n" + stories[cat].take()
            if rng.random() < 0.12:
                name = rng.choice(NAMES)
                core += f". Pelapor: {name}"
                if rng.random() < 0.6:
                    ph = make_phone(rng)
                    core += f" ({ph})"
                    pii.append({"kind": "phone", "value": ph})
            if cat == "sosial" and rng.random() < 0.3:
                nik = "33" + "".join(rng.choice("0123456789") for _ in range(14))
                label = rng.choice(["NIK", "nik", "NIK ibu", "no NIK"])
                core += f". {label} {nik}"
                pii.append({"kind": "nik", "value": nik})
            handle = None
            if "{h}" in opening:
                handle = f"{rng.choice(HANDLE_PARTS)}_{rng.choice(HANDLE_TAILS)}{rng.randint(1, 99)}"
            text = opening.format(a=acct, a2=rng.choice(GENERIC_ACCOUNTS), h=handle or "")
            if handle and style <= 0.93:
                pii.insert(0, {"kind": "handle", "value": "@" + handle})
            closing = rng.choice(CLOSINGS)
            for _ in range(5):
                if not (asks and "info" in closing):
                    break
                closing = rng.choice(CLOSINGS)
            if style > 0.93:
                text = f"{acct} " + rng.choice(WA_FRAMES).format(body=core)
            else:
                text = f"{text} {core}. {closing}".strip()
            if urgent:
                text = text.replace("semoga segera ditangani", "TOLONG CEPAT")
            kind, category = "report", cat
            lang = "id"
            if rng.random() < 0.12 and not pii:
                text, register = export_form(text, rng), "exported"
        else:
            urgent, reg, dist = False, None, None
            which = rng.random()
            if which < 0.4:
                ph = make_phone(rng)
                cta = rng.choice(SPAM_CTA)
                val = ph if "{p}" in cta else ("62" + ph.lstrip("+")[-11:] if "{pp}" in cta else None)
                cta = cta.format(p=ph, pp=val or "", n=rng.randint(10, 99))
                text = f"{rng.choice(GENERIC_ACCOUNTS + list(ACCOUNT.values()))} {spam[0].take()}, {spam[1].take()}! {cta}"
                if val:
                    pii.append({"kind": "phone", "value": val})
                kind = "spam"
            else:
                cat, what = praise.take()
                phrase, reg, dist = rng.choice(places) if rng.random() < 0.6 else ("", None, None)
                acct = ACCOUNT[reg] if reg else rng.choice(GENERIC_ACCOUNTS)
                thanks = f"{acct} {rng.choice(PRAISE_OPEN)}, {what}{phrase}"
                if which > 0.85 and still_open[cat].left():
                    text, kind = f"{thanks}, {still_open[cat].take()}. mohon dicek juga 🙏", "report"
                else:
                    text, kind = f"{thanks}. {rng.choice(PRAISE_TAIL)}", "praise"
            category = cat if kind == "report" else None
            lang = "id"
        out.append(
            {
                "text": text,
                "is_report": kind == "report",
                "kind": kind,
                "category": category,
                "regency": reg,
                "district": dist,
                "urgent": bool(urgent) if kind == "report" else False,
                "pii": pii,
                "x_place": None,
                "lang": lang,
                "register": register,
                "origin": "composed",
            }
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=500)
    args = ap.parse_args()
    written = []
    if CORPUS.exists():
        written = [
            ln
            for ln in CORPUS.read_text(encoding="utf-8").splitlines()
            if json.loads(ln)["origin"] != "composed"
        ]
    posts = compose(args.count)
    seen = {json.loads(ln)["text"] for ln in written}
    lines = list(written)
    n = FIRST_ID
    for p in posts:
        if p["text"] in seen:
            continue
        seen.add(p["text"])
        lines.append(json.dumps({"id": f"i-{n:05d}", **p}, ensure_ascii=False))
        n += 1
    CORPUS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(written)} written + {n - FIRST_ID} composed posts -> {CORPUS}")


if __name__ == "__main__":
    main()
