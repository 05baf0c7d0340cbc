import Crypto
import Foundation
import XLSX

/// `.recon/margin-detail.deflate` and the note naming it, `.recon/margin-detail.cache`: the
/// margin summary's closed periods' part (``KeptClosedRows``): their `Detail` rows deflated
/// (``PackedRows``) and what they add up to, kept between commands (``KeptDetailRows``).
///
/// After a year they are twelve thousand rows, 7 MB of XML, the same on every drop until a
/// period closes or is rerun: decoding, adding up, building and deflating them again was most
/// of what a 10-row drop spent on the summary. The note holds what they were made from (the
/// entries that recorded the closed periods' margins, ``MarginSummaryWriter/key(_:before:)``),
/// the style indices the rows carry, their sums by period and by client, the running program
/// and the SHA-256 of the bytes, and is signed with the site key: bytes and sums the site key
/// did not vouch for are never put in a workbook. It is a cache: lost without harm (the rows
/// are built again and kept anew), never used for what is appended to the ledger or any issued
/// document (the summary is neither); `recon verify` checks its signature and, when it holds
/// the part the summary would show now, builds it again and compares.
struct MarginDetailCache: KeptDetailRows, Sendable {
    static let notePath = ".recon/margin-detail.cache"
    static let bytesPath = ".recon/margin-detail.deflate"
    /// The first line of the note's text: no checkpoint or other cache reads as one.
    static let header = "recon margin detail cache 2"
    /// The header of an earlier program's note (rows keyed by their figures, no sums): passed
    /// by as no note, and replaced by the next writer.
    static let earlierHeader = "recon margin detail cache 1"

    /// What the note says of the bytes.
    struct Note: Equatable {
        var key: String
        var program: String
        var rows: ClosedRange<Int>
        var columns: ClosedRange<Int>
        var size: Int
        var crc: UInt32
        var sha256: String
        var styles: [Int]
        var months: [KeptClosedRows.Sum]
        var clients: [KeptClosedRows.Sum]
    }

    let site: Site
    /// The `public_key` of `site.init`: only bytes it vouches for are used.
    let verifier: VerifierKey?
    /// The site key, to keep new rows; nil where the command does not hold it (they are then not kept).
    let signing: SigningKey?

    init(site: Site, verifier: VerifierKey?, signing: SigningKey?) {
        self.site = site
        self.verifier = verifier
        self.signing = signing
    }

    /// The cache of an opened site: rows are kept only from a state read from checked drops
    /// (``StatusCache/keeps(_:)``), by a command holding the site key.
    init(session: SiteSession) {
        self.init(site: session.site, verifier: session.ledger.siteVerifier,
                  signing: StatusCache.keeps(session) ? session.ledger.intentKey : nil)
    }

    func closed(for key: String) -> KeptClosedRows? {
        guard let verifier, let program = StatusCache.program, let note = try? Self.note(site, verifier: verifier),
              note.key == key, note.program == program, let packed = packed(note) else { return nil }
        return KeptClosedRows(packed: packed, styles: note.styles, months: note.months, clients: note.clients)
    }

    func keep(_ closed: KeptClosedRows, for key: String) {
        guard let signing, let program = StatusCache.program else { return }
        let rows = closed.packed
        let note = Note(key: key, program: program, rows: rows.rows, columns: rows.columns, size: rows.size, crc: rows.crc,
                        sha256: Hex.string(SHA256.hash(data: rows.deflated)), styles: closed.styles, months: closed.months,
                        clients: closed.clients)
        // The bytes first, then the note naming them: a crash between the two leaves a note
        // whose bytes do not match, which is passed by.
        do {
            try FileIO.makeDirectory(site.path(".recon"))
            try FileIO.writeAtomically(site.path(Self.bytesPath), rows.deflated)
            try SignedNote.writeFile(site.path(Self.notePath), text: Self.text(of: note), key: signing)
        } catch {
            return  // only a speed-up: the next command builds the rows again
        }
    }

