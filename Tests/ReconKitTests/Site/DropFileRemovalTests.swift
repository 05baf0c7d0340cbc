import Foundation
import Testing

@testable import ReconKit

/// A drop is removed from the Inbox once taken only while its name still holds the very file
/// read, as it was read: rows appended to it after the read (a writer that writes in place
/// instead of renaming) were lost when the file was removed.
struct DropFileRemovalTests {
    @Test func aDropWrittenToAfterItWasReadIsLeft() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/usage-1.csv"
            try "report_id\nR1\n".write(toFile: path, atomically: false, encoding: .utf8)
            let read = try DropFile.readIdentified(path)
            let handle = try #require(FileHandle(forWritingAtPath: path))
            handle.seekToEndOfFile()
            handle.write(Data("R2\n".utf8))
            try handle.close()
            #expect(DropFile.removeIfStill(path, read.identity) == .changed)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "report_id\nR1\nR2\n")
        }
    }

    @Test func aDropAsReadIsRemovedAndANewFileInItsNameIsLeft() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/usage-1.csv"
            try "report_id\nR1\n".write(toFile: path, atomically: false, encoding: .utf8)
            let first = try DropFile.readIdentified(path)
            #expect(DropFile.removeIfStill(path, first.identity) == .removed)
            #expect(!FileIO.exists(path))
            #expect(DropFile.removeIfStill(path, first.identity) == .gone)
            try "report_id\nR1\n".write(toFile: path, atomically: false, encoding: .utf8)
            let second = try DropFile.readIdentified(path)
            try "report_id\nR9\n".write(toFile: path + ".new", atomically: false, encoding: .utf8)
            #expect(rename(path + ".new", path) == 0)
            #expect(DropFile.removeIfStill(path, second.identity) == .replaced)
            #expect(FileIO.exists(path))
        }
    }
}
