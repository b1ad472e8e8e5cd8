// Command examples regenerates docs/examples from the real service
// (make examples): it runs the story of package examples in a child
// process whose /srv and /mnt are a scratch folder (a mount namespace of
// its own, so the documents print the office's paths), copies every
// document filed into the output folder, renders each PDF page to PNG and
// writes the folder's README. It needs Linux, as root or with user
// namespaces.
//
//	go run ./internal/examples/cmd/examples -out docs/examples
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"cadang/internal/examples"
)

func main() {
	examples.Child() // the story's own process ends here
	out := flag.String("out", "docs/examples", "folder for the documents and their PNG pages")
	dpi := flag.Int("r", 60, "page resolution (dpi)")
	flag.Parse()
	if err := run(*out, *dpi); err != nil {
		fmt.Fprintln(os.Stderr, "examples:", err)
		os.Exit(1)
	}
}

func run(out string, dpi int) error {
	old, err := filepath.Glob(filepath.Join(out, "[0-9][0-9]-*"))
	if err != nil {
		return err
	}
	docs, err := examples.RunIsolated(context.Background(), examples.Options{Out: out, DPI: dpi})
	if err != nil {
		return err
	}
	// The folder holds only what this run made: stale documents and pages go.
	made := map[string]bool{}
	for _, d := range docs {
		made[d.File] = true
		for _, p := range d.Pages {
			made[p] = true
		}
	}
	for _, f := range old {
		if !made[filepath.Base(f)] {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	if err := os.WriteFile(filepath.Join(out, "README.md"), []byte(examples.README(docs, dpi)), 0o644); err != nil {
		return err
	}
	fmt.Printf("%d documents in %s\n", len(docs), out)
	return nil
}
