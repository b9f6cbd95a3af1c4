// OpenBLAS's cblas.h (Debian installs it under the multiarch include directory through
// the alternatives system) and LAPACKE from liblapacke-dev.
#include <cblas.h>
#include <lapacke.h>
