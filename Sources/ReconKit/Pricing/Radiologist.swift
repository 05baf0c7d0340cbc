/// A provider: it is paid. The latest accepted row for an id is in force.
public struct Radiologist: Sendable, Equatable {
    public var id: String
    public var name: String
    public var grade: String
    public var seniorityYears: Int
    public var currency: Currency
    public var line: Int = 0
    /// Printed on its payout statements (SPEC §2 optional columns).
    public var address: [String] = []
    public var taxId = ""
    public var bankDetails = ""
}
