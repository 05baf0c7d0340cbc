import Foundation
import Testing

/// A usage drop touching a closed month and an open one is held whole until a rerun of the
/// closed month applies it. The open month's close issued its final documents without the
/// held reports (and said the month held none): a close now refuses while a held drop holds
/// reports of its month, naming the drop and the rerun that applies it.
struct HeldDropBlocksCloseTests {
    static let mixed = """
        report_id,reported_at,client_id,radiologist_id,modality,image_count
        R5,2026-03-20T10:00:00Z,C1,D1,CT,1
        R8,2026-04-03T10:00:00Z,C1,D1,CT,1
        R9,2026-04-05T10:00:00Z,C2,D2,XR,1
        """
    static let mayDay = ["RECON_NOW": "2026-05-02T09:00:00Z"]

    /// A report that waits in a held drop is no report of the site yet, and a decision about it
    /// was refused as naming nothing known ("neither a flag id nor a report id"), though `recon
    /// status` names the drop holding it. Still refused (it cannot be decided yet), now saying
    /// where it waits, which rerun takes it and how to decide it then: by `recon decide` for a
    /// report of an open month, in a decisions drop held for the rerun for a closed one's.
    @Test func aDecisionAboutAReportInAHeldDropSaysWhereItWaits() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        try site.drop("usage-mixed.csv", Self.mixed)
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        let before = try site.ledgerBytes()
        let april = try site.recon(["decide", "R8", "exclude", "--by", "Asha"], env: TestSite.rerunDay)
        #expect(april.code == 2, "\(april.err)")
        #expect(april.err.contains("report R8 (of 2026-04) is in the held drop Inbox/held/usage-mixed.csv, not taken yet, so it cannot "
            + "be decided yet: `recon rerun 2026-03` takes that drop") && april.err.contains("as for any report of open 2026-04"),
                "\(april.err)")
        try site.drop("decisions-march.csv", "subject,decision,by\nR5,exclude,Asha\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 2)
        let errors = try site.read("Inbox/rejected/decisions-march.csv.errors.txt")
        #expect(errors.contains("line 2, column 1 (subject): report R5 (of 2026-03) is in the held drop Inbox/held/usage-mixed.csv")
            && errors.contains("in a decisions drop, which waits in Inbox/held/ for the next `recon rerun 2026-03`"), "\(errors)")
        #expect(try site.ledgerBytes() == before)
    }

    /// A month whose only reports wait in a held drop is not open, and `recon status` said
    /// "open periods: none" while `recon close` of it refused, naming the drop. Said now.
    @Test func statusNamesAMonthWhoseOnlyReportsAreHeld() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        try site.drop("usage-mixed.csv", Self.mixed)
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        let status = try site.recon(["status"], env: Self.mayDay)
        #expect(status.out.contains("held for 2026-04 (no report of it taken yet): Inbox/held/usage-mixed.csv holds 2 reports of 2026-04"),
                "\(status.out)")
        let json = try site.recon(["status", "--json"], env: Self.mayDay).out
        #expect(json.contains(#""held_only_periods":[{"blocking":["Inbox/held/usage-mixed.csv holds 2 reports of 2026-04"#), "\(json)")
        let close = try site.recon(["close", "2026-04"], env: Self.mayDay)
        #expect(close.code == 3 && close.err.contains("Inbox/held/usage-mixed.csv holds 2 reports of 2026-04"), "\(close.err)")
    }

    @Test func aCloseWaitsForTheHeldDropHoldingItsReports() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        try site.drop("usage-mixed.csv", Self.mixed)
        let held = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(held.code == 3, "\(held.err)")
        #expect(site.exists("Inbox/held/usage-mixed.csv"))

        // April is open with a report of its own, taken: `recon status` says what the close
        // would, that April is not ready.
        try site.drop("usage-april.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR10,2026-04-06T10:00:00Z,C1,D1,CT,1\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 0)
        let before = try site.ledgerBytes()
        let status = try site.recon(["status"], env: Self.mayDay)
        #expect(status.out.contains("not ready to close: Inbox/held/usage-mixed.csv holds 2 reports of 2026-04")
            && !status.out.contains("  ready to close"), "\(status.out)")
        let close = try site.recon(["close", "2026-04"], env: Self.mayDay)
        #expect(close.code == 3, "\(close.out)\(close.err)")
        #expect(close.err.contains("Inbox/held/usage-mixed.csv holds 2 reports of 2026-04"), "\(close.err)")
        #expect(close.err.contains("recon rerun 2026-03"), "\(close.err)")
        #expect(try site.ledgerBytes() == before, "appended")
        #expect(!site.exists("Outbox/2026-04/invoices"), "documents issued")

        // The rerun of March applies the drop; April then closes with its two reports.
        let asha = try site.operatorKey("asha", listed: true, env: Self.mayDay)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "late usage", "--key", asha], env: Self.mayDay)
        #expect(rerun.code == 0, "\(rerun.err)")
        let april = try site.recon(["close", "2026-04"], env: Self.mayDay)
        #expect(april.code == 0, "\(april.err)")
        let invoices = try site.bodies("invoice.issued").filter { $0["period"] as? String == "2026-04" }
        #expect(invoices.count == 2, "\(invoices)")
        #expect(try site.recon(["verify"], env: Self.mayDay).code == 0)
        site.expectAuditorAccepts()
    }
}

