import Foundation
import Testing

@testable import ReconKit

#if canImport(Glibc)
import Glibc
#endif

/// The platform layer reports what the system said, so a person can act on it.
struct FileIOTests {
    private func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.path + "/recon-fileio-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func makeDirectoryCreatesEveryMissingParent() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileIO.makeDirectory(dir + "/a/b/c")
        #expect(FileIO.isDirectory(dir + "/a/b/c"))
        try FileIO.makeDirectory(dir + "/a/b/c")  // already there: fine
    }

    /// A file where a folder should be is "File exists" at that file, not "permission denied".
    @Test func makeDirectoryReportsTheRealErrno() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileIO.writeAtomically(dir + "/file", Array("x".utf8))
        let failure = #expect(throws: FileIO.Failure.self) { try FileIO.makeDirectory(dir + "/file/sub") }
        #expect(failure?.code == EEXIST)
        #expect(failure?.path == dir + "/file")
        #expect(failure?.description.contains("File exists") == true)
    }

    /// The sweep's listing: every name that starts with a dot, sorted, never `.` or `..`; a
    /// folder that is not there lists nothing.
    @Test func hiddenNamesAreTheDotNamesSorted() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["INV-2026-000001.xlsx", ".INV-2026-000002.xlsx.4242.tmp", ".a", "..b", "b."] {
            try FileIO.writeAtomically(dir + "/" + name, Array("x".utf8))
        }
        try FileIO.makeDirectory(dir + "/.hidden-folder")
        #expect(FileIO.hiddenNames(in: dir) == ["..b", ".INV-2026-000002.xlsx.4242.tmp", ".a", ".hidden-folder"])
        #expect(FileIO.hiddenNames(in: dir + "/missing").isEmpty)
    }

    @Test func aPrivateFileIsNeverReplacedAndReadsBackWithItsMode() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileIO.createPrivately(dir + "/k", Array("secret\n".utf8))
        let read = try FileIO.readSmall(dir + "/k", limit: 64)
        #expect(read.mode & 0o777 == 0o600)
        #expect(read.bytes == Array("secret\n".utf8))
        let again = #expect(throws: FileIO.Failure.self) { try FileIO.createPrivately(dir + "/k", [1]) }
        #expect(again.map(FileIO.isAlreadyThere) == true)
    }
}
