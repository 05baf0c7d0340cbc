#ifndef RECON_MEMORY_HINTS_H
#define RECON_MEMORY_HINTS_H

// Hints to the processor about memory a loop will read soon. Swift has no way to say this;
// a static inline function here is inlined into the Swift code that calls it.

/// Asks for the cache line holding `address` to be brought in, without waiting for it: a loop
/// that reads records at scattered places asks for one some iterations ahead, so the reads
/// overlap instead of each waiting in turn. Only a hint: any address may be given, nothing is
/// read from it and no fault can come of it.
static inline void recon_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
