package main

import (
	"bufio"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

// words make prose and notes that compress like real documents: a
// vocabulary, not repeated sentences.
var words = []string{
	"laporan", "keuangan", "penjualan", "pembelian", "gudang", "stok", "barang", "pelanggan",
	"pemasok", "faktur", "pembayaran", "tagihan", "anggaran", "realisasi", "proyek", "jadwal",
	"rapat", "notulen", "persetujuan", "manajer", "direktur", "staf", "cabang", "kantor",
	"pusat", "wilayah", "bulan", "tahun", "kuartal", "target", "capaian", "selisih", "revisi",
	"dokumen", "prosedur", "kebijakan", "audit", "internal", "eksternal", "sistem", "jaringan",
	"server", "cadangan", "pemulihan", "keamanan", "akses", "pengguna", "sandi", "the", "and",
	"report", "invoice", "payment", "customer", "supplier", "warehouse", "quarter", "budget",
	"approved", "pending", "rejected", "shipment", "delivery", "order", "quantity", "price",
	"discount", "tax", "total", "balance", "account", "ledger", "journal", "entry", "credit",
	"debit", "asset", "liability", "equity", "revenue", "expense", "margin", "forecast",
	"contract", "renewal", "meeting", "minutes", "action", "item", "owner", "deadline", "status",
	"risk", "issue", "change", "request", "incident", "resolved", "escalated", "closed", "open",
	"dengan", "untuk", "dari", "pada", "yang", "akan", "telah", "sudah", "belum", "sesuai",
	"berdasarkan", "terhadap", "sebagai", "dalam", "oleh", "karena", "maka", "serta", "atau",
}

var names = []string{
	"Budi Santoso", "Siti Rahayu", "Agus Wijaya", "Dewi Lestari", "Hendra Gunawan", "Rina Kusuma",
	"Andi Pratama", "Maya Sari", "Joko Susilo", "Putri Handayani", "Eko Saputra", "Lina Marlina",
	"PT Sinar Jaya", "CV Maju Bersama", "PT Karya Abadi", "UD Sumber Rejeki", "PT Nusantara Logistik",
	"Toko Makmur", "PT Bintang Timur", "CV Cahaya Baru", "PT Mitra Sejahtera", "Koperasi Sentosa",
}

var cities = []string{"Jakarta", "Surabaya", "Bandung", "Medan", "Semarang", "Makassar", "Denpasar", "Batam"}

// textWriter appends generated lines to a buffered writer and counts bytes.
type textWriter struct {
	w   *bufio.Writer
	r   *rand.Rand
	n   int64
	buf []byte
}

func newTextWriter(w io.Writer, r *rand.Rand) *textWriter {
	return &textWriter{w: bufio.NewWriterSize(w, 1<<20), r: r, buf: make([]byte, 0, 4096)}
}

func (t *textWriter) flushLine() error {
	t.buf = append(t.buf, '\n')
	n, err := t.w.Write(t.buf)
	t.n += int64(n)
	t.buf = t.buf[:0]
	return err
}

func (t *textWriter) word() string { return words[t.r.IntN(len(words))] }

// sentence appends n words.
func (t *textWriter) sentence(n int) {
	for i := range n {
		if i > 0 {
			t.buf = append(t.buf, ' ')
		}
		t.buf = append(t.buf, t.word()...)
	}
}

// money appends an amount in rupiah with two decimals.
func (t *textWriter) money() {
	t.buf = strconv.AppendInt(t.buf, t.r.Int64N(50_000_000), 10)
	t.buf = append(t.buf, '.')
	t.buf = strconv.AppendInt(t.buf, 10+t.r.Int64N(90), 10)
}

// csvRow appends one row of a sales export; row numbers continue across
// appends so the file stays a valid export.
func (t *textWriter) csvRow(row int64, day time.Time) {
	b := strconv.AppendInt(t.buf, row, 10)
	b = append(b, ',')
	b = day.AppendFormat(b, "2006-01-02")
	b = append(b, ',', '"')
	b = append(b, names[t.r.IntN(len(names))]...)
	b = append(b, '"', ',')
	b = append(b, cities[t.r.IntN(len(cities))]...)
	b = append(b, ",SKU-"...)
	b = strconv.AppendInt(b, 10000+t.r.Int64N(90000), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, 1+t.r.Int64N(500), 10)
	b = append(b, ',')
	t.buf = b
	t.money()
	t.buf = append(t.buf, ',')
	t.sentence(1 + t.r.IntN(4))
}

// logLine appends one application log line at time at.
func (t *textWriter) logLine(at time.Time) {
	levels := [...]string{"INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"}
	b := at.AppendFormat(t.buf, "2006-01-02T15:04:05.000Z07:00")
	b = append(b, ' ')
	b = append(b, levels[t.r.IntN(len(levels))]...)
	b = append(b, " [worker-"...)
	b = strconv.AppendInt(b, t.r.Int64N(16), 10)
	b = append(b, "] req="...)
	b = strconv.AppendUint(b, t.r.Uint64()>>16, 16)
	b = append(b, " user="...)
	b = strconv.AppendInt(b, 1000+t.r.Int64N(400), 10)
	b = append(b, " msg=\""...)
	t.buf = b
	t.sentence(3 + t.r.IntN(8))
	t.buf = append(t.buf, "\" ms="...)
	t.buf = strconv.AppendInt(t.buf, t.r.Int64N(3000), 10)
}

// writeCSV writes a sales export of about size bytes.
func writeCSV(w io.Writer, r *rand.Rand, size int64) error {
	t := newTextWriter(w, r)
	t.buf = append(t.buf, "no,tanggal,pelanggan,kota,sku,jumlah,harga,keterangan"...)
	if err := t.flushLine(); err != nil {
		return err
	}
	if err := appendCSVRows(t, 1, size); err != nil {
		return err
	}
	return t.w.Flush()
}

// appendCSVRows writes rows numbered from first until size bytes were written.
func appendCSVRows(t *textWriter, first, size int64) error {
	day := baseTime.AddDate(-3, 0, 0)
	for row := first; t.n < size; row++ {
		t.csvRow(row, day.AddDate(0, 0, int(row/200)))
		if err := t.flushLine(); err != nil {
			return err
		}
	}
	return nil
}

// writeLog writes an application log of about size bytes starting at start.
func writeLog(w io.Writer, r *rand.Rand, size int64, start time.Time) error {
	t := newTextWriter(w, r)
	at := start
	for t.n < size {
		at = at.Add(time.Duration(r.Int64N(int64(2 * time.Second))))
		t.logLine(at)
		if err := t.flushLine(); err != nil {
			return err
		}
	}
	return t.w.Flush()
}

// writeProse writes paragraphs of words, or JSON records when asJSON.
func writeProse(w io.Writer, r *rand.Rand, size int64, asJSON bool) error {
	t := newTextWriter(w, r)
	for i := int64(0); t.n < size; i++ {
		if asJSON {
			t.buf = append(t.buf, `{"id":`...)
			t.buf = strconv.AppendInt(t.buf, i, 10)
			t.buf = append(t.buf, `,"nama":"`...)
			t.buf = append(t.buf, names[r.IntN(len(names))]...)
			t.buf = append(t.buf, `","nilai":`...)
			t.money()
			t.buf = append(t.buf, `,"catatan":"`...)
			t.sentence(4 + r.IntN(12))
			t.buf = append(t.buf, `"}`...)
		} else {
			t.sentence(20 + r.IntN(60))
			t.buf = append(t.buf, '.')
		}
		if err := t.flushLine(); err != nil {
			return err
		}
	}
	return t.w.Flush()
}

// writeRandom writes exactly size incompressible bytes.
func writeRandom(w io.Writer, src *rand.ChaCha8, size int64) error {
	buf := make([]byte, min(size, 1<<20))
	for size > 0 {
		b := buf[:min(int64(len(buf)), size)]
		if _, err := src.Read(b); err != nil {
			return err
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
		size -= int64(len(b))
	}
	return nil
}
