/// Row builders, one per drop kind: each returns nil after recording the row's problems.
extension DropParser {
    func usageRow(_ r: DropRow) -> Report? {
        // Columns by their place in `DropParser.columns(.usage)`: a million rows need no name lookups.
        let id = r.required(at: 0, FieldValue.id)
        let at = r.required(at: 1) { try FieldValue.timestamp($0, zone: zone) }
        let client = r.required(at: 2, FieldValue.id)
        let radiologist = r.required(at: 3, FieldValue.id)
        let modality = r.required(at: 4, FieldValue.code)
        let images = r.required(at: 5) { try FieldValue.integer($0, minimum: 1) }
        let urgency = r.optional(at: 6, default: .routine, FieldValue.urgency)
        guard let id, let at, let client, let radiologist, let modality, let images, let urgency else {
            // Its parties are still checked against the site's: every problem of the row at once.
            for (name, party) in [("client_id", client), ("radiologist_id", radiologist)] {
                if let party { r.problems.note(PartyReference(line: r.line, field: name, id: party)) }
            }
            if let id { r.problems.note(ownId: PartyReference(line: r.line, field: "report_id", id: id)) }
            return nil
        }
        return Report(id: id, reportedAt: at, localDate: zone.localDate(of: at), clientId: client,
                      radiologistId: radiologist, modality: modality, imageCount: Int32(images), urgency: urgency,
                      line: Int32(r.line))
    }

    func clientRow(_ r: DropRow) -> Client? {
        let id = r.required("client_id", FieldValue.id)
        let name = r.required("name", FieldValue.text)
        let currency = r.required("currency", FieldValue.currency)
        let contract = r.required("contract_type", FieldValue.id)
        let onboarded = r.required("onboarded_on", FieldValue.date)
        let maxImages = r.required("max_images_per_case") { try FieldValue.integer($0, minimum: 1) }
        let tax = r.optional("tax_rate", default: .zero) { text -> ExactDecimal in
            let rate = try FieldValue.decimal(text, positive: false)
            guard rate <= ExactDecimal(100) else { throw FieldValue.Invalid("\(rate) is above 100; tax_rate is a percent (e.g. 18 for 18 %)") }
            return rate
        }
        // Read even when a column above failed: a row's problems are all reported at once.
        let details = billingDetails(r, taxRate: tax)
        guard let id, let name, let currency, let contract, let onboarded, let maxImages, let tax, let details else {
            if let id { r.problems.note(ownId: PartyReference(line: r.line, field: "client_id", id: id)) }
            return nil
        }
        var client = Client(id: id, name: name, currency: currency, contractType: contract, onboardedOn: onboarded,
                            maxImagesPerCase: maxImages, taxRate: tax, line: r.line)
        details(&client)
        return client
    }

    func radiologistRow(_ r: DropRow) -> Radiologist? {
        let id = r.required("radiologist_id", FieldValue.id)
        let name = r.required("name", FieldValue.text)
        let grade = r.required("grade", FieldValue.id)
        let seniority = r.required("seniority_years") { try FieldValue.integer($0, minimum: 0) }
        let currency = r.optional("currency", default: baseCurrency, FieldValue.currency)
        // Read even when a column above failed: a row's problems are all reported at once.
        let details = payeeDetails(r)
        guard let id, let name, let grade, let seniority, let currency, let details else {
            if let id { r.problems.note(ownId: PartyReference(line: r.line, field: "radiologist_id", id: id)) }
            return nil
        }
        var radiologist = Radiologist(id: id, name: name, grade: grade, seniorityYears: seniority, currency: currency,
                                      line: r.line)
        details(&radiologist)
        return radiologist
    }

