extension SiteConfig {
    /// `[[operator]]` tables of earlier versions listed operators where a change left no
    /// trace; operators are ledger entries now, so such a file is refused (exit 3) rather
    /// than silently ignored.
    static func refuseOperatorTables(_ doc: TOML.Document) throws {
        guard let tables = doc.arrays["operator"], !tables.isEmpty else { return }
        let names = tables.compactMap { table -> String? in
            if case .string(let name)? = table["name"] { return name }
            return nil
        }
        throw ReconFailure.refused("recon.toml lists \(tables.count) [[operator]] table(s)"
            + (names.isEmpty ? "" : " (\(names.joined(separator: ", ")))")
            + ": operators are recorded in the ledger now. Add each with `recon operator add NAME PUBLIC_KEY` "
            + "(the first with the site key alone, the others with --key of a listed operator), then delete the [[operator]] tables")
    }
}
