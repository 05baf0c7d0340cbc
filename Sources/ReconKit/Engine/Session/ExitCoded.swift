import XLSX

/// An error that knows its SPEC §8 exit code. Every error a command can end with maps to one
/// here, in one place, so none exits 1 by accident.
public protocol ExitCoded: Error {
    var exitCode: ReconFailure.Code { get }
}

extension ReconFailure: ExitCoded {
    public var exitCode: Code { code }

    /// The exit code of any error a command ends with: its own, or 1 (an internal error).
    public static func exitCode(for error: Error) -> Int32 {
        ((error as? ExitCoded)?.exitCode ?? .usage).rawValue
    }
}

/// The ledger, an archive or a document does not verify.
extension LedgerDamage: ExitCoded { public var exitCode: ReconFailure.Code { .verification } }

/// Another command holds the site: refused, nothing done.
extension SiteLock.Busy: ExitCoded { public var exitCode: ReconFailure.Code { .refused } }

/// Money too large to compute exactly: the command refuses rather than round or wrap.
extension ArithmeticOverflow: ExitCoded { public var exitCode: ReconFailure.Code { .refused } }
extension MarginSummaryWorkbook.TooLarge: ExitCoded { public var exitCode: ReconFailure.Code { .refused } }

/// A needed FX rate is missing: the command refuses rather than guess (SPEC §3).
extension FXTable.Missing: ExitCoded { public var exitCode: ReconFailure.Code { .refused } }

/// A drop's problem: input rejected.
extension DropProblem: ExitCoded { public var exitCode: ReconFailure.Code { .rejected } }

/// The file system or the workbook library failed: an internal error (exit 1), named with
/// its path or the library's own words.
extension FileIO.Failure: ExitCoded { public var exitCode: ReconFailure.Code { .usage } }
extension XLSXError: ExitCoded { public var exitCode: ReconFailure.Code { .usage } }
