import Foundation
import Testing
@testable import ReconKit

/// `recon.toml` read strictly (SPEC §1): unknown and duplicate keys and wrong types are
/// errors naming the line; nothing traps; every key of the SPEC is read.
@Suite("recon.toml — a strict reader (SPEC §1)")
struct SiteConfigTests {
    let head = "site = \"s\"\nbase_currency = \"INR\"\ntimezone = \"UTC\"\n"

    func problem(_ text: String) -> String? {
        do {
            _ = try SiteConfig.parse(text)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func everyKeyOfTheSpecIsRead() throws {
        let c = try SiteConfig.parse("""
            site = "example-site"      # checkpoint origin
            base_currency = "INR"
            timezone = 'Asia/Kolkata'
            paper = "Letter"
            block_on_soft = true
            stable_seconds = 3
            site_key = "/etc/recon/keys/site.key"

            [seller]
            legal_name = "Example Teleradiology Pvt Ltd"
            address = [
              "12 MG Road",   # street
              "Bengaluru 560001",
              "India",
            ]
            tax_id = "29ABCDE1234F1Z5"
            email = "billing@example.com"
            payment_instructions = "HDFC Bank, IFSC HDFC0000123, account \\"0012345678\\" \\u00E9"

            [auditor]
            threshold = 0.65
            """)
        #expect(c.site == "example-site" && c.baseCurrency == "INR" && c.timezone == "Asia/Kolkata")
        #expect(c.paper == .letter && c.blockOnSoft && c.stableSeconds == 3 && c.siteKey == "/etc/recon/keys/site.key")
        #expect(c.seller?.legalName == "Example Teleradiology Pvt Ltd")
        #expect(c.seller?.address == ["12 MG Road", "Bengaluru 560001", "India"])
        #expect(c.seller?.taxId == "29ABCDE1234F1Z5" && c.seller?.email == "billing@example.com")
        #expect(c.seller?.paymentInstructions == "HDFC Bank, IFSC HDFC0000123, account \"0012345678\" é")
        #expect(c.softThreshold == 0.65)
        // What is written reads back the same.
        #expect(try SiteConfig.parse(c.text) == c)
    }

    /// Windows editors save a byte order mark first: it is not a key.
    /// Seller texts are trimmed as drop texts are (they reached invoices and entries padded),
    /// and an address line left blank is an error naming the line (it printed as a gap).
    @Test func sellerTextsAreTrimmedAndNoAddressLineIsBlank() throws {
        let padded = try SiteConfig.parse("""
            [seller]
            legal_name = "   Padded Ltd   "
            address = [" 1 Road ", "  Town"]
            tax_id = "  T1 "
            payment_instructions = "   "
            """)
        #expect(padded.seller?.legalName == "Padded Ltd")
        #expect(padded.seller?.address == ["1 Road", "Town"])
        #expect(padded.seller?.taxId == "T1")
        #expect(padded.seller?.paymentInstructions == "")
        // Nothing to read is no value either: a legal_name of a lone no-break space issued
        // invoices with a blank seller; a tax_id of a zero-width space counted as given.
        let invisible = try SiteConfig.parse("[seller]\nlegal_name = \"L\"\ntax_id = \"\u{200B}\"\n")
        #expect(invisible.seller?.taxId == "")
        do {
            _ = try SiteConfig.parse("[seller]\nlegal_name = \"\u{00A0}\"\n")
            Issue.record("a legal_name of a no-break space was taken")
        } catch {
            #expect("\(error)".contains("line 2") && "\(error)".contains("legal_name is empty"), "\(error)")
        }
        #expect(throws: TOML.Problem.self) { try SiteConfig.parse("[seller]\nlegal_name = \"L\"\naddress = [\"a\", \"  \"]\n") }
        do {
            _ = try SiteConfig.parse("[seller]\nlegal_name = \"L\"\naddress = [\"a\", \"  \"]\n")
        } catch {
            #expect("\(error)".contains("line 3") && "\(error)".contains("address line 2 is empty"), "\(error)")
        }
    }

    /// A seller's text is counted as a person counts characters, as a drop's is: a Vietnamese
    /// legal name of 176 characters saved decomposed (216 code points) was refused as "216
    /// characters long", and every command with it.
    @Test func sellerTextsAreCountedInCharactersAsAPersonCountsThem() throws {
        let name = "Công ty Trách nhiệm Hữu hạn Chẩn đoán Hình ảnh Y khoa Từ xa Việt Nam - Chi nhánh Thành phố Hồ Chí Minh - "
            + "Văn phòng Điều hành Dịch vụ Đọc phim Chẩn đoán Hình ảnh Quận Bình Thạnh"
        let decomposed = name.decomposedStringWithCanonicalMapping
        #expect(name.count == 176 && decomposed.unicodeScalars.count > 200)
        #expect(try SiteConfig.parse("[seller]\nlegal_name = \"\(decomposed)\"\n").seller?.legalName == decomposed)
        // A character of many marks, which earlier versions took and printed on issued invoices,
        // is still taken (refused, it stopped every command of an upgraded site); a text longer
        // than a cell holds, which no invoice could print, is named.
        #expect(try SiteConfig.parse("[seller]\nlegal_name = \"Zalgo e\(String(repeating: "\u{301}", count: 40))\"\n").seller != nil)
        do {
            _ = try SiteConfig.parse("[seller]\nlegal_name = \"e\(String(repeating: "\u{301}", count: 33_000))\"\n")
            Issue.record("a legal_name longer than a cell was taken")
        } catch {
            #expect("\(error)".contains("line 2") && "\(error)".contains("more than a workbook cell holds"), "\(error)")
        }
    }

    /// A key in literal quotes is TOML as much as one in basic quotes (it was refused as no key name).
    @Test func aLiteralQuotedKeyIsRead() throws {
        #expect(try SiteConfig.parse("'site' = \"s\"\nbase_currency = \"INR\"\ntimezone = \"UTC\"\n") == SiteConfig.parse(head))
    }

    @Test func aByteOrderMarkIsNotPartOfTheFile() throws {
        #expect(try SiteConfig.parse("\u{FEFF}" + head) == SiteConfig.parse(head))
    }

    @Test func defaults() throws {
        let c = try SiteConfig.parse(head)
        #expect(c.paper == .a4 && !c.blockOnSoft && c.stableSeconds == 1 && c.siteKey == nil && c.seller == nil)
    }

    @Test(arguments: [
        ("block_on_soft = \"true\"", "recon.toml line 4: block_on_soft is a string; it takes true or false without quotes (e.g. block_on_soft = true)"),
        ("block_on_sfot = true", "recon.toml line 4: unknown key block_on_sfot at the top of recon.toml; the keys there are site, base_currency, timezone, paper, block_on_soft, stable_seconds, site_key"),
        ("site = \"t\"", "recon.toml line 4: site is set twice (also on line 1); keep one"),
        ("stable_seconds = nan", "recon.toml line 4: stable_seconds is a float; it takes a whole number from 0 to 3600 (e.g. stable_seconds = 1)"),
        ("stable_seconds = inf", "recon.toml line 4: stable_seconds is a float; it takes a whole number from 0 to 3600 (e.g. stable_seconds = 1)"),
        ("stable_seconds = 1.5", "recon.toml line 4: stable_seconds is a float; it takes a whole number from 0 to 3600 (e.g. stable_seconds = 1)"),
        ("stable_seconds = 99999999999999999999999", "recon.toml line 4: 99999999999999999999999 is too large for a whole number"),
        ("stable_seconds = -5", "recon.toml line 4: stable_seconds is -5; it takes a whole number from 0 to 3600"),
        // Read as floats ("stable_seconds is a float"): an underscore not between two digits.
        ("stable_seconds = 10_", "recon.toml line 4: 10_ is not a number: an underscore stands only between two digits (1_000)"),
        ("stable_seconds = 1__0", "recon.toml line 4: 1__0 is not a number: an underscore stands only between two digits (1_000)"),
        // A line ended by a bare CR (old Mac ends, or CR LF converted twice): "unexpected text".
        ("paper = \"A4\"\r\r", "recon.toml line 4: a carriage return (CR) without its line feed ends the line: save recon.toml with LF or CR LF line ends"),
        // The same after a comment, as init writes one on every line: the rest of the file was read as that comment.
        ("paper = \"A4\" # A4 or Letter\r[seller]\rlegal_name = \"X\"\r", "recon.toml line 4: a carriage return (CR) without its line feed ends the line: save recon.toml with LF or CR LF line ends"),
        ("# the paper\rpaper = \"A5\"", "recon.toml line 4: a carriage return (CR) without its line feed ends the line: save recon.toml with LF or CR LF line ends"),
        ("# the paper\r\npaper = \"A4\"\r\r", "recon.toml line 5: a carriage return (CR) without its line feed ends the line: save recon.toml with LF or CR LF line ends"),
        ("paper = \"A5\"", "recon.toml line 4: paper is \"A5\"; write \"A4\" or \"Letter\""),
        ("paper = A4", "recon.toml line 4: cannot read the value A4; use \"text\", true/false, a whole number or [\"a\", \"b\"]"),
        ("[seller]\nlegal_name = \"X\"\naddress = \"12 MG Road\"", "recon.toml line 6: [seller] address is a string; it takes an array of strings (e.g. address = [\"12 MG Road\", \"Bengaluru 560001\"])"),
        ("[seller]\nlegal_name = \"X\"\naddress = [\"a\", 3]", "recon.toml line 6: [seller] address holds an integer; every item is a string (e.g. address = [\"12 MG Road\", \"Bengaluru 560001\"])"),
        ("[seller]\nlegal_name = \"X\\u0007\"", "recon.toml line 5: [seller] legal_name holds a control character (U+0007); a workbook cannot show it — remove it"),
        ("[seller]\nlegal_name = \"X\"\nphone = \"1\"", "recon.toml line 6: unknown key phone in [seller]; the keys there are legal_name, address, tax_id, email, payment_instructions"),
        ("[seller]\ntax_id = \"1\"", "recon.toml line 4: [seller] legal_name is missing; add legal_name = \"Example Teleradiology Pvt Ltd\""),
        ("[seller]\nlegal_name = \" \"", "recon.toml line 5: [seller] legal_name is empty; write the seller's legal name (e.g. legal_name = \"Example Teleradiology Pvt Ltd\")"),
        ("[sellers]", "recon.toml line 4: [sellers] is not a recon.toml table; the tables are [seller] and [auditor]"),
        ("[seller]\nlegal_name = \"X\"\n[seller]", "recon.toml line 6: the table [seller] appears twice; keep one"),
        ("x.y = 1", "recon.toml line 4: dotted keys are not used in recon.toml; write a [table] instead"),
        ("site_key = \"unterminated", "recon.toml line 4: the string is not closed; end it with \" on the same line"),
        ("site_key = \"a\" \"b\"", "recon.toml line 4: unexpected text after the value; put one key = value on each line"),
        ("[auditor]\nthreshold = 7", "recon.toml line 5: [auditor] threshold is 7.0; an anomaly score lies above 0 and at most 1 (e.g. 0.6)"),
        // Read as what it says (it was called inf).
        ("[auditor]\nthreshold = nan", "recon.toml line 5: [auditor] threshold is nan; an anomaly score lies above 0 and at most 1 (e.g. 0.6)"),
        // Nested a hundred thousand deep, the reader ran out of stack and the process died (exit 139, no message).
        ("x = " + String(repeating: "[", count: 100_000),
         "recon.toml line 4: arrays nested more than 8 deep are not used in recon.toml; write [\"a\", \"b\"]"),
        ("[seller]\nlegal_name = '''X'''", "recon.toml line 5: multi-line strings are not used in recon.toml; write '…' on one line (its text holds no line break: separate the parts with commas)"),
    ])
    func mistakesAreErrorsNamingTheLine(extra: String, message: String) {
        #expect(problem(head + extra + "\n") == message)
    }

    /// The values fixed at init may be left out: `site.init`'s stand.
    @Test func theValuesFixedAtInitMayBeLeftOut() throws {
        let fixed = SiteConfig(site: "hq", baseCurrency: "INR", timezone: "Asia/Kolkata")
        let config = try SiteConfig.parse("paper = \"Letter\"\n", fixed: fixed)
        #expect(config.site == "hq" && config.baseCurrency == "INR" && config.timezone == "Asia/Kolkata" && config.paper == .letter)
        #expect(try SiteConfig.parse("", fixed: fixed) == fixed)
    }

    /// SPEC §1: `recon.toml` is optional; every command reads it as the others do, `verify`
    /// too: a value that disagrees with site.init is exit 3, an unknown key exit 1.
    @Test func aSiteWithoutReconTomlRunsAndVerifyReadsItAsEveryCommand() throws {
        let site = try TestSite.marchSite()
        let original = try site.read("recon.toml")
        try FileManager.default.removeItem(atPath: site.path("recon.toml"))
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 0, "\(close.out)\(close.err)")
        #expect(try site.recon(["status"], env: TestSite.closeDay).code == 0)
        #expect(try site.recon(["verify"], env: TestSite.closeDay).code == 0)
        #expect(!site.exists("recon.toml"))

        try original.replacingOccurrences(of: "timezone = \"UTC\"", with: "timezone = \"Asia/Kolkata\"")
            .write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        let disagrees = try site.recon(["verify"], env: TestSite.closeDay)
        #expect(disagrees.code == 3, "\(disagrees.out)\(disagrees.err)")
        #expect(disagrees.err.contains("timezone is Asia/Kolkata but the ledger says UTC"), "\(disagrees.err)")
        try (original + "bogus_key = 1\n").write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        let unknown = try site.recon(["verify"], env: TestSite.closeDay)
        #expect(unknown.code == 1, "\(unknown.out)\(unknown.err)")
        #expect(unknown.err.contains("bogus_key"), "\(unknown.err)")
    }

    /// A `recon.toml` that is a link to a file gone (a share not mounted) is not "no file": the
    /// close issued final invoices without the seller block, on default paper. Every command
    /// refuses it as an unreadable file, and init does not replace the link.
    @Test func aReconTomlLinkedToNothingIsRefusedNotTakenForNone() throws {
        let site = try TestSite.marchSite()
        try FileManager.default.removeItem(atPath: site.path("recon.toml"))
        try FileManager.default.createSymbolicLink(atPath: site.path("recon.toml"), withDestinationPath: "/nonexistent/share/recon.toml")
        let before = try site.ledgerBytes()
        for args in [["close", "2026-03"], ["status"], ["verify"]] {
            let run = try site.recon(args, env: TestSite.closeDay)
            #expect(run.code == 3, "\(args): \(run.out)\(run.err)")
            #expect(run.err.contains("recon.toml is a symbolic link to /nonexistent/share/recon.toml, which is not there"), "\(args): \(run.err)")
        }
        #expect(try site.ledgerBytes() == before)
        let fresh = try TestSite()
        try FileManager.default.createSymbolicLink(atPath: fresh.path("recon.toml"), withDestinationPath: "/nonexistent/share/recon.toml")
        let initialised = try fresh.recon(["init", "--name", "linked"], env: TestSite.closeDay)
        #expect(initialised.code == 3, "\(initialised.out)\(initialised.err)")
        #expect(FileIO.isSymbolicLink(fresh.path("recon.toml")) && !fresh.exists("Ledger/ledger.jsonl"))
    }

    /// The soft gate's settings decide which soft flags a close raises, so its `period.closed`
    /// records them: the same ledger and inputs give the same flags only with the settings
    /// among the recorded inputs (a threshold of 1 would switch the gate off without a trace).
    @Test func aCloseRecordsTheSoftGateSettingsItRaisedItsFlagsWith() throws {
        let site = try TestSite.marchSite()
        let toml = try site.read("recon.toml")
        try (toml + "\n[auditor]\nthreshold = 0.45\n").write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let closed = try #require(try site.bodies("period.closed").first)
        let auditor = try #require(closed["auditor"] as? [String: Any], "\(closed.keys.sorted())")
        #expect(auditor["soft_threshold"] as? String == "0.45")
        #expect(auditor["block_on_soft"] as? Bool == false)
        #expect(try site.recon(["verify"], env: TestSite.closeDay).code == 0)
        site.expectAuditorAccepts()
    }

    /// Medium: `block_on_soft = "true"` was silently ignored, so soft flags did not block.
    /// A recon.toml prepared before `recon init` (its seller, its paper) is kept byte for byte,
    /// and gives init the values it names; an init asked for other values refuses and creates nothing.
    @Test func initKeepsAPreparedReconToml() throws {
        let env = ["RECON_NOW": "2026-04-02T09:00:00Z"]
        let prepared = """
            # prepared by finance before the site's first run
            site = "acme"
            base_currency = "USD"
            timezone = "Europe/Paris"
            paper = "Letter"
            [seller]
            legal_name = "Acme Teleradiology LLC"

            """
        let refused = try TestSite()
        try prepared.write(toFile: refused.path("recon.toml"), atomically: true, encoding: .utf8)
        let other = try refused.recon(["init", "--base-currency", "INR"], env: env)
        #expect(other.code == 3, "\(other.out)\(other.err)")
        #expect(other.err.contains("base_currency = \"USD\", not \"INR\""), "\(other.err)")
        #expect(!refused.exists("Ledger") && !refused.exists("Inbox"))
        #expect(try refused.read("recon.toml") == prepared)

        let site = try TestSite()
        try prepared.write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        let made = try site.recon(["init"], env: env)
        #expect(made.code == 0, "\(made.out)\(made.err)")
        #expect(made.out.contains("initialised site acme") && made.out.contains("(base USD, Europe/Paris)"), "\(made.out)")
        #expect(try site.read("recon.toml") == prepared)
        let initial = try #require(try site.bodies("site.init").first)
        #expect(initial["site"] as? String == "acme" && initial["base_currency"] as? String == "USD"
                && initial["timezone"] as? String == "Europe/Paris")
        #expect(try site.recon(["verify"], env: env).code == 0)
    }

