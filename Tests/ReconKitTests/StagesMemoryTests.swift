import Testing

@testable import ReconKit

#if canImport(Glibc)
import Glibc
#endif

/// The resident memory the stage breakdown notes, read cheaply from `/proc/self/statm`, is
/// the `VmRSS` that `/proc/self/status` gives, and follows memory as it is touched.
@Suite("Stage breakdown — resident memory")
struct StagesMemoryTests {
    @Test func statmAgreesWithStatusAndFollowsTouchedMemory() throws {
        let before = try #require(Stages.statusKilobytes("VmRSS:"))
        let read = try #require(Stages.residentKilobytes())
        let after = try #require(Stages.statusKilobytes("VmRSS:"))
        // Other test threads may allocate between the reads: a megabyte of slack either way.
        #expect(read >= min(before, after) - 1024 && read <= max(before, after) + 1024, "\(before) \(read) \(after)")

        let bytes = 64 << 20
        let block = try #require(malloc(bytes))
        defer { free(block) }
        memset(block, 1, bytes)
        let touched = try #require(Stages.residentKilobytes())
        #expect(touched - read >= 60 * 1024, "\(read) -> \(touched)")
    }
}
