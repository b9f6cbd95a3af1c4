/// The features a model expects, and how data columns are matched to them.
///
/// Columns are matched by name whenever the model has names; position is used only for models
/// exported without names, and then the column count must agree and the header's names, which
/// then name the features in every output, must be unique. LightGBM writes spaces in feature
/// names as underscores, so a column `mean radius` matches the model feature `mean_radius`.
public struct FeatureSchema: Sendable, Equatable {
    public let names: [String]?
    public let count: Int
    /// What a named column the model needs but the data lacks means.
    public var absentColumns: AbsentColumnPolicy = .refuse

    /// What to do when data named by columns lacks a feature the model needs.
    public enum AbsentColumnPolicy: Sendable, Equatable {
        /// An input error naming the column (what `explain`, `predict` and `baseline` want).
        case refuse
        /// Its values are missing, and the source counts the rows (`ColumnStatistics`): what a
        /// drift check wants, to report the absent column as a data-quality violation.
        case treatAsMissing
    }

    public init(names: [String]?, count: Int, absentColumns: AbsentColumnPolicy = .refuse) {
        self.names = names
        self.count = count
        self.absentColumns = absentColumns
    }

    public init(model: Model, absentColumns: AbsentColumnPolicy = .refuse) {
        self.init(names: model.featureNames, count: model.numFeatures, absentColumns: absentColumns)
    }

    /// For each model feature, the index of the data column holding it; -1 for a column the data
    /// lacks when `absentColumns` is `.treatAsMissing`.
    /// - Parameters:
    ///   - header: the data's column names.
    ///   - file: the data file, for error messages.
    public func columnIndices(forHeader header: [String], file: String) throws(InputError) -> [Int] {
        guard let names else {
            guard header.count == count else {
                throw InputError(file: file, line: 1,
                                 "the model has no feature names, so columns are taken in order: expected \(count) columns, found \(header.count)")
            }
            if let duplicate = Self.firstDuplicate(in: header) {
                throw InputError(file: file, line: 1, column: duplicate.second + 1, field: duplicate.name,
                                 "column name appears twice (also column \(duplicate.first + 1)); the model has no feature names, so the header names its features")
            }
            return Array(0..<count)
        }
        var exact: [String: Int] = [:]
        var underscored: [String: Int] = [:]
        let wanted = Set(names)
        for (index, column) in header.enumerated() {
            if exact[column] != nil {
                // A repeated column the model does not read is harmless; one it reads is ambiguous.
                if wanted.contains(column) || wanted.contains(column.replacingOccurrences(of: " ", with: "_")) {
                    throw InputError(file: file, line: 1, column: index + 1, field: column, "column appears more than once in the header")
                }
                continue
            }
            exact[column] = index
            let alias = column.replacingOccurrences(of: " ", with: "_")
            if underscored[alias] == nil { underscored[alias] = index }
        }
        var indices: [Int] = []
        var missing: [String] = []
        for name in names {
            if let index = exact[name] ?? underscored[name] {
                indices.append(index)
            } else {
                missing.append(name)
                indices.append(-1)
            }
        }
        guard missing.isEmpty || absentColumns == .treatAsMissing else {
            let shown = missing.prefix(10).map { "'\($0)'" }.joined(separator: ", ")
            let more = missing.count > 10 ? " and \(missing.count - 10) more" : ""
            throw InputError(file: file, line: 1,
                             "missing feature column(s) \(shown)\(more); the model needs \(count) features, by name")
        }
        return indices
    }

    /// The first name of `names` that appears again: the name and both positions (0-based).
    /// - Complexity: O(names).
    public static func firstDuplicate(in names: [String]) -> (name: String, first: Int, second: Int)? {
        var seen: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            if let first = seen[name] { return (name, first, index) }
            seen[name] = index
        }
        return nil
    }
}
