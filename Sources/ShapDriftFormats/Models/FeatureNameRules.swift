import ShapDriftCore

/// What the loaders require of the feature names a model file carries.
enum FeatureNameRules {
    /// Names must be unique: data columns are matched to features by name, and every report keys
    /// its features by name.
    static func checkUnique(_ names: [String], in field: JSONReading) throws(InputError) {
        if let duplicate = FeatureSchema.firstDuplicate(in: names) {
            throw InputError(file: field.file, field: "\(field.path)[\(duplicate.second)]",
                             "feature name '\(duplicate.name)' appears twice (also at [\(duplicate.first)]): features are matched and reported by name")
        }
    }

    /// Whether `names` are the ones LightGBM makes up for data without names: `Column_0`,
    /// `Column_1`, … in order (`src/io/dataset_loader.cpp`). Such a model has
    /// no names of its own, so its columns are taken in order and named by the data.
    static func areLightGBMPlaceholders(_ names: [String]) -> Bool {
        names.enumerated().allSatisfy { $1 == "Column_\($0)" }
    }
}
