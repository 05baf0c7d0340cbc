@testable import ReconKit

/// Small builders for hand-computed pricing cases. Every expected amount in the tests is
/// worked out by hand in a comment beside it.
enum Fixture {
    static let inr = Currency(code: "INR")!
    static let usd = Currency(code: "USD")!
    static let eur = Currency(code: "EUR")!
    static let jpy = Currency(code: "JPY")!
    static let kwd = Currency(code: "KWD")!

    static func d(_ s: String) -> ExactDecimal { try! FieldValue.decimal(Substring(s)) }
    static func date(_ s: String) -> LocalDate { LocalDate(Substring(s))! }

    static func client(_ id: String, _ currency: Currency = inr, contract: String = "standard", max: Int = 50,
                       tax: String = "0") -> Client {
        Client(id: id, name: "Hospital \(id)", currency: currency, contractType: contract, onboardedOn: date("2020-01-01"),
               maxImagesPerCase: max, taxRate: d(tax))
    }

    static func radiologist(_ id: String, grade: String = "consultant", years: Int = 5, _ currency: Currency = inr) -> Radiologist {
        Radiologist(id: id, name: "Dr \(id)", grade: grade, seniorityYears: years, currency: currency)
    }

    static func report(_ id: String, _ at: String, client: String = "C1", rad: String = "R1", modality: String = "CT",
                       images: Int = 3, urgency: Urgency = .routine) -> Report {
        let zone = SiteTimeZone(identifier: "UTC")!
        let t = try! FieldValue.timestamp(Substring(at), zone: zone)
        return Report(id: id, reportedAt: t, localDate: zone.localDate(of: t), clientId: client, radiologistId: rad,
                      modality: modality, imageCount: Int32(images), urgency: urgency)
    }

    static func tier(_ from: Int, _ to: Int?, _ price: String, _ currency: Currency = inr, mode: TierMode = .volume,
                     client: String? = nil, contract: String? = nil, modality: String? = nil, urgency: Urgency? = nil,
                     effective: String = "2026-01-01") -> ClientRate {
        ClientRate(effectiveFrom: date(effective), clientId: client, contractType: contract, modality: modality,
                   urgency: urgency, tierFrom: from, tierTo: to, unitPrice: d(price), currency: currency, tierMode: mode)
    }

    static func pay(_ perReport: String, perImage: String = "0", _ currency: Currency = inr, grade: String? = nil,
                    modality: String? = nil, urgency: Urgency? = nil, minYears: Int = 0, effective: String = "2026-01-01",
                    line: Int = 0) -> ProviderRate {
        ProviderRate(effectiveFrom: date(effective), grade: grade, modality: modality, urgency: urgency,
                     minSeniorityYears: minYears, ratePerReport: d(perReport), ratePerImage: d(perImage),
                     currency: currency, line: line)
    }

    /// A context with one client C1, one radiologist R1, a flat payout of 100 INR and the given client tiers.
    static func context(clients: [Client] = [client("C1")], radiologists: [Radiologist] = [radiologist("R1")],
                        clientRates: [ClientRate], providerRates: [ProviderRate] = [pay("100")],
                        fx: [(String, Currency, String)] = []) -> PricingContext {
        var c = PricingContext(base: inr)
        for x in clients { c.clients[x.id] = x }
        for x in radiologists { c.radiologists[x.id] = x }
        for (date, rows) in Dictionary(grouping: clientRates, by: \.effectiveFrom) { c.clientCards.replace(date, with: rows) }
        for (date, rows) in Dictionary(grouping: providerRates, by: \.effectiveFrom) { c.providerCards.replace(date, with: rows) }
        for (day, cur, rate) in fx { c.fx.set(FXRate(date: date(day), currency: cur, rate: d(rate))) }
        return c
    }

    static func price(_ context: PricingContext, _ reports: [Report], excluded: Set<String> = [],
                      period: String = "2026-01") -> PeriodBook {
        let p = Period(period)!
        return PeriodPricer(context: context).price(period: p, reports: reports, excluded: excluded, fxDate: p.lastDay)
    }
}
