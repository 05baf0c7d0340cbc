// The hints are static inline functions in include/memory_hints.h; SwiftPM builds a C target
// from at least one source file, and this is it.
#include "memory_hints.h"
