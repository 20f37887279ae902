// libpng's error handling shared by the PNG decoder and encoder (internal to CImageCodecs).
#ifndef FEDBONE_IMAGE_CODECS_PNG_ERRORS_H
#define FEDBONE_IMAGE_CODECS_PNG_ERRORS_H

#include <png.h>
#include <setjmp.h>
#include <stddef.h>

/// What a libpng error leaves: the first error's code and message, and where to longjmp (a
/// setjmp in the C function that called libpng). libpng's error pointer points to this.
typedef struct {
    int code;
    char *message;
    size_t message_size;
    /// "corrupt PNG" or "PNG encoding failed": the message's prefix.
    const char *what;
    jmp_buf jump;
} fb_png_errors;

/// libpng's error callback: records the message (unless an error was recorded already) and
/// longjmps to `jump`.
void fb_png_error(png_structp png, png_const_charp text);

/// libpng's warning callback: warnings are ignored.
void fb_png_ignore_warning(png_structp png, png_const_charp text);

#endif
