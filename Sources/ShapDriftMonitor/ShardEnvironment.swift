import Foundation
import ShapDriftCore

/// The shard a batch engine gave this process, read from the engine's own environment: what
/// `--shard auto` uses, so one container image serves every shard of a split job.
///
/// - **Kubernetes Indexed Job**: `JOB_COMPLETION_INDEX` (0-based; the Job controller sets it in
///   every pod, Kubernetes ≥ 1.22). Kubernetes does not tell a pod how many completions its Job
///   has, so the Job's spec sets `SHAPDRIFT_SHARD_COUNT` to its `completions`.
/// - **AWS Batch array job**: `AWS_BATCH_JOB_ARRAY_INDEX` (0-based) and `AWS_BATCH_JOB_ARRAY_SIZE`
///   (AWS Batch User Guide, "AWS Batch job environment variables").
/// - **SageMaker Processing**: this host's position in the `hosts` list of
///   `/opt/ml/config/resourceconfig.json` (`{"current_host": "algo-2", "hosts": ["algo-1", …]}`),
///   of `hosts.count`. When the data come through a processing input distributed
///   `ShardedByS3Key` (read from `/opt/ml/config/processingjobconfig.json`, the job's
///   `CreateProcessingJob` request), SageMaker already gave each host its own objects: every record
///   given is this shard's (`ShardSelection.Unit.engine`), and splitting them again would lose
///   data. With `FullyReplicated` inputs every host sees everything and ShapDrift splits.
///
/// None of them, or more than one, is an error: a shard guessed wrong would silently profile the
/// wrong part of the data.
public enum ShardEnvironment {
    public enum Engine: String, Sendable, CaseIterable {
        case kubernetes = "Kubernetes Indexed Job"
        case awsBatch = "AWS Batch array job"
        case sageMaker = "SageMaker Processing"
    }

    /// What the environment says.
    public struct Assignment: Sendable, Equatable {
        public let engine: Engine
        public let index: Int
        public let count: Int
        /// The engine split the input itself (SageMaker's `ShardedByS3Key`).
        public let inputSplitByEngine: Bool
    }

    public enum Variable {
        public static let kubernetesIndex = "JOB_COMPLETION_INDEX"
        public static let kubernetesCount = "SHAPDRIFT_SHARD_COUNT"
        public static let batchIndex = "AWS_BATCH_JOB_ARRAY_INDEX"
        public static let batchSize = "AWS_BATCH_JOB_ARRAY_SIZE"
    }

