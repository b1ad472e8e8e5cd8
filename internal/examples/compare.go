package examples

import (
	"regexp"
	"strings"
)

// What differs between two honest runs of the story, and so is not
// compared: what is random or derived from the machine (snapshot and
// repository IDs, hashes of contents that hold them, verification codes,
// the audit chain's hash), and sizes, since what a backup adds to the
// repository includes the files' inode numbers and change times, which
// differ from run to run by a few bytes. Paths are compared: the story
// runs where /srv and /mnt are its own (RunIsolated), so they are the same
// in every run.
var (
	sizePattern = regexp.MustCompile(`\b\d[\d.,]* (B|KiB|MiB|GiB|TiB)\b`)
	codePattern = regexp.MustCompile(`\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b`)
	hexPattern  = regexp.MustCompile(`\b[0-9a-f]{8,64}\b`)
	spaces      = regexp.MustCompile(`[ \t]+`)
)

// Normalize is a document's text with what changes from run to run
// replaced by placeholders, and runs of blanks made one: what the examples
// test compares.
func Normalize(text string) string {
	text = codePattern.ReplaceAllString(text, "####-####-####-####")
	text = hexPattern.ReplaceAllString(text, "<hex>")
	text = sizePattern.ReplaceAllString(text, "<size> $1")
	lines := strings.Split(text, "\n")
	out := lines[:0]
	for _, l := range lines {
		l = strings.TrimSpace(spaces.ReplaceAllString(l, " "))
		if l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