    /// With `--key-dir` the prepared file must name the key: it gets its `site_key` line first,
    /// in its own line endings, and is otherwise kept byte for byte (it used to be written
    /// again, its comments and CRLF lost).
    @Test func initWithAKeyDirKeepsAPreparedReconTomlButForItsKeyLine() throws {
        let env = ["RECON_NOW": "2026-04-02T09:00:00Z"]
        let prepared = "# prepared by finance\r\npaper = \"Letter\"\r\n[seller]\r\nlegal_name = \"X Ltd\" # as registered\r\n"
        let site = try TestSite()
        try prepared.write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        let keys = site.root + "-keys"
        defer { try? FileManager.default.removeItem(atPath: keys) }
        let made = try site.recon(["init", "--name", "pc", "--key-dir", keys], env: env)
        #expect(made.code == 0, "\(made.out)\(made.err)")
        let key = keys + "/pc.key"
        #expect(try site.read("recon.toml") == "site_key = \"\(key)\"\r\n" + prepared)
        #expect(try site.recon(["status"], env: env).code == 0)
        #expect(try site.recon(["verify"], env: env).code == 0)
    }

    /// A name the site's own `recon.toml` reader would refuse is refused by init, before it
    /// creates anything: a site nothing could open was left.
    @Test(arguments: [String(repeating: "N", count: 201), "lab\u{FFFF}", "lab\u{0007}"])
    func initRefusesASiteNameRecontomlWouldRefuse(name: String) throws {
        let site = try TestSite()
        let made = try site.recon(["init", "--name", name], env: ["RECON_NOW": "2026-04-02T09:00:00Z"])
        #expect(made.code == 1, "\(made.out)\(made.err)")
        #expect(made.err.contains("a site name is 1–200 characters"), "\(made.err)")
        #expect(!site.exists("Ledger") && !site.exists("recon.toml"))
    }

