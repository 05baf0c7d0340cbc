import Crypto
import Foundation
import Testing

@testable import ReconKit

/// A drop's cache file is read through a window a few megabytes wide and hashed as it is read:
/// the rows come back exactly, the SHA-256 is the file's, and damage — a flipped byte, a cut
/// file, a forged row count — is a mismatch, never a crash or a huge allocation.
@Suite("Cache file read")
struct CacheFileReadTests {
    static let sha = String(repeating: "ab", count: 32)

    /// 70,000 reports: about 5.7 MB of cache, more than one window, read in line; 120,000:
    /// about 9.8 MB, read and hashed ahead on a thread of its own.
    static let sizes = [70_000, 120_000]

    static func reports(_ count: Int = 70_000) -> [Report] {
        (0..<count).map { i in
            Report(id: "R-2026-\(i)", reportedAt: Timestamp(nanoseconds: 1_772_409_600_000_000_000 + Int64(i) * 1_000_000_000),
                   localDate: LocalDate(year: 2026, month: 3, day: 1 + i % 28)!,
                   clientId: "C\(i % 13)", radiologistId: "D\(i % 17)", modality: ["CT", "MR", "XR"][i % 3],
                   imageCount: Int32(1 + i % 9), urgency: i % 4 == 0 ? .stat : .routine, line: Int32(i + 2))
        }
    }

    func written(_ dir: String, _ reports: [Report]) throws -> (cache: DropCache, bytes: [UInt8]) {
        let cache = DropCache(dir: dir)
        let bytes = DropCache.encode(sha256: Self.sha, reports)
        cache.write(sha256: Self.sha, bytes)
        return (cache, bytes)
    }

    @Test(arguments: sizes) func aCacheLargerThanTheWindowComesBackExactly(count: Int) throws {
        try withTemporaryFolder { dir in
            let list = Self.reports(count)
            let (cache, bytes) = try written(dir, list)
            #expect(bytes.count > 4 << 20)
            let fileSha = Hex.string(SHA256.hash(data: bytes))
            guard case .rows(let rows) = cache.loadVouched(sha256: Self.sha, format: DropCache.format, cacheSha256: fileSha) else {
                Issue.record("the cache does not load against its own SHA-256")
                return
            }
            #expect(rows == list)
            #expect(cache.load(sha256: Self.sha) == list)
        }
    }

    @Test(arguments: sizes) func aFlippedByteInTheLastWindowIsAMismatch(count: Int) throws {
        try withTemporaryFolder { dir in
            let (cache, bytes) = try written(dir, Self.reports(count))
            let fileSha = Hex.string(SHA256.hash(data: bytes))
            var damaged = bytes
            // The last row's line number: a value that still decodes, so only the hash can tell.
            damaged[damaged.count - 8] ^= 0x01
            try Data(damaged).write(to: URL(fileURLWithPath: dir + "/" + Self.sha + ".bin"))
            guard case .mismatch = cache.loadVouched(sha256: Self.sha, format: DropCache.format, cacheSha256: fileSha) else {
                Issue.record("a changed byte was read as the vouched cache")
                return
            }
        }
    }

    /// A row's id length forged in the middle of a cache read ahead: decoding stops there, with
    /// pieces still ahead, and the cache is a mismatch, not a crash.
    @Test func aCacheDamagedMidwayIsAMismatch() throws {
        try withTemporaryFolder { dir in
            let (cache, bytes) = try written(dir, Self.reports(120_000))
            let fileSha = Hex.string(SHA256.hash(data: bytes))
            var damaged = bytes
            // Rows start after the header and table; any 8 bytes near the middle that decode as a
            // row's id length are as good: find a row boundary by walking the rows.
            let countOffset = 6 + 8 + 64
            let tableCount = Int(bytes[(countOffset + 8)..<(countOffset + 16)].withUnsafeBytes { $0.loadUnaligned(as: Int64.self) })
            var offset = countOffset + 16
            for _ in 0..<tableCount {
                offset += 8 + Int(bytes[offset..<(offset + 8)].withUnsafeBytes { $0.loadUnaligned(as: Int64.self) })
            }
            while offset < bytes.count / 2 {
                offset += 8 + Int(bytes[offset..<(offset + 8)].withUnsafeBytes { $0.loadUnaligned(as: Int64.self) }) + 64
            }
            damaged.replaceSubrange(offset..<(offset + 8), with: withUnsafeBytes(of: Int64(-1)) { Array($0) })
            try Data(damaged).write(to: URL(fileURLWithPath: dir + "/" + Self.sha + ".bin"))
            guard case .mismatch = cache.loadVouched(sha256: Self.sha, format: DropCache.format, cacheSha256: fileSha) else {
                Issue.record("a cache damaged midway was read")
                return
            }
        }
    }

