import Foundation

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
        try checkDocuments()
    }

    /// A missing document is put back by the repair; one present must be the one issued.
    /// Years of closed months hold thousands: they are hashed on every core, and the first
    /// wrong one in ledger order is named.
    private func checkDocuments() throws {
        let documents = ledger.entries.filter { $0.eventKind?.document != nil }
        // nil: as issued, or missing; else what is wrong with it.
        var found = [Error?](repeating: nil, count: documents.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: documents.count) { i in
            let e = documents[i]
            guard let file = e.string("file"), let sha = e.string("sha256"), FileIO.exists(site.path(file)) else { return }
            let problem: Error?
            do {
                let same = try HashedFileWindow.sha256(of: site.path(file)) == sha
                problem = same ? nil : LedgerDamage(seq: e.seq, "document \(file) does not match its recorded SHA-256")
            } catch {
                problem = error
            }
            guard let problem else { return }
            lock.lock()
            found[i] = problem
            lock.unlock()
        }
        if let problem = found.lazy.compactMap({ $0 }).first { throw problem }
    }
}
