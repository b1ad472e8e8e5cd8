package reports

import (
	"strings"

	"cadang/pdfdoc"
)

// errorTexts explain, in Indonesian, the system and engine messages a
// report can carry (they come from the operating system and the backup
// engine in English). Matched by substring, lower case, first match wins.
var errorTexts = []struct {
	match string
	text  pdfdoc.Text
}{
	{"no repository at", pdfdoc.T("repositori tidak ditemukan di lokasinya: share atau disk NAS tidak terpasang? Cadang tidak membuat repositori baru di tempatnya", "no repository at its location: is the share or disk mounted?")},
	{"replaced or the share points elsewhere", pdfdoc.T("repositori di lokasi itu bukan milik pekerjaan ini: diganti, atau share menunjuk ke tempat lain", "another repository is at the job's location")},
	{"refusing to write it in the clear", pdfdoc.T("repositori tidak terenkripsi padahal pekerjaan memakai kata sandi: Cadang menolak menulis tanpa enkripsi", "the repository is not encrypted but the job has a password")},
	{"permission denied", pdfdoc.T("akses ditolak: akun yang menjalankan Cadang tidak berhak membaca atau menulis berkas ini", "permission denied")},
	{"access is denied", pdfdoc.T("akses ditolak: akun yang menjalankan Cadang tidak berhak membaca atau menulis berkas ini", "access is denied")},
	{"sharing violation", pdfdoc.T("berkas sedang dibuka dan dikunci program lain", "sharing violation")},
	{"being used by another process", pdfdoc.T("berkas sedang dibuka dan dikunci program lain", "in use by another process")},
	{"no such file or directory", pdfdoc.T("berkas atau folder tidak ditemukan (terhapus atau dipindahkan)", "no such file or directory")},
	{"vanished", pdfdoc.T("berkas hilang saat back up berjalan", "the file vanished during the backup")},
	{"input/output error", pdfdoc.T("kesalahan baca/tulis pada perangkat penyimpanan (I/O)", "input/output error")},
	{"no space left on device", pdfdoc.T("ruang penyimpanan penuh", "no space left on device")},
	{"read-only file system", pdfdoc.T("lokasi tujuan hanya bisa dibaca (read-only)", "read-only file system")},
	{"content differs from the backup", pdfdoc.T("isi berkas berbeda dari cadangan", "content differs from the backup")},
	{"does not match the snapshot's sha-256", pdfdoc.T("isi berkas hasil restore berbeda dari snapshot (SHA-256 tidak cocok)", "the restored content does not match the snapshot's SHA-256")},
	{"connection refused", pdfdoc.T("koneksi ditolak oleh server tujuan", "connection refused")},
	{"connection reset", pdfdoc.T("koneksi terputus", "connection reset")},
	{"no route to host", pdfdoc.T("server tujuan tidak terjangkau lewat jaringan", "no route to host")},
	{"i/o timeout", pdfdoc.T("waktu habis menunggu jaringan", "network timeout")},
	{"deadline exceeded", pdfdoc.T("waktu habis", "timed out")},
	{"repository is locked", pdfdoc.T("repositori sedang dikunci proses lain; bila tidak ada back up lain yang berjalan, buka kuncinya dengan `cadang unlock`", "repository is locked")},
	{"wrong password", pdfdoc.T("kata sandi repositori salah", "wrong repository password")},
	{"password required", pdfdoc.T("repositori terenkripsi memerlukan berkas kata sandinya", "the encrypted repository needs its password file")},
	{"cancelled", pdfdoc.T("dibatalkan oleh pengguna atau karena program dihentikan", "cancelled")},
	{"canceled", pdfdoc.T("dibatalkan oleh pengguna atau karena program dihentikan", "cancelled")},
	{"not a directory", pdfdoc.T("jalur yang diharapkan berupa folder ternyata berkas", "not a directory")},
	{"is a directory", pdfdoc.T("jalur yang diharapkan berupa berkas ternyata folder", "is a directory")},
	{"checksum", pdfdoc.T("data rusak: checksum tidak cocok", "checksum mismatch")},
	{"corrupt", pdfdoc.T("data di repositori rusak", "repository data is damaged")},
	{"retention:", pdfdoc.T("kebijakan retensi tidak dapat diterapkan pada repositori", "retention could not be applied")},
	{"prune:", pdfdoc.T("data yang tidak terpakai tidak dapat dibersihkan dari repositori", "unused data could not be pruned")},
	{"owners", pdfdoc.T("pemilik berkas tidak dapat dipulihkan (restore tidak dijalankan sebagai root)", "owners not restored")},
}

// ExplainError is an error message for a document in lang: in English
// documents the message itself; in Indonesian ones its explanation in
// Indonesian, with the original message in brackets as the system wrote
// it when Cadang does not know it ("pesan sistem").
func ExplainError(lang pdfdoc.Lang, msg string) string {
	msg = strings.TrimSpace(msg)
	if lang == pdfdoc.English || msg == "" {
		return msg
	}
	low := strings.ToLower(msg)
	for _, e := range errorTexts {
		if strings.Contains(low, e.match) {
			return e.text.ID
		}
	}
	return "kesalahan sistem (pesan asli: «" + msg + "»)"
}