    @Test(arguments: sizes) func aCutFileIsAMismatch(count: Int) throws {
        try withTemporaryFolder { dir in
            let (cache, bytes) = try written(dir, Self.reports(count))
            let fileSha = Hex.string(SHA256.hash(data: bytes))
            try Data(bytes.prefix(bytes.count - 100)).write(to: URL(fileURLWithPath: dir + "/" + Self.sha + ".bin"))
            guard case .mismatch = cache.loadVouched(sha256: Self.sha, format: DropCache.format, cacheSha256: fileSha) else {
                Issue.record("a cut cache file was read")
                return
            }
            #expect(cache.load(sha256: Self.sha) == nil)
        }
    }

    /// Rows are decoded before the hash is known: a forged count or an out-of-range value must
    /// not make the reader reserve room for billions of rows or trap on a conversion.
    @Test func forgedCountsAndValuesAreDamageNotACrash() throws {
        try withTemporaryFolder { dir in
            let (cache, bytes) = try written(dir, Array(Self.reports().prefix(10)))
            // Header: magic (6), the sha as a string (8 + 64), then the row count.
            let countOffset = 6 + 8 + 64
            var forged = bytes
            forged.replaceSubrange(countOffset..<(countOffset + 8), with: withUnsafeBytes(of: Int64(1) << 40) { Array($0) })
            try Data(forged).write(to: URL(fileURLWithPath: dir + "/" + Self.sha + ".bin"))
            #expect(cache.load(sha256: Self.sha) == nil)
            // The first row's day number (after its id and timestamp) set past Int32.
            let tableCount = Int(bytes[(countOffset + 8)..<(countOffset + 16)].withUnsafeBytes { $0.loadUnaligned(as: Int64.self) })
            var offset = countOffset + 16
            for _ in 0..<tableCount {
                let n = Int(bytes[offset..<(offset + 8)].withUnsafeBytes { $0.loadUnaligned(as: Int64.self) })
                offset += 8 + n
            }
            let idLength = Int(bytes[offset..<(offset + 8)].withUnsafeBytes { $0.loadUnaligned(as: Int64.self) })
            let dayOffset = offset + 8 + idLength + 8
            forged = bytes
            forged.replaceSubrange(dayOffset..<(dayOffset + 8), with: withUnsafeBytes(of: Int64(1) << 40) { Array($0) })
            try Data(forged).write(to: URL(fileURLWithPath: dir + "/" + Self.sha + ".bin"))
            #expect(cache.load(sha256: Self.sha) == nil)
        }
    }
}

/// A file hashed a window at a time gives the SHA-256 of its bytes, whatever its size
/// against the window's (an archived drop checked without being held, `recon verify`).
@Suite("Windowed hash")
struct WindowedHashTests {
    @Test func theHashIsTheFilesAtEverySize() throws {
        try withTemporaryFolder { dir in
            let window = 4 << 20
            for size in [0, 1, window - 1, window, window + 1, 2 * window + 12345] {
                let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 11) }
                let path = dir + "/f\(size)"
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                #expect(try HashedFileWindow.sha256(of: path) == Hex.string(SHA256.hash(data: bytes)), "size \(size)")
            }
        }
    }
}

