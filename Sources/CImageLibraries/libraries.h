// The image codecs the importers decode with, from Debian's libpng-dev (libpng 1.6),
// libjpeg62-turbo-dev (libjpeg-turbo) and zlib1g-dev. Swift calls only zlib's gzip reader
// directly; libpng and libjpeg report errors by longjmp, so they are called from the C shim in
// CImageCodecs, which keeps every setjmp and longjmp inside C frames.
#include <stdio.h>
#include <png.h>
#include <jpeglib.h>
#include <zlib.h>
