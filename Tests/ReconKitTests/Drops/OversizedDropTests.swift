import Foundation
import Testing

@testable import ReconKit

/// A drop is read whole into memory. A file larger than the memory free — a backup left in
/// the Inbox, an export of all years — ended every ingest and watch with a fatal allocation
/// error (exit 134), so nothing beside it was ever taken. A file over 1 GiB is rejected
/// unread, moved (never copied) to `Inbox/rejected/`, and the drops beside it go on.
struct OversizedDropTests {
    @Test func aFileOverTheLargestDropIsRejectedUnreadAndTheOthersAreTaken() throws {
        let site = try TestSite.marchSite()
        let before = try site.read("Ledger/ledger.jsonl").split(separator: "\n").count
        try site.drop("usage-all-years.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n")
        try site.drop("backup-2026.tar", "")
        // Sparse: 1 GiB and a byte, and 3 GiB, taking no disk; under a 1.5 GB address space
        // reading either whole cannot succeed.
        #expect(truncate(site.path("Inbox/usage-all-years.csv"), off_t(DropFile.largestBytes + 1)) == 0)
        #expect(truncate(site.path("Inbox/backup-2026.tar"), 3 << 30) == 0)
        try site.drop("decisions-r1.csv", "subject,decision,by\nR1,exclude,Asha\n")
        // As on a machine of 1.5 GB: the shell limits the address space, then runs recon.
        let ingest = try ProcessRunner.run("/bin/sh", ["-c", "ulimit -v 1500000 && exec \"$0\" \"$@\"", TestSite.binary, "ingest",
                                                       "--site", site.root], environment: TestSite.closeDay)
        #expect(ingest.code == 2, "\(ingest.out)\(ingest.err)")
        #expect(ingest.err.contains("usage-all-years.csv holds 1073741825 bytes, more than a drop may (1073741824 bytes, 1 GiB"),
                "\(ingest.err)")
        #expect(ingest.err.contains("backup-2026.tar holds 3221225472 bytes"), "\(ingest.err)")
        #expect(ingest.err.contains("decisions-r1.csv: accepted 1 decisions row"), "\(ingest.err)")
        #expect(try site.read("Ledger/ledger.jsonl").split(separator: "\n").count > before)
        // Moved as it was (still sparse: no gigabytes copied), its errors file beside it.
        var st = stat()
        #expect(stat(site.path("Inbox/rejected/backup-2026.tar"), &st) == 0 && st.st_size == 3 << 30 && st.st_blocks < 64)
        #expect(try site.read("Inbox/rejected/usage-all-years.csv.errors.txt").contains("split the export into files of at most 1 GiB"))
        #expect(!site.exists("Inbox/usage-all-years.csv") && !site.exists("Inbox/backup-2026.tar"))
        #expect(try site.recon(["verify"], env: TestSite.closeDay).code == 0)
    }

    /// The same file in `Inbox/held/`: every command that looks there (status, any writer's
    /// repair, verify) read it whole and ended with a fatal allocation error. Looked at by its
    /// size only; the rerun that takes the held drops rejects it unread, moved, as ingest does.
    @Test func aFileOverTheLargestDropInHeldIsNeverRead() throws {
        let site = try TestSite.closedMarchSite()
        try site.drop("held/usage-all-years.csv", "")
        #expect(truncate(site.path("Inbox/held/usage-all-years.csv"), 3 << 30) == 0)
        func limited(_ args: [String]) throws -> ProcessOutput {
            try ProcessRunner.run("/bin/sh", ["-c", "ulimit -v 1500000 && exec \"$0\" \"$@\"", TestSite.binary] + args + ["--site", site.root],
                                  environment: TestSite.rerunDay)
        }
        #expect(try limited(["status"]).code == 0)
        #expect(try limited(["verify"]).code == 0)
        #expect(try limited(["watch", "--once"]).code == 0)
        let key = try site.operatorKey("asha", listed: true)
        let rerun = try limited(["rerun", "2026-03", "--reason", "late report", "--key", key])
        #expect(rerun.code == 2, "\(rerun.out)\(rerun.err)")
        #expect(rerun.err.contains("usage-all-years.csv holds 3221225472 bytes, more than a drop may"), "\(rerun.err)")
        #expect(site.exists("Inbox/rejected/usage-all-years.csv") && !site.exists("Inbox/held/usage-all-years.csv"))
        #expect(!site.exists("Inbox/held/usage-late.csv"), "the other held drop is applied")
    }
}
