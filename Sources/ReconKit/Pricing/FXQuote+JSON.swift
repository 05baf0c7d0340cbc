/// A quote as a document's entry records it (`fx`, and a set-off's rate in `held_elsewhere`).
extension FXQuote {
    var json: JSONValue {
        var o: [String: JSONValue] = ["from": .string(from.code), "to": .string(to.code), "rate": .string(rate.normalized.description)]
        if let d = fromDate { o["from_date"] = .string(d.description) }
        if let d = toDate { o["to_date"] = .string(d.description) }
        if let r = fromRate { o["from_rate"] = .string(r.normalized.description) }
        if let r = toRate { o["to_rate"] = .string(r.normalized.description) }
        if let b = base { o["base"] = .string(b.code) }
        return .object(o)
    }

    /// Nil when a member it needs is missing or malformed.
    init?(json: JSONValue) {
        guard let o = json.objectValue, let f = o["from"]?.stringValue.flatMap(Currency.init(code:)),
              let t = o["to"]?.stringValue.flatMap(Currency.init(code:)),
              let r = o["rate"]?.stringValue.flatMap({ ExactDecimal(recorded: Substring($0)) })
        else { return nil }
        func decimal(_ name: String) -> ExactDecimal? { o[name]?.stringValue.flatMap { ExactDecimal(recorded: Substring($0)) } }
        self.init(from: f, to: t, rate: r, fromDate: o["from_date"]?.stringValue.flatMap { LocalDate(Substring($0)) },
                  toDate: o["to_date"]?.stringValue.flatMap { LocalDate(Substring($0)) },
                  fromRate: decimal("from_rate"), toRate: decimal("to_rate"),
                  base: o["base"]?.stringValue.flatMap(Currency.init(code:)))
    }
}
