import XLSX

/// `recon.toml` (SPEC §1), read strictly: an unknown key, a duplicate key or a value of the
/// wrong type is an error naming the line, never silently ignored (a typo in
/// `block_on_soft` must not turn it off).
public struct SiteConfig: Sendable, Equatable {
    /// `[[operator]]` in `recon.toml`: refused (exit 3), operators are added to the ledger.
    public struct OperatorTablesRefused: Error, CustomStringConvertible {
        public let line: Int
        public var description: String {
            "recon.toml line \(line): [[operator]] tables are no longer read — operators are recorded in the ledger. "
                + "Delete the [[operator]] tables from recon.toml (no command runs while they are there), then add each "
                + "operator with `recon operator add NAME PUBLIC_KEY` (the first with the site key, the others with --key of one listed)."
        }
    }

    public var site: String
    public var baseCurrency: String
    public var timezone: String
    /// Soft flags block a close only when this is true.
    public var blockOnSoft = false
    /// Score at or above which a party-period is flagged (`[auditor] threshold`).
    public var softThreshold: Double?
    /// How long a file's size and mtime must hold still before it is taken (seconds).
    public var stableSeconds: Double = 1
    /// The paper every workbook prints on.
    public var paper: PaperSize = .a4
    /// Where the site's private key lives when it is kept outside the site (`recon init --key-dir`).
    public var siteKey: String?
    /// Printed on every invoice and credit note; nil when `[seller]` is not set.
    public var seller: SellerDetails?

    public init(site: String, baseCurrency: String, timezone: String) {
        self.site = site
        self.baseCurrency = baseCurrency
        self.timezone = timezone
    }

    /// The file's text, in the SPEC §1 shape; settings left at their defaults are not written.
    public var text: String {
        var t = """
            site = \(TOML.quoted(site))      # checkpoint origin, shown on documents
            base_currency = \(TOML.quoted(baseCurrency))      # margins are reported in it
            timezone = \(TOML.quoted(timezone))      # IANA name; decides which period a timestamp falls in
            block_on_soft = \(blockOnSoft)      # soft (Isolation Forest) flags block a close only when true

            """
        if paper != .a4 { t += "paper = \(TOML.quoted(paper.rawValue))\n" }
        if stableSeconds != 1 { t += "stable_seconds = \(Int(stableSeconds))\n" }
        if let siteKey { t += "site_key = \(TOML.quoted(siteKey))\n" }
        if let softThreshold { t += "\n[auditor]\nthreshold = \(softThreshold)\n" }
        if let seller {
            t += "\n[seller]\nlegal_name = \(TOML.quoted(seller.legalName))\n"
            if !seller.address.isEmpty { t += "address = [\(seller.address.map(TOML.quoted).joined(separator: ", "))]\n" }
            if !seller.taxId.isEmpty { t += "tax_id = \(TOML.quoted(seller.taxId))\n" }
            if !seller.email.isEmpty { t += "email = \(TOML.quoted(seller.email))\n" }
            if !seller.paymentInstructions.isEmpty { t += "payment_instructions = \(TOML.quoted(seller.paymentInstructions))\n" }
        }
        return t
    }

