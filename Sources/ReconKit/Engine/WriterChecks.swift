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
    /// Told what is worth a warning as it is found, also when the checks then refuse.
    var warn: (String) -> Void = { _ in }

    /// What the checks did beyond passing: how many issued documents were read and hashed
    /// (the others still had their sealed stamp), and which documents' files were missing
    /// (the positions of their entries), so that the repair need not look for every file again.
    struct Outcome {
        var documentsHashed = 0
        var missingDocuments: [Int] = []
    }

    /// What the checks found when run beside the rebuilding of the state (``SiteSession``):
    /// their outcome, the privilege check's once they passed, and the warnings given meanwhile.
    struct Finding {
        var outcome: Result<Outcome, Error>
        var privileged: Result<Void, Error>?
        var warnings: [String]
    }

    @discardableResult
    func run() throws -> Outcome {
        guard let first = ledger.entries.first, first.eventKind == .siteInit else {
            throw LedgerDamage(seq: 1, "the first entry is not site.init")
        }
        guard let keyText = first.string("public_key"), let key = try? VerifierKey(text: keyText) else {
            throw LedgerDamage(seq: 1, "site.init carries no readable public_key")
        }
        let verifier = Verifier(site: site)
        let seqs = Checkpointer(site: site).all()
        for seq in seqs {
            if let damage = Self.intentOverCheckpoint(ledger, checkpoint: seq) { throw damage }
            try verifier.checkNote(site.path("Ledger/checkpoints/\(seq).txt"), name: "checkpoint \(seq).txt", fileSeq: seq,
                                   ledger: ledger, verifier: key, siteName: first.string("site") ?? "")
        }
        // Privileged entries are checked by the session against the ledger's operators
        // (`SiteSession.checkPrivilegeAndCheckpoints`), every one of them, before any append.
        try IssuedDocumentEntries.check(ledger.entries)
        return try checkDocuments(key: key, siteName: first.string("site") ?? "")
    }

    /// A missing document is put back by the repair; one present must be the one issued.
    /// Years of closed months hold thousands: a document whose file still has the stamp the
    /// site's seal records for it (``DocumentSeal``) is as it was hashed; the others are hashed
    /// on every core, and the first wrong one in ledger order is named. The seal is then
    /// written again when it gained or lost documents (with the site key, when it can be read).
    /// Returns how many documents were hashed and which were missing.
    private func checkDocuments(key: VerifierKey, siteName: String) throws -> Outcome {
        let documents = ledger.entries.indices.filter { ledger.entries[$0].eventKind?.document != nil }
        var seal: DocumentSeal?
        do {
            seal = try DocumentSeal.read(site, verifier: key, siteName: siteName)
        } catch {
            warn("ignored \(error); every issued document is hashed instead, and a new seal is written when the site key can be read")
        }
        // A stamp is sealed only if the file had not changed for a while before it was hashed.
        let settled = FileStamp.Instant.now().minus(seconds: DocumentSeal.settleSeconds)
        // Per document: nil when as issued or missing, else what is wrong; and its seal, if any.
        var found = [Error?](repeating: nil, count: documents.count)
        var sealed = [(file: String, sealed: DocumentSeal.Sealed)?](repeating: nil, count: documents.count)
        var hashed = [Bool](repeating: false, count: documents.count)
        var missing = [Bool](repeating: false, count: documents.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: documents.count) { i in
            let e = ledger.entries[documents[i]]
            guard let file = e.string("file"), let sha = e.string("sha256") else { return }
            let path = site.path(file)
            if let kept = seal?.documents[file], kept.sha256 == sha, let now = FileStamp.of(path), now == kept.stamp {
                lock.lock()
                sealed[i] = (file, kept)
                lock.unlock()
                return
            }
            guard FileIO.exists(path) else {
                lock.lock()
                missing[i] = true
                lock.unlock()
                return
            }
            let problem: Error?
            var fresh: DocumentSeal.Sealed?
            do {
                let read = try LedgerDamage.reading("document", file, seq: e.seq) { try FileStamp.hashing(path) }
                problem = read.sha256 == sha ? nil : LedgerDamage(seq: e.seq, "document \(file) does not match its recorded SHA-256")
                if problem == nil, read.before == read.after, read.after.changed < settled {
                    fresh = DocumentSeal.Sealed(sha256: sha, stamp: read.after)
                }
            } catch {
                problem = error
            }
            lock.lock()
            hashed[i] = true
            found[i] = problem
            if let fresh { sealed[i] = (file, fresh) }
            lock.unlock()
        }
        if let problem = found.lazy.compactMap({ $0 }).first { throw problem }
        // Every document found under its sealed stamp, and the seal as long as the list: it stands
        // as it is (after a year, building and comparing 6,000 entries took some milliseconds).
        let unchanged = seal?.documents.count == documents.count && !hashed.contains(true) && !sealed.contains { $0 == nil }
        if !unchanged {
            var next = DocumentSeal(documents: [:])
            next.documents.reserveCapacity(documents.count)
            for case let (file, s)? in sealed { next.documents[file] = s }
            if next != (seal ?? DocumentSeal(documents: [:])), let siteKey = try? SiteKeyFile.load(site) {
                try? next.write(site, key: siteKey, siteName: siteName)
            }
        }
        return Outcome(documentsHashed: hashed.lazy.filter { $0 }.count,
                       missingDocuments: documents.indices.filter { missing[$0] }.map { documents[$0] })
    }

    /// An intent record claiming complete lines a signed checkpoint covers (`checkpoint`, its
    /// seq): never cut — that is not what an interrupted append leaves.
    static func intentOverCheckpoint(_ ledger: LedgerFile, checkpoint seq: Int) -> LedgerDamage? {
        guard ledger.interruptedEntries > 0 && seq > ledger.entries.count else { return nil }
        return LedgerDamage(seq: ledger.entries.count + 1, "Ledger/ledger.jsonl.intent would cut \(ledger.interruptedEntries) "
            + "complete entries that checkpoint \(seq).txt covers; that is not what an interrupted append leaves, so nothing is cut")
    }
}

