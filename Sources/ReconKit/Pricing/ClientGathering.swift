import Dispatch

/// A report as the pricer's hot loop sees it: its position, and its modality and radiologist
/// as small integers (numbered once per run), so the per-report work hashes no strings.
struct PricedItem {
    var index: Int32
    var modality: Int32
    var radiologist: Int32
    var day: Int32
    var images: Int32
    var urgency: Urgency
    var at: Int64
}

/// A period's billable reports as ``PricedItem``s in one array, grouped by client (each
/// client's in the order the reports are held), with clients, modalities and radiologists
/// numbered in the order first seen, and the excluded reports set apart.
///
/// Built in two passes over the reports, each on two cores over two halves: the first
/// numbers every report's names within its half and counts each client's reports, the
/// second writes every item straight into its client's place. Every client's items were
/// grown in arrays of their own and the halves' joined afterwards; a million reports were
/// then copied several times over as those arrays grew, and joined on one core.
struct ClientGathering {
    var clients: [String] = []
    var modalities: [String] = []
    var radiologists: [String] = []
    /// Every billable report's item, client after client.
    var items: [PricedItem] = []
    /// Where each client's items lie in ``items``, by client number.
    var clientRanges: [Range<Int>] = []
    /// Reports and images by radiologist number.
    var radiologistCounts: [(reports: Int, images: Int)] = []
    /// The excluded reports' positions, in the order they are held.
    var excludedIndices: [Int32] = []

    /// One half's reports numbered within the half: names by first sight, a client's number
    /// of -1 for an excluded report.
    private struct NumberedHalf {
        var clients = NameNumbers(), modalities = NameNumbers(), radiologists = NameNumbers()
        var codes: [(client: Int32, modality: Int32, radiologist: Int32)] = []
        var clientCounts: [Int] = []
        var radiologistCounts: [(reports: Int, images: Int)] = []
        var excludedIndices: [Int32] = []

        init() {}

        init(_ indices: ArraySlice<Int32>, of reports: [Report], excluded: Set<String>) {
            codes.reserveCapacity(indices.count)
            for i in indices {
                if !excluded.isEmpty && excluded.contains(reports[Int(i)].id) {
                    excludedIndices.append(i)
                    codes.append((-1, 0, 0))
                    continue
                }
                let c = Int(clients.number(reports[Int(i)].clientId)), d = Int(radiologists.number(reports[Int(i)].radiologistId))
                let m = Int32(modalities.number(reports[Int(i)].modality))
                if c == clientCounts.count { clientCounts.append(0) }
                clientCounts[c] += 1
                if d == radiologistCounts.count { radiologistCounts.append((0, 0)) }
                radiologistCounts[d].reports += 1
                radiologistCounts[d].images += Int(reports[Int(i)].imageCount)
                codes.append((Int32(c), m, Int32(d)))
            }
        }
    }

    init() {}

    init(_ indices: [Int32], of reports: [Report], excluded: Set<String>) {
        let middle = indices.count / 2
        let halves = indices.count >= 65_536 ? [indices[..<middle], indices[middle...]] : [indices[...]]
        var numbered = [NumberedHalf](repeating: NumberedHalf(), count: halves.count)
        numbered.withUnsafeMutableBufferPointer { out in
            DispatchQueue.concurrentPerform(iterations: halves.count) { h in
                out[h] = NumberedHalf(halves[h], of: reports, excluded: excluded)
            }
        }
        // The halves' numbers in the run's own, the first half's names first.
        var clientNames = NameNumbers(), modalityNames = NameNumbers(), radiologistNames = NameNumbers()
        var clientOf: [[Int32]] = [], modalityOf: [[Int32]] = [], radiologistOf: [[Int32]] = []
        for half in numbered {
            clientOf.append(half.clients.table.entries.map { Int32(clientNames.number($0.id)) })
            modalityOf.append(half.modalities.table.entries.map { Int32(modalityNames.number($0.id)) })
            radiologistOf.append(half.radiologists.table.entries.map { Int32(radiologistNames.number($0.id)) })
        }
        clients = clientNames.table.entries.map(\.id)
        modalities = modalityNames.table.entries.map(\.id)
        radiologists = radiologistNames.table.entries.map(\.id)
        radiologistCounts = Array(repeating: (0, 0), count: radiologists.count)
        // Each client's place: its first half's items, then its second's.
        var counts = [Int](repeating: 0, count: clients.count)
        for (h, half) in numbered.enumerated() {
            for (c, n) in half.clientCounts.enumerated() { counts[Int(clientOf[h][c])] += n }
            for (d, t) in half.radiologistCounts.enumerated() {
                radiologistCounts[Int(radiologistOf[h][d])].reports += t.reports
                radiologistCounts[Int(radiologistOf[h][d])].images += t.images
            }
            excludedIndices += half.excludedIndices
        }
        var start = 0
        clientRanges = counts.map { n in
            defer { start += n }
            return start..<(start + n)
        }
        var next: [[Int]] = [clientRanges.map(\.lowerBound)]
        for h in numbered.indices.dropFirst() {
            var after = next[h - 1]
            for (c, n) in numbered[h - 1].clientCounts.enumerated() { after[Int(clientOf[h - 1][c])] += n }
            next.append(after)
        }
        let total = start
        items = [PricedItem](unsafeUninitializedCapacity: total) { room, initialized in
            guard let base = room.baseAddress else { return }  // no billable report: no room
            DispatchQueue.concurrentPerform(iterations: halves.count) { h in
                var place = next[h]
                let half = numbered[h]
                for (k, i) in halves[h].enumerated() {
                    let code = half.codes[k]
                    guard code.client >= 0 else { continue }
                    let c = Int(clientOf[h][Int(code.client)])
                    (base + place[c]).initialize(to: PricedItem(
                        index: i, modality: modalityOf[h][Int(code.modality)], radiologist: radiologistOf[h][Int(code.radiologist)],
                        day: reports[Int(i)].localDate.dayNumber, images: reports[Int(i)].imageCount,
                        urgency: reports[Int(i)].urgency, at: reports[Int(i)].reportedAt.nanoseconds))
                    place[c] += 1
                }
            }
            initialized = total
        }
    }
}
