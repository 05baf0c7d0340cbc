/// `recon operator add|remove` (SPEC §6): operators are ledger entries, signed like any
/// privileged request, each followed by a checkpoint, so who may sign is never changed
/// without a trace.
public struct OperatorAdmin {
    let session: SiteSession

    public init(session: SiteSession) { self.session = session }

    public struct Result {
        public var entry: LedgerEntry
        public var signedBy: String
        public var checkpoint: String?
    }

    /// Appends `operator.added` for `name` holding `publicKey` (a `NAME+HASH+BASE64` key, or a
    /// file holding one). Signed with `keyFile`, a listed operator's key; without one, the
    /// site key signs, which it may only while no operator is listed.
    public func add(name: String, publicKey text: String, keyFile: String?) throws -> Result {
        let roster = try session.operatorRoster()
        guard OperatorName.isPlainId(name) else {
            throw ReconFailure.usage("operator name \"\(name)\": 1–64 of A-Z a-z 0-9 . _ -, not starting with . or -")
        }
        // In any letter case: `signed_by` names the signer, and one a letter's case away from
        // the site's name would read as the site key to anyone checking by eye.
        guard !OperatorName.sameInAnyCase(name, roster.siteName) else {
            throw ReconFailure.refused("no operator takes the site's name (\(roster.siteName), here as \(name)): it names the site key, which signs checkpoints")
        }
        if let listed = roster.operators[name] {
            throw ReconFailure.refused("\(name) is an operator already (added at seq \(listed.addedAt)); `recon operator remove` first to change the key")
        }
        // Nor another's name in another letter case: `signed_by` Alice and alice read as one signer.
        if let other = roster.operators.values.first(where: { OperatorName.sameInAnyCase($0.name, name) }) {
            throw ReconFailure.refused("\(other.name) is an operator already (added at seq \(other.addedAt)), and \(name) differs from that "
                + "name only in letter case: signed_by would not tell them apart — give \(name) another name")
        }
        let key = try Self.publicKey(text, name: name)
        if let refusal = roster.refusal(of: key, for: name) {
            // The old pair's files are never overwritten: the new one goes into another folder.
            throw ReconFailure.refused("\(refusal); `recon keygen \(name) --dir NEW-FOLDER` makes a new key pair (into a folder that "
                + "does not hold the old one: a key file is never overwritten), and `recon operator add \(name) NEW-FOLDER/\(name).pub` adds it")
        }
        let args = ["name": name, "public_key": key.text]
        let signed: PrivilegedRequest
        if let keyFile {
            signed = try PrivilegedRequest.sign(command: "operator add", args: args, keyFile: keyFile, session: session,
                                                siteKeyMayAddFirst: true)
        } else {
            guard roster.operators.isEmpty else {
                throw ReconFailure.refused("operators are listed (\(roster.operators.keys.sorted().joined(separator: ", "))): "
                    + "a new one is added with --key FILE, the private key of one of them; the site key adds only the first")
            }
            signed = try PrivilegedRequest.sign(command: "operator add", args: args, with: try SiteKeyFile.load(session.site),
                                                signer: roster.siteName, roster: roster, session: session)
        }
        var body = signed.bodyMembers
        body["name"] = .string(name)
        body["public_key"] = .string(key.text)
        return try append(PrivilegedKind.operatorAdded, body, signedBy: signed.signedBy)
    }

    /// Appends `operator.removed` for `name`, signed with a listed operator's key.
    public func remove(name: String, keyFile: String) throws -> Result {
        let roster = try session.operatorRoster()
        guard let op = roster.operators[name] else {
            throw ReconFailure.refused("\(name) is not an operator; `recon operator list` shows who is")
        }
        let signed = try PrivilegedRequest.sign(command: "operator remove", args: ["name": name], keyFile: keyFile, session: session)
        var body = signed.bodyMembers
        body["name"] = .string(name)
        body["public_key"] = .string(op.publicKey)
        return try append(PrivilegedKind.operatorRemoved, body, signedBy: signed.signedBy)
    }

    private func append(_ kind: String, _ body: [String: JSONValue], signedBy: String) throws -> Result {
        try Checkpointer(site: session.site).requireCanWrite()  // the checkpoint after it must be signable and writable
        session.derivedAfterAppend = []  // the operators are on no workbook
        // From its append on, a stop signal no longer ends it before its checkpoint and its word
        // (Ctrl-C there ended an operator's removal with exit 130 and no word, the key revoked).
        session.holdSignals()
        let entry = try session.append(kind: kind, body: body)
        let checkpoint = try Checkpointer(site: session.site, recorded: "entry is recorded — do not run it again")
            .writeAfterAppend(session, siteName: session.state.name)
        return Result(entry: entry, signedBy: signedBy, checkpoint: checkpoint)
    }

    /// A verifier key given as its text or as a file holding it; its name must be the operator's.
    static func publicKey(_ text: String, name: String) throws -> VerifierKey {
        var candidate = text
        if (try? VerifierKey(text: text)) == nil, FileIO.exists(text) {
            // A key is one short line: read no more than a little past one (a file of
            // gigabytes given by mistake was read whole into memory before it was refused).
            let read: [UInt8]
            do { read = try FileIO.readSmall(text, limit: 4096).bytes } catch {
                throw ReconFailure.usage("PUBLIC_KEY \(SafeText.escaped(text)): \(error)")
            }
            guard read.count <= 4096 else {
                throw ReconFailure.usage("PUBLIC_KEY \(SafeText.escaped(text)) is far larger than a key; give NAME.pub "
                    + "(`recon keygen \(name)` writes it) or its NAME+HASH+BASE64 line")
            }
            candidate = String(decoding: read, as: UTF8.self)
        }
        let key: VerifierKey
        do {
            key = try VerifierKey(text: candidate)
        } catch {
            // Not a key, and no file: most likely a file name mistyped, and said so.
            if candidate == text, !text.contains("+") {
                throw ReconFailure.usage("PUBLIC_KEY \(SafeText.escaped(text)): no such file, and not a key either; give NAME.pub "
                    + "(`recon keygen \(name)` writes it) or its NAME+HASH+BASE64 line")
            }
            throw ReconFailure.usage("PUBLIC_KEY \(VerifierKey.shown(text)): \(error); give the NAME+HASH+BASE64 line of NAME.pub (`recon keygen \(name)` writes it), or that file")
        }
        guard key.name == name else {
            throw ReconFailure.usage("the public key is named \(key.name), not \(name); `recon keygen \(name)` writes a key pair named \(name)")
        }
        return key
    }
}
