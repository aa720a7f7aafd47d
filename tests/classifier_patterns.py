"""Our own posts for the eight patterns of issue 10 (how citizens really write to government).

Written for these tests; never copied from a dataset. Each entry: (text, category)
for reports, (text, kind) for non-reports. Not part of any training file.
"""

from __future__ import annotations

# 1. Requests for information or procedure about a public service are reports of its topic.
QUESTION_FRAMED = [
    ("mau tanya pak, syarat pengurusan akta kelahiran anak apa saja ya", "kependudukan"),
    ("mohon informasinya kapan bantuan PKH tahap 3 dicairkan", "sosial"),
    ("bagaimana prosedur pengajuan perbaikan jalan lingkungan yang berlubang di RT kami", "jalan"),
    ("izin bertanya, kenapa air PDAM di perumahan kami tidak mengalir sejak kemarin", "air"),
    ("mau tanya min pendaftaran PPDB jalur zonasi SMP negeri dibukanya kapan", "pendidikan"),
    ("mohon info jadwal pengambilan sampah di kelurahan kami, sudah 5 hari tidak diambil", "sampah"),
]
# Questions that ask nothing of a public service stay questions or chatter.
NOT_SERVICE_QUESTIONS = [
    "kalau main ke Semarang enaknya kuliner apa ya gaes?",
    "ada yang tau lagu yang diputar di video ini judulnya apa?",
]

# 2. Polite closings are courtesy, not praise.
POLITE_CLOSINGS = [
    ("lampu PJU di gang Kenanga mati sudah seminggu. terima kasih", "penerangan"),
    (
        "sampah di TPS pasar menumpuk dan bau, mohon segera ditangani. terima kasih atas perhatiannya",
        "sampah",
    ),
    ("saluran air depan SD tersumbat tiap hujan meluap, semoga segera selesai. matur nuwun", "drainase"),
    ("mohon cepat ditangani pak, pipa PDAM bocor di depan masjid. terima kasih banyak", "air"),
]

# 3. The formal register: "izin lapor", "dengan hormat", letters with names, dates and addresses.
FORMAL = [
    (
        "Dengan hormat, izin lapor Bapak/Ibu. Jalan di Desa Sukorejo RT 02 RW 04 berlubang cukup dalam "
        "dan membahayakan pengendara. Mohon ditindaklanjuti. Hormat kami, warga.",
        "jalan",
    ),
    (
        "izin lapor, pembuatan KTP-el di kantor kecamatan sangat lambat, sudah 2 bulan belum jadi",
        "kependudukan",
    ),
    (
        "Yth. Bapak Bupati Kendal\n\nDengan hormat,\nSaya yang bertanda tangan di bawah ini, Sutrisno, "
        "warga Jl. Kenari No. 7 RT 005 RW 002, Kelurahan Langenharjo, Kecamatan Kendal, menyampaikan "
        "bahwa sejak tanggal 3 November 2026 aliran listrik di lingkungan kami padam hampir setiap malam "
        "selama 3 sampai 4 jam. Sudah kami laporkan ke kantor PLN setempat namun belum ada perbaikan.\n\n"
        "Demikian laporan ini kami sampaikan. Atas perhatian Bapak kami ucapkan terima kasih.\n\nHormat kami,"
        "\nSutrisno",
        "listrik",
    ),
    (
        "dengan hormat, mohon ditindaklanjuti pungutan liar oleh oknum petugas di kantor kelurahan",
        "pelayanan",
    ),
]

# 4. Addresses are not topics: Jl./kecamatan/kelurahan/RT RW in an address.
ADDRESSES = [
    ("Saya warga Jl. Melati No. 12 RT 03/RW 05 Kel. Sendangmulyo, air PDAM tidak mengalir 3 hari", "air"),
    ("Kecamatan Tembalang, Kelurahan Bulusan, RT 04 RW 01: sampah tidak diangkut seminggu", "sampah"),
    ("alamat Jln. Pemuda 45 dekat kantor camat, pasien puskesmas ditolak karena kartu BPJS", "kesehatan"),
    ("RT 06 RW 03 Desa Wonorejo, listrik sering padam sejak seminggu terakhir", "listrik"),
]

