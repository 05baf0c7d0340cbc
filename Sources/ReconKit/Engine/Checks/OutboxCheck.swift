/// Checks, before a command appends, that the folders its outputs go to can be written
/// (the Outbox's, the checkpoints'): a close or rerun that could not write what it issued would have committed and
/// then failed (SPEC §5, all or nothing). A link in the place of a folder below `Outbox/` is
/// refused too. It refuses (exit 3) and nothing is appended.
struct OutboxCheck {
    let site: Site

    /// The folders a close or rerun of `period` writes into, created and probed.
    func requireWritable(period: Period) throws {
        let dir = "Outbox/\(period)"
        for relative in ["Outbox", dir, dir + "/invoices", dir + "/payouts", dir + "/credit-notes"] {
            try requireWritable(relative)
        }
        // The workbooks replaced after the entries: a folder or other non-file in their place
        // would fail them after the commit.
        try requirePlaces([(dir + "/review.xlsx", false), ("Outbox/margin-summary.xlsx", false)])
    }

    /// What in the Outbox would refuse a close of `period` before it appends (a file where a
    /// folder goes, a folder where a workbook goes, a link below `Outbox/`), looked at only:
    /// for `recon status`, which writes nothing. Nil when nothing stands in the way.
    func obstruction(period: Period) -> String? {
        let dir = "Outbox/\(period)"
        let places = [("Outbox", true), (dir, true)] + ["invoices", "payouts", "credit-notes"].map { (dir + "/" + $0, true) }
            + [(dir + "/review.xlsx", false), ("Outbox/margin-summary.xlsx", false)]
        do { try requirePlaces(places) } catch let refused as ReconFailure { return refused.message } catch { return "\(error)" }
        return nil
    }

    /// What an ingest or decision rewrites after its entries (the drafts and review of each
    /// open period, the margin summary): a file where a folder goes, or a folder where a
    /// workbook goes, would fail them after the commit, so it is refused first (exit 3).
    /// Only what stands there is looked at: a whole probe per period would cost every drop.
    func requireDerivedPlaces(periods: some Sequence<Period>) throws {
        var places: [(relative: String, folder: Bool)] = [("Outbox", true), ("Outbox/margin-summary.xlsx", false)]
        for period in Set(periods).sorted() {
            places += [("Outbox/\(period)", true), ("Outbox/\(period)/drafts", true), ("Outbox/\(period)/review.xlsx", false)]
            places += ["invoices.xlsx", "payouts.xlsx"].map { ("Outbox/\(period)/drafts/\($0)", false) }
        }
        try requirePlaces(places)
    }

    /// Refuses (exit 3) the first of `places` where something stands that is not a folder
    /// (`folder`) or not a regular file, or a link where a folder below `Outbox/` goes; an
    /// absent one is fine, it is made when written.
    private func requirePlaces(_ places: [(relative: String, folder: Bool)]) throws {
        for (relative, folder) in places {
            let path = site.path(relative)
            if folder { try requireNoLink(relative) }
            guard FileIO.exists(path), folder ? !FileIO.isDirectory(path) : !FileIO.isRegularFile(path) else { continue }
            throw ReconFailure.refused("cannot write \(relative): something other than a \(folder ? "folder" : "file") is in its "
                + "place; nothing was appended — move it aside, then run the command again")
        }
    }

    /// recon makes the folders below `Outbox/` itself, never as links: a link there was put
    /// by someone else, and would take workbooks out of the site (replacing a file of the same
    /// name wherever it points). Refused (exit 3). `Outbox` itself may be a link: where a site
    /// keeps its documents is its own choice.
    func requireNoLink(_ relative: String) throws {
        guard relative.hasPrefix("Outbox/"), FileIO.isSymbolicLink(site.path(relative)) else { return }
        throw ReconFailure.refused("cannot write \(relative): it is a symbolic link, and recon writes only into folders of its "
            + "own below Outbox/ (a link would put workbooks outside the site); nothing was appended — replace it with a folder, "
            + "then run the command again")
    }

