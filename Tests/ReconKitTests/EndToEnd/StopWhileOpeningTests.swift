import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import ReconKit

/// A stop signal while a writer runs its opening checks, the site lock held (on a year's site,
/// its first few hundred milliseconds). The signal's default action ended it there with no word,
/// on standard error or, under `--json`, on standard output: an operator pressing Ctrl-C, or a
/// service manager reading the JSON, could not tell what had become of a close. It says
/// nothing was recorded, as a stop at any later moment before the append does.
@Suite("A writer stopped in its opening checks says nothing was recorded", .serialized)
struct StopWhileOpeningTests {
    static let strace = ProcessRunner.executable(named: "strace")

    @Test(.enabled(if: strace != nil, "needs strace (Debian strace) to hold the writer inside its opening checks"),
          arguments: [false, true])
    func aCloseStoppedInItsOpeningChecksSaysNothingWasRecorded(json: Bool) throws {
        let site = try TestSite.marchSite()
        let ledger = site.path("Ledger/ledger.jsonl")
        let before = try site.ledgerBytes()
        // The ledger's second opening is the writer's own reading of it, once it holds the lock:
        // held there for five seconds, long enough for the signal to come in the middle.
        let closing = try RunningProcess(try #require(Self.strace),
            ["-f", "-o", "/dev/null", "-P", ledger, "-e", "trace=openat", "-e", "inject=openat:delay_enter=5000000:when=2",
             "/usr/bin/env", "--default-signal=TERM", TestSite.binary, "close", "2026-03", "--site", site.root] + (json ? ["--json"] : []),
            environment: TestSite.closeDay)
        var recon: Int32?
        let held = ProcessRunner.wait(upTo: 30) {
            recon = Self.child(of: closing.pid)
            guard let pid = recon else { return false }
            return Self.holdsLock(pid, site: site) && Self.syscall(of: pid) == "257"
        }
        #expect(held, "the close never reached its opening checks")
        if let recon { kill(recon, SIGTERM) }
        let stopped = closing.finish()
        #expect(stopped.code == SIGTERM, "\(stopped.code) \(stopped.err)")  // ended by the signal itself, as a shell sees it
        #expect(stopped.err.contains("stopped by SIGTERM before anything was recorded: nothing was issued or appended"), "\(stopped.err)")
        if json {
            #expect(stopped.out.contains("\"ok\":false") && stopped.out.contains("\"exit\":143"), "\(stopped.out)")
        }
        #expect(try site.ledgerBytes() == before)
        #expect(try site.bodies("period.closed").isEmpty)
        site.expectAuditorAccepts()
    }

    /// The process strace started (env, then recon, one pid).
    static func child(of pid: Int32) -> Int32? {
        let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)
        return text?.split(separator: " ").first.flatMap { Int32($0) }
    }

    /// Whether `pid` has the site's lock file open (it opens it to take the lock, and keeps it).
    static func holdsLock(_ pid: Int32, site: TestSite) -> Bool {
        let lock = (try? FileIO.realPath(site.path("Ledger/writer.lock"))) ?? ""
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        return fds.contains { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)")) == lock }
    }

    /// The number of the system call `pid` is in (257: openat), or nil when it runs.
    static func syscall(of pid: Int32) -> String? {
        (try? String(contentsOfFile: "/proc/\(pid)/syscall", encoding: .utf8))?.split(separator: " ").first.map(String.init)
    }
}
