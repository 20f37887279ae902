// PNG decoding with libpng. Every libpng call runs between a setjmp in fb_png_decode and the
// error handler's longjmp, both in C. The state lives in a heap context, so nothing the
// longjmp returns to is an automatic variable changed after the setjmp.
#include "ImageCodecs.h"
#include "Messages.h"
#include "PNGErrors.h"

#include <png.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    fb_png_errors errors;
    const uint8_t *data;
    size_t size;
    size_t offset;
    png_structp png;
    png_infop info;
    uint8_t *pixels;
    png_bytep *rows;
} png_read_context;

static void fb_png_read_bytes(png_structp png, png_bytep out, size_t count) {
    png_read_context *context = png_get_io_ptr(png);
    if (count > context->size - context->offset) {
        context->errors.code = FB_ERROR_TRUNCATED;
        fb_set_message(context->errors.message, context->errors.message_size,
                       "truncated PNG: the file ends after %zu bytes, before the image data does", context->size);
        png_error(png, "truncated");
    }
    memcpy(out, context->data + context->offset, count);
    context->offset += count;
}

static const char *fb_png_color_name(int color_type) {
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY: return "grayscale";
    case PNG_COLOR_TYPE_GRAY_ALPHA: return "grayscale+alpha";
    case PNG_COLOR_TYPE_PALETTE: return "palette";
    case PNG_COLOR_TYPE_RGB: return "RGB";
    case PNG_COLOR_TYPE_RGB_ALPHA: return "RGBA";
    default: return "unknown";
    }
}

/// Sets up libpng's transformations for `format`; returns the channels the rows will have,
/// or 0 (with the context's code and message set) when the image cannot be given as `format`.
static uint32_t fb_png_configure(png_read_context *context, fb_pixel_format format, int bit_depth, int color_type) {
    png_structp png = context->png;
    int gray = (color_type & PNG_COLOR_MASK_COLOR) == 0;
    int palette = color_type == PNG_COLOR_TYPE_PALETTE;
    switch (format) {
    case FB_PIXELS_RGB8:
    case FB_PIXELS_GRAY8:
        if (palette) png_set_palette_to_rgb(png);
        if (gray && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
        if (bit_depth == 16) png_set_scale_16(png);
        png_set_strip_alpha(png);
        if (format == FB_PIXELS_RGB8) {
            if (gray) png_set_gray_to_rgb(png);
            return 3;
        }
        if (!gray) png_set_rgb_to_gray_fixed(png, 1, -1, -1);
        return 1;
    case FB_PIXELS_LABEL8:
        if ((!gray && !palette) || bit_depth > 8) break;
        if (bit_depth < 8) png_set_packing(png);
        png_set_strip_alpha(png);
        return 1;
    case FB_PIXELS_GRAY16:
        if (!gray || bit_depth != 16) break;
        png_set_strip_alpha(png);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        png_set_swap(png);
#endif
        return 1;
    }
    context->errors.code = FB_ERROR_UNSUPPORTED;
    fb_set_message(context->errors.message, context->errors.message_size, "the PNG is %d-bit %s; expected %s", bit_depth,
                   fb_png_color_name(color_type),
                   format == FB_PIXELS_LABEL8 ? "an 8-bit (or fewer bits) grayscale or palette PNG of label values"
                                              : "a 16-bit grayscale PNG");
    return 0;
}

int fb_png_decode(const uint8_t *data, size_t size, fb_pixel_format format, fb_image *out,
                  char *message, size_t message_size) {
    memset(out, 0, sizeof *out);
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        fb_set_message(message, message_size, "not a PNG file (%s)",
                       size < 8 ? "shorter than the 8-byte signature" : "no PNG signature");
        return size < 8 && size > 0 && png_sig_cmp(data, 0, size) == 0 ? FB_ERROR_TRUNCATED : FB_ERROR_CORRUPT;
    }
    png_read_context *context = calloc(1, sizeof *context);
    if (context == NULL) {
        fb_set_message(message, message_size, "out of memory");
        return FB_ERROR_TOO_LARGE;
    }
    context->data = data;
    context->size = size;
    context->errors.message = message;
    context->errors.message_size = message_size;
    context->errors.what = "corrupt PNG";
    if (setjmp(context->errors.jump) == 0) {
        context->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &context->errors, fb_png_error, fb_png_ignore_warning);
        if (context->png != NULL) context->info = png_create_info_struct(context->png);
        if (context->info == NULL) {
            context->errors.code = FB_ERROR_TOO_LARGE;
            fb_set_message(message, message_size, "out of memory");
        } else {
            png_set_user_limits(context->png, FB_MAX_SIDE, FB_MAX_SIDE);
            png_set_read_fn(context->png, context, fb_png_read_bytes);
            png_read_info(context->png, context->info);
            png_uint_32 width = 0, height = 0;
            int bit_depth = 0, color_type = 0;
            png_get_IHDR(context->png, context->info, &width, &height, &bit_depth, &color_type, NULL, NULL, NULL);
            uint32_t channels = fb_png_configure(context, format, bit_depth, color_type);
            if (channels > 0) {
                png_set_interlace_handling(context->png);
                png_read_update_info(context->png, context->info);
                size_t bytes_per_sample = format == FB_PIXELS_GRAY16 ? 2 : 1;
                size_t row_bytes = png_get_rowbytes(context->png, context->info);
                if (png_get_channels(context->png, context->info) != channels ||
                    row_bytes != (size_t)width * channels * bytes_per_sample) {
                    context->errors.code = FB_ERROR_UNSUPPORTED;
                    fb_set_message(message, message_size, "libpng could not convert this %d-bit %s PNG", bit_depth,
                                   fb_png_color_name(color_type));
                } else {
                    context->pixels = malloc(row_bytes * height);
                    context->rows = malloc(sizeof(png_bytep) * height);
                    if (context->pixels == NULL || context->rows == NULL) {
                        context->errors.code = FB_ERROR_TOO_LARGE;
                        fb_set_message(message, message_size, "out of memory for a %u×%u image", width, height);
                    } else {
                        for (png_uint_32 y = 0; y < height; y++) context->rows[y] = context->pixels + y * row_bytes;
                        png_read_image(context->png, context->rows);
                        out->width = width;
                        out->height = height;
                        out->channels = channels;
                        out->bytes_per_sample = (uint32_t)bytes_per_sample;
                        out->source_bit_depth = (uint32_t)bit_depth;
                        out->source_is_colour = (color_type & PNG_COLOR_MASK_COLOR) != 0;
                        out->pixels = context->pixels;
                        context->pixels = NULL;
                    }
                }
            }
        }
    }
    int code = context->errors.code;
    png_destroy_read_struct(&context->png, &context->info, NULL);
    free(context->rows);
    free(context->pixels);
    free(context);
    if (code != FB_OK) memset(out, 0, sizeof *out);
    return code;
}

void fb_image_free(fb_image *image) {
    free(image->pixels);
    image->pixels = NULL;
}
