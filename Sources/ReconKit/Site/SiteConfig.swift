/// `recon.toml`: the site's name, base currency and time zone (fixed at init), the operators
/// allowed to run privileged commands, and the auditor's settings.
public struct SiteConfig: Sendable, Equatable {
    public struct Operator: Sendable, Equatable {
        public var name: String
        public var publicKey: String
    }

    public var site: String
    public var baseCurrency: String
    public var timezone: String
    public var operators: [Operator] = []
    /// Soft flags block a close only when this is true.
    public var blockOnSoft = false
    /// Score at or above which a party-period is flagged (auditor.threshold).
    public var softThreshold: Double?
    /// How long a file's size and mtime must hold still before it is taken (seconds).
    public var stableSeconds: Double = 1
    /// Printed on every invoice and credit note; nil when `[seller]` is not set.
    public var seller: SellerDetails?
    /// The paper every workbook prints on.
    public var paper: PaperSize = .a4

    public init(site: String, baseCurrency: String, timezone: String) {
        self.site = site
        self.baseCurrency = baseCurrency
        self.timezone = timezone
    }

    /// The file's text, in the SPEC §1 shape.
    public var text: String {
        var t = """
            site = \(TOML.quoted(site))      # checkpoint origin, shown on documents
            base_currency = \(TOML.quoted(baseCurrency))      # margins are reported in it
            timezone = \(TOML.quoted(timezone))      # IANA name; decides which period a timestamp falls in
            block_on_soft = \(blockOnSoft)      # soft (Isolation Forest) flags block a close only when true

            """
        t += sellerAndPaperText
        for op in operators {
            t += "\n[[operator]]\nname = \(TOML.quoted(op.name))\npublic_key = \(TOML.quoted(op.publicKey))\n"
        }
        return t
    }

    /// Reads `recon.toml`; problems name the line.
    public static func parse(_ text: String) throws -> SiteConfig {
        let doc = try TOML.parse(text)
        func string(_ key: String) throws -> String {
            guard case .string(let s)? = doc.root[key] else {
                throw TOML.Problem(line: nil, message: "recon.toml lacks \(key) = \"…\"")
            }
            return s
        }
        var config = SiteConfig(site: try string("site"), baseCurrency: try string("base_currency"),
                                timezone: try string("timezone"))
        if case .bool(let b)? = doc.root["block_on_soft"] { config.blockOnSoft = b }
        if case .number(let n)? = doc.root["stable_seconds"] { config.stableSeconds = n }
        if case .number(let n)? = doc.tables["auditor"]?["threshold"] { config.softThreshold = n }
        if case .bool(let b)? = doc.tables["auditor"]?["block_on_soft"] { config.blockOnSoft = b }
        try readSellerAndPaper(doc, into: &config)
        for (i, table) in (doc.arrays["operator"] ?? []).enumerated() {
            guard case .string(let name)? = table["name"], case .string(let key)? = table["public_key"] else {
                throw TOML.Problem(line: nil, message: "[[operator]] number \(i + 1) needs name = \"…\" and public_key = \"…\"")
            }
            config.operators.append(Operator(name: name, publicKey: key))
        }
        return config
    }

    /// `paper` and `[seller]` (SPEC §1), kept apart so the documents' settings merge easily.
    static func readSellerAndPaper(_ doc: TOML.Document, into config: inout SiteConfig) throws {
        if let value = doc.root["paper"] {
            guard case .string(let text) = value, let paper = PaperSize(rawValue: text) else {
                throw TOML.Problem(line: nil, message: "paper must be \"A4\" or \"Letter\"")
            }
            config.paper = paper
        }
        guard let table = doc.tables["seller"] else { return }
        func text(_ key: String) throws -> String {
            guard let value = table[key] else { return "" }
            guard case .string(let s) = value else { throw TOML.Problem(line: nil, message: "[seller] \(key) must be \"text\"") }
            return s
        }
        let known: Set = ["legal_name", "address", "tax_id", "email", "payment_instructions"]
        if let unknown = table.keys.sorted().first(where: { !known.contains($0) }) {
            throw TOML.Problem(line: nil, message: "[seller] has no key \(unknown); its keys are \(known.sorted().joined(separator: ", "))")
        }
        var address: [String] = []
        switch table["address"] {
        case .none: break
        case .strings(let lines)?: address = lines
        case .string(let line)?: address = [line]
        default: throw TOML.Problem(line: nil, message: "[seller] address must be a list of lines, e.g. [\"12 MG Road\", \"Bengaluru\"]")
        }
        let name = try text("legal_name")
        guard !name.isEmpty else { throw TOML.Problem(line: nil, message: "[seller] needs legal_name = \"…\"") }
        config.seller = SellerDetails(legalName: name, address: address, taxId: try text("tax_id"), email: try text("email"),
                                      paymentInstructions: try text("payment_instructions"))
    }

    /// `paper` and `[seller]` as `recon.toml` spells them (nothing when unset).
    var sellerAndPaperText: String {
        var t = paper == .a4 ? "" : "paper = \(TOML.quoted(paper.rawValue))\n"
        if let s = seller {
            t += "\n[seller]\nlegal_name = \(TOML.quoted(s.legalName))\n"
            t += "address = [" + s.address.map(TOML.quoted).joined(separator: ", ") + "]\n"
            t += "tax_id = \(TOML.quoted(s.taxId))\nemail = \(TOML.quoted(s.email))\n"
            t += "payment_instructions = \(TOML.quoted(s.paymentInstructions))\n"
        }
        return t
    }
}
