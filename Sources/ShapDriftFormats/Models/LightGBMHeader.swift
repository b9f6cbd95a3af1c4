import ShapDriftCore

/// The header of a LightGBM text model: the `key=value` lines between `tree` and the first
/// `Tree=` block, checked and read into what the loader needs (`LightGBMTextLoader`).
struct LightGBMHeader {
    /// One `key=value` line of the file, with its 1-based line number.
    struct Entry {
        let value: Substring
        let line: Int
    }

    /// Trees per boosting iteration: one per class (`num_tree_per_iteration`, equal to `num_class`).
    let treesPerIteration: Int
    let numFeatures: Int
    let featureNames: [String]
    /// The objective line as written, or `custom` when there is none.
    let objectiveName: String
    let objective: LightGBMObjective
    /// Random-forest mode: the trees are averaged, not summed.
    let averageOutput: Bool
    /// The index of the first line after the header (a `Tree=` line, or `end of trees`).
    let end: Int

    /// Reads the header from `lines` (the whole file), checking every count before it is used.
    /// - Throws: `InputError` naming the line and key of what is missing or wrong.
    /// - Complexity: O(header lines + features).
    init(lines: [Substring], file: String) throws(InputError) {
        guard let first = lines.first, first.trimmingCharacters(in: .whitespaces) == "tree" else {
            // LightGBM writes "\n" line ends and its own reader fails on "\r\n" (an editor or a
            // Windows checkout converts them): say so rather than that "tree" is missing. A Swift
            // Character holds "\r\n" whole, so such a file is one line beginning "tree\r\n".
            if lines.first?.hasPrefix("tree\r\n") == true {
                throw InputError(file: file, line: 1, "not a LightGBM text model as LightGBM writes it: its lines end in CR LF (Windows line ends); "
                                                      + "LightGBM writes and reads LF only: convert the file back (dos2unix) or export it again")
            }
            throw InputError(file: file, line: 1, "not a LightGBM text model: the first line must be \"tree\"")
        }
        var entries: [String: Entry] = [:]
        var index = 1
        while index < lines.count, !lines[index].hasPrefix("Tree=") {
            let line = lines[index]
            if line.hasPrefix("end of trees") { break }
            if let equals = line.firstIndex(of: "=") {
                entries[String(line[..<equals])] = Entry(value: line[line.index(after: equals)...], line: index + 1)
            } else if !line.isEmpty {
                entries[String(line)] = Entry(value: "", line: index + 1)
            }
            index += 1
        }
        end = index

        func required(_ key: String) throws(InputError) -> Entry {
            guard let entry = entries[key] else { throw InputError(file: file, field: key, "missing (required) in the model header") }
            return entry
        }
        func integer(_ entry: Entry, key: String) throws(InputError) -> Int {
            guard let value = Int(entry.value.trimmingCharacters(in: .whitespaces)), value >= 0, value < Int(Int32.max) else {
                throw InputError(file: file, line: entry.line, field: key, "expected a whole number in 0..<\(Int32.max), found \"\(entry.value)\"")
            }
            return value
        }

        let numClassEntry = try required("num_class")
        let numClass = try integer(numClassEntry, key: "num_class")
        let treesEntry = try required("num_tree_per_iteration")
        treesPerIteration = try integer(treesEntry, key: "num_tree_per_iteration")
        guard treesPerIteration >= 1, numClass >= 1 else {
            throw InputError(file: file, line: treesEntry.line, field: "num_tree_per_iteration", "must be at least 1")
        }
        // GBDT sets num_tree_per_iteration from num_class (one tree per class and iteration).
        guard numClass == treesPerIteration else {
            throw InputError(file: file, line: numClassEntry.line, field: "num_class",
                             "num_class \(numClass) differs from num_tree_per_iteration \(treesPerIteration)")
        }
        let featuresEntry = try required("max_feature_idx")
        numFeatures = try integer(featuresEntry, key: "max_feature_idx") + 1
        let namesEntry = try required("feature_names")
        featureNames = namesEntry.value.split(separator: " ").map(String.init)
        guard featureNames.count == numFeatures else {
            throw InputError(file: file, line: namesEntry.line, field: "feature_names",
                             "has \(featureNames.count) names for \(numFeatures) features (max_feature_idx + 1)")
        }
        if let problem = ModelLimits.shapeProblem(numFeatures: numFeatures, numOutputs: treesPerIteration) {
            throw InputError(file: file, line: featuresEntry.line, field: "max_feature_idx", problem)
        }
        if let duplicate = FeatureSchema.firstDuplicate(in: featureNames) {
            throw InputError(file: file, line: namesEntry.line, field: "feature_names[\(duplicate.second)]",
                             "feature name '\(duplicate.name)' appears twice (also at [\(duplicate.first)]): features are matched and reported by name")
        }
        if let objectiveEntry = entries["objective"] {
            do {
                objective = try LightGBMObjective.parse(objectiveEntry.value, outputs: treesPerIteration)
            } catch {
                throw InputError(file: file, line: objectiveEntry.line, field: "objective", error.message)
            }
            objectiveName = String(objectiveEntry.value)
        } else {
            // No objective line: trained with a custom objective, and LightGBM predicts raw scores.
            objective = LightGBMObjective(transform: .identity, warning: nil)
            objectiveName = "custom"
        }
        averageOutput = entries["average_output"] != nil
    }
}
