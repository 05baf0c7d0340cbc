import Crypto
import Foundation

/// Writing a closed period's index: the same reports always give the same bytes.
extension ClosedPeriodIndex {
    /// Writes the index of a period's reports (`positions` in `all`, in order of arrival) to
    /// `path` without syncing; returns the SHA-256 of its table, for the entry that settles it.
    /// `stop`, asked before each piece is written, ends the write early (a refused close).
    @discardableResult
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
        let breakdown = try Self.encode(counted)
        try breakdown.withUnsafeBytes { try sink($0) }
        let head = try ChunkWriter.bytes { out in
            try out.put(magic)
            try out.put(period.description)
            try out.put(Int64(count))
            try out.put(Int64(numbers.count))
            for entry in numbers.entries { try out.put(entry.id) }
            try out.put(Int64(breakdown.count))
            try out.put(Array(SHA256.hash(data: breakdown)))
            try out.put(Int64(bucketCount))
            for row in table {
                try out.put(Int64(row.count))
                try out.put(Int64(row.length))
                try out.put(row.fingerprints)
                try out.put(row.records)
            }
        }
        try head.withUnsafeBytes { try sink($0) }
        try withUnsafeBytes(of: Int64(head.count).littleEndian) { try sink($0) }
        return Hex.string(SHA256.hash(data: head))
    }

    static func count(_ tally: inout (reports: Int, images: Int), images: Int) {
        tally.reports += 1
        tally.images += images
    }
}
