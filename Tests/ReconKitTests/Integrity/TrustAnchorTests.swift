import Foundation
import Testing

@testable import ReconKit

/// What an auditor holds outside the site — the site public key and the latest checkpoint —
/// catches a rewritten ledger that the site's own files no longer can; key files are used
/// only while they are private; `recon verify --document` answers for a client's workbook.
@Suite("Trust anchors outside the site, key files, verify options", .serialized)
struct TrustAnchorTests {
    /// A site whose private key lives in `keys/` beside it (`recon init --key-dir`), March closed.
    static func keyDirSite() throws -> (TestSite, keyDir: String) {
        let site = try TestSite()
        let keyDir = site.root + "-keys"
        let made = try site.recon(["init", "--name", "trust-site", "--base-currency", "INR", "--timezone", "UTC", "--key-dir", keyDir],
                                  env: TestSite.closeDay)
        #expect(made.code == 0, "\(made.err)")
        try site.drop("clients.csv", TestSite.trustClients)
        try site.drop("radiologists.csv", TestSite.trustRadiologists)
        try site.drop("provider_rates.csv", TestSite.trustProviderRates)
        try site.drop("client_rates.csv", TestSite.trustClientRates)
        try site.drop("usage-2026-03.csv", TestSite.trustMarch)
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 0)
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 0, "\(close.err)")
        return (site, keyDir)
    }

    @Test func initKeyDirKeepsTheSiteKeyOutsideTheSite() throws {
        let (site, keyDir) = try Self.keyDirSite()
        defer { try? FileManager.default.removeItem(atPath: keyDir) }
        #expect(!site.exists("Ledger/keys/site.key"))
        let real = try FileIO.realPath(keyDir)
        #expect(try site.read("recon.toml").contains("site_key = \"\(real)/trust-site.key\""))
        var st = stat()
        #expect(stat(keyDir + "/trust-site.key", &st) == 0 && st.st_mode & 0o077 == 0)
        #expect(try site.entries().count == 11 && site.exists("Ledger/checkpoints/11.txt"), "the close signed with the outside key")
        site.expectAuditorAccepts()

        // A key folder inside the site is refused; so is a folder already holding the key.
        let other = try TestSite()
        let inside = try other.recon(["init", "--name", "x", "--key-dir", other.path("Ledger/keys-out")])
        #expect(inside.code == 1, "\(inside.err)")
        #expect(!other.exists("Ledger/ledger.jsonl"))
        // Refused, init creates nothing: not the site's folder, not the key folder (both were left).
        let fresh = other.path("fresh-site")
        let refused = try other.recon(["init", "--name", "x", "--site", fresh, "--key-dir", fresh + "/keys"], site: false)
        #expect(refused.code == 1 && refused.err.contains("inside the site"), "\(refused.err)")
        #expect(!FileManager.default.fileExists(atPath: fresh), "init left \(fresh) behind")
        // Nor the parents it made for a key folder deeper inside: a folder left in the Inbox was
        // the next site's first ingest to reject (exit 2).
        let deeper = try other.recon(["init", "--name", "x", "--site", fresh, "--key-dir", fresh + "/Inbox/x/y"], site: false)
        #expect(deeper.code == 1 && deeper.err.contains("inside the site"), "\(deeper.err)")
        #expect(!FileManager.default.fileExists(atPath: fresh), "init left \(fresh) behind")
        // Nor in another site's Inbox: that site's next ingest took the key folder to rejected/.
        let foreign = try other.recon(["init", "--name", "x", "--site", fresh, "--key-dir", site.path("Inbox/keys")], site: false)
        #expect(foreign.code == 3 && foreign.err.contains("lies inside the site") && foreign.err.contains("(its Inbox/ folder)"),
                "\(foreign.err)")
        #expect(!FileManager.default.fileExists(atPath: fresh) && !FileManager.default.fileExists(atPath: site.path("Inbox/keys")))
        let again = try other.recon(["init", "--name", "trust-site", "--key-dir", keyDir])
        #expect(again.code == 3, "\(again.err)")
        #expect(try String(contentsOfFile: keyDir + "/trust-site.key", encoding: .utf8).hasPrefix("PRIVATE+KEY+trust-site+"))
    }

    /// A recon.toml prepared with `site_key`: init made a new key in `Ledger/keys/` and left
    /// recon.toml naming another file, so the new site's first `verify` failed (or, the file not
    /// there, nothing could ever be signed). Init uses the key named, or makes it there; a key
    /// made for another name (checkpoints are signed under the site's) is refused.
    @Test func initUsesTheKeyAPreparedRecontomlNames() throws {
        let site = try TestSite()
        let vault = site.root + "-vault"
        try FileManager.default.createDirectory(atPath: vault, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: vault) }
        let made = try site.recon(["keygen", "nine", "--dir", vault], site: false)
        #expect(made.code == 0, "\(made.err)")
        for (folder, key, name, code) in [("a", "nine.key", "nine", Int32(0)), ("b", "new.key", "new-site", 0), ("c", "nine.key", "other", 3)] {
            let dir = site.path(folder)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try "site = \"\(name)\"\nsite_key = \"\(vault)/\(key)\"\n".write(toFile: dir + "/recon.toml", atomically: true, encoding: .utf8)
            let initial = try site.recon(["init", "--site", dir], site: false)
            #expect(initial.code == code, "\(folder): \(initial.err)")
            guard code == 0 else {
                #expect(initial.err.contains("holds a key named nine, not other"), "\(initial.err)")
                continue
            }
            #expect(!FileManager.default.fileExists(atPath: dir + "/Ledger/keys/site.key"), "\(folder): a second key was made")
            let verify = try site.recon(["verify", "--site", dir], site: false)
            #expect(verify.code == 0 && verify.err.isEmpty, "\(folder): \(verify.out)\(verify.err)")
            let pub = try String(contentsOfFile: dir + "/Ledger/keys/site.pub", encoding: .utf8)
            #expect(pub.hasPrefix(name + "+"), "\(folder): \(pub)")
        }
    }

    /// A prepared recon.toml naming a site key inside the site, outside its `Ledger/keys/`: init
    /// made the private key there (in `Inbox/`, the next ingest rejected it as a drop and moved
    /// it to `rejected/`; in `Outbox/`, among the documents sent out). Refused, nothing created.
    @Test(arguments: ["Inbox/hq.key", "Outbox/hq.key", "hq.key", "keys-not-made/hq.key"])
    func aPreparedSiteKeyInsideTheSiteIsRefused(place: String) throws {
        let site = try TestSite()
        let dir = site.path("hq")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "site = \"hq\"\nsite_key = \"\(place)\"\n".write(toFile: dir + "/recon.toml", atomically: true, encoding: .utf8)
        let initial = try site.recon(["init", "--site", dir], site: false)
        #expect(initial.code == 1 && initial.err.contains("is inside the site") && initial.err.contains("but not in its Ledger/keys/"),
                "\(initial.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/" + place) && !FileManager.default.fileExists(atPath: dir + "/Ledger")
                && !FileManager.default.fileExists(atPath: dir + "/Inbox"), "\(place)")
    }

    /// The same, with the site named relative to the folder init runs in (`--site ./hq/`) and
    /// the key by a path that leaves the site and comes back into it (`../hq/Outbox/hq.key`):
    /// both are resolved before they are compared, so it is still inside. Refused, nothing created.
    @Test func aPreparedSiteKeyInsideASiteNamedRelativelyIsRefused() throws {
        let site = try TestSite()
        let dir = site.path("hq")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "site = \"hq\"\nsite_key = \"../hq/Outbox/hq.key\"\n".write(toFile: dir + "/recon.toml", atomically: true, encoding: .utf8)
        let initial = try ProcessRunner.run("/bin/sh", ["-c", "cd \"$1\" && exec \"$2\" init --site ./hq/", "sh", site.root, TestSite.binary])
        #expect(initial.code == 1 && initial.err.contains("is inside the site") && initial.err.contains("but not in its Ledger/keys/"),
                "\(initial.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/Outbox") && !FileManager.default.fileExists(atPath: dir + "/Ledger"))
    }

    /// A prepared `site_key` and `--key-dir` naming two places: init kept --key-dir's and wrote
    /// recon.toml anew, the administrator's site_key and comments gone. Refused, the file as it was.
    @Test func aPreparedSiteKeyAndAnotherKeyDirAreRefused() throws {
        let site = try TestSite()
        let dir = site.path("b")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let prepared = "# key on the HSM mount\nsite = \"b\"\nsite_key = \"\(site.root)-hsm/b.key\"\n"
        try prepared.write(toFile: dir + "/recon.toml", atomically: true, encoding: .utf8)
        let keyDir = site.root + "-kd"
        defer { try? FileManager.default.removeItem(atPath: keyDir) }
        let initial = try site.recon(["init", "--site", dir, "--key-dir", keyDir], site: false)
        #expect(initial.code == 3 && initial.err.contains("give one of them"), "\(initial.err)")
        #expect(try String(contentsOfFile: dir + "/recon.toml", encoding: .utf8) == prepared)
        #expect(!FileManager.default.fileExists(atPath: dir + "/Ledger/ledger.jsonl"))
    }

    /// A command waiting for another writer's lock said nothing while it waited, and a stop
    /// signal there ended it without a word (exit 143): an operator could not tell whether a
    /// signed credit had applied. It says it waits, and a stop ends it saying nothing was recorded.
    /// Under `--log-format json` the wait and the stop are said as JSON objects, as every log
    /// line is (the stop was a text line in a JSON log).
    @Test(arguments: ["text", "json"])
    func aCommandStoppedWhileItWaitsForTheLockSaysNothingWasRecorded(format: String) throws {
        let site = try TestSite.marchSite()
        let fd = open(site.path("Ledger/writer.lock"), O_RDWR | O_CREAT, 0o644)
        #expect(fd >= 0 && flock(fd, LOCK_EX) == 0)
        defer { close(fd) }
        let before = try site.ledgerBytes()
        try site.drop("usage-more.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-03-20T10:00:00Z,C1,D1,CT,1\n")
        // SIGTERM as a shell leaves it (the test runner's children inherit it ignored).
        let waiting = try RunningProcess("/usr/bin/env", ["--default-signal=TERM", TestSite.binary, "ingest", "--site", site.root,
                                                          "--log-format", format] + (format == "json" ? ["--json"] : []),
                                         environment: TestSite.closeDay.merging(["RECON_LOCK_TIMEOUT": "60"]) { $1 })
        func sleeping(_ pid: Int32) -> Bool {
            let call = (try? String(contentsOfFile: "/proc/\(pid)/syscall", encoding: .utf8))?.split(separator: " ").first
            return call == "35" || call == "230"
        }
        #expect(ProcessRunner.wait(upTo: 30) { sleeping(waiting.pid) }, "the ingest never waited for the lock")
        kill(waiting.pid, SIGTERM)
        let stopped = waiting.finish()
        #expect(stopped.code == SIGTERM, "\(stopped.code)")  // ended by the signal itself, as a shell sees it
        #expect(stopped.err.contains("another recon command holds the site") && stopped.err.contains("waiting up to 60 s"), "\(stopped.err)")
        let wait = stopped.err.split(separator: "\n").first { $0.contains("another recon command holds the site") }
        #expect(format == "json" ? wait?.hasPrefix("{") == true : wait?.hasPrefix("recon: ") == true, "\(stopped.err)")
        #expect(stopped.err.contains("stopped by SIGTERM before anything was recorded"), "\(stopped.err)")
        // Every line a machine reads is JSON under --log-format json, the stop's too (an error, with its exit).
        if format == "json" {
            let lines = stopped.err.split(separator: "\n").map { String($0) }
            #expect(lines.allSatisfy { $0.hasPrefix("{") && $0.hasSuffix("}") }, "\(stopped.err)")
            let stop = lines.first { $0.contains("stopped by SIGTERM") } ?? ""
            #expect(stop.contains("\"level\":\"error\"") && stop.contains("\"exit\":143"), "\(stop)")
            // --json answers on standard output, as every failure does (it printed nothing there).
            #expect(stopped.out.contains("\"ok\":false") && stopped.out.contains("\"exit\":143"), "\(stopped.out)")
        }
        #expect(try site.ledgerBytes() == before && site.exists("Inbox/usage-more.csv"))
    }

    /// The watcher, its batch waiting for another writer's lock, stopped by SIGTERM: it said
    /// nothing of the wait (only after the lock's first ten seconds ran out) and logged the stop
    /// as an error promising a retry ("Watching goes on") that never came. The wait is said as it
    /// begins, and the stop as a stop, the drop left in the Inbox.
    @Test func theWatcherStoppedWhileItsBatchWaitsSaysSo() throws {
        let site = try TestSite.marchSite()
        // A first drop, taken: the watcher is then past its start, watching.
        try site.drop("usage-first.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR8,2026-03-19T10:00:00Z,C1,D1,CT,1\n")
        let before = try site.ledgerBytes().count
        let watching = try RunningProcess("/usr/bin/env", ["--default-signal=TERM", TestSite.binary, "watch", "--stable", "0",
                                                           "--site", site.root], environment: TestSite.closeDay)
        #expect(ProcessRunner.wait(upTo: 30) { !site.exists("Inbox/usage-first.csv") && ((try? site.ledgerBytes().count) ?? 0) > before },
                "the watcher never took the first drop")
        // Once the watcher has let the site go, the test holds the lock.
        let fd = open(site.path("Ledger/writer.lock"), O_RDWR | O_CREAT, 0o644)
        defer { close(fd) }
        #expect(ProcessRunner.wait(upTo: 30) { flock(fd, LOCK_EX | LOCK_NB) == 0 }, "the watcher kept the site")
        try site.drop("usage-more.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-03-20T10:00:00Z,C1,D1,CT,1\n")
        func sleeping(_ pid: Int32) -> Bool {
            let calls = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
            return calls.contains { task in
                let call = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/syscall", encoding: .utf8))?.split(separator: " ").first
                return call == "35" || call == "230"
            }
        }
        #expect(ProcessRunner.wait(upTo: 30) { sleeping(watching.pid) }, "the batch never waited for the lock")
        kill(watching.pid, SIGTERM)
        let stopped = watching.finish()
        #expect(stopped.code == 0, "\(stopped.code) \(stopped.err)")
        #expect(stopped.err.contains("another recon command is writing the site; the drops wait until it has finished"), "\(stopped.err)")
        #expect(stopped.err.contains("Processing usage-more.csv stopped: stopped while another recon command held the site"), "\(stopped.err)")
        #expect(!stopped.err.contains("error") && !stopped.err.contains("Watching goes on"), "\(stopped.err)")
        #expect(site.exists("Inbox/usage-more.csv"))
    }

    /// An auditor verifying under an account of their own, the site key private to the site's
    /// user as SPEC §6 asks: verify said "ok" and told them to put back from its backup a key that
    /// was intact, only not theirs to read. Verify needs no private key: nothing is said of it.
    /// (Run as `nobody` through setpriv, which needs root to change user.)
    @Test(.enabled(if: getuid() == 0 && ProcessRunner.executable(named: "setpriv") != nil, "needs root and setpriv to verify as another user"))
    func verifyUnderAnotherAccountSaysNothingOfTheSiteKey() throws {
        let site = try TestSite.closedMarchSite()
        let binary = site.path("recon-copy")
        try FileManager.default.copyItem(atPath: TestSite.binary, toPath: binary)
        #expect(chmod(binary, 0o755) == 0 && chmod(site.root, 0o755) == 0)
        let run = try ProcessRunner.runAsNobody(binary, ["verify", "--site", site.root])
        #expect(run.code == 0 && run.out.hasPrefix("ok "), "\(run.out)\(run.err)")
        #expect(!run.err.contains("site key cannot be used") && !run.err.contains("from its backup"), "\(run.err)")
    }

    /// Two inits of one folder at once, under other names: each wrote the key and recon.toml
    /// (the second's name over the first's, so every command then refused the site), and the
    /// second found the first's ledger under its append (exit 4, as damage). The test holds the
    /// writer lock while both start, and waits until both sleep waiting for it (the one place
    /// init sleeps): by then neither may have written anything. Let go, one makes the site and
    /// the other is refused (exit 3); recon.toml names the site the ledger holds, and it verifies.
    @Test func twoInitsOfOneFolderAtOnceMakeOneSite() throws {
        let base = try TestSite()
        let dir = base.path("race")
        try FileManager.default.createDirectory(atPath: dir + "/Ledger", withIntermediateDirectories: true)
        let fd = open(dir + "/Ledger/writer.lock", O_RDWR | O_CREAT, 0o644)
        #expect(fd >= 0 && flock(fd, LOCK_EX) == 0)
        let env = ["RECON_LOCK_TIMEOUT": "60"]
        let first = try RunningProcess(TestSite.binary, ["init", "--name", "alpha", "--site", dir], environment: env)
        let second = try RunningProcess(TestSite.binary, ["init", "--name", "beta", "--site", dir], environment: env)
        // Asleep in a system call: nanosleep (35) or clock_nanosleep (230), as the lock's wait is.
        func sleeping(_ pid: Int32) -> Bool {
            let call = (try? String(contentsOfFile: "/proc/\(pid)/syscall", encoding: .utf8))?.split(separator: " ").first
            return call == "35" || call == "230"
        }
        let waiting = ProcessRunner.wait(upTo: 30) { sleeping(first.pid) && sleeping(second.pid) }
        #expect(waiting, "the inits never waited for the lock")
        #expect(!FileManager.default.fileExists(atPath: dir + "/recon.toml") && !FileManager.default.fileExists(atPath: dir + "/Ledger/keys"),
                "an init wrote before it held the lock")
        flock(fd, LOCK_UN)
        close(fd)
        let codes = [first.finish().code, second.finish().code].sorted()
        #expect(codes == [0, 3], "\(codes)")
        let named = try String(contentsOfFile: dir + "/recon.toml", encoding: .utf8)
        let ledger = try String(contentsOfFile: dir + "/Ledger/ledger.jsonl", encoding: .utf8)
        let site = ledger.contains("\"site\":\"alpha\"") ? "alpha" : "beta"
        #expect(named.contains("site = \"\(site)\""), "\(named)")
        #expect(try base.recon(["verify", "--site", dir], site: false).code == 0)
    }

    /// Another site's key copied into `Ledger/keys/` before init was taken silently: two sites
    /// then sign with one key. It is used (an interrupted init leaves one) but said, with the key.
    @Test func initSaysItUsesASiteKeyAlreadyThere() throws {
        let site = try TestSite()
        let first = site.path("s1"), second = site.path("s2")
        #expect(try site.recon(["init", "--site", first], site: false).code == 0)
        try FileManager.default.createDirectory(atPath: second + "/Ledger/keys", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: first + "/Ledger/keys/site.key", toPath: second + "/Ledger/keys/site.key")
        let initial = try site.recon(["init", "--site", second], site: false)
        #expect(initial.code == 0, "\(initial.err)")
        #expect(initial.err.contains("the site key was already at \(second)/Ledger/keys/site.key and is used, not made anew"), "\(initial.err)")
        let fresh = try site.recon(["init", "--site", site.path("s3")], site: false)
        #expect(fresh.code == 0 && !fresh.err.contains("already at"), "\(fresh.err)")
    }

    /// All checkpoints deleted, the ledger edited and re-hashed under a new site key with
    /// checkpoints signed by it: the site's own files agree with each other, the auditor's
    /// pinned key and kept checkpoint do not.
    @Test func anAuditorsPinnedKeyAndKeptCheckpointCatchARekeyedRewrittenLedger() throws {
        let (site, keyDir) = try Self.keyDirSite()
        defer { try? FileManager.default.removeItem(atPath: keyDir) }
        let auditor = site.root + "-auditor"
        try FileManager.default.createDirectory(atPath: auditor, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: auditor) }
        try FileManager.default.copyItem(atPath: keyDir + "/trust-site.pub", toPath: auditor + "/site.pub")
        try FileManager.default.copyItem(atPath: site.path("Ledger/checkpoints/11.txt"), toPath: auditor + "/11.txt")
        #expect(try site.recon(["verify", "--public-key", auditor + "/site.pub", "--checkpoint", auditor + "/11.txt"]).code == 0)

        // The attacker's rewrite: a new site key in site.init, C2's flag note changed, every
        // hash after redone, checkpoints deleted and one signed with the new key, and the
        // caches signed with the old key deleted (`recon verify` would report them).
        let forger = try SigningKey.generate(name: "trust-site")
        try site.rewriteLedger { seq, kind, body in
            if seq == 1 { body["public_key"] = .string(forger.verifierKey.text) }
            if kind == "drop.accepted", body["name"]?.stringValue == "usage-2026-03.csv" { body["rows"] = 40 }
        }
        try FileManager.default.removeItem(atPath: site.path("Ledger/checkpoints"))
        try FileManager.default.createDirectory(atPath: site.path("Ledger/checkpoints"), withIntermediateDirectories: true)
        for cache in [StatusCache.relativePath, DocumentSeal.relativePath, MarginDetailCache.notePath, LedgerPrefix.relativePath] {
            try? FileManager.default.removeItem(atPath: site.path(cache))
        }
        let head = try #require(try site.entries().last?["hash"] as? String)
        try SignedNote.sign(text: try SignedNote.checkpointText(origin: "trust-site", count: 11, headHex: head), with: forger)
            .write(toFile: site.path("Ledger/checkpoints/11.txt"), atomically: true, encoding: .utf8)
        // The site's own key left in place is not the one the forged site.init records: named.
        let keyLeft = try site.recon(["verify"])
        #expect(keyLeft.code == 4 && keyLeft.out.contains("which is not the site key site.init records"), "\(keyLeft.out)")
        try FileManager.default.removeItem(atPath: keyDir + "/trust-site.key")
        try forger.write(to: keyDir + "/trust-site.key")
        // And the public key an auditor would copy from the site, which must be site.init's.
        #expect(try site.recon(["verify"]).out.contains("Ledger/keys/site.pub is not the public key site.init records"))
        try (forger.verifierKey.text + "\n").write(toFile: site.path("Ledger/keys/site.pub"), atomically: true, encoding: .utf8)
        // The site's own files agree with each other, but each document prints the head it was
        // issued under, which the rewritten chain no longer has.
        let unpinned = try site.recon(["verify"])
        #expect(unpinned.code == 4 && unpinned.out.contains("the entries before it were rewritten"), "\(unpinned.out)")

        let pinned = try site.recon(["verify", "--public-key", auditor + "/site.pub"])
        #expect(pinned.code == 4, "\(pinned.out)")
        #expect(pinned.out.hasPrefix("seq 1: site.init records the public key"), "\(pinned.out)")
        #expect(pinned.out.contains("re-keyed"), "\(pinned.out)")
        let pinnedText = try String(contentsOfFile: auditor + "/site.pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try site.recon(["verify", "--public-key", pinnedText]).code == 4)
        let kept = try site.recon(["verify", "--checkpoint", auditor + "/11.txt"])
        #expect(kept.code == 4, "\(kept.out)")
        #expect(kept.out.contains("kept checkpoint"), "\(kept.out)")
    }

    /// The same rewrite without re-keying (the attacker cannot sign): the kept checkpoint's
    /// head is no longer the ledger's. The site catches it on its own too: its last command's
    /// checkpoint is gone, and no note signed by the site key says a crash kept it from being written.
    @Test func aKeptCheckpointCatchesAnEditedRehashedLedgerWithItsCheckpointsDeleted() throws {
        let (site, keyDir) = try Self.keyDirSite()
        defer { try? FileManager.default.removeItem(atPath: keyDir) }
        let kept = site.root + "-kept-11.txt"
        defer { try? FileManager.default.removeItem(atPath: kept) }
        try FileManager.default.copyItem(atPath: site.path("Ledger/checkpoints/11.txt"), toPath: kept)
        try site.rewriteLedger { _, kind, body in
            if kind == "drop.accepted", body["name"]?.stringValue == "usage-2026-03.csv" { body["rows"] = 40 }
        }
        try FileManager.default.removeItem(atPath: site.path("Ledger/checkpoints/11.txt"))
        let alone = try site.recon(["verify"])
        #expect(alone.code == 4 && alone.out.hasPrefix("seq 11: period.closed has no checkpoint after it, and no note signed"), "\(alone.out)")
        let run = try site.recon(["verify", "--checkpoint", kept, "--public-key", keyDir + "/trust-site.pub"])
        #expect(run.code == 4, "\(run.out)")
        #expect(run.out.contains("the head hash differs from the hash of seq 11"), "\(run.out)")
    }

    /// Every checkpoint deleted and the ledger edited and re-hashed: more than one command
    /// lacks its checkpoint, which no crash leaves, so `recon verify` says so and the next
    /// writer refuses instead of signing a fresh checkpoint over the rewrite.
    @Test func withEveryCheckpointDeletedTheNextWriterSignsNothing() throws {
        let site = try TestSite.trustSite()
        // The edit is after the last signed request: one before it would also orphan that
        // request's ledger_head, which verify reports first.
        try site.rewriteLedger { _, kind, body in
            // (Its name: a row count edited is named before the checkpoints, as its own damage.)
            if kind == "drop.accepted", body["name"]?.stringValue == "usage-2026-04.csv" { body["name"] = "usage-2026-04-x.csv" }
        }
        try FileManager.default.removeItem(atPath: site.path("Ledger/checkpoints"))
        try FileManager.default.createDirectory(atPath: site.path("Ledger/checkpoints"), withIntermediateDirectories: true)
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4, "\(verify.out)")
        #expect(verify.out.hasPrefix("seq 11: period.closed has no checkpoint after it"), "\(verify.out)")
        let before = try Data(contentsOf: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl")))
        try site.drop("usage-2026-04-b.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-04-05T10:00:00Z,C1,D1,CT,1\n")
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 4, "\(ingest.err)")
        #expect(ingest.err.contains("checkpoints were deleted"), "\(ingest.err)")
        #expect(FileIO.list(site.path("Ledger/checkpoints")).isEmpty, "no checkpoint signed over the rewrite")
        #expect(try Data(contentsOf: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl"))) == before)
        if let audit = try site.auditorVerify() { #expect(audit.code == 4) }
    }

    @Test func aMissingKeptCheckpointIsBadUsageNotDamage() throws {
        let site = try TestSite.marchSite()
        let run = try site.recon(["verify", "--checkpoint", site.path("no-such-checkpoint.txt")])
        #expect(run.code == 1, "\(run.out)\(run.err)")
        #expect(run.err.contains("no-such-checkpoint.txt"), "\(run.err)")
        let key = try site.recon(["verify", "--public-key", "not-a-key"])
        #expect(key.code == 1, "\(key.err)")
    }

    /// A workbook a client holds: the ledger's own, a changed copy, and a missing file.
    @Test func verifyDocumentSaysWhetherTheLedgerIssuedAWorkbook() throws {
        let site = try TestSite.trustSite()
        let copy = site.root + "-INV-2026-000003.xlsx"
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try FileManager.default.copyItem(atPath: site.path("Outbox/2026-03/invoices/INV-2026-000003.xlsx"), toPath: copy)
        let seq = try #require(try site.entries().first { ($0["body"] as? [String: Any])?["number"] as? String == "INV-2026-000003" }?["seq"] as? Int)
        let cnSeq = try #require(try site.entries().first { ($0["body"] as? [String: Any])?["number"] as? String == "CN-2026-000002" }?["seq"] as? Int)
        let found = try site.recon(["verify", "--document", copy])
        #expect(found.code == 0, "\(found.out)\(found.err)")
        #expect(found.out.contains("INV-2026-000003, issued by this ledger (invoice.issued at seq \(seq), period 2026-03"), "\(found.out)")
        #expect(found.out.contains("referred to by: CN-2026-000002 (seq \(cnSeq))"), "\(found.out)")
        let json = try site.recon(["verify", "--document", copy, "--json"])
        #expect(json.out.contains(#""credit_notes":[{"number":"CN-2026-000002","seq":\#(cnSeq)}]"#), "\(json.out)")
        // The credit note a client holds names the invoice it credits.
        let note = try site.recon(["verify", "--document", site.path("Outbox/2026-03/credit-notes/CN-2026-000002.xlsx")])
        #expect(note.code == 0 && note.out.contains("it refers to: INV-2026-000003"), "\(note.out)")

        var bytes = try Data(contentsOf: URL(fileURLWithPath: copy))
        bytes.append(0)
        try bytes.write(to: URL(fileURLWithPath: copy))
        let changed = try site.recon(["verify", "--document", copy])
        #expect(changed.code == 4, "\(changed.out)")
        #expect(changed.out.contains("not issued by this ledger"), "\(changed.out)")
        // Its JSON answer has the shape of every verify failure: exit 4 and no entry's seq.
        let changedJSON = try site.recon(["verify", "--document", copy, "--json"])
        #expect(changedJSON.code == 4 && changedJSON.out.contains(#""exit":4"#) && changedJSON.out.contains(#""seq":null"#),
                "\(changedJSON.out)")
        #expect(try site.recon(["verify", "--document", copy + ".missing"]).code == 1)
    }

    /// `recon keygen` writes only `NAME.key` and `NAME.pub` into the chosen folder, for a
    /// plain name, and never overwrites a key.
    @Test(arguments: ["../../x", "a/b", ".hidden", "-x", "", "..", "/tmp/abs"])
    func keygenRefusesANameThatIsNotPlain(_ name: String) throws {
        let site = try TestSite()
        let dir = site.path("a/b")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let run = try site.recon(["keygen", name, "--dir", dir], site: false)
        #expect(run.code == 1, "\(name): \(run.err)")
        #expect(FileIO.list(dir).isEmpty && FileIO.list(site.path("a")) == ["b"] && FileIO.list(site.root) == ["a"], "\(name)")
        #expect(!FileManager.default.fileExists(atPath: site.root + "/../x.key"))
    }

    /// `recon keygen asha --dir ~/keys`, as the README shows it, on a machine with no `~/keys`
    /// yet: the folder is made, owner-only (it said "--dir … is not a folder", exit 1).
    @Test func keygenMakesItsFolderOwnerOnly() throws {
        let site = try TestSite()
        let dir = site.path("keys")
        let run = try site.recon(["keygen", "asha", "--dir", dir], site: false)
        #expect(run.code == 0, "\(run.err)")
        var st = stat()
        #expect(stat(dir, &st) == 0 && st.st_mode & 0o777 == 0o700)
        #expect(FileIO.list(dir) == ["asha.key", "asha.pub"])
    }

    /// The hint after keygen is meant to be copied: a folder with a space in its name printed
    /// `recon operator add bob sub dir/bob.pub`, two words where one was meant.
    @Test func keygensHintQuotesAPathThatNeedsIt() throws {
        let site = try TestSite()
        let dir = site.path("sub dir")
        let run = try site.recon(["keygen", "bob", "--dir", dir], site: false)
        #expect(run.code == 0, "\(run.err)")
        #expect(run.out.contains("recon operator add bob '\(dir)/bob.pub'\n"), "\(run.out)")
        let plain = try site.recon(["keygen", "asha", "--dir", site.path("keys")], site: false)
        #expect(plain.out.contains("recon operator add asha \(site.path("keys"))/asha.pub\n"), "\(plain.out)")
    }

    /// keygen writes the private key, then the public one: killed between the two, it left a
    /// key without its `.pub` (which `operator add` needs), and a retry was refused. The retry
    /// finishes the pair from the key; a key of another name is still never touched.
    @Test func keygenFinishesAPairItWasInterruptedWriting() throws {
        let site = try TestSite()
        let dir = site.path("keys")
        #expect(try site.recon(["keygen", "zed", "--dir", dir], site: false).code == 0)
        let pub = try String(contentsOfFile: dir + "/zed.pub", encoding: .utf8)
        let key = try String(contentsOfFile: dir + "/zed.key", encoding: .utf8)
        try FileManager.default.removeItem(atPath: dir + "/zed.pub")
        let again = try site.recon(["keygen", "zed", "--dir", dir], site: false)
        #expect(again.code == 0, "\(again.err)")
        #expect(again.out.contains("without its public key (a keygen interrupted): wrote"), "\(again.out)")
        #expect(try String(contentsOfFile: dir + "/zed.pub", encoding: .utf8) == pub)
        #expect(try String(contentsOfFile: dir + "/zed.key", encoding: .utf8) == key)
        // Both there: refused, as ever.
        #expect(try site.recon(["keygen", "zed", "--dir", dir], site: false).code == 3)
        // A key file named for another operator is not finished under this name.
        try FileManager.default.moveItem(atPath: dir + "/zed.key", toPath: dir + "/amy.key")
        let other = try site.recon(["keygen", "amy", "--dir", dir], site: false)
        #expect(other.code == 3 && other.err.contains("holds the key of \"zed\", not of amy"), "\(other.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/amy.pub"))
        // One others can read is no key to finish a pair with: said so.
        try FileManager.default.moveItem(atPath: dir + "/amy.key", toPath: dir + "/zed.key")
        try FileManager.default.removeItem(atPath: dir + "/zed.pub")
        #expect(chmod(dir + "/zed.key", 0o644) == 0)
        let exposed = try site.recon(["keygen", "zed", "--dir", dir], site: false)
        #expect(exposed.code == 3 && exposed.err.contains("cannot finish the pair"), "\(exposed.err)")
    }

    /// Killed between creating the key file and writing it, keygen left an empty `NAME.key`,
    /// and the retry was refused as "not a private key"; killed at its rename, a `.NAME.pub.PID.tmp`
    /// no command ever removed. The retry takes both away, saying so, and makes the pair.
    @Test func keygenTakesAwayWhatAnInterruptedOneLeft() throws {
        let site = try TestSite()
        let dir = site.path("keys")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: dir + "/dave.key", contents: Data(), attributes: [.posixPermissions: 0o600]))
        // A process id no process has (Linux's pid_max is at most 4194304).
        try "x".write(toFile: dir + "/.dave.pub.4999999.tmp", atomically: false, encoding: .utf8)
        let run = try site.recon(["keygen", "dave", "--dir", dir], site: false)
        #expect(run.code == 0, "\(run.out)\(run.err)")
        #expect(run.err.contains("removed what an interrupted keygen left: \(dir)/.dave.pub.4999999.tmp, \(dir)/dave.key (empty)"), "\(run.err)")
        #expect(try SigningKey.read(from: dir + "/dave.key").name == "dave")
        #expect(!FileManager.default.fileExists(atPath: dir + "/.dave.pub.4999999.tmp"))
        // A key file with bytes in it is never taken away.
        try FileManager.default.removeItem(atPath: dir + "/dave.pub")
        let finished = try site.recon(["keygen", "dave", "--dir", dir], site: false)
        #expect(finished.code == 0 && finished.out.contains("a keygen interrupted"), "\(finished.out)\(finished.err)")
    }

    @Test func keygenNeverOverwritesAKey() throws {
        let site = try TestSite()
        #expect(try site.recon(["keygen", "asha", "--dir", site.root], site: false).code == 0)
        let before = try site.read("asha.key")
        var st = stat()
        #expect(stat(site.path("asha.key"), &st) == 0 && st.st_mode & 0o777 == 0o600)
        let again = try site.recon(["keygen", "asha", "--dir", site.root], site: false)
        #expect(again.code == 3, "\(again.err)")
        #expect(try site.read("asha.key") == before)
    }

    /// A private key its group or others can read is refused wherever it is loaded: an
    /// operator's for a rerun or credit, the site key for the checkpoint that must follow.
    @Test func aKeyFileOthersCanReadIsRefused() throws {
        let site = try TestSite.closedMarchSite()
        let key = try site.operatorKey("asha", listed: true)
        let before = try Data(contentsOf: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl")))
        chmod(key, 0o644)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late card", "--key", key], env: TestSite.rerunDay)
        #expect(rerun.code == 3, "\(rerun.err)")
        #expect(rerun.err.contains("chmod 600 \(key)"), "\(rerun.err)")
        chmod(key, 0o600)
        chmod(site.path("Ledger/keys/site.key"), 0o640)
        let credit = try site.recon(["credit", "INV-2026-000001", "--amount", "10.00", "--reason", "x", "--key", key], env: TestSite.rerunDay)
        #expect(credit.code == 3, "\(credit.err)")
        #expect(credit.err.contains("chmod 600"), "\(credit.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl"))) == before)
        // A writer that signs only its own intent records goes on without the key, and says so.
        let decide = try site.recon(["decide", "R5", "approve", "--by", "Asha"], env: TestSite.rerunDay)
        #expect(decide.err.contains("Ledger/keys/site.key can be read by its group or others, so it signs nothing: close, "
            + "rerun, credit and operator changes refuse until `chmod 600"), "\(decide.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl"))) == before)
        chmod(site.path("Ledger/keys/site.key"), 0o600)
        #expect(try site.recon(["rerun", "2026-03", "--reason", "late card", "--key", key], env: TestSite.rerunDay).code == 0)
    }

    /// A statement goes to a hospital: it is written only from a ledger that checks as a
    /// writer's does. An invoice's total raised and the chain re-hashed behind a checkpoint
    /// makes `recon statement` refuse (exit 4) and write nothing.
    @Test func aStatementIsNotWrittenFromALedgerRewrittenBehindACheckpoint() throws {
        let site = try TestSite.trustSite()
        try site.rewriteLedger { _, kind, body in
            if kind == "invoice.issued", body["number"]?.stringValue == "INV-2026-000001" { body["total"] = "999.00" }
        }
        let statement = try site.recon(["statement", "C1"], env: TestSite.aprilLater)
        #expect(statement.code == 4, "\(statement.out)\(statement.err)")
        #expect(statement.err.contains("checkpoint"), "\(statement.err)")
        #expect(!site.exists("Outbox/statements/C1.xlsx"))
    }

    /// `recon status` showed the figures of a ledger rewritten behind its checkpoints (an
    /// invoice's total changed, the chain re-hashed) with exit 0, said the checkpoint still
    /// signed the head, and signed its cache over those figures; an unsigned credit note appended
    /// after the last checkpoint was shown as owed less. It now checks as `statement` does when
    /// it computes its figures (exit 4, no cache written), and its cache is one only a checked
    /// ledger made, with the checkpoints it was made beside.
    @Test(arguments: ["rewritten behind a checkpoint", "unsigned credit note appended", "checkpoint forged",
                      "checkpoint rewritten, its size and times put back"])
    func statusShowsNoFiguresOfALedgerThatDoesNotCheck(how: String) throws {
        let site = try TestSite.trustSite()
        let status = try site.recon(["status"], env: TestSite.aprilLater)
        #expect(status.code == 0, "\(status.err)")
        #expect(site.exists(StatusCache.relativePath))
        switch how {
        case "rewritten behind a checkpoint":
            try site.rewriteLedger { _, kind, body in
                if kind == "invoice.issued", body["number"]?.stringValue == "INV-2026-000001" { body["total"] = "999.00" }
            }
        case "unsigned credit note appended":
            let last = try #require(try site.entries().last)
            let credit = try #require(try site.bodies("credit_note.issued").last)
            var body = try JSONParser.parse(Array(try JSONSerialization.data(withJSONObject: credit)))
            if case .object(var o) = body {
                o["number"] = "CN-2026-000009"
                o["file"] = .string((o["file"]?.stringValue ?? "").replacingOccurrences(of: "CN-2026-000002", with: "CN-2026-000009"))
                o.removeValue(forKey: "request"); o.removeValue(forKey: "signature"); o.removeValue(forKey: "signed_by")
                body = .object(o)
            }
            guard case .object(let forged) = body else { return }
            let seq = try #require(last["seq"] as? Int)
            let entry = LedgerEntry(seq: seq + 1, at: try #require(last["at"] as? String), kind: "credit_note.issued", body: forged,
                                    prev: try #require(last["hash"] as? String))
            let handle = try #require(FileHandle(forWritingAtPath: site.path("Ledger/ledger.jsonl")))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(entry.line))
            try handle.close()
        case "checkpoint rewritten, its size and times put back":
            let newest = try #require(Checkpointer(site: Site(root: site.root)).all().last)
            let path = site.path("Ledger/checkpoints/\(newest).txt")
            let before = try #require(FileStamp.of(path))
            var text = try site.read("Ledger/checkpoints/\(newest).txt")
            let last = try #require(text.dropLast().last)
            text = String(text.dropLast(2)) + (last == "A" ? "B" : "A") + "\n"
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            var times = [timespec(tv_sec: Int(before.modified.seconds), tv_nsec: Int(before.modified.nanoseconds)),
                         timespec(tv_sec: Int(before.modified.seconds), tv_nsec: Int(before.modified.nanoseconds))]
            #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
            #expect(FileStamp.of(path)?.size == before.size && FileStamp.of(path)?.modified == before.modified)
        default:
            let newest = try #require(Checkpointer(site: Site(root: site.root)).all().last)
            try "trust-site\n\(newest)\nAAAA\n\n— trust-site AAAA\n".write(toFile: site.path("Ledger/checkpoints/999.txt"), atomically: true,
                                                                         encoding: .utf8)
        }
        let cache = try site.read(StatusCache.relativePath)
        let again = try site.recon(["status"], env: TestSite.aprilLater)
        #expect(again.code == 4, "\(how): \(again.out)\(again.err)")
        #expect(again.out.isEmpty, "\(how): \(again.out)")
        #expect(try site.read(StatusCache.relativePath) == cache, "\(how): no cache signed over it")
        #expect(try site.recon(["status", "--json"], env: TestSite.aprilLater).code == 4, "\(how)")
    }

    /// `recon verify --site typo` said "verification failed" (exit 4) where every other command
    /// says the folder is no site (exit 1); a site whose ledger is gone is still damage.
    @Test func verifyOfAFolderThatIsNoSiteIsBadUsage() throws {
        let site = try TestSite.marchSite()
        let typo = try site.recon(["verify", "--site", site.path("no-such-site")], site: false)
        #expect(typo.code == 1, "\(typo.out)\(typo.err)")
        #expect(typo.err.contains("is not a recon site"), "\(typo.err)")
        try FileManager.default.removeItem(atPath: site.path("Ledger/ledger.jsonl"))
        let gone = try site.recon(["verify"])
        #expect(gone.code == 4 && gone.out.contains("ledger.jsonl is missing, but the site holds"), "\(gone.out)\(gone.err)")
    }

    /// `Ledger/keys/site.pub` is what an auditor copies to pin: another key put there passed
    /// `recon verify`. It must be the key `site.init` records.
    @Test func aSitePubThatIsNotTheRecordedKeyFailsVerify() throws {
        let site = try TestSite.marchSite()
        let good = try site.read("Ledger/keys/site.pub")
        #expect(try site.recon(["verify"]).code == 0)
        let other = try SigningKey.generate(name: "trust-site").verifierKey.text + "\n"
        try other.write(toFile: site.path("Ledger/keys/site.pub"), atomically: true, encoding: .utf8)
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4, "\(verify.out)")
        #expect(verify.out.contains("Ledger/keys/site.pub is not the public key site.init records"), "\(verify.out)")
        // Nothing is appended to a site verify fails: the writers refuse it too.
        try site.drop("usage-2026-04.csv", TestSite.april)
        let before = try site.ledgerBytes()
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 4 && ingest.err.contains("Ledger/keys/site.pub is not the public key site.init records"), "\(ingest.err)")
        #expect(try site.ledgerBytes() == before)
        try FileManager.default.removeItem(atPath: site.path("Inbox/usage-2026-04.csv"))
        try good.write(toFile: site.path("Ledger/keys/site.pub"), atomically: true, encoding: .utf8)
        #expect(try site.recon(["verify"]).code == 0)
        // Gone: noted, and the next writer writes it again from site.init.
        try FileManager.default.removeItem(atPath: site.path("Ledger/keys/site.pub"))
        let gone = try site.recon(["verify"])
        #expect(gone.code == 0 && (gone.out + gone.err).contains("Ledger/keys/site.pub is missing"), "\(gone.out)\(gone.err)")
        try site.drop("usage-2026-04.csv", TestSite.april)
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        #expect(try site.read("Ledger/keys/site.pub") == good)
    }

    /// The site key is the one `site.init` records, or nothing is signed: another site's key
    /// put in its place, or named by `site_key` in `recon.toml`, makes close refuse before it
    /// appends (exit 4), where it would have signed a checkpoint no verifier accepts.
    @Test(arguments: ["file swapped", "site_key in recon.toml"])
    func aSiteKeyThatIsNotTheRecordedOneSignsNothing(how: String) throws {
        let site = try TestSite.marchSite()
        let other = try TestSite()
        #expect(try other.recon(["init", "--name", "trust-site", "--base-currency", "INR"], env: TestSite.closeDay).code == 0)
        if how == "file swapped" {
            try FileManager.default.removeItem(atPath: site.path("Ledger/keys/site.key"))
            try FileManager.default.copyItem(atPath: other.path("Ledger/keys/site.key"), toPath: site.path("Ledger/keys/site.key"))
        } else {
            try (try site.read("recon.toml") + "site_key = \"\(other.path("Ledger/keys/site.key"))\"\n")
                .write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        }
        let before = try site.ledgerBytes()
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 4, "\(close.out)\(close.err)")
        #expect(close.err.contains("is not the site key site.init records"), "\(close.err)")
        #expect(try site.ledgerBytes() == before)
        // Nor does a writer that signs nothing append (an ingest did, to a ledger verify refuses).
        try site.drop("payments-1.csv", "payment_id,client_id,received_on,amount,currency\nP1,C1,2026-03-20,10.00,INR\n")
        let ingest = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(ingest.code == 4 && ingest.err.contains("is not the site key site.init records"), "\(ingest.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(!site.exists("Outbox/2026-03/invoices"))
        #expect(Checkpointer(site: Site(root: site.root)).all().isEmpty)
        // `recon verify` names the key too; the auditor's verifier of the ledger's format has nothing to say.
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4 && verify.out.contains("is not the site key site.init records"), "\(verify.out)")
        if let audit = try site.auditorVerify() { #expect(audit.code == 0, "\(audit.out)\(audit.err)") }
    }
}


