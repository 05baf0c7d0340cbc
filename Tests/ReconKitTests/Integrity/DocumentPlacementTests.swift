import Foundation
import Testing

@testable import ReconKit

/// An issued workbook waits under its hidden temporary name (`.INV-….xlsx.PID.tmp`) from its
/// write until the ledger has its entry, then is renamed into place. A file swapped in at
/// that name meanwhile, or bytes written into it, became the document at its final name: the
/// close said it issued INV-2026-000001 (exit 0) and the Outbox held a workbook the ledger
/// never issued. strace holds the rename into place; the test changes the temporary file then.
struct DocumentPlacementTests {
    static let strace = ProcessRunner.executable(named: "strace")

    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to hold the close between its append and its rename"),
          arguments: ["swap", "write", "folder", "link"])
    func aTemporaryWorkbookChangedAfterTheAppendIsNeverLeftAsTheDocument(change: String) throws {
        let site = try TestSite.marchSite()
        let invoices = site.path("Outbox/2026-03/invoices")
        let final = invoices + "/INV-2026-000001.xlsx"
        let size = try site.ledgerBytes().count
        let closing = try RunningProcess(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", final, "-e", "trace=rename,renameat,renameat2",
             "-e", "inject=rename,renameat,renameat2:delay_enter=4000000:when=1",
             TestSite.binary, "close", "2026-03", "--site", site.root], environment: TestSite.closeDay)
        #expect(ProcessRunner.wait(upTo: 60) { ((try? site.ledgerBytes().count) ?? 0) > size }, "the close never appended")
        let temp = try #require(FileIO.list(invoices).first { $0.hasPrefix(".INV-2026-000001.xlsx.") && $0.hasSuffix(".tmp") })
        let foreign = Array("PK not the invoice the ledger issued".utf8)
        let outside = site.root + "-outside"
        if change == "swap" {
            try Data(foreign).write(to: URL(fileURLWithPath: site.path("other.xlsx")))
            #expect(rename(site.path("other.xlsx"), invoices + "/" + temp) == 0)
        } else if change == "folder" {
            try FileManager.default.removeItem(atPath: invoices + "/" + temp)
            try FileManager.default.createDirectory(atPath: invoices + "/" + temp + "/x", withIntermediateDirectories: true)
        } else if change == "link" {
            // The month's invoices folder replaced by a link to a copy outside the site.
            try FileManager.default.copyItem(atPath: invoices, toPath: outside)
            #expect(rename(invoices, invoices + ".orig") == 0)
            try FileManager.default.createSymbolicLink(atPath: invoices, withDestinationPath: outside)
        } else {
            let fd = open(invoices + "/" + temp, O_WRONLY | O_TRUNC)
            #expect(fd >= 0 && write(fd, foreign, foreign.count) == foreign.count)
            close(fd)
        }
        let closed = closing.finish()
        // Issued: the entries stand and the command says so; what sits at the name is not it.
        #expect(closed.code == 0, "\(closed.out)\(closed.err)")
        #expect(closed.err.contains("INV-2026-000001 is issued") && closed.err.contains("do not issue it again"), "\(closed.err)")
        #expect(closed.err.contains(change == "folder" ? "a folder was moved into Outbox/2026-03/invoices/INV-2026-000001.xlsx"
                                    : "was not the workbook written for it"), "\(closed.err)")
        #expect((try? Data(contentsOf: URL(fileURLWithPath: final))).map(Array.init) != foreign, "the foreign bytes stand as the invoice")
        #expect(try site.bodies("period.closed").count == 1)
        if change == "folder" { try FileManager.default.removeItem(atPath: final) }
        if change == "link" {
            #expect(!FileManager.default.fileExists(atPath: outside + "/INV-2026-000001.xlsx"), "the invoice stayed outside the site")
            try FileManager.default.removeItem(atPath: invoices)
            #expect(rename(invoices + ".orig", invoices) == 0)
            try FileManager.default.removeItem(atPath: outside)
        }
        // The next writer writes it from its entry; the site verifies.
        let next = try site.recon(["watch", "--once"], env: TestSite.closeDay)
        #expect(next.code == 0, "\(next.err)")
        #expect(site.exists("Outbox/2026-03/invoices/INV-2026-000001.xlsx"))
        #expect(try site.recon(["verify", "--strict"]).code == 0)
        site.expectAuditorAccepts()
    }

    /// Damage put in place after a close's append, before its checkpoint is signed (strace holds
    /// the close at its invoice's rename into place): a final document no entry issued, or a
    /// forged checkpoint. The last look had been before the append only: the close signed its
    /// checkpoint over it, exit 0, and both verifiers refused the site. It looks again before it
    /// signs: the entries stand, the checkpoint is not signed (exit 4), and once the damage is
    /// gone the next writer signs the checkpoint owed.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to hold the close between its append and its checkpoint"),
          arguments: ["stray", "checkpoint"])
    func damageAfterTheAppendIsNotSignedOver(damage: String) throws {
        let site = try TestSite.marchSite()
        let final = site.path("Outbox/2026-03/invoices/INV-2026-000001.xlsx")
        let size = try site.ledgerBytes().count
        let closing = try RunningProcess(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", final, "-e", "trace=rename,renameat,renameat2",
             "-e", "inject=rename,renameat,renameat2:delay_enter=3000000:when=1",
             TestSite.binary, "close", "2026-03", "--site", site.root], environment: TestSite.closeDay)
        #expect(ProcessRunner.wait(upTo: 60) { ((try? site.ledgerBytes().count) ?? 0) > size }, "the close never appended")
        let placed = damage == "stray" ? "Outbox/2026-03/invoices/INV-2026-000009.xlsx" : "Ledger/checkpoints/99.txt"
        try Data("forged".utf8).write(to: URL(fileURLWithPath: site.path(placed)))
        let closed = closing.finish()
        #expect(closed.code == 4 && closed.err.contains(placed) && closed.err.contains("the checkpoint over them is not signed"),
                "\(closed.code) \(closed.err)")
        let count = try site.entries().count
        #expect(try site.bodies("period.closed").count == 1 && !site.exists("Ledger/checkpoints/\(count).txt"))
        try FileManager.default.removeItem(atPath: site.path(placed))
        let next = try site.recon(["watch", "--once"], env: TestSite.closeDay)
        #expect(next.code == 0, "\(next.err)")
        #expect(site.exists("Ledger/checkpoints/\(count).txt"))
        #expect(try site.recon(["verify", "--strict"]).code == 0)
        site.expectAuditorAccepts()
    }

    /// The same for a workbook no entry issues: `Outbox/statements` replaced by a link while
    /// `recon statement` wrote into it put the statement where the link pointed (outside the
    /// site, or among a closed month's invoices, where both verifiers refused the site), and the
    /// command said `wrote Outbox/statements/C1.xlsx`, exit 0. strace holds the statement at its
    /// first rename; the test swaps the folder for a link then.
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to hold the statement between its write and its rename"))
    func aStatementsFolderLinkedMidWriteGetsNothingOutsideTheSite() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let statements = site.path("Outbox/statements")
        try FileManager.default.createDirectory(atPath: statements, withIntermediateDirectories: true)
        let outside = site.root + "-outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let writing = try RunningProcess(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-e", "trace=rename,renameat,renameat2",
             "-e", "inject=rename,renameat,renameat2:delay_enter=4000000:when=1",
             TestSite.binary, "statement", "C1", "--site", site.root], environment: TestSite.closeDay)
        #expect(ProcessRunner.wait(upTo: 60) { !FileIO.list(statements).isEmpty }, "the statement wrote nothing")
        // Its temporary file goes with it, so the rename into place goes through the link.
        for name in FileIO.list(statements) { #expect(rename(statements + "/" + name, outside + "/" + name) == 0) }
        #expect(rename(statements, statements + ".orig") == 0)
        try FileManager.default.createSymbolicLink(atPath: statements, withDestinationPath: outside)
        let run = writing.finish()
        #expect(run.code == 3 && run.err.contains("Outbox/statements was replaced by a symbolic link (to \(outside)) while "
            + "Outbox/statements/C1.xlsx was written"), "\(run.out)\(run.err)")
        #expect(FileIO.list(outside).filter { !$0.hasPrefix(".") }.isEmpty, "the statement stayed outside the site: \(FileIO.list(outside))")
        try FileManager.default.removeItem(atPath: statements)
        #expect(rename(statements + ".orig", statements) == 0)
        try FileManager.default.removeItem(atPath: outside)
        #expect(try site.recon(["statement", "C1"], env: TestSite.closeDay).code == 0)
        #expect(site.exists("Outbox/statements/C1.xlsx"))
    }

    /// The same link swapped in while the statement is written and swapped out again before
    /// the command looks: the statement went where the link pointed, among March's issued
    /// invoices, `recon statement` said it wrote it (exit 0) and both verifiers refused the
    /// site. strace holds the statement at its workbook's first rename (`rename`: the link goes
    /// in, its unfinished file moved along) and just after its move into place (`renameat`: the
    /// folder comes back).
    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to hold the statement at its renames"))
    func aStatementsFolderLinkedAndPutBackMidWriteLeavesNothingAmongInvoices() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let statements = site.path("Outbox/statements"), invoices = site.path("Outbox/2026-03/invoices")
        try FileManager.default.createDirectory(atPath: statements, withIntermediateDirectories: true)
        let issued = Set(FileIO.list(invoices))
        let writing = try RunningProcess(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-e", "trace=rename,renameat",
             "-e", "inject=rename:delay_enter=3000000:when=1", "-e", "inject=renameat:delay_exit=3000000:when=1",
             TestSite.binary, "statement", "C1", "--site", site.root], environment: TestSite.closeDay)
        #expect(ProcessRunner.wait(upTo: 60) { !FileIO.list(statements).isEmpty }, "the statement wrote nothing")
        for name in FileIO.list(statements) { #expect(rename(statements + "/" + name, invoices + "/" + name) == 0) }
        #expect(rename(statements, statements + ".orig") == 0)
        try FileManager.default.createSymbolicLink(atPath: statements, withDestinationPath: "2026-03/invoices")
        // Back once the statement has renamed its workbook into place, or has stopped.
        #expect(ProcessRunner.wait(upTo: 60) { !writing.process.isRunning || FileIO.list(invoices).contains("C1.xlsx") })
        try FileManager.default.removeItem(atPath: statements)
        #expect(rename(statements + ".orig", statements) == 0)
        let run = writing.finish()
        #expect(run.code != 0, "the statement said it wrote C1.xlsx: \(run.out)")
        #expect(Set(FileIO.list(invoices).filter { !$0.hasPrefix(".") }) == issued.filter { !$0.hasPrefix(".") },
                "a statement among March's invoices: \(FileIO.list(invoices))")
        // What the test moved there itself goes; the site verifies, and the statement is written.
        for name in FileIO.list(invoices) where name.hasPrefix(".") { try FileManager.default.removeItem(atPath: invoices + "/" + name) }
        #expect(try site.recon(["verify", "--strict"]).code == 0)
        site.expectAuditorAccepts()
        #expect(try site.recon(["statement", "C1"], env: TestSite.closeDay).code == 0)
        #expect(site.exists("Outbox/statements/C1.xlsx"))
    }
}
