import Glibc
import Testing
import XCTest

@testable import ReconKit

/// Every command grows its heaps 16 MB at a time: that needs glibc's `mallopt`, found by name
/// at run time (a name not found would leave every command growing them 128 KB at a time).
@Suite("Heap growth")
struct HeapGrowthTests {
    @Test func glibcsMallOptIsFound() {
        #expect(HeapGrowth.setUp(faultingIn: false))
    }
}

/// A command starts with the main heap grown by 16 MB, faulted in on another core, so the
/// thread that replays the ledger finds those pages resident instead of faulting each in.
/// An XCTest case: only the process's main thread allocates from the main heap, and XCTest
/// runs its cases there (swift-testing runs its tests, `@MainActor` ones too, on others).
final class MainHeapGrowthTests: XCTestCase {
    func testTheMainHeapsGrowthIsFaultedIn() throws {
        XCTAssertTrue(HeapGrowth.setUp(faultingIn: false))
        let grown = try XCTUnwrap(HeapGrowth.growMainHeap())
        // glibc keeps its pad when the blocks are given back: the heap's top holds 16 MB, all
        // but what it held before the growth new.
        XCTAssertGreaterThanOrEqual(grown.region.count, 15 << 20)
        try XCTUnwrap(grown.faulting).wait()
        // A page nobody wrote is not resident unless it was faulted in. Another test's frees
        // may have given the heap's top back meanwhile: only what is still the heap's is asked.
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let base = Int(bitPattern: grown.region.baseAddress!)
        let start = (base + page - 1) / page * page
        let end = min(base + grown.region.count, Int(bitPattern: sbrk(0)!)) / page * page
        XCTAssertGreaterThanOrEqual(end - start, 8 << 20)
        var resident = [UInt8](repeating: 0, count: (end - start) / page)
        XCTAssertEqual(mincore(UnsafeMutableRawPointer(bitPattern: start), end - start, &resident), 0)
        XCTAssertEqual(resident.filter { $0 & 1 == 0 }.count, 0, "pages of the grown heap not faulted in")
    }

    func testAnotherThreadLeavesTheMainHeapAlone() {
        XCTAssertTrue(BackgroundWork { HeapGrowth.growMainHeap() == nil }.wait())
    }
}
