extension ClosedPeriodIndexEncoder {
    /// What pass 1 finds in a part of the reports: their names, numbered in order of arrival,
    /// and the breakdown counted by those numbers, (client, modality) and (radiologist, client).
    struct Tallies {
        private var numbered = ClosedPeriodIndexNames()
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
    }
}
