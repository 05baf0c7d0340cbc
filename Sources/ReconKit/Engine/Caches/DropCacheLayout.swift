/// The byte layouts of a drop's cache file (``DropCache``). A `drop.accepted` entry records
/// the layout its cache was written in (`cache_format`) beside the bytes' SHA-256, so a
/// cache written by an earlier version is still read, checked, as it was written.
///
/// Both begin alike: the layout's name and a newline, the drop's SHA-256 as a string, the
/// row count, and the client, radiologist and modality ids stored once in a table (strings
/// as a 64-bit length and their bytes). Rows refer to the table by number.
public enum DropCacheLayout: String, CaseIterable, Sendable {
    /// Every field of a row a little-endian 64-bit integer, the id as a 64-bit length and its
    /// bytes: 81 bytes a report of a 9-character id.
    case v4 = "RCNU4"
    /// Every field of a row at its own width, little-endian: the id's length in one byte and
    /// its bytes, the time in 8, the local day, client, radiologist, modality, images in 4
    /// each, urgency in 1, the line in 4 — 43 bytes a report of a 9-character id, so a
    /// month's cache is read and hashed in half the bytes.
    case v5 = "RCNU5"

    /// The first bytes of a file in this layout.
    var magic: [UInt8] { Array((rawValue + "\n").utf8) }

    /// The layout new caches are written in, for reports whose longest id takes `bytes` bytes:
    /// v5, unless an id is longer than its one-byte length can say (ids are at most 64
    /// characters, SPEC §2; v4 holds any).
    static func newest(forLongestId bytes: Int) -> DropCacheLayout { bytes <= Int(UInt8.max) ? .v5 : .v4 }

    /// The fewest bytes a row takes (an empty id): bounds a count read before the hash is known.
    var smallestRow: Int { self == .v4 ? 72 : 34 }

    /// Writes `reports` in this layout to `out`, their client, radiologist and modality ids
    /// numbered by `codes` into `table`.
    func encodeRows(_ reports: [Report], codes: [(UInt32, UInt32, UInt32)], to out: inout ChunkWriter) throws {
        switch self {
        case .v4:
            for (r, c) in zip(reports, codes) {
                try out.put(r.id)
                try out.put(r.reportedAt.nanoseconds)
                try out.put(Int64(r.localDate.dayNumber))
                try out.put(Int64(c.0))
                try out.put(Int64(c.1))
                try out.put(Int64(c.2))
                try out.put(Int64(r.imageCount))
                try out.put(r.urgency == .stat ? 1 : 0)
                try out.put(Int64(r.line))
            }
        case .v5:
            // Each row's fields are read where they lie: a report copied whole retains and
            // releases its names, a fifth of the encoding's time at a million rows.
            try reports.withUnsafeBufferPointer { rows in
                for (k, c) in zip(rows.indices, codes) {
                    let at = rows[k].reportedAt.nanoseconds, day = rows[k].localDate.dayNumber
                    let images = rows[k].imageCount, stat = rows[k].urgency == .stat, line = rows[k].line
                    var id = rows[k].id
                    try id.withUTF8 { idBytes in
                        let n = idBytes.count
                        try out.put(count: 34 + n) { p in
                            p.storeBytes(of: UInt8(truncatingIfNeeded: n), as: UInt8.self)
                            if n > 0 { (p + 1).copyMemory(from: idBytes.baseAddress!, byteCount: n) }
                            let q = p + 1 + n
                            q.storeBytes(of: at.littleEndian, as: Int64.self)
                            (q + 8).storeBytes(of: day.littleEndian, as: Int32.self)
                            (q + 12).storeBytes(of: c.0.littleEndian, as: UInt32.self)
                            (q + 16).storeBytes(of: c.1.littleEndian, as: UInt32.self)
                            (q + 20).storeBytes(of: c.2.littleEndian, as: UInt32.self)
                            (q + 24).storeBytes(of: images.littleEndian, as: Int32.self)
                            (q + 28).storeBytes(of: UInt8(stat ? 1 : 0), as: UInt8.self)
                            (q + 29).storeBytes(of: line.littleEndian, as: Int32.self)
                        }
                    }
                }
            }
        }
    }

    /// The next row of a file in this layout, its names taken from `table`; nil when the
    /// file ends too soon or a value is out of range (damage, never a trap).
    func decodeRow(_ c: inout HashedFileWindow, table: [String]) throws -> Report? {
        switch self {
        case .v4:
            // The id (length, bytes) and eight integers, taken from the window whole.
            guard let idLength = try c.peekInt64(), idLength >= 0, idLength <= 1 << 20,
                let row = try c.take(8 + Int(idLength) + 64) else { return nil }
            var r = ByteCursor(buf: row)
            guard let id = r.string(), let at = r.int64(), let day = r.int64(), let client = r.int64(),
                let rad = r.int64(), let modality = r.int64(), let images = r.int64(), let urg = r.int64(),
                let line = r.int64(), table.indices.contains(Int(client)), table.indices.contains(Int(rad)),
                table.indices.contains(Int(modality)), let day = Int32(exactly: day), let images = Int32(exactly: images),
                let line = Int32(exactly: line)
            else { return nil }
            return Report(id: id, reportedAt: Timestamp(nanoseconds: at), localDate: LocalDate(dayNumber: day),
                          clientId: table[Int(client)], radiologistId: table[Int(rad)], modality: table[Int(modality)],
                          imageCount: images, urgency: urg == 1 ? .stat : .routine, line: line)
        case .v5:
            guard let idLength = try c.peekByte(), let row = try c.take(34 + Int(idLength)) else { return nil }
            let n = Int(idLength), q = 1 + n
            let client = Int(UInt32(littleEndian: row.loadUnaligned(fromByteOffset: q + 12, as: UInt32.self)))
            let rad = Int(UInt32(littleEndian: row.loadUnaligned(fromByteOffset: q + 16, as: UInt32.self)))
            let modality = Int(UInt32(littleEndian: row.loadUnaligned(fromByteOffset: q + 20, as: UInt32.self)))
            let urgency = row[q + 28]
            guard client < table.count, rad < table.count, modality < table.count, urgency <= 1 else { return nil }
            return Report(id: String(decoding: UnsafeRawBufferPointer(rebasing: row[1..<q]), as: UTF8.self),
                          reportedAt: Timestamp(nanoseconds: Int64(littleEndian: row.loadUnaligned(fromByteOffset: q, as: Int64.self))),
                          localDate: LocalDate(dayNumber: Int32(littleEndian: row.loadUnaligned(fromByteOffset: q + 8, as: Int32.self))),
                          clientId: table[client], radiologistId: table[rad], modality: table[modality],
                          imageCount: Int32(littleEndian: row.loadUnaligned(fromByteOffset: q + 24, as: Int32.self)),
                          urgency: urgency == 1 ? .stat : .routine,
                          line: Int32(littleEndian: row.loadUnaligned(fromByteOffset: q + 29, as: Int32.self)))
        }
    }
}
