import Foundation

/// The operators the ledger lists, replayed entry by entry, and the check of every
/// privileged entry against them (SPEC §6).
///
/// A privileged entry carries `request` ({command, args, site, ledger_head}), `signed_by`
/// and `signature` (base64 Ed25519 over the JCS form of the request). It holds when the
/// signer is an operator added before the entry and not removed since (or, for the first
/// `operator.added` only, the site key), the signature verifies, `ledger_head` is the hash
/// of an earlier entry, no earlier entry carries the same signature, and the body says
/// what the request asked for. `recon verify` and every writer replay the whole ledger
/// through this check; it is cheap, as only privileged entries need a signature check.
public struct OperatorRoster {
    public struct Operator: Equatable, Sendable {
        public var name: String
        public var publicKey: String
        /// Seq of its `operator.added`.
        public var addedAt: Int
    }

    /// A privileged request the ledger applied: what a retry would repeat.
    public struct Applied {
        public var seq: Int
        public var command: String
        public var args: JSONValue
        /// For a removal, the key it removed: removing a name added again since (with a new
        /// key) is a new request, not a retry, though its arguments (the name) are the same.
        public var removedKey: String?
    }

    public let siteName: String
    public let siteKey: VerifierKey
    /// Operators listed now, by name.
    public private(set) var operators: [String: Operator] = [:]
    public private(set) var applied: [Applied] = []
    /// Keys removed, by their 32 bytes (a key's name is only a label: the same bytes named
    /// anew are the same key): who held each and the seq that removed it.
    public private(set) var removedKeys: [[UInt8]: (name: String, seq: Int)] = [:]
    private var signatures: [String: Int] = [:]
    /// The entries replayed, and the hashes of the first `hashed` of them: a request's
    /// `ledger_head` must be one of those before it. Gathered only as far as a privileged
    /// entry asks (a year's six thousand hashes were put in a set by every writer).
    private var entries: [LedgerEntry] = []
    private var earlierHashes: Set<String> = []
    private var hashed = 0
    /// Entries up to this seq may be privileged entries of the earlier form (`operator`,
    /// `operator_key`, no `signed_by`): only entries a verified checkpoint covers, as this
    /// version never writes them.
    private let legacyUpTo: Int
    /// The seq of the first `operator.added`: from there on, no entry is of the earlier form.
    private var firstOperatorAdded: Int?

    init(siteName: String, siteKey: VerifierKey, legacyUpTo: Int) {
        self.siteName = siteName
        self.siteKey = siteKey
        self.legacyUpTo = legacyUpTo
    }

    /// Replays `entries` (seq 1 is `site.init`), checking every privileged entry.
    /// - Parameter legacyUpTo: the entry count of the newest checkpoint (0 without one).
    /// - Throws: ``LedgerDamage`` naming the first entry that does not hold.
    public static func replay(_ entries: [LedgerEntry], legacyUpTo: Int) throws -> OperatorRoster {
        guard let first = entries.first, first.eventKind == .siteInit, let name = first.string("site"),
            let keyText = first.string("public_key"), let key = try? VerifierKey(text: keyText)
        else { throw LedgerDamage(seq: 1, "site.init carries no site name or readable public_key") }
        var roster = OperatorRoster(siteName: name, siteKey: key, legacyUpTo: legacyUpTo)
        roster.entries = entries
        for e in entries.dropFirst() { try roster.take(e) }
        return roster
    }

    /// The entry count of the newest checkpoint on disk that the site key (of `site.init`)
    /// signed over this ledger's head at that count: how far earlier-form entries are vouched for.
    public static func verifiedCheckpointCount(site: Site, entries: [LedgerEntry]) -> Int {
        guard let keyText = entries.first?.string("public_key"), let key = try? VerifierKey(text: keyText) else { return 0 }
        return CheckpointFiles.newestVerified(in: site.checkpoints, entries: entries, verifier: key)
    }

    /// The seq of the applied request with this command and these arguments (and, for a
    /// removal, removing the same key), if any.
    public func appliedSeq(command: String, args: JSONValue, removedKey: String? = nil) -> Int? {
        applied.first { $0.command == command && $0.args == args && $0.removedKey == removedKey }?.seq
    }