/// A month still running: `recon close` refused for its last day and its review alone, and
/// `recon status` counted a held drop's line without printing it. All three say the same now:
/// its last day, the held drop holding its reports, a drop waiting in the Inbox.
struct RunningMonthBlockersTests {
    @Test func statusTextJSONAndCloseNameTheSameBlockersOfARunningMonth() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        try site.drop("usage-april.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR10,2026-04-06T10:00:00Z,C1,D1,CT,1\n")
        try site.drop("usage-mixed.csv", HeldDropBlocksCloseTests.mixed)
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        try site.drop("usage-later.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR11,2026-04-07T10:00:00Z,C1,D1,CT,1\n")
        let held = "Inbox/held/usage-mixed.csv holds 2 reports of 2026-04"
        let inbox = "Inbox/ holds a drop not yet ingested (usage-later.csv)"
        let text = try site.recon(["status"], env: TestSite.rerunDay).out
        #expect(text.contains("not ready to close: its last day") && text.contains("not ready to close: \(held)")
            && text.contains("not ready to close: \(inbox)") && text.contains("3 things block the close"), "\(text)")
        let json = try site.recon(["status", "--json"], env: TestSite.rerunDay).out
        #expect(json.contains(held) && json.contains(inbox) && json.contains("its last day"), "\(json)")
        let close = try site.recon(["close", "2026-04"], env: TestSite.rerunDay)
        #expect(close.code == 3 && close.err.contains("3 things to settle first") && close.err.contains(held)
            && close.err.contains("Inbox/ holds a drop not yet ingested (usage-later.csv)"), "\(close.err)")
    }
}

/// What a held drop adds to the month decides: a report it repeats with the values taken
/// already adds nothing (overlapping exports re-send rows), so the close goes on; a held
/// decisions drop excluding one of the month's reports holds the close as a usage drop does
/// (the close billed a report finance had excluded).
struct HeldDropBlocksCloseOnlyForWhatItAddsTests {
    static let header = "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"

