import Crypto

/// The ledger prefix a close writes (``LedgerPrefix``): the entries the ledger holds before
/// the close's own, put in place only once the `period.closed` entry vouching for it is
/// durable, so the file in place is always one an entry vouches for.
struct LedgerPrefixWriter {
    let site: Site
    /// What the close's `period.closed` records as `ledger_prefix_sha256`.
    let sha256: String

    /// Writes the next prefix of `ledger` (every entry it holds now) beside the current one;
    /// nil when it could not be written: the close goes on without one.
    static func prepare(_ ledger: LedgerFile, site: Site) -> LedgerPrefixWriter? {
        guard !ledger.entries.isEmpty, ledger.ends.count == ledger.entries.count, !ledger.needsRepair else { return nil }
        let text = Stages.time("ledger-prefix") {
            LedgerPrefix.text(entries: ledger.entries[...], ends: ledger.ends[...], ledgerSha256: ledger.contentSha256)
        }
        let next = site.path(LedgerPrefix.nextRelativePath)
        do {
            try FileIO.makeDirectory(site.path(".recon"))
            try FileIO.writeAtomically(next, text)
        } catch {
            FileIO.remove(next)
            return nil
        }
        return LedgerPrefixWriter(site: site, sha256: Hex.string(SHA256.hash(data: text)))
    }

    /// In place, once the entry vouching for it is durable.
    func commit() {
        if (try? FileIO.renameDurably(site.path(LedgerPrefix.nextRelativePath), to: site.path(LedgerPrefix.relativePath))) == nil {
            discard()
        }
    }

    /// The close did not append: the prefix it wrote goes.
    func discard() {
        FileIO.remove(site.path(LedgerPrefix.nextRelativePath))
    }
}