/// A large file read ahead on a thread of its own comes back byte for byte with its hash,
/// whatever sizes it is taken in, and a reader that stops early neither waits forever nor
/// leaks the thread.
@Suite("Read ahead")
struct ReadAheadTests {
    @Test func everyByteComesBackInOrderWithTheFilesHash() throws {
        try withTemporaryFolder { dir in
            let size = 8 << 20 + 4_567_891
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ $0 >> 7) }
            let path = dir + "/big.bin"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            var file = try HashedFileWindow(path: path, readingAhead: true)
            defer { file.close() }
            var back: [UInt8] = []
            back.reserveCapacity(size)
            // Takes that straddle the reading thread's pieces, and one larger than the window.
            var step = 1
            while file.remaining > 0 {
                let n = min(file.remaining, step)
                guard let piece = try file.take(n) else { break }
                back += piece
                step = step == 1 ? 4_099 : (step == 4_099 ? 5 << 20 : 1)
            }
            #expect(file.atEnd)
            #expect(back == bytes)
            #expect(file.sha256() == Hex.string(SHA256.hash(data: bytes)))
        }
    }

    /// A read-ahead stopped while its thread waits for room, or while the reader holds a
    /// piece, is freed once its thread ends: its semaphores are not left below where they began
    /// (libdispatch traps on freeing one in use).
    @Test func aReadAheadStoppedEarlyIsFreed() throws {
        try withTemporaryFolder { dir in
            let path = dir + "/big.bin"
            try Data(repeating: 7, count: 12 << 20).write(to: URL(fileURLWithPath: path))
            for takes in [0, 1, 2] {
                weak var freed: HashedReadAhead?
                do {
                    let ahead = HashedReadAhead(file: try ReadOnlyFile(path), size: 12 << 20)
                    freed = ahead
                    for k in 0..<takes {
                        _ = try ahead.next()
                        if k < takes - 1 { ahead.giveBack() }
                    }
                    ahead.close()
                }
                // The thread lets go of it as it ends: waited for, not assumed.
                let deadline = Date().addingTimeInterval(10)
                while freed != nil && Date() < deadline { usleep(10_000) }
                #expect(freed == nil, "a read-ahead after \(takes) pieces is still held")
            }
        }
    }

    @Test func aReaderThatStopsEarlyEndsTheThread() throws {
        try withTemporaryFolder { dir in
            let bytes = [UInt8](repeating: 7, count: 12 << 20)
            let path = dir + "/big.bin"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            for taken in [0, 1, 3 << 20] {
                var file = try HashedFileWindow(path: path, readingAhead: true)
                if taken > 0 { _ = try file.take(taken) }
                #expect(!file.atEnd)
                // Not the file's hash: only part of it was taken.
                #expect(file.sha256() != Hex.string(SHA256.hash(data: bytes)))
                file.close()
            }
        }
    }
}

/// A drop is read once, into one buffer the size of the file.
@Suite("Drop file read")
struct DropFileReadTests {
    @Test func theBytesComeBackInABufferTheSizeOfTheFile() throws {
        try withTemporaryFolder { dir in
            let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
            let path = dir + "/usage.csv"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let read = try DropFile.read(path)
            #expect(read == bytes)
            // Finding the end of the file must not grow the buffer: a 250 MB drop held twice.
            #expect(read.capacity < bytes.count + bytes.count / 8)
            let empty = dir + "/empty.csv"
            try Data().write(to: URL(fileURLWithPath: empty))
            #expect(try DropFile.read(empty).isEmpty)
        }
    }

    /// Finance staff may rename a new drop into a name recon is still taking (SPEC §2: drops
    /// arrive by rename): the entry leaves the Inbox only while it names the file that was
    /// read, so the new drop is never removed unread.
    @Test func onlyTheFileThatWasReadLeavesTheInbox() throws {
        try withTemporaryFolder { dir in
            let path = dir + "/usage-x.csv"
            try Data("first\n".utf8).write(to: URL(fileURLWithPath: path))
            let first = try DropFile.readIdentified(path)
            try Data("second\n".utf8).write(to: URL(fileURLWithPath: dir + "/.usage-x.csv.part"))
            #expect(rename(dir + "/.usage-x.csv.part", path) == 0)
            #expect(!DropFile.removeIfStill(path, first.identity))
            #expect(try DropFile.read(path) == Array("second\n".utf8))
            let second = try DropFile.readIdentified(path)
            #expect(DropFile.removeIfStill(path, second.identity))
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }
}