/// A credit note's signed request vouches for the invoice, amount and reason; the client,
/// currency and period are the invoice's. Rewritten to another client by the holder of the
/// site key (hashes redone, the checkpoint signed again), it put a credit on that client's
/// account while both verifiers said ok.
struct CreditNoteOfAnotherClientTests {
    /// The signed credit note's `member` set to `value`, every hash redone and every checkpoint
    /// signed again, as the site key's holder can; returns the credit note's number.
    func rewriteSignedCreditNote(_ site: TestSite, member: String, value: JSONValue) throws -> String {
        var number = ""
        try site.rewriteLedger { _, kind, body in
            guard kind == "credit_note.issued", body["request"] != nil else { return }
            body[member] = value
            number = body["number"]?.stringValue ?? ""
        }
        #expect(!number.isEmpty)
        try resignEveryCheckpoint(site)
        return number
    }

    /// Every checkpoint signed again over the rewritten entries with the site key, and the
    /// caches signed over the old ones removed: what the key's holder can do.
    func resignEveryCheckpoint(_ site: TestSite, origin: String = "trust-site") throws {
        for cache in [StatusCache.relativePath, DocumentSeal.relativePath, MarginDetailCache.notePath, LedgerPrefix.relativePath] {
            try? FileManager.default.removeItem(atPath: site.path(cache))
        }
        let entries = try site.entries()
        let key = try SiteKeyFile.load(Site(root: site.root))
        for count in Checkpointer(site: Site(root: site.root)).all() {
            let head = try #require(entries[count - 1]["hash"] as? String)
            try SignedNote.sign(text: try SignedNote.checkpointText(origin: origin, count: count, headHex: head), with: key)
                .write(toFile: site.path("Ledger/checkpoints/\(count).txt"), atomically: true, encoding: .utf8)
        }
    }

