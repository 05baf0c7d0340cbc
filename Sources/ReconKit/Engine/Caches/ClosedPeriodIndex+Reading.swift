import Crypto
import Foundation

/// Reading a closed period's index: its table once, then only the buckets a lookup needs.
extension ClosedPeriodIndex {
    /// What opening an index gave.
    enum Opened {
        case index(ClosedPeriodIndex)
        case missing
        /// A file whose table is not the one the ledger recorded (or that does not read).
        case mismatch
        /// A file this user may not open: no damage, and nothing to judge it by (exit 1, its owner named).
        case unreadable(FileIO.Failure)
    }

    /// Opens the index at `path` once its table hashes to `tableSha256`; reads nothing else.
    static func open(period: Period, path: String, tableSha256: String, seq: Int) -> Opened {
        guard FileIO.exists(path) else { return .missing }
        // The site's own file or none: read through a link, an index `recon verify` refuses was
        // read around, and writers signed checkpoints over it (a dangling link is one too).
        guard FileStatus.of(path)?.kind == .regularFile else { return .mismatch }
        let opened: ReadOnlyFile?
        do {
            opened = try ReadOnlyFile(path)
        } catch let failure as FileIO.Failure where failure.isPermission {
            return .unreadable(failure)
        } catch {
            opened = nil
        }
        guard let file = opened, let size = try? file.size(), size >= 8,
              let tail = try? file.read(at: size - 8, count: 8) else { return .mismatch }
        let length = Int(tail.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(as: Int64.self)) })
        guard length > 0, length <= size - 8, let head = try? file.read(at: size - 8 - length, count: length),
              Hex.string(SHA256.hash(data: head)) == tableSha256 else { return .mismatch }
        guard let index = parse(table: head, period: period, path: path, seq: seq, tableStart: size - 8 - length) else { return .mismatch }
        return .index(index)
    }

    /// A vouched index as a writer's checks found it: its file's stamp then (taken before it was
    /// opened), and what the ledger vouches for.
    struct Found {
        let period: Period
        let tableSha256: String
        let seq: Int
        let stamp: FileStamp

        /// Whether the file at `path` still holds what the checks found, for a signing command's
        /// last look before its append (``CheckedFiles``): the same stamp; or, its stamp moved (a
        /// copy, `touch`), a table the ledger vouches for over parts that each hold what it
        /// records. Gone is no damage (the next command rebuilds it); anything else in its place is.
        func stillHeld(at path: String) -> Bool {
            guard let now = FileStamp.of(path) else { return FileStatus.of(path) == nil }
            guard now != stamp else { return true }
            guard case .index(let index) = ClosedPeriodIndex.open(period: period, path: path, tableSha256: tableSha256, seq: seq)
            else { return false }
            return index.holdsWhatItsTableRecords()
        }
    }

    /// Whether every part of the file — each bucket's fingerprints and records, the breakdown —
    /// holds the bytes its table records: read whole, only when a last look finds its stamp moved.
    func holdsWhatItsTableRecords() -> Bool {
        guard let file = try? ReadOnlyFile(path) else { return false }
        for b in buckets where b.count > 0 || b.recordsLength > 0 {
            guard let prints = try? file.read(at: b.fingerprintOffset, count: b.count * 8), Array(SHA256.hash(data: prints)) == b.fingerprintSha,
                  let records = try? file.read(at: b.recordsOffset, count: b.recordsLength), Array(SHA256.hash(data: records)) == b.recordsSha
            else { return false }
        }
        guard let breakdown = try? file.read(at: breakdownOffset, count: breakdownLength) else { return false }
        return Array(SHA256.hash(data: breakdown)) == breakdownSha
    }

    static func parse(table: [UInt8], period: Period, path: String, seq: Int, tableStart: Int) -> ClosedPeriodIndex? {
        table.withUnsafeBytes { buf -> ClosedPeriodIndex? in
            var c = ByteCursor(buf: buf)
            guard c.bytes(magic.count) == magic, c.string() == period.description, let count = c.int(), let nameCount = c.int(),
                  nameCount >= 0, nameCount <= table.count else { return nil }
            var names: [String] = []
            for _ in 0..<nameCount {
                guard let name = c.string() else { return nil }
                names.append(name)
            }
            guard let breakdownLength = c.int(), breakdownLength >= 0, let breakdownSha = c.bytes(32),
                  let bucketCount = c.int(), bucketCount > 0, bucketCount & (bucketCount - 1) == 0, bucketCount <= 1 << 24
            else { return nil }
            var buckets: [Bucket] = []
            buckets.reserveCapacity(bucketCount)
            var fingerprintAt = 0, recordsAt = 0
            for _ in 0..<bucketCount {
                guard let n = c.int(), let length = c.int(), n >= 0, length >= 0, let prints = c.bytes(32), let records = c.bytes(32)
                else { return nil }
                buckets.append(Bucket(count: n, fingerprintOffset: fingerprintAt, recordsOffset: recordsAt, recordsLength: length,
                                      fingerprintSha: prints, recordsSha: records))
                fingerprintAt += n * 8
                recordsAt += length
            }
            // The records follow every bucket's fingerprints; the breakdown follows the records.
            guard c.atEnd, fingerprintAt == count * 8 else { return nil }
            for b in buckets.indices { buckets[b].recordsOffset += fingerprintAt }
            guard fingerprintAt + recordsAt + breakdownLength == tableStart else { return nil }
            return ClosedPeriodIndex(period: period, path: path, reportCount: count, seq: seq,
                                     bucketBits: bucketCount.trailingZeroBitCount, buckets: buckets, names: names,
                                     breakdownOffset: fingerprintAt + recordsAt, breakdownLength: breakdownLength,
                                     breakdownSha: breakdownSha)
        }
    }

    /// A part of the file (`bucket 17`, `the breakdown`) whose bytes are not the ones the table
    /// records: the file changed after the ledger vouched for it. Nothing is built on it (exit
    /// 4), and deleting it is the remedy.
    func damaged(_ part: String) -> LedgerDamage {
        LedgerDamage(seq: seq, "\(part) of the closed-period index \(Self.relativePath(period)) does not match the "
            + "report_index_sha256 this entry recorded; delete the file (the next command rebuilds it from the archived drops) "
            + "and find out who changed it")
    }

    /// Report ids to look up, by ascending fingerprint (`positions[k]` is the place in `ids` of
    /// the id whose fingerprint is `fingerprints[k]`).
    struct Query {
        let fingerprints: [UInt64]
        let ids: [String]
        let positions: [Int32]
    }

    /// Starts reading from the disk the buckets `query`'s ids fall in, for a ``lookup(_:into:)``
    /// soon after: a few ids against a year of months are a hundred reads of a few kilobytes
    /// each, which the disk then serves together instead of one after another.
    func prefetch(_ query: Query) {
        guard reportCount > 0, let file = try? ReadOnlyFile(path) else { return }
        file.readsAtRandom()
        var last = -1
        for print in query.fingerprints {
            let b = Self.bucket(print, bits: bucketBits)
            guard b != last, b < buckets.count else { continue }
            last = b
            if buckets[b].count > 0 { file.willNeed(at: buckets[b].fingerprintOffset, count: buckets[b].count * 8) }
        }
    }

    /// The reports among the query's ids this period holds, by id. Each bucket's ids are
    /// together in the query and are matched in one walk beside its fingerprints.
    func lookup(_ query: Query, into out: inout [String: Report]) throws {
        let prints = query.fingerprints
        guard reportCount > 0, !prints.isEmpty else { return }
        let file: ReadOnlyFile
        do { file = try ReadOnlyFile(path) } catch { throw damaged("bucket 0") }
        file.readsAtRandom()
        var i = 0
        while i < prints.count {
            let b = Self.bucket(prints[i], bits: bucketBits)
            var j = i + 1
            while j < prints.count && Self.bucket(prints[j], bits: bucketBits) == b { j += 1 }
            defer { i = j }
            let bucket = buckets[b]
            guard bucket.count > 0 else { continue }
            guard let held = try? file.read(at: bucket.fingerprintOffset, count: bucket.count * 8),
                  Array(SHA256.hash(data: held)) == bucket.fingerprintSha else { throw damaged("bucket \(b)") }
            var hits: [String] = []
            held.withUnsafeBytes { raw in
                var k = 0
                for q in i..<j {
                    while k < bucket.count && raw.loadUnaligned(fromByteOffset: k * 8, as: UInt64.self).littleEndian < prints[q] { k += 1 }
                    if k < bucket.count && raw.loadUnaligned(fromByteOffset: k * 8, as: UInt64.self).littleEndian == prints[q] {
                        hits.append(query.ids[Int(query.positions[q])])
                    }
                }
            }
            guard !hits.isEmpty else { continue }
            guard let records = try? file.read(at: bucket.recordsOffset, count: bucket.recordsLength),
                  Array(SHA256.hash(data: records)) == bucket.recordsSha,
                  let reports = decodeRecords(records, count: bucket.count)
            else { throw damaged("bucket \(b)") }
            let wanted = Set(hits)
            for r in reports where wanted.contains(r.id) { out[r.id] = r }
        }
    }
}
