package scrypt

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

const hugePage = 2 << 20

// allocBlocks returns n zeroed numbers in memory of its own, asked for in
// huge pages (where the kernel gives transparent huge pages on request,
// "madvise", the default of most distributions), and the function that
// returns it. Falls back to the Go heap.
func allocBlocks(n int) ([]uint32, func()) {
	size := n * 4
	if size < hugePage {
		return make([]uint32, n), func() {}
	}
	mem, err := unix.Mmap(-1, 0, size+hugePage, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return make([]uint32, n), func() {}
	}
	off := 0
	if rem := uintptr(unsafe.Pointer(&mem[0])) % hugePage; rem != 0 {
		off = int(hugePage - rem) // a huge page must start on a 2 MiB boundary
	}
	region := mem[off : off+size]
	_ = unix.Madvise(region, unix.MADV_HUGEPAGE) // a refusal only costs the small pages
	return unsafe.Slice((*uint32)(unsafe.Pointer(&region[0])), n), func() { _ = unix.Munmap(mem) }
}
