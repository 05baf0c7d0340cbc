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

    /// The entries of `bytes`' complete lines, the offset in the file just after each line's
    /// newline, and the first damage, if any (the entries are then those before it).
    ///
    /// `bytes` are the file's from `fileOffset` on, their first line entry `firstSeq`, chained
    /// to `chainedTo` (a ledger read a chunk at a time, ``LedgerFile/load(deferringLines:chunkBytes:)``).
    /// `deferringFrom`: the file `bytes` were read from, whose document lines are left there
    /// (``DeferredMembers``). `alongside`: work run on one of the cores while the lines are read
    /// on the others (the chunk's hash), done when this returns.
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, firstSeq: Int = 1, chainedTo: String = LedgerEntry.zeroHash,
                     fileOffset: Int = 0, deferringFrom path: String? = nil, alongside: (() -> Void)? = nil)
        -> (entries: [LedgerEntry], ends: [Int], damage: LedgerDamage?) {
        let ends = lineEnds(bytes)
        let n = ends.count
        let bounds = pieceBounds(ends)
        let pieces = bounds.count - 1
        let extra = alongside == nil ? 0 : 1
        // Each piece chains its own lines; only a piece's first line waits for the piece before
        // it. The entries go straight to their places: a year's six thousand are never copied.
        var firstHashes = [String?](repeating: nil, count: pieces)
        var damages = [(line: Int, damage: LedgerDamage)?](repeating: nil, count: pieces)
        var damage: LedgerDamage?
        let entries = [LedgerEntry](unsafeUninitializedCapacity: n) { out, initialized in
            // Each piece writes its own places only.
            firstHashes.withUnsafeMutableBufferPointer { firstHashes in
                damages.withUnsafeMutableBufferPointer { damages in
                    DispatchQueue.concurrentPerform(iterations: pieces + extra) { job in
                        // The work alongside goes first, so it is under way while the pieces are shared out.
                        if job < extra {
                            alongside?()
                            return
                        }
                        let k = job - extra
                        var prev: String?
                        for i in bounds[k]..<bounds[k + 1] {
                            let start = i == 0 ? 0 : ends[i - 1]
                            do throws(LedgerDamage) {
                                let line = try LedgerLine.read(UnsafeBufferPointer(rebasing: bytes[start..<(ends[i] - 1)]),
                                                               expectedSeq: firstSeq + i, source: path.map { ($0, fileOffset + start) })
                                if let prev {
                                    (out.baseAddress! + i).initialize(to: try line.chained(to: prev))
                                } else {
                                    (out.baseAddress! + i).initialize(to: line.entry)
                                    firstHashes[k] = line.computedHash
                                }
                                prev = line.entry.hash
                            } catch {
                                // Reading stops at the first damage; nothing after it in this piece is needed.
                                damages[k] = (i, error)
                                break
                            }
                        }
                    }
                }
            }
            // In file order, as reading one line after another finds it: a piece's first line
            // chained to the last of the piece before, then what the piece itself found.
            var prev = chainedTo
            var valid = 0
            for k in 0..<pieces where bounds[k] < bounds[k + 1] {
                let first = bounds[k]
                if let computed = firstHashes[k] {
                    do throws(LedgerDamage) {
                        _ = try LedgerLine(entry: out[first], computedHash: computed).chained(to: prev)
                    } catch {
                        damage = error
                        break
                    }
                    valid = first + 1
                }
                if let found = damages[k] {
                    damage = found.damage
                    valid = found.line
                    break
                }
                valid = bounds[k + 1]
                prev = out[valid - 1].hash
            }
            // Entries after the first damage were read by pieces beyond it: let go.
            for k in 0..<pieces {
                let made = damages[k]?.line ?? bounds[k + 1]
                let from = max(bounds[k], valid)
                if made > from { (out.baseAddress! + from).deinitialize(count: made - from) }
            }
            initialized = valid
        }
        return (entries, fileOffset == 0 ? ends : ends.map { $0 + fileOffset }, damage)
    }

    /// Where each piece's lines start, for lines ending at `ends`, and the line count last.
    static func pieceBounds(_ ends: [Int]) -> [Int] {
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
        return bounds
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
