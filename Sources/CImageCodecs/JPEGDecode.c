// JPEG decoding with libjpeg-turbo. The error manager's error_exit longjmps back to the setjmp
// in fb_jpeg_decode (C to C); a premature end of the data, which libjpeg only warns about
// (padding the image with grey), is an error here too. State lives in a heap context.
#include "ImageCodecs.h"
#include "Messages.h"

#include <stdio.h>
#include <jpeglib.h>
#include <jerror.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    struct jpeg_error_mgr manager;
    struct jpeg_decompress_struct decoder;
    int created;
    int code;
    char *message;
    size_t message_size;
    size_t size;
    jmp_buf jump;
    uint8_t *pixels;
} jpeg_read_context;

static jpeg_read_context *fb_jpeg_context(j_common_ptr info) {
    return (jpeg_read_context *)((char *)info->err - offsetof(jpeg_read_context, manager));
}

static void fb_jpeg_error_exit(j_common_ptr info) {
    jpeg_read_context *context = fb_jpeg_context(info);
    if (context->code == FB_OK) {
        char text[JMSG_LENGTH_MAX];
        (*info->err->format_message)(info, text);
        context->code = info->err->msg_code == JERR_OUT_OF_MEMORY ? FB_ERROR_TOO_LARGE : FB_ERROR_CORRUPT;
        fb_set_message(context->message, context->message_size, "corrupt JPEG: %s", text);
    }
    longjmp(context->jump, 1);
}

static void fb_jpeg_emit_message(j_common_ptr info, int level) {
    if (level >= 0 || info->err->msg_code != JWRN_JPEG_EOF) return;
    jpeg_read_context *context = fb_jpeg_context(info);
    context->code = FB_ERROR_TRUNCATED;
    fb_set_message(context->message, context->message_size,
                   "truncated JPEG: the file ends after %zu bytes, before the image data does", context->size);
    longjmp(context->jump, 1);
}

static void fb_jpeg_ignore_output(j_common_ptr info) { (void)info; }

int fb_jpeg_decode(const uint8_t *data, size_t size, fb_pixel_format format, fb_image *out,
                   char *message, size_t message_size) {
    memset(out, 0, sizeof *out);
    if (format != FB_PIXELS_RGB8 && format != FB_PIXELS_GRAY8) {
        fb_set_message(message, message_size, "a JPEG cannot hold exact labels or 16-bit values; use a PNG");
        return FB_ERROR_UNSUPPORTED;
    }
    if (size < 3 || data[0] != 0xFF || data[1] != 0xD8) {
        fb_set_message(message, message_size, "not a JPEG file (no start-of-image marker)");
        return FB_ERROR_CORRUPT;
    }
    jpeg_read_context *context = calloc(1, sizeof *context);
    if (context == NULL) {
        fb_set_message(message, message_size, "out of memory");
        return FB_ERROR_TOO_LARGE;
    }
    context->message = message;
    context->message_size = message_size;
    context->size = size;
    context->decoder.err = jpeg_std_error(&context->manager);
    context->manager.error_exit = fb_jpeg_error_exit;
    context->manager.emit_message = fb_jpeg_emit_message;
    context->manager.output_message = fb_jpeg_ignore_output;
    if (setjmp(context->jump) == 0) {
        jpeg_create_decompress(&context->decoder);
        context->created = 1;
        jpeg_mem_src(&context->decoder, data, (unsigned long)size);
        jpeg_read_header(&context->decoder, TRUE);
        uint32_t colour = context->decoder.jpeg_color_space != JCS_GRAYSCALE;
        context->decoder.out_color_space = format == FB_PIXELS_RGB8 ? JCS_RGB : JCS_GRAYSCALE;
        if (context->decoder.image_width > FB_MAX_SIDE || context->decoder.image_height > FB_MAX_SIDE) {
            context->code = FB_ERROR_TOO_LARGE;
            fb_set_message(message, message_size, "the JPEG is %u×%u; at most %u pixels a side are accepted",
                           context->decoder.image_width, context->decoder.image_height, FB_MAX_SIDE);
        } else {
            jpeg_start_decompress(&context->decoder);
            uint32_t width = context->decoder.output_width, height = context->decoder.output_height;
            uint32_t channels = (uint32_t)context->decoder.output_components;
            size_t row_bytes = (size_t)width * channels;
            context->pixels = malloc(row_bytes * height);
            if (context->pixels == NULL) {
                context->code = FB_ERROR_TOO_LARGE;
                fb_set_message(message, message_size, "out of memory for a %u×%u image", width, height);
            } else {
                while (context->decoder.output_scanline < height) {
                    JSAMPROW row = context->pixels + (size_t)context->decoder.output_scanline * row_bytes;
                    jpeg_read_scanlines(&context->decoder, &row, 1);
                }
                jpeg_finish_decompress(&context->decoder);
                out->width = width;
                out->height = height;
                out->channels = channels;
                out->bytes_per_sample = 1;
                out->source_bit_depth = 8;
                out->source_is_colour = colour;
                out->pixels = context->pixels;
                context->pixels = NULL;
            }
        }
    }
    int code = context->code;
    if (context->created) jpeg_destroy_decompress(&context->decoder);
    free(context->pixels);
    free(context);
    if (code != FB_OK) memset(out, 0, sizeof *out);
    return code;
}
