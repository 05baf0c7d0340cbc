/// Everything pricing reads: master data, cards and FX rates as they are in force now.
public struct PricingContext: Sendable {
    public var base: Currency
    public var clients: [String: Client] = [:]
    public var radiologists: [String: Radiologist] = [:]
    public var providerCards = RateCards<ProviderRate>()
    public var clientCards = RateCards<ClientRate>()
    public var fx: FXTable

    public init(base: Currency) {
        self.base = base
        self.fx = FXTable(base: base)
    }
}
