// Every test file sees the shared test support (TestSite, ProcessRunner) without importing it.
@_exported import TestSupport
