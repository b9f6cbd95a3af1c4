// libFuzzer target: xgboost-json inputs (seeds in .build/fuzz/corpus/xgboost-json; see docs/robustness.md).
import CFuzzerDriver
import Glibc
import FuzzSupport

var argc = CommandLine.argc
var argv = Optional(CommandLine.unsafeArgv)
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in FuzzTargets.model(data, size) })
