/// A client's tier schedule for one (client, contract type, modality, urgency) key (SPEC §3).
public struct PriceSchedule: Sendable {
    public let tiers: [ClientRate]
    public var mode: TierMode { tiers[0].tierMode }

    /// The most specific schedule in `rows` for the client and report: a row naming the client
    /// beats any with `*` there, and so on down (client, contract type, modality, urgency).
    public static func resolve(_ rows: [ClientRate], clientId: String, contractType: String, modality: String,
                               urgency: Urgency) -> PriceSchedule? {
        var bestKey: ScheduleKey?
        var bestRank = (-1, -1, -1, -1)
        for row in rows {
            if let c = row.clientId, c != clientId { continue }
            if let t = row.contractType, t != contractType { continue }
            if let m = row.modality, m != modality { continue }
            if let u = row.urgency, u != urgency { continue }
            let rank = (row.clientId != nil ? 1 : 0, row.contractType != nil ? 1 : 0,
                        row.modality != nil ? 1 : 0, row.urgency != nil ? 1 : 0)
            if rank > bestRank {
                bestRank = rank
                bestKey = row.scheduleKey
            }
        }
        guard let key = bestKey else { return nil }
        return PriceSchedule(tiers: rows.filter { $0.scheduleKey == key }.sorted { $0.tierFrom < $1.tierFrom })
    }
}
