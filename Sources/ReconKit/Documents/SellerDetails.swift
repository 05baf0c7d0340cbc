/// Who issues the site's invoices and credit notes (`[seller]` in `recon.toml`, SPEC §1).
public struct SellerDetails: Sendable, Equatable {
    public var legalName: String
    public var address: [String]
    public var taxId: String
    public var email: String
    public var paymentInstructions: String

    public init(legalName: String, address: [String] = [], taxId: String = "", email: String = "",
                paymentInstructions: String = "") {
        self.legalName = legalName
        self.address = address
        self.taxId = taxId
        self.email = email
        self.paymentInstructions = paymentInstructions
    }

    var json: JSONValue {
        .object(["legal_name": .string(legalName), "address": .array(address.map { .string($0) }),
                 "tax_id": .string(taxId), "email": .string(email), "payment_instructions": .string(paymentInstructions)])
    }

    /// The lines a document's seller block prints: legal name, address, tax id, email.
    var headLines: [String] {
        var out = [legalName] + address
        if !taxId.isEmpty { out.append("Tax ID: \(taxId)") }
        if !email.isEmpty { out.append(email) }
        return out
    }

    init?(json: JSONValue?) {
        guard let o = json?.objectValue, let name = o["legal_name"]?.stringValue else { return nil }
        self.init(legalName: name, address: (o["address"]?.arrayValue ?? []).compactMap(\.stringValue),
                  taxId: o["tax_id"]?.stringValue ?? "", email: o["email"]?.stringValue ?? "",
                  paymentInstructions: o["payment_instructions"]?.stringValue ?? "")
    }
}

/// The buyer's (or payee's) details a document prints, copied from the clients or
/// radiologists drop in force when it was issued.
public struct PartyDetails: Sendable, Equatable {
    public var address: [String] = []
    public var taxId = ""
    public var poNumber = ""
    public var email = ""
    public var bankDetails = ""

    public init(address: [String] = [], taxId: String = "", poNumber: String = "", email: String = "", bankDetails: String = "") {
        self.address = address
        self.taxId = taxId
        self.poNumber = poNumber
        self.email = email
        self.bankDetails = bankDetails
    }

    public init(client c: Client) { self.init(address: c.billingAddress, taxId: c.taxId, poNumber: c.poNumber, email: c.email) }

    public init(radiologist r: Radiologist) { self.init(address: r.address, taxId: r.taxId, bankDetails: r.bankDetails) }

    /// The lines a document's buyer (payee) block prints: name, `ID label: id`, address, tax
    /// id, PO number, email.
    func lines(name: String, idLabel: String, id: String) -> [String] {
        var out = [name, "\(idLabel) ID: \(id)"] + address
        if !taxId.isEmpty { out.append("Tax ID: \(taxId)") }
        if !poNumber.isEmpty { out.append("PO number: \(poNumber)") }
        if !email.isEmpty { out.append(email) }
        return out
    }

    var json: JSONValue {
        .object(["address": .array(address.map { .string($0) }), "tax_id": .string(taxId), "po_number": .string(poNumber),
                 "email": .string(email), "bank_details": .string(bankDetails)])
    }

    init(json: JSONValue?) {
        let o = json?.objectValue ?? [:]
        self.init(address: (o["address"]?.arrayValue ?? []).compactMap(\.stringValue), taxId: o["tax_id"]?.stringValue ?? "",
                  poNumber: o["po_number"]?.stringValue ?? "", email: o["email"]?.stringValue ?? "",
                  bankDetails: o["bank_details"]?.stringValue ?? "")
    }
}
