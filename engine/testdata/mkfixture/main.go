// mkfixture wrote testdata/repo-v1-encrypted and repo-v1-plain with the engine of
// commit 069e68c (go run ./mkfixture DIR PASSWORD in a checkout of that commit).
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"cadang/engine"
	"cadang/engine/backend/local"
)

func main() {
	out, pw := os.Args[1], os.Args[2]
	src := filepath.Join(os.TempDir(), "mkfixture-src")
	os.RemoveAll(src)
	must(os.MkdirAll(filepath.Join(src, "docs"), 0o755))
	must(os.WriteFile(filepath.Join(src, "docs", "a.txt"), []byte("alpha\n"), 0o644))
	must(os.WriteFile(filepath.Join(src, "b.txt"), []byte("bravo bravo bravo\n"), 0o600))
	t := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	for _, p := range []string{"docs/a.txt", "b.txt", "docs", ""} {
		must(os.Chtimes(filepath.Join(src, p), t, t))
	}
	be, err := local.New(out)
	must(err)
	ctx := context.Background()
	r, err := engine.Init(ctx, be, engine.InitOptions{Password: pw, PackSize: 1 << 20})
	must(err)
	_, err = r.Backup(ctx, []string{src}, engine.BackupOptions{Host: "fixture", Tags: []string{"v1"}})
	must(err)
	must(r.Close())
	fmt.Println(r.ID())
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
