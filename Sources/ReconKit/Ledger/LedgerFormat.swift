/// The ledger format this build writes and reads: `format_version` in `site.init` (SPEC §1).
/// Sites written before the member existed are format 1.
public enum LedgerFormat {
    public static let current: Int64 = 1

    /// Refuses (exit 3) a site a newer build wrote: this one would misread what it does not know.
    static func check(_ ledger: LedgerFile) throws {
        guard let first = ledger.entries.first, first.eventKind == .siteInit else { return }
        guard let member = first.body["format_version"] else { return }
        guard case .int(let version) = member, version >= 1 else {
            throw ReconFailure.verification("the ledger does not verify: seq 1: site.init's format_version is not a positive integer")
        }
        guard version <= current else {
            throw ReconFailure.refused("this site's ledger is format \(version) (site.init), written by a newer recon; this build "
                + "reads format \(current) and older — use a recon that knows format \(version); nothing was changed")
        }
    }
}
