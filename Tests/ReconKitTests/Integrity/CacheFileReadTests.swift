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

    /// In the earlier layout, 70,000 reports are about 5.7 MB of cache, more than one window,
    /// read in line; 120,000 about 9.8 MB, read and hashed ahead on a thread of its own.

    static func reports(_ count: Int = 70_000) -> [Report] {
        (0..<count).map { i in
            Report(id: "R-2026-\(i)", reportedAt: Timestamp(nanoseconds: 1_772_409_600_000_000_000 + Int64(i) * 1_000_000_000),
                   localDate: LocalDate(year: 2026, month: 3, day: 1 + i % 28)!,
                   clientId: "C\(i % 13)", radiologistId: "D\(i % 17)", modality: ["CT", "MR", "XR"][i % 3],
                   imageCount: Int32(1 + i % 9), urgency: i % 4 == 0 ? .stat : .routine, line: Int32(i + 2))
        }
    }

    /// The cache of `reports` written in `layout` (the earlier version's when `.v4`).
    func written(_ dir: String, _ reports: [Report], _ layout: DropCacheLayout = .v4) throws -> (cache: DropCache, bytes: [UInt8]) {
        let cache = DropCache(dir: dir)
        let bytes = DropCache.encode(sha256: Self.sha, reports, layout: layout)
        cache.write(sha256: Self.sha, bytes)
        return (cache, bytes)
    }

    /// Sizes in the new layout: 70,000 reports are 2.4 MB, read whole and hashed on another
    /// core; 250,000 about 9 MB, read and hashed ahead.
    static let layoutsAndSizes: [(DropCacheLayout, Int)] = [(.v4, 70_000), (.v4, 120_000), (.v5, 70_000), (.v5, 250_000)]

    @Test(arguments: layoutsAndSizes) func aCacheComesBackExactlyInEitherLayout(layout: DropCacheLayout, count: Int) throws {
        try withTemporaryFolder { dir in
            let list = Self.reports(count)
            let (cache, bytes) = try written(dir, list, layout)
            #expect(Array(bytes.prefix(6)) == Array("\(layout.rawValue)\n".utf8))
            let fileSha = Hex.string(SHA256.hash(data: bytes))
            guard case .rows(let rows) = cache.loadVouched(sha256: Self.sha, format: layout.rawValue, cacheSha256: fileSha) else {
                Issue.record("the cache does not load against its own SHA-256")
                return
            }
            #expect(rows == list)
            #expect(cache.load(sha256: Self.sha) == list)
            // The file is what its entry says it is: the other layout's name does not read it.
            let other: DropCacheLayout = layout == .v4 ? .v5 : .v4
            guard case .mismatch = cache.loadVouched(sha256: Self.sha, format: other.rawValue, cacheSha256: fileSha) else {
                Issue.record("a \(layout.rawValue) file was read as \(other.rawValue)")
                return
            }
        }
    }

    /// The new layout's row: 1 + id + 8 + 4 × 5 + 1 + 4 bytes. "R-2026-7" is 8 bytes: 42.
    @Test func theNewLayoutTakesFortyTwoBytesARowOfAnEightByteId() throws {
        let one = Array(Self.reports(1))
        let header = DropCache.encode(sha256: Self.sha, [], layout: .v5).count
        let oneRow = DropCache.encode(sha256: Self.sha, one, layout: .v5).count
        // The table (three names, each an 8-byte length and its bytes: "C0", "D0", "CT") comes with the row.
        #expect(oneRow - header == 42 + 3 * (8 + 2))
        #expect(DropCache.format == "RCNU5")
        // New caches are written in it unless an id is longer than one byte can say.
        #expect(DropCache.encode(sha256: Self.sha, one) { _ in } == .v5)
        var long = one[0]
        long = Report(id: String(repeating: "x", count: 256), reportedAt: long.reportedAt, localDate: long.localDate,
                      clientId: long.clientId, radiologistId: long.radiologistId, modality: long.modality,
                      imageCount: long.imageCount, urgency: long.urgency, line: long.line)
        #expect(DropCache.encode(sha256: Self.sha, [long]) { _ in } == .v4)
    }

    @Test(arguments: layoutsAndSizes) func aFlippedByteInTheLastWindowIsAMismatch(layout: DropCacheLayout, count: Int) throws {
        try withTemporaryFolder { dir in
            let (cache, bytes) = try written(dir, Self.reports(count), layout)
            let fileSha = Hex.string(SHA256.hash(data: bytes))
            var damaged = bytes
            // The last row's line number: a value that still decodes, so only the hash can tell.
            damaged[damaged.count - (layout == .v4 ? 8 : 4)] ^= 0x01
            try Data(damaged).write(to: URL(fileURLWithPath: dir + "/" + Self.sha + ".bin"))
            #expect(cache.load(sha256: Self.sha) != nil, "the damage should still decode")
            guard case .mismatch = cache.loadVouched(sha256: Self.sha, format: layout.rawValue, cacheSha256: fileSha) else {
                Issue.record("a changed byte was read as the vouched cache")
                return
            }
        }
    }

    /// Header: magic (6), the sha as a string (8 + 64), then the row count.
    static let countOffset = 6 + 8 + 64

    static func int64(_ bytes: [UInt8], at offset: Int) -> Int {
        Int(bytes[offset..<(offset + 8)].withUnsafeBytes { $0.loadUnaligned(as: Int64.self) })
    }

    /// Where the first row starts: after the header and the table of names.
    static func firstRow(_ bytes: [UInt8]) -> Int {
        var offset = countOffset + 16
        for _ in 0..<int64(bytes, at: countOffset + 8) { offset += 8 + int64(bytes, at: offset) }
        return offset
    }

    /// Where the row at `offset` ends.
    static func rowEnd(_ bytes: [UInt8], at offset: Int, _ layout: DropCacheLayout) -> Int {
        layout == .v4 ? offset + 8 + int64(bytes, at: offset) + 64 : offset + 34 + Int(bytes[offset])
    }

    /// A row's id length forged in the middle of a cache read ahead: decoding stops there (or
    /// goes on out of step), with pieces still ahead, and the cache is a mismatch, not a crash.
    @Test(arguments: [(DropCacheLayout.v4, 120_000), (.v5, 250_000)])
    func aCacheDamagedMidwayIsAMismatch(layout: DropCacheLayout, count: Int) throws {
        try withTemporaryFolder { dir in
            let (cache, bytes) = try written(dir, Self.reports(count), layout)
            let fileSha = Hex.string(SHA256.hash(data: bytes))
            var damaged = bytes
            // Any row near the middle is as good: find a row boundary by walking the rows.
            var offset = Self.firstRow(bytes)
            while offset < bytes.count / 2 { offset = Self.rowEnd(bytes, at: offset, layout) }
            if layout == .v4 {
                damaged.replaceSubrange(offset..<(offset + 8), with: withUnsafeBytes(of: Int64(-1)) { Array($0) })
            } else {
                damaged[offset] = 255
            }
            try Data(damaged).write(to: URL(fileURLWithPath: dir + "/" + Self.sha + ".bin"))
            guard case .mismatch = cache.loadVouched(sha256: Self.sha, format: layout.rawValue, cacheSha256: fileSha) else {
                Issue.record("a cache damaged midway was read")
                return
            }
        }
    }

    @Test(arguments: layoutsAndSizes) func aCutFileIsAMismatch(layout: DropCacheLayout, count: Int) throws {
        try withTemporaryFolder { dir in
            let (cache, bytes) = try written(dir, Self.reports(count), layout)
            let fileSha = Hex.string(SHA256.hash(data: bytes))
            try Data(bytes.prefix(bytes.count - 100)).write(to: URL(fileURLWithPath: dir + "/" + Self.sha + ".bin"))
            guard case .mismatch = cache.loadVouched(sha256: Self.sha, format: layout.rawValue, cacheSha256: fileSha) else {
                Issue.record("a cut cache file was read")
                return
            }
            #expect(cache.load(sha256: Self.sha) == nil)
        }
    }

    /// A later drop's cache is decoded onto the end of the rows the site already holds: it
    /// comes back exactly after them, and the rows before it are untouched.
    @Test(arguments: layoutsAndSizes) func aCacheAppendedComesBackAfterTheRowsHeld(layout: DropCacheLayout, count: Int) throws {
        try withTemporaryFolder { dir in
            let list = Self.reports(count), held = Array(Self.reports(30).reversed())
            let (cache, bytes) = try written(dir, list, layout)
            var rows = held
            let read = cache.appendVouched(sha256: Self.sha, format: layout.rawValue,
                                           cacheSha256: Hex.string(SHA256.hash(data: bytes)), to: &rows)
            guard case .appended = read else {
                Issue.record("the cache was not appended against its own SHA-256")
                return
            }
            #expect(rows.count == held.count + list.count)
            #expect(Array(rows.prefix(held.count)) == held)
            #expect(Array(rows.dropFirst(held.count)) == list)
        }
    }

    /// Rows are appended as they are decoded, before the file's hash is known: a file that turns
    /// out not to be the vouched one (a flipped byte that still decodes, a cut file, a forged id
    /// length midway) leaves the rows held exactly as they were, none of its rows among them.
    @Test(arguments: [(DropCacheLayout.v4, 120_000), (.v5, 70_000), (.v5, 250_000)])
    func aDamagedCacheAppendsNothing(layout: DropCacheLayout, count: Int) throws {
        try withTemporaryFolder { dir in
            let held = Array(Self.reports(30).reversed())
            let (cache, bytes) = try written(dir, Self.reports(count), layout)
            let fileSha = Hex.string(SHA256.hash(data: bytes))
            var flipped = bytes
            flipped[flipped.count - (layout == .v4 ? 8 : 4)] ^= 0x01
            var midway = bytes
            var offset = Self.firstRow(bytes)
            while offset < bytes.count / 2 { offset = Self.rowEnd(bytes, at: offset, layout) }
            midway[offset] = 255
            for (what, damaged) in [("a flipped byte", flipped), ("a cut file", Array(bytes.prefix(bytes.count - 100))),
                                    ("a forged id length", midway), ("a SHA-256 no entry recorded", bytes)] {
                try Data(damaged).write(to: URL(fileURLWithPath: dir + "/" + Self.sha + ".bin"))
                var rows = held
                let vouched = what == "a SHA-256 no entry recorded" ? String(repeating: "0", count: 64) : fileSha
                guard case .mismatch = cache.appendVouched(sha256: Self.sha, format: layout.rawValue, cacheSha256: vouched, to: &rows) else {
                    Issue.record("\(what): the cache was appended")
                    continue
                }
                let unchanged = rows == held  // compared apart: a failure names counts, not a quarter-million rows
                #expect(unchanged, "\(what): \(rows.count) rows held instead of \(held.count)")
            }
        }
    }

    /// Rows are decoded before the hash is known: a forged count or an out-of-range value must
    /// not make the reader reserve room for billions of rows or trap on a conversion.
    @Test(arguments: DropCacheLayout.allCases) func forgedCountsAndValuesAreDamageNotACrash(layout: DropCacheLayout) throws {
        try withTemporaryFolder { dir in
            let (cache, bytes) = try written(dir, Array(Self.reports().prefix(10)), layout)
            #expect(cache.load(sha256: Self.sha) != nil)
            func expectDamage(at offset: Int, _ value: [UInt8], _ what: String) throws {
                var forged = bytes
                forged.replaceSubrange(offset..<(offset + value.count), with: value)
                try Data(forged).write(to: URL(fileURLWithPath: dir + "/" + Self.sha + ".bin"))
                #expect(cache.load(sha256: Self.sha) == nil, "\(what) was decoded")
            }
            try expectDamage(at: Self.countOffset, withUnsafeBytes(of: Int64(1) << 40) { Array($0) }, "a count of 2^40 rows")
            let row = Self.firstRow(bytes)
            if layout == .v4 {
                // The first row's day number (after its id and timestamp) set past Int32.
                let dayOffset = row + 8 + Self.int64(bytes, at: row) + 8
                try expectDamage(at: dayOffset, withUnsafeBytes(of: Int64(1) << 40) { Array($0) }, "a day past Int32")
            } else {
                // After the id: time (8), day (4), then the client's number in the table, then urgency at 28.
                let fields = row + 1 + Int(bytes[row])
                try expectDamage(at: fields + 12, [0xFF, 0xFF, 0xFF, 0xFF], "a client number past the table")
                try expectDamage(at: fields + 20, [0xFF, 0xFF, 0, 0], "a modality number past the table")
                try expectDamage(at: fields + 28, [2], "an urgency other than 0 or 1")
            }
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

/// A file read ahead (a large one on a thread of its own, a smaller one read whole and hashed
/// on another core, the smallest in line) comes back byte for byte with its hash, whatever
/// sizes it is taken in, and a reader that stops early neither waits forever nor leaks the thread.
@Suite("Read ahead")
struct ReadAheadTests {
    @Test(arguments: [(64 << 10) - 1, 64 << 10, 6 << 20, 8 << 20 + 4_567_891])
    func everyByteComesBackInOrderWithTheFilesHash(size: Int) throws {
        try withTemporaryFolder { dir in
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

    /// The SHA-256 that names an archived drop comes with its bytes: a large file is hashed
    /// on another thread while it is still being read, a small one after. Sizes either side
    /// of where the hashing moves to the other thread and of the read's pieces.
    @Test func theHashIsTheHashOfTheBytesRead() throws {
        try withTemporaryFolder { dir in
            let threshold = FileIO.hashedBehindFrom, piece = FileIO.readPiece
            let sizes = [0, 1, 63, threshold - 1, threshold, threshold + 1, threshold + piece, threshold + 2 * piece + 12_345]
            let all = Data((0..<sizes.max()!).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 11) })
            for size in sizes {
                let bytes = all.prefix(size)
                let path = dir + "/usage-\(size).csv"
                try bytes.write(to: URL(fileURLWithPath: path))
                // Against the library's one-shot hash of the same bytes, never the code under test.
                let expected = Hex.string(SHA256.hash(data: bytes))
                let drop = try DropFile.readIdentified(path)
                #expect(Data(drop.bytes) == bytes, "size \(size)")
                #expect(drop.sha256 == expected, "size \(size)")
            }
            // The ledger's read refuses a symbolic link in its place, as ever.
            #expect(symlink(dir + "/usage-1.csv", dir + "/link.jsonl") == 0)
            #expect(throws: FileIO.Failure.self) { try LedgerFile(path: dir + "/link.jsonl").load() }
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
            #expect(DropFile.removeIfStill(path, first.identity) == .replaced)
            #expect(try DropFile.read(path) == Array("second\n".utf8))
            let second = try DropFile.readIdentified(path)
            #expect(DropFile.removeIfStill(path, second.identity) == .removed)
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }
}
