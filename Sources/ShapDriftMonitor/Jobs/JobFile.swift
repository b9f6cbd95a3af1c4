import Foundation
import ShapDriftCore
import ShapDriftDrift
import ShapDriftFormats
import Yams

/// Reads a job file (`docs/job.md`) into a `MonitoringJob`: YAML through Yams' composer, whose
/// nodes carry their line and column, walked by hand so that an unknown key, a wrong type or a
/// value out of range is an error naming the key's path and line, e.g.
/// `job.yaml:7:5: data.window.last: expected a duration such as 1h or 30m, found '1 hour'`.
///
/// Relative paths in the file are relative to the file's folder, so a job runs the same from
/// any working directory.
extension MonitoringJob {
    /// The job file formats this build reads (`version:`; 1 when absent).
    public static let jobFileVersions = 1...1

    /// Reads the job file at `path`.
    /// - Throws: `InputError` located at the key at fault.
    /// - Complexity: O(file size).
    public static func load(path: String) throws(InputError) -> MonitoringJob {
        let bytes = try FileReading.bytes(path)
        guard let text = String(bytes: bytes, encoding: .utf8) else { throw InputError(file: path, "not UTF-8 text") }
        let folder = (path as NSString).deletingLastPathComponent
        return try parse(yaml: text, file: path, relativeTo: folder.isEmpty ? "." : folder)
    }

    /// Reads a job from YAML text; `file` names it in errors, `folder` anchors relative paths.
    public static func parse(yaml: String, file: String, relativeTo folder: String) throws(InputError) -> MonitoringJob {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw JobFileReader.syntaxError(error, file: file)
        } catch {
            throw InputError(file: file, "not a YAML job file: \(error)")
        }
        guard let root else { throw InputError(file: file, "the job file is empty") }
        return try JobFileReader(file: file, folder: folder).job(root)
    }
}

/// The walk over a job file's nodes.
struct JobFileReader {
    let file: String
    let folder: String