    func aprilSite() throws -> TestSite {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        try site.drop("usage-2026-04.csv", TestSite.april)  // R6 (C1), R7 (C2)
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 0)
        return site
    }

    @Test func aHeldRepeatOfATakenReportDoesNotHoldTheClose() throws {
        let site = try aprilSite()
        try site.drop("usage-overlap.csv", Self.header + "L1,2026-03-25T10:00:00Z,C2,D2,CT,1\nR6,2026-04-03T10:00:00Z,C1,D1,CT,1\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        let close = try site.recon(["close", "2026-04"], env: HeldDropBlocksCloseTests.mayDay)
        #expect(close.code == 0, "\(close.err)")
    }

    /// A drop for the open month giving a held report other values is rejected, naming the
    /// held drop: taken, it would have the rerun reject the whole held drop (its late March
    /// report with it). A site where it was taken (an earlier version, here put in place by
    /// hand) has the close tell the clash, not that the rerun applies the held drop.
    @Test func aHeldReportGivenOtherValuesForTheOpenMonthIsAClash() throws {
        let site = try aprilSite()
        try site.drop("usage-clash.csv", Self.header + "L1,2026-03-25T10:00:00Z,C2,D2,CT,1\nR8,2026-04-06T10:00:00Z,C1,D1,CT,1\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        try site.drop("usage-2026-04-b.csv", Self.header + "R8,2026-04-06T10:00:00Z,C1,D1,CT,4\n")
        let refused = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(refused.code == 2, "\(refused.err)")
        let errors = try site.read("Inbox/rejected/usage-2026-04-b.csv.errors.txt")
        #expect(errors.contains("report R8 is also in the held drop Inbox/held/usage-clash.csv (line 3) with other values"), "\(errors)")

        let earlier = try aprilSite()
        try earlier.drop("usage-2026-04-b.csv", Self.header + "R8,2026-04-06T10:00:00Z,C1,D1,CT,4\n")
        #expect(try earlier.recon(["ingest"], env: TestSite.rerunDay).code == 0)
        try FileManager.default.createDirectory(atPath: earlier.path("Inbox/held"), withIntermediateDirectories: true)
        try (Self.header + "L1,2026-03-25T10:00:00Z,C2,D2,CT,1\nR8,2026-04-06T10:00:00Z,C1,D1,CT,1\n")
            .write(toFile: earlier.path("Inbox/held/usage-clash.csv"), atomically: true, encoding: .utf8)
        let close = try earlier.recon(["close", "2026-04"], env: HeldDropBlocksCloseTests.mayDay)
        #expect(close.code == 3, "\(close.err)")
        #expect(close.err.contains("Inbox/held/usage-clash.csv holds report R8 of 2026-04, taken since with other values: "
            + "the rerun of 2026-03 would reject the whole drop"), "\(close.err)")
    }

    @Test func aHeldDecisionOnTheMonthHoldsTheClose() throws {
        let site = try aprilSite()
        try site.drop("decisions-late.csv", "subject,decision,by\nR4,exclude,Asha\nR7,exclude,Asha\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        let before = try site.ledgerBytes()
        let close = try site.recon(["close", "2026-04"], env: HeldDropBlocksCloseTests.mayDay)
        #expect(close.code == 3, "\(close.err)")
        #expect(close.err.contains("Inbox/held/decisions-late.csv holds 1 decision of 2026-04"), "\(close.err)")
        #expect(try site.ledgerBytes() == before)
    }

    /// The same held drop, its April decision already in force as it says (decided since): it
    /// has nothing for April to wait for, as a repeated report has not.
    @Test func aHeldDecisionTheMonthAlreadyHasDoesNotHoldTheClose() throws {
        let site = try aprilSite()
        #expect(try site.recon(["decide", "R7", "exclude", "--by", "Asha"], env: TestSite.rerunDay).code == 0)
        try site.drop("decisions-late.csv", "subject,decision,by\nR4,exclude,Asha\nR7,exclude,Asha\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        let close = try site.recon(["close", "2026-04"], env: HeldDropBlocksCloseTests.mayDay)
        #expect(close.code == 0, "\(close.err)")
    }
}

/// Two held drops giving one report other values waited side by side, and the rerun billed the
/// one whose file name sorted first: the clash is now refused when the second drop comes, while
/// someone is there to say which is right. The same drop again waits once.
struct HeldDropClashTests {
    @Test func aDropGivingAHeldReportOtherValuesIsRejectedNamingTheHeldDrop() throws {
        let site = try TestSite.closedMarchSite()  // usage-late.csv held: R5, 1 image
        try site.drop("usage-again.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR5,2026-03-20T10:00:00Z,C1,D1,CT,3\n")
        let clash = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(clash.code == 2, "\(clash.err)")
        let errors = try site.read("Inbox/rejected/usage-again.csv.errors.txt")
        #expect(errors.contains("line 2, column 1 (report_id): report R5 is also in the held drop Inbox/held/usage-late.csv (line 2) "
            + "with other values (image_count 1 there, 3 here)"), "\(errors)")
        #expect(!site.exists("Inbox/held/usage-again.csv"))

        // The same bytes again are the drop held already: it waits once.
        try site.drop("usage-same.csv", TestSite.lateMarch)
        let same = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(same.code == 3, "\(same.err)")
        #expect(!site.exists("Inbox/held/usage-same.csv") && !site.exists("Inbox/usage-same.csv"))
        #expect(site.exists("Inbox/held/usage-late.csv"))
    }
}

