import Foundation
import Testing
@testable import ReconKit

/// SPEC §2 field rules at the parser: anything a workbook cannot hold, or arithmetic cannot
/// hold, is a problem with line, column and field — never a trap.
@Suite("Drops — field rules: years, text, ids, numbers (SPEC §2)")
struct FieldRuleTests {
    /// A drop taken now (``DropParser/newDrop``), as `ingest` reads one.
    let parser = {
        var parser = DropParser(zone: SiteTimeZone(identifier: "Asia/Kolkata")!, baseCurrency: Currency(code: "INR")!)
        parser.newDrop = true
        return parser
    }()
    let usageHeader = "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\n"
    let clientsHeader = "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\n"

    /// The clients (else usage) header with one more column, `name`, and its line end.
    func header(of kind: DropKind, adding name: String) -> String {
        let head = kind == .clients ? clientsHeader : "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
        return head.dropLast() + "," + name + "\n"
    }

    func problems(_ text: String, _ kind: DropKind) -> [DropProblem] {
        Array(text.utf8).withUnsafeBytes { parser.parse($0, kind: kind) }.problems.problems
    }

    /// 3026 used to overflow nanoseconds since 1970 (Int64 ends in 2262) and trap with exit 132.
    @Test(arguments: ["3026-03-10T10:00:00Z", "2262-04-12T00:00:00Z", "1677-09-21T00:00:00Z", "9999-12-31T23:59:59+14:00",
                      "2200-01-01T00:00", "1969-12-31T23:59:59Z", "0001-01-01T00:00:00-23:59"])
    func timestampsOutsideTheYearsAreRejected(at: String) {
        let p = problems(usageHeader + "R1,\(at),C1,D1,CT,3,routine\n", .usage)
        #expect(p.count == 1)
        #expect(p.first?.line == 2 && p.first?.column == 2 && p.first?.field == "reported_at")
        #expect(p.first?.message.contains("1970–2199") == true, "\(p)")
    }

    @Test(arguments: ["1970-01-01T05:30:00+05:30", "1970-01-01T00:00Z", "2199-12-31T18:29:59.999999999Z",
                      "2199-12-31T23:59:59.999999999+05:30", "2199-12-31T23:59", "2026-03-01T10:00"])
    func timestampsInsideTheYearsAreRead(at: String) {
        #expect(problems(usageHeader + "R1,\(at),C1,D1,CT,3,routine\n", .usage).isEmpty)
    }

    /// The date in site time decides the period: one written inside the years but falling
    /// outside them in the site's zone (Asia/Kolkata here, +05:30) would be a period no card
    /// prices and no close names.
    @Test(arguments: [("2199-12-31T23:59:59.999999999Z", "2200-01-01"), ("2199-12-31T20:00-00:30", "2200-01-01"),
                      ("1970-01-01T00:00+14:00", "1969-12-31"), ("1970-01-01T05:29:59+11:00", "1969-12-31")])
    func timestampsFallingOutsideTheYearsInSiteTimeAreRejected(at: String, day: String) {
        expectRejected(at, day, zone: "Asia/Kolkata", parser: parser)
    }

    /// A written offset and the site's together move a date by up to two days: +14:00 written
    /// on a −11:00 site (Pago Pago), −12:00 written on a +14:00 site (Kiritimati).
    @Test(arguments: [("1970-01-02T00:30+14:00", "1969-12-31", "Pacific/Pago_Pago"),
                      ("2199-12-30T23:00-12:00", "2200-01-01", "Pacific/Kiritimati")])
    func timestampsTwoDaysFromTheEdgeAreLookedAtInSiteTime(at: String, day: String, zone: String) {
        expectRejected(at, day, zone: zone, parser: DropParser(zone: SiteTimeZone(identifier: zone)!, baseCurrency: Currency(code: "INR")!))
    }

