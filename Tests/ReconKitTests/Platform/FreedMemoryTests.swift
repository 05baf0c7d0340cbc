import Testing

@testable import ReconKit

/// The close hands the pricing's freed memory back before the report index and the
/// workbooks allocate theirs: that needs glibc's `malloc_trim`, found by name at run time.
@Suite("Freed memory")
struct FreedMemoryTests {
    @Test func glibcsTrimIsFound() {
        #expect(FreedMemory.isAvailable)
        FreedMemory.giveBack()
    }
}
