package pdfdoc

import _ "embed" // the DejaVu fonts travel inside the binary

// DejaVu Sans covers Latin, including every Indonesian letter, plus the
// punctuation the documents use (…, –, ·); the core PDF fonts are Latin-1
// only. Licence: fonts/LICENSE (Bitstream Vera, permissive).
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
	//go:embed fonts/DejaVuSans-Oblique.ttf
	fontOblique []byte
)

const family = "dejavu"