    /// The bytes the note names, when they are there and hash to its SHA-256; nil otherwise.
    func packed(_ note: Note) -> PackedRows? {
        guard let bytes = try? FileIO.read(site.path(Self.bytesPath), followingLinks: false),
              Hex.string(SHA256.hash(data: bytes)) == note.sha256 else { return nil }
        return PackedRows(deflated: bytes, crc: note.crc, size: note.size, rows: note.rows, columns: note.columns)
    }

    static func text(of note: Note) -> [UInt8] {
        let body: JSONValue = .object([
            "key": .string(note.key),
            "program": .string(note.program),
            "rows": .array([.int(Int64(note.rows.lowerBound)), .int(Int64(note.rows.upperBound))]),
            "columns": .array([.int(Int64(note.columns.lowerBound)), .int(Int64(note.columns.upperBound))]),
            "size": .int(Int64(note.size)),
            "crc32": .int(Int64(note.crc)),
            "sha256": .string(note.sha256),
            "styles": .array(note.styles.map { .int(Int64($0)) }),
            "months": .array(note.months.map(sumValue)),
            "clients": .array(note.clients.map(sumValue)),
        ])
        return Array((header + "\n").utf8) + JCS.canonical(body) + [10]
    }

    /// A sum as the note holds it: `[name, reports, revenue, cost]`, amounts as their text.
    private static func sumValue(_ sum: KeptClosedRows.Sum) -> JSONValue {
        .array([.string(sum.name), .int(Int64(sum.reports)), .string(sum.revenue.description), .string(sum.cost.description)])
    }

    private static func sum(_ value: JSONValue) -> KeptClosedRows.Sum? {
        guard let a = value.arrayValue, a.count == 4, let name = a[0].stringValue, let reports = a[1].intValue,
              let revenue = a[2].stringValue.flatMap({ ExactDecimal(recorded: Substring($0)) }),
              let cost = a[3].stringValue.flatMap({ ExactDecimal(recorded: Substring($0)) }) else { return nil }
        return KeptClosedRows.Sum(name: name, reports: Int(reports), revenue: revenue, cost: cost)
    }

    /// The note of `site` as signed by `verifier`, nil when there is none (or an earlier program's).
    /// - Throws: ``SignedCacheProblem`` when its signature fails or it does not read as one.
    static func note(_ site: Site, verifier: VerifierKey) throws -> Note? {
        guard let text = try SignedNote.openCache(notePath, of: site, verifier: verifier) else { return nil }
        if text.hasPrefix(earlierHeader + "\n") { return nil }
        let prefix = header + "\n"
        func range(_ value: JSONValue?) -> ClosedRange<Int>? {
            guard let pair = value?.arrayValue, pair.count == 2, let low = pair[0].intValue, let high = pair[1].intValue,
                  0 <= low, low <= high, high < 1 << 31 else { return nil }
            return Int(low)...Int(high)
        }
        guard text.hasPrefix(prefix), text.hasSuffix("\n"),
              let value = try? Array(text.dropFirst(prefix.count).dropLast().utf8).withUnsafeBufferPointer({ try JSONParser.parse(buffer: $0) }),
              case .object(let o) = value,
              let key = o["key"]?.stringValue, let program = o["program"]?.stringValue,
              let rows = range(o["rows"]), let columns = range(o["columns"]),
              let size = o["size"]?.intValue, size >= 0, let crc = o["crc32"]?.intValue, let crc32 = UInt32(exactly: crc),
              let sha = o["sha256"]?.stringValue,
              let styles = o["styles"]?.arrayValue?.compactMap({ $0.intValue.map(Int.init) }), styles.count == 4,
              let monthValues = o["months"]?.arrayValue, let clientValues = o["clients"]?.arrayValue
        else { throw SignedCacheProblem(file: notePath, reason: "it does not hold what a margin detail cache holds") }
        let months = monthValues.compactMap(sum), clients = clientValues.compactMap(sum)
        guard months.count == monthValues.count, clients.count == clientValues.count else {
            throw SignedCacheProblem(file: notePath, reason: "it does not hold what a margin detail cache holds")
        }
        return Note(key: key, program: program, rows: rows, columns: columns, size: Int(size), crc: crc32, sha256: sha,
                    styles: styles, months: months, clients: clients)
    }
}