    func requireWritable(_ relative: String) throws {
        try requireNoLink(relative)
        let path = site.path(relative)
        let probe = FileIO.temporaryName(for: path + "/write-check")
        do {
            try FileIO.makeDirectory(path)
            guard FileIO.isDirectory(path) else { throw FileIO.Failure(path: path, action: "use as a folder", code: 20) }
            try FileIO.writeWithoutSync(probe, [])
            FileIO.remove(probe)
        } catch {
            throw ReconFailure.refused("cannot write into \(relative) (\(error)); nothing was appended — make it a folder this "
                + "user can write to, then run the command again")
        }
    }

    /// The first file in `folder`, a folder of final documents (``documentFolderPaths()``), whose
    /// path `issued` does not know, by name; nil when there is none. Any name, not only a
    /// document's: those folders hold what the ledger issued and nothing else (a renamed copy,
    /// `INV-2026-000300 (1).xlsx`, would pass for an invoice), as an auditor's verifier holds
    /// them. Never what an editor or a file browser puts beside a file it shows (``isLitter(_:)``).
    func firstUnissuedDocument(in folder: String, issued: (String) -> Bool) -> String? {
        // Every writer looks through a year's 6,000 names: read as bytes (sorting them all as
        // strings took 30 ms), and only those that can be strays made into paths.
        let names = (try? Self.heldNames(in: site.path(folder))) ?? []
        return names.map { folder + "/" + String(decoding: $0, as: UTF8.self) }.filter { !issued($0) }.min()
    }

    /// A month's folders of final documents under `Outbox/YYYY-MM/`.
    static let documentFolders = ["invoices", "credit-notes", "payouts"]

    /// Every folder under `Outbox/` named as one of a month's folders of final documents, at
    /// any depth, as paths in the site: an auditor's verifier reads each as such, wherever it is
    /// (`Outbox/2026-10-old/invoices/`, `Outbox/statements/invoices/`), and a workbook named like
    /// an invoice there passed recon's checks while it refused the site. Links are not followed;
    /// a documents folder's own contents are the check's, not walked.
    func documentFolderPaths() -> [String] { walk().folders }

    /// ``documentFolderPaths()``, and every file (or link) outside those folders named like a final
    /// document (`Outbox/2026-04/INV-2026-000003.xlsx`, `Outbox/INV-2026-000004 (1).XLSX`): no
    /// document of the ledger's, though a clerk searching the Outbox for the number finds it
    /// (a workbook with changed bank details, put beside the folder the real one goes to).
    /// Neither verifier reads it as a document; `recon verify` notes it, `status` and writers
    /// warn. Found in the same walk.
    func walk() -> (folders: [String], misplaced: [String]) {
        var out: [String] = [], misplaced: [String] = [], stack = ["Outbox"]
        while let dir = stack.popLast() {
            for name in FileIO.list(site.path(dir)) {
                let relative = dir + "/" + name
                switch FileStatus.of(site.path(relative))?.kind {
                case .folder?:
                    if Self.documentFolders.contains(name) { out.append(relative) } else { stack.append(relative) }
                case .regularFile? where Self.looksLikeDocument(name), .other? where Self.looksLikeDocument(name):
                    misplaced.append(relative)
                default:
                    continue
                }
            }
        }
        return (out.sorted(), misplaced.sorted())
    }

    /// What is said of each file ``walk()`` finds named like a document outside its folder.
    static func misplacedNote(_ relative: String) -> String {
        "\(SafeText.escaped(relative)) is named like a final document but is not in a folder of final documents, where the "
            + "ledger's documents are: no entry issued it there, and whoever looks for that number may take it for one — move "
            + "it out of Outbox/ (`recon verify --document FILE` says whether a workbook is one the ledger issued)"
    }

    /// Whether `name` is a document's name of any kind.
    static func isDocumentName(_ name: String) -> Bool {
        Array(name.utf8).withUnsafeBytes { isDocumentName($0[...]) }
    }