    /// The applied request a new one repeats, its reasons compared trimmed: a request made
    /// now signs its reason trimmed, and one an earlier version recorded untrimmed
    /// (`"goodwill "`) is the same request. Only for refusing a retry: the replay's check of
    /// the ledger keeps exact equality, so two requests an earlier version applied still verify.
    public func retriedSeq(command: String, args: JSONValue, removedKey: String? = nil) -> Int? {
        // What the request means: its reason trimmed, and a rerun's default terms (`closed`,
        // signed only when typed) the same whether typed or not.
        func trimmed(_ args: JSONValue) -> JSONValue {
            guard var o = args.objectValue else { return args }
            if let reason = o["reason"]?.stringValue { o["reason"] = .string(reason.trimmingSpaces) }
            if command == "rerun", o["terms"] == nil { o["terms"] = .string("closed") }
            return .object(o)
        }
        let wanted = trimmed(args)
        return applied.first { $0.command == command && trimmed($0.args) == wanted && $0.removedKey == removedKey }?.seq
    }

    /// The listed operator holding `publicKey`.
    public func holder(of publicKey: String) -> Operator? {
        guard let key = try? VerifierKey(text: publicKey) else { return nil }
        return holder(of: key)
    }

    /// The listed operator holding `key`'s 32 bytes, under whatever name.
    public func holder(of key: VerifierKey) -> Operator? {
        operators.values.first { (try? VerifierKey(text: $0.publicKey))?.publicKey == key.publicKey }
    }

    /// Why `key` may not be given to the operator `name`, for people; nil when it may. A key
    /// is one operator's, under the name it was made for: never the site key, another listed
    /// operator's, or one removed (named anew, it would bring a revoked key back).
    public func refusal(of key: VerifierKey, for name: String) -> String? {
        if key.name != name { return "the key is named \(key.name), not \(name): an operator's key carries the operator's name" }
        if OperatorName.sameInAnyCase(name, siteName) { return "no operator takes the site's name (\(siteName), here as \(name))" }
        if key.publicKey == siteKey.publicKey { return "that is the site's own key; an operator needs a key of their own" }
        if let holder = holder(of: key) { return "that is \(holder.name)'s key already; each operator has a key of their own" }
        if let removed = removedKeys[key.publicKey] {
            return "that is \(removed.name)'s key, removed at seq \(removed.seq): a key once removed is never listed again"
        }
        return nil
    }

    // MARK: Replaying one entry

    /// The kinds that are privileged whatever their body holds: made once, not for each entry taken.
    private static let privilegedKinds: Set<String> = [PrivilegedKind.rerun, PrivilegedKind.operatorAdded, PrivilegedKind.operatorRemoved]

    mutating func take(_ e: LedgerEntry) throws {
        let b = e.body
        let claimsPrivilege = Self.privilegedKinds.contains(e.kind)
            || b["request"] != nil || b["signature"] != nil || b["signed_by"] != nil || b["operator_key"] != nil
        if claimsPrivilege {
            if b["signed_by"] == nil && b["operator_key"] != nil {
                try takeLegacy(e)
            } else {
                try takeSigned(e)
            }
        }
        if e.kind == PrivilegedKind.operatorAdded {
            try add(e)
            firstOperatorAdded = firstOperatorAdded ?? e.seq
        }
        if e.kind == PrivilegedKind.operatorRemoved { try remove(e) }
    }

    /// Whether `hash` is the hash of an entry before seq `seq`.
    private mutating func isEarlierHash(_ hash: String, than seq: Int) -> Bool {
        while hashed < min(seq - 1, entries.count) {
            earlierHashes.insert(entries[hashed].hash)
            hashed += 1
        }
        return earlierHashes.contains(hash)
    }

    /// A signature as the bytes its base64 spells (hex), by which replays are told: the same
    /// 64 bytes spelt otherwise (the unused low bits of the last character set) passed for a
    /// new signature, and a removal replayed so revoked an operator's new key. Its text when it
    /// is no base64 (its check then fails anyway).
    static func signatureBytes(_ signature: String) -> String {
        Data(base64Encoded: signature).map { Hex.string($0) } ?? signature
    }

