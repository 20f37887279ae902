// PNG encoding with libpng into a growing heap buffer; errors longjmp back to the setjmp in
// fb_png_encode (C to C). State lives in a heap context.
#include "ImageCodecs.h"
#include "Messages.h"
#include "PNGErrors.h"

#include <png.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    fb_png_errors errors;
    png_structp png;
    png_infop info;
    png_bytep *rows;
    uint8_t *bytes;
    size_t count;
    size_t capacity;
} png_write_context;

static void fb_png_write_bytes(png_structp png, png_bytep data, size_t count) {
    png_write_context *context = png_get_io_ptr(png);
    if (count > context->capacity - context->count) {
        size_t capacity = context->capacity > 0 ? context->capacity : 4096;
        while (count > capacity - context->count) capacity *= 2;
        uint8_t *grown = realloc(context->bytes, capacity);
        if (grown == NULL) {
            context->errors.code = FB_ERROR_TOO_LARGE;
            fb_set_message(context->errors.message, context->errors.message_size, "out of memory");
            png_error(png, "out of memory");
        }
        context->bytes = grown;
        context->capacity = capacity;
    }
    memcpy(context->bytes + context->count, data, count);
    context->count += count;
}

static void fb_png_flush(png_structp png) { (void)png; }

int fb_png_encode(const void *pixels, uint32_t width, uint32_t height, uint32_t channels,
                  uint32_t bit_depth, int compression_level, uint8_t **out, size_t *out_size,
                  char *message, size_t message_size) {
    *out = NULL;
    *out_size = 0;
    if (width == 0 || height == 0 || width > FB_MAX_SIDE || height > FB_MAX_SIDE || (channels != 1 && channels != 3) ||
        (bit_depth != 8 && bit_depth != 16) || compression_level < 0 || compression_level > 9) {
        fb_set_message(message, message_size, "cannot encode a %u×%u image of %u channels of %u bits at level %d",
                       width, height, channels, bit_depth, compression_level);
        return FB_ERROR_UNSUPPORTED;
    }
    png_write_context *context = calloc(1, sizeof *context);
    if (context == NULL) {
        fb_set_message(message, message_size, "out of memory");
        return FB_ERROR_TOO_LARGE;
    }
    context->errors.message = message;
    context->errors.message_size = message_size;
    context->errors.what = "PNG encoding failed";
    if (setjmp(context->errors.jump) == 0) {
        context->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &context->errors, fb_png_error, fb_png_ignore_warning);
        if (context->png != NULL) context->info = png_create_info_struct(context->png);
        size_t row_bytes = (size_t)width * channels * (bit_depth / 8);
        context->rows = malloc(sizeof(png_bytep) * height);
        if (context->info == NULL || context->rows == NULL) {
            context->errors.code = FB_ERROR_TOO_LARGE;
            fb_set_message(message, message_size, "out of memory");
        } else {
            png_set_write_fn(context->png, context, fb_png_write_bytes, fb_png_flush);
            png_set_compression_level(context->png, compression_level);
            png_set_IHDR(context->png, context->info, width, height, (int)bit_depth,
                         channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                         PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
            png_write_info(context->png, context->info);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            if (bit_depth == 16) png_set_swap(context->png);
#endif
            for (uint32_t y = 0; y < height; y++) context->rows[y] = (png_bytep)pixels + y * row_bytes;
            png_write_image(context->png, context->rows);
            png_write_end(context->png, NULL);
            *out = context->bytes;
            *out_size = context->count;
            context->bytes = NULL;
        }
    }
    int code = context->errors.code;
    png_destroy_write_struct(&context->png, &context->info);
    free(context->rows);
    free(context->bytes);
    free(context);
    if (code != FB_OK) {
        *out = NULL;
        *out_size = 0;
    }
    return code;
}

void fb_bytes_free(uint8_t *bytes) { free(bytes); }
