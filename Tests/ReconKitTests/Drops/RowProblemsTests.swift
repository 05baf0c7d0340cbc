import Foundation
import Testing

/// Every problem of every row, each where it is (SPEC §2: `line L, column C (NAME): message`,
/// all problems up to 1,000): a row whose required column failed also has its optional columns
/// checked, and no row-level problem lacks its column.
@Suite("Row problems — all of them, each with its column", .serialized)
struct RowProblemsTests {
    static let env = InboxLongNameTests.env

    /// Ingests `text` as `name` into a prepared site and returns its errors file's lines.
    func rejectedLines(_ name: String, _ text: String) throws -> [String] {
        let site = try InboxLongNameTests().preparedSite()
        try site.drop(name, text)
        let r = try site.recon(["ingest"], env: Self.env)
        #expect(r.code == 2, "\(r.out)\(r.err)")
        return try site.read("Inbox/rejected/\(name).errors.txt").split(separator: "\n").map(String.init)
    }

    /// A row repeating the id of a row that failed to parse is named at once: the repeat was
    /// found only once the failed row was corrected, another round for the clerk.
    @Test func aRowRepeatingTheIdOfAFailedRowIsNamedAtOnce() throws {
        let usage = try rejectedLines("usage-repeat.csv", """
            report_id,reported_at,client_id,radiologist_id,modality,image_count
            R7,2026-04-02T10:00:00Z,C1,D1,CT,0
            R7,2026-04-03T10:00:00Z,C1,D1,MR,2
            """)
        #expect(usage == ["line 2, column 6 (image_count): 0 is below 1; a whole number ≥ 1 is expected",
                          "line 3, column 1 (report_id): report R7 is also on line 2, which has problems of its own; "
                              + "a drop names a report once, or repeats it with the same values"], "\(usage)")
        let payments = try rejectedLines("payments-repeat.csv", """
            payment_id,client_id,received_on,amount,currency
            P1,C1,2026-04-02,10.001,INR
            P1,C1,2026-04-03,10.00,INR
            """)
        // A payment's decimals are checked with its client and currency (every problem of the row
        // at once), so line 2 parses, and its repeat is an ordinary one.
        #expect(payments == ["line 2, column 4 (amount): 10.001 has more decimals than INR allows (2)",
                             "line 3, column 1 (payment_id): P1 appears again (first on line 2); one row per payment_id in a drop"],
                "\(payments)")
    }

    /// The same for an FX rate's date and currency, and a decision's subject: the repeat was
    /// named only once the failed row's rate or `by` was corrected.
    @Test func aRowRepeatingTheKeyOfAFailedFXOrDecisionRowIsNamedAtOnce() throws {
        let fx = try rejectedLines("fx_rates-repeat.csv", "date,currency,rate\n2026-01-01,USD,0\n2026-01-01,USD,83.5\n")
        #expect(fx.count == 2 && fx[0].hasPrefix("line 2, column 3 (rate):")
            && fx[1] == "line 3, column 1 (date): 2026-01-01 USD appears again (first on line 2, which has problems of its own); "
                + "one row per date in a drop", "\(fx)")
        let decisions = try rejectedLines("decisions-repeat.csv", "subject,decision,by\nR1,approve,\nR1,exclude,Finance\n")
        #expect(decisions.contains("line 3, column 1 (subject): R1 appears again (first on line 2, which has problems of its own); "
            + "one row per subject in a drop"), "\(decisions)")
        // A subject that names nothing, repeated: named with the first rejection, not after the typo is mended.
        let unknown = try rejectedLines("decisions-typo.csv", "subject,decision,by\nR77,approve,Asha\nR77,exclude,Bob\n")
        #expect(unknown.contains("line 3, column 1 (subject): R77 is decided again (first on line 2); one decision per flag or "
            + "report in a drop — keep the row that stands"), "\(unknown)")
    }

    @Test func aClientRowWithABadRequiredColumnOrTaxRateReportsItsOtherColumnsToo() throws {
        let header = "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate,payment_terms_days,tax_components\n"
        let lines = try rejectedLines("clients-bad.csv", header
            + "C7,,INR,standard,2020-01-01,5,18,400,\n"       // name empty, terms too long
            + "C8,Eight,INR,standard,2020-01-01,5,abc,400,\n"  // tax_rate not a decimal, terms too long
            + "C9,Nine,INR,standard,2020-01-01,5,150,,CGST\n")  // tax_rate above 100, components malformed
        #expect(lines.contains { $0.hasPrefix("line 2, column 2 (name):") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("line 2, column 8 (payment_terms_days):") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("line 3, column 7 (tax_rate):") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("line 3, column 8 (payment_terms_days):") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("line 4, column 7 (tax_rate): 150 is above 100") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("line 4, column 9 (tax_components): \"CGST\" is not name:percent") }, "\(lines)")
        #expect(lines.count == 6, "\(lines)")
    }

    @Test func aRadiologistRowWithABadCurrencyReportsItsOtherColumnsToo() throws {
        let lines = try rejectedLines("radiologists-bad.csv", "radiologist_id,name,grade,seniority_years,currency,address\n"
            + "D7,Dr Seven,consultant,x,XXX,\(String(repeating: "a", count: 301))\n")
        #expect(lines.count == 3, "\(lines)")
        #expect(lines.first?.hasPrefix("line 2, column 4 (seniority_years):") == true, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("line 2, column 5 (currency):") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("line 2, column 6 (address):") }, "\(lines)")
    }

    /// A row of the wrong width is reported as that alone: a stray comma or a missing field
    /// shifts every field after it, so checking them by place would blame cells that are right.
    /// (Checking them was tried: "Harbor Clinic, Inc." unquoted was told that "Inc." is not a
    /// currency and "standard" not a date.)
    @Test func aRowOfTheWrongWidthIsNotCheckedByShiftedPlaces() throws {
        let clients = try rejectedLines("clients-comma.csv", "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate\n"
            + "C2,Harbor Clinic, Inc.,USD,standard,2021-06-01,10,\n")
        #expect(clients == ["line 2, column 8 (no header): the row has 8 fields but the header has 7; quote fields that contain "
            + "commas; its other fields are checked once it has the header's number"], "\(clients)")
        let usage = try rejectedLines("usage-short.csv", InboxLongNameTests.usageHeader + "R9,2026-03-02T10:00:00Z,C1,D1,2,routine\n")
        #expect(usage == ["line 2, column 7 (urgency): the row ends before this column: it has 6 fields but the header has 7; "
            + "give every row all the header's fields (an empty one for an empty value); its other fields are checked once it "
            + "has them all"], "\(usage)")
    }

    /// A line a person sees as blank, holding DOS's end-of-file mark or a no-break space, is
    /// no blank line (SPEC §2 skips those): said as what it holds, not as "a row of 1 field".
    @Test func aLineThatLooksBlankNamesWhatItHolds() throws {
        let row = "R5,2026-03-05T10:00:00Z,C1,D1,CT,1,routine\n"
        let ctrlZ = try rejectedLines("usage-ctrlz.csv", InboxLongNameTests.usageHeader + row + "\u{1A}")
        #expect(ctrlZ == ["line 3, column 1 (report_id): the line looks blank but holds U+001A (the end-of-file mark DOS-era "
            + "programs write) at character 1, so it is read as a row (a blank line is skipped; this one is not empty); delete the line"],
                "\(ctrlZ)")
        let spaces = try rejectedLines("usage-nbsp.csv", InboxLongNameTests.usageHeader + row + "\u{A0}\u{200B}\n")
        #expect(spaces == ["line 3, column 1 (report_id): the line looks blank but holds U+00A0 (NO-BREAK SPACE) at character 1 "
            + "and 1 more such character, so it is read as a row (a blank line is skipped; this one is not empty); delete the line"],
                "\(spaces)")
    }

    @Test func rowsOfTheWrongWidthAndAmbiguousCardsNameTheirColumn() throws {
        let usage = try rejectedLines("usage-widths.csv", InboxLongNameTests.usageHeader
            + "R5,2026-03-05T10:00:00Z,C1,D1,CT,1\n"
            + "R6,2026-03-05T10:00:00Z,C1,D1,CT,1,routine,extra\n")
        #expect(usage == [
            "line 2, column 7 (urgency): the row ends before this column: it has 6 fields but the header has 7; give every row all the header's fields (an empty one for an empty value); its other fields are checked once it has them all",
            "line 3, column 8 (no header): the row has 8 fields but the header has 7; quote fields that contain commas; its other fields are checked once it has the header's number",
        ], "\(usage)")
        // Typographic quotes around a comma look like quoting to the clerk and are not: the
        // field that opens with one is named, and straight quotes asked for.
        let curly = try rejectedLines("usage-curly.csv", InboxLongNameTests.usageHeader
            + "R7,2026-03-05T10:00:00Z,C1,D1,CT,1,\u{201C}routine, checked\u{201D}\n")
        #expect(curly == [
            "line 2, column 7 (urgency): the row has 8 fields but the header has 7: this field starts with a typographic quote "
                + "(\u{201C}), which CSV does not read as quoting, so a comma inside it split the field; write straight double "
                + "quotes (\"Harbor Clinic, Inc.\"); its other fields are checked once it has the header's number",
        ], "\(curly)")
        let card = try rejectedLines("provider_rates-twice.csv",
            "effective_from,grade,modality,urgency,min_seniority_years,rate_per_report,rate_per_image,currency\n"
            + "2026-04-01,*,*,*,0,50.00,0,INR\n2026-04-01,*,*,*,0,55.00,0,INR\n")
        #expect(card == ["line 3, column 1 (effective_from): ambiguous card 2026-04-01: this row has the same grade, modality, urgency and min_seniority_years as line 2; keep one"], "\(card)")
    }
}