    private mutating func takeSigned(_ e: LedgerEntry) throws {
        guard let signer = e.string("signed_by"), let request = e.body["request"]?.objectValue,
            let signature = e.string("signature")
        else { throw LedgerDamage(seq: e.seq, "\(e.kind) lacks its signed request (request, signed_by, signature)") }
        let key: VerifierKey
        if signer == siteName {
            guard e.kind == PrivilegedKind.operatorAdded, operators.isEmpty else {
                throw LedgerDamage(seq: e.seq, "\(e.kind) is signed by the site key, which only adds the first operator")
            }
            key = siteKey
        } else {
            guard let op = operators[signer], let opKey = try? VerifierKey(text: op.publicKey) else {
                throw LedgerDamage(seq: e.seq, "\(e.kind) is signed by \(signer), who is not an operator at this point (never added, or removed)")
            }
            key = opKey
        }
        guard key.isValidSignature(signature, for: JCS.canonical(.object(request))) else {
            throw LedgerDamage(seq: e.seq, "the signature of \(signer) over the \(e.kind) request does not verify")
        }
        guard request["site"]?.stringValue == siteName else {
            throw LedgerDamage(seq: e.seq, "the \(e.kind) request names another site")
        }
        guard let head = request["ledger_head"]?.stringValue, isEarlierHash(head, than: e.seq) else {
            throw LedgerDamage(seq: e.seq, "the \(e.kind) request's ledger_head is not the hash of an earlier entry")
        }
        let signed = Self.signatureBytes(signature)
        if let earlier = signatures[signed] {
            throw LedgerDamage(seq: e.seq, "\(e.kind) replays the signed request of seq \(earlier)")
        }
        guard let command = request["command"]?.stringValue, let args = request["args"]?.objectValue else {
            throw LedgerDamage(seq: e.seq, "the \(e.kind) request lacks command or args")
        }
        try checkAgreement(e, command: command, args: args)
        // A request whose command and arguments equal an applied one's is a retry: refused
        // when it is made (SPEC §5), so one in the ledger was not written by recon.
        let removedKey = e.kind == PrivilegedKind.operatorRemoved ? e.string("public_key") : nil
        if let earlier = appliedSeq(command: command, args: .object(args), removedKey: removedKey) {
            throw LedgerDamage(seq: e.seq, "\(e.kind) applies again the request of seq \(earlier) (the same command and "
                + "arguments); a retry is refused when it is made, so this entry was not written by recon")
        }
        signatures[signed] = e.seq
        applied.append(Applied(seq: e.seq, command: command, args: .object(args), removedKey: removedKey))
    }

    /// The body does what its request asked for: the same command's entry kind, the same
    /// period, invoice, amount, reason or operator.
    private func checkAgreement(_ e: LedgerEntry, command: String, args: [String: JSONValue]) throws {
        guard PrivilegedKind.entryKind(ofCommand: command) == e.kind else {
            throw LedgerDamage(seq: e.seq, "a \(e.kind) entry carries a request for `\(command)`")
        }
        let pairs: [(arg: String, member: String)]
        switch command {
        // `terms` only when it was asked for (reruns before it signed none); not asked for, the
        // entry records the default, `closed`, or (an earlier version's) nothing.
        case "rerun":
            pairs = [("period", "period"), ("reason", "reason")] + (args["terms"] != nil ? [("terms", "terms")] : [])
            if args["terms"] == nil, let recorded = e.string("terms"), recorded != Rerunner.Terms.closed.rawValue {
                throw LedgerDamage(seq: e.seq, "the rerun body's terms is \(recorded), which its signed request did not ask for")
            }
        case "credit": pairs = [("invoice", "refers_to"), ("amount", "total"), ("reason", "reason")]
        case "operator add": pairs = [("name", "name"), ("public_key", "public_key")]
        default: pairs = [("name", "name")]
        }
        // Exactly the command's arguments: one more (a `key`, say) is none recon signs, and
        // would make a repeated request look new to the retry check.
        if Set(args.keys) != Set(pairs.map(\.arg)) {
            throw LedgerDamage(seq: e.seq, "the \(e.kind) request's args are \(args.keys.sorted().joined(separator: ", ")); "
                + "`recon \(command)` signs \(pairs.map(\.arg).sorted().joined(separator: ", ")) and nothing else")
        }
        // `refers_to` is a list (one invoice for a credit); earlier entries joined it with commas.
        func memberText(_ name: String) -> String? {
            name == "refers_to" ? BodyReader(entry: e).strings(name).joined(separator: ", ") : e.string(name)
        }
        for (arg, member) in pairs where args[arg]?.stringValue != memberText(member) {
            throw LedgerDamage(seq: e.seq, "the \(e.kind) body's \(member) is not the \(arg) its signed request asked for")
        }
    }

