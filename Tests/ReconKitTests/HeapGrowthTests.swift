import Testing

@testable import ReconKit

/// Every command grows its heaps 16 MB at a time: that needs glibc's `mallopt`, found by name
/// at run time (a name not found would leave every command growing them 128 KB at a time).
@Suite("Heap growth")
struct HeapGrowthTests {
    @Test func glibcsMallOptIsFound() {
        #expect(HeapGrowth.setUp())
    }
}
