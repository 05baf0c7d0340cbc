import Foundation
import Glibc
import Testing

@testable import ReconKit

/// Asking for huge pages is advice: bytes already written stay as written, and where the
/// kernel takes huge pages only when asked (`madvise` mode), the advised memory becomes
/// eligible for them.
@Suite("Huge pages asked for")
struct HugePagesTests {
    @Test func writtenBytesStayAsWritten() {
        let size = 12 << 20
        let region = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 8)
        defer { region.deallocate() }
        for i in stride(from: 0, to: size / 2, by: 8) { region.storeBytes(of: UInt64(i) &* 0x9E37_79B9, toByteOffset: i, as: UInt64.self) }
        HugePages.advise(region)
        for i in stride(from: size / 2, to: size, by: 8) { region.storeBytes(of: UInt64(i) &* 0x9E37_79B9, toByteOffset: i, as: UInt64.self) }
        var wrong = 0
        for i in stride(from: 0, to: size, by: 8) where region.load(fromByteOffset: i, as: UInt64.self) != UInt64(i) &* 0x9E37_79B9 {
            wrong += 1
        }
        #expect(wrong == 0)
    }

    @Test func anOddlyPlacedSmallRegionIsLeftAsItIs() {
        let region = UnsafeMutableRawBufferPointer.allocate(byteCount: (3 << 20) + 5, alignment: 1)
        defer { region.deallocate() }
        region.initializeMemory(as: UInt8.self, repeating: 0xA5)
        HugePages.advise(UnsafeMutableRawBufferPointer(rebasing: region[3...]))
        #expect(region.allSatisfy { $0 == 0xA5 })
    }

    @Test func theAdvisedMemoryIsEligibleWhereTheKernelWaitsToBeAsked() throws {
        let mode = try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8)
        guard let mode, mode.contains("[madvise]") else {
            print("HugePagesTests: transparent huge pages are not in madvise mode here (\(mode ?? "no such file")); eligibility not checked")
            return
        }
        // A mapping of its own: memory from the allocator may be memory another test advised.
        let size = 16 << 20
        let base = try #require(mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        try #require(base != MAP_FAILED)
        defer { munmap(base, size) }
        let region = UnsafeMutableRawBufferPointer(start: base, count: size)
        let inside = (Int(bitPattern: region.baseAddress!) + (4 << 20)) / (2 << 20) * (2 << 20)
        guard let before = try eligible(inside) else {
            print("HugePagesTests: /proc/self/smaps has no THPeligible line here; eligibility not checked")
            return
        }
        guard !before else {
            print("HugePagesTests: memory here is eligible for huge pages unasked (a page size set to always); nothing to check")
            return
        }
        HugePages.advise(region)
        #expect(try eligible(inside) == true)
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
