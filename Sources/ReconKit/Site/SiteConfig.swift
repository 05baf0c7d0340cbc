/// `recon.toml`: the site's name, base currency and time zone (fixed at init), the operators
/// allowed to run privileged commands, and the auditor's settings.
public struct SiteConfig: Sendable, Equatable {
    public struct Operator: Sendable, Equatable {
        public var name: String
        public var publicKey: String

        public init(name: String, publicKey: String) {
            self.name = name
            self.publicKey = publicKey
        }
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
        for (i, table) in (doc.arrays["operator"] ?? []).enumerated() {
            guard case .string(let name)? = table["name"], case .string(let key)? = table["public_key"] else {
                throw TOML.Problem(line: nil, message: "[[operator]] number \(i + 1) needs name = \"…\" and public_key = \"…\"")
            }
            config.operators.append(Operator(name: name, publicKey: key))
        }
        return config
    }
}
