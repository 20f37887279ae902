// A small C shim over libpng and libjpeg-turbo for the FedBone importers.
//
// libpng and libjpeg report errors by calling an error handler that must not return; the
// handlers here longjmp back to a setjmp in the same C function that called the library, so
// no longjmp ever crosses a Swift frame. Every function returns 0 on success, or a non-zero
// code with a NUL-terminated message in `message` (at most `message_size` bytes).
#ifndef FEDBONE_IMAGE_CODECS_H
#define FEDBONE_IMAGE_CODECS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What the decoder returns, whatever the file stores.
typedef enum {
    /// 8-bit RGB, 3 samples a pixel: grey is replicated, palettes expanded, alpha dropped
    /// (not composited), 16-bit samples rounded to 8 bits.
    FB_PIXELS_RGB8 = 0,
    /// 8-bit grey, 1 sample a pixel: grey of 1, 2 or 4 bits scaled to 0…255, 16-bit rounded,
    /// RGB converted with libpng's default (Rec. 709) weights, alpha dropped; no palettes.
    FB_PIXELS_GRAY8 = 1,
    /// 8-bit labels, 1 sample a pixel, unscaled: the grey value or the palette index of a PNG
    /// of at most 8 bits. RGB, 16-bit PNGs and JPEGs are refused.
    FB_PIXELS_LABEL8 = 2,
    /// 16-bit grey in native byte order, 1 sample a pixel; only 16-bit grey PNGs.
    FB_PIXELS_GRAY16 = 3,
} fb_pixel_format;

/// Error codes.
enum {
    FB_OK = 0,
    /// The bytes are not a PNG/JPEG, or are corrupt.
    FB_ERROR_CORRUPT = 1,
    /// The file ends before the image does.
    FB_ERROR_TRUNCATED = 2,
    /// A valid image of a kind the requested pixel format cannot take.
    FB_ERROR_UNSUPPORTED = 3,
    /// Out of memory, or an image too large to hold.
    FB_ERROR_TOO_LARGE = 4,
};

/// A decoded image: `height` rows of `width` pixels of `channels` samples of
/// `bytes_per_sample` bytes, row-major, interleaved. Free with fb_image_free.
typedef struct {
    uint32_t width;
    uint32_t height;
    uint32_t channels;
    uint32_t bytes_per_sample;
    /// The file's own sample depth in bits (1, 2, 4, 8 or 16).
    uint32_t source_bit_depth;
    /// 1 when the file stores colour (RGB, palette of colours, colour JPEG), else 0.
    uint32_t source_is_colour;
    void *pixels;
} fb_image;

/// The largest width or height the decoders accept.
#define FB_MAX_SIDE 32768u

/// Decodes the PNG in `data[0..<size]` into `out` as `format`.
int fb_png_decode(const uint8_t *data, size_t size, fb_pixel_format format, fb_image *out,
                  char *message, size_t message_size);

/// Decodes the JPEG in `data[0..<size]` into `out` as FB_PIXELS_RGB8 or FB_PIXELS_GRAY8 (other
/// formats are refused: a JPEG cannot hold exact labels or 16-bit values).
int fb_jpeg_decode(const uint8_t *data, size_t size, fb_pixel_format format, fb_image *out,
                   char *message, size_t message_size);

/// Frees the pixels of an image that a decoder filled (safe on a zeroed image).
void fb_image_free(fb_image *image);

/// Encodes `height` rows of `width` pixels of `channels` (1 grey, 3 RGB) samples of
/// `bit_depth` (8, or 16 in native byte order) bits as a PNG with zlib level
/// `compression_level` (0…9). On success `*out` holds `*out_size` bytes; free with fb_bytes_free.
int fb_png_encode(const void *pixels, uint32_t width, uint32_t height, uint32_t channels,
                  uint32_t bit_depth, int compression_level, uint8_t **out, size_t *out_size,
                  char *message, size_t message_size);

/// Frees bytes that fb_png_encode returned.
void fb_bytes_free(uint8_t *bytes);

#ifdef __cplusplus
}
#endif

#endif
