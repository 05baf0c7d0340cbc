import Foundation
import Testing

@testable import ReconKit

/// A file named with a C1 control (U+0085, NEL) or a line separator (U+2028) reached the log
/// as it was: a reader splitting lines at them (Python's `splitlines()`, many log viewers)
/// saw a line of the name's own making — "accepted 9 usage rows (seq 99)". Escaped as a
/// newline is.
struct LineBreakingNameTests {
    @Test(arguments: ["\u{85}", "\u{2028}", "\u{2029}"])
    func aNameCannotForgeALogLine(breaker: String) throws {
        let site = try TestSite.marchSite()
        let forged = "recon: usage-2026-03.csv: accepted 9 usage rows (seq 99)"
        let name = "usage-x" + breaker + forged + breaker + ".csv"
        try site.drop(name, "report_id,reported_at,client_id,radiologist_id,modality,image_count\nZ1,2026-03-30T10:00:00Z,C1,D1,CT,1\n")
        let ingest = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(ingest.code == 0, "\(ingest.err)")
        let lines = ingest.err.split(omittingEmptySubsequences: true) { $0.isNewline }
        #expect(!lines.contains { $0.hasPrefix(forged) }, "\(lines)")
        let code = String(format: "%04X", breaker.unicodeScalars.first!.value)
        #expect(ingest.err.contains("usage-x\\u{\(code)}recon:"), "\(ingest.err)")
    }

    /// The same under `--log-format json`: JCS writes U+2028 as it is, and a reader splitting
    /// lines there got pieces that were not JSON. Each piece of the log is one JSON object.
    @Test func aJSONLogLineStaysOneLine() throws {
        let site = try TestSite.marchSite()
        try site.drop("usage-d\u{2028}e.csv", "report_id\n")
        let ingest = try site.recon(["ingest", "--log-format", "json"], env: TestSite.closeDay)
        let pieces = ingest.err.split(omittingEmptySubsequences: true) { $0.isNewline }
        #expect(!pieces.isEmpty && pieces.allSatisfy { $0.hasPrefix("{") && $0.hasSuffix("}") }, "\(pieces)")
        #expect(ingest.err.contains("usage-d\\u2028e.csv"), "\(ingest.err)")
    }

    /// A name escaped for the log was escaped again by the text log (`usage-b\\u{2028}c.csv`),
    /// naming no file: the notice that the same bytes were rejected already.
    @Test func aNameIsEscapedOnceInTheTextLog() throws {
        let site = try TestSite.marchSite()
        try site.drop("usage-a\u{2028}b.csv", "report_id\n")
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 2)
        try site.drop("usage-c\u{2028}d.csv", "report_id\n")
        let again = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(again.err.contains("recon: usage-c\\u{2028}d.csv: the same bytes were rejected already and wait in "
            + "Inbox/rejected/usage-a\\u{2028}b.csv"), "\(again.err)")
    }

    /// A backslash in a name was doubled in the ingest's output and in status
    /// (`usage-back\\slash.csv`), naming no file: printed as it is, in the log and the output.
    @Test func aBackslashInANameIsPrintedAsItIs() throws {
        let site = try TestSite.marchSite()
        try site.drop("usage-back\\slash.csv", "bad\n")
        let ingest = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(ingest.out.contains("usage-back\\slash.csv: rejected") && !ingest.out.contains("back\\\\slash"), "\(ingest.out)")
        #expect(ingest.err.contains("usage-back\\slash.csv") && !ingest.err.contains("back\\\\slash"), "\(ingest.err)")
        let status = try site.recon(["status"], env: TestSite.closeDay)
        #expect(status.out.contains("usage-back\\slash.csv: 1 problem"), "\(status.out)")
    }
}
