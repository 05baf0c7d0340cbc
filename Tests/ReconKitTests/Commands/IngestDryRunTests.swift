import Crypto
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `recon ingest --dry-run`: says what each drop would do and changes nothing (SPEC §8).
@Suite("Ingest — dry run changes nothing", .serialized)
struct IngestDryRunTests {
    static let env = ["RECON_NOW": "2026-04-02T09:00:00Z"]

    /// Every file under the site with its SHA-256 (links by their target), so any change shows.
    func snapshot(_ site: TestSite) throws -> [String: String] {
        var out: [String: String] = [:]
        let fm = FileManager.default
        guard let walk = fm.enumerator(atPath: site.root) else { return out }
        for case let rel as String in walk {
            let path = site.path(rel)
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFREG:
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                out[rel] = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            case S_IFLNK: out[rel] = "link " + ((try? fm.destinationOfSymbolicLink(atPath: path)) ?? "")
            default: out[rel] = "mode \(st.st_mode & S_IFMT)"
            }
        }
        return out
    }

    @Test func aDryRunSaysWhatEachDropWouldDoAndWritesNothing() throws {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "dry-site", "--base-currency", "INR", "--timezone", "UTC"], env: Self.env).code == 0)
        // A misspelt optional column (`tax_percent` for `tax_rate`) is ignored: the dry run says so
        // as the ingest does (it said nothing, and the client was then billed without tax).
        try site.drop("clients.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_percent\nC1,City Hospital,INR,standard,2020-01-01,5,18\n")
        try site.drop("radiologists.csv", "radiologist_id,name,grade,seniority_years\nD1,Dr Rao,consultant,10\n")
        #expect(try site.recon(["ingest", site.path("Inbox/radiologists.csv")], env: Self.env).code == 0)
        // Now: clients waiting, a usage drop that needs them, a bad one, a duplicate, a FIFO.
        try site.drop("usage-ok.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR1,2026-03-02T10:00Z,C1,D1,CT,2\nR2,2026-03-03T10:00Z,C1,D1,MR,1\n")
        try site.drop("usage-bad.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR3,3026-03-02T10:00Z,C1,D1,CT,2\n")
        try "radiologist_id,name,grade,seniority_years\nD1,Dr Rao,consultant,10\n".write(toFile: site.path("Inbox/radiologists-again.csv"), atomically: true, encoding: .utf8)
        #expect(mkfifo(site.path("Inbox/usage-fifo.csv"), 0o644) == 0)
        let before = try snapshot(site)

        let text = try site.recon(["ingest", "--dry-run"], env: Self.env)
        #expect(text.code == 2, "\(text.out)\(text.err)")
        #expect(text.out == """
            clients.csv: would be accepted with 1 clients row
            radiologists-again.csv: duplicate of the drop accepted at seq 2; would be removed
            usage-bad.csv: would be rejected
              line 2, column 2 (reported_at): "3026-03-02T10:00Z" is in the year 3026; dates and timestamps lie in the years 1970–2199 (e.g. 2026-02-28)
            usage-fifo.csv: would be rejected
              usage-fifo.csv is a FIFO (named pipe), not a regular file; only regular files are drops (put the CSV file itself in place)
            usage-ok.csv: would be accepted with 2 usage rows

            """, "\(text.out)")
        #expect(text.err.contains("clients.csv: would ignore unknown columns tax_percent"), "\(text.err)")
        #expect(try snapshot(site) == before)

        let json = try site.recon(["ingest", "--dry-run", "--json", site.path("Inbox/usage-ok.csv")], env: Self.env)
        #expect(json.code == 2, "without the clients drop, C1 is unknown: \(json.out)\(json.err)")
        let parsed = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [[String: Any]]
        #expect(parsed?.first?["outcome"] as? String == "rejected")
        #expect((parsed?.first?["problems"] as? [String])?.first == "line 2, column 3 (client_id): unknown client \"C1\"; drop a clients file naming it first")
        #expect(try snapshot(site) == before)

        // The real run then does what the dry run said.
        let real = try site.recon(["ingest"], env: Self.env)
        #expect(real.code == 2)
        #expect(site.exists("Inbox/rejected/usage-bad.csv") && site.exists("Inbox/rejected/usage-fifo.csv.errors.txt"))
        // Each drop's bytes waited in a hidden file beside the archives while it was checked, and
        // landed whole where the drop ended; nothing hidden is left behind.
        #expect(try site.read("Inbox/rejected/usage-bad.csv")
            == "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR3,3026-03-02T10:00Z,C1,D1,CT,2\n")
        let archives = try FileManager.default.contentsOfDirectory(atPath: site.path("Ledger/drops"))
        #expect(!archives.contains { $0.hasPrefix(".") }, "\(archives)")
        #expect(archives.count == 3, "radiologists, clients, usage-ok: \(archives)")
        #expect(try site.read("Ledger/ledger.jsonl").contains("\"name\":\"usage-ok.csv\""))
        #expect(try site.recon(["verify"], env: Self.env).code == 0)
    }

    /// The same bytes twice in one run: the dry run says what the real run then does — the
    /// second copy is a duplicate of the first (at the seq it will get), whatever its name.
    @Test func aDryRunSeesDuplicatesWithinTheRunAsTheRealRunDoes() throws {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "dry-site", "--base-currency", "INR", "--timezone", "UTC"], env: Self.env).code == 0)
        let clients = "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nC1,City Hospital,INR,standard,2020-01-01,5\n"
        try site.drop("clients-1.csv", clients)
        try site.drop("clients-2.csv", clients)
        try site.drop("other.csv", clients)
        let dry = try site.recon(["ingest", "--dry-run"], env: Self.env)
        #expect(dry.code == 0, "\(dry.out)\(dry.err)")
        // The site holds site.init (seq 1): clients-1.csv would be seq 2.
        #expect(dry.out == """
            clients-1.csv: would be accepted with 1 clients row
            clients-2.csv: duplicate of the drop accepted at seq 2; would be removed
            other.csv: duplicate of the drop accepted at seq 2; would be removed

            """, "\(dry.out)")
        let real = try site.recon(["ingest"], env: Self.env)
        #expect(real.code == 0, "\(real.out)\(real.err)")
        #expect(real.err.contains("clients-2.csv: duplicate of the drop accepted at seq 2; removed"), "\(real.err)")
        #expect(real.err.contains("other.csv: duplicate of the drop accepted at seq 2; removed"), "\(real.err)")
    }
    /// SPEC §2 applies the same bytes once: a clients file sent again to undo a later one is a
    /// duplicate, and the later rows stay in force. The log says which of its rows is no longer
    /// in force, and how to put them back; a duplicate whose rows all are (a later drop touched
    /// other ones) says nothing more. The same for a decisions file sent again after `recon decide`.
    @Test func aFileSentAgainToUndoALaterChangeIsToldItsRowIsNotInForce() throws {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "dry-site", "--base-currency", "INR", "--timezone", "UTC"], env: Self.env).code == 0)
        let right = "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate\n"
            + "C1,City Hospital,INR,standard,2020-01-01,5,18\nC2,Bay Clinic,INR,standard,2020-01-01,5,18\n"
        try site.drop("clients.csv", right)
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)
        // A later drop about C3 only: C1 and C2 are as the file says.
        try site.drop("clients-more.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nC3,Three,INR,standard,2020-01-01,5\n")
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)
        try site.drop("clients-again.csv", right)
        let plain = try site.recon(["ingest"], env: Self.env)
        #expect(plain.code == 0 && plain.err.contains("clients-again.csv: duplicate of the drop accepted at seq 2; removed"), "\(plain.err)")
        #expect(!plain.err.contains("no longer in force"), "\(plain.err)")
        try site.drop("clients-typo.csv", right.replacingOccurrences(of: "Bay Clinic,INR,standard,2020-01-01,5,18", with: "Bay Clinic,INR,standard,2020-01-01,5,5"))
        #expect(try site.recon(["ingest"], env: Self.env).code == 0)
        try site.drop("clients-corrected.csv", right)
        let before = try site.ledgerBytes()
        let again = try site.recon(["ingest"], env: Self.env)
        #expect(again.code == 0, "\(again.err)")
        #expect(again.err.contains("clients-corrected.csv: line 3 (client C2) is no longer in force: a later drop or decision "
            + "changed it"), "\(again.err)")
        #expect(again.err.contains("clients-corrected.csv: duplicate of the drop accepted at seq 2; removed"), "\(again.err)")
        #expect(try site.ledgerBytes() == before)
    }

    @Test func aDecisionsFileSentAgainAfterRecondecideIsToldItsDecisionIsNotInForce() throws {
        let site = try TestSite.marchSite()
        let decisions = "subject,decision,by\nR1,exclude,Asha\n"
        try site.drop("decisions.csv", decisions)
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 0)
        #expect(try site.recon(["decide", "R1", "approve", "--by", "Bob"], env: TestSite.closeDay).code == 0)
        try site.drop("decisions-again.csv", decisions)
        let again = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(again.code == 0 && again.err.contains("decisions-again.csv: line 2 (the decision on R1) is no longer in force"),
                "\(again.err)")
    }

    /// Drops of one run judged against the drops before them that would be held, and the
    /// decisions before them that would be recorded, as the ingest judges them: the dry run
    /// said `usage-b.csv` (L1 with other values than the held `usage-a.csv`) and
    /// `decisions-d.csv` (F1 decided otherwise in the held `decisions-c.csv`) would be taken,
    /// and `decisions-b.csv` (M1 excluded again, as `decisions-a.csv` does) would record a row.
    @Test func aDryRunSeesTheDropsItWouldHoldAndTheDecisionsItWouldRecord() throws {
        let env = ["RECON_NOW": "2026-03-20T00:00:00Z"]
        let site = try TestSite.oneClient(
            base: "INR", client: "C1", clientCurrency: "INR", maxImages: 5,
            radiologists: "radiologist_id,name,grade,seniority_years\nD1,Dr Rao,cons,10\n",
            providerRates: "effective_from,grade,modality,urgency,rate_per_report,currency\n2026-01-01,*,*,*,50,INR\n",
            clientRates: "2026-01-01,*,*,*,*,1,,100,INR,volume\n",
            usage: "F1,2026-02-02T10:00:00Z,C1,D1,CT,2\nM1,2026-03-02T10:00:00Z,C1,D1,CT,2\n", env: env)
        let header = TestSite.usageHeader
        #expect(try site.recon(["close", "2026-02"], env: env).code == 0)
        try site.drop("usage-a.csv", header + "L1,2026-02-05T10:00:00Z,C1,D1,CT,1\n")
        try site.drop("usage-b.csv", header + "L1,2026-03-05T10:00:00Z,C1,D1,CT,1\n")
        try site.drop("decisions-a.csv", "subject,decision,by\nM1,exclude,Asha\n")
        try site.drop("decisions-b.csv", "subject,decision,by,note\nM1,exclude,Asha,\n")
        try site.drop("decisions-c.csv", "subject,decision,by\nF1,exclude,Asha\n")
        try site.drop("decisions-d.csv", "subject,decision,by\nF1,approve,Bob\n")
        let before = try snapshot(site)
        let dry = try site.recon(["ingest", "--dry-run"], env: env)
        #expect(try snapshot(site) == before)
        let real = try site.recon(["ingest"], env: env)
        #expect(dry.code == real.code, "\(dry.out)\n\(real.out)\(real.err)")
        for (file, said) in [("usage-a.csv", "held"), ("usage-b.csv", "rejected"), ("decisions-a.csv", "accepted"),
                             ("decisions-b.csv", "accepted"), ("decisions-c.csv", "held"), ("decisions-d.csv", "rejected")] {
            #expect(dry.out.contains("\(file): would be \(said)"), "\(file): \(dry.out)")
            #expect((real.out + real.err).contains("\(file): \(said)"), "\(file): \(real.out)\(real.err)")
        }
        #expect(dry.out.contains("decisions-b.csv: would be accepted with 0 decisions rows, skipping 1 already recorded"), "\(dry.out)")
        #expect(real.err.contains("decisions-b.csv: accepted 0 decisions rows, skipped 1"), "\(real.err)")
    }

    /// A dry run says what the real run would do, refusals included: a clock set back before
    /// the ledger's last entry (exit 1) and a changed archived drop (exit 4) — and still writes
    /// nothing, not even the seal the writer checks keep.
    @Test func aDryRunRefusesWhatTheRealRunRefuses() throws {
        let site = try TestSite.closedMarchSite()
        try site.drop("fx_rates-late.csv", "date,currency,rate\n2026-04-01,USD,84\n")
        let early = ["RECON_NOW": "2026-03-01T00:00:00Z"]
        let before = try snapshot(site)
        let real = try site.recon(["ingest"], env: early)
        let dry = try site.recon(["ingest", "--dry-run"], env: early)
        #expect(real.code == 1 && dry.code == 1, "\(real.err)\n\(dry.out)\(dry.err)")
        #expect(dry.err.contains("before the ledger's last entry"), "\(dry.err)")
        #expect(try snapshot(site) == before)

        // One byte of the archived clients drop changed: both refuse, naming it.
        let clients = try #require(try site.entries().first { ($0["body"] as? [String: Any])?["kind"] as? String == "clients" })
        let file = "Ledger/drops/\(try #require((clients["body"] as? [String: Any])?["sha256"] as? String)).csv"
        try (try site.read(file) + " ").write(toFile: site.path(file), atomically: false, encoding: .utf8)
        let changed = try snapshot(site)
        let dryDamaged = try site.recon(["ingest", "--dry-run"], env: TestSite.rerunDay)
        #expect(dryDamaged.code == 4, "\(dryDamaged.out)\(dryDamaged.err)")
        #expect(dryDamaged.err.contains(file), "\(dryDamaged.err)")
        #expect(try snapshot(site) == changed)
        let realDamaged = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(realDamaged.code == 4, "\(realDamaged.err)")
    }

    /// Another site's private key in `Ledger/keys/`: the ingest refuses it (exit 4, damage),
    /// and the dry run said "would be accepted" (exit 0). It refuses alike, writing nothing.
    @Test func aDryRunRefusesAnotherSitesKeyAsTheIngestDoes() throws {
        let site = try TestSite.closedMarchSite()
        let other = try TestSite.marchSite()
        try FileManager.default.removeItem(atPath: site.path("Ledger/keys/site.key"))
        try FileManager.default.copyItem(atPath: other.path("Ledger/keys/site.key"), toPath: site.path("Ledger/keys/site.key"))
        try site.drop("fx_rates-late.csv", "date,currency,rate\n2026-04-01,USD,84\n")
        let before = try snapshot(site)
        let dry = try site.recon(["ingest", "--dry-run"], env: TestSite.rerunDay)
        #expect(dry.code == 4 && dry.err.contains("which is not the site key site.init records"), "\(dry.out)\(dry.err)")
        #expect(try snapshot(site) == before)
        let real = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(real.code == 4 && real.err.contains("which is not the site key site.init records"), "\(real.err)")
    }
    /// A dry run writes no file, not even the drop caches and closed-period index an ingest
    /// writes back when they are missing (it used to, without the writer lock).
    @Test func aDryRunDoesNotWriteMissingCachesBack() throws {
        let site = try TestSite.closedMarchSite()
        try FileManager.default.removeItem(atPath: site.path(".recon"))
        try site.drop("usage-april.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
            + "A1,2026-04-02T10:00:00Z,C1,D1,CT,1\n")
        let before = try snapshot(site)
        let dry = try site.recon(["ingest", "--dry-run"], env: TestSite.rerunDay)
        #expect(dry.code == 0, "\(dry.out)\(dry.err)")
        #expect(dry.out.contains("usage-april.csv: would be accepted with 1 usage row"), "\(dry.out)")
        #expect(try snapshot(site) == before)
        #expect(!site.exists(".recon"))
    }
}
