// libFuzzer target: job files (seeds in .build/fuzz/corpus/job-yaml; see docs/robustness.md).
import CFuzzerDriver
import Glibc
import FuzzSupport

var argc = CommandLine.argc
var argv = Optional(CommandLine.unsafeArgv)
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in FuzzTargets.jobFile(data, size) })
