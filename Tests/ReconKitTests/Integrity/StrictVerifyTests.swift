import Foundation
import Testing

@testable import ReconKit

/// What only an auditor's strict verifier refuses — a Mac's `.DS_Store` beside the archived
/// drops — was said by `recon verify --strict` as "not finished … run a writing command", which
/// removes no such file: following it changed nothing, forever. It says what to do.
struct StrictVerifyTests {
    @Test func aFileOnlyStrictModeRefusesIsSaidWithWhatToDo() throws {
        let site = try TestSite.closedMarchSite()
        try "mac".write(toFile: site.path("Ledger/drops/.DS_Store"), atomically: true, encoding: .utf8)
        #expect(try site.recon(["verify"]).code == 0)
        let strict = try site.recon(["verify", "--strict"])
        #expect(strict.code == 4 && strict.out.contains("refused in strict mode, as an auditor's verifier refuses it: Ledger/drops/.DS_Store "
            + "is named by no entry") && strict.out.contains("move it out") && !strict.out.contains("not finished"), "\(strict.out)")
        try FileManager.default.removeItem(atPath: site.path("Ledger/drops/.DS_Store"))
        #expect(try site.recon(["verify", "--strict"]).code == 0)
    }
}
