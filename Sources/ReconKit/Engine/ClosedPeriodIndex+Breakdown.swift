import Crypto
import Foundation

/// The month's breakdown for the auditor, kept in its index beside the records.
extension ClosedPeriodIndex {
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
    static func encode(_ breakdown: SoftFindingDetail.Breakdown) -> [UInt8] {
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

    static func decode(breakdown bytes: [UInt8]) -> SoftFindingDetail.Breakdown? {
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
}