/// A decision about a closed month given again, as it stands (a decisions drop sent twice):
/// the drop was held for a signed rerun that then issued nothing, and `recon decide` was refused
/// (exit 3) with advice that led to a held drop. Both now say it is already recorded.
struct DecisionsInForceForAClosedMonthTests {
    @Test func aDecisionInForceForAClosedMonthIsSkippedNotHeld() throws {
        let site = try TestSite.marchSite()
        try site.drop("decisions-1.csv", "subject,decision,by,note\nR1,exclude,Asha,duplicate study\n")
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 0)
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let before = try site.ledgerLines().count
        // Another export of the same decision (its bytes differ: not a duplicate drop).
        try site.drop("decisions-again.csv", "subject,decision,by,note\r\nR1,exclude,Asha,duplicate study\r\n")
        let again = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(again.code == 0, "\(again.err)")
        #expect(again.err.contains("decisions-again.csv: accepted 0 decisions rows, skipped 1 already recorded with the same values"), "\(again.err)")
        #expect(!site.exists("Inbox/held/decisions-again.csv"))
        #expect(try site.bodies("flag.decided").count == 1)
        #expect(try site.ledgerLines().count == before + 1, "its drop.accepted only")
        let decide = try site.recon(["decide", "R1", "exclude", "--by", "Asha", "--note", "duplicate study"], env: TestSite.rerunDay)
        #expect(decide.code == 0, "\(decide.err)")
        #expect(decide.out.hasPrefix("already recorded, nothing appended"), "\(decide.out)")
        // Another decision about it still waits for the rerun.
        let other = try site.recon(["decide", "R1", "approve", "--by", "Asha"], env: TestSite.rerunDay)
        #expect(other.code == 3, "\(other.err)")
        // Once a held drop decides it otherwise, the decision in force given again is a clash too:
        // the rerun would apply the held one over it.
        try site.drop("decisions-held.csv", "subject,decision,by,note\nR1,approve,Bob,not a duplicate\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        try site.drop("decisions-third.csv", "subject,decision,by,note\nR1,exclude,Asha,duplicate study\n\n")
        let third = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(third.code == 2, "\(third.err)")
        #expect(try site.read("Inbox/rejected/decisions-third.csv.errors.txt").contains("R1 is also decided in the held drop Inbox/held/decisions-held.csv"))
        let again2 = try site.recon(["decide", "R1", "exclude", "--by", "Asha", "--note", "duplicate study"], env: TestSite.rerunDay)
        #expect(again2.code == 2 && again2.err.contains("Inbox/held/decisions-held.csv"), "\(again2.err)")
        #expect(try site.recon(["verify"], env: TestSite.rerunDay).code == 0)
    }
}

/// Two decisions drops of one name held for a rerun: the second was kept as `decisions-2.csv`,
/// which sorts before `decisions.csv`, so the rerun applied the newer decision first and the
/// older one stood — R1 excluded from the invoice finance had approved it on. A decisions drop
/// deciding otherwise what a held one decides is rejected, naming it, when it arrives (held or
/// for an open month), and so is `recon decide`: which stands is for finance to say.
struct HeldDecisionsClashTests {
    @Test func aDecisionClashingWithAHeldOneIsRejectedNamingIt() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        try site.drop("usage-2026-04.csv", TestSite.april)  // R6 (C1), R7 (C2)
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 0)
        try site.drop("decisions.csv", "subject,decision,by,note\nR1,exclude,Asha,duplicate study\nR6,exclude,Asha,duplicate\n")
        let held = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(held.code == 3, "\(held.err)")
        #expect(site.exists("Inbox/held/decisions.csv"))

        // The same decision again is no clash: held beside it.
        try site.drop("decisions.csv", "subject,decision,by,note\nR1,exclude,Asha,duplicate study\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        #expect(site.exists("Inbox/held/decisions-2.csv"))

        try site.drop("decisions.csv", "subject,decision,by,note\nR1,approve,Asha,not a duplicate after all\n")
        let before = try site.ledgerBytes()
        let clash = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(clash.code == 2, "\(clash.err)")
        let errors = try site.read("Inbox/rejected/decisions.csv.errors.txt")
        #expect(errors.contains("line 2, column 1 (subject): R1 is also decided in the held drop Inbox/held/decisions.csv (line 2: exclude by Asha)"),
                "\(errors)")
        #expect(!site.exists("Inbox/held/decisions-3.csv"))
        #expect(try site.ledgerBytes() == before)

        // For an open month: a decisions drop, and `recon decide`, about R6.
        try site.drop("decisions-april.csv", "subject,decision,by\nR6,approve,Bob\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 2)
        #expect(try site.read("Inbox/rejected/decisions-april.csv.errors.txt").contains("R6 is also decided in the held drop Inbox/held/decisions.csv"))
        let decide = try site.recon(["decide", "R6", "approve", "--by", "Bob"], env: TestSite.rerunDay)
        #expect(decide.code == 2, "\(decide.err)")
        #expect(decide.err.contains("R6 is also decided in the held drop Inbox/held/decisions.csv"), "\(decide.err)")
        // Only the note differs: the message shows it, or the two read alike.
        let note = try site.recon(["decide", "R6", "exclude", "--by", "Asha", "--note", "another"], env: TestSite.rerunDay)
        #expect(note.code == 2, "\(note.err)")
        #expect(note.err.contains("(line 3: exclude by Asha, note \"duplicate\") otherwise (here: exclude by Asha, note \"another\")"), "\(note.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(try site.recon(["verify"], env: TestSite.rerunDay).code == 0)
    }
}

