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

    /// 70,000 reports: about 5.7 MB of cache, more than one window.
    static func reports() -> [Report] {
        (0..<70_000).map { i in
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

    @Test func aCacheLargerThanTheWindowComesBackExactly() throws {
        try withTemporaryFolder { dir in
            let list = Self.reports()
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

    @Test func aFlippedByteInTheLastWindowIsAMismatch() throws {
        try withTemporaryFolder { dir in
            let (cache, bytes) = try written(dir, Self.reports())
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

    @Test func aCutFileIsAMismatch() throws {
        try withTemporaryFolder { dir in
            let (cache, bytes) = try written(dir, Self.reports())
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
}
