/// How a tier schedule prices reports: by the month's volume or by each report's position.
public enum TierMode: String, Sendable, Equatable {
    /// Every report at the price of the tier containing the month's volume V.
    case volume
    /// Each report at the price of the tier containing its position n.
    case graduated
}

/// One tier row of a client rate card. A nil client, contract type, modality or urgency is `*`.
public struct ClientRate: Sendable, Equatable {
    public var effectiveFrom: LocalDate
    public var clientId: String?
    public var contractType: String?
    public var modality: String?
    public var urgency: Urgency?
    public var tierFrom: Int
    public var tierTo: Int?
    public var unitPrice: ExactDecimal
    public var currency: Currency
    public var tierMode: TierMode
    public var line: Int = 0

    /// The schedule a row belongs to: (client_id, contract_type, modality, urgency).
    var scheduleKey: ScheduleKey {
        ScheduleKey(clientId: clientId, contractType: contractType, modality: modality, urgency: urgency)
    }
}

/// The key shared by the tier rows of one client price schedule.
struct ScheduleKey: Hashable, Sendable {
    var clientId: String?
    var contractType: String?
    var modality: String?
    var urgency: Urgency?

    var text: String {
        "client \(clientId ?? "*"), contract \(contractType ?? "*"), modality \(modality ?? "*"), urgency \(urgency?.rawValue ?? "*")"
    }
}
