extension ClosedPeriodIndexEncoder {
    /// What pass 1 finds in a part of the reports: their names, numbered in order of arrival,
    /// and the breakdown counted by those numbers, (client, modality) and (radiologist, client).
    struct Tallies {
        private var numbered = NameNumbers()
        var names: IdTable<Void> { numbered.table }
        private var byClient = ClosedPeriodIndexTally(), byRadiologist = ClosedPeriodIndexTally()

        mutating func number(_ name: String) -> UInt32 { numbered.number(name) }

        mutating func count(client: UInt32, radiologist: UInt32, modality: UInt32, images: Int) {
            byClient.add(client, modality, images: images)
            byRadiologist.add(radiologist, client, images: images)
        }

        /// Adds a later part's names and counts; returns the numbers its names have here.
        mutating func merge(_ other: Tallies) -> [UInt32] {
            let map = other.names.entries.map { number($0.id) }
            other.byClient.forEach { a, b, reports, images in byClient.add(map[a], map[b], reports: reports, images: images) }
            other.byRadiologist.forEach { a, b, reports, images in byRadiologist.add(map[a], map[b], reports: reports, images: images) }
            return map
        }

        /// The breakdown by names, as the index keeps it.
        var breakdown: SoftFindingDetail.Breakdown {
            var counted: SoftFindingDetail.Breakdown = [:]
            let name = names.entries.map(\.id)
            byClient.forEach { client, modality, reports, images in
                counted["client|" + name[client], default: [:]][name[modality]] = (reports, images)
            }
            byRadiologist.forEach { rad, client, reports, images in
                counted["radiologist|" + name[rad], default: [:]][name[client]] = (reports, images)
            }
            return counted
        }

        /// The breakdown's bytes (``ClosedPeriodIndex/encode(_:)``). When every name is ASCII,
        /// two names are equal only byte for byte, so the bytes are written straight from the
        /// counts, parties and rows in their names' byte order; else through ``breakdown``.
        func encodedBreakdown() throws -> [UInt8] {
            let name = names.entries.map(\.id)
            guard name.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 } }) else { return try ClosedPeriodIndex.encode(breakdown) }
            let byBytes = name.indices.sorted { name[$0].utf8.lexicographicallyPrecedes(name[$1].utf8) }
            var rank = [UInt64](repeating: 0, count: name.count)
            for (r, n) in byBytes.enumerated() { rank[n] = UInt64(r) }
            /// A tally's rows as (ranks of its two names, reports, images), in that order.
            func rows(_ tally: ClosedPeriodIndexTally) -> [(ranks: UInt64, reports: Int, images: Int)] {
                var out: [(ranks: UInt64, reports: Int, images: Int)] = []
                out.reserveCapacity(tally.count)
                tally.forEach { a, b, reports, images in out.append((rank[a] << 32 | rank[b], reports, images)) }
                return out.sorted { $0.ranks < $1.ranks }
            }
            // "client|…" parties come before "radiologist|…" ones in byte order.
            let parties = [("client|", rows(byClient)), ("radiologist|", rows(byRadiologist))]
            return try ChunkWriter.bytes { out in
                try out.put(Int64(parties.reduce(0) { $0 + Set($1.1.map { $0.ranks >> 32 }).count }))
                for (prefix, rows) in parties {
                    var k = 0
                    while k < rows.count {
                        let party = rows[k].ranks >> 32
                        var end = k + 1
                        while end < rows.count && rows[end].ranks >> 32 == party { end += 1 }
                        try out.put(prefix + name[byBytes[Int(party)]])
                        try out.put(Int64(end - k))
                        for row in rows[k..<end] {
                            try out.put(name[byBytes[Int(row.ranks & 0xFFFF_FFFF)]])
                            try out.put(Int64(row.reports))
                            try out.put(Int64(row.images))
                        }
                        k = end
                    }
                }
            }
        }
    }
}
