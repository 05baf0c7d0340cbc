/// Drops waiting in `Inbox/held/` because they touch a closed period; a rerun of that
/// period applies those that touch no other closed period.
public struct HeldDrops {
    let session: SiteSession

    public init(session: SiteSession) { self.session = session }

    /// Applies the held drops of `period`; returns their names. Each is applied whole or stays held.
    public func apply(period: Period) throws -> [String] {
        let site = session.site
        let files = FileIO.list(site.held).filter { !Ingestor.isNeverRead($0) && !$0.hasSuffix(".errors.txt") }
            .sorted(by: Ingestor.processingOrder)
        let ingestor = Ingestor(session: session)
        ingestor.reopened = period
        var applied: [String] = []
        for name in files {
            let path = site.held + "/" + name
            let outcome = try ingestor.ingestOne(path)
            switch outcome {
            case .accepted, .duplicate:
                FileIO.remove(path)
                applied.append(name)
                session.log.info("\(outcome.summary) — applied by the rerun of \(period)")
            case .held:
                break  // touches another closed period: keeps waiting
            case .rejected(_, let problems):
                session.log.warning("held drop \(name) no longer applies: \(problems.first ?? "")")
            case .ignored, .wouldBeAccepted:
                break
            }
        }
        if !applied.isEmpty { try FlagRaiser(session: session).raiseNewHardFlags(including: period) }
        return applied
    }
}
