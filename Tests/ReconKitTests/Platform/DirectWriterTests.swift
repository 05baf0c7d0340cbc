import Foundation
import Glibc
import Testing
import TestSupport

@testable import ReconKit

/// A big file written around the page cache holds exactly the bytes handed to it, whatever
/// their pieces and wherever its last block ends; where the disk refuses the direct writes,
/// the page cache takes them and the file is the same.
@Suite("Big files written around the page cache")
struct DirectWriterTests {
    /// Bytes that differ at every offset, so a block written twice or skipped shows.
    static func pattern(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in 0..<count {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes[i] = UInt8(truncatingIfNeeded: x >> 33)
        }
        return bytes
    }

    /// Whether this folder's file system takes `O_DIRECT` at all (tmpfs before Linux 6.6 does not).
    static func takesDirectWrites(_ folder: String) -> Bool {
        guard let flag = DirectWriter.directFlag else { return false }
        let fd = open(folder + "/probe", O_WRONLY | O_CREAT | O_CLOEXEC | flag, 0o644)
        guard fd >= 0 else { return false }
        close(fd)
        unlink(folder + "/probe")
        return true
    }

    /// Writes `bytes` in pieces of 1, 4097 and 1 MB + 3 bytes in turn.
    static func writeInPieces(_ bytes: [UInt8], to writer: DirectWriter) throws {
        let sizes = [1, 4097, (1 << 20) + 3]
        var at = 0, turn = 0
        try bytes.withUnsafeBytes { all in
            while at < all.count {
                let n = min(sizes[turn % sizes.count], all.count - at)
                try writer.write(UnsafeRawBufferPointer(rebasing: all[at..<(at + n)]))
                at += n
                turn += 1
            }
        }
    }

    @Test(arguments: [0, 1, 4095, 4096, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, (9 << 20) + 123])
    func theFileHoldsExactlyTheBytesWritten(size: Int) throws {
        try withTemporaryFolder { folder in
            let path = folder + "/big.bin"
            let bytes = Self.pattern(size)
            let writer = try DirectWriter(path: path, mode: 0o640)
            try Self.writeInPieces(bytes, to: writer)
            try writer.finish(synced: true)
            #expect(try FileIO.read(path) == bytes)
            var info = stat()
            #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o640)
            // Under one buffer the page cache takes the file; from one buffer on, the disk directly.
            if size < DirectWriter.bufferBytes {
                #expect(!writer.wroteDirectly)
            } else if Self.takesDirectWrites(folder) {
                #expect(writer.wroteDirectly)
            }
        }
    }

    @Test func blocksTheDiskRefusesGoThroughThePageCache() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/big.bin"
            let bytes = Self.pattern((9 << 20) + 5)
            // 1000-byte blocks are no multiple of any disk's sector: every direct write is refused.
            let writer = try DirectWriter(path: path, block: 1000)
            try Self.writeInPieces(bytes, to: writer)
            try writer.finish(synced: false)
            #expect(!writer.wroteDirectly)
            #expect(try FileIO.read(path) == bytes)
        }
    }

    @Test func aFileWrittenAgainIsReplacedWhole() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/big.bin"
            try FileIO.writeSynced(path, Self.pattern(9 << 20))
            let shorter = Array(Self.pattern((2 << 20) + 7).reversed())
            try FileIO.writeSynced(path, shorter)
            #expect(try FileIO.read(path) == shorter)
            try FileIO.writeStreaming(path, synced: false) { sink in
                try Array("short".utf8).withUnsafeBytes { try sink($0) }
            }
            #expect(try FileIO.read(path) == Array("short".utf8))
        }
    }
}
