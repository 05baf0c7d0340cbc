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

    /// A row of the wrong width gives no row, but its fields are checked all the same: the clerk
    /// fixes the file once, not once a problem.
    @Test func aRowOfTheWrongWidthStillHasItsFieldsChecked() throws {
        let usage = try rejectedLines("usage-short.csv", InboxLongNameTests.usageHeader
            + "K2,2026-13-02T10:00Z,C9,D1,ct\n"                        // short: bad month, unknown client, bad code
            + "K3,2026-03-05T10:00:00Z,C9,D1,CT,1,routine,extra\n"     // long: unknown client
            + "K4,2026-03-05T10:00:00Z,C1,D9,CT,1\n")                  // short by its optional column: unknown radiologist
        let expected = [
            "line 2, column 2 (reported_at): \"2026-13-02T10:00Z\" is not a timestamp: 2026-13-02 has month 13",
            "line 2, column 3 (client_id): ",
            "line 2, column 5 (modality): \"ct\"",
            "line 2, column 6 (image_count): the row ends before this column: it has 5 fields but the header has 7",
            "line 3, column 3 (client_id): ",
            "line 3, column 8 (no header): the row has 8 fields but the header has 7",
            "line 4, column 4 (radiologist_id): ",
            "line 4, column 7 (urgency): the row ends before this column: it has 6 fields but the header has 7",
        ]
        #expect(usage.count == expected.count, "\(usage)")
        for (line, prefix) in zip(usage, expected) { #expect(line.hasPrefix(prefix), "\(line) should start \(prefix)") }
        #expect(usage[1].contains("C9") && usage[4].contains("C9") && usage[6].contains("D9"), "\(usage)")

        let clients = try rejectedLines("clients-short.csv",
            "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nC2,Two,eur,std\n")
        #expect(clients.count == 2, "\(clients)")
        #expect(clients.first?.hasPrefix("line 2, column 3 (currency): ") == true, "\(clients)")
        #expect(clients.last?.hasPrefix("line 2, column 5 (onboarded_on): the row ends before this column") == true, "\(clients)")
    }

    @Test func rowsOfTheWrongWidthAndAmbiguousCardsNameTheirColumn() throws {
        let usage = try rejectedLines("usage-widths.csv", InboxLongNameTests.usageHeader
            + "R5,2026-03-05T10:00:00Z,C1,D1,CT,1\n"
            + "R6,2026-03-05T10:00:00Z,C1,D1,CT,1,routine,extra\n")
        #expect(usage == [
            "line 2, column 7 (urgency): the row ends before this column: it has 6 fields but the header has 7; give every row all the header's fields (an empty one for an empty value)",
            "line 3, column 8 (no header): the row has 8 fields but the header has 7; quote fields that contain commas",
        ], "\(usage)")
        let card = try rejectedLines("provider_rates-twice.csv",
            "effective_from,grade,modality,urgency,min_seniority_years,rate_per_report,rate_per_image,currency\n"
            + "2026-04-01,*,*,*,0,50.00,0,INR\n2026-04-01,*,*,*,0,55.00,0,INR\n")
        #expect(card == ["line 3, column 1 (effective_from): ambiguous card 2026-04-01: this row has the same grade, modality, urgency and min_seniority_years as line 2; keep one"], "\(card)")
    }
}
