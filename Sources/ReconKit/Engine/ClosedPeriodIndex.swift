import Crypto
import Foundation

/// A closed period's reports on disk (`.recon/closed/YYYY-MM.idx`), so a command finds a
/// settled report by its id without holding years of reports in memory.
///
/// The reports are split into buckets by a fingerprint of their id. The file ends with a
/// table: each bucket's report count, its records' length and the SHA-256 of its
/// fingerprints and of its records. The `period.closed` (or `rerun`) entry that settled the
/// period records the table's SHA-256 (`report_index_sha256`), so the ledger vouches for
/// every byte, and a lookup reads and checks only the buckets its ids fall in.
///
/// Layout (integers little-endian): every bucket's fingerprints (64 bits each, ascending),
/// bucket after bucket; then every bucket's records, in fingerprint order; then the table
/// (magic `RCNH1\n`, the period, the report count, the names — client, radiologist and
/// modality ids — that records refer to by number, the bucket count, a power of two, and
/// the rows above); then the table's length. Between the records and the table lies the
/// month's breakdown for the auditor (``SoftFindingDetail``: billable reports and images by
/// client and modality, by radiologist and client), its length and SHA-256 in the table
/// after the names. A record is 35 bytes and the id: reported_at
/// (nanoseconds, 8), local date (day number, 4), client, radiologist and modality (name
/// numbers, 4 each), images (4), source line (4), urgency (1: 1 is STAT), the id's length
/// (2) and its UTF-8 bytes. The same reports always give the same bytes.
public struct ClosedPeriodIndex: Sendable {
    public let period: Period
    let path: String
    public let reportCount: Int
    /// The entry that vouches for it (`period.closed` or `rerun`), named when it is damaged.
    let seq: Int
    /// Fingerprint bits that choose the bucket (the top ones).
    private let bucketBits: Int
    private let buckets: [Bucket]
    /// The client, radiologist and modality ids records refer to by number.
    private let names: [String]
    private let breakdownOffset: Int
    private let breakdownLength: Int
    private let breakdownSha: [UInt8]

    static let magic: [UInt8] = Array("RCNH1\n".utf8)
    /// About this many reports a bucket: a lookup reads a few kilobytes per id.
    static let reportsPerBucket = 512

    struct Bucket: Sendable {
        var count: Int
        var fingerprintOffset: Int
        var recordsOffset: Int
        var recordsLength: Int
        var fingerprintSha: [UInt8]
        var recordsSha: [UInt8]
    }

    public static func relativePath(_ period: Period) -> String { ".recon/closed/\(period).idx" }

    // MARK: Fingerprints

    /// A 64-bit fingerprint of a report id, the same in every process (FNV-1a, then
    /// SplitMix64's finalizer so the top bits that choose the bucket are well spread).
    static func fingerprint(_ id: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in id.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return SplitMix64.mix(h)
    }

    private static func bucket(_ fingerprint: UInt64, bits: Int) -> Int { bits == 0 ? 0 : Int(fingerprint >> UInt64(64 - bits)) }

    private static func bucketBits(for count: Int) -> Int {
        var bits = 0
        while (1 << bits) * reportsPerBucket < count && bits < 24 { bits += 1 }
        return bits
    }

    // MARK: Writing

    /// Writes the index of a period's reports (`positions` in `all`, in order of arrival) to
    /// `path` without syncing; returns the SHA-256 of its table, for the entry that settles it.
    @discardableResult
    /// `stop`, asked before each piece is written, ends the write early (a refused close).
    static func write(period: Period, all: [Report], positions: [Int32], excluded: Set<String>, to path: String,
                      stop: () -> Bool = { false }) throws -> String {
        var sha = ""
        try FileIO.writeWithoutSync(path) { sink in
            sha = try encode(period: period, all: all, positions: positions, excluded: excluded) { piece in
                if stop() { throw CancellationError() }
                try sink(piece)
            }
        }
        return sha
    }

