import Foundation
import Testing

@testable import ReconKit

#if canImport(Glibc)
import Glibc
#endif

/// Anyone who can write to the site folder can plant a name where recon is about to write its
/// hidden temporary file (`.NAME.PID.tmp`: the process id is no secret while it runs). A
/// symbolic link there had recon write through it — over a file outside the site, or, pointed
/// at `ledger.jsonl`, truncating the ledger while the command said "accepted"; a hard link to
/// the ledger did the same. A temporary file is always made new: nothing planted is written
/// through, and what is renamed into place is recon's own file.
struct TemporaryFilePlantTests {
    private func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.path + "/recon-plant-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The writers of small files (`writeAtomically`, `writeSynced`), of big ones (around the
    /// page cache) and of caches (`writeWithoutSync`), each with a link planted at its temporary name.
    private func writers(_ dir: String) -> [(String, (String) throws -> Void)] {
        let big = [UInt8](repeating: 0x41, count: DirectWriter.bufferBytes + 10)
        return [
            ("writeAtomically", { try FileIO.writeAtomically($0, Array("recon's own\n".utf8)) }),
            ("writeAtomically, big", { try FileIO.writeAtomically($0, big) }),
            ("writeWithoutSync", { path in
                let temp = FileIO.temporaryName(for: path)
                try FileIO.writeWithoutSync(temp, Array("recon's own\n".utf8))
                try FileIO.renameQuietly(temp, to: path)
            }),
        ]
    }

    @Test func aSymbolicLinkAtTheTemporaryNameIsNotWrittenThrough() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, write) in writers(dir) {
            let victim = dir + "/outside-\(name).txt", target = dir + "/site-\(name).txt"
            try Array("precious\n".utf8).write(to: victim)
            #expect(symlink(victim, FileIO.temporaryName(for: target)) == 0)
            try write(target)
            #expect(try FileIO.read(victim) == Array("precious\n".utf8), "\(name) wrote through the link")
            #expect(FileStatus.of(target)?.kind == .regularFile, "\(name) put a link in place")
            #expect(!FileIO.exists(FileIO.temporaryName(for: target)))
        }
    }

    @Test func aHardLinkAtTheTemporaryNameIsNotTruncated() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, write) in writers(dir) {
            let ledger = dir + "/ledger-\(name).jsonl", target = dir + "/intent-\(name)"
            try Array("{\"seq\":1}\n".utf8).write(to: ledger)
            #expect(link(ledger, FileIO.temporaryName(for: target)) == 0)
            try write(target)
            #expect(try FileIO.read(ledger) == Array("{\"seq\":1}\n".utf8), "\(name) truncated the linked file")
            #expect(FileStatus.of(target).map { $0.kind == .regularFile && $0.linkCount == 1 } == true, "\(name) renamed the planted link into place")
        }
    }
}

private extension Array where Element == UInt8 {
    func write(to path: String) throws { try Data(self).write(to: URL(fileURLWithPath: path)) }
}
