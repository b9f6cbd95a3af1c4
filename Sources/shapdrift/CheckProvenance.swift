import Foundation
import ShapDrift

/// What `check` adds to a report's provenance: the command line, the paths given, the window,
/// the model and baseline files and their digests, and the run's start and duration.
struct CheckProvenance {
    let started = Date()
    let clock = DispatchTime.now()

    func complete(_ report: inout DriftReport, data: [String], since: String?, until: String?, modelPath: String, model: Model,
                  baselinePath: String) {
        // `DriftMonitor.check` always records what the library knows.
        guard var provenance = report.provenance else { return }
        provenance.commandLine = CommandLine.arguments
        provenance.startedAt = UTCTimestamp.string(started)
        provenance.inputs = data
        if since != nil || until != nil { provenance.window = Provenance.TimeWindow(since: since, until: until) }
        provenance.model = Provenance.ModelReference(path: modelPath, sha256: model.fingerprint)
        provenance.baseline.path = baselinePath
        provenance.baseline.sha256 = (try? FileReading.bytes(baselinePath)).map { ContentDigest.sha256($0) }
        provenance.runSeconds = Double(DispatchTime.now().uptimeNanoseconds - clock.uptimeNanoseconds) / 1e9
        report.provenance = provenance
    }
}