    static func syntaxError(_ error: YamlError, file: String) -> InputError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return InputError(file: file, line: mark.line, column: mark.column, "YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return InputError(file: file, line: context.mark.line, column: context.mark.column,
                              "YAML: the key\(duplicates.count == 1 ? "" : "s") \(duplicates.sorted().joined(separator: ", ")) appear more than once")
        default:
            return InputError(file: file, "YAML: \(error)")
        }
    }

    func error(_ node: Node?, _ path: String, _ message: String) -> InputError {
        InputError(file: file, line: node?.mark?.line, column: node?.mark?.column, field: path, message)
    }

    /// What `node` is, for "found …" in messages.
    func kind(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return isNull(node) ? "nothing" : "'\(scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// The members of a mapping, each key checked against `allowed`.
    func mapping(_ node: Node, _ path: String, allowed: [String]) throws(InputError) -> [String: Node] {
        guard case .mapping(let mapping) = node else {
            throw error(node, path, "expected a mapping with keys \(allowed.joined(separator: ", ")), found \(kind(node))")
        }
        var members: [String: Node] = [:]
        for (key, value) in mapping {
            let name = key.string ?? ""
            let keyPath = path.isEmpty ? name : "\(path).\(name)"
            guard allowed.contains(name) else {
                throw error(key, keyPath, "unknown key (expected one of: \(allowed.joined(separator: ", ")))")
            }
            members[name] = value
        }
        return members
    }

    func isNull(_ node: Node) -> Bool {
        if case .scalar(let scalar) = node, scalar.style == .plain, node.null != nil { return true }
        return false
    }

    func string(_ node: Node, _ path: String) throws(InputError) -> String {
        guard case .scalar(let scalar) = node, !isNull(node), !scalar.string.isEmpty else {
            throw error(node, path, "expected a text value, found \(kind(node))")
        }
        return scalar.string
    }

    func path(_ node: Node, _ keyPath: String) throws(InputError) -> String {
        let text = try string(node, keyPath)
        return text.hasPrefix("/") || text == "-" ? text : (folder as NSString).appendingPathComponent(text)
    }

    func double(_ node: Node, _ path: String) throws(InputError) -> Double {
        guard case .scalar = node, let value = node.float, value.isFinite else {
            throw error(node, path, "expected a number, found \(kind(node))")
        }
        return value
    }

    func integer(_ node: Node, _ path: String) throws(InputError) -> Int {
        guard case .scalar = node, let value = node.int else {
            throw error(node, path, "expected a whole number, found \(kind(node))")
        }
        return value
    }

    func seed(_ node: Node, _ path: String) throws(InputError) -> UInt64 {
        guard case .scalar(let scalar) = node, let value = UInt64(scalar.string) else {
            throw error(node, path, "expected a whole number from 0 to 2^64 − 1, found \(kind(node))")
        }
        return value
    }

    /// A list of text values, or a single one.
    func strings(_ node: Node, _ path: String) throws(InputError) -> [String] {
        if case .sequence(let sequence) = node {
            var values: [String] = []
            for (index, item) in sequence.enumerated() { values.append(try string(item, "\(path)[\(index)]")) }
            guard !values.isEmpty else { throw error(node, path, "expected at least one value") }
            return values
        }
        return [try string(node, path)]
    }

    func choice<T: RawRepresentable & CaseIterable>(_ node: Node, _ path: String, _ type: T.Type) throws(InputError) -> T where T.RawValue == String {
        let text = try string(node, path)
        guard let value = T(rawValue: text) else {
            throw error(node, path, "expected one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), found '\(text)'")
        }
        return value
    }

    func time(_ node: Node, _ path: String) throws(InputError) -> Double {
        // An unquoted YAML timestamp is read as text: the job's own parser decides.
        let text = try string(node, path)
        guard let seconds = ISO8601Time.seconds(text) else {
            throw error(node, path, "expected \(ISO8601Time.expectedForm), found '\(text)' (\(ISO8601Time.problem(text) ?? ""))")
        }
        return seconds
    }

    /// `30s`, `15m`, `1h`, `2d`: a positive whole number and a unit.
    func duration(_ node: Node, _ path: String) throws(InputError) -> Double {
        let text = try string(node, path)
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        guard let unit = text.last.flatMap({ units[$0] }), let count = Int(text.dropLast()), count > 0 else {
            throw error(node, path, "expected a duration such as 1h, 30m, 90s or 2d, found '\(text)'")
        }
        return Double(count) * unit
    }

    func job(_ root: Node) throws(InputError) -> MonitoringJob {
        let top = try mapping(root, "", allowed: ["version", "model", "baseline", "method", "data", "sampling", "thresholds",
                                                  "fail_on", "output_names", "aggregation", "bootstrap", "outputs", "threads"])
        if let version = top["version"] {
            let number = try integer(version, "version")
            guard MonitoringJob.jobFileVersions.contains(number) else {
                throw error(version, "version", "job file version \(number) is not read by this build (it reads \(MonitoringJob.jobFileVersions.lowerBound))")
            }
        }
        func required(_ key: String) throws(InputError) -> Node {
            guard let node = top[key] else { throw InputError(file: file, field: key, "missing (required)") }
            return node
        }
        guard let dataNode = top["data"] else { throw InputError(file: file, field: "data", "missing (required)") }
        var job = MonitoringJob(model: try path(try required("model"), "model"), baseline: try path(try required("baseline"), "baseline"),
                                data: try data(dataNode))
        if let node = top["method"] {
            let members = try mapping(node, "method", allowed: ["background", "samples", "seed"])
            if let value = members["background"] { job.method.background = try path(value, "method.background") }
            if let value = members["samples"] { job.method.samples = try integer(value, "method.samples") }
            if let value = members["seed"] { job.method.seed = try seed(value, "method.seed") }
        }
        if let node = top["sampling"] {
            let members = try mapping(node, "sampling", allowed: ["rate", "seed"])
            if let value = members["rate"] { job.sampling.rate = try double(value, "sampling.rate") }
            if let value = members["seed"] { job.sampling.seed = try seed(value, "sampling.seed") }
        }
        if let node = top["thresholds"] {
            let members = try mapping(node, "thresholds", allowed: ["alpha", "min_shift", "ndcg", "completeness", "value_distance",
                                                                    "unseen_categories"])
            if let value = members["alpha"] { job.thresholds.alpha = try double(value, "thresholds.alpha") }
            if let value = members["min_shift"] { job.thresholds.minShift = try double(value, "thresholds.min_shift") }
            if let value = members["ndcg"] { job.thresholds.ndcg = try double(value, "thresholds.ndcg") }
            if let value = members["completeness"] { job.thresholds.completeness = try double(value, "thresholds.completeness") }
            if let value = members["value_distance"] { job.thresholds.valueDistance = try double(value, "thresholds.value_distance") }
            if let value = members["unseen_categories"] { job.thresholds.unseenCategories = try double(value, "thresholds.unseen_categories") }
        }
        if let node = top["fail_on"] {
            for name in try strings(node, "fail_on") {
                guard let criterion = VerdictCriterion(rawValue: name) else {
                    throw error(node, "fail_on", "unknown criterion '\(name)' (expected \(VerdictCriterion.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                job.failOn.insert(criterion)
            }
        }
        if let node = top["output_names"] { job.outputNames = try strings(node, "output_names") }
        if let node = top["aggregation"] { job.aggregation = try choice(node, "aggregation", AttributionAggregation.self) }
        if let node = top["bootstrap"] {
            let members = try mapping(node, "bootstrap", allowed: ["replicates", "seed"])
            if let value = members["replicates"] { job.bootstrap.replicates = try integer(value, "bootstrap.replicates") }
            if let value = members["seed"] { job.bootstrap.seed = try seed(value, "bootstrap.seed") }
        }
        if let node = top["outputs"] { job.outputs = try outputs(node) }
        if let node = top["threads"] { job.threads = try integer(node, "threads") }
        do {
            try job.validateSettings()
        } catch {
            throw outOfRange(error, root: root)
        }
        return job
    }

    /// The key each setting `MonitoringJob.validateSettings` checks is read from.
    static let settingKeys = [
        "NDCG threshold": "thresholds.ndcg", "family-wise false-alarm rate (alpha)": "thresholds.alpha",
        "minimum shift": "thresholds.min_shift", "completeness threshold": "thresholds.completeness",
        "value distance threshold": "thresholds.value_distance", "unseen category threshold": "thresholds.unseen_categories",
        "bootstrap replicates": "bootstrap.replicates", "sample rate": "sampling.rate", "bad-record count": "data.bad_records.max_records",
        "bad-record fraction": "data.bad_records.max_fraction", "sample budget": "method.samples", "threads": "threads",
        "metrics namespace": "outputs.metrics.namespace", "time window": "data.window",
    ]

    /// A setting out of range, located at the key it was read from (and its line) when the file
    /// holds that key.
    func outOfRange(_ error: ConfigurationError, root: Node) -> InputError {
        guard case .outOfRange(let setting, _, _) = error, let path = Self.settingKeys[setting] else {
            return InputError(file: file, error.description)
        }
        var node: Node? = root
        for key in path.split(separator: ".") { node = node?.mapping?[String(key)] }
        return self.error(node, path, error.description)
    }

    func data(_ node: Node) throws(InputError) -> MonitoringJob.DataSelection {
        let members = try mapping(node, "data", allowed: ["paths", "capture", "format", "variants", "time_column", "key_column", "window", "bad_records",
                                                          "max_line_bytes"])
        var paths: [String] = []
        if let value = members["paths"] {
            let texts = try strings(value, "data.paths")
            paths += texts.map { $0.hasPrefix("/") || $0 == "-" ? $0 : (folder as NSString).appendingPathComponent($0) }
        }
        if let value = members["capture"] { paths.append(try path(value, "data.capture")) }
        guard !paths.isEmpty else { throw error(node, "data", "expected paths or capture: the data to check") }
        var selection = MonitoringJob.DataSelection(paths: paths)
        if let value = members["capture"] {
            selection.format = .capture
            if members["format"] != nil { throw error(value, "data.capture", "a capture root is read as capture; give format only with paths") }
        }
        if let value = members["format"] { selection.format = try choice(value, "data.format", InputFormat.self) }
        if let value = members["variants"] { selection.variants = try strings(value, "data.variants") }
        if let value = members["time_column"] { selection.timeColumn = try string(value, "data.time_column") }
        if let value = members["key_column"] { selection.keyColumn = try string(value, "data.key_column") }
        if let value = members["window"] { selection.window = try window(value) }
        if let value = members["max_line_bytes"] {
            let bytes = try integer(value, "data.max_line_bytes")
            guard bytes >= 1 else { throw error(value, "data.max_line_bytes", "expected at least 1 byte") }
            selection.limits = ReaderLimits(maxLineBytes: bytes)
        }
        if let value = members["bad_records"] {
            let budget = try mapping(value, "data.bad_records", allowed: ["max_records", "max_fraction"])
            if let count = budget["max_records"] { selection.badRecords.maxRecords = try integer(count, "data.bad_records.max_records") }
            if let fraction = budget["max_fraction"] { selection.badRecords.maxFraction = try double(fraction, "data.bad_records.max_fraction") }
        }
        return selection
    }

    func window(_ node: Node) throws(InputError) -> JobWindow {
        let members = try mapping(node, "data.window", allowed: ["since", "until", "previous", "last"])
        let relative = ["previous", "last"].filter { members[$0] != nil }
        if relative.count > 1 || (!relative.isEmpty && (members["since"] != nil || members["until"] != nil)) {
            throw error(node, "data.window", "give since/until, previous or last, not several")
        }
        if let value = members["previous"] { return .previous(try choice(value, "data.window.previous", JobWindow.Unit.self)) }
        if let value = members["last"] { return .last(seconds: try duration(value, "data.window.last")) }
        let since = try members["since"].map { value throws(InputError) in try time(value, "data.window.since") }
        let until = try members["until"].map { value throws(InputError) in try time(value, "data.window.until") }
        if let since, let until, since > until {
            throw error(members["since"], "data.window", "since (\(ISO8601Time.string(since))) is later than until (\(ISO8601Time.string(until)))")
        }
        return since == nil && until == nil ? .all : .absolute(since: since, until: until)
    }

    func outputs(_ node: Node) throws(InputError) -> MonitoringJob.Outputs {
        let members = try mapping(node, "outputs", allowed: ["directory", "formats", "stdout", "metrics"])
        var outputs = MonitoringJob.Outputs()
        if let value = members["directory"] { outputs.directory = try path(value, "outputs.directory") }
        if let value = members["formats"] {
            var files = Set<ReportFile>()
            for name in try strings(value, "outputs.formats") {
                guard let file = ReportFile.allCases.first(where: { $0.jobName == name }) else {
                    throw error(value, "outputs.formats", "unknown format '\(name)' (expected \(ReportFile.allCases.map(\.jobName).joined(separator: ", ")))")
                }
                files.insert(file)
            }
            outputs.files = files
        }
        if let value = members["stdout"] { outputs.stdout = try choice(value, "outputs.stdout", MonitoringJob.Outputs.Stdout.self) }
        if let value = members["metrics"] { outputs.metrics = try metrics(value) }
        return outputs
    }

    /// `outputs.metrics`: a list of kinds, or a mapping with `kinds` and the names and
    /// directories (`docs/alarms.md`).
    func metrics(_ node: Node) throws(InputError) -> MetricsSettings {
        var settings = MetricsSettings()
        func kinds(_ node: Node, _ path: String) throws(InputError) -> [MetricsKind] {
            var kinds: [MetricsKind] = []
            if case .sequence(let sequence) = node {
                for (index, item) in sequence.enumerated() { kinds.append(try choice(item, "\(path)[\(index)]", MetricsKind.self)) }
                guard !kinds.isEmpty else { throw error(node, path, "expected at least one kind") }
                return kinds
            }
            return [try choice(node, path, MetricsKind.self)]
        }
        guard case .mapping = node else {
            settings.kinds = try kinds(node, "outputs.metrics")
            return settings
        }
        let members = try mapping(node, "outputs.metrics",
                                  allowed: ["kinds", "namespace", "endpoint", "schedule", "labels", "sagemaker_directory", "prometheus_directory"])
        guard let kindsNode = members["kinds"] else { throw error(node, "outputs.metrics.kinds", "missing (required): the metric files to write") }
        settings.kinds = try kinds(kindsNode, "outputs.metrics.kinds")
        if let value = members["namespace"] { settings.namespace = try string(value, "outputs.metrics.namespace") }
        if let value = members["endpoint"] { settings.endpoint = try string(value, "outputs.metrics.endpoint") }
        if let value = members["schedule"] { settings.schedule = try string(value, "outputs.metrics.schedule") }
        if let value = members["labels"] { settings.labels = try strings(value, "outputs.metrics.labels") }
        if let value = members["sagemaker_directory"] { settings.sagemakerDirectory = try path(value, "outputs.metrics.sagemaker_directory") }
        if let value = members["prometheus_directory"] { settings.prometheusDirectory = try path(value, "outputs.metrics.prometheus_directory") }
        return settings
    }
}
