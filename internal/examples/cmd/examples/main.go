// Command examples regenerates docs/examples from the real service
// (make examples): it runs the story of package examples in a scratch
// folder, copies every document filed into the output folder, renders
// each PDF page to PNG and writes the folder's README.
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
	out := flag.String("out", "docs/examples", "folder for the documents and their PNG pages")
	dpi := flag.Int("r", 60, "page resolution (dpi)")
	keep := flag.Bool("keep", false, "keep the scratch folder (workspace, share, repository)")
	flag.Parse()
	if err := run(*out, *dpi, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "examples:", err)
		os.Exit(1)
	}
}

func run(out string, dpi int, keep bool) error {
	root, err := examples.ScratchRoot()
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(root)
	}
	// The folder holds only what this run makes: stale pages go.
	old, err := filepath.Glob(filepath.Join(out, "[0-9][0-9]-*"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	docs, err := examples.Run(context.Background(), examples.Options{Root: root, Out: out, DPI: dpi,
		Log: func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "README.md"), []byte(examples.README(docs, dpi)), 0o644); err != nil {
		return err
	}
	fmt.Printf("%d documents in %s (scratch folder %s%s)\n", len(docs), out, root, map[bool]string{true: ", kept", false: ", removed"}[keep])
	return nil
}
