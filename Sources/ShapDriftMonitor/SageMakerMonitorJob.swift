import Foundation
import ShapDriftAttribution
import ShapDriftCore
import ShapDriftDrift
import ShapDriftFormats

/// One execution of a SageMaker Model Monitor schedule that runs ShapDrift as its own container:
/// the settings read from the environment the monitoring job sets, and the check they describe.
///
/// The contract's variables (AWS, *Amazon SageMaker Developer Guide*, "Container Contract Inputs",
/// `model-monitor-byoc-contract-inputs`): `dataset_format`, `dataset_source` (captured data in
/// `{endpoint}/{variant}/yyyy/mm/dd/hh/`, possibly more than the period: records are filtered on
/// `inferenceTime`), `output_path`, `start_time`/`end_time` (the period, read as the half-open
/// `[start_time, end_time)` so an hourly schedule counts a record on the hour once),
/// `publish_cloudwatch_metrics` (`Enabled`/`Disabled`), `sagemaker_endpoint_name`,
/// `sagemaker_monitoring_schedule_name`, `baseline_statistics` (the local copy of the schedule's
/// `BaselineConfig.StatisticsResource`, which is where a ShapDrift baseline profile goes).
///
/// The contract leaves the model and the check's settings to the container; ShapDrift reads them
/// from `shapdrift_*` variables (`Variable`), documented in `deploy/sagemaker-monitor/README.md`.
/// Every value is checked here, and a bad one is an `InputError` naming the variable.
public struct SageMakerMonitorJob: Sendable {
    /// The environment variables read, by name.
    public enum Variable {
        public static let datasetFormat = "dataset_format"
        public static let datasetSource = "dataset_source"
        public static let outputPath = "output_path"
        public static let startTime = "start_time"
        public static let endTime = "end_time"
        public static let publishCloudWatchMetrics = "publish_cloudwatch_metrics"
        public static let endpointName = "sagemaker_endpoint_name"
        public static let scheduleName = "sagemaker_monitoring_schedule_name"
        public static let baselineStatistics = "baseline_statistics"
        public static let model = "shapdrift_model"
        public static let baseline = "shapdrift_baseline"
        public static let background = "shapdrift_background"
        public static let threshold = "shapdrift_threshold"
        public static let alpha = "shapdrift_alpha"
        public static let minShift = "shapdrift_min_shift"
        public static let aggregation = "shapdrift_aggregation"
        public static let bootstrap = "shapdrift_bootstrap"
        public static let samples = "shapdrift_samples"
        public static let seed = "shapdrift_seed"
        public static let threads = "shapdrift_threads"
    }

    /// Where the captured data is (`dataset_source`).
    public var datasetSource: String
    /// Where the reports go (`output_path`); SageMaker uploads it to the schedule's S3 output.
    public var outputPath: String
    /// The period's records: `[start_time, end_time)` on `inferenceTime`.
    public var window: CaptureTimeWindow
    /// `start_time` and `end_time` as seconds since 1970, when set.
    public var periodStart: Double?
    public var periodEnd: Double?
    /// `publish_cloudwatch_metrics` is `Enabled`.
    public var publishesCloudWatchMetrics: Bool
    public var endpointName: String?
    public var scheduleName: String?
    /// The model file (`shapdrift_model`).
    public var model: String
    /// The baseline profile: `shapdrift_baseline`, else `baseline_statistics`.
    public var baseline: String
    /// The background sample the baseline was made with (`shapdrift_background`), if any.
    public var background: String?
    /// The check's settings: the defaults of `DriftCheckOptions`, changed by `shapdrift_*`.
    public var options: DriftCheckOptions