    @Test func theBinaryRefusesAMistypedSettingNamingTheLine() throws {
        let site = try TestSite()
        let env = ["RECON_NOW": "2026-04-02T09:00:00Z"]
        #expect(try site.recon(["init", "--name", "cfg-site", "--base-currency", "INR", "--timezone", "UTC"], env: env).code == 0)
        let toml = try site.read("recon.toml")
        let lines = toml.split(separator: "\n", omittingEmptySubsequences: false)
        let edited = lines.map { $0.hasPrefix("block_on_soft") ? "block_on_soft = \"true\"" : String($0) }.joined(separator: "\n")
        try edited.write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        let line = 1 + (lines.firstIndex { $0.hasPrefix("block_on_soft") } ?? -1)
        for command in [["status"], ["ingest"], ["ingest", "--dry-run"], ["close", "2026-03"]] {
            let r = try site.recon(command, env: env)
            #expect(r.code == 1, "\(command): \(r.out)\(r.err)")
            #expect(r.err.contains("recon.toml line \(line): block_on_soft is a string; it takes true or false without quotes"), "\(r.err)")
        }
        // Put right, the site works again.
        try toml.write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        #expect(try site.recon(["status"], env: env).code == 0)
    }
    /// A Latin-1 `é` in the seller's name was read as U+FFFD and printed on final invoices.
    @Test func aReconTomlThatIsNotUTF8IsRefusedNamingTheLine() throws {
        let site = try TestSite()
        let env = ["RECON_NOW": "2026-04-02T09:00:00Z"]
        #expect(try site.recon(["init", "--name", "cfg", "--base-currency", "INR", "--timezone", "UTC"], env: env).code == 0)
        var bytes = Array(try site.read("recon.toml").utf8)
        let lines = bytes.split(separator: 10, omittingEmptySubsequences: false).count
        bytes += Array("[seller]\nlegal_name = \"Soci".utf8) + [0xE9] + Array("t\u{e9} SARL\"\n".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: site.path("recon.toml")))
        for command in [["status"], ["ingest"], ["verify"]] {
            let r = try site.recon(command, env: env)
            #expect(r.code == 1, "\(command): \(r.out)\(r.err)")
            #expect((r.err + r.out).contains("recon.toml line \(lines + 1): this line is not UTF-8 text"), "\(command): \(r.err)\(r.out)")
        }
    }

    /// `UTC+5` is an offset, not an IANA name, and IANA's `Etc/GMT+5` is UTC−5: refused at
    /// init, where the zone is fixed for good. A bad zone in a prepared recon.toml is blamed
    /// on its line, not on an option nobody gave.
    @Test func initRefusesAnOffsetForATimeZoneAndNamesWhereABadZoneCameFrom() throws {
        let env = ["RECON_NOW": "2026-04-02T09:00:00Z"]
        for zone in ["UTC+5", "GMT-05:30", "UTC+05:30"] {
            let site = try TestSite()
            let r = try site.recon(["init", "--timezone", zone], env: env)
            #expect(r.code == 1, "\(zone): \(r.out)")
            #expect(r.err.contains("--timezone \(zone): an offset is not an IANA time zone name"), "\(zone): \(r.err)")
            #expect(!site.exists("Ledger"))
        }
        let site = try TestSite()
        try "site = \"p\"\ntimezone = \"Mars/Olympus\"\n".write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        let r = try site.recon(["init"], env: env)
        #expect(r.code == 1 && r.err.contains("recon.toml line 2: timezone is \"Mars/Olympus\": not an IANA time zone name"), "\(r.err)")
        try "site = \"p\"\nbase_currency = \"ABC\"\n".write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        let c = try site.recon(["init"], env: env)
        #expect(c.code == 1 && c.err.contains("recon.toml line 2: base_currency is \"ABC\""), "\(c.err)")
        // A site name init cannot take, from the prepared file: said as the file's, not as --name
        // (which the administrator never gave).
        try "site = \"hq site\"\n".write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        let n = try site.recon(["init"], env: env)
        #expect(n.code == 1 && n.err.contains("recon.toml site = \"hq site\": a site name is 1–200 characters without spaces")
            && !n.err.contains("--name"), "\(n.err)")
        #expect(problem(head + "site_key = \"\"\n") == "recon.toml line 4: site_key is empty; name the site's private key file "
                + "(e.g. site_key = \"/etc/recon/keys/site.key\"), or remove the line to use Ledger/keys/site.key")
    }
}