    /// The table's SHA-256 of the index of the period's reports, and whether the file at `path`
    /// (when given) holds exactly its bytes — compared piece by piece, never held whole (`recon verify`).
    static func compare(period: Period, all: [Report], positions: [Int32], excluded: Set<String>, withFile path: String?) throws
        -> (sha256: String, fileMatches: Bool?) {
        guard let path else { return (try encode(period: period, all: all, positions: positions, excluded: excluded) { _ in }, nil) }
        let file = try ReadOnlyFile(path)
        let size = try file.size()
        var offset = 0, same = true
        let sha = try encode(period: period, all: all, positions: positions, excluded: excluded) { piece in
            guard same, piece.count > 0 else { return }
            guard offset + piece.count <= size, let bytes = try? file.read(at: offset, count: piece.count),
                  bytes.withUnsafeBytes({ memcmp($0.baseAddress!, piece.baseAddress!, piece.count) == 0 }) else {
                same = false
                return
            }
            offset += piece.count
        }
        return (sha, same && offset == size)
    }

    /// The index's bytes handed to `sink` in order; returns the table's SHA-256.
    /// `excluded`: the month's reports left out of billing by a decision, left out of its breakdown.
    static func encode(period: Period, all: [Report], positions: [Int32], excluded: Set<String>,
                       to sink: (UnsafeRawBufferPointer) throws -> Void) throws -> String {
        let count = positions.count
        let bits = bucketBits(for: count)
        let bucketCount = 1 << bits
        // (fingerprint, position), grouped by bucket (a counting sort), then ordered by
        // fingerprint (and, for two ids with one fingerprint, by id).
        var starts = [Int](repeating: 0, count: bucketCount + 1)
        let keys = positions.map { (fingerprint: fingerprint(all[Int($0)].id), position: $0) }
        for k in keys { starts[bucket(k.fingerprint, bits: bits) + 1] += 1 }
        for b in 0..<bucketCount { starts[b + 1] += starts[b] }
        var order = [(fingerprint: UInt64, position: Int32)](repeating: (0, 0), count: count)
        var next = starts
        for k in keys {
            let b = bucket(k.fingerprint, bits: bits)
            order[next[b]] = k
            next[b] += 1
        }
        for b in 0..<bucketCount where starts[b + 1] - starts[b] > 1 {
            order[starts[b]..<starts[b + 1]].sort { x, y in
                x.fingerprint != y.fingerprint ? x.fingerprint < y.fingerprint
                    : all[Int(x.position)].id.utf8.lexicographicallyPrecedes(all[Int(y.position)].id.utf8)
            }
        }
        var table: [(count: Int, length: Int, fingerprints: [UInt8], records: [UInt8])] = []
        table.reserveCapacity(bucketCount)
        let prints = [UInt8](unsafeUninitializedCapacity: count * 8) { buffer, filled in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            for (k, key) in order.enumerated() { raw.storeBytes(of: key.fingerprint.littleEndian, toByteOffset: k * 8, as: UInt64.self) }
            filled = count * 8
        }
        try prints.withUnsafeBytes { raw in
            for b in 0..<bucketCount {
                let slice = UnsafeRawBufferPointer(rebasing: raw[(starts[b] * 8)..<(starts[b + 1] * 8)])
                table.append((starts[b + 1] - starts[b], 0, Array(SHA256.hash(data: slice)), []))
            }
            if raw.count > 0 { try sink(raw) }
        }
        var numbers = IdTable<Void>()
        // The auditor's breakdown, counted by name numbers: (client, modality) and (radiologist, client).
        var byClient: [Int: (reports: Int, images: Int)] = [:], byRadiologist: [Int: (reports: Int, images: Int)] = [:]
        var records = [UInt8](repeating: 0, count: 1 << 16)
        for b in 0..<bucketCount {
            var size = 0
            for k in starts[b]..<starts[b + 1] { size += fixedRecordBytes + all[Int(order[k].position)].id.utf8.count }
            if size > records.count { records = [UInt8](repeating: 0, count: size) }
            records.withUnsafeMutableBytes { out in
                var at = 0
                for k in starts[b]..<starts[b + 1] {
                    let r = all[Int(order[k].position)]
                    let client = numbers.insert(r.clientId, ()).position, rad = numbers.insert(r.radiologistId, ()).position
                    let modality = numbers.insert(r.modality, ()).position
                    at = storeRecord(r, client: client, radiologist: rad, modality: modality, into: out, at: at)
                    guard excluded.isEmpty || !excluded.contains(r.id) else { continue }
                    let images = Int(r.imageCount)
                    Self.count(&byClient[client << 32 | modality, default: (0, 0)], images: images)
                    Self.count(&byRadiologist[rad << 32 | client, default: (0, 0)], images: images)
                }
            }
            try records.withUnsafeBytes { raw in
                let used = UnsafeRawBufferPointer(rebasing: raw[..<size])
                if size > 0 { try sink(used) }
                table[b].length = size
                table[b].records = Array(SHA256.hash(data: used))
            }
        }
        var counted: SoftFindingDetail.Breakdown = [:]
        let name = numbers.entries.map(\.id)
        for (key, value) in byClient { counted["client|" + name[key >> 32], default: [:]][name[key & 0xFFFF_FFFF]] = value }
        for (key, value) in byRadiologist { counted["radiologist|" + name[key >> 32], default: [:]][name[key & 0xFFFF_FFFF]] = value }
        let breakdown = Self.encode(counted)
        try breakdown.withUnsafeBytes { try sink($0) }
        var head: [UInt8] = magic
        func put(_ v: Int64) { withUnsafeBytes(of: v.littleEndian) { head += $0 } }
        func put(_ text: String) {
            put(Int64(text.utf8.count))
            head += text.utf8
        }
        put(period.description)
        put(Int64(count))
        put(Int64(numbers.count))
        for entry in numbers.entries { put(entry.id) }
        put(Int64(breakdown.count))
        head += SHA256.hash(data: breakdown)
        put(Int64(bucketCount))
        for row in table {
            put(Int64(row.count))
            put(Int64(row.length))
            head += row.fingerprints
            head += row.records
        }
        let sha = Hex.string(SHA256.hash(data: head))
        put(Int64(head.count))
        try head.withUnsafeBytes { try sink($0) }
        return sha
    }