    /// Reads and checks the settings in `environment`.
    /// - Throws: `InputError` naming the variable that is missing or malformed.
    public init(environment: [String: String]) throws(InputError) {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
            return text
        }
        func required(_ name: String, _ meaning: String) throws(InputError) -> String {
            guard let text = value(name) else { throw InputError(field: name, "not set: it must give \(meaning)") }
            return text
        }
        try Self.checkDatasetFormat(value(Variable.datasetFormat))
        datasetSource = try required(Variable.datasetSource, "the directory of the captured data")
        outputPath = try required(Variable.outputPath, "the directory the reports are written to")
        periodStart = try value(Variable.startTime).map { text throws(InputError) in try Self.time(text, Variable.startTime) }
        periodEnd = try value(Variable.endTime).map { text throws(InputError) in try Self.time(text, Variable.endTime) }
        if let periodStart, let periodEnd, periodStart >= periodEnd {
            throw InputError(field: Variable.endTime, "\(value(Variable.endTime) ?? "") is not after start_time \(value(Variable.startTime) ?? "")")
        }
        // The window's bounds are inclusive; the largest Double below end_time makes it half-open.
        window = CaptureTimeWindow(since: periodStart, until: periodEnd?.nextDown)
        switch value(Variable.publishCloudWatchMetrics)?.lowercased() {
        case nil, "disabled": publishesCloudWatchMetrics = false
        case "enabled": publishesCloudWatchMetrics = true
        case let other?: throw InputError(field: Variable.publishCloudWatchMetrics, "expected Enabled or Disabled, got \(other)")
        }
        endpointName = value(Variable.endpointName)
        scheduleName = value(Variable.scheduleName)
        model = try required(Variable.model, "the model file (XGBoost JSON, LightGBM text or ShapDrift JSON) in the container")
        guard let baseline = value(Variable.baseline) ?? value(Variable.baselineStatistics) else {
            throw InputError(field: Variable.baseline,
                             "not set, and neither is baseline_statistics: give the baseline profile written by shapdrift baseline, "
                + "as the schedule's baseline statistics resource or as a file in the container")
        }
        self.baseline = baseline
        background = value(Variable.background)
        options = try Self.options(value)
    }

    /// The check's settings, with the ranges `shapdrift check` enforces on the same settings.
    private static func options(_ value: (String) -> String?) throws(InputError) -> DriftCheckOptions {
        var options = DriftCheckOptions()
        func number(_ name: String, _ allowed: (Double) -> Bool, _ rule: String) throws(InputError) -> Double? {
            guard let text = value(name) else { return nil }
            guard let number = Double(text), number.isFinite, allowed(number) else { throw InputError(field: name, "expected \(rule), got \(text)") }
            return number
        }
        func integer(_ name: String, _ range: ClosedRange<Int>) throws(InputError) -> Int? {
            guard let text = value(name) else { return nil }
            guard let number = Int(text), range.contains(number) else {
                throw InputError(field: name, "expected an integer from \(range.lowerBound) to \(range.upperBound), got \(text)")
            }
            return number
        }
        if let ndcg = try number(Variable.threshold, { (0...1).contains($0) }, "a number from 0 to 1") { options.thresholds.ndcg = ndcg }
        if let alpha = try number(Variable.alpha, { $0 > 0 && $0 < 1 }, "a number between 0 and 1 (exclusive)") { options.thresholds.alpha = alpha }
        if let shift = try number(Variable.minShift, { (0...1).contains($0) }, "a number from 0 to 1") { options.thresholds.minShift = shift }
        if let text = value(Variable.aggregation) {
            guard let aggregation = AttributionAggregation(rawValue: text) else {
                let allowed = AttributionAggregation.allCases.map(\.rawValue).joined(separator: ", ")
                throw InputError(field: Variable.aggregation, "expected one of \(allowed), got \(text)")
            }
            options.aggregation = aggregation
        }
        if let replicates = try integer(Variable.bootstrap, 0...100_000) { options.bootstrapReplicates = replicates }
        if let samples = try integer(Variable.samples, 1...Int.max) { options.explainer.samples = samples }
        if let text = value(Variable.seed) {
            guard let seed = UInt64(text) else { throw InputError(field: Variable.seed, "expected an integer from 0 to \(UInt64.max), got \(text)") }
            options.explainer.seed = seed
            options.bootstrapSeed = seed
        }
        if let threads = try integer(Variable.threads, 1...4096) { options.threads = threads }
        return options
    }

    /// ShapDrift reads real-time endpoints' data capture: `sagemakerCaptureJson` whose capture
    /// indices include `endpointInput` (the features). Batch-transform datasets (`csv`, `json`,
    /// `parquet`) are refused. An unset format is taken as the capture the contract sets.
    static func checkDatasetFormat(_ text: String?) throws(InputError) {
        guard let text else { return }
        let format: JSONValue
        do {
            format = try JSONValue.parse(Array(text.utf8))
        } catch {
            throw InputError(field: Variable.datasetFormat, "not JSON: \(error.message)")
        }
        guard let members = format.objectValue, members.count == 1, let (kind, body) = members.first else {
            throw InputError(field: Variable.datasetFormat,
                             "expected an object with one format, such as {\"sagemakerCaptureJson\": {\"captureIndexNames\": [\"endpointInput\"]}}")
        }
        guard kind == "sagemakerCaptureJson" else {
            throw InputError(field: Variable.datasetFormat,
                             "\(kind) datasets (batch transform) are not supported: ShapDrift reads a real-time endpoint's data capture (sagemakerCaptureJson)")
        }
        if let indices = body["captureIndexNames"] {
            guard let names = indices.arrayValue?.compactMap(\.stringValue), names.contains("endpointInput") else {
                throw InputError(field: Variable.datasetFormat,
                                 "captureIndexNames must include endpointInput: the features are in the captured input")
            }
        }
    }

    /// An ISO 8601 time of the contract. AWS's own example of the variables writes
    /// `2019-12-01T16: 20: 00Z`, with spaces after the colons; they are dropped.
    static func time(_ text: String, _ name: String) throws(InputError) -> Double {
        guard let seconds = ISO8601Time.seconds(text.replacingOccurrences(of: ": ", with: ":")) else {
            throw InputError(field: name, "expected an ISO 8601 time such as 2019-12-01T15:00:00Z, got \(text)")
        }
        return seconds
    }

    /// Loads the model, the baseline and the background, and checks the period's captured rows
    /// as `shapdrift check` does.
    /// - Throws: `.input` for a bad file or no rows in the period, `.incompatible` (naming the
    ///   baseline file) when the baseline does not describe this model and these settings.
    /// - Complexity: that of `DriftMonitor.check` over the period's rows.
    public func run() throws(ShapDriftError) -> DriftCheck {
        let model: Model
        let profile: AttributionProfile
        let backgroundRows: FeatureBatch?
        let source: FeatureSourceChain
        do throws(InputError) {
            model = try ModelLoader().load(path: self.model)
            let schema = FeatureSchema(model: model)
            profile = try AttributionProfile.load(path: baseline)
            backgroundRows = try background.map { path throws(InputError) in try CSVFeatureReader(path: path, schema: schema).readAll() }
            source = try FeatureSourceChain(paths: [datasetSource], schema: FeatureSchema(model: model, absentColumns: .treatAsMissing),
                                            format: .capture, window: window)
        } catch {
            throw .input(error)
        }
        if let incomplete = profile.shards?.incompleteError(role: "baseline") { throw .input(incomplete.inFile(baseline)) }
        let monitor: DriftMonitor
        do {
            monitor = try DriftMonitor(baseline: profile, model: model, background: backgroundRows, options: options)
        } catch {
            guard case .incompatible(let mismatch) = error else { throw error }
            throw .incompatible(mismatch.inFile(baseline))
        }
        var check = try monitor.check(source)
        check.report.provenance?.recordFiles(inputs: [datasetSource], modelPath: self.model, model: model, baselinePath: baseline)
        return check
    }
}