    func expectRejected(_ at: String, _ day: String, zone: String, parser: DropParser) {
        let p = Array((usageHeader + "R1,\(at),C1,D1,CT,3,routine\n").utf8).withUnsafeBytes { parser.parse($0, kind: .usage) }
            .problems.problems
        #expect(p.map(\.description) == ["line 2, column 2 (reported_at): \"\(at)\" falls on \(day) in site time (\(zone)); "
            + "dates and timestamps lie in the years 1970–2199, in site time too (e.g. 2026-03-01T10:00:00Z)"])
    }

    @Test(arguments: ["1969-12-31", "2200-01-01", "9999-12-31", "0001-01-01"])
    func datesOutsideTheYearsAreRejected(date: String) {
        let p = problems(clientsHeader + "C1,A,INR,std,\(date),5\n", .clients)
        #expect(p.map(\.field) == ["onboarded_on"])
        #expect(p.first?.message.contains("1970–2199") == true)
    }

    /// Control characters, NUL and U+FFFE/U+FFFF make workbooks that are not well-formed XML.
    @Test(arguments: ["Dr\u{0}Rao", "Dr\u{1B}[31mRao", "Dr\u{7F}Rao", "Dr\u{FFFE}Rao", "Dr\u{FFFF}Rao", "\"Dr\nRao\"", "Dr\u{0C}Rao"])
    func textWithCharactersNoWorkbookHoldsIsRejected(name: String) {
        let p = problems(clientsHeader + "C1,\(name),INR,std,2026-01-01,5\n", .clients)
        #expect(p.count == 1)
        #expect(p.first?.line == 2 && p.first?.column == 2 && p.first?.field == "name", "\(p)")
        // The message itself stays on one line.
        #expect(p.first.map { !$0.description.contains("\n") && !$0.description.unicodeScalars.contains { $0.value < 32 } } == true)
    }

    @Test func textLengthsFollowTheField() {
        let name200 = String(repeating: "é", count: 200)
        #expect(problems(clientsHeader + "C1,\(name200),INR,std,2026-01-01,5\n", .clients).isEmpty)
        let name40k = String(repeating: "x", count: 40_000)
        let p = problems(clientsHeader + "C1,\(name40k),INR,std,2026-01-01,5\n", .clients)
        #expect(p.map(\.field) == ["name"])
        #expect(p.first?.message.contains("40000 characters long; this text has at most 200") == true, "\(p)")
        // A note holds 1,000; one more is refused.
        let header = "subject,decision,by,note\n"
        let note1000 = String(repeating: "n", count: 1_000)
        let ok = problems(header + "R1,approve,asha,\(note1000)\n", .decisions)
        #expect(ok.isEmpty)
        let long = problems(header + "R1,approve,asha,\(note1000)n\n", .decisions)
        #expect(long.map(\.field) == ["note"] && long.first?.column == 4)
    }

    /// One character of 32,768 code points (an `e` and 32,767 accents) counted as one: the
    /// clients row was accepted, and its name, longer than a workbook cell holds, was left off
    /// the invoice. A character has a base and at most 30 marks (UAX #15's stream-safe form);
    /// a Vietnamese letter decomposed, or an emoji of several code points, is still taken.
    @Test func aCharacterOfMoreThan31CodePointsIsRejected() {
        let huge = "e" + String(repeating: "\u{301}", count: 32_767)
        let p = problems(clientsHeader + "C1,\(huge),INR,std,2026-01-01,5\n", .clients)
        #expect(p.map(\.field) == ["name"] && p.first?.column == 2, "\(p)")
        #expect(p.first?.message.contains("holds a character made of 32768 code points at character 1; a character has at most 31") == true,
                "\(p)")
        let mark31 = "Dr e" + String(repeating: "\u{301}", count: 30)
        #expect(problems(clientsHeader + "C1,\(mark31),INR,std,2026-01-01,5\n", .clients).isEmpty)
        #expect(!problems(clientsHeader + "C1,\(mark31)\u{301},INR,std,2026-01-01,5\n", .clients).isEmpty)
        #expect(problems(clientsHeader + "C1,Bệnh viện \u{1F469}\u{200D}\u{2695}\u{FE0F} Nguye\u{302}\u{303}n,INR,std,2026-01-01,5\n", .clients).isEmpty)
    }

    /// A tax component's name of 16 characters, each with a thousand accents, passed: the close
    /// then failed on the invoice's cell (exit 1) after status said ready. Held to the cell rule.
    @Test func aTaxComponentNameTooLongForACellIsRejected() {
        let header = clientsHeader.dropLast() + ",tax_rate,tax_components\n"
        let name = "CGST" + "e" + String(repeating: "\u{301}", count: 31)
        let p = problems(header + "C1,A,INR,std,2026-01-01,5,18,\(name):18\n", .clients)
        #expect(p.map(\.field) == ["tax_components"] && p.first?.message.contains("made of 32 code points") == true, "\(p)")
        #expect(problems(header + "C1,A,INR,std,2026-01-01,5,18,CGST:9;SGST:9\n", .clients).isEmpty)
    }

    /// SPEC §2: an address is text up to 300 characters in all, lines separated by ` | `:
    /// one line may be longer than another text field's 200.
    @Test func anAddressHoldsUpTo300CharactersInAnyLines() {
        let header = "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,billing_address\n"
        let long = String(repeating: "a", count: 250)
        #expect(problems(header + "C1,A,INR,std,2020-01-01,5,\(long)\n", .clients).isEmpty)
        #expect(problems(header + "C1,A,INR,std,2020-01-01,5,\(String(repeating: "b", count: 201)) | Kolkata\n", .clients).isEmpty)
        let over = problems(header + "C1,A,INR,std,2020-01-01,5,\(String(repeating: "c", count: 301))\n", .clients)
        #expect(over.map(\.field) == ["billing_address"] && over.first?.column == 7, "\(over)")
        let radiologists = "radiologist_id,name,grade,seniority_years,address\n"
        #expect(problems(radiologists + "D1,Dr Rao,consultant,3,\(long)\n", .radiologists).isEmpty)
    }

    /// Every problem names its column as the header does, those the CSV reader finds too,
    /// and a stray quote no longer hides the problems after it (SPEC §2: all, up to 1,000).
    @Test func csvProblemsNameTheirColumnAndDoNotHideTheRest() {
        let p = problems(usageHeader + "R1,2026-03-02T10:00:00Z,C1,D1,C\"T,3,routine\nR2,2026-03-02T10:00:00Z,C1,D1,ct,3,routine\n"
                         + "R3,2026-03-02T10:00:00Z,C1,D1,CT\n", .usage)
        #expect(p.map(\.line) == [2, 3, 4], "\(p)")
        #expect(p.first?.column == 5 && p.first?.field == "modality", "\(p)")
        #expect(p.first?.description.hasPrefix("line 2, column 5 (modality): a double quote appears inside a field") == true, "\(p)")
    }

    /// An export that joins address fields leaves an empty first or last one: `12 Main St |
    /// Springfield | ` printed "Springfield |" on the invoice, `| 5 High St | Leeds` "| 5 High St".
    /// Those are empty lines, dropped as an empty middle one is; a bare "|" inside a line stays.
    @Test func anAddressWithAnEmptyFirstOrLastLinePrintsNoStrayBar() throws {
        let text = "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,billing_address\n"
            + "C1,A,INR,std,2020-01-01,5,12 Main St | Springfield | \n"
            + "C2,B,INR,std,2020-01-01,5,| 5 High St | Leeds\n"
            + "C3,C,INR,std,2020-01-01,5,Unit 3|4 |  | Pune\n"
        let outcome = Array(text.utf8).withUnsafeBytes { parser.parse($0, kind: .clients) }
        #expect(outcome.problems.problems.isEmpty, "\(outcome.problems.problems)")
        guard case .clients(let clients)? = outcome.rows else { Issue.record("no clients"); return }
        #expect(clients.map(\.billingAddress) == [["12 Main St", "Springfield"], ["5 High St", "Leeds"], ["Unit 3|4", "Pune"]])
    }

    /// A header refused for another column's name (a no-break space inside `tax_rate`) still
    /// names the columns of the reader's problems below it: `line 2, column 2 (name)` lost its
    /// `(name)` there, though the same row named it under a clean header.
    @Test func aReaderProblemBelowARefusedHeaderStillNamesItsColumn() {
        var parser = DropParser(zone: .utc, baseCurrency: Currency(code: "INR")!)
        parser.newDrop = true
        let text = "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_r\u{00A0}ate\n"
            + "C1,Alp\"ha,INR,std,2025-01-01,5,18\n"
        let p = Array(text.utf8).withUnsafeBytes { parser.parse($0, kind: .clients) }.problems.problems
        #expect(p.contains { $0.line == 1 && $0.column == 7 }, "\(p)")
        #expect(p.contains { $0.description.hasPrefix("line 2, column 2 (name): a double quote appears inside a field") }, "\(p)")
    }

    /// A reader's problem in a column the kind does not read names that column as the header
    /// writes it (SPEC §2: `line L, column C (NAME)`); it was named by number only.
    @Test func aReaderProblemInAnUnreadColumnNamesItsHeader() {
        let long = String(repeating: "x", count: 70_000)
        let p = problems("client_id,name,currency,contract_type,onboarded_on,max_images_per_case, Remarks \n"
                         + "C1,A,INR,std,2025-01-01,5,\(long)\n", .clients)
        #expect(p.first?.description.hasPrefix("line 2, column 7 (Remarks): the field is 70000 bytes long") == true, "\(p)")
    }

    /// XAU and XTS are ISO 4217 codes, but without a minor unit: the message says so.
    @Test(arguments: ["XAU", "XTS"])
    func aCodeWithoutAMinorUnitIsNamedAsSuch(code: String) {
        let p = problems(clientsHeader + "C1,A,\(code),std,2020-01-01,5\n", .clients)
        #expect(p.map(\.field) == ["currency"])
        #expect(p.first?.message.contains("is an ISO 4217 code without a minor unit") == true, "\(p)")
    }

    @Test func textIsTrimmed() throws {
        let o = Array((clientsHeader + "C1,  City Hospital\t ,INR,std,2026-01-01,5\n").utf8).withUnsafeBytes { parser.parse($0, kind: .clients) }
        guard case .clients(let list)? = o.rows else { Issue.record("no rows"); return }
        #expect(list.first?.name == "City Hospital")
    }

    /// Ids become file names and arguments: no hidden files, no options. SPEC allows `a..b`.
    @Test func idsMayNotStartWithADotOrADash() {
        for bad in [".hidden", "-rf", ".", ".."] {
            let p = problems(clientsHeader + "\(bad),A,INR,std,2026-01-01,5\n", .clients)
            #expect(p.map(\.field) == ["client_id"], "\(bad): \(p)")
            #expect(p.first?.message.contains("e.g. C-0042") == true)
        }
        for good in ["a..b", "C_1", "_x", "9.0-rc"] {
            #expect(problems(clientsHeader + "\(good),A,INR,std,2026-01-01,5\n", .clients).isEmpty, "\(good)")
        }
    }

    /// A bare CR inside a row is one problem, at its line: the pieces libcsv made of the row
    /// are not judged as rows too ("has 2 fields", "has 5 fields" came first, then the cause).
    @Test func aBareCarriageReturnInARowIsItsOneProblem() {
        let p = problems(clientsHeader + "C7,ab\rcd,INR,std,2025-01-01,5\nC8,B,INR,std,2025-01-01,5\n", .clients)
        #expect(p.count == 1 && p[0].line == 2, "\(p.map(\.description))")
        #expect(p.first?.message.hasPrefix("a row ends in a carriage return (CR) with no line feed (LF) after it") == true)
    }

    /// A character nobody sees is named, not quoted as-is: `"C1​" holds a non-ASCII character`
    /// read as plain `"C1"`. A byte order mark before a later line's id, the same.
    @Test func anInvisibleCharacterInAnIdIsNamedAndShown() {
        let p = problems(clientsHeader + "C1\u{200B},A,INR,std,2026-01-01,5\n\u{FEFF}C2,B,INR,std,2026-01-01,5\n", .clients)
        #expect(p.map(\.description) == [
            "line 2, column 1 (client_id): \"C1\\u{200B}\" holds U+200B (ZERO WIDTH SPACE) at character 3; an id uses only A-Z a-z 0-9 . _ - (e.g. C-0042)",
            "line 3, column 1 (client_id): \"\\u{FEFF}C2\" holds U+FEFF (ZERO WIDTH NO-BREAK SPACE, a byte order mark) at character 1; an id uses only A-Z a-z 0-9 . _ - (e.g. C-0042)",
        ], "\(p.map(\.description))")
        // A visible non-ASCII letter is named too.
        let accented = problems(clientsHeader + "Cé,A,INR,std,2026-01-01,5\n", .clients)
        #expect(accented.first?.message.hasPrefix("\"Cé\" holds U+00E9 (LATIN SMALL LETTER E WITH ACUTE) at character 2") == true, "\(accented)")
    }

    /// Where each id field is written (`X`), in a drop of its kind: its column is the place of `X`.
    static let idFields: [(kind: DropKind, text: String, field: String)] = [
        (.usage, "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\nX,2026-03-02T10:00:00Z,C1,D1,CT,2,routine\n", "report_id"),
        (.usage, "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\nR1,2026-03-02T10:00:00Z,X,D1,CT,2,routine\n", "client_id"),
        (.usage, "report_id,reported_at,client_id,radiologist_id,modality,image_count,urgency\nR1,2026-03-02T10:00:00Z,C1,X,CT,2,routine\n", "radiologist_id"),
        (.clients, "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nX,A,INR,std,2026-01-01,5\n", "client_id"),
        (.clients, "client_id,name,currency,contract_type,onboarded_on,max_images_per_case\nC1,A,INR,X,2026-01-01,5\n", "contract_type"),
        (.radiologists, "radiologist_id,name,grade,seniority_years\nX,Dr Rao,senior,3\n", "radiologist_id"),
        (.radiologists, "radiologist_id,name,grade,seniority_years\nD1,Dr Rao,X,3\n", "grade"),
        (.providerRates, "effective_from,grade,modality,urgency,rate_per_report,currency\n2026-01-01,X,CT,routine,10,INR\n", "grade"),
        (.clientRates, "effective_from,client_id,contract_type,modality,urgency,tier_from,unit_price,currency,tier_mode\n2026-01-01,X,*,*,*,1,5,INR,volume\n", "client_id"),
        (.clientRates, "effective_from,client_id,contract_type,modality,urgency,tier_from,unit_price,currency,tier_mode\n2026-01-01,*,X,*,*,1,5,INR,volume\n", "contract_type"),
        (.payments, "payment_id,client_id,received_on,amount,currency,invoice\nX,C1,2026-03-01,10,INR,INV-1\n", "payment_id"),
        (.payments, "payment_id,client_id,received_on,amount,currency,invoice\nP1,X,2026-03-01,10,INR,INV-1\n", "client_id"),
        (.payments, "payment_id,client_id,received_on,amount,currency,invoice\nP1,C1,2026-03-01,10,INR,X\n", "invoice"),
    ]

    /// 39 × é is 39 characters (78 bytes in UTF-8), within an id's 64: what is wrong is the
    /// é, which no id holds. The length is told only of an id every character of which is allowed.
    @Test(arguments: idFields)
    func anIdOfCharactersNoIdHoldsIsToldSoNotItsLength(kind: DropKind, text: String, field: String) throws {
        let column = try #require(text.split(separator: "\n")[1].split(separator: ",", omittingEmptySubsequences: false)
            .firstIndex(of: "X")) + 1
        func problem(_ id: String) -> [String] {
            problems(text.replacingOccurrences(of: "X", with: id), kind).map(\.description)
        }
        let e39 = String(repeating: "\u{E9}", count: 39)
        #expect(problem(e39) == ["line 2, column \(column) (\(field)): \"\(e39)\" holds U+00E9 (LATIN SMALL LETTER E WITH ACUTE) "
            + "at character 1; an id uses only A-Z a-z 0-9 . _ - (e.g. C-0042)"])
        // 70 of them: past 64 characters too, but the é is still what to fix (shown to 40).
        #expect(problem(String(repeating: "\u{E9}", count: 70)) == ["line 2, column \(column) (\(field)): \"\(String(repeating: "\u{E9}", count: 40))…\" "
            + "holds U+00E9 (LATIN SMALL LETTER E WITH ACUTE) at character 1; an id uses only A-Z a-z 0-9 . _ - (e.g. C-0042)"])
        // A slash among 70 allowed characters: the slash, then (once it goes) the length.
        let slashed = "A/" + String(repeating: "b", count: 68)
        #expect(problem(slashed) == ["line 2, column \(column) (\(field)): \"A/\(String(repeating: "b", count: 38))…\" holds \"/\"; "
            + "an id uses only A-Z a-z 0-9 . _ - (e.g. C-0042)"])
        let b65 = String(repeating: "b", count: 65)
        #expect(problem(b65) == ["line 2, column \(column) (\(field)): \"\(String(repeating: "b", count: 40))…\" is 65 characters long; "
            + "an id has at most 64 (e.g. C-0042)"])
    }

    /// A header name behind an invisible character (a second byte order mark) is shown as it is.
    @Test func aHeaderNameWithAnInvisibleCharacterIsShown() {
        let p = problems("\u{FEFF}\u{FEFF}" + clientsHeader + "C1,A,INR,std,2026-01-01,5\n", .clients)
        #expect(p.first?.message.contains("the header's \"\\u{FEFF}client_id\" holds an invisible U+FEFF") == true, "\(p)")
    }

    /// A required column's name with a control character after it is named for that, not only
    /// said to be missing (the clerk sees client_id in the header).
    @Test func aRequiredHeaderNameWithAControlCharacterIsNamed() {
        let p = problems(clientsHeader.replacingOccurrences(of: "client_id,", with: "client_id\u{0000},") + "C1,A,INR,std,2026-01-01,5\n", .clients)
        #expect(p.first?.message.contains("the header lacks client_id") == true
            && p.first?.message.contains("holds an invisible U+0000") == true, "\(p)")
    }

    /// A NUL an export left in place of a character of a column's name (`po\0number` for
    /// `po_number`) made an unknown column, ignored: the PO was left off every invoice. A
    /// control character in any column's name rejects the drop, naming it (a tab-separated
    /// file is told its separator instead).
    @Test func aControlCharacterInAnyHeaderNameIsNamed() {
        let p = problems(clientsHeader.replacingOccurrences(of: "\n", with: ",po\u{0000}number\n") + "C1,A,INR,std,2026-01-01,5,PO-1\n",
                         .clients)
        #expect(p.count == 1 && p.first?.description.hasPrefix("line 1, column 7: the header's \"po\\u{0000}number\" holds U+0000") == true,
                "\(p)")
    }

    /// A tab, a no-break space or a zero-width one in place of `tax_rate`'s underscore made an
    /// unknown column, ignored: the client's invoices went out without tax, with a log line
    /// only. Such a character in a name that is a column's but for it rejects the drop, naming it.
    @Test(arguments: [("tax\trate", "holds U+0009"), ("tax\u{00A0}rate", "holds an invisible U+00A0"),
                      ("tax\u{200B}rate", "holds an invisible U+200B"), ("tax\u{FEFF}rate", "holds an invisible U+FEFF"),
                      ("Tax\u{00A0}Rate", "holds an invisible U+00A0"),
                      ("PO\u{00A0}number", "holds an invisible U+00A0"),
                      // A combining mark starting the name belongs to no letter; an object replacement is none.
                      ("\u{301}tax_rate", "holds U+0301"), (" \u{301}tax_rate", "holds U+0301")])
    func anInvisibleCharacterInAnyHeaderNameIsNamed(name: String, said: String) {
        let p = problems(clientsHeader.replacingOccurrences(of: "\n", with: ",\(name)\n") + "C1,A,INR,std,2026-01-01,5,18\n", .clients)
        #expect(p.count == 1 && p.first?.line == 1 && p.first?.column == 7 && p.first?.message.contains(said) == true
            && p.first?.message.contains("which no column's name has — retype that name") == true, "\(p)")
    }

    /// A column recon does not read, its name written with a no-break space (`Montant TTC`, as
    /// a French spreadsheet types it) or a tab, rejected the whole drop: SPEC §2 ignores unknown
    /// columns, naming them in the log. Only a name that is a column's but for such characters
    /// is a problem.
    @Test(arguments: ["Montant\u{00A0}TTC", "notes\tx", "Remarks\u{200B}", "taxe\u{00A0}TVA"])
    func anUnknownColumnWithAnInvisibleCharacterIsIgnored(name: String) {
        let text = clientsHeader.replacingOccurrences(of: "\n", with: ",\(name)\n") + "C1,A,INR,std,2026-01-01,5,12.50\n"
        let drop = Array(text.utf8).withUnsafeBytes { parser.parse($0, kind: .clients) }
        #expect(drop.problems.problems.isEmpty, "\(drop.problems.problems)")
        #expect(drop.rows != nil && drop.unknownColumns.count == 1, "\(drop.unknownColumns)")
    }

    /// An optional column's name with a no-break space (or a zero-width one) after it was
    /// ignored as unknown: the client's tax fell to 0 % and a stat report was taken as routine,
    /// with a log line only. The drop is rejected, naming the column.
    @Test(arguments: [("tax_rate\u{00A0}", DropKind.clients, "C1,A,INR,std,2026-01-01,5,18\n", "U+00A0"),
                      ("urgency\u{200B}", DropKind.usage, "R1,2026-03-02T10:00Z,C1,D1,CT,3,stat\n", "U+200B"),
                      // Drawn as nothing, though not formats: they passed.
                      ("urgency\u{3164}", DropKind.usage, "R1,2026-03-02T10:00Z,C1,D1,CT,3,stat\n", "U+3164"),
                      ("urgency\u{FE0F}", DropKind.usage, "R1,2026-03-02T10:00Z,C1,D1,CT,3,stat\n", "U+FE0F"),
                      ("urgency\u{034F}", DropKind.usage, "R1,2026-03-02T10:00Z,C1,D1,CT,3,stat\n", "U+034F"),
                      ("urgency\u{2800}", DropKind.usage, "R1,2026-03-02T10:00Z,C1,D1,CT,3,stat\n", "U+2800"),
                      // Unicode's default-ignorables: a Mongolian variation selector, one kept unassigned for such use.
                      ("tax_rate\u{180B}", DropKind.clients, "C1,A,INR,std,2026-01-01,5,18\n", "U+180B"),
                      ("urgency\u{FFF0}", DropKind.usage, "R1,2026-03-02T10:00Z,C1,D1,CT,3,stat\n", "U+FFF0"),
                      // Control characters, which no spreadsheet shows either: the invoice lost its tax.
                      ("tax_rate\u{0000}", DropKind.clients, "C1,A,INR,std,2026-01-01,5,18\n", "U+0000"),
                      ("urgency\u{0001}", DropKind.usage, "R1,2026-03-02T10:00Z,C1,D1,CT,3,stat\n", "U+0001"),
                      ("tax_rate\u{007F}", DropKind.clients, "C1,A,INR,std,2026-01-01,5,18\n", "U+007F"),
                      ("urgency\u{0085}", DropKind.usage, "R1,2026-03-02T10:00Z,C1,D1,CT,3,stat\n", "U+0085"),
                      // Non-characters, and one of private use: no letter anyone reads.
                      ("tax_rate" + String(Unicode.Scalar(0xFFFF)!), DropKind.clients, "C1,A,INR,std,2026-01-01,5,18\n", "U+FFFF"),
                      ("tax_rate" + String(Unicode.Scalar(0xFDD0)!), DropKind.clients, "C1,A,INR,std,2026-01-01,5,18\n", "U+FDD0"),
                      ("urgency\u{E000}", DropKind.usage, "R1,2026-03-02T10:00Z,C1,D1,CT,3,stat\n", "U+E000"),
                      // An object replacement character, which stands in for no letter.
                      ("\u{FFFC}tax_rate", DropKind.clients, "C1,A,INR,std,2026-01-01,5,18\n", "U+FFFC")])
    func anOptionalColumnNameBehindAnInvisibleCharacterIsRejected(name: String, kind: DropKind, row: String, code: String) {
        let header = header(of: kind, adding: name)
        let p = problems(header + row, kind)
        let column = header.split(separator: ",").count
        #expect(p.count == 1 && p.first?.line == 1 && p.first?.column == column, "\(p)")
        #expect(p.first?.message.contains("holds an invisible \(code)") == true
            && p.first?.message.contains("retype that name (as it is, the column would be ignored") == true, "\(p)")
    }

    /// The same with a letter of another script that prints as a Latin one: `tax_rаte` with a
    /// Cyrillic `а` was ignored as unknown ("ignored unknown columns tax_rаte", a log line that
    /// reads as the real name) and the client invoiced without tax. Rejected, naming the letter;
    /// a required column so typed is named the same way, not said to be missing.
    @Test(arguments: [("tax_r\u{0430}te", DropKind.clients, "C1,A,INR,std,2026-01-01,5,18\n", "U+0430 (CYRILLIC SMALL LETTER A)", "tax_rate"),
                      ("\u{FF55}rgency", DropKind.usage, "R1,2026-03-02T10:00Z,C1,D1,CT,3,stat\n", "U+FF55 (FULLWIDTH LATIN SMALL LETTER U)", "urgency"),
                      ("TAX_RAT\u{0395}", DropKind.clients, "C1,A,INR,std,2026-01-01,5,18\n", "U+0395 (GREEK CAPITAL LETTER EPSILON)", "tax_rate"),
                      // Latin letters of the IPA and others that Unicode lists as confusables, and a
                      // name mixing them with a Cyrillic one: they passed, the first fix's list lacking them.
                      ("ur\u{0261}ency", DropKind.usage, "R1,2026-03-02T10:00Z,C1,D1,CT,3,stat\n", "U+0261 (LATIN SMALL LETTER SCRIPT G)", "urgency"),
                      ("t\u{0251}x_r\u{0251}te", DropKind.clients, "C1,A,INR,std,2026-01-01,5,18\n", "U+0251 (LATIN SMALL LETTER ALPHA)", "tax_rate"),
                      ("ur\u{0261}\u{0435}ncy", DropKind.usage, "R1,2026-03-02T10:00Z,C1,D1,CT,3,stat\n", "U+0261 (LATIN SMALL LETTER SCRIPT G)", "urgency"),
                      // Cherokee and Armenian letters drawn as Latin ones: any script has some.
                      ("TAX_RA\u{13A2}E", DropKind.clients, "C1,A,INR,std,2026-01-01,5,18\n", "U+13A2 (CHEROKEE LETTER I)", "tax_rate"),
                      ("p\u{0585}_number", DropKind.clients, "C1,A,INR,std,2026-01-01,5,PO-1\n", "U+0585 (ARMENIAN SMALL LETTER OH)", "po_number")])
    func aColumnNameInLookAlikeLettersIsRejected(name: String, kind: DropKind, row: String, code: String, column: String) {
        let header = header(of: kind, adding: name)
        let p = problems(header + row, kind)
        #expect(p.count == 1 && p.first?.line == 1 && p.first?.column == header.split(separator: ",").count && p.first?.field == column, "\(p)")
        #expect(p.first?.message.contains("is not \(column): it holds \(code), which only looks like a Latin letter") == true, "\(p)")
        // A required one: named as typed in look-alikes, not as missing.
        let required = problems("report_id,reported_at,client_id,radiologist_id,m\u{043E}dality,image_count\nR1,2026-03-02T10:00Z,C1,D1,CT,3\n", .usage)
        #expect(required.count == 1 && required.first?.column == 5 && required.first?.message.contains("U+043E (CYRILLIC SMALL LETTER O)") == true,
                "\(required)")
        // Names in another script that look like no column are only unknown, as before: also
        // of a column's length, whatever the missing column (`Город` is as long as `email`,
        // `Описание` as `tax_rate`, `検査部位の名称` as `urgency`).
        #expect(problems(clientsHeader.dropLast() + ",примечание\nC1,A,INR,std,2026-01-01,5,x\n", .clients).isEmpty)
        #expect(problems(clientsHeader.dropLast() + ",Город,Описание\nC1,A,INR,std,2026-01-01,5,Москва,x\n", .clients).isEmpty)
        #expect(problems(usageHeader.dropLast() + ",検査部位の名称\nR1,2026-03-02T10:00Z,C1,D1,CT,3,stat,胸部\n", .usage).isEmpty)
        #expect(problems("subject,decision,by,確認日付\nR1,approve,Asha,x\n", .decisions).isEmpty)
        // An accent is named as itself, not as the letter it sits on.
        let accent = problems(clientsHeader.dropLast() + ",tax_rate\u{301}\nC1,A,INR,std,2026-01-01,5,18\n", .clients)
        #expect(accent.first?.message.contains("U+0301 (COMBINING ACUTE ACCENT)") == true, "\(accent)")
    }

    /// A header lacking a column said only that: the rows' own problems (a day that does not
    /// exist, a count of 0) came one correction later. Listed with it now; the drop is still
    /// rejected, and no row is taken.
    @Test func aHeaderLackingAColumnStillListsItsRowsProblems() {
        let p = problems("report_id,reported_at,client_id,radiologist_id,image_count\n"
            + "R1,2026-03-02T10:00Z,C1,D1,3\nR2,2026-02-30T10:00Z,C1,D1,0\n", .usage)
        #expect(p.count == 3, "\(p)")
        #expect(p.first?.line == nil && p.first?.message.hasPrefix("the header lacks modality") == true, "\(p)")
        #expect(p.dropFirst().allSatisfy { $0.line == 3 } && Set(p.dropFirst().compactMap(\.field)) == ["reported_at", "image_count"], "\(p)")
        // The lacking column is no problem of each row; a title line above the header (no column of the kind) reads no rows.
        #expect(!p.contains { $0.field == "modality" }, "\(p)")
        let titled = problems("March usage export\nreport_id,reported_at,client_id,radiologist_id,modality,image_count\nR1,2026-03-02T10:00Z,C1,D1,CT,1\n", .usage)
        #expect(titled.contains { $0.message.contains("this line is the header") }, "\(titled)")
    }

    /// A column the file lacks, spelt otherwise: `Tax Rate` (a space for the underscore),
    /// `rate per image`, `PO Number`, `urg-ency` were ignored as unknown, and every row took the
    /// column's default — stat reports billed as routine, a new client invoiced without tax —
    /// with a log notice the only word of it. Rejected, naming the column it reads as; a
    /// required one so spelt is named the same way, not said to be missing.
    @Test(arguments: [("Tax Rate", DropKind.clients, "C1,A,INR,std,2026-01-01,5,18\n", "tax_rate"),
                      ("TAX-RATE", DropKind.clients, "C1,A,INR,std,2026-01-01,5,18\n", "tax_rate"),
                      ("urg-ency", DropKind.usage, "R1,2026-03-02T10:00Z,C1,D1,CT,3,stat\n", "urgency"),
                      ("PO Number", DropKind.clients, "C1,A,INR,std,2026-01-01,5,PO-1\n", "po_number")])
    func aColumnNameSpeltOtherwiseIsRejected(name: String, kind: DropKind, row: String, column: String) {
        let header = header(of: kind, adding: name)
        let p = problems(header + row, kind)
        #expect(p.count == 1 && p.first?.line == 1 && p.first?.column == header.split(separator: ",").count && p.first?.field == column, "\(p)")
        #expect(p.first?.message == "the header's \"\(name)\" is not a column's name, but reads as \(column), which this file lacks — "
            + "name it \(column) exactly (as it is, the column would be ignored and every row take \(column)'s default)", "\(p)")
        // A required one: named as spelt otherwise, not as missing.
        let required = problems("report_id,reported_at,client_id,radiologist_id,Image Count,modality\nR1,2026-03-02T10:00Z,C1,D1,3,CT\n", .usage)
        #expect(required.count == 1 && required.first?.column == 5 && required.first?.message.hasPrefix("the header's \"Image Count\" is "
            + "not a column's name, but reads as image_count, which this file lacks — name it image_count exactly") == true, "\(required)")
    }

    /// Other columns of a finance system's export stay unknown, ignored (SPEC §2), however close
    /// to a column's name: a letter more or less is another column (`Tax Date`, `Max Rate`,
    /// `Taxed`, `Mail`, `Invoiced`, `Tier No`, `Address 2`, `Reference 2` were all rejected by a
    /// rule that allowed one), and a column of the file's own, named twice otherwise, is said so.
    @Test func otherColumnsOfAnExportStayUnknown() {
        #expect(problems(clientsHeader.dropLast() + ",Tax Date,Max Rate,Taxed,Mail,Notes,Ward\nC1,A,INR,std,2026-01-01,5,x,y,z,w,n,e\n",
                         .clients).isEmpty)
        #expect(problems("payment_id,client_id,received_on,amount,currency,Invoiced,Reference 2\nP1,C1,2026-03-02,5.00,INR,x,y\n",
                         .payments).isEmpty)
        #expect(problems("effective_from,client_id,contract_type,modality,urgency,tier_from,Tier No,unit_price,currency,tier_mode\n"
                         + "2026-03-01,*,*,*,*,1,3,100.00,INR,volume\n", .clientRates).isEmpty)
        #expect(problems("radiologist_id,name,grade,seniority_years,Address 2\nD1,A,consultant,3,x\n", .radiologists).isEmpty)
        #expect(problems("report_id,reported_at,client_id,radiologist_id,modality,image_count,urgent_note\nR1,2026-03-02T10:00Z,C1,D1,CT,3,x\n",
                         .usage).isEmpty)
        // Beside the column itself, `Urgency` is that column named twice.
        #expect(problems(usageHeader.dropLast() + ",Urgency\nR1,2026-03-02T10:00Z,C1,D1,CT,3,stat,stat\n", .usage).first?.message
            .contains("appears twice") == true)
    }

    /// An archived drop is read as it was taken: a header name in look-alike letters or behind
    /// an invisible character, and a character of many code points, were accepted by earlier
    /// versions (the column ignored as unknown), and read again under the rules added since,
    /// such a drop locked every command out of an intact site (exit 4) that the auditor's
    /// verifier passed. The rules hold for a drop taken now only.
    @Test func anArchivedDropIsReadUnderTheRulesItWasTakenUnder() throws {
        var archived = parser
        archived.newDrop = false
        let text = clientsHeader.dropLast() + ",\u{FF54}ax_rate,tax_r\u{0430}te,po_number\u{00A0}\nC1,Zalgo e" + String(repeating: "\u{301}", count: 32)
            + " Clinic,INR,std,2026-01-01,5,18,18,PO-1\n"
        let taken = Array(text.utf8).withUnsafeBytes { archived.parse($0, kind: .clients) }
        #expect(taken.problems.isEmpty, "\(taken.problems.reportLines)")
        guard case .clients(let rows)? = taken.rows else { Issue.record("no rows"); return }
        #expect(rows.count == 1 && rows[0].taxRate.isZero, "the look-alike columns are ignored, as when it was taken")
        #expect(taken.unknownColumns.count == 3, "\(taken.unknownColumns)")
        // Taken now, each of the three names is a problem (and the rows wait for a header that reads).
        #expect(problems(text, .clients).map(\.line) == [1, 1, 1], "a drop taken now is held to every rule")
    }

    /// A workbook saved under a `.csv` name read as 123 CSV problems (a quote here, a byte that
    /// is not UTF-8 there) with nothing saying it is a workbook. One problem says so, and how to save it.
    /// (An XLSX archive lists `[Content_Types].xml`, an ODS one starts with its `mimetype`.)
    @Test(arguments: [[0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00] + Array("[Content_Types].xml".utf8),
                      [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00] + Array("mimetypeapplication/vnd.oasis.opendocument.spreadsheet".utf8),
                      [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0x00, 0x00]])
    func aWorkbookUnderACsvNameIsSaidToBeOne(start: [UInt8]) {
        let bytes = start + Array("\u{97}\"x,y\n\"\"\"".utf8) + [UInt8](repeating: 0x97, count: 200)
        let p = bytes.withUnsafeBytes { parser.parse($0, kind: .usage) }.problems.problems
        #expect(p.count == 1 && p.first?.message.contains("not CSV text; open it and save it as \"CSV UTF-8 (Comma delimited)\"") == true,
                "\(p)")
    }

    /// A compressed export (`usage-2026-03.csv.gz`, or one gzipped under a `.csv` name) read as
    /// two CSV problems, "not UTF-8" and a stray quote, saying nothing of what the file is. One
    /// problem names the compression and the tool that undoes it.
    @Test(arguments: [([0x1F, 0x8B, 0x08, 0x00] as [UInt8], "gzip-compressed", "gunzip"), ([0x42, 0x5A, 0x68, 0x39], "bzip2-compressed", "bunzip2"),
                      ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "xz-compressed", "unxz"), ([0x28, 0xB5, 0x2F, 0xFD], "zstd-compressed", "unzstd"),
                      // A zipped CSV was called a workbook, and the clerk told to open it in Excel.
                      ([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00] + Array("clients.csv".utf8), "a ZIP archive", "unzip")])
    func aCompressedFileIsSaidToBeOne(start: [UInt8], name: String, tool: String) {
        let bytes = start + Array("\u{8B}\"x,y\n\"\"\"".utf8) + [UInt8](repeating: 0x8B, count: 200)
        let p = bytes.withUnsafeBytes { parser.parse($0, kind: .usage) }.problems.problems
        #expect(p.count == 1 && p.first?.message.contains("the file is \(name), not CSV text; decompress it (\(tool) FILE)") == true, "\(p)")
    }

    /// A name written decomposed (NFD: `ễ` as e, circumflex, tilde) was counted in code points:
    /// 167 characters read as 203 and rejected, where the same name composed passed. Both pass;
    /// 201 characters, either way, do not.
    @Test func textIsCountedInCharactersAsAPersonSeesThem() throws {
        let composed = String(repeating: "Nguyễn Thị Hồng ", count: 12).trimmingCharacters(in: .whitespaces)  // 191 characters
        let decomposed = composed.decomposedStringWithCanonicalMapping
        #expect(composed.count == 191 && decomposed.unicodeScalars.count > 200)
        #expect(try FieldValue.text(Substring(decomposed), limit: 200) == decomposed)
        let long = String(repeating: "ễ", count: 201).decomposedStringWithCanonicalMapping
        #expect(throws: FieldValue.Invalid.self) { try FieldValue.text(Substring(long), limit: 200) }
    }

    /// A decimal of 60 digits used to overflow Int128 while it was read.
    @Test(arguments: [String(repeating: "9", count: 60), "0." + String(repeating: "1", count: 60),
                      String(repeating: "9", count: 40) + "." + String(repeating: "9", count: 40)])
    func hugeDecimalsAreRejectedNotTrapped(rate: String) {
        let p = problems("date,currency,rate\n2026-03-01,USD,\(rate)\n", .fxRates)
        #expect(p.map(\.field) == ["rate"])
    }

    @Test func everyProblemNamesLineColumnFieldAndAnExample() {
        let p = problems(clientsHeader + "C1,\u{1}x,INR,std,3026-01-01,5\n", .clients)
        #expect(p.map(\.description) == [
            "line 2, column 2 (name): holds a control character (U+0001) at character 1; text may not hold control characters or U+FFFE/U+FFFF (e.g. Asha Rao)",
            "line 2, column 5 (onboarded_on): \"3026-01-01\" is in the year 3026; dates and timestamps lie in the years 1970–2199 (e.g. 2026-02-28)",
        ])
        // A line break typed in a cell (Alt+Enter in an address), quoted so the row reads whole:
        // named as one, with how to write an address's lines.
        let broken = problems(clientsHeader + "C1,\"City\nHospital\",INR,std,2026-01-01,5\n", .clients)
        #expect(broken.map(\.description) == [
            "line 2, column 2 (name): holds a line break at character 5; a field is one line of text: write an address's lines "
                + "apart with ` | ` (1 Road | Town), and other text on one line (e.g. Asha Rao)",
        ], "\(broken)")
        // An empty required field says what a value looks like too.
        let empty = problems(usageHeader + "R1,,C1,D1,CT,,routine\n", .usage)
        #expect(empty.map(\.description) == [
            "line 2, column 2 (reported_at): is empty; a value is required (e.g. 2026-03-01T10:00:00Z)",
            "line 2, column 6 (image_count): is empty; a value is required (e.g. 1, 3, 12)",
        ], "\(empty)")
    }
}

/// SPEC §2's integers, padded by an export: `0000000005` is 5 and `0000000030` 30, as a padded
/// decimal was read already; they were refused as "not a whole number", beside a limit of 9
/// digits they hold only by counting the zeros. Ten significant digits are still too many.
struct PaddedIntegerTests {
    @Test(arguments: [("0000000005", 5), ("0000000030", 30), ("000000000000000000001", 1), ("0", 0), ("007", 7),
                      ("999999999", 999_999_999), ("0999999999", 999_999_999)])
    func leadingZerosAreNotDigitsOfTheLimit(text: String, value: Int) throws {
        #expect(try FieldValue.integer(Substring(text), minimum: 0) == value)
    }

    @Test(arguments: ["1000000000", "01000000000", "", "5a", " 5"])
    func tenSignificantDigitsOrOtherTextAreStillRefused(text: String) {
        #expect(throws: (any Error).self) { try FieldValue.integer(Substring(text), minimum: 0) }
    }
}