    /// Whether `name` reads as a document's to a person searching for its number: its number
    /// first, in any case, and any `.xlsx` ending (`INV-2026-000003 (1).xlsx`, `inv-2026-000003.XLSX`).
    static func looksLikeDocument(_ name: String) -> Bool {
        let upper = name.uppercased()
        guard upper.hasSuffix(".XLSX") else { return false }
        let start = Array(upper.utf8.prefix(DocumentKind.allCases.map(\.prefix.utf8.count).max()! + 12))
        return DocumentKind.allCases.contains { kind in
            let p = Array(kind.prefix.utf8)
            guard start.count >= p.count + 12, start.starts(with: p) else { return false }
            let rest = start.dropFirst(p.count)
            let digit = { (b: UInt8) in b >= 0x30 && b <= 0x39 }
            return rest.first == 0x2D && rest.dropFirst().prefix(4).allSatisfy(digit) && rest.dropFirst(5).first == 0x2D
                && rest.dropFirst(6).prefix(6).allSatisfy(digit)
        }
    }

    /// Files an editor or a file browser puts beside the files it shows: hidden ones (recon's
    /// own unfinished writes too, which the next writer sweeps), and a viewer's (``ViewerFile``).
    static func isLitter(_ name: Slice<UnsafeRawBufferPointer>) -> Bool {
        name.first == 0x2E || ViewerFile.matches(String(decoding: name, as: UTF8.self))
    }

    /// The names in `path`, a folder of final documents, that the checks hold to the ledger:
    /// every file but litter (``isLitter(_:)``), a folder named like a document (it stands where
    /// a close would put one), and a folder holding a file so named at any depth (a forged copy
    /// in `sent/` would pass for an invoice). Another folder is no document: what a NAS or file
    /// system keeps beside files — Synology's `@eaDir`, `#recycle`, `lost+found` — stopped every
    /// writer, while an auditor's verifier, which reads only the files in such folders, said ok.
    static func heldNames(in path: String) throws -> [[UInt8]] {
        try FileIO.rawNames(in: path) { name, isFolder in
            // A hidden folder is walked as any other (`.sent/INV-….xlsx` passed as a viewer's litter).
            guard isFolder || !isLitter(name) else { return false }
            return !isFolder || isDocumentName(name) || holdsDocument(path + "/" + String(decoding: name, as: UTF8.self))
        }
    }

    /// Whether the folder at `path` holds, at any depth, a file named like a document, or any
    /// file but litter in a folder named as a documents folder (`sent/invoices/copy.xlsx`, which
    /// an auditor's verifier reads as an invoice no entry issued). Links are not followed.
    static func holdsDocument(_ path: String) -> Bool {
        var stack = [(path, inDocumentsFolder: false)], found = false
        while !found, let (dir, inDocuments) = stack.popLast() {
            _ = try? FileIO.rawNames(in: dir) { name, isFolder in
                if isFolder {
                    let folder = String(decoding: name, as: UTF8.self)
                    stack.append((dir + "/" + folder, documentFolders.contains(folder)))
                } else if isDocumentName(name) || (inDocuments && !isLitter(name)) {
                    found = true
                }
                return false
            }
        }
        return found
    }

    /// The document kinds' prefixes, as bytes.
    private static let prefixes = DocumentKind.allCases.map { Array($0.prefix.utf8) }

    /// Whether `name` is a document's name of any kind (``isDocumentName(_:prefix:)``).
    static func isDocumentName(_ name: Slice<UnsafeRawBufferPointer>) -> Bool {
        prefixes.contains { isDocumentName(name, prefix: $0) }
    }

    /// Whether `name` is `PREFIX-YYYY-NNNNNN.xlsx` (`INV-2026-000001.xlsx` for an invoice), as bytes.
    static func isDocumentName(_ name: Slice<UnsafeRawBufferPointer>, prefix: [UInt8]) -> Bool {
        let rest = name.dropFirst(prefix.count)
        guard name.count == prefix.count + 17, name.starts(with: prefix), rest.starts(with: [0x2D]),
              rest.dropFirst(5).starts(with: [0x2D]), rest.suffix(5).elementsEqual(Array(".xlsx".utf8)) else { return false }
        let isDigit = { (b: UInt8) in b >= 0x30 && b <= 0x39 }
        return rest.dropFirst().prefix(4).allSatisfy(isDigit) && rest.dropFirst(6).prefix(6).allSatisfy(isDigit)
    }
}