    func providerRateRow(_ r: DropRow) -> ProviderRate? {
        let from = r.required("effective_from", FieldValue.date)
        let grade = r.required("grade", FieldValue.idOrWildcard)
        let modality = r.required("modality", FieldValue.codeOrWildcard)
        let urgency = r.required("urgency", FieldValue.urgencyOrWildcard)
        let seniority = r.optional("min_seniority_years", default: 0) { try FieldValue.integer($0, minimum: 0) }
        let perReport = r.required("rate_per_report") { try FieldValue.decimal($0, positive: false) }
        let perImage = r.optional("rate_per_image", default: .zero) { try FieldValue.decimal($0, positive: false) }
        let currency = r.required("currency", FieldValue.currency)
        guard let from, let grade, let modality, let urgency, let seniority, let perReport, let perImage, let currency
        else { return nil }
        return ProviderRate(effectiveFrom: from, grade: grade, modality: modality, urgency: urgency,
                            minSeniorityYears: seniority, ratePerReport: perReport, ratePerImage: perImage,
                            currency: currency, line: r.line)
    }

    func clientRateRow(_ r: DropRow) -> ClientRate? {
        let from = r.required("effective_from", FieldValue.date)
        let client = r.required("client_id", FieldValue.idOrWildcard)
        let contract = r.required("contract_type", FieldValue.idOrWildcard)
        let modality = r.required("modality", FieldValue.codeOrWildcard)
        let urgency = r.required("urgency", FieldValue.urgencyOrWildcard)
        let tierFrom = r.required("tier_from") { try FieldValue.integer($0, minimum: 1) }
        let tierTo: Int?? = r.optional("tier_to", default: Int?.none) { text -> Int? in try FieldValue.integer(text, minimum: 1) }
        let price = r.required("unit_price") { try FieldValue.decimal($0, positive: false) }
        let currency = r.required("currency", FieldValue.currency)
        let mode = r.required("tier_mode") { text -> TierMode in
            guard let m = TierMode(rawValue: String(text)) else {
                throw FieldValue.Invalid("\(FieldValue.shownNamingOdd(text)) is not a tier mode; write volume or graduated")
            }
            return m
        }
        guard let from, let client, let contract, let modality, let urgency, let tierFrom, let tierTo, let price,
            let currency, let mode
        else { return nil }
        if let to = tierTo, to < tierFrom {
            r.problem("tier_to", "\(to) is below tier_from \(tierFrom); tier_to is empty (no bound) or ≥ tier_from")
            return nil
        }
        return ClientRate(effectiveFrom: from, clientId: client, contractType: contract, modality: modality,
                          urgency: urgency, tierFrom: tierFrom, tierTo: tierTo, unitPrice: price, currency: currency,
                          tierMode: mode, line: r.line)
    }

    func fxRow(_ r: DropRow) -> FXRate? {
        let date = r.required("date", FieldValue.date)
        let currency = r.required("currency", FieldValue.currency)
        let rate = r.required("rate") { try FieldValue.decimal($0, positive: true) }
        // A failed row's date and currency, which another row may repeat: named at once.
        let key = { if let date, let currency { r.problems.note(ownId: PartyReference(line: r.line, field: "date", id: "\(date) \(currency)")) } }
        guard let date, let currency, let rate else {
            key()
            return nil
        }
        if currency == baseCurrency && rate != ExactDecimal(1) {
            r.problem("rate", "\(currency) is the base currency: its rate is 1 on every date, not \(rate)")
            key()
            return nil
        }
        return FXRate(date: date, currency: currency, rate: rate, line: r.line)
    }

    func decisionRow(_ r: DropRow) -> Decision? {
        let subject = r.required("subject", FieldValue.text)
        let decision = r.required("decision") { text -> DecisionKind in
            guard let d = DecisionKind(rawValue: String(text)) else {
                throw FieldValue.Invalid("\(FieldValue.shownNamingOdd(text)) is not a decision; write approve or exclude")
            }
            return d
        }
        let by = r.required("by", FieldValue.text)
        let note = r.optional("note", default: "") { try FieldValue.text($0, limit: FieldValue.noteLimit) }
        guard let subject, let decision, let by, let note else {
            // Its subject is still looked for on the site: every problem of the row at once.
            if let subject {
                r.problems.note(PartyReference(line: r.line, field: "subject", id: subject))
                r.problems.note(ownId: PartyReference(line: r.line, field: "subject", id: subject))
            }
            return nil
        }
        return Decision(subject: subject, decision: decision, by: by, note: note, line: r.line)
    }
}
