//===- NoAllocatorPoisoning.h - fuzz build: no poisoning in LLVM headers --===//
//
// Force-included into every object the fuzz build instruments.
//
// llvm::BumpPtrAllocator and llvm::ArrayRecycler poison and unpoison their
// memory for AddressSanitizer when the including object is built with it.
// The fuzz build instruments mpc's objects but links the prebuilt,
// uninstrumented MLIR libraries, and both hold copies of those inline
// functions: the linker keeps one copy of each, so a slab poisoned by an
// instrumented AllocateSlow is handed out by an uninstrumented Allocate that
// never unpoisons it, and the next instrumented read reports a false
// use-after-poison. Turning the (un)poisoning off here makes every copy
// agree; ASan still checks all heap memory through malloc.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_TESTS_FUZZ_NOALLOCATORPOISONING_H
#define MPC_TESTS_FUZZ_NOALLOCATORPOISONING_H

#include <sanitizer/asan_interface.h>

#define __asan_poison_memory_region(addr, size) ((void)(addr), (void)(size))
#define __asan_unpoison_memory_region(addr, size) ((void)(addr), (void)(size))

#endif // MPC_TESTS_FUZZ_NOALLOCATORPOISONING_H
