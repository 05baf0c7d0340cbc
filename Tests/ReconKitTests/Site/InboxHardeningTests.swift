import Crypto
import Foundation
import Testing

@testable import ReconKit
#if canImport(Glibc)
import Glibc
#endif

/// Bad input and odd Inbox entries, through the real binary on real files (SPEC §2): each
/// gets an answer — rejected with line and column, moved aside with a reason, or refused —
/// never a crash, a hang, an overwrite or a forged log line; and the ledger still verifies.
@Suite("Inbox — hostile drops, odd files, no overwrites (SPEC §2)", .serialized)
struct InboxHardeningTests {
    static let env = ["RECON_NOW": "2026-04-02T09:00:00Z"]
    static let usageHeader = "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\n"

    /// C1 (5 images a case, 18 % tax), D1 and cards for March 2026, into the Inbox.
    static func dropMasterData(_ site: TestSite) throws {
        try site.drop("clients.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate\nC1,City Hospital,INR,standard,2020-01-01,5,18\n")
        try site.drop("radiologists.csv", "radiologist_id,name,grade,seniority_years,currency\nD1,Dr Rao,consultant,10,INR\n")
        try site.drop("provider_rates.csv", "effective_from,grade,modality,urgency,min_seniority_years,rate_per_report,rate_per_image,currency\n2026-03-01,*,*,*,0,50.00,0,INR\n")
        try site.drop("client_rates.csv", "effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode\n2026-03-01,*,*,*,*,1,,100.00,INR,volume\n")
    }

