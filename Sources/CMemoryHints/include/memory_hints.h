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

/// A 64-bit word several threads read and write with no order between them (a memo any of
/// them may refill): each load sees one whole store, never half of one and half of another.
/// Relaxed: as cheap as a plain load or store, and defined where a plain Swift one is a race.
static inline long long recon_word_load(const long long *word) {
    return __atomic_load_n(word, __ATOMIC_RELAXED);
}

static inline void recon_word_store(long long *word, long long value) {
    __atomic_store_n(word, value, __ATOMIC_RELAXED);
}

#endif
