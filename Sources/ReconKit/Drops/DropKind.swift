/// What a drop holds, read from the start of its file name (case-insensitive).
public enum DropKind: String, CaseIterable, Sendable, Comparable {
    // Declared in processing order: master data and cards before the usage that needs them.
    case clients, radiologists, providerRates = "provider_rates", clientRates = "client_rates", fxRates = "fx_rates"
    case usage, decisions, payments

    /// The kind a file name announces, or nil when its start names no kind.
    public init?(fileName: String) {
        let lower = fileName.lowercased()
        // Longest names first, so `client_rates…` is never read as `clients`.
        let byLength = DropKind.allCases.sorted { $0.rawValue.count > $1.rawValue.count }
        guard let kind = byLength.first(where: { lower.hasPrefix($0.rawValue) }) else { return nil }
        self = kind
    }

    /// Position in processing order.
    public var order: Int { DropKind.allCases.firstIndex(of: self)! }

    public static func < (a: DropKind, b: DropKind) -> Bool { a.order < b.order }

    /// The kinds a person can name, for error messages.
    public static var namesForHumans: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
