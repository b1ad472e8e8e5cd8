package engine

import (
	"context"
	"runtime"
	"sync"
)

// walkTrees loads every tree reachable from roots, each one once, with a
// worker per core (prune and verify walk every snapshot, where loading,
// decrypting and decoding trees one by one left a core idle), and calls
// visit for each, from several goroutines at once. enter is asked once for
// every reference to a tree, serially, and says whether to load it (it is
// where the caller marks trees as seen). A tree that cannot be loaded is
// passed to visit with its error; an error from visit stops the walk and
// is returned.
func (r *Repository) walkTrees(ctx context.Context, roots []ID, enter func(ID) bool, visit func(ID, *treeJSON, error) error) error {
	var (
		mu       sync.Mutex
		cond     = sync.NewCond(&mu)
		queue    []ID
		busy     int
		firstErr error
	)
	for _, id := range roots {
		if enter(id) {
			queue = append(queue, id)
		}
	}
	worker := func() {
		mu.Lock()
		defer mu.Unlock()
		for {
			for len(queue) == 0 && busy > 0 && firstErr == nil {
				cond.Wait()
			}
			if firstErr == nil && ctx.Err() != nil {
				firstErr = ctx.Err()
			}
			if firstErr != nil || len(queue) == 0 {
				cond.Broadcast()
				return
			}
			id := queue[len(queue)-1] // depth first: the queue stays short
			queue = queue[:len(queue)-1]
			busy++
			mu.Unlock()
			t, err := r.loadTree(ctx, id)
			verr := visit(id, t, err)
			mu.Lock()
			busy--
			if verr != nil && firstErr == nil {
				firstErr = verr
			}
			if err == nil && verr == nil {
				for i := range t.Nodes {
					if n := &t.Nodes[i]; n.Type == NodeDir && enter(*n.Subtree) {
						queue = append(queue, *n.Subtree)
					}
				}
			}
			cond.Broadcast()
		}
	}
	var wg sync.WaitGroup
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		wg.Add(1)
		go func() { defer wg.Done(); worker() }()
	}
	wg.Wait()
	return firstErr
}