# 5. Domains the first vocabulary missed.
DOMAINS = [
    ("bantuan BPNT bulan ini belum kami terima, padahal sudah terdaftar di DTKS", "sosial"),
    ("kami masyarakat berpenghasilan rendah tidak pernah dapat BLT, tolong didata ulang", "sosial"),
    ("suara sound system hajatan sampai jam 2 pagi sangat mengganggu warga", "ketertiban"),
    ("aplikasi pendaftaran online tidak bisa login, kode OTP tidak pernah masuk", "pelayanan"),
    (
        "akun saya di aplikasi layanan pemkot terblokir setelah verifikasi gagal, password sudah direset",
        "pelayanan",
    ),
    ("lamaran PPPK saya ditolak padahal formasi sesuai, rekrutmen tidak transparan", "pelayanan"),
    ("ATM bank daerah di depan pasar rusak terus, kartu nasabah tertelan", "ekonomi"),
    ("mohon pangkas ranting pohon di taman yang sudah menyentuh kabel", "lingkungan"),
    ("banyak anjing liar berkeliaran di kompleks perumahan, anak-anak takut keluar", "ketertiban"),
    ("bangunan liar berdiri di atas saluran irigasi tanpa izin", "ketertiban"),
    # an aid complaint that names NIK/KK is social aid, not civil registration
    ("bantuan PKH kami dihentikan padahal NIK dan KK sudah terdaftar di DTKS", "sosial"),
]

# 6. Spam and politics cues inside real complaints.
CUES_INSIDE = [
    ("penghasilan saya tidak cukup, bantuan BLT belum cair sampai sekarang", "sosial"),
    ("Bapak Gubernur, jalan provinsi Purwodadi-Blora rusak parah mohon segera diperbaiki", "jalan"),
    ("selamat pagi pak, mau lapor lampu jalan di gang kami mati semua", "penerangan"),
    ("salam, petani mau jual hasil panen tapi pasar desa ditutup tanpa pemberitahuan", "ekonomi"),
    ("Assalamualaikum Bapak Bupati, sampah di bantaran sungai menumpuk, mohon dibersihkan", "sampah"),
]

# 7. Text exported by other complaint systems: lower-cased, stemmed, no punctuation, numbers replaced.
EXPORTED = [
    ("jalan rusak lubang dalam di desa karang rt num rw num mohon baik", "jalan"),
    ("air pdam tidak alir sudah num hari", "air"),
    ("sampah tumpuk tidak angkut sudah num minggu bau", "sampah"),
    ("lampu jalan mati gelap rawan begal", "penerangan"),
    ("ktp el belum jadi sudah num bulan urus di dukcapil", "kependudukan"),
]

# 8. Routing that differs between deployments (learned from corrections, see the tests).
TREE_ON_LINES = [
    "ranting pohon besar sudah menyentuh kabel listrik di depan rumah, takut korslet",
    "pohon di pinggir jalan condong ke kabel listrik, mohon dipangkas sebelum putus",
    "dahan pohon mangga menimpa kabel listrik warga, kabelnya kendur",
    "tolong pangkas pohon yang menjalar ke kabel listrik di gang kami",
    "cabang pohon menempel di kabel listrik, kalau hujan keluar percikan api",
    "pohon tinggi di lapangan desa ujungnya sudah kena kabel listrik",
    "ranting pohon beringin di perempatan menggesek kabel listrik tiap ada angin",
    "pohon bambu di belakang rumah warga roboh sebagian dan bersandar ke kabel listrik",
    "tolong dahan pohon di depan mushola dipotong, sudah melilit kabel listrik",
    "pohon mahoni tepi jalan desa menyentuh jaringan kabel listrik, lampu rumah sering kedip",
    "kabel listrik di gang kami tertutup daun pohon, takut konslet kalau hujan deras",
    "pohon kelapa tetangga miring ke arah kabel listrik, mohon segera dipangkas",
]
TREE_ON_LINES_NEW = "pohon waru di depan balai desa rantingnya menyentuh kabel listrik, mohon dipangkas"
AID_FOR_PUPILS = [
    "bantuan PIP untuk siswa miskin belum cair, NIK dan KK anak sudah sesuai",
    "anak saya siswa SD dapat KIP tapi dananya belum cair sampai sekarang",
    "beasiswa siswa kurang mampu dari pemkab belum diterima, KK sudah dikumpulkan ke sekolah",
    "bantuan seragam untuk siswa miskin tidak dibagikan merata di sekolah kami",
    "dana PIP anak saya dipotong pihak sekolah, padahal data NIK sudah benar",
    "siswa dari keluarga tidak mampu belum menerima bantuan pendidikan tahun ini",
]
AID_FOR_PUPILS_NEW = "bantuan KIP untuk siswa miskin di SMP kami belum cair padahal NIK sudah diverifikasi"