    /// An early entry rewritten (a clients drop's name), every hash redone and every checkpoint
    /// signed again: chain and signatures hold, but each document prints the head it was issued
    /// under, which the chain no longer has. `recon verify` names the first such document.
    @Test func documentsIssuedUnderHeadsTheChainNoLongerHasFailVerification() throws {
        let site = try TestSite.closedMarchSite()  // no signed request, whose ledger_head would tell first
        try site.rewriteLedger { seq, kind, body in
            guard seq == 2, kind == "drop.accepted" else { return }
            body["name"] = .string("renamed.csv")
        }
        try resignEveryCheckpoint(site)
        let verify = try site.recon(["verify"], env: TestSite.aprilLater)
        #expect(verify.code == 4, "\(verify.out)\(verify.err)")
        #expect(verify.out.contains("was issued under seq") && verify.out.contains("the entries before it were rewritten"), "\(verify.out)")
    }

    /// The issue date a credit note prints under its invoice (layout 7) is the invoice's: a
    /// date rewritten would send accounts payable to another invoice of the same number series.
    @Test func aCreditNotePrintingAnotherIssueDateForItsInvoiceFailsVerification() throws {
        let site = try TestSite.trustSite()
        let issued = try #require(try site.read("Ledger/ledger.jsonl").split(separator: "\n")
            .first { $0.contains("credit_note.issued") && $0.contains("\"request\"") })
        #expect(issued.contains("\"refers_to_issued_on\":[\""), "\(issued)")
        let number = try rewriteSignedCreditNote(site, member: "refers_to_issued_on", value: .array([.string("2026-01-15")]))
        let verify = try site.recon(["verify"], env: TestSite.aprilLater)
        #expect(verify.code == 4, "\(verify.out)\(verify.err)")
        #expect(verify.out.contains("\(number) prints INV-2026-000003 as issued on 2026-01-15, but its entry"), "\(verify.out)")
        let before = try site.ledgerBytes()
        let writer = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(writer.code == 4, "\(writer.err)")
        #expect(try site.ledgerBytes() == before)
    }

    @Test(arguments: [("client_id", "C2"), ("currency", "USD"), ("period", "2026-02")])
    func aCreditNoteRewrittenToAnotherClientCurrencyOrPeriodFailsVerification(member: String, value: String) throws {
        let site = try TestSite.trustSite()
        let number = try rewriteSignedCreditNote(site, member: member, value: .string(value))
        let verify = try site.recon(["verify"], env: TestSite.aprilLater)
        #expect(verify.code == 4, "\(verify.out)\(verify.err)")
        #expect(verify.out.contains("\(number) has \(member) \(value), but INV-2026-000003, which it refers to"), "\(verify.out)")
        let writer = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(writer.code == 4, "\(writer.err)")
    }
}

extension TestSite {
    /// Rewrites every entry through `edit(seq, kind, &body)` and redoes every hash and prev:
    /// what someone with write access to the site can do without any key.
    func rewriteLedger(_ edit: (Int, String, inout [String: JSONValue]) -> Void) throws {
        var out = Data()
        var prev = LedgerEntry.zeroHash
        for (i, line) in try ledgerLines().enumerated() {
            guard case .object(let o) = try JSONParser.parse(Array(line)), case .object(var body)? = o["body"],
                case .string(let at)? = o["at"], case .string(let kind)? = o["kind"]
            else { throw FileIO.Failure(path: path("Ledger/ledger.jsonl"), action: "rewrite", code: 0) }
            edit(i + 1, kind, &body)
            let entry = LedgerEntry(seq: i + 1, at: at, kind: kind, body: body, prev: prev)
            out.append(contentsOf: entry.line)
            prev = entry.hash
        }
        try out.write(to: URL(fileURLWithPath: path("Ledger/ledger.jsonl")))
    }
}
