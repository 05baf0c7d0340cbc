/// A settled month's breakdown for the auditor as its index keeps it (``ClosedPeriodIndex``),
/// its bytes checked, each party's rows decoded only when asked for.
///
/// A soft finding's drivers compare the flagged parties with the month before, a few of the
/// month's thousands of parties; building every party's rows into dictionaries took a replay
/// after a year some ten milliseconds on each command. The bytes are walked whole once, so
/// rows that do not decode are found here, as when they were all built.
struct SettledBreakdown {
    private let bytes: [UInt8]
    /// Each party's rows: where they start and how many.
    private let parties: [String: (offset: Int, count: Int)]

    /// The breakdown in `bytes` (written by ``ClosedPeriodIndex/encode(_:)``), nil when they
    /// do not decode to one.
    init?(bytes: [UInt8]) {
        let found = bytes.withUnsafeBytes { buf -> [String: (offset: Int, count: Int)]? in
            var c = ByteCursor(buf: buf)
            guard let count = c.int(), count >= 0, count <= buf.count else { return nil }
            var parties: [String: (offset: Int, count: Int)] = [:]
            parties.reserveCapacity(count)
            for _ in 0..<count {
                guard let party = c.string(), let n = c.int(), n >= 0 else { return nil }
                let offset = c.pos
                for _ in 0..<n {
                    guard c.skipString(), c.int() != nil, c.int() != nil else { return nil }
                }
                parties[party] = (offset, n)
            }
            return c.atEnd ? parties : nil
        }
        guard let found else { return nil }
        self.bytes = bytes
        self.parties = found
    }

    /// The rows of `party` (`client|C01`: by modality; `radiologist|D01`: by client), nil when it has none.
    subscript(party: String) -> [String: (reports: Int, images: Int)]? {
        guard let at = parties[party] else { return nil }
        return bytes.withUnsafeBytes { buf in
            var c = ByteCursor(buf: buf, pos: at.offset)
            var rows: [String: (reports: Int, images: Int)] = [:]
            rows.reserveCapacity(at.count)
            // Walked once already in `init`: every row is there.
            for _ in 0..<at.count {
                guard let key = c.string(), let reports = c.int(), let images = c.int() else { break }
                rows[key] = (reports, images)
            }
            return rows
        }
    }

    /// Every party's rows, as a breakdown made from the reports holds them.
    var whole: SoftFindingDetail.Breakdown {
        var out: SoftFindingDetail.Breakdown = [:]
        out.reserveCapacity(parties.count)
        for party in parties.keys { out[party] = self[party] }
        return out
    }
}