    private static func count(_ tally: inout (reports: Int, images: Int), images: Int) {
        tally.reports += 1
        tally.images += images
    }

    /// The month's breakdown for the auditor, checked against the table.
    func breakdown() throws -> SoftFindingDetail.Breakdown {
        guard let file = try? ReadOnlyFile(path), let bytes = try? file.read(at: breakdownOffset, count: breakdownLength),
              Array(SHA256.hash(data: bytes)) == breakdownSha, let decoded = Self.decode(breakdown: bytes) else {
            throw LedgerDamage(seq: seq, "the breakdown in the closed-period index \(Self.relativePath(period)) does not match the "
                + "report_index_sha256 this entry recorded; delete the file (the next command rebuilds it from the archived drops) "
                + "and find out who changed it")
        }
        return decoded
    }

    /// Parties in byte order, each with its count of rows, then rows (key, reports, images) in byte order.
    private static func encode(_ breakdown: SoftFindingDetail.Breakdown) -> [UInt8] {
        var out: [UInt8] = []
        func put(_ v: Int64) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        func put(_ text: String) {
            put(Int64(text.utf8.count))
            out += text.utf8
        }
        func before(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
        put(Int64(breakdown.count))
        for party in breakdown.keys.sorted(by: before) {
            let rows = breakdown[party]!
            put(party)
            put(Int64(rows.count))
            for key in rows.keys.sorted(by: before) {
                put(key)
                put(Int64(rows[key]!.reports))
                put(Int64(rows[key]!.images))
            }
        }
        return out
    }

    private static func decode(breakdown bytes: [UInt8]) -> SoftFindingDetail.Breakdown? {
        var pos = 0
        func int() -> Int? {
            guard pos + 8 <= bytes.count else { return nil }
            defer { pos += 8 }
            return Int(bytes.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(fromByteOffset: pos, as: Int64.self)) })
        }
        func text() -> String? {
            guard let n = int(), n >= 0, pos + n <= bytes.count else { return nil }
            defer { pos += n }
            return String(decoding: bytes[pos..<(pos + n)], as: UTF8.self)
        }
        var out: SoftFindingDetail.Breakdown = [:]
        guard let parties = int(), parties >= 0 else { return nil }
        for _ in 0..<parties {
            guard let party = text(), let n = int(), n >= 0 else { return nil }
            var rows: [String: (reports: Int, images: Int)] = [:]
            for _ in 0..<n {
                guard let key = text(), let reports = int(), let images = int() else { return nil }
                rows[key] = (reports, images)
            }
            out[party] = rows
        }
        return pos == bytes.count ? out : nil
    }

    private static let fixedRecordBytes = 35

    /// Stores one record at `at`; returns where the next one goes.
    private static func storeRecord(_ r: Report, client: Int, radiologist: Int, modality: Int,
                                    into out: UnsafeMutableRawBufferPointer, at: Int) -> Int {
        out.storeBytes(of: r.reportedAt.nanoseconds.littleEndian, toByteOffset: at, as: Int64.self)
        out.storeBytes(of: r.localDate.dayNumber.littleEndian, toByteOffset: at + 8, as: Int32.self)
        out.storeBytes(of: UInt32(client).littleEndian, toByteOffset: at + 12, as: UInt32.self)
        out.storeBytes(of: UInt32(radiologist).littleEndian, toByteOffset: at + 16, as: UInt32.self)
        out.storeBytes(of: UInt32(modality).littleEndian, toByteOffset: at + 20, as: UInt32.self)
        out.storeBytes(of: r.imageCount.littleEndian, toByteOffset: at + 24, as: Int32.self)
        out.storeBytes(of: r.line.littleEndian, toByteOffset: at + 28, as: Int32.self)
        out.storeBytes(of: r.urgency == .stat ? 1 : 0, toByteOffset: at + 32, as: UInt8.self)
        var id = r.id
        return id.withUTF8 { bytes in
            out.storeBytes(of: UInt16(bytes.count).littleEndian, toByteOffset: at + 33, as: UInt16.self)
            UnsafeMutableRawBufferPointer(rebasing: out[(at + fixedRecordBytes)...]).copyMemory(from: UnsafeRawBufferPointer(bytes))
            return at + fixedRecordBytes + bytes.count
        }
    }

    /// A bucket's records, or nil when they do not read as `count` records naming known names.
    private func decodeRecords(_ bytes: [UInt8], count: Int) -> [Report]? {
        bytes.withUnsafeBytes { raw -> [Report]? in
            var out: [Report] = []
            out.reserveCapacity(count)
            var pos = 0
            func load<T: FixedWidthInteger>(_: T.Type, _ at: Int) -> T { T(littleEndian: raw.loadUnaligned(fromByteOffset: pos + at, as: T.self)) }
            for _ in 0..<count {
                guard pos + Self.fixedRecordBytes <= raw.count else { return nil }
                let client = Int(load(UInt32.self, 12)), rad = Int(load(UInt32.self, 16)), modality = Int(load(UInt32.self, 20))
                let idLength = Int(load(UInt16.self, 33))
                guard client < names.count, rad < names.count, modality < names.count,
                      pos + Self.fixedRecordBytes + idLength <= raw.count else { return nil }
                let idStart = pos + Self.fixedRecordBytes
                let id = String(decoding: UnsafeRawBufferPointer(rebasing: raw[idStart..<(idStart + idLength)]), as: UTF8.self)
                out.append(Report(id: id, reportedAt: Timestamp(nanoseconds: load(Int64.self, 0)),
                                  localDate: LocalDate(dayNumber: load(Int32.self, 8)), clientId: names[client], radiologistId: names[rad],
                                  modality: names[modality], imageCount: load(Int32.self, 24), urgency: raw[pos + 32] == 1 ? .stat : .routine,
                                  line: load(Int32.self, 28)))
                pos = idStart + idLength
            }
            return pos == raw.count ? out : nil
        }
    }

    // MARK: Reading

    /// What opening an index gave.
    enum Opened {
        case index(ClosedPeriodIndex)
        case missing
        /// A file whose table is not the one the ledger recorded (or that does not read).
        case mismatch
    }

    /// Opens the index at `path` once its table hashes to `tableSha256`; reads nothing else.
    static func open(period: Period, path: String, tableSha256: String, seq: Int) -> Opened {
        guard FileIO.exists(path) else { return .missing }
        guard let file = try? ReadOnlyFile(path), let size = try? file.size(), size >= 8,
              let tail = try? file.read(at: size - 8, count: 8) else { return .mismatch }
        let length = Int(tail.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(as: Int64.self)) })
        guard length > 0, length <= size - 8, let head = try? file.read(at: size - 8 - length, count: length),
              Hex.string(SHA256.hash(data: head)) == tableSha256 else { return .mismatch }
        guard let index = parse(table: head, period: period, path: path, seq: seq, tableStart: size - 8 - length) else { return .mismatch }
        return .index(index)
    }

    private static func parse(table: [UInt8], period: Period, path: String, seq: Int, tableStart: Int) -> ClosedPeriodIndex? {
        var pos = 0
        func int() -> Int? {
            guard pos + 8 <= table.count else { return nil }
            defer { pos += 8 }
            return Int(table.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(fromByteOffset: pos, as: Int64.self)) })
        }
        guard table.starts(with: magic) else { return nil }
        pos = magic.count
        func text() -> String? {
            guard let n = int(), n >= 0, pos + n <= table.count else { return nil }
            defer { pos += n }
            return String(decoding: table[pos..<(pos + n)], as: UTF8.self)
        }
        guard text() == period.description, let count = int(), let nameCount = int(), nameCount >= 0, nameCount <= table.count
        else { return nil }
        var names: [String] = []
        for _ in 0..<nameCount {
            guard let name = text() else { return nil }
            names.append(name)
        }
        guard let breakdownLength = int(), breakdownLength >= 0, pos + 32 <= table.count else { return nil }
        let breakdownSha = Array(table[pos..<(pos + 32)])
        pos += 32
        guard let bucketCount = int(), bucketCount > 0, bucketCount & (bucketCount - 1) == 0,
              bucketCount <= 1 << 24 else { return nil }
        var rows: [(count: Int, length: Int, fingerprints: [UInt8], records: [UInt8])] = []
        rows.reserveCapacity(bucketCount)
        for _ in 0..<bucketCount {
            guard let c = int(), let l = int(), c >= 0, l >= 0, pos + 64 <= table.count else { return nil }
            rows.append((c, l, Array(table[pos..<(pos + 32)]), Array(table[(pos + 32)..<(pos + 64)])))
            pos += 64
        }
        guard pos == table.count, rows.reduce(0, { $0 + $1.count }) == count else { return nil }
        var buckets: [Bucket] = []
        buckets.reserveCapacity(bucketCount)
        var fingerprintAt = 0, recordsAt = count * 8
        for r in rows {
            buckets.append(Bucket(count: r.count, fingerprintOffset: fingerprintAt, recordsOffset: recordsAt, recordsLength: r.length,
                                  fingerprintSha: r.fingerprints, recordsSha: r.records))
            fingerprintAt += r.count * 8
            recordsAt += r.length
        }
        guard recordsAt + breakdownLength == tableStart else { return nil }
        return ClosedPeriodIndex(period: period, path: path, reportCount: count, seq: seq, bucketBits: bucketCount.trailingZeroBitCount,
                                 buckets: buckets, names: names, breakdownOffset: recordsAt, breakdownLength: breakdownLength,
                                 breakdownSha: breakdownSha)
    }

    /// A bucket whose bytes are not the ones the table records: the file changed after the
    /// ledger vouched for it. Nothing is built on it (exit 4), and deleting it is the remedy.
    private func damaged(_ bucket: Int) -> LedgerDamage {
        LedgerDamage(seq: seq, "bucket \(bucket) of the closed-period index \(Self.relativePath(period)) does not match the "
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

    /// The reports among the query's ids this period holds, by id. Each bucket's ids are
    /// together in the query and are matched in one walk beside its fingerprints.
    func lookup(_ query: Query, into out: inout [String: Report]) throws {
        let prints = query.fingerprints
        guard reportCount > 0, !prints.isEmpty else { return }
        let file: ReadOnlyFile
        do { file = try ReadOnlyFile(path) } catch { throw damaged(0) }
        var i = 0
        while i < prints.count {
            let b = Self.bucket(prints[i], bits: bucketBits)
            var j = i + 1
            while j < prints.count && Self.bucket(prints[j], bits: bucketBits) == b { j += 1 }
            defer { i = j }
            let bucket = buckets[b]
            guard bucket.count > 0 else { continue }
            guard let held = try? file.read(at: bucket.fingerprintOffset, count: bucket.count * 8),
                  Array(SHA256.hash(data: held)) == bucket.fingerprintSha else { throw damaged(b) }
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
            else { throw damaged(b) }
            let wanted = Set(hits)
            for r in reports where wanted.contains(r.id) { out[r.id] = r }
        }
    }
}
