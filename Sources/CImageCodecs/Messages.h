// Writing a decoder's error message into the caller's buffer (internal to CImageCodecs).
#ifndef FEDBONE_IMAGE_CODECS_MESSAGES_H
#define FEDBONE_IMAGE_CODECS_MESSAGES_H

#include <stdarg.h>
#include <stdio.h>

/// Formats into `buffer` (at most `size` bytes, NUL-terminated); does nothing without a buffer.
static inline void fb_set_message(char *buffer, size_t size, const char *format, ...) {
    if (buffer == NULL || size == 0) return;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(buffer, size, format, arguments);
    va_end(arguments);
}

#endif
