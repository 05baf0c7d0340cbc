/// A privileged request (`rerun`, `credit`, `operator add|remove`) signed with an operator's
/// Ed25519 key (SPEC §6).
///
/// The request — the command, its arguments by name as parsed strings (never `--key`,
/// `--site` or output options), the site and the ledger head it was made against — is put
/// in JCS form and signed. The entry carries `request`, `signed_by` (the operator's name)
/// and `signature`, so an auditor can check who asked for what against which ledger state,
/// and that each request applied once.
public struct PrivilegedRequest {
    public let signedBy: String
    public let request: [String: JSONValue]
    public let signature: String

    /// Signs `command` with `args` using the key in `keyFile`, which must belong to an
    /// operator the ledger lists now (or be the site key, when `siteKeyMayAddFirst` and no
    /// operator is listed). Refuses (exit 3), before anything is written, a key that is not
    /// listed, a key file others can read, and a request equal to one already applied (a
    /// retry).
    public static func sign(command: String, args: [String: String], keyFile: String, session: SiteSession,
                            siteKeyMayAddFirst: Bool = false) throws -> PrivilegedRequest {
        let key = try OperatorKeyFile.load(keyFile)
        let roster = try session.operatorRoster()
        let signer: String
        if let op = roster.holder(of: key.verifierKey.text) {
            signer = op.name
        } else if siteKeyMayAddFirst && roster.operators.isEmpty && key.verifierKey == roster.siteKey {
            signer = roster.siteName
        } else {
            throw ReconFailure.refused("the key in \(keyFile) (\(key.verifierKey.text)) belongs to no operator the ledger lists; "
                + "this command needs a listed operator's key (`recon operator list` shows them, `recon operator add` adds one)")
        }
        return try sign(command: command, args: args, with: key, signer: signer, roster: roster, session: session)
    }

    /// Signs with a key already loaded and known to be `signer`'s.
    static func sign(command: String, args: [String: String], with key: SigningKey, signer: String,
                     roster: OperatorRoster, session: SiteSession) throws -> PrivilegedRequest {
        let argValues = JSONValue.object(args.mapValues { .string($0) })
        // Removing a name is the same request again only while it names the key removed then.
        let removedKey = command == "operator remove" ? args["name"].flatMap { roster.operators[$0]?.publicKey } : nil
        if let seq = roster.retriedSeq(command: command, args: argValues, removedKey: removedKey) {
            throw ReconFailure.refused("this request (`recon \(command)` with the same arguments) was applied at seq \(seq); "
                + "a retry is never applied twice — `recon verify` and the ledger show what it did. "
                + (args["reason"] != nil ? "To ask for it again on purpose, say why in a new --reason"
                    : command == "operator add"
                    ? "An operator removed since comes back only with a new key (`recon keygen`, then `recon operator add` "
                        + "with its .pub): a key once removed is never listed again (`recon operator list` shows who is listed)"
                    : "`recon operator list` shows who is listed"))
        }
        let request: [String: JSONValue] = [
            "command": .string(command), "args": argValues, "site": .string(roster.siteName),
            "ledger_head": .string(session.ledger.headHash),
        ]
        return PrivilegedRequest(signedBy: signer, request: request,
                                 signature: try key.signature(for: JCS.canonical(.object(request))))
    }

    /// A `--reason` as the documents print it: trimmed, required, and under the text rule of a
    /// decision's note (SPEC §2: at most 1,000 characters, no control character or
    /// non-character), which a reason printed on a credit note must keep as much as a note:
    /// a U+FFFF in it would leave every text cell of the issued workbooks unreadable.
    static func reason(_ given: String, saying why: String) throws -> String {
        let reason = given.trimmingSpaces
        // A lone zero-width or no-break space says no more than a space does.
        guard !reason.isEmpty, SafeText.blankness(of: reason) == nil else { throw ReconFailure.usage("--reason must say why \(why)") }
        do {
            let text = try FieldValue.text(Substring(reason), limit: FieldValue.noteLimit)
            try FieldValue.fitsACell(text)  // printed on the credit note
            return text
        } catch let invalid as FieldValue.Invalid {
            throw ReconFailure.rejected("--reason \(invalid.message)")
        }
    }

    /// The members a privileged entry carries.
    public var bodyMembers: [String: JSONValue] {
        ["request": .object(request), "signed_by": .string(signedBy), "signature": .string(signature)]
    }
}

extension SiteSession {
    /// What a writer checks of privilege before it writes: every privileged entry against
    /// the operators of its time, and no checkpoint deleted (which a writer would otherwise
    /// replace with one signed over a rewritten ledger, or sign over the gap).
    static func checkPrivilegeAndCheckpoints(site: Site, ledger: LedgerFile) throws {
        _ = try operatorRoster(site: site, ledger: ledger)
        if let damage = CheckpointGaps.damage(in: ledger.entries, onDisk: Checkpointer(site: site).all(), owed: ledger.owedCheckpoint) {
            throw ReconFailure.verification("the ledger does not verify: \(damage); nothing is written")
        }
    }

    /// The operators the ledger lists, every privileged entry checked on the way.
    public func operatorRoster() throws -> OperatorRoster { try Self.operatorRoster(site: site, ledger: ledger) }

    static func operatorRoster(site: Site, ledger: LedgerFile) throws -> OperatorRoster {
        do {
            return try OperatorRoster.replay(ledger.entries,
                                             legacyUpTo: OperatorRoster.verifiedCheckpointCount(site: site, entries: ledger.entries))
        } catch let damage as LedgerDamage {
            throw ReconFailure.verification("the ledger does not verify: \(damage); nothing is written to a damaged ledger")
        }
    }
}