    /// Reads `recon.toml`. `site`, `base_currency` and `timezone` were fixed at init: one the
    /// file leaves out is taken from `fixed` (what `site.init` records; empty without it).
    ///
    /// - Throws: `TOML.Problem` naming the line (exit 1), or ``OperatorTablesRefused`` (exit 3).
    public static func parse(_ text: String, fixed: SiteConfig? = nil) throws -> SiteConfig {
        let doc = try TOML.parse(text)
        // Earlier versions listed operators here, where a change left no trace; they are
        // ledger entries now (`recon operator add`), so such a file is refused.
        if let tables = doc.arrays["operator"], let first = tables.first {
            throw OperatorTablesRefused(line: first.line)
        }
        if let (name, tables) = doc.arrays.first(where: { $0.key != "operator" }) {
            throw TOML.Problem(line: tables[0].line, message: "[[\(name)]] is not a recon.toml table; the tables are [seller] and [auditor]")
        }
        let root = SiteConfigKeys(table: doc.root, name: nil)
        try root.allow(["site", "base_currency", "timezone", "paper", "block_on_soft", "stable_seconds", "site_key"])
        // Written but empty is a mistake, not "left out": said at its line (exit 1), not later as
        // a disagreement with site.init (exit 3, no line).
        func fixedAtInit(_ key: String, example: String) throws -> String? {
            guard let value = try root.string(key, example: "\"\(example)\"") else { return nil }
            guard !value.trimmingSpaces.isEmpty else {
                throw TOML.Problem(line: root.line(key), message: "\(key) is empty; write the value site.init records "
                    + "(e.g. \(key) = \"\(example)\"), or remove the line to take it from the ledger")
            }
            return value
        }
        var config = SiteConfig(site: try fixedAtInit("site", example: "example-site") ?? fixed?.site ?? "",
                                baseCurrency: try fixedAtInit("base_currency", example: "INR") ?? fixed?.baseCurrency ?? "",
                                timezone: try fixedAtInit("timezone", example: "UTC") ?? fixed?.timezone ?? "")
        if let b = try root.bool("block_on_soft") { config.blockOnSoft = b }
        if let n = try root.integer("stable_seconds", in: 0...3600) { config.stableSeconds = Double(n) }
        if let p = try root.string("paper", example: "\"A4\"") {
            guard let paper = PaperSize(rawValue: p) else {
                throw TOML.Problem(line: root.line("paper"), message: "paper is \(TOML.quoted(p)); write \"A4\" or \"Letter\"")
            }
            config.paper = paper
        }
        config.siteKey = try root.string("site_key", example: "\"/etc/recon/keys/site.key\"")
        // Checked here, where the line is known, not later as if an option of `recon init` had said them.
        if !config.timezone.isEmpty, SiteTimeZone(identifier: config.timezone) == nil {
            throw TOML.Problem(line: root.line("timezone"), message: "timezone is \(TOML.quoted(config.timezone)): "
                + SiteTimeZone.whatIsValid(config.timezone))
        }
        if !config.baseCurrency.isEmpty, Currency(code: config.baseCurrency) == nil {
            throw TOML.Problem(line: root.line("base_currency"), message: "base_currency is \(TOML.quoted(config.baseCurrency)); "
                + "write an ISO 4217 code (e.g. base_currency = \"INR\")")
        }
        if let key = config.siteKey, key.trimmingSpaces.isEmpty {
            throw TOML.Problem(line: root.line("site_key"), message: "site_key is empty; name the site's private key file "
                + "(e.g. site_key = \"/etc/recon/keys/site.key\"), or remove the line to use Ledger/keys/site.key")
        }
        for (name, table) in doc.tables.sorted(by: { $0.key < $1.key }) {
            let keys = SiteConfigKeys(table: table, name: name)
            switch name {
            case "seller":
                try keys.allow(["legal_name", "address", "tax_id", "email", "payment_instructions"])
                let legalName = try keys.requiredString("legal_name", example: "\"Example Teleradiology Pvt Ltd\"")
                // Invoices print it as the seller's name: an empty one would leave them nameless.
                guard !legalName.trimmingSpaces.isEmpty else {
                    throw TOML.Problem(line: keys.line("legal_name"),
                                       message: "[seller] legal_name is empty; write the seller's legal name (e.g. legal_name = \"Example Teleradiology Pvt Ltd\")")
                }
                // Trimmed, as every text of a drop is (SPEC §2): spaces around a value are not the seller's.
                var seller = SellerDetails(legalName: legalName.trimmingSpaces)
                let address = try keys.strings("address", example: "[\"12 MG Road\", \"Bengaluru 560001\"]") ?? []
                seller.address = address.map(\.trimmingSpaces)
                if let blank = seller.address.firstIndex(where: \.isEmpty) {
                    throw TOML.Problem(line: keys.line("address"), message: "[seller] address line \(blank + 1) is empty; every item is a "
                        + "printed line of the address — leave the empty one out (e.g. address = [\"12 MG Road\", \"Bengaluru 560001\"])")
                }
                seller.taxId = (try keys.string("tax_id", example: "\"29ABCDE1234F1Z5\"") ?? "").trimmingSpaces
                seller.email = (try keys.string("email", example: "\"billing@example.com\"") ?? "").trimmingSpaces
                seller.paymentInstructions = (try keys.string("payment_instructions", example: "\"HDFC Bank, IFSC HDFC0000123\"",
                                                              limit: 1_000) ?? "").trimmingSpaces
                config.seller = seller
            case "auditor":
                try keys.allow(["threshold"])
                config.softThreshold = try keys.score("threshold")
            default:
                throw TOML.Problem(line: table.line, message: "[\(name)] is not a recon.toml table; the tables are [seller] and [auditor]")
            }
        }
        return config
    }
}
