import Crypto
import Foundation

/// The month's breakdown for the auditor, kept in its index beside the records.
extension ClosedPeriodIndex {
    /// The month's breakdown for the auditor, checked against the table.
    func breakdown() throws -> SettledBreakdown {
        guard let file = try? ReadOnlyFile(path), let bytes = try? file.read(at: breakdownOffset, count: breakdownLength),
              Array(SHA256.hash(data: bytes)) == breakdownSha, let decoded = SettledBreakdown(bytes: bytes) else {
            throw damaged("the breakdown")
        }
        return decoded
    }

    /// Parties in byte order, each with its count of rows, then rows (key, reports, images) in byte order.
    static func encode(_ breakdown: SoftFindingDetail.Breakdown) throws -> [UInt8] {
        // Byte order, compared with memcmp: a month's breakdown has tens of thousands of rows.
        func before(_ a: String, _ b: String) -> Bool {
            var (a, b) = (a, b)
            return a.withUTF8 { x in
                b.withUTF8 { y in
                    let common = min(x.count, y.count)
                    let order = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
                    return order != 0 ? order < 0 : x.count < y.count
                }
            }
        }
        return try ChunkWriter.bytes { out in
            try out.put(Int64(breakdown.count))
            for party in breakdown.keys.sorted(by: before) {
                let rows = breakdown[party]!
                try out.put(party)
                try out.put(Int64(rows.count))
                for key in rows.keys.sorted(by: before) {
                    try out.put(key)
                    try out.put(Int64(rows[key]!.reports))
                    try out.put(Int64(rows[key]!.images))
                }
            }
        }
    }
}
