// zlib (Debian's zlib1g-dev; the runtime library zlib1g is part of every Debian system): DEFLATE
// for the compact profile encoding (RFC 1950/1951).
#include <zlib.h>