    /// A site with C1/D1 and cards for March 2026, and one report (R1) in March.
    func preparedSite() throws -> TestSite {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "input-site", "--base-currency", "INR", "--timezone", "UTC"], env: Self.env).code == 0)
        try Self.dropMasterData(site)
        try site.drop("usage-2026-03.csv", Self.usageHeader + "R1,2026-03-02T10:00:00Z,C1,D1,CT,2,routine\n")
        let ingest = try site.recon(["ingest"], env: Self.env)
        #expect(ingest.code == 0, "\(ingest.out)\(ingest.err)")
        return site
    }

    /// A drop recon's user may not read (saved owner-only by someone else; strace makes its open
    /// fail so, as root reads anything) stopped the batch: the drops before it were recorded,
    /// it and every one after it were "not taken", exit 1, on every run and every watch. It is
    /// moved unread to `rejected/` with a reason saying what to do, and the rest go on.
    @Test(.enabled(if: ProcessRunner.executable(named: "strace") != nil, "needs strace (Debian strace) to deny the drop's open"))
    func aDropReconCannotReadIsRejectedAndTheBatchGoesOn() throws {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "input-site", "--base-currency", "INR", "--timezone", "UTC"], env: Self.env).code == 0)
        try Self.dropMasterData(site)
        let denied = site.path("Inbox/radiologists.csv")
        let run = try ProcessRunner.run(try #require(ProcessRunner.executable(named: "strace")),
            ["-f", "-o", "/dev/null", "-P", denied, "-e", "trace=openat,open", "-e", "inject=openat,open:error=EACCES",
             TestSite.binary, "ingest", "--site", site.root, "--json"], environment: Self.env)
        #expect(run.code == 2, "\(run.out)\(run.err)")
        #expect(site.exists("Inbox/rejected/radiologists.csv") && !site.exists("Inbox/radiologists.csv"))
        let errors = try site.read("Inbox/rejected/radiologists.csv.errors.txt")
        #expect(errors.contains("cannot be read by the user recon runs as") && errors.contains("Permission denied"), "\(errors)")
        // The drops beside it were taken: clients and both cards.
        #expect(!site.exists("Inbox/clients.csv") && !site.exists("Inbox/provider_rates.csv") && !site.exists("Inbox/client_rates.csv"))
        #expect(try ledgerLines(site) == 4)
        #expect(try site.recon(["verify", "--strict"]).code == 0)
    }

    /// A required name or `by` of only a no-break space, U+3000 or a zero-width space passed the
    /// rule for blank text (only ASCII spaces were trimmed): an exclusion was recorded "by" no
    /// one, and a client named by nothing. Rejected at line and column; `recon decide` refuses it.
    @Test func aRequiredTextOfNothingVisibleIsRejected() throws {
        let site = try preparedSite()
        let before = try ledgerLines(site)
        try site.drop("decisions-blank.csv", "subject,decision,by\nR1,exclude,\u{00A0}\n")
        try site.drop("clients-blank.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nC2,\u{200B},INR,standard,2020-01-01,5\n")
        try site.drop("radiologists-blank.csv", "radiologist_id,name,grade,seniority_years\nD2,\u{3000}\u{3000},consultant,3\n")
        #expect(try site.recon(["ingest"], env: Self.env).code == 2)
        for (name, place, scalar) in [("decisions-blank.csv", "line 2, column 3 (by)", "U+00A0"), ("clients-blank.csv", "line 2, column 2 (name)", "U+200B"),
                                      ("radiologists-blank.csv", "line 2, column 2 (name)", "U+3000")] {
            let errors = try site.read("Inbox/rejected/\(name).errors.txt")
            #expect(errors.contains("\(place): holds nothing to read, only \(scalar)"), "\(name): \(errors)")
        }
        let decide = try site.recon(["decide", "R1", "exclude", "--by", "\u{3000}"], env: Self.env)
        #expect(decide.code == 2 && decide.err.contains("--by holds nothing to read, only U+3000"), "\(decide.err)")
        #expect(try ledgerLines(site) == before)
        // A name with letters beside such a space is a name.
        #expect(try site.recon(["decide", "R1", "approve", "--by", "Asha\u{00A0}Rao"], env: Self.env).code == 0)
    }

    /// A clients drop an earlier version took, whose header names `tax_rate` in fullwidth
    /// letters (ignored then, as unknown) and whose name is one character of 32 accents: read
    /// again under the rules added since, every command refused the intact site (exit 4) and
    /// called its entry forged, while the auditor's verifier passed it. An archived drop is
    /// read as it was taken; the same bytes dropped now are rejected.
    @Test func aDropAnEarlierVersionTookIsReadAsItWasTaken() throws {
        let site = try preparedSite()
        let text = "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,\u{FF54}\u{FF41}\u{FF58}_rate\n"
            + "C2,Zalgo e" + String(repeating: "\u{301}", count: 32) + " Clinic,INR,standard,2020-01-01,5,18\n"
        let bytes = Data(text.utf8)
        let sha = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        try bytes.write(to: URL(fileURLWithPath: site.path("Ledger/drops/\(sha).csv")))
        try site.appendEntry(kind: "drop.accepted", body: ["kind": .string("clients"), "name": .string("clients-old.csv"),
                                                           "path": .string("Ledger/drops/\(sha).csv"), "rows": 1, "sha256": .string(sha)],
                             at: "2026-04-02T09:00:00Z")
        try expectVerifies(site)
        site.expectAuditorAccepts()
        try site.drop("usage-c2.csv", Self.usageHeader + "R2,2026-03-03T10:00:00Z,C2,D1,CT,2,routine\n")
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)
        try expectVerifies(site)
        // Its rows sent again now (the same bytes would be a copy of the taken drop, skipped).
        try site.drop("clients-again.csv", text + "\n")
        #expect(try site.recon(["ingest"], env: Self.env).code == 2)
        let errors = try site.read("Inbox/rejected/clients-again.csv.errors.txt")
        #expect(errors.contains("is not tax_rate") && errors.contains("U+FF54"), "\(errors)")
    }

    func expectVerifies(_ site: TestSite) throws {
        let v = try site.recon(["verify"], env: Self.env)
        #expect(v.code == 0, "\(v.out)\(v.err)")
    }

    func ledgerLines(_ site: TestSite) throws -> Int { try site.read("Ledger/ledger.jsonl").split(separator: "\n").count }

    func names(_ site: TestSite, _ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: site.path(dir))) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    func reconOrKill(_ site: TestSite, _ args: [String]) throws -> (TestSite.Run, killed: Bool) {
        try site.reconOrKill(args, env: Self.env)
    }

    /// High 3: a timestamp in 3026 trapped (exit 132), stayed in the Inbox and stopped every later ingest.
    @Test func aTimestampInTheYear3026IsRejectedAndTheSiteGoesOn() throws {
        let site = try preparedSite()
        try site.drop("usage-far.csv", Self.usageHeader + "R2,2026-03-03T10:00:00Z,C1,D1,CT,1,\nR3,3026-03-10T10:00:00Z,C1,D1,CT,1,\n")
        let r = try site.recon(["ingest"], env: Self.env)
        #expect(r.code == 2, "\(r.out)\(r.err)")
        #expect(!site.exists("Inbox/usage-far.csv"))
        let errors = try site.read("Inbox/rejected/usage-far.csv.errors.txt")
        #expect(errors.hasPrefix("line 3, column 2 (reported_at): \"3026-03-10T10:00:00Z\" is in the year 3026; dates and timestamps lie in the years 1970–2199"), "\(errors)")
        let again = try site.recon(["ingest"], env: Self.env)
        #expect(again.code == 0 && again.out == "nothing to ingest\n", "\(again.out)\(again.err)")
        try expectVerifies(site)
    }

    /// A file named on the command line whose name is never read (SPEC §2: `.tmp`, `.part`, a
    /// dot file) is not taken and not moved; the command exits 2, not 0 as if it went in.
    @Test func aNamedFileWhoseNameIsNeverReadIsNotTakenAndExits2() throws {
        let site = try preparedSite()
        let before = try site.read("Ledger/ledger.jsonl")
        let outside = site.path("usage-export.csv.tmp")
        try (Self.usageHeader + "R2,2026-03-03T10:00:00Z,C1,D1,CT,1,\n").write(toFile: outside, atomically: true, encoding: .utf8)
        let r = try site.recon(["ingest", outside], env: Self.env)
        #expect(r.code == 2, "\(r.out)\(r.err)")
        #expect(r.err.contains("usage-export.csv.tmp: ignored (not taken: its name ends in .tmp (still being written), and such a file "
            + "is never read as a drop; rename it to take it"), "\(r.err)")
        #expect(site.exists("usage-export.csv.tmp"))
        #expect(try site.read("Ledger/ledger.jsonl") == before)
    }

    /// What Windows and Office leave in a folder a clerk opened (`Thumbs.db`, `desktop.ini`,
    /// Excel's `~$usage.csv` while the drop is open) was rejected as a drop of no kind: every cron
    /// `watch --once` exited 2, and `rejected/` filled with them. They are never read, as in
    /// `Outbox/` and `Ledger/`.
    @Test func filesWindowsAndOfficeKeepInTheInboxAreNotDrops() throws {
        let site = try preparedSite()
        let before = try site.read("Ledger/ledger.jsonl")
        for name in ["Thumbs.db", "desktop.ini", "~$usage-2026-03.csv"] {
            try "\u{1}owner\n".write(toFile: site.path("Inbox/" + name), atomically: true, encoding: .utf8)
        }
        let r = try site.recon(["watch", "--once"], env: Self.env)
        #expect(r.code == 0, "\(r.out)\(r.err)")
        #expect(!site.exists("Inbox/rejected/Thumbs.db") && site.exists("Inbox/Thumbs.db") && site.exists("Inbox/~$usage-2026-03.csv"))
        #expect(try site.read("Ledger/ledger.jsonl") == before)
        try expectVerifies(site)
    }

    /// Two drops of one kind named on the command line are taken in the order given, so the
    /// later one's rows are in force (SPEC §2: the latest accepted row for an id). They were
    /// sorted by name: `clients-old.csv` went in after `clients-fix.csv`, its 5 % tax in force
    /// without a word. Master data still goes before usage, whatever the order given.
    @Test func namedDropsOfOneKindAreTakenInTheOrderGiven() throws {
        let site = try TestSite.marchSite()
        let header = "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate\n"
        try (header + "C1,City Hospital,INR,standard,2020-01-01,10,5\n").write(toFile: site.path("clients-old.csv"), atomically: true, encoding: .utf8)
        try (header + "C1,City Hospital,INR,standard,2020-01-01,10,18\n").write(toFile: site.path("clients-fix.csv"), atomically: true, encoding: .utf8)
        try "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-03-09T10:00:00Z,C1,D1,CT,1\n"
            .write(toFile: site.path("usage-extra.csv"), atomically: true, encoding: .utf8)
        let ingest = try site.recon(["ingest", site.path("usage-extra.csv"), site.path("clients-old.csv"), site.path("clients-fix.csv")],
                                    env: Self.env)
        #expect(ingest.code == 0, "\(ingest.err)")
        let taken = try site.bodies("drop.accepted").compactMap { $0["name"] as? String }.suffix(3)
        #expect(Array(taken) == ["clients-old.csv", "clients-fix.csv", "usage-extra.csv"], "\(taken)")
        #expect(try site.recon(["close", "2026-03"], env: Self.env).code == 0)
        let invoice = try site.bodies("invoice.issued").first { $0["client_id"] as? String == "C1" }
        #expect(invoice?["tax"] as? String == "72.00", "18 % of C1's 4 × 100.00 (5 % is 20.00): \(String(describing: invoice?["tax"]))")
    }

    /// A drop rejected for a client not known yet, dropped again unchanged once the clients file
    /// is in, is accepted; its rejected copy stayed in `rejected/` and `status` went on listing
    /// it as rejected. It leaves with its errors file, as when it is named there.
    @Test func aRejectedDropWhoseBytesAreTakenLaterLeavesRejected() throws {
        let site = try preparedSite()
        let usage = Self.usageHeader + "K1,2026-03-03T10:00:00Z,C9,D1,CT,1,\n"
        try site.drop("usage-k.csv", usage)
        #expect(try site.recon(["ingest"], env: Self.env).code == 2)
        #expect(site.exists("Inbox/rejected/usage-k.csv"))
        try site.drop("clients-c9.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nC9,Nine,INR,std,2020-01-01,5\n")
        try site.drop("usage-k.csv", usage)
        let taken = try site.recon(["ingest"], env: Self.env)
        #expect(taken.code == 0, "\(taken.err)")
        #expect(FileIO.list(site.path("Inbox/rejected")).isEmpty, "\(FileIO.list(site.path("Inbox/rejected")))")
        #expect(!(try site.recon(["status"], env: Self.env).out.contains("rejected: 1")))
    }

    /// A site whose Inbox/ folder went: `ingest` does not say "nothing to ingest" as of an empty
    /// Inbox, and `watch` does not send the clerk to `recon init` (which refuses a site).
    @Test func aSiteWithoutItsInboxFolderSaysToMakeItAgain() throws {
        let site = try preparedSite()
        try FileManager.default.removeItem(atPath: site.path("Inbox"))
        let ingest = try site.recon(["ingest"], env: Self.env)
        #expect(ingest.code == 0 && ingest.out.contains("the site has no Inbox/ folder — make it again (`mkdir Inbox`)"), "\(ingest.out)")
        let watch = try site.recon(["watch", "--once"], env: Self.env)
        #expect(watch.code == 1 && watch.err.contains("make the folder again (`mkdir Inbox`)"), "\(watch.err)")
    }

    /// A drop corrected where it was rejected and named again is accepted; it and its errors
    /// file then left `rejected/` (status went on listing it as rejected, problems and all).
    /// Named again but still wrong, it stays there, as it was.
    @Test func aDropCorrectedInRejectedLeavesItOnceTaken() throws {
        let site = try preparedSite()
        try site.drop("usage-fix.csv", Self.usageHeader + "R2,2026-03-03T10:00:00Z,C1,D1,CT,x,\n")
        #expect(try site.recon(["ingest"], env: Self.env).code == 2)
        #expect(names(site, "Inbox/rejected") == ["usage-fix.csv", "usage-fix.csv.errors.txt"])
        // Fixed in one place and broken in another: still rejected, and its errors file says
        // what is wrong now (status counts its problems from it).
        try (Self.usageHeader + "R2,2026-03-03T10:00:00Z,C1,D1,C T,1,\n").write(toFile: site.path("Inbox/rejected/usage-fix.csv"),
                                                                                   atomically: true, encoding: .utf8)
        let still = try site.recon(["ingest", site.path("Inbox/rejected/usage-fix.csv")], env: Self.env)
        #expect(still.code == 2, "\(still.err)")
        #expect(names(site, "Inbox/rejected") == ["usage-fix.csv", "usage-fix.csv.errors.txt"])
        let errors = try site.read("Inbox/rejected/usage-fix.csv.errors.txt")
        #expect(errors.contains("(modality)") && !errors.contains("(image_count)"), "\(errors)")
        try (Self.usageHeader + "R2,2026-03-03T10:00:00Z,C1,D1,CT,1,\n").write(toFile: site.path("Inbox/rejected/usage-fix.csv"),
                                                                                  atomically: true, encoding: .utf8)
        let fixed = try site.recon(["ingest", site.path("Inbox/rejected/usage-fix.csv")], env: Self.env)
        #expect(fixed.code == 0, "\(fixed.err)")
        #expect(fixed.err.contains("usage-fix.csv: taken out of Inbox/rejected/ with its errors file"), "\(fixed.err)")
        #expect(names(site, "Inbox/rejected").isEmpty)
        let status = try site.recon(["status"], env: Self.env)
        #expect(status.out.contains("rejected: 0\n"), "\(status.out)")
        try expectVerifies(site)
    }

    /// SPEC §2: all problems up to 1,000. 1,200 rows, each of a client the site does not know
    /// and a code in lower case: 2,400 problems. Said to be 2,199, and the 1,000 listed were the
    /// codes alone — the unknown client, added after the parse's own past its limit, was listed
    /// nowhere (a drop of three such rows lists it first). Now counted, and listed in line order.
    @Test func problemsPastTheListedThousandAreCountedAndTheFirstListedInLineOrder() throws {
        let site = try preparedSite()
        let rows = (0..<1_200).map { "X\($0),2026-03-01T10:00:00Z,NOPE,D1,ct,1," }.joined(separator: "\n")
        try site.drop("usage-bad.csv", Self.usageHeader + rows + "\n")
        let ingest = try site.recon(["ingest"], env: Self.env)
        #expect(ingest.code == 2 && ingest.err.contains("usage-bad.csv: rejected with 2400 problems"), "\(ingest.err)")
        let lines = try site.read("Inbox/rejected/usage-bad.csv.errors.txt").split(separator: "\n").map(String.init)
        #expect(lines.count == 1_001)
        #expect(lines.first == "line 2, column 3 (client_id): unknown client \"NOPE\"; drop a clients file naming it first")
        #expect(lines[1].hasPrefix("line 2, column 5 (modality): \"ct\" is not a code"))
        #expect(lines.last == "… and 1400 more problems not listed")
        #expect(try site.recon(["status"], env: Self.env).out.contains("rejected: 1"))
    }

    /// A client card of 1,500 tiers each starting at 1 (1,499 overlap the first) and one price
    /// written `1e5`: 1,500 problems, said to be 1,001 — the card's judgement was added by its
    /// listed problems only, those past its limit lost. Counted whole.
    @Test func problemsOfAFieldAndOfTheCardPastTheLimitAreAllCounted() throws {
        let site = try preparedSite()
        let header = "effective_from,client_id,contract_type,modality,urgency,tier_from,tier_to,unit_price,currency,tier_mode\n"
        let bad = "2026-01-01,C1,*,CT,*,1,,1e5,INR,volume\n"
        let rows = (0..<1_500).map { "2026-01-01,C1,*,MR,*,1,,\(100 + $0),INR,volume" }.joined(separator: "\n")
        try site.drop("client_rates-many.csv", header + bad + rows + "\n")
        let dry = try site.recon(["ingest", "--dry-run"], env: Self.env)
        #expect(dry.err.contains("rejected with 1500 problems"), "\(dry.err.prefix(600))")
    }

    /// Two exports of one kind and another with the same bytes (two empty files, a usage file
    /// copied under a payments name) are two rejected drops, each with its own problems: the
    /// second was taken for the first rejected again — it left the Inbox kept nowhere, and the
    /// first's errors file was written over with the second's problems.
    @Test func theSameBytesUnderAnotherKindsNameAreKeptApart() throws {
        let site = try preparedSite()
        let bytes = Self.usageHeader + "R2,2026-03-03T10:00:00Z,C9,D1,CT,1,\n"
        try site.drop("usage-march.csv", bytes)
        #expect(try site.recon(["ingest"], env: Self.env).code == 2)
        try site.drop("payments-march.csv", bytes)
        try site.drop("usage-again.csv", bytes)
        #expect(try site.recon(["ingest"], env: Self.env).code == 2)
        #expect(names(site, "Inbox/rejected") == ["payments-march.csv", "payments-march.csv.errors.txt",
                                                  "usage-march.csv", "usage-march.csv.errors.txt"])
        let usage = try site.read("Inbox/rejected/usage-march.csv.errors.txt")
        #expect(usage.contains("unknown client \"C9\"") && !usage.contains("the header lacks"), "\(usage)")
        let payments = try site.read("Inbox/rejected/payments-march.csv.errors.txt")
        #expect(payments.contains("the header lacks payment_id"), "\(payments)")
        try expectVerifies(site)
    }

    /// High 4: a second held or rejected drop of the same name overwrote the first.
    @Test func heldAndRejectedDropsAreNeverOverwritten() throws {
        let site = try preparedSite()
        let close = try site.recon(["close", "2026-03"], env: Self.env)
        #expect(close.code == 0, "\(close.out)\(close.err)")
        let lateA = Self.usageHeader + "R10,2026-03-20T10:00:00Z,C1,D1,CT,1,\n"
        let lateB = Self.usageHeader + "R11,2026-03-21T10:00:00Z,C1,D1,CT,1,\n"
        let lateC = Self.usageHeader + "R12,2026-03-22T10:00:00Z,C1,D1,CT,1,\n"
        var heldLogs: [String] = []
        for text in [lateA, lateB, lateC] {
            try site.drop("usage-late.csv", text)
            let run = try site.recon(["ingest"], env: Self.env)
            #expect(run.code == 3)
            heldLogs.append(run.err)
        }
        // The clerk is told where the file went when its name was taken (it said only "held").
        #expect(!heldLogs[0].contains("kept as") && heldLogs[1].contains("usage-late.csv: kept as Inbox/held/usage-late-2.csv"),
                "\(heldLogs)")
        #expect(names(site, "Inbox/held") == ["usage-late-2.csv", "usage-late-3.csv", "usage-late.csv"])
        #expect(try site.read("Inbox/held/usage-late.csv") == lateA)
        #expect(try site.read("Inbox/held/usage-late-2.csv") == lateB)
        #expect(try site.read("Inbox/held/usage-late-3.csv") == lateC)

        let badA = Self.usageHeader + "R20,not-a-time,C1,D1,CT,1,\n"
        let badB = Self.usageHeader + "R21,2026-04-01T10:00:00Z,C9,D1,CT,1,\n"
        var rejectedLogs: [String] = []
        for text in [badA, badB] {
            try site.drop("usage-bad.csv", text)
            let run = try site.recon(["ingest"], env: Self.env)
            #expect(run.code == 2)
            rejectedLogs.append(run.err)
        }
        #expect(rejectedLogs[1].contains("usage-bad.csv: kept as Inbox/rejected/usage-bad-2.csv, with usage-bad-2.csv.errors.txt"),
                "\(rejectedLogs)")
        #expect(names(site, "Inbox/rejected") == ["usage-bad-2.csv", "usage-bad-2.csv.errors.txt", "usage-bad.csv", "usage-bad.csv.errors.txt"])
        #expect(try site.read("Inbox/rejected/usage-bad.csv") == badA)
        #expect(try site.read("Inbox/rejected/usage-bad.csv.errors.txt").contains("(reported_at)"))
        #expect(try site.read("Inbox/rejected/usage-bad-2.csv") == badB)
        #expect(try site.read("Inbox/rejected/usage-bad-2.csv.errors.txt").contains("unknown client \"C9\""))
        try expectVerifies(site)
    }

    /// A drop is put in `held/`, then taken out of the Inbox: an ingest killed between the two
    /// left it in both, and the next ingest held it again as `usage-late-2.csv`. The same bytes
    /// held already are that drop: one copy waits. (The state the kill leaves is made by hand.)
    @Test func aDropHeldAlreadyIsNotHeldTwice() throws {
        let site = try preparedSite()
        #expect(try site.recon(["close", "2026-03"], env: Self.env).code == 0)
        let late = Self.usageHeader + "R10,2026-03-20T10:00:00Z,C1,D1,CT,1,\n"
        try FileManager.default.createDirectory(atPath: site.path("Inbox/held"), withIntermediateDirectories: true)
        try late.write(toFile: site.path("Inbox/held/usage-late.csv"), atomically: true, encoding: .utf8)
        try site.drop("usage-late.csv", late)
        let run = try site.recon(["ingest", "--json"], env: Self.env)
        #expect(run.code == 3, "\(run.err)")
        #expect(names(site, "Inbox/held") == ["usage-late.csv"])
        #expect(!site.exists("Inbox/usage-late.csv"))
        #expect(try JSONParser.parse(run.out).arrayValue?.first?["kept_as"]?.stringValue == "Inbox/held/usage-late.csv")
        // Sent again under another name: the log names where it waits.
        try site.drop("usage-late-resent.csv", late)
        let resent = try site.recon(["ingest"], env: Self.env)
        #expect(resent.code == 3)
        #expect(resent.err.contains("usage-late-resent.csv: held as Inbox/held/usage-late.csv — touches closed period 2026-03"), "\(resent.err)")
        #expect(names(site, "Inbox/held") == ["usage-late.csv"])
    }

    /// `ingest --json` said a drop was held or rejected but not where it went when its name
    /// was taken (`usage-late-2.csv`): a script could not find it. `kept_as` names it.
    @Test func ingestJSONSaysWhereAHeldOrRejectedDropWent() throws {
        let site = try preparedSite()
        #expect(try site.recon(["close", "2026-03"], env: Self.env).code == 0)
        var kept: [String] = []
        for (name, text) in [("usage-late.csv", Self.usageHeader + "R10,2026-03-20T10:00:00Z,C1,D1,CT,1,\n"),
                             ("usage-late.csv", Self.usageHeader + "R11,2026-03-21T10:00:00Z,C1,D1,CT,1,\n"),
                             ("usage-bad.csv", Self.usageHeader + "R20,not-a-time,C1,D1,CT,1,\n"),
                             ("usage-bad.csv", Self.usageHeader + "R21,not-a-time,C1,D1,CT,1,\n")] {
            try site.drop(name, text)
            let run = try site.recon(["ingest", "--json"], env: Self.env)
            let outcome = try JSONParser.parse(run.out)
            kept.append(outcome.arrayValue?.first?["kept_as"]?.stringValue ?? "none")
        }
        #expect(kept == ["Inbox/held/usage-late.csv", "Inbox/held/usage-late-2.csv", "Inbox/rejected/usage-bad.csv",
                         "Inbox/rejected/usage-bad-2.csv"])
    }

    /// A rejection writes the errors file, then moves the drop beside it: an ingest killed
    /// between the two leaves `rejected/NAME.errors.txt` alone, its drop still in the Inbox (a
    /// clerk who takes a drop out and notes on its errors file leaves the same). Nothing in
    /// `rejected/` is written over (SPEC §2): the next rejection of that name takes `NAME-2`
    /// (it replaced the lone errors file, the clerk's notes with it), and `status` counts the
    /// lone errors file as no rejected drop. (The state the kill leaves is made by hand: the
    /// window is a rename long.) A drop that itself ends in `.errors.txt`, kept with its own
    /// errors file, is never written over either.
    @Test func anErrorsFileLeftWithoutItsDropIsNeverWrittenOver() throws {
        let site = try preparedSite()
        let bad = Self.usageHeader + "R20,not-a-time,C1,D1,CT,1,\n"
        try FileManager.default.createDirectory(atPath: site.path("Inbox/rejected"), withIntermediateDirectories: true)
        try Data("line 2, column 2 (reported_at): an older run's text\n".utf8).write(to: URL(fileURLWithPath: site.path("Inbox/rejected/usage-bad.csv.errors.txt")))
        let keptDrop = "usage-x.csv.errors.txt"
        try Data("kept drop\n".utf8).write(to: URL(fileURLWithPath: site.path("Inbox/rejected/" + keptDrop)))
        try Data("its problems\n".utf8).write(to: URL(fileURLWithPath: site.path("Inbox/rejected/" + keptDrop + ".errors.txt")))
        try site.drop("usage-bad.csv", bad)
        try site.drop("usage-x.csv", Self.usageHeader + "R21,not-a-time,C1,D1,CT,1,\n")
        let run = try site.recon(["ingest"], env: Self.env)
        #expect(run.code == 2, "\(run.err)")
        #expect(run.err.contains("usage-bad.csv: kept as Inbox/rejected/usage-bad-2.csv"), "\(run.err)")
        #expect(run.err.contains("usage-x.csv: kept as Inbox/rejected/usage-x-2.csv"), "\(run.err)")
        #expect(names(site, "Inbox/rejected") == ["usage-bad-2.csv", "usage-bad-2.csv.errors.txt", "usage-bad.csv.errors.txt",
                                                   "usage-x-2.csv", "usage-x-2.csv.errors.txt", keptDrop, keptDrop + ".errors.txt"])
        #expect(try site.read("Inbox/rejected/usage-bad-2.csv") == bad)
        #expect(try site.read("Inbox/rejected/usage-bad-2.csv.errors.txt").contains("(reported_at)"))
        #expect(try site.read("Inbox/rejected/usage-bad.csv.errors.txt") == "line 2, column 2 (reported_at): an older run's text\n")
        #expect(try site.read("Inbox/rejected/" + keptDrop) == "kept drop\n")

        // What a killed rejection leaves is no rejected drop to `status` either.
        try FileManager.default.removeItem(atPath: site.path("Inbox/rejected/usage-x-2.csv"))
        let status = try site.recon(["status"], env: Self.env)
        #expect(status.code == 0, "\(status.err)")
        #expect(status.out.contains("rejected: 2 —"), "\(status.out)")
        #expect(!status.out.contains("usage-bad.csv.errors.txt"), "\(status.out)")
        #expect(!status.out.contains("usage-x-2.csv.errors.txt"), "\(status.out)")
        #expect(status.out.contains("  \(keptDrop): 1 problem"), "\(status.out)")
        try expectVerifies(site)
    }

    /// High 5: an Inbox symlink was accepted and the archive became a symlink to a file outside the site.
    @Test func aSymlinkInTheInboxIsMovedAsideNeverRead() throws {
        let site = try preparedSite()
        let outside = site.path("outside-usage.csv")
        try (Self.usageHeader + "R5,2026-03-05T10:00:00Z,C1,D1,CT,1,\n").write(toFile: outside, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: site.path("Inbox/usage-link.csv"), withDestinationPath: outside)
        let before = try ledgerLines(site)
        let r = try site.recon(["ingest"], env: Self.env)
        #expect(r.code == 2, "\(r.out)\(r.err)")
        #expect(try ledgerLines(site) == before)
        // Moved as it is: still a link, and the file it points at is untouched.
        let moved = try FileManager.default.destinationOfSymbolicLink(atPath: site.path("Inbox/rejected/usage-link.csv"))
        #expect(moved == outside)
        #expect(try site.read("Inbox/rejected/usage-link.csv.errors.txt")
            == "usage-link.csv is a symbolic link, not a regular file; only regular files are drops (put the CSV file itself in place)\n")
        #expect(FileManager.default.fileExists(atPath: outside))
        try expectVerifies(site)
    }

    /// `Inbox/rejected` (or `held`) replaced by a link to a folder outside the site: a drop
    /// is never written there. `ingest` and `watch` both refuse (exit 3) before taking it,
    /// and neither treats the link as a drop; the drop waits in the Inbox.
    @Test(arguments: [["ingest"], ["watch", "--once", "--stable", "0.3"]])
    func aLinkedRejectedFolderIsRefusedNotFollowed(args: [String]) throws {
        let site = try preparedSite()
        let outside = site.path("outside")
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: site.path("Inbox/rejected"))
        try FileManager.default.createSymbolicLink(atPath: site.path("Inbox/rejected"), withDestinationPath: outside)
        try site.drop("usage-bad.csv", Self.usageHeader + "R9,2026-02-30T10:00:00Z,C1,D1,CT,1,\n")
        let before = try ledgerLines(site)
        let (r, killed) = try reconOrKill(site, args)
        #expect(!killed && r.code == 3, "\(args): \(r.out)\(r.err)")
        #expect(r.err.contains("Inbox/rejected is not a folder of the site"), "\(r.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
        #expect(FileManager.default.fileExists(atPath: site.path("Inbox/usage-bad.csv")))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: site.path("Inbox/rejected")) == outside)
        #expect(try ledgerLines(site) == before)
    }

    /// `Inbox/held` replaced by a link to a folder outside the site, holding a file with the
    /// bytes of an accepted drop (a backup): every writer's repair took it for a held copy left
    /// by an interrupted command and removed it, outside the site. Every writer now refuses
    /// (exit 3) before it takes anything, and `status` lists no file of that folder as held.
    @Test(arguments: [["ingest"], ["decide", "R1", "approve", "--by", "Asha"], ["close", "2026-03"]])
    func aLinkedHeldFolderIsRefusedByEveryWriterAndNothingThroughItIsRemoved(args: [String]) throws {
        let site = try preparedSite()
        let backups = site.path("backups")
        try FileManager.default.createDirectory(atPath: backups, withIntermediateDirectories: true)
        let archived = try #require(FileManager.default.contentsOfDirectory(atPath: site.path("Ledger/drops")).first { $0.hasSuffix(".csv") })
        try FileManager.default.copyItem(atPath: site.path("Ledger/drops/" + archived), toPath: backups + "/clients-backup.csv")
        try? FileManager.default.removeItem(atPath: site.path("Inbox/held"))
        try FileManager.default.createSymbolicLink(atPath: site.path("Inbox/held"), withDestinationPath: backups)
        let before = try ledgerLines(site)
        let r = try site.recon(args, env: Self.env)
        #expect(r.code == 3, "\(args): \(r.out)\(r.err)")
        #expect(r.err.contains("Inbox/held is not a folder of the site"), "\(r.err)")
        #expect(FileManager.default.fileExists(atPath: backups + "/clients-backup.csv"), "removed through the link")
        #expect(try ledgerLines(site) == before)
        // Nor does status call the month ready to close, which the close then refused.
        let status = try site.recon(["status"], env: Self.env)
        #expect(!status.out.contains("clients-backup.csv"), "\(status.out)")
        #expect(status.out.contains("not ready to close: Inbox/held is not a folder of the site") && !status.out.contains("ready to close\n"),
                "\(status.out)")
    }

    /// `recon watch` moves strays aside too, even when no regular drop is waiting.
    @Test func watchMovesASymlinkAsideWithItsReason() throws {
        let site = try preparedSite()
        try "report_id\n".write(toFile: site.path("elsewhere.csv"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: site.path("Inbox/usage-link.csv"), withDestinationPath: site.path("elsewhere.csv"))
        let (r, killed) = try reconOrKill(site, ["watch", "--once", "--stable", "0.3"])
        #expect(!killed && r.code == 2, "\(r.out)\(r.err)")
        #expect(try site.read("Inbox/rejected/usage-link.csv.errors.txt").contains("is a symbolic link, not a regular file"))
        #expect(!FileManager.default.fileExists(atPath: site.path("Inbox/usage-link.csv")))
        try expectVerifies(site)
    }

    /// High 5: a hard link shared the archive's inode, so appending to the original changed the archive.
    @Test func theArchiveIsANewFileNotALinkToTheDrop() throws {
        let site = try preparedSite()
        let original = site.path("usage-original.csv")
        try (Self.usageHeader + "R6,2026-03-06T10:00:00Z,C1,D1,CT,1,\n").write(toFile: original, atomically: true, encoding: .utf8)
        #expect(link(original, site.path("Inbox/usage-linked.csv")) == 0)
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)
        // A writer that still appends to the original after ingest took it.
        let h = try #require(FileHandle(forWritingAtPath: original))
        try h.seekToEnd()
        try h.write(contentsOf: Data("R7,2026-03-07T10:00:00Z,C1,D1,CT,1,\n".utf8))
        try h.close()
        let archived = names(site, "Ledger/drops")
        for name in archived {
            var st = stat()
            #expect(lstat(site.path("Ledger/drops/\(name)"), &st) == 0)
            #expect(st.st_mode & S_IFMT == S_IFREG && st.st_nlink == 1, "\(name) is a link")
        }
        try expectVerifies(site)
    }

    /// Medium: `recon ingest FIFO` blocked forever holding the lock; in the Inbox a FIFO was left in place.
    @Test func aFIFOIsRefusedNeverWaitedOn() throws {
        let site = try preparedSite()
        let named = site.path("usage-pipe.csv")
        #expect(mkfifo(named, 0o644) == 0)
        let (r, killed) = try reconOrKill(site, ["ingest", named])
        #expect(!killed, "recon ingest waited on a FIFO")
        #expect(r.code == 2, "\(r.out)\(r.err)")
        #expect(r.out.contains("usage-pipe.csv is a FIFO (named pipe), not a regular file"), "\(r.out)")
        #expect(FileManager.default.fileExists(atPath: named), "a named file outside the Inbox is never moved")

        #expect(mkfifo(site.path("Inbox/usage-fifo.csv"), 0o644) == 0)
        try FileManager.default.createDirectory(atPath: site.path("Inbox/usage-folder.csv"), withIntermediateDirectories: false)
        let (inbox, killedInbox) = try reconOrKill(site, ["ingest"])
        #expect(!killedInbox)
        #expect(inbox.code == 2, "\(inbox.out)\(inbox.err)")
        #expect(names(site, "Inbox").filter { !["held", "rejected", "README.md"].contains($0) }.isEmpty, "\(names(site, "Inbox"))")
        #expect(try site.read("Inbox/rejected/usage-fifo.csv.errors.txt").contains("is a FIFO (named pipe), not a regular file"))
        #expect(try site.read("Inbox/rejected/usage-folder.csv.errors.txt").contains("is a folder, not a regular file"))
        try expectVerifies(site)
    }

    /// Every problem of a row at once (SPEC §2: all problems up to 1,000): a row with a bad
    /// image count still has its unknown client and radiologist named — they were named only
    /// once the clerk had fixed the count and dropped the file again.
    @Test func aRowWithAFieldProblemStillHasItsUnknownPartiesNamed() throws {
        let site = try preparedSite()
        try site.drop("usage-many.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
                      + "R3,2026-03-02T10:00:00Z,C9,D9,CT,-1\nR4,2026-03-03T10:00:00Z,C1,D1,CT,0\n")
        let r = try site.recon(["ingest"], env: Self.env)
        #expect(r.code == 2, "\(r.out)\(r.err)")
        let lines = try site.read("Inbox/rejected/usage-many.csv.errors.txt").split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("line 2, column 3 (client_id): unknown client \"C9\"") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("line 2, column 4 (radiologist_id): unknown radiologist \"D9\"") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("line 2, column 6 (image_count)") } && lines.contains { $0.hasPrefix("line 3, column 6 (image_count)") },
                "\(lines)")
    }

    /// A file named twice is one drop: taken once, exit 0 — the second mention found it gone
    /// and said another command had taken it (exit 1, after the drop was committed).
    @Test func aFileNamedTwiceIsTakenOnce() throws {
        let site = try preparedSite()
        try site.drop("usage-twice.csv", Self.usageHeader + "R9,2026-03-09T10:00:00Z,C1,D1,CT,1,\n")
        let before = try ledgerLines(site)
        let r = try site.recon(["ingest", site.path("Inbox/usage-twice.csv"), site.path("Inbox/../Inbox/usage-twice.csv")], env: Self.env)
        #expect(r.code == 0, "\(r.out)\(r.err)")
        #expect(!r.err.contains("gone before"), "\(r.err)")
        #expect(try ledgerLines(site) == before + 1)
        try expectVerifies(site)
    }

    /// A duplicate named outside the Inbox is left where it is, and the log says so (it said "removed").
    @Test func aDuplicateNamedOutsideTheInboxIsSaidToBeLeftInPlace() throws {
        let site = try preparedSite()
        let named = site.path("usage-outside.csv")
        try Data((Self.usageHeader + "R10,2026-03-10T10:00:00Z,C1,D1,CT,1,\n").utf8).write(to: URL(fileURLWithPath: named))
        #expect(try site.recon(["ingest", named], env: Self.env).code == 0)
        let again = try site.recon(["ingest", named], env: Self.env)
        #expect(again.code == 0, "\(again.out)\(again.err)")
        #expect(FileManager.default.fileExists(atPath: named), "a named file outside the Inbox is never moved")
        #expect(again.err.contains("usage-outside.csv: duplicate of the drop accepted at seq"), "\(again.err)")
        #expect(again.err.contains("left in place") && !again.err.contains("removed"), "\(again.err)")
    }

    /// Medium: a file name with a newline forged a whole log line.
    @Test func aNewlineInAFileNameCannotForgeALogLine() throws {
        let site = try preparedSite()
        let name = "usage-x\nrecon: verify ok, all clear.csv"
        try site.drop(name, Self.usageHeader + "R8,2026-03-08T10:00:00Z,C1,D1,CT,1,\n")
        let r = try site.recon(["ingest"], env: Self.env)
        #expect(r.code == 0, "\(r.out)\(r.err)")
        let lines = r.err.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(!lines.contains { $0.hasPrefix("recon: verify ok") }, "\(r.err)")
        #expect(r.err.contains("usage-x\\nrecon: verify ok, all clear.csv: accepted 1 usage row"), "\(r.err)")
        try expectVerifies(site)
    }

    /// A usage file holding only its header is a legal empty drop, and also what a file taken
    /// while its writer had written only the header looks like: it is accepted, and the log
    /// says so and how to send the rows.
    @Test func aUsageDropOfOnlyAHeaderIsAcceptedWithAWarning() throws {
        let site = try preparedSite()
        try site.drop("usage-empty.csv", Self.usageHeader)
        let r = try site.recon(["ingest"], env: Self.env)
        #expect(r.code == 0, "\(r.err)")
        #expect(r.err.contains("usage-empty.csv holds a header and no row: accepted as an empty usage drop"), "\(r.err)")
    }

    /// `recon status` lists held and rejected drops by name: a newline in one forged status
    /// lines of its own ("inbox: 0 waiting"), as the log once did.
    @Test func aNewlineInAFileNameCannotForgeAStatusLine() throws {
        let site = try preparedSite()
        let name = "usage-y\ninbox: 0 waiting\nrejected: 0.csv"
        try site.drop(name, Self.usageHeader + "R9,bad,C1,D1,CT,1,\n")
        #expect(try site.recon(["ingest"], env: Self.env).code == 2)
        let status = try site.recon(["status"], env: Self.env)
        #expect(status.code == 0, "\(status.err)")
        let lines = status.out.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("inbox: ") }.count == 1, "\(status.out)")
        #expect(lines.filter { $0.hasPrefix("rejected: ") }.count == 1, "\(status.out)")
        #expect(status.out.contains("  usage-y\\ninbox: 0 waiting\\nrejected: 0.csv: 1 problem"), "\(status.out)")
    }

    /// Medium: control characters, NUL and U+FFFE in a name made workbooks that are not XML; a
    /// 40,000-character name or note was accepted and later commands failed after committing.
    /// The cases by name; the texts are built in the test so a 40,000-character cell does not
    /// fill the test log.
    static let textCases: [String: (text: String, problem: String)] = {
        let clients = "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\n"
        return [
            "clients-nul.csv": (clients + "C2,Bad\u{0}Name,INR,std,2020-01-01,5\n", "line 2, column 2 (name): holds a NUL character (U+0000)"),
            "clients-esc.csv": (clients + "C2,Bad\u{1B}Name,INR,std,2020-01-01,5\n", "line 2, column 2 (name): holds a control character (U+001B)"),
            "clients-fffe.csv": (clients + "C2,Bad\u{FFFE}Name,INR,std,2020-01-01,5\n", "line 2, column 2 (name): holds the non-character U+FFFE"),
            "clients-long.csv": (clients + "C2,\(String(repeating: "N", count: 40_000)),INR,std,2020-01-01,5\n",
                                 "line 2, column 2 (name): \"\(String(repeating: "N", count: 40))…\" is 40000 characters long; this text has at most 200"),
            "decisions-long.csv": ("subject,decision,by,note\nR1,approve,asha,\(String(repeating: "n", count: 40_000))\n",
                                   "line 2, column 4 (note): \"\(String(repeating: "n", count: 40))…\" is 40000 characters long; this text has at most 1000"),
        ]
    }()

    @Test(arguments: ["clients-nul.csv", "clients-esc.csv", "clients-fffe.csv", "clients-long.csv", "decisions-long.csv"])
    func textNoWorkbookCanHoldIsRejectedAtIngest(name: String) throws {
        let (text, problem) = try #require(Self.textCases[name])
        let site = try preparedSite()
        let before = try site.read("Ledger/ledger.jsonl")
        try site.drop(name, text)
        let r = try site.recon(["ingest"], env: Self.env)
        #expect(r.code == 2, "\(r.out)\(r.err)")
        let errors = try site.read("Inbox/rejected/\(name).errors.txt")
        #expect(errors.hasPrefix(problem), "\(errors.prefix(300))")
        #expect(try site.read("Ledger/ledger.jsonl") == before)
        try expectVerifies(site)
    }
}
