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

        // 256 MB touched must show as at least 192 MB more: the other tests' threads run in this
        // process and may free memory meanwhile (with 64 MB and 4 MB of slack, a busy machine
        // once read 60,004 KB more).
        let bytes = 256 << 20
        let block = try #require(malloc(bytes))
        defer { free(block) }
        memset(block, 1, bytes)
        let touched = try #require(Stages.residentKilobytes())
        #expect(touched - read >= 192 * 1024, "\(read) -> \(touched)")
    }
}
