import Foundation
import Testing

/// `recon --version`: the version and the commit, or an honest "unknown" for a plain build.
struct VersionTests {
    @Test func versionNamesTheVersionAndWhatIsKnownOfTheCommit() throws {
        let r = try TestSite().recon(["--version"], site: false)
        #expect(r.code == 0)
        let line = r.out.trimmingCharacters(in: .newlines)
        // `swift build` cannot see git: the commit is unknown; scripts/package writes the real one.
        let pattern = #"^recon [0-9]+\.[0-9]+\.[0-9]+ \((commit [0-9a-f]{7,40}|commit unknown: built outside scripts/package)\)$"#
        #expect(line.range(of: pattern, options: .regularExpression) != nil, "\(line)")
    }
}

/// `recon` alone names no command: bad usage (SPEC §8, exit 1), with the commands listed on
/// standard error so a script that forgot its subcommand does not read it as done.
struct NoSubcommandTests {
    @Test func reconAloneIsBadUsageAndListsTheCommands() throws {
        let r = try TestSite().recon([], site: false)
        #expect(r.code == 1)
        #expect(r.out.isEmpty, "\(r.out)")
        #expect(r.err.contains("no command given"), "\(r.err)")
        #expect(r.err.contains("ingest"), "\(r.err)")
    }

    /// `recon help` with a command there is none of printed the whole help, exit 0: a mistyped
    /// name read as help given. Bad usage, naming the commands; a real one still has its help.
    @Test func helpForACommandThereIsNoneOfIsBadUsage() throws {
        let site = try TestSite()
        let r = try site.recon(["help", "clsoe"], site: false)
        #expect(r.code == 1 && r.out.isEmpty && r.err.contains("there is no command \"clsoe\"") && r.err.contains("close"), "\(r.out)\(r.err)")
        let close = try site.recon(["help", "close"], site: false)
        #expect(close.code == 0 && close.out.contains("USAGE: recon close"), "\(close.out)\(close.err)")
        // A mistyped command itself: it was told "Unknown option '--site'", or "Unexpected argument".
        for args in [["stauts", "--site", site.root], ["stauts", "--json"], ["stauts"]] {
            let typo = try site.recon(args, site: false)
            #expect(typo.code == 1 && typo.err.contains("there is no command \"stauts\"") && typo.err.contains("status"), "\(typo.err)")
        }
        // One level down: `recon operator lst` was told "Unknown option '--site'".
        for args in [["operator", "lst", "--site", site.root], ["operator", "lst", "--json"]] {
            let typo = try site.recon(args, site: false)
            #expect(typo.code == 1 && typo.err.contains("there is no operator command \"lst\"; use add, remove, list"), "\(typo.err)")
        }
        // `recon help operator lst` printed the operator help, exit 0; `recon operator help add`
        // was "there is no operator command help": each is now what the other way of asking gives.
        for args in [["help", "operator", "lst"], ["operator", "help", "lst"]] {
            let typo = try site.recon(args, site: false)
            #expect(typo.code == 1 && typo.out.isEmpty && typo.err.contains("there is no operator command \"lst\""), "\(typo.out)\(typo.err)")
        }
        for args in [["operator", "help", "add"], ["help", "operator", "add"]] {
            let help = try site.recon(args, site: false)
            #expect(help.code == 0 && help.out.contains("USAGE: recon operator add"), "\(help.out)\(help.err)")
        }
        // `recon operator` alone named commands there are none of (`operator help <subcommand>`).
        let bare = try site.recon(["operator"], site: false)
        #expect(bare.code == 1 && bare.err.contains("USAGE: recon operator <subcommand>") && !bare.err.contains("'operator help"),
                "\(bare.err)")
        // `recon operator --site X` was told "Unknown option '--site'", an option every command takes.
        for args in [["operator", "--site", site.root], ["operator", "--log-format", "json"]] {
            let missing = try site.recon(args, site: false)
            #expect(missing.code == 1 && missing.err.contains("no operator command given before --") && !missing.err.contains("Unknown option"),
                    "\(missing.err)")
        }
        let operatorHelp = try site.recon(["operator", "help"], site: false)
        #expect(operatorHelp.code == 0 && operatorHelp.out.contains("USAGE: recon operator <subcommand>"), "\(operatorHelp.out)\(operatorHelp.err)")
        let keygen = try site.recon(["keygen", "carol", "--dir", site.path("keys"), "--json"], site: false)
        #expect(keygen.code == 0 && keygen.out.contains(#""ok":true"#), "\(keygen.out)\(keygen.err)")
    }

    /// SPEC §1: every command takes `--site DIR`. A script that gives it to each command ran
    /// none of `keygen` and `outliers` ("Unknown option '--site'", exit 1). Accepted, and they
    /// touch no site: the keys go where --dir says, the scores to standard output.
    @Test func everyCommandTakesSite() throws {
        let site = try TestSite()
        #expect(try site.recon(["init", "--name", "s", "--base-currency", "INR", "--timezone", "UTC"]).code == 0)
        let before = try site.read("Ledger/ledger.jsonl")
        let keygen = try site.recon(["keygen", "zed", "--dir", site.path("../" + URL(fileURLWithPath: site.root).lastPathComponent + "-keys")])
        #expect(keygen.code == 0, "\(keygen.out)\(keygen.err)")
        defer { try? FileManager.default.removeItem(atPath: site.root + "-keys") }
        #expect(FileManager.default.fileExists(atPath: site.root + "-keys/zed.key"))
        try "a,b\n1,2\n3,4\n".write(toFile: site.root + "-keys/o.csv", atomically: true, encoding: .utf8)
        let outliers = try site.recon(["outliers", "--input", site.root + "-keys/o.csv"])
        #expect(outliers.code == 0 && outliers.out.hasPrefix("score\n"), "\(outliers.out)\(outliers.err)")
        #expect(try site.read("Ledger/ledger.jsonl") == before)
    }
}
