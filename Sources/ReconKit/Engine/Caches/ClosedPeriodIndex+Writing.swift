import Crypto
import Foundation

/// Writing a closed period's index: the same reports always give the same bytes.
extension ClosedPeriodIndex {
    /// Writes the index of a period's reports (`positions` in `all`, in order of arrival) to
    /// `path` without syncing; returns the SHA-256 of its table, for the entry that settles it.
    /// `stop`, asked before each piece is written, ends the write early (a refused close).
    @discardableResult
    static func write(period: Period, all: [Report], positions: [Int32], excluded: Set<String>, parallel: Bool = false,
                      to path: String, stop: () -> Bool = { false }) throws -> String {
        var sha = ""
        try FileIO.writeStreaming(path, synced: false) { sink in
            sha = try encode(period: period, all: all, positions: positions, excluded: excluded, parallel: parallel) { piece in
                if stop() { throw CancellationError() }
                try sink(piece)
            }
        }
        return sha
    }

    /// The table's SHA-256 of the index of the period's reports, and whether the file at `path`
    /// (when given) holds exactly its bytes — compared piece by piece, never held whole (`recon verify`).
    static func compare(period: Period, all: [Report], positions: [Int32], excluded: Set<String>, parallel: Bool = false,
                        withFile path: String?) throws -> (sha256: String, fileMatches: Bool?) {
        guard let path else {
            return (try encode(period: period, all: all, positions: positions, excluded: excluded, parallel: parallel) { _ in }, nil)
        }
        let file = try ReadOnlyFile(path)
        let size = try file.size()
        var offset = 0, same = true
        let sha = try encode(period: period, all: all, positions: positions, excluded: excluded, parallel: parallel) { piece in
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
    /// `parallel`: on both cores (``ClosedPeriodIndexEncoder``); the bytes are the same.
    static func encode(period: Period, all: [Report], positions: [Int32], excluded: Set<String>, parallel: Bool = false,
                       to sink: (UnsafeRawBufferPointer) throws -> Void) throws -> String {
        try all.withUnsafeBufferPointer { all in
            try positions.withUnsafeBufferPointer { positions in
                try ClosedPeriodIndexEncoder(period: period, reports: all, positions: positions, excluded: excluded, parallel: parallel)
                    .encode(to: sink)
            }
        }
    }
}
