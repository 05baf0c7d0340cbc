import Crypto
import Dispatch
import Foundation
import Logging

/// Takes drops into a site (SPEC §2): each applied whole or not at all.
///
/// Order of writes, so a crash at any point loses nothing and applies nothing twice: the
/// drop is first linked into `Ledger/drops/SHA256.csv` (fsynced), then its entries are
/// appended (fsynced), then it leaves the Inbox. Re-running after a crash finds either a
/// new drop (no entry yet) or an already-accepted one (removed as a duplicate).
public final class Ingestor {
    let session: SiteSession
    /// Set by a rerun: the closed period whose held drops are being applied.
    var reopened: Period?
    /// Cache files being written in the background.
    let cacheWrites = DispatchGroup()
    var state: SiteState { session.state }
    var site: Site { session.site }

    public init(session: SiteSession) { self.session = session }

    /// The Inbox's drops, in processing order: by kind (master data and cards first), then name.
    public static func inboxDrops(_ site: Site) -> [String] {
        FileIO.list(site.inbox)
            .filter { !Ingestor.isNeverRead($0) && $0 != "README.md" && FileIO.isRegularFile(site.inbox + "/" + $0) }
            .sorted(by: Ingestor.processingOrder)
            .map { site.inbox + "/" + $0 }
    }

    /// Names that are still being written or are not for us: never read.
    public static func isNeverRead(_ name: String) -> Bool {
        let lower = name.lowercased()
        return name.hasPrefix(".") || lower.hasSuffix(".part") || lower.hasSuffix(".tmp")
    }

    public static func processingOrder(_ a: String, _ b: String) -> Bool {
        let ka = DropKind(fileName: FileIO.baseName(a))?.order ?? 99, kb = DropKind(fileName: FileIO.baseName(b))?.order ?? 99
        return ka != kb ? ka < kb : Array(FileIO.baseName(a).utf8).lexicographicallyPrecedes(Array(FileIO.baseName(b).utf8))
    }

    /// Processes files in the given order; then raises new flags and refreshes the drafts.
    public func ingest(_ paths: [String]) throws -> [IngestOutcome] {
        var outcomes: [IngestOutcome] = []
        for path in paths {
            let outcome = try ingestOne(path)
            // JSON log lines carry the outcome's fields too, for machines.
            var metadata: Logger.Metadata = [:]
            for (key, value) in outcome.json.objectValue ?? [:] {
                metadata[key] = .string(value.stringValue ?? value.intValue.map(String.init) ?? "\(value)")
            }
            if case .rejected = outcome {
                session.log.warning("\(outcome.summary)", metadata: metadata)
            } else {
                session.log.info("\(outcome.summary)", metadata: metadata)
            }
            outcomes.append(outcome)
        }
        // The drafts that follow raise any new hard and soft flags of the open periods.
        defer { cacheWrites.wait() }
        let drafting = ProgressReporter("drafts")
        drafting.phase("pricing open periods")
        defer { drafting.finish() }
        try Drafter(session: session).refresh()
        return outcomes
    }

    func ingestOne(_ path: String) throws -> IngestOutcome {
        let name = FileIO.baseName(path)
        if Ingestor.isNeverRead(name) { return .ignored(name: name, why: "names starting with . or ending in .part/.tmp are never read") }
        let inInbox = (try? FileIO.realPath(FileIO.parent(of: path))) == (try? FileIO.realPath(site.inbox))
        let bytes: [UInt8]
        do {
            bytes = try FileIO.read(path)
        } catch {
            throw ReconFailure.usage("\(error)")
        }
        let sha = Hex.string(SHA256.hash(data: bytes))
        if let seq = state.acceptedDrops[sha] {
            if inInbox { FileIO.remove(path) }
            return .duplicate(name: name, seq: seq)
        }
        guard let kind = DropKind(fileName: name) else {
            return try reject(path, inInbox: inInbox, [DropProblem(
                "the file name \"\(name)\" does not start with a drop kind; name it after its kind: \(DropKind.namesForHumans) (e.g. usage-2026-10.csv)")])
        }
        let parser = DropParser(zone: state.zone, baseCurrency: state.base)
        let progress = ProgressReporter(name)
        defer { progress.finish() }
        progress.phase("reading")
        let outcome = bytes.withUnsafeBytes { parser.parse($0, kind: kind) }
        if !outcome.unknownColumns.isEmpty {
            session.log.notice("\(name): ignored unknown columns \(outcome.unknownColumns.joined(separator: ", "))")
        }
        guard let rows = outcome.rows else { return try reject(path, inInbox: inInbox, outcome.problems) }
        progress.phase("checking \(rows.rowCount) rows")
        let verdict = DropValidator(state: state, columns: outcome.columns, reopened: reopened).check(rows)
        if !outcome.problems.isEmpty {
            // Report the site's rules on the rows that did parse too, in line order.
            if case .reject(let more) = verdict { for p in more.problems { outcome.problems.add(p) } }
            return try reject(path, inInbox: inInbox, ProblemList(sorted: outcome.problems))
        }
        switch verdict {
        case .reject(let problems):
            return try reject(path, inInbox: inInbox, problems)
        case .held(let periods):
            try FileIO.makeDirectory(site.held)
            if inInbox {
                try FileIO.renameDurably(path, to: site.held + "/" + name)
            } else if (try? FileIO.realPath(FileIO.parent(of: path))) != (try? FileIO.realPath(site.held)) {
                try FileIO.copyDurably(path, to: site.held + "/" + name)
            }
            return .held(name: name, periods: periods)
        case .accept(let fresh, let skipped):
            progress.phase("recording")
            let seq = try accept(path, inInbox: inInbox, name: name, kind: kind, sha: sha, rows: rows, fresh: fresh)
            if inInbox { FileIO.remove(path) }
            return .accepted(name: name, kind: kind, rows: rows.rowCount - skipped, skipped: skipped, seq: seq)
        }
    }

