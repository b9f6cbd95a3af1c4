// libFuzzer target: profile inputs (seeds in .build/fuzz/corpus/profile; see docs/robustness.md).
import CFuzzerDriver
import Glibc
import FuzzSupport

var argc = CommandLine.argc
var argv = Optional(CommandLine.unsafeArgv)
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in FuzzTargets.profile(data, size) })
