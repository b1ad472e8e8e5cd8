package fpdf

import (
	"bytes"
	"sync"
)

// The UTF-8 fonts parsed so far in this process (cadang's patch; see
// README.md). What AddUTF8FontFromBytes parses from a font file, its
// metrics, character widths and font ID, depends only on the file, the
// font key and the size of the starting subset, and documents only read it
// (Cw is never written after parsing). Each document still gets a
// utf8FontFile of its own: GenerateCutFont reads the file again at Output,
// moving its reader.
var (
	utf8FontsMu sync.Mutex
	utf8Fonts   = map[utf8FontKey][]utf8FontEntry{}
)

type utf8FontKey struct {
	fontkey string
	subset  int
	size    int
}

type utf8FontEntry struct {
	file []byte // a copy: the caller's slice may change afterwards
	def  fontDefType
}

// utf8FontDef is the parsed definition of the UTF-8 font utf8Bytes under
// fontkey, without its per-document parts (utf8File, usedRunes).
func utf8FontDef(fontkey string, utf8Bytes []byte, subset int) (fontDefType, error) {
	k := utf8FontKey{fontkey: fontkey, subset: subset, size: len(utf8Bytes)}
	utf8FontsMu.Lock()
	for _, e := range utf8Fonts[k] {
		if bytes.Equal(e.file, utf8Bytes) {
			utf8FontsMu.Unlock()
			return e.def, nil
		}
	}
	utf8FontsMu.Unlock()
	utf8File := newUTF8Font(&fileReader{readerPosition: 0, array: utf8Bytes})
	if err := utf8File.parseFile(); err != nil {
		return fontDefType{}, err
	}
	def := fontDefType{
		Tp:   "UTF8",
		Name: fontkey,
		Desc: FontDescType{
			Ascent:       int(utf8File.Ascent),
			Descent:      int(utf8File.Descent),
			CapHeight:    utf8File.CapHeight,
			Flags:        utf8File.Flags,
			FontBBox:     utf8File.Bbox,
			ItalicAngle:  utf8File.ItalicAngle,
			StemV:        utf8File.StemV,
			MissingWidth: round(utf8File.DefaultWidth),
		},
		Up: int(round(utf8File.UnderlinePosition)),
		Ut: round(utf8File.UnderlineThickness),
		Cw: utf8File.CharWidths,
	}
	def.i, _ = generateFontID(def) // the exported fields only, as before the patch
	utf8FontsMu.Lock()
	utf8Fonts[k] = append(utf8Fonts[k], utf8FontEntry{file: bytes.Clone(utf8Bytes), def: def})
	utf8FontsMu.Unlock()
	return def, nil
}
