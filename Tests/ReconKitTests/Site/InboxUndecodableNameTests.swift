import Foundation
import Testing
import ReconKit
#if canImport(Glibc)
import Glibc
#endif

/// A file whose name is not UTF-8 (`usage-caf\xE9.csv` from a Latin-1 share): it was taken for
/// gone and waited in the Inbox forever. Now it is rejected with a reason to rename it, and kept
/// in `Inbox/rejected/` under a UTF-8 name (SPEC §2).
@Suite("Inbox — names that are not UTF-8", .serialized)
struct InboxUndecodableNameTests {
    static let env = InboxLongNameTests.env
    static let usageHeader = InboxLongNameTests.usageHeader
    /// `usage-café.csv` as a Latin-1 system writes it.
    static let latin1Name: [UInt8] = Array("usage-caf".utf8) + [0xE9] + Array(".csv".utf8)

    /// Writes `text` to a file whose name is the raw bytes `name`, in `folder`.
    func write(_ text: String, rawName name: [UInt8], in folder: String) {
        let path = Array(folder.utf8) + [UInt8(ascii: "/")] + name + [0]
        let fd = path.withUnsafeBufferPointer { open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_WRONLY | O_CREAT, 0o644) }
        #expect(fd >= 0)
        _ = Array(text.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    /// The raw names in `folder`, as `readdir` gives them (none when it cannot be listed).
    func rawNames(_ folder: String) -> [[UInt8]] { (try? FileIO.rawNames(in: folder)) ?? [] }

    @Test(arguments: [["ingest", "--json"], ["watch", "--once", "--stable", "0.2", "--json"]])
    func aNameThatIsNotUTF8IsRejectedAndKeptUnderAUTF8Name(args: [String]) throws {
        let site = try InboxLongNameTests().preparedSite()
        write(Self.usageHeader + "R2,2026-03-05T10:00:00Z,C1,D1,CT,2,\n", rawName: Self.latin1Name, in: site.path("Inbox"))
        try site.drop("usage-z.csv", Self.usageHeader + "R3,2026-03-06T10:00:00Z,C1,D1,CT,2,\n")

        let status = try site.recon(["status"], env: Self.env)
        #expect(status.out.contains("inbox: 2 waiting (usage-z.csv, usage-caf\\xE9.csv)"), "\(status.out)")
        let dry = try site.recon(["ingest", "--dry-run"], env: Self.env)
        #expect(dry.code == 2, "\(dry.out)\(dry.err)")
        // Printed as status prints it (its backslash doubled here, it read as another name).
        #expect(dry.out.contains("usage-caf\\xE9.csv: would be rejected"), "\(dry.out)")
        #expect(rawNames(site.path("Inbox")).contains(Self.latin1Name))

        let (r, killed) = try site.reconOrKill(args, env: Self.env)
        #expect(!killed && r.code == 2, "\(r.out)\(r.err)")
        #expect(!r.out.contains("gone"), "\(r.out)")
        #expect(r.out.contains("\"file\":\"usage-caf\\\\xE9.csv\",\"kept_as\":\"Inbox/rejected/usage-caf\u{FFFD}.csv\",\"outcome\":\"rejected\""),
                "\(r.out)")
        #expect(Set(rawNames(site.path("Inbox"))) == [Array("held".utf8), Array("rejected".utf8)])
        #expect(try site.read("Ledger/ledger.jsonl").contains("usage-z.csv"))
        let kept = "usage-caf\u{FFFD}.csv"
        #expect(try site.read("Inbox/rejected/" + kept).contains("R2,2026-03-05"))
        let errors = try site.read("Inbox/rejected/" + kept + ".errors.txt")
        #expect(errors.hasPrefix("the file name \"usage-caf\\xE9.csv\" is not UTF-8"), "\(errors)")
        #expect(errors.contains("rename it"), "\(errors)")
        let after = try site.recon(["ingest"], env: Self.env)
        #expect(after.code == 0 && after.out == "nothing to ingest\n", "\(after.out)\(after.err)")
        #expect(try site.recon(["verify"], env: Self.env).code == 0)
    }
}

extension InboxUndecodableNameTests {
    /// Named on the command line (the shell passes its bytes), it was "no such file" (exit 1):
    /// now rejected by its name, moved aside from the Inbox and left in place elsewhere.
    @Test func aNamedFileWhoseNameIsNotUTF8IsRejected() throws {
        let site = try InboxLongNameTests().preparedSite()
        write(Self.usageHeader + "R2,2026-03-05T10:00:00Z,C1,D1,CT,2,\n", rawName: Self.latin1Name, in: site.path("Inbox"))
        write(Self.usageHeader + "R4,2026-03-05T10:00:00Z,C1,D1,CT,2,\n", rawName: Self.latin1Name, in: site.root)
        let script = "\"$0\" ingest --site \"$1\" \"$1/Inbox/usage-caf$(printf '\\351').csv\" \"$1/usage-caf$(printf '\\351').csv\""
        let r = try ProcessRunner.run("/bin/sh", ["-c", script, TestSite.binary, site.root], environment: Self.env)
        #expect(r.code == 2, "\(r.out)\(r.err)")
        #expect(!r.err.contains("no such file"), "\(r.err)")
        #expect(r.out.components(separatedBy: ": rejected\n").count == 3, "\(r.out)")
        #expect(!rawNames(site.path("Inbox")).contains(Self.latin1Name))
        #expect(rawNames(site.root).contains(Self.latin1Name), "a file named outside the Inbox is never moved")
        #expect(site.exists("Inbox/rejected/usage-caf\u{FFFD}.csv.errors.txt"))
    }
}
