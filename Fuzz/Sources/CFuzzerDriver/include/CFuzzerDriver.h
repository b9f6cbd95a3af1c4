// libFuzzer's entry for programs that have their own main (compiler-rt's FuzzerInterface.h):
// SwiftPM gives every executable a main of its own, so the targets call the driver from it.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
