import ShapDriftCore
import ShapDriftDrift
import ShapDriftFormats

/// A check made from a profile of the current data instead of the data themselves (`shapdrift
/// check --current-profile`): the profile a split job's shards wrote with `shapdrift profile` and
/// `shapdrift merge` joined. Nothing is attributed again; the report equals the one a single
/// `check` over the same rows writes (`docs/scaling.md`), apart from its provenance. The model is
/// still read: the report names its outputs, gives its warnings and the features its trees
/// combine (`ModelStructure`), and it must be the one both profiles were made for.
public struct ProfileCheck: Sendable {
    /// The baseline profile.
    public var baseline: String
    /// The current profile.
    public var current: String
    /// The model file.
    public var model: String
    /// Thresholds and aggregation as a data check takes them (the rest of the options concern
    /// attribution, which is done).
    public var options = DriftCheckOptions()
    /// The bootstrap is the current profile's: `nil` uses it as it is, 0 leaves it out, any other
    /// number must be the profile's.
    public var bootstrapReplicates: Int?
    /// The budget of bad records, applied to the counts of every shard together (the shards
    /// only stop early on the count, which a shard alone can exceed).
    public var badRecords = BadRecordPolicy.tolerant
    public var outputs = MonitoringJob.Outputs()

    public init(baseline: String, current: String, model: String) {
        self.baseline = baseline
        self.current = current
        self.model = model
    }

    /// Loads both profiles and compares them.
    /// - Throws: `.input` for unreadable profiles, either missing shards of its split, a current
    ///   profile without rows or over the bad-record budget (each naming its file);
    ///   `.incompatible` (attributed to the file at fault) when the profiles or the model do not
    ///   match; `.configuration` for a bootstrap the profile does not have, or output names that
    ///   are not one per model output.
    public func check() throws(ShapDriftError) -> DriftCheck {
        let (baselineProfile, currentProfile): (AttributionProfile, AttributionProfile)
        do {
            baselineProfile = try AttributionProfile.load(path: baseline)
            currentProfile = try AttributionProfile.load(path: current)
        } catch {
            throw .input(error)
        }
        let loaded: Model
        do {
            loaded = try ModelLoader().load(path: model)
        } catch {
            throw .input(error)
        }
        for (path, profile) in [(baseline, baselineProfile), (current, currentProfile)] where profile.identity.modelSHA256 != loaded.fingerprint {
            throw .incompatible(IncompatibilityError(
                setting: .model, recorded: "SHA-256 \(profile.identity.modelSHA256.prefix(12))…", given: "SHA-256 \(loaded.fingerprint.prefix(12))…",
                consequence: "the profile was made for another model", file: path))
        }
        if let mismatch = baselineProfile.identity.mismatch(with: currentProfile.identity) ?? baselineProfile.foldingMismatch(with: currentProfile) {
            throw .incompatible(mismatch.inFile(current))
        }
        if case .linear(let linear) = loaded.predictor {
            for (path, profile) in [(baseline, baselineProfile), (current, currentProfile)] {
                if let mismatch = profile.coefficientMismatch(with: linear.coefficients) { throw .incompatible(mismatch.inFile(path)) }
            }
        }
        do {
            try MonitoringJob.requireOneNamePerOutput(options.outputNames, model: loaded)
        } catch {
            throw .configuration(error)
        }
        if let incomplete = baselineProfile.shards?.incompleteError(role: "baseline") { throw .input(incomplete.inFile(baseline)) }
        var check: DriftCheck
        do {
            check = try Self.compare(baseline: baselineProfile, current: currentProfile, model: loaded, options: options,
                                     bootstrapReplicates: bootstrapReplicates, badRecords: badRecords)
        } catch {
            // A profile missing shards or rows is the current profile's fault (the baseline's shards
            // were checked above); the bad-record budget's message names the data's first bad record.
            guard case .input(let problem) = error, problem.field != DataErrorField.badRecords else { throw error }
            throw .input(problem.inFile(current))
        }
        check.report.provenance?.recordFiles(inputs: [current], modelPath: model, model: loaded, baselinePath: baseline)
        return check
    }

    /// Compares a current profile made elsewhere with `baseline`, as a check over its rows would.
    /// - Parameter bootstrapReplicates: `nil` for the profile's bootstrap, 0 for none, else the
    ///   profile's number of replicates.
    /// - Throws: `.input` for a profile missing shards (either), a current one without rows, or over
    ///   `badRecords`; `.configuration` when asked for a bootstrap the profile does not hold.
    public static func compare(baseline: AttributionProfile, current: AttributionProfile, model: Model, options: DriftCheckOptions,
                               bootstrapReplicates: Int? = nil, badRecords: BadRecordPolicy) throws(ShapDriftError) -> DriftCheck {
        for (role, profile) in [("baseline", baseline), ("current profile", current)] {
            if let incomplete = profile.shards?.incompleteError(role: role) { throw .input(incomplete) }
        }
        guard current.rows > 0 else { throw .input(InputError("no data rows (the current profile holds none)")) }
        if let records = current.records, !badRecords.allows(skipped: records.skipped.count, of: records.read) {
            throw .input(badRecords.overBudget(records.skipped, read: records.read))
        }
        var compared = current
        switch (bootstrapReplicates, current.bootstrap?.replicates) {
        case (nil, _): break
        case (0?, _): compared.bootstrap = nil
        case (let wanted?, let held) where wanted != held:
            throw .configuration(.outOfRange(setting: "bootstrap replicates", value: "\(wanted)",
                                             allowed: held.map { "the profile holds \($0) (or 0 for none)" } ?? "the profile holds none: 0"))
        default: break
        }
        let report = DriftMonitor.report(baseline: baseline, current: compared, model: model, options: options)
        return DriftCheck(report: report, current: compared, timings: StageTimings(), columns: compared.columnCounts ?? ColumnStatistics())
    }
}
