/// `recon.toml`: the site's name, base currency and time zone (fixed at init), where the
/// site key lives, and the auditor's settings. Operators are in the ledger, not here.
public struct SiteConfig: Sendable, Equatable {
    public var site: String
    public var baseCurrency: String
    public var timezone: String
    /// The site's private key file when kept outside the site (`recon init --key-dir`).
    public var siteKey: String?
    /// Soft flags block a close only when this is true.
    public var blockOnSoft = false
    /// Score at or above which a party-period is flagged (auditor.threshold).
    public var softThreshold: Double?
    /// How long a file's size and mtime must hold still before it is taken (seconds).
    public var stableSeconds: Double = 1

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
        if let siteKey { t += "site_key = \(TOML.quoted(siteKey))      # the site's private key, kept outside the site\n" }
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
        if case .string(let path)? = doc.root["site_key"] { config.siteKey = path }
        try refuseOperatorTables(doc)
        return config
    }
}
