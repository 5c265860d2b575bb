#ifndef TUNNELSCOPE_CNCURSES_SHIM_H
#define TUNNELSCOPE_CNCURSES_SHIM_H
// SwiftPM drops pkg-config's -D flags, so the wide-character API must be asked for here.
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <ncursesw/curses.h>

// Curses macros and globals do not import into Swift (or are errors in Swift 6 mode).
static inline WINDOW *ts_stdscr(void) { return stdscr; }
static inline int ts_lines(void) { return LINES; }
static inline int ts_cols(void) { return COLS; }
static inline int ts_color_pair(int n) { return COLOR_PAIR(n); }
static inline int ts_a_bold(void) { return A_BOLD; }
static inline int ts_a_reverse(void) { return A_REVERSE; }
static inline int ts_a_underline(void) { return A_UNDERLINE; }
static inline int ts_a_dim(void) { return A_DIM; }
static inline int ts_a_normal(void) { return A_NORMAL; }
static inline int ts_key_f(int n) { return KEY_F(n); }
static inline int ts_colors(void) { return COLORS; }
static inline int ts_color_pairs(void) { return COLOR_PAIRS; }
#endif
