/// The optional columns documents print (SPEC §2): a client's billing details and tax
/// components, a radiologist's payee details, and the `payments` kind.
extension DropParser {
    /// Reads a client's optional billing columns: what puts them into the client, or nil after
    /// recording a problem. `taxRate` is nil when the row's own was wrong: the tax components
    /// are then read without comparing their sum.
    func billingDetails(_ r: DropRow, taxRate: ExactDecimal?) -> ((inout Client) -> Void)? {
        let address = r.optional("billing_address", default: [String]()) { try Self.addressLines($0) }
        let taxId = r.optional("tax_id", default: "", FieldValue.text)
        let po = r.optional("po_number", default: "", FieldValue.text)
        let terms = r.optional("payment_terms_days", default: 30) { text -> Int in
            let n = try FieldValue.integer(text, minimum: 0)
            guard n <= 365 else { throw FieldValue.Invalid("\(n) days is more than 365; payment terms are 0–365 days (default 30)") }
            return n
        }
        let email = r.optional("email", default: "", FieldValue.text)
        let components = r.optional("tax_components", default: [TaxComponent]()) {
            try TaxComponent.parse($0, taxRate: taxRate)
        }
        guard let address, let taxId, let po, let terms, let email, let components else { return nil }
        return { client in
            client.billingAddress = address
            client.taxId = taxId
            client.poNumber = po
            client.paymentTermsDays = terms
            client.email = email
            client.taxComponents = components
        }
    }

    /// Reads a radiologist's optional payee columns: what puts them into the radiologist, or nil
    /// after recording a problem.
    func payeeDetails(_ r: DropRow) -> ((inout Radiologist) -> Void)? {
        let address = r.optional("address", default: [String]()) { try Self.addressLines($0) }
        let taxId = r.optional("tax_id", default: "", FieldValue.text)
        let bank = r.optional("bank_details", default: "", FieldValue.text)
        guard let address, let taxId, let bank else { return nil }
        return { radiologist in
            radiologist.address = address
            radiologist.taxId = taxId
            radiologist.bankDetails = bank
        }
    }

    func paymentRow(_ r: DropRow) -> Payment? {
        let id = r.required("payment_id", FieldValue.id)
        let client = r.required("client_id", FieldValue.id)
        let received = r.required("received_on", FieldValue.date)
        let amount = r.required("amount") { try FieldValue.decimal($0, positive: true) }
        let currency = r.required("currency", FieldValue.currency)
        let reference = r.optional("reference", default: "", FieldValue.text)
        let invoice: String?? = r.optional("invoice", default: String?.none) { text -> String? in try FieldValue.id(text) }
        guard let id, let client, let received, let amount, let currency, let reference, let invoice else {
            // Its client is still checked against the site's: every problem of the row at once.
            if let client { r.problems.note(PartyReference(line: r.line, field: "client_id", id: client)) }
            if let id { r.problems.note(ownId: PartyReference(line: r.line, field: "payment_id", id: id)) }
            return nil
        }
        // Its decimals against its currency's are a site rule (``DropValidator``), checked with
        // the row's client and currency: said here, they hid the row's other problems. One that
        // fits is held at the currency's digits (`100.500000` INR is 100.50), as money is shown
        // and recorded: statements and status printed `-100.500000`.
        let exact = amount.normalized
        let held = exact.scale <= currency.minorDigits ? (try? exact.widened(to: currency.minorDigits)) ?? amount : amount
        return Payment(id: id, clientId: client, receivedOn: received, amount: held, currency: currency,
                       reference: reference, invoice: invoice, line: r.line)
    }

    /// `12 MG Road | Bengaluru 560001`: text up to 300 characters, lines separated by ` | `.
    static func addressLines(_ text: Substring) throws -> [String] {
        guard text.count <= 300 else {
            throw FieldValue.Invalid("is \(text.count) characters; an address is at most 300 (lines separated by \" | \")")
        }
        var lines: [String] = []
        // Split at " | " only (SPEC §2): a bare "|" inside a line ("Unit 3|4") is part of it. The
        // field comes trimmed, so an export's empty first or last line ("12 Main St | Springfield | ")
        // ends or starts it with a bare "|": read as that empty line (the invoice printed
        // "Springfield |"), by a space put back at each end.
        for part in (" " + text + " ").components(separatedBy: " | ") {
            let line = part.trimmingSpaces
            if line.isEmpty { continue }
            // The limit is the address's, not a text field's 200: one long line may use it all.
            lines.append(try FieldValue.text(Substring(line), limit: 300))
        }
        return lines
    }
}
