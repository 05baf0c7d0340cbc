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
    let bucketBits: Int
    let buckets: [Bucket]
    /// The client, radiologist and modality ids records refer to by number.
    let names: [String]
    let breakdownOffset: Int
    let breakdownLength: Int
    let breakdownSha: [UInt8]

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
    static func fingerprint(_ id: String) -> UInt64 { fingerprintAndASCII(id).0 }

    /// ``fingerprint(_:)``, and whether the id is ASCII (an index's encoding asks both).
    static func fingerprintAndASCII(_ id: String) -> (UInt64, Bool) {
        func fold(_ bytes: some Sequence<UInt8>) -> (UInt64, Bool) {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325, seen: UInt8 = 0
            for b in bytes {
                h = (h ^ UInt64(b)) &* 0x100_0000_01b3
                seen |= b
            }
            return (SplitMix64.mix(h), seen < 0x80)
        }
        return id.utf8.withContiguousStorageIfAvailable { fold($0) } ?? fold(id.utf8)
    }

    static func bucket(_ fingerprint: UInt64, bits: Int) -> Int { bits == 0 ? 0 : Int(fingerprint >> UInt64(64 - bits)) }

    static func bucketBits(for count: Int) -> Int {
        var bits = 0
        while (1 << bits) * reportsPerBucket < count && bits < 24 { bits += 1 }
        return bits
    }

    // MARK: Records

    static let fixedRecordBytes = 35

    /// A bucket's records, or nil when they do not read as `count` records naming known names.
    func decodeRecords(_ bytes: [UInt8], count: Int) -> [Report]? {
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
}