/// `recon close` settled a month while a drop for it still waited in the Inbox, not ingested:
/// the month closed without it (with no document at all, on a new site), and the drop was then
/// held for a signed rerun. A close now refuses while a drop waits there (a payments drop
/// aside: payments belong to no period), naming it.
struct CloseWaitsForTheInboxTests {
    @Test func aCloseRefusesWhileADropWaitsInTheInbox() throws {
        let site = try TestSite.marchSite()
        try site.drop("usage-2026-03-late.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR9,2026-03-28T10:00:00Z,C1,D1,CT,1\n")
        try site.drop("payments-1.csv", "payment_id,client_id,received_on,amount,currency\n")
        // A file of no drop kind is rejected by the ingest, whatever it holds: it holds no close.
        try site.drop("notes.txt", "call C1 about March\n")
        let before = try site.ledgerBytes()
        // `recon status` reads the Inbox as the close does (live: nothing was ingested since).
        let status = try site.recon(["status"], env: TestSite.closeDay)
        #expect(status.out.contains("not ready to close: Inbox/ holds a drop not yet ingested (usage-2026-03-late.csv)")
            && !status.out.contains("  ready to close"), "\(status.out)")
        let json = try site.recon(["status", "--json"], env: TestSite.closeDay)
        #expect(json.out.contains("Inbox/ holds a drop not yet ingested (usage-2026-03-late.csv): run `recon ingest` before any close"), "\(json.out)")
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 3, "\(close.out)\(close.err)")
        #expect(close.err.contains("Inbox/ holds a drop not yet ingested (usage-2026-03-late.csv): run `recon ingest` first"), "\(close.err)")
        #expect(!close.err.contains("payments-1.csv") && !close.err.contains("notes.txt"), "\(close.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(!site.exists("Outbox/2026-03/invoices"))

        try FileManager.default.removeItem(atPath: site.path("Inbox/payments-1.csv"))
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 2)  // notes.txt rejected
        #expect(try site.recon(["status"], env: TestSite.closeDay).out.contains("  ready to close"))
        let closed = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(closed.code == 0, "\(closed.err)")
        // R1–R4 and the late R9: five reports invoiced.
        let quantities = try site.bodies("invoice.issued").flatMap { ($0["lines"] as? [[String: Any]]) ?? [] }.compactMap { $0["quantity"] as? Int }
        #expect(quantities.reduce(0, +) == 5, "\(quantities)")
    }
}

/// A rerun killed after its append and before it took its held drop out of `Inbox/held/` left
/// the drop both accepted and waiting: `recon status` listed it as both until the next rerun.
/// The next writer takes the copy out, saying so.
struct HeldDropAcceptedAlreadyTests {
    @Test func theNextWriterRemovesAHeldCopyOfAnAcceptedDrop() throws {
        let site = try TestSite.closedMarchSite()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: site.path("Inbox/held/usage-late.csv")))
        let key = try site.operatorKey("asha", listed: true)
        #expect(try site.recon(["rerun", "2026-03", "--reason", "late report", "--key", key], env: TestSite.rerunDay).code == 0)
        #expect(!site.exists("Inbox/held/usage-late.csv"))
        // What the interrupted rerun leaves: the accepted bytes still in held/.
        try bytes.write(to: URL(fileURLWithPath: site.path("Inbox/held/usage-late.csv")))
        let before = try site.ledgerBytes()
        let ingest = try site.recon(["ingest"], env: TestSite.rerunDay)
        #expect(ingest.code == 0, "\(ingest.err)")
        // The rerun went through: nothing awaits, and the notice does not say otherwise.
        #expect(ingest.err.contains("Inbox/held/usage-late.csv: the same bytes were accepted at seq")
            && ingest.err.contains("the drop is in the ledger already") && !ingest.err.contains("awaits"), "\(ingest.err)")
        #expect(!site.exists("Inbox/held/usage-late.csv"))
        #expect(try site.ledgerBytes() == before)
        #expect(try site.recon(["status"], env: TestSite.rerunDay).out.contains("held: 0"))
    }
}
