import Foundation

/// The number of cores this process may actually use: the CPUs in its affinity mask, capped by
/// its cgroup's CPU quota (a container limited to 2 CPUs on a 64-core host gets 2, not 64).
/// `sysconf(_SC_NPROCESSORS_ONLN)` counts the host's online CPUs and would oversubscribe both.
public enum ProcessorCount {
    /// Worker threads used when a caller does not choose a count; at least 1.
    public static let available: Int = {
        var count = affinityCount() ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        if let quota = cgroupQuota() { count = min(count, quota) }
        return max(1, count)
    }()

    /// CPUs in the affinity mask, from `Cpus_allowed` in `/proc/self/status` (a comma-grouped
    /// hexadecimal mask; Glibc's module does not export `sched_getaffinity`), or `nil` when it
    /// cannot be read.
    static func affinityCount() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else { return nil }
        var bits = 0
        for character in line.dropFirst("Cpus_allowed:".count) where character != "," && character != " " && character != "\t" {
            guard let digit = character.hexDigitValue else { return nil }
            bits += digit.nonzeroBitCount
        }
        return bits > 0 ? bits : nil
    }

    /// The CPU quota of this process's cgroup, rounded up to whole CPUs; `nil` when unlimited or
    /// unknown. cgroup v2: `cpu.max` ("max 100000" or "QUOTA PERIOD") of the process's group
    /// (from `/proc/self/cgroup`) or the root; v1: `cpu.cfs_quota_us` / `cpu.cfs_period_us`.
    static func cgroupQuota() -> Int? {
        var candidates: [String] = []
        if let groups = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8),
           let unified = groups.split(separator: "\n").first(where: { $0.hasPrefix("0::") }) {
            let path = String(unified.dropFirst(3))
            if path != "/" { candidates.append("/sys/fs/cgroup\(path)/cpu.max") }
        }
        candidates.append("/sys/fs/cgroup/cpu.max")
        for file in candidates {
            if let text = try? String(contentsOfFile: file, encoding: .utf8) {
                let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
                guard fields.count >= 2, let quota = Double(fields[0]), let period = Double(fields[1]) else { return nil }
                return cpus(quota: quota, period: period)
            }
        }
        for directory in ["/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"] {
            guard let quotaText = try? String(contentsOfFile: "\(directory)/cpu.cfs_quota_us", encoding: .utf8),
                  let periodText = try? String(contentsOfFile: "\(directory)/cpu.cfs_period_us", encoding: .utf8),
                  let quota = Double(quotaText.trimmingCharacters(in: .whitespacesAndNewlines)),
                  let period = Double(periodText.trimmingCharacters(in: .whitespacesAndNewlines)) else { continue }
            return cpus(quota: quota, period: period)
        }
        return nil
    }

    /// Whole CPUs a quota allows (at least 1); `nil` for no limit (a non-positive quota).
    static func cpus(quota: Double, period: Double) -> Int? {
        guard quota > 0, period > 0 else { return nil }
        return max(1, Int((quota / period).rounded(.up)))
    }
}