/// What init takes must be what every later command reads: a site name with '/' put its key
/// files outside --key-dir, and a --key-dir path with a tab went into a recon.toml every later
/// command refused; an empty timezone was a disagreement (exit 3) with no line named.
struct InitTakesOnlyWhatTheSiteReadsTests {
    @Test func aSlashInTheNameOrAControlCharacterInTheKeyFolderIsRefusedBeforeAnythingIsMade() throws {
        let env = ["RECON_NOW": "2026-04-02T09:00:00Z"]
        let site = try TestSite()
        for (name, keys, says) in [("../outside", site.root + "-keys", "'/'"), ("tabbed", site.root + "-k\tD", "control character")] {
            defer { try? FileManager.default.removeItem(atPath: keys) }
            let run = try site.recon(["init", "--name", name, "--key-dir", keys], env: env)
            #expect(run.code == 1, "\(name): \(run.err)")
            #expect(run.err.contains(says), "\(name): \(run.err)")
            #expect(!site.exists("Ledger") && !FileManager.default.fileExists(atPath: keys), "\(name): something was made")
        }
    }

    @Test(arguments: ["site", "base_currency", "timezone"])
    func anEmptyValueFixedAtInitIsAnErrorNamingItsLine(key: String) throws {
        let site = try TestSite.marchSite()
        let toml = try site.read("recon.toml")
        let lines = toml.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasPrefix(key + " ") ? "\(key) = \"\"" : String($0) }
        try lines.joined(separator: "\n").write(toFile: site.path("recon.toml"), atomically: true, encoding: .utf8)
        let status = try site.recon(["status"], env: TestSite.closeDay)
        #expect(status.code == 1, "\(status.err)")
        #expect(status.err.contains("line ") && status.err.contains("\(key) is empty"), "\(status.err)")
    }
}
