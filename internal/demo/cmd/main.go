// Command demo builds the demonstration office of package demo:
//
//	go run ./internal/demo/cmd --root DIR --workspace DIR
//
// It prints the RCLONE_CONFIG line the window needs to see the "gdrive"
// remote of the demo.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"cadang/internal/demo"
)

func main() {
	root := flag.String("root", "", "folder for shares, repositories, copies and restores (/ puts them under /srv)")
	ws := flag.String("workspace", "", "workspace to create")
	flag.Parse()
	if *root == "" || *ws == "" {
		fmt.Fprintln(os.Stderr, "usage: demo --root DIR --workspace DIR")
		os.Exit(2)
	}
	o, err := demo.Build(context.Background(), demo.Options{Root: *root, Workspace: *ws})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("RCLONE_CONFIG=%s\n", o.RcloneConf)
}