    /// The assignment in `environment` (and, for SageMaker, the files under `mlRoot`).
    /// - Parameter dataPaths: the data to be read, to tell which SageMaker input they come through.
    /// - Throws: `.configuration(.shardAssignment)` when no engine, or more than one, is found or
    ///   a variable is malformed; `.input` for a malformed SageMaker configuration file.
    public static func detect(environment: [String: String], mlRoot: String = "/opt/ml",
                              dataPaths: [String]) throws(ShapDriftError) -> Assignment {
        func value(_ name: String) -> String? {
            environment[name].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        let resourceConfig = (mlRoot as NSString).appendingPathComponent("config/resourceconfig.json")
        var found: [Engine] = []
        if value(Variable.kubernetesIndex) != nil { found.append(.kubernetes) }
        if value(Variable.batchIndex) != nil { found.append(.awsBatch) }
        if FileManager.default.fileExists(atPath: resourceConfig) { found.append(.sageMaker) }
        guard found.count == 1, let engine = found.first else {
            if found.isEmpty {
                throw .configuration(.shardAssignment(
                    "expected \(Variable.kubernetesIndex) with \(Variable.kubernetesCount) (a Kubernetes Indexed Job), "
                        + "\(Variable.batchIndex) with \(Variable.batchSize) (an AWS Batch array job), or \(resourceConfig) (SageMaker Processing)"))
            }
            throw .configuration(.shardAssignment("several engines' settings are present (\(found.map(\.rawValue).joined(separator: ", "))); give the shard explicitly"))
        }
        switch engine {
        case .kubernetes:
            let count = try number(value(Variable.kubernetesCount), Variable.kubernetesCount,
                                   missing: "set it in the Job's pod template to the Job's spec.completions (Kubernetes does not tell a pod how many there are)")
            return try assignment(engine, index: try number(value(Variable.kubernetesIndex), Variable.kubernetesIndex, missing: ""), count: count)
        case .awsBatch:
            let count = try number(value(Variable.batchSize), Variable.batchSize, missing: "AWS Batch sets it in every child of an array job")
            return try assignment(engine, index: try number(value(Variable.batchIndex), Variable.batchIndex, missing: ""), count: count)
        case .sageMaker:
            let (index, count) = try hostPosition(resourceConfig)
            let split = count > 1 ? try splitBySageMaker(mlRoot: mlRoot, dataPaths: dataPaths) : false
            return try assignment(engine, index: index, count: count, inputSplitByEngine: split)
        }
    }

    private static func number(_ text: String?, _ name: String, missing: String) throws(ShapDriftError) -> Int {
        guard let text else { throw .configuration(.shardAssignment("\(name) is not set: \(missing)")) }
        guard let value = Int(text), value >= 0 else {
            throw .configuration(.shardAssignment("\(name) is '\(text)', expected a whole number from 0"))
        }
        return value
    }

    private static func assignment(_ engine: Engine, index: Int, count: Int, inputSplitByEngine: Bool = false) throws(ShapDriftError) -> Assignment {
        guard count >= 1, index < count else {
            throw .configuration(.shardAssignment("\(engine.rawValue): index \(index) of \(count) shards (indices run from 0 to count - 1)"))
        }
        return Assignment(engine: engine, index: index, count: count, inputSplitByEngine: inputSplitByEngine)
    }

    private static func document(_ path: String) throws(ShapDriftError) -> JSONValue {
        do {
            return try JSONValue.parse(try FileReading.bytes(path), file: path)
        } catch {
            throw .input(error)
        }
    }

    /// This host's position in `hosts` and their number.
    private static func hostPosition(_ path: String) throws(ShapDriftError) -> (Int, Int) {
        let config = try document(path)
        guard let host = config["current_host"]?.stringValue else {
            throw .input(InputError(file: path, field: "current_host", "missing or not a string"))
        }
        guard let hosts = config["hosts"]?.arrayValue?.compactMap(\.stringValue), !hosts.isEmpty else {
            throw .input(InputError(file: path, field: "hosts", "missing, empty or not a list of host names"))
        }
        guard let index = hosts.firstIndex(of: host) else {
            throw .input(InputError(file: path, field: "hosts", "does not list current_host \(host)"))
        }
        return (index, hosts.count)
    }

    /// Whether the data come through processing inputs SageMaker distributes `ShardedByS3Key`:
    /// the input whose `LocalPath` holds each data path decides; data outside every input (a file
    /// in the image) every host has.
    /// - Throws: `.input` when the job's configuration cannot be read, or the data mix sharded
    ///   and replicated inputs (no single rule splits them).
    private static func splitBySageMaker(mlRoot: String, dataPaths: [String]) throws(ShapDriftError) -> Bool {
        let path = (mlRoot as NSString).appendingPathComponent("config/processingjobconfig.json")
        guard FileManager.default.fileExists(atPath: path) else {
            throw .input(InputError(file: path, "missing: without the job's inputs there is no telling whether SageMaker already split the data (ShardedByS3Key)"))
        }
        let inputs = try document(path)["ProcessingInputs"]?.arrayValue ?? []
        let distributions: [(local: String, sharded: Bool)] = inputs.compactMap { input in
            let source = input["S3Input"] ?? input["DatasetDefinition"]
            guard let local = source?["LocalPath"]?.stringValue else { return nil }
            let type = source?["S3DataDistributionType"]?.stringValue ?? source?["DataDistributionType"]?.stringValue
            return ((local as NSString).standardizingPath, type == "ShardedByS3Key")
        }
        var kinds = Set<Bool>()
        for data in dataPaths {
            let standard = (data as NSString).standardizingPath
            let holder = distributions.filter { standard == $0.local || standard.hasPrefix($0.local.hasSuffix("/") ? $0.local : $0.local + "/") }
                .max { $0.local.count < $1.local.count }
            kinds.insert(holder?.sharded ?? false)
        }
        guard kinds.count <= 1 else {
            throw .input(InputError(file: path, field: "ProcessingInputs",
                                    "the data come through both ShardedByS3Key and FullyReplicated inputs: profile them in separate runs"))
        }
        return kinds.first ?? false
    }
}
