import Foundation

/// Parsed usage drops kept in a compact binary form under `.recon/cache/`, so rebuilding the
/// state of a site holding millions of reports does not re-read every CSV.
///
/// Only a speed-up: every entry is keyed by the archived drop's SHA-256, anything unreadable
/// is ignored and the CSV read again, and the folder can be deleted at any time.
public struct DropCache {
    public let dir: String
    /// Version 3: the rows a drop added (those it repeated are not in the cache).
    private static let magic: [UInt8] = Array("RCNU3\n".utf8)

    public init(dir: String) { self.dir = dir }

    private func path(_ sha: String) -> String { dir + "/" + sha + ".bin" }

    public func load(sha256: String) -> [Report]? {
        guard let bytes = try? FileIO.read(path(sha256)) else { return nil }
        return bytes.withUnsafeBytes { buf -> [Report]? in
            var c = Cursor(buf: buf)
            guard c.bytes(DropCache.magic.count) == DropCache.magic, c.string() == sha256, let n = c.int64() else { return nil }
            var out: [Report] = []
            out.reserveCapacity(Int(n))
            for _ in 0..<n {
                guard let id = c.string(), let at = c.int64(), let day = c.int64(), let client = c.string(),
                    let rad = c.string(), let modality = c.string(), let images = c.int64(), let urg = c.int64(),
                    let line = c.int64()
                else { return nil }
                out.append(Report(id: id, reportedAt: Timestamp(nanoseconds: at), localDate: LocalDate(dayNumber: Int32(day)),
                                  clientId: client, radiologistId: rad, modality: modality, imageCount: Int32(images),
                                  urgency: urg == 1 ? .stat : .routine, line: Int32(line)))
            }
            return c.atEnd ? out : nil
        }
    }

    public func store(sha256: String, _ reports: [Report]) {
        var out = [UInt8](repeating: 0, count: DropCache.magic.count + 16 + sha256.utf8.count + reports.count * 112
                                           + reports.reduce(0) { $0 + $1.id.utf8.count + $1.clientId.utf8.count
                                                                  + $1.radiologistId.utf8.count + $1.modality.utf8.count })
        var pos = 0
        out.withUnsafeMutableBytes { buf in
            func put(_ v: Int64) {
                buf.storeBytes(of: v.littleEndian, toByteOffset: pos, as: Int64.self)
                pos += 8
            }
            func put(_ s: String) {
                var s = s
                s.withUTF8 { u in
                    put(Int64(u.count))
                    if u.count > 0 { UnsafeMutableRawBufferPointer(rebasing: buf[pos..<(pos + u.count)]).copyMemory(from: UnsafeRawBufferPointer(u)) }
                    pos += u.count
                }
            }
            for b in DropCache.magic {
                buf[pos] = b
                pos += 1
            }
            put(sha256)
            put(Int64(reports.count))
            for r in reports {
                put(r.id)
                put(r.reportedAt.nanoseconds)
                put(Int64(r.localDate.dayNumber))
                put(r.clientId)
                put(r.radiologistId)
                put(r.modality)
                put(Int64(r.imageCount))
                put(r.urgency == .stat ? 1 : 0)
                put(Int64(r.line))
            }
        }
        out.removeLast(out.count - pos)
        // A cache needs no fsync: a torn file fails its checks and the CSV is read instead.
        try? FileIO.makeDirectory(dir)
        let temp = FileIO.temporaryName(for: path(sha256))
        guard (try? FileIO.writeWithoutSync(temp, out)) != nil else { return }
        try? FileIO.renameQuietly(temp, to: path(sha256))
    }

    private struct Cursor {
        let buf: UnsafeRawBufferPointer
        var pos = 0
        var atEnd: Bool { pos == buf.count }

        mutating func bytes(_ n: Int) -> [UInt8]? {
            guard n >= 0, pos + n <= buf.count else { return nil }
            defer { pos += n }
            return Array(buf[pos..<(pos + n)])
        }

        mutating func int64() -> Int64? {
            guard pos + 8 <= buf.count else { return nil }
            defer { pos += 8 }
            return Int64(littleEndian: buf.loadUnaligned(fromByteOffset: pos, as: Int64.self))
        }

        mutating func string() -> String? {
            guard let n = int64(), n >= 0, pos + Int(n) <= buf.count else { return nil }
            defer { pos += Int(n) }
            return String(decoding: UnsafeRawBufferPointer(rebasing: buf[pos..<(pos + Int(n))]), as: UTF8.self)
        }
    }
}
