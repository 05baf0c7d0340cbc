import Foundation
import Glibc
import Testing

@testable import ReconKit

/// Faulting a region's pages in ahead of the writer must leave what is written there as it
/// is, whether the writer got there first or not; a region too small is left to the writer;
/// and the pages stay the kernel's small ones (``PagesAhead/populate(_:)`` says why).
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

    @Test func thePagesStaySmallWhereTheKernelWaitsToBeAsked() throws {
        let mode = try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8)
        guard let mode, mode.contains("[madvise]") else {
            print("PagesAheadTests: transparent huge pages are not in madvise mode here (\(mode ?? "no such file")); page size not checked")
            return
        }
        // A mapping of its own, as the allocator gives a month's rows: 16 MB, fresh.
        let size = 16 << 20
        let base = try #require(mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        try #require(base != MAP_FAILED)
        defer { munmap(base, size) }
        let region = UnsafeMutableRawBufferPointer(start: base, count: size)
        let faulting = try #require(PagesAhead.populate(region))
        faulting.wait()
        let inside = (Int(bitPattern: region.baseAddress!) + (4 << 20)) / (2 << 20) * (2 << 20)
        guard let eligible = try eligible(inside) else {
            print("PagesAheadTests: /proc/self/smaps has no THPeligible line here; page size not checked")
            return
        }
        #expect(!eligible, "the region faulted in ahead was made eligible for huge pages")
    }

    /// `THPeligible` of the mapping holding `address`, from `/proc/self/smaps`.
    private func eligible(_ address: Int) throws -> Bool? {
        // Read to its end: a file under /proc says it is empty.
        let handle = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps"))
        defer { try? handle.close() }
        let smaps = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        var inMapping = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, range.contains("-"), !range.hasSuffix(":") {
                let bounds = range.split(separator: "-").compactMap { Int($0, radix: 16) }
                inMapping = bounds.count == 2 && bounds[0] <= address && address < bounds[1]
            } else if inMapping, fields.first == "THPeligible:" {
                return fields.last == "1"
            }
        }
        return nil
    }
}
