/// Units of the base currency per one unit of `currency`, from `date` on.
public struct FXRate: Sendable, Equatable {
    public var date: LocalDate
    public var currency: Currency
    public var rate: ExactDecimal
    public var line: Int = 0
}
