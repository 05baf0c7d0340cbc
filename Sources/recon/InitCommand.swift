import ArgumentParser
import ReconKit

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a site: folders, site key pair, recon.toml and the site.init entry.")

    @OptionGroup var options: SiteOptions

    @Option(help: "Site name: checkpoint origin, shown on documents (default: a prepared recon.toml's, else example-site).")
    var name: String?

    @Option(help: "ISO 4217 code margins are reported in (default: a prepared recon.toml's, else INR).")
    var baseCurrency: String?

    @Option(help: "IANA time zone deciding which period a timestamp falls in (default: a prepared recon.toml's, else UTC).")
    var timezone: String?

    @Option(help: "Keep the site's private key in this folder (as NAME.key), outside the site; recon.toml's site_key names it.")
    var keyDir: String?

    @Flag(help: "Print the new site (name, currencies, time zone, public key, head) as JSON; a refusal too.")
    var json = false

    func run() throws {
        try runReporting(options.logFormat, json: json) {
            // A key already in Ledger/keys/ (or where a prepared site_key points) is used, as an
            // init interrupted before its entry leaves one; one copied from another site would
            // sign for both, so its use is said, with the key, never done silently.
            let site = options.siteValue
            // (A key a prepared site_key names was put there on purpose: not said.)
            let keyFile = SiteKeyFile.path(for: site)
            let existingKey = keyDir == nil && keyFile == site.privateKeyFile && !site.isInitialised && FileIO.exists(keyFile)
            let entry = try SiteInitializer.initialise(options.siteValue, name: name, baseCurrency: baseCurrency, timezone: timezone,
                                                       keyDir: keyDir,
                                                       clock: try .fromEnvironment(zone: SiteClock.zone(of: site, given: timezone)))
            if json {
                printJSON(.object(["ok": true, "site": .string(entry.string("site") ?? ""),
                                   "base_currency": .string(entry.string("base_currency") ?? ""),
                                   "timezone": .string(entry.string("timezone") ?? ""),
                                   "public_key": .string(entry.string("public_key") ?? ""),
                                   "entries": .int(Int64(entry.seq)), "head": .string(entry.hash)]))
            } else {
                print("initialised site \(entry.string("site") ?? "") in \(options.site) (base \(entry.string("base_currency") ?? ""), "
                      + "\(entry.string("timezone") ?? "")); ledger head \(entry.hash)")
            }
            if existingKey {
                let said = "the site key was already at \(keyFile) and is used, not made anew (public key "
                    + "\(entry.string("public_key") ?? "")): if an interrupted init of this site did not leave it — a key copied from "
                    + "another site signs for both — remove this folder's Ledger/ and recon.toml's site_key, and init again"
                options.log.warning("\(said)")
            }
            return 0
        }
    }
}
