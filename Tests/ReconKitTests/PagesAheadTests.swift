import Testing

@testable import ReconKit

/// Faulting a region's pages in ahead of the writer must leave what is written there as it
/// is, whether the writer got there first or not; a region too small is left to the writer.
@Suite("Pages faulted in ahead")
struct PagesAheadTests {
    @Test func writtenBytesStayAsWritten() throws {
        let size = 24 << 20
        let region = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 8)
        defer { region.deallocate() }
        // The first half written before the pages are asked for, the second while they are.
        for i in stride(from: 0, to: size / 2, by: 8) { region.storeBytes(of: UInt64(i) &* 0x9E37_79B9, toByteOffset: i, as: UInt64.self) }
        let faulting = try #require(PagesAhead.populate(region))
        for i in stride(from: size / 2, to: size, by: 8) { region.storeBytes(of: UInt64(i) &* 0x9E37_79B9, toByteOffset: i, as: UInt64.self) }
        faulting.wait()
        var wrong = 0
        for i in stride(from: 0, to: size, by: 8) where region.load(fromByteOffset: i, as: UInt64.self) != UInt64(i) &* 0x9E37_79B9 {
            wrong += 1
        }
        #expect(wrong == 0)
    }

    @Test func aSmallRegionIsLeftToTheWriter() {
        let region = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 8)
        defer { region.deallocate() }
        #expect(PagesAhead.populate(region) == nil)
    }
}
