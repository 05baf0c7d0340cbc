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
    /// A payee's grade and seniority, which set every rate on its statement (layout 16; empty
    /// before): a payroll clerk could not tell which rate row applied, even after a rerun on
    /// new terms changed them.
    public var grade = ""
    public var seniorityYears: Int?

    public init(address: [String] = [], taxId: String = "", poNumber: String = "", email: String = "", bankDetails: String = "",
                grade: String = "", seniorityYears: Int? = nil) {
        self.address = address
        self.taxId = taxId
        self.poNumber = poNumber
        self.email = email
        self.bankDetails = bankDetails
        self.grade = grade
        self.seniorityYears = seniorityYears
    }

    public init(client c: Client) { self.init(address: c.billingAddress, taxId: c.taxId, poNumber: c.poNumber, email: c.email) }

    public init(radiologist r: Radiologist) {
        self.init(address: r.address, taxId: r.taxId, bankDetails: r.bankDetails, grade: r.grade, seniorityYears: r.seniorityYears)
    }

    /// The lines a document's buyer (payee) block prints: name, `ID label: id`, address, tax
    /// id, PO number, email.
    func lines(name: String, idLabel: String, id: String) -> [String] {
        var out = [name, "\(idLabel) ID: \(id)"]
        if !grade.isEmpty {
            let years = seniorityYears.map { ", \($0) year\($0 == 1 ? "" : "s") of seniority" } ?? ""
            out.append("Grade: \(grade)\(years)")
        }
        out += address
        if !taxId.isEmpty { out.append("Tax ID: \(taxId)") }
        if !poNumber.isEmpty { out.append("PO number: \(poNumber)") }
        if !email.isEmpty { out.append(email) }
        return out
    }

    var json: JSONValue {
        var o: [String: JSONValue] = ["address": .array(address.map { .string($0) }), "tax_id": .string(taxId),
                                      "po_number": .string(poNumber), "email": .string(email), "bank_details": .string(bankDetails)]
        if !grade.isEmpty { o["grade"] = .string(grade) }
        if let seniorityYears { o["seniority_years"] = .int(Int64(seniorityYears)) }
        return .object(o)
    }

    init(json: JSONValue?) {
        let o = json?.objectValue ?? [:]
        self.init(address: (o["address"]?.arrayValue ?? []).compactMap(\.stringValue), taxId: o["tax_id"]?.stringValue ?? "",
                  poNumber: o["po_number"]?.stringValue ?? "", email: o["email"]?.stringValue ?? "",
                  bankDetails: o["bank_details"]?.stringValue ?? "", grade: o["grade"]?.stringValue ?? "",
                  seniorityYears: o["seniority_years"]?.intValue.map { Int($0) })
    }
}
