import Foundation
/// Writes clients' account statements (`recon statement`, SPEC §5) from the ledger's state.
public struct StatementWriter {
    let session: SiteSession

    public init(session: SiteSession) { self.session = session }

    /// Every client with an invoice, credit note or payment, or known to the site, in id order.
    public var clientIds: [String] {
        let s = session.state
        var ids = Set(s.pricing.clients.keys)
        // Each document's fields read in place: a year's six thousand are not copied whole to be passed by.
        for i in s.issued.indices where s.issued[i].kind.isClientSide { ids.insert(s.issued[i].partyId) }
        return ids.union(s.payments.map(\.clientId)).sorted()
    }

    /// The client's account as of `asOf`.
    public func receivables(_ clientId: String, asOf: LocalDate) throws -> Receivables {
        let s = session.state
        return try Receivables(clientId: clientId, documents: s.issued, payments: s.payments, asOf: asOf, issuedOn: issuedOn)
    }

    /// Every client's account as of `asOf`, in ``clientIds`` order (nil where it cannot be
    /// added up). The documents and payments are dealt out by client once: a year holds
    /// thousands of documents, and each client looking through all of them cost a `status`
    /// more than the accounts themselves.
    func allReceivables(asOf: LocalDate) -> [(clientId: String, receivables: Receivables?)] {
        let s = session.state
        // What an account holds (``Receivables``), each document's kind read in place, as in
        // ``clientIds``: a year's payout statements are not copied to be passed by.
        var documents: [String: [IssuedDocument]] = [:]
        for i in s.issued.indices where s.issued[i].kind == .invoice || s.issued[i].kind == .creditNote {
            documents[s.issued[i].partyId, default: []].append(s.issued[i])
        }
        let payments = Dictionary(grouping: s.payments, by: \.clientId)
        return clientIds.map { id in
            (id, try? Receivables(clientId: id, documents: documents[id] ?? [], payments: payments[id] ?? [], asOf: asOf,
                                  issuedOn: issuedOn))
        }
    }

    /// A document's issue date in the site's time zone (its entry's `at`).
    private func issuedOn(_ d: IssuedDocument) -> LocalDate {
        d.issuedOn(in: session.state.zone) ?? d.period.lastDay
    }

    /// Writes `Outbox/statements/CLIENT_ID.xlsx`; returns its path relative to the site and the account.
    @discardableResult
    public func write(_ clientId: String, asOf: LocalDate) throws -> (file: String, receivables: Receivables) {
        // The id names a file: only a valid id (never `.hidden`, never a path) is written.
        do { _ = try FieldValue.id(Substring(clientId)) } catch let e as FieldValue.Invalid {
            throw ReconFailure.rejected("\"\(clientId)\" is not a client id: \(e.message)")
        }
        guard let first = clientId.first, first != ".", first != "-" else {
            throw ReconFailure.rejected("\"\(clientId)\" is not a client id: an id does not start with . or -")
        }
        let s = session.state
        guard s.pricing.clients[clientId] != nil || s.issued.contains(where: { $0.partyId == clientId && $0.kind.isClientSide })
        else { throw ReconFailure.rejected("\(clientId) is not a client of this site") }
        let account = try receivables(clientId, asOf: asOf)
        let client = s.pricing.clients[clientId]
        let header = StatementWorkbook.Header(clientId: clientId, clientName: client?.name ?? clientId, site: s.name,
                                              seller: session.config.seller, party: client.map(PartyDetails.init(client:)) ?? PartyDetails(),
                                              paper: session.config.paper, paymentTermsDays: client?.paymentTermsDays,
                                              taxComponents: client.map { $0.taxRate.isZero ? [] : $0.effectiveTaxComponents } ?? [])
        let relative = try requireWritable(clientId)
        removeUnfinishedStatements()
        let folder = try HeldFolder(FileIO.parent(of: relative), in: session.site)
        try DerivedOutput.write(FileIO.baseName(relative), in: folder) { path in
            try StatementWorkbook.write(header, receivables: account, to: path, created: session.clock.now())
        }
        return (relative, account)
    }

    /// Where `clientId`'s statement goes, once it is known it can be written there. `--all`
    /// asks it of every client before the first statement: one refused half way had written
    /// those before it, skipped those after, and said nothing was written.
    public func requireWritable(_ clientId: String) throws -> String {
        let relative = "Outbox/statements/\(clientId).xlsx"
        // Probed as a close probes its folders: a file in the folder's place is refused (exit 3)
        // with what to do, not a bare system error.
        try OutboxCheck(site: session.site).requireWritable("Outbox/statements")
        // A folder in the workbook's place failed its rename with a bare system error (exit 1).
        // (A link there is replaced by the rename, as any derived workbook's is.)
        if let kind = DropFile.nonRegularKind(session.site.path(relative)), !FileIO.isSymbolicLink(session.site.path(relative)) {
            throw ReconFailure.refused("cannot write \(relative): \(kind) is in its place; nothing was written — move it aside, "
                + "then run the command again")
        }
        return relative
    }

    /// Statements are written without the site's lock (they append nothing), so no writer sweeps
    /// their folder: a statement removes the hidden files that statements killed while writing
    /// left there, those whose process is gone (another statement may be writing its own now).
    private func removeUnfinishedStatements() {
        let dir = session.site.path("Outbox/statements")
        for name in FileIO.hiddenNames(in: dir) {
            guard let pid = DocumentRepair.writerProcess(ofTemporary: name), pid != getpid(), !WriterProcess.isRunning(pid) else { continue }
            if (try? FileIO.removeChecked(dir + "/" + name)) != nil {
                session.log.notice("removed Outbox/statements/\(name), left by an interrupted statement")
            }
        }
    }

    /// Today in the site's time zone (the default `--as-of`).
    public var today: LocalDate {
        session.state.zone.today(now: session.clock.now())
    }
}
