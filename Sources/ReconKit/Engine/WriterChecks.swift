import Crypto

/// What every writing command checks before it may append (SPEC §6): the chain (read by
/// ``LedgerFile/load()``), every checkpoint on disk against the ledger, the privileged
/// entries since the newest checkpoint (all of them while there is none) and every issued
/// document that is present. The archived drops a command uses are hashed as they are read
/// (``LedgerReplay``). Anything wrong throws ``LedgerDamage``: the command refuses (exit 4)
/// and appends nothing.
struct WriterChecks {
    let site: Site
    let ledger: LedgerFile

    func run() throws {
        guard let first = ledger.entries.first, first.eventKind == .siteInit else {
            throw LedgerDamage(seq: 1, "the first entry is not site.init")
        }
        guard let keyText = first.string("public_key"), let key = try? VerifierKey(text: keyText) else {
            throw LedgerDamage(seq: 1, "site.init carries no readable public_key")
        }
        let verifier = Verifier(site: site)
        let seqs = Checkpointer(site: site).all()
        for seq in seqs {
            if ledger.interruptedEntries > 0 && seq > ledger.entries.count {
                // The intent record claims complete lines a signed checkpoint covers: never cut those.
                throw LedgerDamage(seq: ledger.entries.count + 1, "Ledger/ledger.jsonl.intent would cut \(ledger.interruptedEntries) "
                    + "complete entries that checkpoint \(seq).txt covers; that is not what an interrupted append leaves, "
                    + "so nothing is cut")
            }
            try verifier.checkNote(site.path("Ledger/checkpoints/\(seq).txt"), name: "checkpoint \(seq).txt", fileSeq: seq,
                                   ledger: ledger, verifier: key, siteName: first.string("site") ?? "")
        }
        // Privileged entries are checked by the session against the ledger's operators
        // (`SiteSession.checkPrivilegeAndCheckpoints`), every one of them, before any append.
        for e in ledger.entries where e.eventKind?.document != nil {
            // A missing document is put back by the repair; one present must be the one issued.
            guard let file = e.string("file"), let sha = e.string("sha256"), FileIO.exists(site.path(file)) else { continue }
            guard Hex.string(SHA256.hash(data: try FileIO.read(site.path(file)))) == sha else {
                throw LedgerDamage(seq: e.seq, "document \(file) does not match its recorded SHA-256")
            }
        }
    }
}
