import Dispatch
import Foundation

/// Reads the complete lines of a ledger into checked entries.
///
/// Lines are independent but for the `prev` chain, so they are parsed and hashed in pieces
/// of about equal bytes on every core (``LedgerLine``), then chained in file order: the
/// first damaged line is reported exactly as reading one line after another reports it.
enum LedgerReader {
    /// Below this many bytes a piece is not worth handing to another thread.
    static let pieceBytes = 64 << 10
    /// Pieces of about equal bytes, many per core: a core that finishes early takes the
    /// next, so the last piece — all that one core may wait for — is small.
    static let maxPieces = 32

    /// The entries of `bytes`' complete lines, the offset just after each line's newline,
    /// and the first damage, if any (the entries are then those before it). `deferringFrom`:
    /// the file `bytes` were read from, whose document lines are left there (``DeferredMembers``).
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, deferringFrom path: String? = nil)
        -> (entries: [LedgerEntry], ends: [Int], damage: LedgerDamage?) {
        let ends = lineEnds(bytes)
        let n = ends.count
        let length = ends.last ?? 0
        let pieces = pieceCount(bytes: length, lines: n)
        var bounds = [0]
        for k in 1..<pieces {
            var i = bounds[k - 1]
            while i < n, ends[i] < length * k / pieces { i += 1 }
            bounds.append(i)
        }
        bounds.append(n)
        var lines = [Result<LedgerLine, LedgerDamage>?](repeating: nil, count: n)
        lines.withUnsafeMutableBufferPointer { out in
            DispatchQueue.concurrentPerform(iterations: pieces) { k in
                for i in bounds[k]..<bounds[k + 1] {
                    let start = i == 0 ? 0 : ends[i - 1]
                    out[i] = Result { () throws(LedgerDamage) in
                        try LedgerLine.read(UnsafeBufferPointer(rebasing: bytes[start..<(ends[i] - 1)]), expectedSeq: i + 1,
                                            source: path.map { ($0, start) })
                    }
                    // Reading stops at the first damage; nothing after it in this piece is needed.
                    if case .failure = out[i] { break }
                }
            }
        }
        var entries: [LedgerEntry] = []
        entries.reserveCapacity(n)
        var prev = LedgerEntry.zeroHash
        for i in 0..<n {
            do throws(LedgerDamage) {
                // Every line up to the first damage in its piece was read.
                let entry = try lines[i]!.get().chained(to: prev)
                entries.append(entry)
                prev = entry.hash
            } catch {
                return (entries, ends, error)
            }
        }
        return (entries, ends, nil)
    }

    /// How many pieces `lines` complete lines of `bytes` bytes are read in.
    static func pieceCount(bytes: Int, lines: Int) -> Int {
        max(1, min(maxPieces, bytes / pieceBytes, lines))
    }

    /// The offset just after each newline of `bytes`.
    static func lineEnds(_ bytes: UnsafeBufferPointer<UInt8>) -> [Int] {
        var ends: [Int] = []
        guard let base = bytes.baseAddress else { return ends }
        var start = 0
        while start < bytes.count, let hit = memchr(base + start, 10, bytes.count - start) {
            let nl = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - base
            ends.append(nl + 1)
            start = nl + 1
        }
        return ends
    }
}