    /// Archives the drop, appends its entries, applies it. Returns the `drop.accepted` seq.
    func accept(_ path: String, inInbox: Bool, name: String, kind: DropKind, sha: String, rows: ParsedDrop,
                fresh: ParsedDrop) throws -> Int {
        try FileIO.makeDirectory(site.drops)
        let archive = site.path(Site.dropPath(sha256: sha))
        // A named file outside the Inbox stays the user's: archive it by copy, never by link.
        if inInbox { try FileIO.linkOrCopyDurably(path, to: archive) } else { try FileIO.copyDurably(path, to: archive) }
        var items = [LedgerEvent.dropAccepted(.init(name: name, kind: kind, sha256: sha, rows: Int64(rows.rowCount))).item]
        items += cardReplacements(fresh, sha: sha)
        if case .decisions(let list) = fresh {
            let validator = DropValidator(state: state)
            for d in list {
                guard let target = validator.resolve(subject: d.subject) else { continue }
                items.append(FlagRaiser.decided(d, target: target).item)
            }
        }
        let entries = try session.append(items)
        try LedgerReplay.apply(appended: entries.dropFirst().filter { $0.eventKind == .flagDecided }, to: state, site: site)
        state.acceptedDrops[sha] = entries[0].seq
        if case .usage(let list) = fresh {
            state.add(list, dedupe: false)  // checked new by the validator
        } else {
            state.apply(fresh)
        }
        if case .usage(let list) = fresh {
            // Written on the second core while the drafts are priced; `ingest` waits for it.
            let cache = DropCache(dir: site.cache)
            DispatchQueue.global().async(group: cacheWrites) { cache.store(sha256: sha, list) }
        }
        return entries[0].seq
    }

    /// `card.replaced` entries for cards whose effective date already had a card.
    func cardReplacements(_ rows: ParsedDrop, sha: String) -> [(kind: String, body: [String: JSONValue])] {
        let (kind, dates): (String, [LocalDate])
        switch rows {
        case .providerRates(let list):
            kind = "provider_rates"
            dates = Set(list.map(\.effectiveFrom)).filter { state.pricing.providerCards.cards[$0] != nil }.sorted()
        case .clientRates(let list):
            kind = "client_rates"
            dates = Set(list.map(\.effectiveFrom)).filter { state.pricing.clientCards.cards[$0] != nil }.sorted()
        default: return []
        }
        return dates.map { d in
            LedgerEvent.cardReplaced(.init(kind: kind, effectiveFrom: d.description, sha256: sha)).item
        }
    }

    func reject(_ path: String, inInbox: Bool, _ problems: ProblemList) throws -> IngestOutcome {
        try reject(path, inInbox: inInbox, problems.reportLines, name: FileIO.baseName(path))
    }

    func reject(_ path: String, inInbox: Bool, _ problems: [DropProblem]) throws -> IngestOutcome {
        try reject(path, inInbox: inInbox, problems.map(\.description), name: FileIO.baseName(path))
    }

    func reject(_ path: String, inInbox: Bool, _ lines: [String], name: String) throws -> IngestOutcome {
        if inInbox {
            try FileIO.makeDirectory(site.rejected)
            let report = Array((lines.joined(separator: "\n") + "\n").utf8)
            try FileIO.writeAtomically(site.rejected + "/" + name + ".errors.txt", report)
            try FileIO.renameDurably(path, to: site.rejected + "/" + name)
        }
        return .rejected(name: name, problems: lines)
    }
}
