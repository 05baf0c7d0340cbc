import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import ReconKit

/// One writer at a time: real `recon` processes on one site, and the test process holding
/// `Ledger/writer.lock` itself to make them meet for certain.
@Suite("Concurrency — one writer at a time, a bounded wait, a clear refusal", .serialized)
struct ConcurrencyTests {
    /// The site lock held from this process, as another writer would hold it.
    final class HeldLock {
        let fd: Int32
        init(_ path: String) throws {
            fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0, flock(fd, LOCK_EX | LOCK_NB) == 0 else { throw CocoaError(.fileLocking) }
        }
        func release() { flock(fd, LOCK_UN) }
        deinit {
            flock(fd, LOCK_UN)
            close(fd)
        }
    }

    /// Whether process `pid` has the site's lock file open: it has reached the lock (a
    /// writer opens `Ledger/writer.lock` right before it asks for the lock, and keeps it open
    /// while it waits and while it holds it).
    static func hasOpened(_ lock: String, pid: Int32) -> Bool {
        let fds = "/proc/\(pid)/fd"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fds)) ?? []
        return names.contains { (try? FileManager.default.destinationOfSymbolicLink(atPath: fds + "/" + $0)) == lock }
    }

    static let usageA = "report_id,reported_at,client_id,radiologist_id,modality,image_count\nA1,2026-04-03T10:00:00Z,C1,D1,CT,1\nA2,2026-04-04T10:00:00Z,C2,D2,MR,1\n"
    static let usageB = "report_id,reported_at,client_id,radiologist_id,modality,image_count\nB1,2026-04-05T10:00:00Z,C1,D2,CT,1\n"

    /// Two ingests of different drops while the lock is taken: both wait, then both go in turn.
    @Test func twoWritersWaitAndTakeTurns() throws {
        let site = try TestSite.closedMarchSite()
        try site.drop("usage-a.csv", Self.usageA)
        try site.drop("usage-b.csv", Self.usageB)
        let env = TestSite.aprilLater.merging(["RECON_LOCK_TIMEOUT": "30"]) { _, new in new }
        let lock = try HeldLock(site.path("Ledger/writer.lock"))
        let a = try site.start(["ingest", site.path("Inbox/usage-a.csv")], env: env)
        let b = try site.start(["ingest", site.path("Inbox/usage-b.csv")], env: env)
        let lockPath = try FileIO.realPath(site.path("Ledger/writer.lock"))
        let bothAtTheLock = ProcessRunner.wait(upTo: 20) {
            Self.hasOpened(lockPath, pid: a.pid) && Self.hasOpened(lockPath, pid: b.pid)
        }
        #expect(bothAtTheLock, "both writers must have reached the lock")
        #expect(a.process.isRunning && b.process.isRunning, "both must be waiting for the lock")
        #expect(try site.bodies("drop.accepted").count == 6)
        lock.release()
        let ra = a.finish(), rb = b.finish()
        #expect(ra.code == 0, "\(ra.err)")
        #expect(rb.code == 0, "\(rb.err)")
        expectEachAcceptedOnce(site, [Self.usageA, Self.usageB])
        #expect(!site.exists("Inbox/usage-a.csv") && !site.exists("Inbox/usage-b.csv"))
        site.expectAuditorAccepts()

        // Without a held lock: two real writers started together on the same site.
        let c = "report_id,reported_at,client_id,radiologist_id,modality,image_count\nC1-1,2026-04-06T10:00:00Z,C1,D1,CT,1\n"
        let d = "report_id,reported_at,client_id,radiologist_id,modality,image_count\nD1-1,2026-04-07T10:00:00Z,C2,D1,XR,1\n"
        try site.drop("usage-c.csv", c)
        try site.drop("usage-d.csv", d)
        let rc = try site.start(["ingest", site.path("Inbox/usage-c.csv")], env: env)
        let rd = try site.start(["ingest", site.path("Inbox/usage-d.csv")], env: env)
        #expect(rc.finish().code == 0)
        #expect(rd.finish().code == 0)
        expectEachAcceptedOnce(site, [Self.usageA, Self.usageB, c, d])
        site.expectAuditorAccepts()
    }

    /// While another writer holds the site, a writer waits RECON_LOCK_TIMEOUT and then is
    /// refused with exit 3, naming the lock; it writes nothing. Readers that need a
    /// consistent site (verify) wait the same way; status does not need the lock.
    /// A watcher waiting for the site's lock (another writer holds it, RECON_LOCK_TIMEOUT long)
    /// said nothing, and a SIGTERM waited out the whole timeout: nothing is in hand while it
    /// waits, so it says that it waits, and a stop ends the wait at once (exit 0, nothing taken).
    /// The lock stays held here throughout: only the stop can end the watcher.
    @Test func aWatcherWaitingForTheLockSaysSoAndStopsWhenTold() throws {
        let site = try TestSite.closedMarchSite()
        let lock = try HeldLock(site.path("Ledger/writer.lock"))
        defer { withExtendedLifetime(lock) {} }
        let env = TestSite.aprilLater.merging(["RECON_LOCK_TIMEOUT": "600"]) { _, new in new }
        let watch = try site.start(["watch"], env: env)
        // Waiting: the lock file is among its open files.
        let waiting = ProcessRunner.wait(upTo: 60) {
            (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(watch.pid)/fd"))?.contains { fd in
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(watch.pid)/fd/\(fd)"))?.hasSuffix("writer.lock") == true
            } == true
        }
        #expect(waiting)
        kill(watch.pid, SIGTERM)
        let ended = ProcessRunner.wait(upTo: 60) { !watch.process.isRunning }
        if !ended { kill(watch.pid, SIGKILL) }
        let run = watch.finish()
        #expect(ended, "the watcher went on waiting after SIGTERM")
        #expect(run.code == 0 && run.err.contains("another recon command holds the site; waiting for it to finish")
            && run.err.contains("nothing taken"), "\(run.err)")
    }

    @Test func aBusySiteRefusesAfterABoundedWaitAndWritesNothing() throws {
        let site = try TestSite.closedMarchSite()
        try site.drop("usage-a.csv", Self.usageA)
        let ledger = try Data(contentsOf: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl")))
        let env = TestSite.aprilLater.merging(["RECON_LOCK_TIMEOUT": "0.5"]) { _, new in new }
        let lock = try HeldLock(site.path("Ledger/writer.lock"))

        // `watch --once` (cron) too: it used to wait for as long as the lock was held, so cron
        // runs piled up behind a stuck writer.
        for args in [["ingest"], ["close", "2026-04"], ["decide", "R1", "approve", "--by", "x"], ["watch", "--once", "--stable", "0"]] {
            let started = Date()
            let r = try site.recon(args, env: env)
            let waited = Date().timeIntervalSince(started)
            #expect(r.code == 3, "\(args): \(r.err)")
            #expect(r.err.contains("another recon is writing this site"), "\(r.err)")
            #expect(r.err.contains("Ledger/writer.lock"), "\(r.err)")
            #expect(r.err.contains("RECON_LOCK_TIMEOUT"), "\(r.err)")
            #expect(waited >= 0.5 && waited < 5, "\(args) waited \(waited) s")
            #expect(try Data(contentsOf: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl"))) == ledger)
            #expect(site.exists("Inbox/usage-a.csv"))
        }
        let verify = try site.recon(["verify"], env: env)
        #expect(verify.code == 3, "\(verify.out)\(verify.err)")
        // The readers that check as a writer does take no lock (held shared, it starved writers)
        // until what they find is damage: run during a close, a statement or a dry run read its
        // entries before its workbooks were in place and said the ledger was cut (exit 4). Then
        // they wait for the writer and look again; one still writing is "busy" (exit 3).
        for args in [["statement", "C1"], ["ingest", "--dry-run"]] {
            let r = try site.recon(args, env: env)
            #expect(r.code == 0, "\(args) waited for a lock it does not need: \(r.code) \(r.err)")
        }
        let stray = site.path("Outbox/2026-04/invoices/INV-2026-000099.xlsx")  // as a close's, before its entries are read
        try FileManager.default.createDirectory(atPath: FileIO.parent(of: stray), withIntermediateDirectories: true)
        try "half a close".write(toFile: stray, atomically: true, encoding: .utf8)
        // `status` computes its figures only from a ledger that checks (its cache is gone with the
        // stray's folder): it waits as they do.
        try? FileManager.default.removeItem(atPath: site.path(StatusCache.relativePath))
        for args in [["statement", "C1"], ["ingest", "--dry-run"], ["status"]] {
            let r = try site.recon(args, env: env)
            #expect(r.code == 3 && r.err.contains("another recon is writing this site"), "\(args): \(r.code) \(r.err)")
        }

        withExtendedLifetime(lock) {}
        lock.release()
        // No writer: what the statement finds is damage.
        let damaged = try site.recon(["statement", "C1"], env: env)
        #expect(damaged.code == 4 && damaged.err.contains("INV-2026-000099.xlsx is a final document no ledger entry issued"), "\(damaged.err)")
        try FileManager.default.removeItem(atPath: stray)
        let r = try site.recon(["ingest"], env: env)
        #expect(r.code == 0, "\(r.err)")
        expectEachAcceptedOnce(site, [Self.usageA])
        site.expectAuditorAccepts()
    }

    /// `recon ingest FILE` waiting for the site while a watcher takes that very file: it did
    /// not ingest it and cannot say what became of it, so it exits 1 (as for a file that is
    /// not there) and says where to look — not 0, which would say the drop went in.
    @Test func aNamedFileTakenByAnotherCommandMeanwhileIsNotReportedAsIngested() throws {
        let site = try TestSite.closedMarchSite()
        try site.drop("usage-a.csv", Self.usageA)
        let env = TestSite.aprilLater.merging(["RECON_LOCK_TIMEOUT": "30"]) { _, new in new }
        let lock = try HeldLock(site.path("Ledger/writer.lock"))
        let ingest = try site.start(["ingest", site.path("Inbox/usage-a.csv"), "--json"], env: env)
        let lockPath = try FileIO.realPath(site.path("Ledger/writer.lock"))
        #expect(ProcessRunner.wait(upTo: 20) { Self.hasOpened(lockPath, pid: ingest.pid) }, "the ingest must have reached the lock")
        // What a watcher holding the lock does with the file: takes it away.
        try FileManager.default.moveItem(atPath: site.path("Inbox/usage-a.csv"), toPath: site.path("taken-elsewhere.csv"))
        lock.release()
        let r = ingest.finish()
        #expect(r.code == 1, "\(r.out)\(r.err)")
        #expect(r.out.contains(#""outcome":"ignored""#), "\(r.out)")
        #expect(r.err.contains("usage-a.csv: gone before this command read it"), "\(r.err)")
        #expect(r.err.contains("`recon status` says whether it was accepted, held or rejected"), "\(r.err)")
    }

    /// Each drop's bytes were accepted exactly once.
    func expectEachAcceptedOnce(_ site: TestSite, _ drops: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let accepted = (try? site.bodies("drop.accepted").compactMap { $0["sha256"] as? String }) ?? []
        for text in drops {
            #expect(accepted.filter { $0 == TestSite.sha256Hex(text) }.count == 1, sourceLocation: sourceLocation)
        }
        #expect(Set(accepted).count == accepted.count, "a drop accepted twice", sourceLocation: sourceLocation)
    }

    /// `Ledger/writer.lock` removed while a writer ran (a cleanup job, an operator): the next
    /// command took a new lock at once, swept the running writer's temporary files as a crash's
    /// leftovers, and both appended. A writer now checks before it appends that its lock is still
    /// the site's, and the sweep leaves the files of a process still running.
    @Test func aLockFileRemovedUnderAWriterLetsNoSecondAppend() throws {
        let site = try TestSite.marchSite()
        do {  // the session, and the locks it holds, end with this block
            let session = try SiteSession(site: Site(root: site.root), writing: true, log: ConsoleLog.logger(.text), clock: .system)
            try session.repair()
            try FileManager.default.removeItem(atPath: site.path("Ledger/writer.lock"))
            let before = try site.ledgerBytes()
            let refused = #expect(throws: ReconFailure.self) {
                try session.append(kind: "card.replaced", body: ["kind": "client_rates", "effective_from": "2026-03-01", "sha256": "0"])
            }
            #expect(refused?.message.contains("was removed or replaced while this command ran") == true, "\(refused?.message ?? "")")
            #expect(try site.ledgerBytes() == before)
            withExtendedLifetime(session) {}
        }

        // A temporary file of a writer still running is not swept; once it has ended, it is.
        // (The writer: `sleep` under a recon's name — another program holding an id is no writer.)
        let writer = site.path("recon-writer")
        try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: writer)
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: writer)
        sleeper.arguments = ["60"]
        try sleeper.run()
        let temp = site.path("Outbox/.INV-2026-000009.xlsx.\(sleeper.processIdentifier).tmp")
        try FileManager.default.createDirectory(atPath: site.path("Outbox"), withIntermediateDirectories: true)
        try "x".write(toFile: temp, atomically: false, encoding: .utf8)
        try site.drop("usage-2026-04.csv", TestSite.april)
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        #expect(FileManager.default.fileExists(atPath: temp), "a running writer's file was swept")
        kill(sleeper.processIdentifier, SIGKILL)
        #expect(ProcessRunner.wait(upTo: 10) { kill(sleeper.processIdentifier, 0) != 0 && errno == ESRCH || !sleeper.isRunning })
        try site.drop("usage-2026-04-b.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR8,2026-04-05T10:00:00Z,C1,D1,CT,1\n")
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        #expect(!FileManager.default.fileExists(atPath: temp))
    }
}
