package mem_test

import (
	"testing"

	"cadang/engine/backend/backendtest"
	"cadang/engine/backend/mem"
)

func TestMemConforms(t *testing.T) { backendtest.Run(t, mem.New()) }
