#include "PNGErrors.h"
#include "ImageCodecs.h"
#include "Messages.h"

void fb_png_error(png_structp png, png_const_charp text) {
    fb_png_errors *errors = png_get_error_ptr(png);
    if (errors->code == FB_OK) {
        errors->code = FB_ERROR_CORRUPT;
        fb_set_message(errors->message, errors->message_size, "%s: %s", errors->what, text);
    }
    longjmp(errors->jump, 1);
}

void fb_png_ignore_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}