    /// An entry written before operators were in the ledger: signed by the key it names.
    private mutating func takeLegacy(_ e: LedgerEntry) throws {
        guard e.kind == PrivilegedKind.rerun || e.kind == PrivilegedKind.creditNote else {
            throw LedgerDamage(seq: e.seq, "\(e.kind) lacks its signed request (request, signed_by, signature)")
        }
        guard e.seq <= legacyUpTo else {
            throw LedgerDamage(seq: e.seq, "\(e.kind) is signed by a key no operator.added lists (the earlier form is accepted only where a checkpoint covers it)")
        }
        // Written before operators were in the ledger, so never after one was added (listed
        // still, or removed since): the key it names would vouch for itself, and whoever holds
        // the site key (which signs the checkpoint over it) could credit under a key of their own.
        if let first = firstOperatorAdded {
            throw LedgerDamage(seq: e.seq, "\(e.kind) is in the form of an earlier version (operator_key, no signed_by) after "
                + "operators were recorded in the ledger (seq \(first)): recon writes no such entry, and the key it names for "
                + "itself vouches for nothing")
        }
        guard let keyText = e.string("operator_key"), let key = try? VerifierKey(text: keyText),
            let request = e.body["request"]?.objectValue, let signature = e.string("signature"),
            key.isValidSignature(signature, for: JCS.canonical(.object(request)))
        else { throw LedgerDamage(seq: e.seq, "the operator's signature over the \(e.kind) request does not verify") }
        if e.kind == PrivilegedKind.rerun, request["period"]?.stringValue != e.string("period") {
            throw LedgerDamage(seq: e.seq, "the rerun's signed request names another period")
        }
        let signed = Self.signatureBytes(signature)
        if let earlier = signatures[signed] {
            throw LedgerDamage(seq: e.seq, "\(e.kind) replays the signed request of seq \(earlier)")
        }
        signatures[signed] = e.seq
        var args = request
        for member in ["command", "site", "ledger_head"] { args[member] = nil }
        // The earlier form signed the amount without trailing zeros ("10"); a request now
        // carries it as the credit note's total reads ("10.00"), so a retry compares equal.
        if e.kind == PrivilegedKind.creditNote, let total = e.body["total"] { args["amount"] = total }
        applied.append(Applied(seq: e.seq, command: request["command"]?.stringValue ?? "", args: .object(args), removedKey: nil))
    }

    // MARK: The roster

    private mutating func add(_ e: LedgerEntry) throws {
        guard let name = e.string("name"), let keyText = e.string("public_key"), let key = try? VerifierKey(text: keyText) else {
            throw LedgerDamage(seq: e.seq, "operator.added lacks a name or a readable public_key")
        }
        guard operators[name] == nil else { throw LedgerDamage(seq: e.seq, "operator.added adds \(name), who is listed already") }
        if let refusal = refusal(of: key, for: name) { throw LedgerDamage(seq: e.seq, "operator.added for \(name): \(refusal)") }
        operators[name] = Operator(name: name, publicKey: key.text, addedAt: e.seq)
    }

    private mutating func remove(_ e: LedgerEntry) throws {
        guard let name = e.string("name"), let op = operators[name] else {
            throw LedgerDamage(seq: e.seq, "operator.removed removes \(e.string("name") ?? "no one"), who is not listed")
        }
        if let key = e.string("public_key"), key != op.publicKey {
            throw LedgerDamage(seq: e.seq, "operator.removed names another key than \(name)'s")
        }
        if let key = try? VerifierKey(text: op.publicKey) { removedKeys[key.publicKey] = (name, e.seq) }
        operators[name] = nil
    }
}
