/// Drops waiting in `Inbox/held/` because they touch a closed period; a rerun of one of
/// those periods applies them, each whole (the other closed periods it touches then await
/// their own rerun). One that no longer passes the site's rules (a later drop gave its report
/// other values, say) is rejected as at ingest: to `Inbox/rejected/` with its errors file.
public struct HeldDrops {
    let session: SiteSession

    public init(session: SiteSession) { self.session = session }

    /// What a rerun did with the held drops: applied (or already in the ledger), and rejected.
    public struct Taken {
        public var applied: [String] = []
        public var rejected: [String] = []
    }

    /// Applies the held drops of `period`. Each is applied whole, rejected, or stays held (it
    /// does not touch `period`).
    public func apply(period: Period) throws -> Taken {
        let site = session.site
        let files = FileIO.list(site.held).filter { !Ingestor.isNeverRead($0) && !$0.hasSuffix(".errors.txt") }
            .sorted(by: Ingestor.processingOrder)
        let ingestor = Ingestor(session: session)
        ingestor.reopened = period
        var taken = Taken()
        for name in files {
            let path = site.held + "/" + name
            let outcome = try ingestor.ingestOne(path)
            switch outcome {
            case .accepted, .duplicate:
                FileIO.remove(path)
                taken.applied.append(name)
                session.log.info("\(outcome.summary) — applied by the rerun of \(period)")
            case .held:
                break  // touches other closed periods only: waits for the rerun of one of them
            case .rejected(_, let problems):
                taken.rejected.append(name)
                let message = "held drop \(name) no longer applies and was rejected (Inbox/rejected/, with its errors file): "
                    + (problems.first ?? "")
                session.log.warning("\(message)")
            case .ignored, .wouldBeAccepted:
                break
            }
        }
        if !taken.applied.isEmpty { try FlagRaiser(session: session).raiseNewHardFlags(including: period) }
        return taken
    }
}
