import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// The ledger prefix a close writes (``LedgerPrefix``): every entry before the close's
/// `period.closed` — those the ledger held when the close opened, and the documents and flags
/// it appends in the same write — put in place only once that entry, which vouches for it, is
/// durable, so the file in place is always one an entry vouches for. Its own documents in it,
/// a command in the month after reads their long lines from the file, not from the ledger.
struct LedgerPrefixWriter {
    let site: Site
    /// What the close's `period.closed` records as `ledger_prefix_sha256`.
    let sha256: String

    /// Writes the next prefix beside the current one: the entries `ledger` holds with `items`
    /// appended after them stamped `at`, as its append will chain them; nil when it could not
    /// be written: the close goes on without one.
    static func prepare(_ ledger: LedgerFile, appending items: [(kind: String, body: [String: JSONValue])], at: String,
                        site: Site) -> LedgerPrefixWriter? {
        guard !ledger.entries.isEmpty, ledger.ends.count == ledger.entries.count, !ledger.needsRepair else { return nil }
        let text = Stages.time("ledger-prefix") { () -> [UInt8] in
            let held = ledger.holding(appending: items, at: at)
            return LedgerPrefix.text(entries: held.entries[...], ends: held.ends[...], ledgerSha256: held.sha256)
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
        // An empty folder in its place (made by hand) is no prefix: it goes, so this one can.
        let path = site.path(LedgerPrefix.relativePath)
        if DropFile.nonRegularKind(path) == "a folder" { rmdir(path) }
        if (try? FileIO.renameDurably(site.path(LedgerPrefix.nextRelativePath), to: site.path(LedgerPrefix.relativePath))) == nil {
            discard()
        }
    }

    /// The close did not append: the prefix it wrote goes.
    func discard() {
        FileIO.remove(site.path(LedgerPrefix.nextRelativePath))
    }
}
